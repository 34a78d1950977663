//! XLSX source. The zip is first checked against zip bombs (declared sizes, then an actual
//! streaming decompression with a byte budget), then calamine reads the chosen sheet cell by
//! cell. Cells are converted to text at once and kept sparse (calamine's dense `Range` would
//! allocate rows × columns cells for a sheet with one far-away cell), so memory is about the
//! size of the sheet's text.

use std::io::{Read, Seek, SeekFrom};

use calamine::{DataRef, ExcelDateTime, Reader, Xlsx};

use super::{
    check_headers, field_too_long, number_text, precision_lost, too_many_columns, Format, RawRow,
    ReadOptions, Table,
};
use crate::error::{codes, ReadError, ReadIssue, RowError};

/// Most members a workbook zip may have.
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Members smaller than this (unpacked) are not ratio-checked.
const RATIO_FLOOR: u64 = 1 << 20;

enum XVal {
    Text(String),
    Lost(String),
    Error(String),
}

struct XCell {
    row: u32,
    col: u32,
    val: XVal,
}

pub(crate) struct XlsxSource {
    cells: Vec<XCell>,
    pos: usize,
    col0: u32,
    headers: Vec<String>,
    opts: ReadOptions,
}

fn corrupt(detail: impl std::fmt::Display) -> ReadError {
    ReadError::new(
        codes::XLSX_CORRUPT,
        format!("XLSX 文件已损坏、不完整或不是工作簿（{detail}）：请在 Excel 中重新保存后再提交"),
    )
}

fn too_large(limit: u64) -> ReadError {
    ReadError::new(
        codes::XLSX_TOO_LARGE,
        format!("XLSX 文件解压后超过 {} MiB 的上限", limit >> 20),
    )
}

fn bomb(detail: impl std::fmt::Display) -> ReadError {
    ReadError::new(
        codes::ZIP_BOMB,
        format!("XLSX 文件的压缩结构异常（{detail}），为安全起见拒绝处理"),
    )
}

/// Checks the zip's members: count, declared sizes and ratios, then the real unpacked sizes.
fn guard<R: Read + Seek>(r: &mut R, opts: &ReadOptions) -> Result<(), ReadError> {
    let limit = opts.max_xlsx_uncompressed_bytes;
    let ratio = opts.max_xlsx_ratio.max(1);
    let mut zip = zip::ZipArchive::new(r).map_err(corrupt)?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(bomb(format!("包含{}个文件", zip.len())));
    }
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(corrupt)?;
        let (size, comp) = (f.size(), f.compressed_size());
        declared = declared.saturating_add(size);
        if size > RATIO_FLOOR && size / comp.max(1) > ratio {
            return Err(bomb(format!(
                "“{}”压缩比 {}:1，超过 {}:1",
                f.name().unwrap_or_default(),
                size / comp.max(1),
                ratio
            )));
        }
    }
    if declared > limit {
        return Err(too_large(limit));
    }
    // Declared sizes can lie: unpack everything once, counting, and stop at the budget.
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(corrupt)?;
        if f.is_dir() {
            continue;
        }
        let (size, comp) = (f.size(), f.compressed_size());
        let mut got = 0u64;
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n as u64,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(corrupt(e)),
            };
            got += n;
            total += n;
            if got > size {
                return Err(bomb(format!(
                    "“{}”实际大小超过声明的大小",
                    f.name().unwrap_or_default()
                )));
            }
            if total > limit {
                return Err(too_large(limit));
            }
        }
        if got > RATIO_FLOOR && got / comp.max(1) > ratio {
            return Err(bomb(format!(
                "“{}”压缩比过高",
                f.name().unwrap_or_default()
            )));
        }
    }
    Ok(())
}

