//! Error reports: the rejected rows with their original headers plus
//! [`REPORT_EXTRA_COLUMNS`] (`错误原因`, `原行号`) at the end, as CSV (UTF-8 with BOM, so
//! Excel opens it correctly) or XLSX. A submitter fixes the rows and sends the file back;
//! the importer ignores the extra columns and applies [`unneutralise`] to every cell.
//!
//! # Formula injection
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return could be taken as a
//! formula by a spreadsheet. Every such cell is written with a `'` in front
//! ([`neutralise`]), in CSV and XLSX alike (XLSX cells are moreover always written as strings,
//! never as formulas). To make the round trip exact, a cell that starts with one or more `'`
//! followed by such a character gets one more `'` too. [`unneutralise`] removes exactly one
//! leading `'` from a cell that starts with `'`s followed by such a character, so
//! `unneutralise(neutralise(x)) == x` for every `x`.
//!
//! The remaining ambiguity: a value in a file that did *not* come from a report and that
//! genuinely starts with `'` followed by one of those characters (e.g. `'=abc`) loses its first
//! `'` on import. No 双公示 field has such values; we accept it.

use std::borrow::Cow;
use std::io::{self, Write};

/// The columns a report adds after the original ones: the reasons, and the original row
/// number. The importer ignores these headers; the one list of them is the domain's
/// ([`chengxin_domain::intake::REPORT_COLUMNS`]), so the writer and the reader cannot drift.
pub use chengxin_domain::intake::REPORT_COLUMNS as REPORT_EXTRA_COLUMNS;

/// Most characters Excel keeps in a cell.
const XLSX_MAX_CELL_CHARS: usize = 32_767;
/// Most rows of an Excel sheet (header included).
pub(crate) const XLSX_MAX_ROWS: u64 = 1_048_576;

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorRow {
    /// The original row number (as in [`crate::read::RawRow::row`]).
    pub row: u64,
    /// The original cells, in header order.
    pub cells: Vec<String>,
    /// Why the row was rejected (joined with `；` in the report).
    pub reasons: Vec<String>,
}

/// Failure to build a report.
#[derive(Debug)]
pub struct ReportError {
    /// What went wrong, in Chinese.
    pub message: String,
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReportError {}

fn is_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

fn needs_guard(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(is_trigger)
}

/// The cell as written into a report: `'` prepended when the cell (after any leading `'`s)
/// starts with `=`, `+`, `-`, `@`, tab or CR.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if needs_guard(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralise`], for the importer: removes one leading `'` from a cell that
/// starts with `'`s followed by `=`, `+`, `-`, `@`, tab or CR; other cells are unchanged.
pub fn unneutralise(cell: &str) -> &str {
    // One rule for the whole project: the importer applies the same function.
    chengxin_domain::intake::unneutralise(cell)
}

/// Whether a header is one of [`REPORT_EXTRA_COLUMNS`] (after trimming).
pub fn is_report_column(header: &str) -> bool {
    REPORT_EXTRA_COLUMNS.contains(&header.trim())
}

/// The report line for one row, before neutralisation: the cells padded to the header width,
/// the reasons, the row number. Cells beyond the header are moved into the reasons.
fn layout(width: usize, row: ErrorRow) -> Vec<String> {
    let ErrorRow {
        row,
        mut cells,
        mut reasons,
    } = row;
    if cells.len() > width {
        let extra: Vec<String> = cells
            .drain(width..)
            .filter(|c| !c.trim().is_empty())
            .collect();
        if !extra.is_empty() {
            reasons.push(format!("超出表头的单元格：{}", extra.join(" | ")));
        }
    }
    cells.resize(width, String::new());
    cells.push(reasons.join("；"));
    cells.push(row.to_string());
    cells
}

/// Writes a CSV error report (UTF-8 with BOM, CRLF line ends as Excel writes them). Returns the
/// number of rows written.
pub fn write_error_report_csv<W: Write>(
    w: W,
    headers: &[String],
    rows: impl IntoIterator<Item = ErrorRow>,
) -> io::Result<u64> {
    let mut w = io::BufWriter::new(w);
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w);
    let header: Vec<Cow<'_, str>> = headers
        .iter()
        .map(|h| neutralise(h))
        .chain(REPORT_EXTRA_COLUMNS.iter().map(|h| Cow::Borrowed(*h)))
        .collect();
    out.write_record(header.iter().map(|c| c.as_bytes()))?;
    let mut n = 0;
    for row in rows {
        let cells = layout(headers.len(), row);
        out.write_record(cells.iter().map(|c| neutralise(c).into_owned()))?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

pub(crate) fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError {
        message: format!("生成 XLSX 错误报告失败：{e}"),
    }
}

pub(crate) fn clip(s: &str) -> Cow<'_, str> {
    // Excel counts UTF-16 units; a char is at most 2.
    if s.len() <= XLSX_MAX_CELL_CHARS || s.encode_utf16().count() <= XLSX_MAX_CELL_CHARS {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        units += c.len_utf16();
        if units > XLSX_MAX_CELL_CHARS - 16 {
            break;
        }
        out.push(c);
    }
    out.push_str("…（已截断）");
    Cow::Owned(out)
}

