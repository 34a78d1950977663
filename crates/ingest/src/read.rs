//! Streaming readers for submitted files: CSV (UTF-8 with or without BOM, GB18030/GBK),
//! XLSX and JSON Lines, all giving the same [`Table`]: trimmed headers and an iterator of
//! [`RawRow`]s (cells as text, nothing validated).
//!
//! * Row-level problems (ragged row, field too long, undecodable bytes in that row, bad JSON
//!   line…) are yielded as [`ReadIssue::Row`] and reading continues.
//! * Problems with the file as a whole are a [`ReadError`] from [`open_reader`] /
//!   [`open_stream`], or — when they happen later, e.g. an I/O error — one final
//!   [`ReadIssue::Fatal`] item.
//!
//! Memory: CSV and JSON Lines stream; at most one row is held, and a row is capped at
//! [`ReadOptions::max_row_bytes`] (a longer row is skipped, not buffered). XLSX is read whole
//! by calamine (the zip format needs random access); its cells are kept as text, sparse, and
//! the file is checked against zip bombs first (see [`ReadOptions::max_xlsx_uncompressed_bytes`]).

use std::io::{self, Read, Seek, SeekFrom};

use crate::error::{codes, ReadError, ReadIssue, RowError};

mod csv_src;
mod jsonl_src;
mod xlsx_src;

/// File format of a submitted file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// Office Open XML workbook.
    Xlsx,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// Stable name: `csv`, `xlsx`, `jsonl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Jsonl => "jsonl",
        }
    }
}

/// Limits and choices of the readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// XLSX: the sheet to read; `None` = the first sheet.
    pub sheet: Option<String>,
    /// Longest cell in bytes (after decoding for XLSX/JSONL, raw bytes for CSV); longer cells
    /// reject their row (`field_too_long`). Default 64 KiB.
    pub max_field_bytes: usize,
    /// Longest row in bytes; a longer row is skipped without being buffered (`row_too_long`).
    /// Default 8 MiB.
    pub max_row_bytes: usize,
    /// Most header columns (`too_many_columns`). Default 1024.
    pub max_columns: usize,
    /// XLSX: most bytes the whole zip may unpack to (`xlsx_too_large`); also the most bytes
    /// [`open_stream`] buffers of an XLSX. Default 1 GiB.
    pub max_xlsx_uncompressed_bytes: u64,
    /// XLSX: highest compression ratio (uncompressed / compressed) of any member larger than
    /// 1 MiB unpacked (`zip_bomb`). Ordinary sheets compress 5–30×. Default 200.
    pub max_xlsx_ratio: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            sheet: None,
            max_field_bytes: 64 * 1024,
            max_row_bytes: 8 * 1024 * 1024,
            max_columns: 1024,
            max_xlsx_uncompressed_bytes: 1 << 30,
            max_xlsx_ratio: 200,
        }
    }
}

/// One data row, cells as text in header order (`cells.len() == headers.len()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// The row number a person sees: Excel row / line where the CSV record starts (the
    /// header being 1) / JSON Lines line.
    pub row: u64,
    /// Cell texts, not trimmed.
    pub cells: Vec<String>,
}

/// An opened file: its headers, and its rows as an iterator.
pub struct Table {
    /// Detected format.
    pub format: Format,
    /// `"UTF-8"`, `"UTF-8 (BOM)"`, `"GB18030"` for CSV; `"xlsx"`; `"jsonl"`.
    pub encoding: &'static str,
    /// Header names, trimmed (BOM and trailing empty header cells removed), unique.
    pub headers: Vec<String>,
    source: Source,
    done: bool,
}