pub(crate) fn open<R: Read + Seek>(mut r: R, opts: &ReadOptions) -> Result<Table, ReadError> {
    let start = r.stream_position().map_err(|e| ReadError::io(&e))?;
    guard(&mut r, opts)?;
    r.seek(SeekFrom::Start(start))
        .map_err(|e| ReadError::io(&e))?;
    let mut wb = Xlsx::new(r).map_err(corrupt)?;
    let names = wb.sheet_names();
    let name = match &opts.sheet {
        Some(want) => names
            .iter()
            .find(|n| *n == want)
            .or_else(|| names.iter().find(|n| n.trim() == want.trim()))
            .cloned()
            .ok_or_else(|| {
                ReadError::new(
                    codes::SHEET_NOT_FOUND,
                    format!(
                        "找不到工作表“{want}”；文件中的工作表：{}",
                        names
                            .iter()
                            .map(|n| format!("“{n}”"))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ReadError::new(codes::NO_SHEET, "工作簿中没有工作表"))?,
    };
    let mut cells = Vec::new();
    {
        let mut reader = wb.worksheet_cells_reader(&name).map_err(corrupt)?;
        while let Some(cell) = reader.next_cell().map_err(corrupt)? {
            let (row, col) = cell.get_position();
            if let Some(val) = convert(cell.get_value()) {
                cells.push(XCell { row, col, val });
            }
        }
    }
    cells.sort_by_key(|c| (c.row, c.col));

    // The header is the first row with a non-blank cell.
    let Some(first) = cells.iter().position(|c| !is_blank_val(&c.val)) else {
        return Err(ReadError::new(
            codes::EMPTY_FILE,
            format!("工作表“{name}”为空：没有找到表头行"),
        ));
    };
    let header_row = cells[first].row;
    let row_end = cells[first..]
        .iter()
        .position(|c| c.row != header_row)
        .map_or(cells.len(), |k| first + k);
    let hcells: Vec<&XCell> = cells[first..row_end]
        .iter()
        .filter(|c| !is_blank_val(&c.val))
        .collect();
    let col0 = hcells.first().map_or(0, |c| c.col);
    let last = hcells.last().map_or(col0, |c| c.col);
    let span = (last - col0) as usize + 1;
    if span > opts.max_columns {
        return Err(too_many_columns(span, opts));
    }
    let mut raw = vec![String::new(); span];
    for c in hcells {
        raw[(c.col - col0) as usize] = val_text(&c.val).to_string();
    }
    let headers = check_headers(raw, opts, "表头行")?;
    Ok(Table {
        format: Format::Xlsx,
        encoding: "xlsx",
        headers: headers.clone(),
        source: super::Source::Xlsx(XlsxSource {
            cells,
            pos: row_end,
            col0,
            headers,
            opts: opts.clone(),
        }),
        done: false,
    })
}

fn is_blank_val(v: &XVal) -> bool {
    matches!(v, XVal::Text(s) if s.trim().is_empty())
}

fn val_text(v: &XVal) -> &str {
    match v {
        XVal::Text(s) | XVal::Lost(s) | XVal::Error(s) => s,
    }
}

fn convert(v: &DataRef<'_>) -> Option<XVal> {
    Some(match v {
        DataRef::Empty => return None,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            XVal::Text(s.clone())
        }
        DataRef::SharedString(s) => XVal::Text((*s).to_string()),
        DataRef::Int(i) => XVal::Text(i.to_string()),
        DataRef::Float(f) => {
            let (text, lost) = number_text(*f, true);
            if lost {
                XVal::Lost(text)
            } else {
                XVal::Text(text)
            }
        }
        DataRef::Bool(b) => XVal::Text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        DataRef::DateTime(dt) => XVal::Text(date_text(dt)),
        DataRef::Error(e) => XVal::Error(e.to_string()),
    })
}

/// A date-formatted cell as `YYYY-MM-DD` (with ` HH:MM:SS` when it has a time of day, or only
/// `HH:MM:SS` for a pure time); durations as their number of days.
fn date_text(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        return number_text(dt.as_f64(), true).0;
    }
    let v = dt.as_f64();
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if (0.0..1.0).contains(&v) {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if h == 0 && mi == 0 && s == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

impl XlsxSource {
    fn column(&self, col: u32) -> String {
        match col
            .checked_sub(self.col0)
            .and_then(|i| self.headers.get(i as usize))
        {
            Some(h) => format!("列“{h}”"),
            None => format!("第{}列", col + 1),
        }
    }

    pub(crate) fn next_row(&mut self) -> Option<Result<RawRow, ReadIssue>> {
        while self.pos < self.cells.len() {
            let r = self.cells[self.pos].row;
            let start = self.pos;
            while self.pos < self.cells.len() && self.cells[self.pos].row == r {
                self.pos += 1;
            }
            let group = &self.cells[start..self.pos];
            if group.iter().all(|c| is_blank_val(&c.val)) {
                continue;
            }
            let row = u64::from(r) + 1;
            let width = self.headers.len();
            let mut cells = vec![String::new(); width];
            let mut outside = Vec::new();
            for c in group {
                let idx = c.col.checked_sub(self.col0).map(|i| i as usize);
                let Some(i) = idx.filter(|i| *i < width) else {
                    if !is_blank_val(&c.val) {
                        outside.push(c);
                    }
                    continue;
                };
                match &c.val {
                    XVal::Text(s) => {
                        if s.len() > self.opts.max_field_bytes {
                            let what = self.column(c.col);
                            return Some(Err(ReadIssue::Row(field_too_long(
                                row,
                                &what,
                                s.len(),
                                &self.opts,
                            ))));
                        }
                        cells[i] = s.clone();
                    }
                    XVal::Lost(s) => {
                        let what = self.column(c.col);
                        return Some(Err(ReadIssue::Row(precision_lost(row, &what, s))));
                    }
                    XVal::Error(e) => {
                        let what = self.column(c.col);
                        return Some(Err(ReadIssue::Row(RowError::new(
                            row,
                            codes::CELL_ERROR,
                            format!("{what}是 Excel 错误值 {e}（公式出错？）"),
                        ))));
                    }
                }
            }
            if !outside.is_empty() {
                let names: Vec<String> = outside
                    .iter()
                    .take(3)
                    .map(|c| format!("{}“{}”", self.column(c.col), val_text(&c.val)))
                    .collect();
                return Some(Err(ReadIssue::Row(RowError::new(
                    row,
                    codes::RAGGED_ROW,
                    format!(
                        "本行在表头范围（{}列）之外还有内容：{}",
                        width,
                        names.join("、")
                    ),
                ))));
            }
            return Some(Ok(RawRow { row, cells }));
        }
        None
    }
}
