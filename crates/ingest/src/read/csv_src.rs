//! CSV source: encoding detection on the head, then a bounded-memory record parser
//! (`csv-core`, which writes into buffers we size ourselves, so a huge field is skipped
//! instead of buffered) and per-field decoding without replacement characters.
//!
//! Parsing works on raw bytes: in UTF-8 and GB18030 the bytes of `,` `"` `\r` `\n` never occur
//! inside a multi-byte character (GB18030 trail bytes are 0x30–0x39 and 0x40–0xFE), so fields
//! can be split before decoding.

use encoding_rs::GB18030;

use super::{
    check_headers, field_too_long, fit_width, is_blank, row_too_long, too_many_columns, Format,
    Input, RawRow, ReadOptions, Table, BUF_SIZE, UTF8_BOM,
};
use crate::error::{codes, ReadError, ReadIssue, RowError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Utf8,
    Gb18030,
}

/// Sniffs the encoding from the head of the file.
fn sniff(head: &[u8], at_eof: bool) -> Result<(Enc, &'static str), ReadError> {
    if head.starts_with(UTF8_BOM) {
        return Ok((Enc::Utf8, "UTF-8 (BOM)"));
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(ReadError::new(
            codes::UNSUPPORTED_ENCODING,
            "文件是 UTF-16 编码（Excel“Unicode 文本”）：请另存为“CSV UTF-8（逗号分隔）”后再提交",
        ));
    }
    match std::str::from_utf8(head) {
        Ok(_) => return Ok((Enc::Utf8, "UTF-8")),
        // A character cut at the end of the sniffed window is not an error.
        Err(e) if e.error_len().is_none() && !at_eof => return Ok((Enc::Utf8, "UTF-8")),
        Err(_) => {}
    }
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(head.len())
        .unwrap_or(head.len() * 3 + 16);
    let mut text = String::with_capacity(cap);
    let (result, _) = decoder.decode_to_string_without_replacement(head, &mut text, at_eof);
    let clean = matches!(result, encoding_rs::DecoderResult::InputEmpty);
    if clean && text.chars().any(is_cjk) {
        return Ok((Enc::Gb18030, "GB18030"));
    }
    Err(ReadError::new(
        codes::UNDECIDABLE_ENCODING,
        "无法确定文件编码：文件开头既不是有效的 UTF-8，也不是含中文的 GB18030/GBK 文本。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再提交",
    ))
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3000}'..='\u{303F}'
        | '\u{FF01}'..='\u{FF5E}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Why a record was skipped while being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Field(usize),
    Row,
    Columns(usize),
}

enum Record {
    /// Fields are in `out`/`ends[..n]`.
    Ok {
        line: u64,
        n: usize,
        unterminated: bool,
    },
    Skipped {
        line: u64,
        why: Overflow,
    },
}

pub(crate) struct CsvSource {
    input: Input,
    core: csv_core::Reader,
    enc: Enc,
    width: usize,
    opts: ReadOptions,
    /// Line breaks skipped before records (outside csv-core, whose `line()` starts at 1 and
    /// counts the others).
    skipped_newlines: u64,
    out: Vec<u8>,
    ends: Vec<usize>,
    finished: bool,
}

/// Scratch size used to skip the rest of an over-long record.
const SCRATCH: usize = 64 * 1024;

pub(crate) fn open(mut input: Input, opts: &ReadOptions) -> Result<Table, ReadError> {
    input.fill_to(BUF_SIZE).map_err(|e| ReadError::io(&e))?;
    let at_eof = input.is_eof();
    let head = input.fill_to(BUF_SIZE).map_err(|e| ReadError::io(&e))?;
    let (enc, label) = sniff(head, at_eof)?;
    let has_bom = head.starts_with(UTF8_BOM);
    if has_bom {
        input.consume(UTF8_BOM.len());
    }
    let mut src = CsvSource {
        input,
        core: csv_core::ReaderBuilder::new().build(),
        enc,
        width: 0,
        opts: opts.clone(),
        skipped_newlines: 0,
        out: vec![0; 4096],
        ends: vec![0; 64],
        finished: false,
    };
    let header = src.next_record().map_err(|e| ReadError::io(&e))?;
    let raw = match header {
        None => {
            return Err(ReadError::new(
                codes::EMPTY_FILE,
                "文件为空：没有找到表头行",
            ))
        }
        Some(Record::Skipped { why, .. }) => {
            return Err(match why {
                Overflow::Columns(n) => too_many_columns(n, opts),
                Overflow::Field(len) => ReadError::new(
                    codes::HEADER_TOO_LONG,
                    format!("表头单元格过长（{len}字节以上）"),
                ),
                Overflow::Row => ReadError::new(codes::HEADER_TOO_LONG, "表头行过长"),
            })
        }
        Some(Record::Ok { n, .. }) => {
            if n > opts.max_columns {
                // Trailing empty header cells (Excel) do not count.
                let non_empty = (0..n)
                    .rev()
                    .find(|&i| !src.field(i).iter().all(u8::is_ascii_whitespace))
                    .map_or(0, |i| i + 1);
                if non_empty > opts.max_columns {
                    return Err(too_many_columns(non_empty, opts));
                }
            }
            let mut cells = Vec::with_capacity(n);
            for i in 0..n {
                match src.decode(i) {
                    Some(s) => cells.push(s),
                    None => {
                        return Err(ReadError::new(
                            codes::HEADER_BAD_ENCODING,
                            format!("表头第{}列含有无法按{label}解码的字节", i + 1),
                        ))
                    }
                }
            }
            cells
        }
    };
    let headers = check_headers(raw, opts, "表头行")?;
    src.width = headers.len();
    Ok(Table {
        format: Format::Csv,
        encoding: label,
        headers,
        source: super::Source::Csv(Box::new(src)),
        done: false,
    })
}