/// Builds an XLSX error report: one sheet `错误报告`, every cell a string (never a formula),
/// every column formatted as text (`@`) so that re-typed IDs stay text, header bold and frozen.
/// Cells longer than Excel's 32,767 characters are cut (marked `…（已截断）`). At most
/// 1,048,575 rows.
pub fn write_error_report_xlsx(
    headers: &[String],
    rows: impl IntoIterator<Item = ErrorRow>,
) -> Result<Vec<u8>, ReportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let reason_fmt = Format::new()
        .set_bold()
        .set_num_format("@")
        .set_background_color(0xFFE0E0);
    let ws = wb.add_worksheet();
    ws.set_name("错误报告").map_err(xlsx_err)?;
    let width = headers.len();
    let ncols = width + REPORT_EXTRA_COLUMNS.len();
    let too_wide = || ReportError {
        message: format!("列数过多（{ncols}列），无法写入 XLSX"),
    };
    if ncols > 16_384 {
        return Err(too_wide());
    }
    for c in 0..ncols {
        let col = u16::try_from(c).map_err(|_| too_wide())?;
        ws.set_column_format(col, &text).map_err(xlsx_err)?;
        ws.set_column_width(col, if c == width { 40 } else { 16 })
            .map_err(xlsx_err)?;
    }
    let header = headers
        .iter()
        .map(|h| neutralise(h))
        .chain(REPORT_EXTRA_COLUMNS.iter().map(|h| Cow::Borrowed(*h)));
    for (c, h) in header.enumerate() {
        let col = u16::try_from(c).map_err(|_| too_wide())?;
        let fmt = if c == width { &reason_fmt } else { &bold };
        ws.write_string_with_format(0, col, clip(&h), fmt)
            .map_err(xlsx_err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    let mut r: u64 = 0;
    for row in rows {
        r += 1;
        if r >= XLSX_MAX_ROWS {
            return Err(ReportError {
                message: format!(
                    "错误行超过 {} 行，无法写入一个 XLSX 工作表",
                    XLSX_MAX_ROWS - 1
                ),
            });
        }
        let row_num = u32::try_from(r).map_err(|_| too_wide())?;
        for (c, cell) in layout(width, row).iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let col = u16::try_from(c).map_err(|_| too_wide())?;
            let v = neutralise(cell);
            ws.write_string_with_format(row_num, col, clip(&v), &text)
                .map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// A plain table as one XLSX sheet (an export: a work-item queue, an overview): every cell
/// text (`@`), formula-neutralised ([`neutralise`]) and clipped to Excel's cell limit, the
/// header bold and frozen.
pub fn write_table_xlsx(
    sheet: &str,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, ReportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(xlsx_err)?;
    let too_wide = || ReportError {
        message: format!("列数过多（{}列），无法写入 XLSX", headers.len()),
    };
    for (c, h) in headers.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| too_wide())?;
        ws.set_column_format(col, &text).map_err(xlsx_err)?;
        ws.set_column_width(col, 18).map_err(xlsx_err)?;
        ws.write_string_with_format(0, col, clip(&neutralise(h)), &bold)
            .map_err(xlsx_err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    let mut r: u64 = 0;
    for row in rows {
        r += 1;
        if r >= XLSX_MAX_ROWS {
            return Err(ReportError {
                message: format!("超过 {} 行，无法写入一个 XLSX 工作表", XLSX_MAX_ROWS - 1),
            });
        }
        let row_num = u32::try_from(r).map_err(|_| too_wide())?;
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let col = u16::try_from(c).map_err(|_| too_wide())?;
            ws.write_string_with_format(row_num, col, clip(&neutralise(cell)), &text)
                .map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralise_round_trip() {
        for v in [
            "", "abc", "=1+1", "+86", "-5", "@x", "\tx", "\rx", "'", "'abc", "'=x", "''=x", "'''",
            "中文",
        ] {
            assert_eq!(unneutralise(&neutralise(v)), v, "{v:?}");
        }
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("'=x"), "''=x");
        assert_eq!(neutralise("'abc"), "'abc");
        assert_eq!(unneutralise("'abc"), "'abc");
        assert_eq!(unneutralise("'-5"), "-5");
    }
}
