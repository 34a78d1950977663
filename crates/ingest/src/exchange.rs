//! The files of an export to another platform (issue 21): CSV and XLSX whose bytes depend on
//! their content only, so an export re-run gives the same files (and the same SHA-256).
//!
//! - CSV: UTF-8 with a byte-order mark (the national platform's upload and Excel both read it
//!   as UTF-8; without it Excel guesses GBK), CRLF line ends (RFC 4180), every field quoted
//!   when it holds a comma, a quote or a line break.
//! - XLSX: one sheet, every cell text; the document's creation time is the export's day (not
//!   the moment it ran) and the archive's entries carry the fixed time rust_xlsxwriter gives.
//!
//! Cells are formula-neutralised in both ([`crate::report::neutralise`]: a leading `=`, `+`,
//! `-`, `@` gets a `'`), as every export of the platform; its importer takes it off again.

use chrono::NaiveDate;

use crate::report::{clip, neutralise, xlsx_err, ReportError, XLSX_MAX_ROWS};

/// The CSV bytes of a table (UTF-8 with BOM, CRLF).
pub fn write_csv(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * (rows.len() + 1));
    out.extend_from_slice(b"\xEF\xBB\xBF");
    for row in std::iter::once(headers).chain(rows.iter().map(Vec::as_slice)) {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let v = neutralise(cell);
            if v.contains([',', '"', '\r', '\n']) {
                out.push(b'"');
                out.extend_from_slice(v.replace('"', "\"\"").as_bytes());
                out.push(b'"');
            } else {
                out.extend_from_slice(v.as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The XLSX bytes of a table: sheet `sheet`, a bold frozen header, every cell text; created
/// "on" `day` (document properties), so the same table gives the same bytes.
pub fn write_xlsx(
    sheet: &str,
    headers: &[String],
    rows: &[Vec<String>],
    day: NaiveDate,
) -> Result<Vec<u8>, ReportError> {
    use chrono::Datelike;
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let year = u16::try_from(day.year()).map_err(|_| ReportError {
        message: format!("日期超出范围：{day}"),
    })?;
    let created =
        ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8).map_err(xlsx_err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
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
    if rows.len() as u64 >= XLSX_MAX_ROWS {
        return Err(ReportError {
            message: format!("超过 {} 行，无法写入一个 XLSX 工作表", XLSX_MAX_ROWS - 1),
        });
    }
    for (r, row) in rows.iter().enumerate() {
        let row_num = u32::try_from(r + 1).map_err(|_| too_wide())?;
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
    fn same_table_same_bytes() {
        let h = vec!["名称".to_string(), "金额".to_string()];
        let rows = vec![
            vec!["甲,乙".to_string(), "=1+1".to_string()],
            vec!["丙\"丁".to_string(), String::new()],
        ];
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let csv = write_csv(&h, &rows);
        assert_eq!(
            String::from_utf8(csv.clone()).unwrap(),
            "\u{feff}名称,金额\r\n\"甲,乙\",'=1+1\r\n\"丙\"\"丁\",\r\n"
        );
        assert_eq!(csv, write_csv(&h, &rows));
        let a = write_xlsx("行政许可", &h, &rows, day).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let b = write_xlsx("行政许可", &h, &rows, day).unwrap();
        assert_eq!(a, b);
    }
}