impl CsvSource {
    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.out[start..self.ends[i]]
    }

    fn decode(&self, i: usize) -> Option<String> {
        let bytes = self.field(i);
        if let Ok(s) = std::str::from_utf8(bytes) {
            // ASCII is the same in both; non-ASCII valid UTF-8 only counts for UTF-8 files.
            if self.enc == Enc::Utf8 || bytes.is_ascii() {
                return Some(s.to_string());
            }
        }
        match self.enc {
            Enc::Utf8 => None,
            Enc::Gb18030 => GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|c| c.into_owned()),
        }
    }

    fn ends_cap(&self) -> usize {
        if self.width == 0 {
            self.opts.max_columns + 1
        } else {
            self.opts.max_columns.max(self.width) + 64
        }
    }

    /// Reads the next record into `out`/`ends`, skipping blank lines. `None` at the end.
    fn next_record(&mut self) -> std::io::Result<Option<Record>> {
        if self.finished {
            return Ok(None);
        }
        // Skip line breaks before the record, so that `line` is where it starts.
        loop {
            let buf = self.input.fill()?;
            if buf.is_empty() {
                break;
            }
            let n = buf
                .iter()
                .take_while(|b| **b == b'\n' || **b == b'\r')
                .count();
            let nl = buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
            let len = buf.len();
            self.input.consume(n);
            self.skipped_newlines += nl;
            if n < len {
                break;
            }
        }
        let line = self.core.line() + self.skipped_newlines;
        let mut outlen = 0usize;
        let mut endlen = 0usize;
        let mut quotes = 0u64;
        let mut overflow: Option<Overflow> = None;
        loop {
            let input = self.input.fill()?;
            let at_eof = input.is_empty();
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[outlen..], &mut self.ends[endlen..]);
            let consumed = &input[..nin];
            quotes += consumed.iter().filter(|b| **b == b'"').count() as u64;
            self.input.consume(nin);
            if overflow.is_none() {
                outlen += nout;
            }
            endlen += nend;
            use csv_core::ReadRecordResult as R;
            match res {
                R::InputEmpty => {}
                R::OutputFull => {
                    if overflow.is_none() {
                        let field_start = if endlen > 0 { self.ends[endlen - 1] } else { 0 };
                        let cur = outlen.saturating_sub(field_start);
                        if cur > self.opts.max_field_bytes {
                            overflow = Some(Overflow::Field(cur));
                        } else if outlen >= self.opts.max_row_bytes {
                            overflow = Some(Overflow::Row);
                        }
                    }
                    if overflow.is_some() {
                        // Keep parsing into a fixed scratch area; the data is dropped.
                        outlen = 0;
                        if self.out.len() < SCRATCH {
                            self.out.resize(SCRATCH, 0);
                        }
                    } else {
                        let new_len = (self.out.len() * 2)
                            .min(self.opts.max_row_bytes.saturating_add(SCRATCH))
                            .max(self.out.len() + 1);
                        self.out.resize(new_len, 0);
                    }
                }
                R::OutputEndsFull => {
                    if self.ends.len() >= self.ends_cap() {
                        let counted = match overflow {
                            Some(Overflow::Columns(c)) => c + endlen,
                            _ => endlen,
                        };
                        overflow = Some(Overflow::Columns(counted));
                        endlen = 0;
                        outlen = 0;
                        if self.out.len() < SCRATCH {
                            self.out.resize(SCRATCH, 0);
                        }
                    } else {
                        let new_len = (self.ends.len() * 2).min(self.ends_cap());
                        self.ends.resize(new_len, 0);
                    }
                }
                R::Record => {
                    let unterminated = at_eof && quotes % 2 == 1;
                    return Ok(Some(match overflow {
                        Some(Overflow::Columns(c)) => Record::Skipped {
                            line,
                            why: Overflow::Columns(c + endlen),
                        },
                        Some(why) => Record::Skipped { line, why },
                        None => Record::Ok {
                            line,
                            n: endlen,
                            unterminated,
                        },
                    }));
                }
                R::End => {
                    self.finished = true;
                    return Ok(None);
                }
            }
        }
    }

    pub(crate) fn next_row(&mut self) -> Option<Result<RawRow, ReadIssue>> {
        loop {
            let rec = match self.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => return None,
                Err(e) => return Some(Err(ReadIssue::Fatal(ReadError::io(&e)))),
            };
            let (line, n, unterminated) = match rec {
                Record::Skipped { line, why } => {
                    let e = match why {
                        Overflow::Field(len) => field_too_long(line, "有单元格", len, &self.opts),
                        Overflow::Row => row_too_long(line, &self.opts),
                        Overflow::Columns(c) => RowError::new(
                            line,
                            codes::RAGGED_ROW,
                            format!("本行有{c}列以上，远多于表头的{}列", self.width),
                        ),
                    };
                    return Some(Err(ReadIssue::Row(e)));
                }
                Record::Ok {
                    line,
                    n,
                    unterminated,
                } => (line, n, unterminated),
            };
            if unterminated {
                return Some(Err(ReadIssue::Row(RowError::new(
                    line,
                    codes::UNTERMINATED_QUOTE,
                    "从本行开始的带引号单元格直到文件末尾都没有结束引号：文件可能不完整（被截断）",
                ))));
            }
            let mut too_long = None;
            for i in 0..n {
                let len = self.field(i).len();
                if len > self.opts.max_field_bytes {
                    too_long = Some((i, len));
                    break;
                }
            }
            if let Some((i, len)) = too_long {
                let what = self.column_name(i);
                return Some(Err(ReadIssue::Row(field_too_long(
                    line, &what, len, &self.opts,
                ))));
            }
            let mut cells = Vec::with_capacity(n.max(self.width));
            // Fast path: validate the whole record at once.
            let total = if n == 0 { 0 } else { self.ends[n - 1] };
            if let Ok(all) = std::str::from_utf8(&self.out[..total]) {
                if (self.enc == Enc::Utf8 || all.is_ascii())
                    && self.ends[..n].iter().all(|e| all.is_char_boundary(*e))
                {
                    let mut start = 0;
                    for e in &self.ends[..n] {
                        cells.push(all[start..*e].to_string());
                        start = *e;
                    }
                }
            }
            for i in cells.len()..n {
                match self.decode(i) {
                    Some(s) => cells.push(s),
                    None => {
                        let what = self.column_name(i);
                        let enc = match self.enc {
                            Enc::Utf8 => "UTF-8",
                            Enc::Gb18030 => "GB18030",
                        };
                        return Some(Err(ReadIssue::Row(RowError::new(
                            line,
                            codes::BAD_ENCODING,
                            format!("{what}含有无法按 {enc} 解码的字节（文件编码不一致？）"),
                        ))));
                    }
                }
            }
            if is_blank(&cells) {
                continue;
            }
            return Some(fit_width(line, cells, self.width));
        }
    }

    fn column_name(&self, i: usize) -> String {
        format!("第{}列", i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{open_stream, Source};
    use std::io::Read;

    /// `name,text\nbig,"xxxx…(n bytes)"\nsmall,ok\n`, generated on the fly.
    struct Big {
        left: u64,
        stage: u8,
    }

    impl Read for Big {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let piece: &[u8] = match self.stage {
                0 => b"name,text\nbig,\"",
                1 if self.left > 0 => {
                    let n = (buf.len() as u64).min(self.left) as usize;
                    buf[..n].fill(b'x');
                    self.left -= n as u64;
                    return Ok(n);
                }
                1 => b"\"\nsmall,ok\n",
                _ => return Ok(0),
            };
            buf[..piece.len()].copy_from_slice(piece);
            self.stage += 1;
            Ok(piece.len())
        }
    }

    #[test]
    fn memory_stays_bounded_for_a_huge_field() {
        let opts = ReadOptions::default();
        let mut t = open_stream(
            Big {
                left: 100 << 20,
                stage: 0,
            },
            Some("a.csv"),
            &opts,
        )
        .unwrap();
        let first = t.next().unwrap();
        assert_eq!(first.unwrap_err().code(), codes::FIELD_TOO_LONG);
        let Source::Csv(src) = &t.source else {
            panic!("not csv")
        };
        // The 100 MiB field was never buffered: the record buffer stayed near the field limit.
        assert!(
            src.out.len() <= 2 * opts.max_field_bytes + SCRATCH,
            "{}",
            src.out.len()
        );
        let second = t.next().unwrap().unwrap();
        assert_eq!(second.cells, vec!["small".to_string(), "ok".to_string()]);
    }
}