enum Source {
    Csv(Box<csv_src::CsvSource>),
    Xlsx(xlsx_src::XlsxSource),
    Jsonl(Box<jsonl_src::JsonlSource>),
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("format", &self.format)
            .field("encoding", &self.encoding)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl Iterator for Table {
    type Item = Result<RawRow, ReadIssue>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match &mut self.source {
            Source::Csv(s) => s.next_row(),
            Source::Xlsx(s) => s.next_row(),
            Source::Jsonl(s) => s.next_row(),
        };
        match item {
            None => {
                self.done = true;
                None
            }
            Some(Err(ReadIssue::Fatal(e))) => {
                self.done = true;
                Some(Err(ReadIssue::Fatal(e)))
            }
            Some(other) => Some(other),
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const OLE2_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Tells the format from the first bytes (zip magic → XLSX, `{` as the first non-blank
/// character → JSON Lines), then from the file name's extension. Without either, text is taken
/// as CSV.
pub fn detect_format(file_name: Option<&str>, first_bytes: &[u8]) -> Result<Format, ReadError> {
    if first_bytes.starts_with(b"PK\x03\x04") || first_bytes.starts_with(b"PK\x05\x06") {
        return Ok(Format::Xlsx);
    }
    if first_bytes.starts_with(OLE2_MAGIC) {
        return Err(xls_error());
    }
    let text = first_bytes.strip_prefix(UTF8_BOM).unwrap_or(first_bytes);
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(Format::Jsonl);
    }
    let ext = file_name
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.trim().to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv" | "txt" | "tsv") => Ok(Format::Csv),
        Some("xlsx" | "xlsm") => Ok(Format::Xlsx),
        Some("jsonl" | "ndjson" | "json") => Ok(Format::Jsonl),
        Some("xls" | "et") => Err(xls_error()),
        Some(other) => Err(ReadError::new(
            codes::UNKNOWN_FORMAT,
            format!("无法识别的文件类型“.{other}”：请提交 CSV、XLSX 或 JSON Lines 文件"),
        )),
        None if first_bytes.contains(&0) => Err(ReadError::new(
            codes::UNKNOWN_FORMAT,
            "无法识别的文件类型：内容不是文本，也不是 XLSX；请提交 CSV、XLSX 或 JSON Lines 文件",
        )),
        None => Ok(Format::Csv),
    }
}

fn xls_error() -> ReadError {
    ReadError::new(
        codes::XLS_NOT_SUPPORTED,
        "不支持旧版 Excel 97-2003（.xls）文件：请在 Excel 中另存为 .xlsx 或“CSV UTF-8”后再提交",
    )
}

/// How many bytes are looked at to tell the format.
const DETECT_BYTES: usize = 8 * 1024;

/// Opens a file that can be seeked (XLSX needs random access). CSV and JSON Lines are read
/// from the current position as a stream.
pub fn open_reader<R: Read + Seek + Send + 'static>(
    mut r: R,
    file_name: Option<&str>,
    opts: &ReadOptions,
) -> Result<Table, ReadError> {
    let start = r.stream_position().map_err(|e| ReadError::io(&e))?;
    let head = read_up_to(&mut r, DETECT_BYTES).map_err(|e| ReadError::io(&e))?;
    match detect_format(file_name, &head)? {
        Format::Xlsx => {
            r.seek(SeekFrom::Start(start))
                .map_err(|e| ReadError::io(&e))?;
            xlsx_src::open(r, opts)
        }
        Format::Csv => csv_src::open(Input::new(head, Box::new(r)), opts),
        Format::Jsonl => jsonl_src::open(Input::new(head, Box::new(r)), opts),
    }
}

/// Opens a file from a plain stream. CSV and JSON Lines stream; an XLSX is first read into
/// memory, at most [`ReadOptions::max_xlsx_uncompressed_bytes`] bytes (`xlsx_too_large`).
pub fn open_stream<R: Read + Send + 'static>(
    mut r: R,
    file_name: Option<&str>,
    opts: &ReadOptions,
) -> Result<Table, ReadError> {
    let head = read_up_to(&mut r, DETECT_BYTES).map_err(|e| ReadError::io(&e))?;
    match detect_format(file_name, &head)? {
        Format::Xlsx => {
            let limit = opts.max_xlsx_uncompressed_bytes;
            let mut data = head;
            r.take(limit.saturating_add(1).saturating_sub(data.len() as u64))
                .read_to_end(&mut data)
                .map_err(|e| ReadError::io(&e))?;
            if data.len() as u64 > limit {
                return Err(ReadError::new(
                    codes::XLSX_TOO_LARGE,
                    format!("XLSX 文件超过 {} 字节的上限", limit),
                ));
            }
            xlsx_src::open(io::Cursor::new(data), opts)
        }
        Format::Csv => csv_src::open(Input::new(head, Box::new(r)), opts),
        Format::Jsonl => jsonl_src::open(Input::new(head, Box::new(r)), opts),
    }
}

