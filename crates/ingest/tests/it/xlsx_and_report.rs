use std::io::{Cursor, Write};

use chengxin_ingest::{
    codes, open_bytes, open_reader, open_stream, unneutralise, write_error_report_csv,
    write_error_report_xlsx, ErrorRow, Format, RawRow, ReadIssue, ReadOptions,
    REPORT_EXTRA_COLUMNS,
};
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};

fn collect(t: chengxin_ingest::Table) -> (Vec<RawRow>, Vec<ReadIssue>) {
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    for item in t {
        match item {
            Ok(r) => rows.push(r),
            Err(e) => issues.push(e),
        }
    }
    (rows, issues)
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn sample_xlsx() -> Vec<u8> {
    let mut wb = Workbook::new();
    let date_fmt = XFormat::new().set_num_format("yyyy-mm-dd");
    let first = wb.add_worksheet();
    first.set_name("说明").unwrap();
    first.write_string(0, 0, "填写说明").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("行政处罚").unwrap();
    for (c, h) in ["名称", "金额", "处罚决定日期", "证件号码", "备注"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "常州甲公司").unwrap();
    ws.write_number(1, 1, 5.0).unwrap();
    let d = ExcelDateTime::from_ymd(2025, 3, 1).unwrap();
    ws.write_datetime_with_format(1, 2, &d, &date_fmt).unwrap();
    ws.write_string(1, 3, "110101199003071234").unwrap();
    // Row 3 left empty: skipped. Row 4: a serial number in a date-formatted cell.
    ws.write_string(3, 0, "乙").unwrap();
    ws.write_number(3, 1, 0.1 + 0.2).unwrap();
    ws.write_number_with_format(3, 2, 45658.0, &date_fmt)
        .unwrap();
    ws.write_string(3, 4, "=1+1").unwrap();
    // Row 5: an 18-digit ID stored as a number.
    ws.write_string(4, 0, "丙").unwrap();
    ws.write_number(4, 3, 110_101_199_003_071_234.0).unwrap();
    // Row 6: content outside the header range.
    ws.write_string(5, 0, "丁").unwrap();
    ws.write_string(5, 7, "外面").unwrap();
    // Row 7: a date with a time of day, and a long integer that is still exact.
    ws.write_string(6, 0, "戊").unwrap();
    ws.write_number(6, 1, 123_456_789_012_345.0).unwrap();
    let dt = ExcelDateTime::from_ymd(2024, 12, 31)
        .unwrap()
        .and_hms(8, 30, 0)
        .unwrap();
    let dt_fmt = XFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    ws.write_datetime_with_format(6, 2, &dt, &dt_fmt).unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_named_sheet_dates_numbers() {
    let opts = ReadOptions {
        sheet: Some("行政处罚".into()),
        ..ReadOptions::default()
    };
    let t = open_bytes(sample_xlsx(), Some("x.xlsx"), &opts).unwrap();
    assert_eq!(t.format, Format::Xlsx);
    assert_eq!(t.encoding, "xlsx");
    assert_eq!(
        t.headers,
        s(&["名称", "金额", "处罚决定日期", "证件号码", "备注"])
    );
    let (rows, issues) = collect(t);
    let got: Vec<(u64, Vec<String>)> = rows.into_iter().map(|r| (r.row, r.cells)).collect();
    assert_eq!(
        got,
        vec![
            (
                2,
                s(&["常州甲公司", "5", "2025-03-01", "110101199003071234", ""])
            ),
            (4, s(&["乙", "0.3", "2025-01-01", "", "=1+1"])),
            (
                7,
                s(&["戊", "123456789012345", "2024-12-31 08:30:00", "", ""])
            ),
        ]
    );
    let c: Vec<(&str, Option<u64>)> = issues.iter().map(|i| (i.code(), i.row())).collect();
    assert_eq!(
        c,
        vec![
            (codes::NUMBER_PRECISION_LOST, Some(5)),
            (codes::RAGGED_ROW, Some(6)),
        ]
    );
    assert!(issues[0].message().contains("证件号码"));
}

#[test]
fn xlsx_first_sheet_by_default_and_sheet_not_found() {
    let t = open_bytes(sample_xlsx(), None, &ReadOptions::default()).unwrap();
    assert_eq!(t.headers, s(&["填写说明"]));
    let e = open_bytes(
        sample_xlsx(),
        Some("x.xlsx"),
        &ReadOptions {
            sheet: Some("不存在".into()),
            ..ReadOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code, codes::SHEET_NOT_FOUND);
    assert!(
        e.message.contains("说明") && e.message.contains("行政处罚"),
        "{}",
        e.message
    );
}

#[test]
fn xlsx_via_stream_and_reader() {
    let t = open_stream(Cursor::new(sample_xlsx()), None, &ReadOptions::default()).unwrap();
    assert_eq!(t.format, Format::Xlsx);
    let t = open_reader(Cursor::new(sample_xlsx()), None, &ReadOptions::default()).unwrap();
    assert_eq!(t.format, Format::Xlsx);
}

#[test]
fn xlsx_empty_sheet_and_header_problems() {
    let mut wb = Workbook::new();
    wb.add_worksheet();
    let e = open_bytes(wb.save_to_buffer().unwrap(), None, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code, codes::EMPTY_FILE);

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "a").unwrap();
    ws.write_string(0, 1, "a").unwrap();
    let e = open_bytes(wb.save_to_buffer().unwrap(), None, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code, codes::DUPLICATE_COLUMNS);

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "a").unwrap();
    ws.write_string(0, 5000, "b").unwrap();
    ws.write_string(1_000_000, 16_000, "far away").unwrap();
    let e = open_bytes(wb.save_to_buffer().unwrap(), None, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code, codes::TOO_MANY_COLUMNS);

    // A far-away cell does not make the reader allocate a dense grid.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "a").unwrap();
    ws.write_string(1, 0, "x").unwrap();
    ws.write_string(1_048_575, 16_383, "far away").unwrap();
    let (rows, issues) =
        collect(open_bytes(wb.save_to_buffer().unwrap(), None, &ReadOptions::default()).unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(issues[0].code(), codes::RAGGED_ROW);
    assert_eq!(issues[0].row(), Some(1_048_576));
}

#[test]
fn xlsx_truncated_or_damaged() {
    let data = sample_xlsx();
    for cut in [data.len() / 2, data.len() - 10, 30, 4] {
        let e = open_bytes(
            data[..cut].to_vec(),
            Some("x.xlsx"),
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.code, codes::XLSX_CORRUPT, "cut at {cut}");
    }
    // A zip that is not a workbook.
    let mut buf = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    z.start_file("hello.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"hi").unwrap();
    z.finish().unwrap();
    let e = open_bytes(buf.into_inner(), Some("x.xlsx"), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code, codes::XLSX_CORRUPT);
}

/// A valid workbook with an extra member: `len` zero bytes, deflated.
fn with_extra_member(len: usize) -> Vec<u8> {
    let base = sample_xlsx();
    let mut src = zip::ZipArchive::new(Cursor::new(base)).unwrap();
    let mut out = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    for i in 0..src.len() {
        let f = src.by_index_raw(i).unwrap();
        z.raw_copy_file(f).unwrap();
    }
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    z.start_file("xl/media/padding.bin", opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        z.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    z.finish().unwrap();
    out.into_inner()
}

#[test]
fn xlsx_zip_bomb_and_size_limit() {
    let bomb = with_extra_member(50 << 20);
    assert!(
        bomb.len() < 1 << 20,
        "50 MiB of zeros compress to {}",
        bomb.len()
    );
    let e = open_bytes(bomb, Some("x.xlsx"), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code, codes::ZIP_BOMB, "{e}");

    let e = open_bytes(
        sample_xlsx(),
        Some("x.xlsx"),
        &ReadOptions {
            max_xlsx_uncompressed_bytes: 2000,
            ..ReadOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code, codes::XLSX_TOO_LARGE);

    // A large ratio limit lets the same file through (the ratio is the only objection).
    let ok = open_bytes(
        with_extra_member(50 << 20),
        Some("x.xlsx"),
        &ReadOptions {
            max_xlsx_ratio: 100_000,
            ..ReadOptions::default()
        },
    );
    assert!(ok.is_ok());
}

#[test]
fn xlsx_lying_declared_size() {
    // Patch the central directory so that the extra member claims to be tiny.
    let mut data = with_extra_member(5 << 20);
    let name = b"xl/media/padding.bin";
    // Central directory header signature PK\x01\x02; uncompressed size at offset 24.
    let pos = data
        .windows(name.len())
        .enumerate()
        .filter(|(_, w)| *w == name)
        .map(|(i, _)| i)
        .next_back()
        .unwrap();
    let cd = pos - 46;
    assert_eq!(&data[cd..cd + 4], b"PK\x01\x02");
    data[cd + 24..cd + 28].copy_from_slice(&100u32.to_le_bytes());
    let e = open_bytes(data, Some("x.xlsx"), &ReadOptions::default()).unwrap_err();
    assert!(
        e.code == codes::ZIP_BOMB || e.code == codes::XLSX_CORRUPT,
        "{e}"
    );
}

fn report_rows() -> (Vec<String>, Vec<ErrorRow>) {
    let headers = s(&["名称", "金额", "备注"]);
    let rows = vec![
        ErrorRow {
            row: 2,
            cells: s(&["=HYPERLINK(\"http://x\")", "-5", "@SUM(A1)"]),
            reasons: s(&["金额不能为负", "备注不合法"]),
        },
        ErrorRow {
            row: 7,
            cells: s(&["'=已有引号", "+86", "多行\n文本,带逗号"]),
            reasons: s(&["测试"]),
        },
        ErrorRow {
            row: 9,
            cells: s(&["\t制表", "1"]),
            reasons: s(&["缺少列"]),
        },
    ];
    (headers, rows)
}

fn check_round_trip(t: chengxin_ingest::Table, headers: &[String], rows: &[ErrorRow]) {
    let mut expected_headers = headers.to_vec();
    expected_headers.extend(REPORT_EXTRA_COLUMNS.iter().map(|h| h.to_string()));
    assert_eq!(t.headers, expected_headers);
    let (got, issues) = collect(t);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(got.len(), rows.len());
    for (g, want) in got.iter().zip(rows) {
        for (i, cell) in g.cells[..headers.len()].iter().enumerate() {
            let orig = want.cells.get(i).map_or("", String::as_str);
            assert_eq!(unneutralise(cell), orig);
            // Nothing a spreadsheet would evaluate.
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
        assert_eq!(g.cells[headers.len()], want.reasons.join("；"));
        assert_eq!(g.cells[headers.len() + 1], want.row.to_string());
    }
}

#[test]
fn csv_report_round_trip() {
    let (headers, rows) = report_rows();
    let mut out = Vec::new();
    let n = write_error_report_csv(&mut out, &headers, rows.clone()).unwrap();
    assert_eq!(n, 3);
    assert!(out.starts_with(b"\xEF\xBB\xBF"));
    let t = open_bytes(out, Some("report.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(t.encoding, "UTF-8 (BOM)");
    check_round_trip(t, &headers, &rows);
}

#[test]
fn xlsx_report_round_trip() {
    let (headers, rows) = report_rows();
    let data = write_error_report_xlsx(&headers, rows.clone()).unwrap();
    let t = open_bytes(data, Some("report.xlsx"), &ReadOptions::default()).unwrap();
    check_round_trip(t, &headers, &rows);
}

#[test]
fn report_moves_extra_cells_into_reasons() {
    let headers = s(&["a"]);
    let rows = vec![ErrorRow {
        row: 3,
        cells: s(&["1", "多余"]),
        reasons: s(&["列数不对"]),
    }];
    let mut out = Vec::new();
    write_error_report_csv(&mut out, &headers, rows).unwrap();
    let (got, _) = collect(open_bytes(out, Some("r.csv"), &ReadOptions::default()).unwrap());
    assert_eq!(got[0].cells[0], "1");
    assert!(got[0].cells[1].contains("多余"));
}