/// Opens in-memory bytes (any format).
pub fn open_bytes(
    data: Vec<u8>,
    file_name: Option<&str>,
    opts: &ReadOptions,
) -> Result<Table, ReadError> {
    open_reader(io::Cursor::new(data), file_name, opts)
}

fn read_up_to<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n.min(64 * 1024));
    r.by_ref().take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Input buffer size (also the size of the head sniffed for the CSV encoding).
pub(crate) const BUF_SIZE: usize = 256 * 1024;

/// A buffered reader whose buffer can be inspected and refilled to a given size.
pub(crate) struct Input {
    inner: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
}

impl Input {
    pub(crate) fn new(prefix: Vec<u8>, inner: Box<dyn Read + Send>) -> Self {
        let end = prefix.len();
        let mut buf = prefix;
        if buf.len() < BUF_SIZE {
            buf.resize(BUF_SIZE, 0);
        }
        Self {
            inner,
            buf,
            pos: 0,
            end,
            eof: false,
        }
    }

    /// Reads until at least `n` bytes are buffered or the input ends; returns the buffer.
    pub(crate) fn fill_to(&mut self, n: usize) -> io::Result<&[u8]> {
        let n = n.min(self.buf.len());
        if self.pos > 0 && self.end - self.pos < n {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        while !self.eof && self.end - self.pos < n {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }

    /// The buffered bytes, refilled if empty; empty only at the end of the input.
    pub(crate) fn fill(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
            self.fill_to(1)
        } else {
            Ok(&self.buf[self.pos..self.end])
        }
    }

    pub(crate) fn is_eof(&self) -> bool {
        self.eof
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }
}

/// Header checks shared by the formats: trims, strips a BOM, drops trailing empty cells, and
/// rejects empty, too-wide, gapped or duplicated headers.
pub(crate) fn check_headers(
    raw: Vec<String>,
    opts: &ReadOptions,
    what: &str,
) -> Result<Vec<String>, ReadError> {
    let mut headers: Vec<String> = raw
        .into_iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    if headers.is_empty() {
        return Err(ReadError::new(
            codes::EMPTY_FILE,
            format!("文件为空：没有找到{what}"),
        ));
    }
    if headers.len() > opts.max_columns {
        return Err(too_many_columns(headers.len(), opts));
    }
    if let Some(i) = headers.iter().position(String::is_empty) {
        return Err(ReadError::new(
            codes::EMPTY_HEADER,
            format!("表头第{}列为空：每一列都需要列名", i + 1),
        ));
    }
    let mut seen = std::collections::HashMap::new();
    let mut dups: Vec<String> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = seen.insert(h.as_str(), i) {
            dups.push(format!("“{h}”（第{}列和第{}列）", first + 1, i + 1));
        }
    }
    if !dups.is_empty() {
        return Err(ReadError::new(
            codes::DUPLICATE_COLUMNS,
            format!("表头有重复的列名：{}", dups.join("、")),
        ));
    }
    Ok(headers)
}

pub(crate) fn too_many_columns(n: usize, opts: &ReadOptions) -> ReadError {
    ReadError::new(
        codes::TOO_MANY_COLUMNS,
        format!("表头列数过多（{n}列，上限{}列）", opts.max_columns),
    )
}

/// Trims trailing empty cells beyond the header width, then checks the width.
pub(crate) fn fit_width(
    row: u64,
    mut cells: Vec<String>,
    width: usize,
) -> Result<RawRow, ReadIssue> {
    while cells.len() > width && cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    if cells.len() == width {
        return Ok(RawRow { row, cells });
    }
    let msg = if cells.len() > width {
        format!(
            "本行有{}列，多于表头的{}列（多出的单元格：{}）",
            cells.len(),
            width,
            preview(&cells[width..])
        )
    } else {
        format!("本行只有{}列，少于表头的{}列", cells.len(), width)
    };
    Err(ReadIssue::Row(RowError::new(row, codes::RAGGED_ROW, msg)))
}

fn preview(cells: &[String]) -> String {
    let mut out: Vec<String> = cells
        .iter()
        .filter(|c| !c.trim().is_empty())
        .take(3)
        .map(|c| {
            let t: String = c.chars().take(20).collect();
            format!("“{t}”")
        })
        .collect();
    if cells.iter().filter(|c| !c.trim().is_empty()).count() > 3 {
        out.push("…".to_string());
    }
    out.join("、")
}

/// Whether every cell is blank (such rows are skipped).
pub(crate) fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Text of a number as a person would write it: integers without `.0`, never an exponent.
/// `lost` is true when the number cannot be exact (15 or more integer digits: an ID or
/// account number stored as a number).
pub(crate) fn number_text(f: f64, round_to_15: bool) -> (String, bool) {
    if !f.is_finite() {
        return (f.to_string(), true);
    }
    let lost = f.abs() >= 1e15;
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        // Exact: |f| < 2^53.
        return (format!("{}", f as i64), lost);
    }
    let g = if round_to_15 {
        // Excel shows and keeps 15 significant digits; its XML may carry 17 (0.1+0.2).
        format!("{f:.14e}").parse::<f64>().unwrap_or(f)
    } else {
        f
    };
    if g.fract() == 0.0 && g.abs() < 9.0e15 {
        return (format!("{}", g as i64), lost);
    }
    (format!("{g}"), lost)
}

pub(crate) fn precision_lost(row: u64, what: &str, text: &str) -> RowError {
    RowError::new(
        row,
        codes::NUMBER_PRECISION_LOST,
        format!(
            "{what}的数字“{text}”超过15位有效数字，已无法保证准确（身份证号、统一社会信用代码等长编号请以文本格式填写）"
        ),
    )
}

pub(crate) fn field_too_long(row: u64, what: &str, len: usize, opts: &ReadOptions) -> RowError {
    RowError::new(
        row,
        codes::FIELD_TOO_LONG,
        format!(
            "{what}内容过长（{len}字节，上限{}字节）",
            opts.max_field_bytes
        ),
    )
}

pub(crate) fn row_too_long(row: u64, opts: &ReadOptions) -> RowError {
    RowError::new(
        row,
        codes::ROW_TOO_LONG,
        format!("本行内容过长（上限{}字节），已跳过", opts.max_row_bytes),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_text_rules() {
        assert_eq!(number_text(1.0, true), ("1".to_string(), false));
        assert_eq!(number_text(0.1 + 0.2, true), ("0.3".to_string(), false));
        assert_eq!(number_text(1.5, true), ("1.5".to_string(), false));
        assert_eq!(number_text(-2.25, true), ("-2.25".to_string(), false));
        assert_eq!(
            number_text(123_456_789_012_345.0, true),
            ("123456789012345".to_string(), false)
        );
        let (t, lost) = number_text(110_101_199_003_071_234.0, true);
        assert!(lost);
        assert!(!t.contains('e'));
        assert_eq!(number_text(1e-7, true).0, "0.0000001");
    }

    #[test]
    fn detect() {
        assert_eq!(detect_format(None, b"PK\x03\x04xx"), Ok(Format::Xlsx));
        assert_eq!(
            detect_format(Some("a.csv"), b"\xEF\xBB\xBF {\"a\":1}"),
            Ok(Format::Jsonl)
        );
        assert_eq!(detect_format(Some("a.CSV"), b"a,b"), Ok(Format::Csv));
        assert_eq!(detect_format(Some("x/a.jsonl"), b""), Ok(Format::Jsonl));
        assert_eq!(detect_format(None, b"a,b\n"), Ok(Format::Csv));
        assert_eq!(
            detect_format(Some("a.xls"), OLE2_MAGIC).map_err(|e| e.code),
            Err(codes::XLS_NOT_SUPPORTED)
        );
        assert_eq!(
            detect_format(Some("a.pdf"), b"%PDF").map_err(|e| e.code),
            Err(codes::UNKNOWN_FORMAT)
        );
        assert_eq!(
            detect_format(None, b"\0\x01").map_err(|e| e.code),
            Err(codes::UNKNOWN_FORMAT)
        );
    }
}
