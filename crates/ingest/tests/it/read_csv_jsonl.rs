use std::io::Read;

use chengxin_ingest::{codes, open_bytes, open_stream, Format, RawRow, ReadIssue, ReadOptions};

fn open(bytes: &[u8], name: &str) -> Result<chengxin_ingest::Table, chengxin_ingest::ReadError> {
    open_bytes(bytes.to_vec(), Some(name), &ReadOptions::default())
}

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

fn err_code(r: Result<chengxin_ingest::Table, chengxin_ingest::ReadError>) -> &'static str {
    match r {
        Ok(t) => panic!("expected an error, got {t:?}"),
        Err(e) => e.code,
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn utf8_rows_and_line_numbers() {
    let data = "名称 , 金额,日期\r\n常州甲公司,5,2025-01-02\r\n\r\n\"多行\n名称\",\"1,5\",x\r\n丙,,\r\n,,\r\n丁,1,2,,,\r\n";
    let t = open(data.as_bytes(), "a.csv").unwrap();
    assert_eq!(t.format, Format::Csv);
    assert_eq!(t.encoding, "UTF-8");
    assert_eq!(t.headers, s(&["名称", "金额", "日期"]));
    let (rows, issues) = collect(t);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].row, 2);
    assert_eq!(rows[0].cells, s(&["常州甲公司", "5", "2025-01-02"]));
    assert_eq!(rows[1].row, 4, "a quoted newline record starts on line 4");
    assert_eq!(rows[1].cells, s(&["多行\n名称", "1,5", "x"]));
    assert_eq!(rows[2].row, 6);
    assert_eq!(rows[2].cells, s(&["丙", "", ""]));
    // Line 7 (",,") is blank and skipped; trailing empty cells are trimmed.
    assert_eq!(rows[3].row, 8);
    assert_eq!(rows[3].cells, s(&["丁", "1", "2"]));
}

#[test]
fn bom_is_detected_and_stripped() {
    let t = open("\u{feff}a,b\n1,2\n".as_bytes(), "x.csv").unwrap();
    assert_eq!(t.encoding, "UTF-8 (BOM)");
    assert_eq!(t.headers, s(&["a", "b"]));
    let (rows, _) = collect(t);
    assert_eq!(rows[0].cells, s(&["1", "2"]));
}

#[test]
fn gb18030_is_detected() {
    let text = "行政相对人名称,罚款金额（万元）\n常州市天宁区某某商贸有限公司,0.5\n";
    let (bytes, _, bad) = encoding_rs::GB18030.encode(text);
    assert!(!bad);
    assert!(std::str::from_utf8(&bytes).is_err());
    let t = open(&bytes, "gbk.csv").unwrap();
    assert_eq!(t.encoding, "GB18030");
    assert_eq!(t.headers, s(&["行政相对人名称", "罚款金额（万元）"]));
    let (rows, issues) = collect(t);
    assert!(issues.is_empty());
    assert_eq!(rows[0].cells, s(&["常州市天宁区某某商贸有限公司", "0.5"]));
}

/// More than the 256 KiB sniffed head, so that later bytes are checked row by row.
fn big_prefix(row: &str) -> String {
    let mut text = String::from("名称,值\n");
    while text.len() < 400 * 1024 {
        text.push_str(row);
    }
    text
}

#[test]
fn gb18030_bad_bytes_later_reject_that_row_only() {
    let text = big_prefix("常州公司,1\n");
    let (mut bytes, _, _) = encoding_rs::GB18030.encode(&text);
    let lines_before = text.matches('\n').count() as u64;
    bytes.to_mut().extend_from_slice(b"bad\x81\x20x,2\n");
    bytes
        .to_mut()
        .extend_from_slice(&encoding_rs::GB18030.encode("好行,3\n").0);
    let t = open(&bytes, "a.csv").unwrap();
    assert_eq!(t.encoding, "GB18030");
    let (rows, issues) = collect(t);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code(), codes::BAD_ENCODING);
    assert_eq!(issues[0].row(), Some(lines_before + 1));
    assert_eq!(rows.last().unwrap().cells, s(&["好行", "3"]));
    assert!(rows
        .iter()
        .all(|r| r.cells.iter().all(|c| !c.contains('\u{fffd}'))));
}

#[test]
fn utf8_bad_bytes_later_reject_that_row_only() {
    let text = big_prefix("常州公司,1\n");
    let mut bytes = text.clone().into_bytes();
    bytes.extend_from_slice(b"\xff\xfe,2\nok,3\n");
    let (rows, issues) = collect(open(&bytes, "a.csv").unwrap());
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code(), codes::BAD_ENCODING);
    assert_eq!(rows.last().unwrap().cells, s(&["ok", "3"]));
}

#[test]
fn undecidable_and_unsupported_encodings() {
    // Latin-1 "été": invalid UTF-8, malformed GB18030.
    assert_eq!(
        err_code(open(b"name\n\xe9t\xe9\n", "a.csv")),
        codes::UNDECIDABLE_ENCODING
    );
    // Clean GB18030 but no Chinese in it.
    assert_eq!(
        err_code(open(b"a\n\x81\x30\x81\x30\n", "a.csv")),
        codes::UNDECIDABLE_ENCODING
    );
    assert_eq!(
        err_code(open(b"\xff\xfea\0,\0", "a.csv")),
        codes::UNSUPPORTED_ENCODING
    );
}

#[test]
fn multibyte_char_cut_at_sniff_boundary_is_fine() {
    // Place a 3-byte character across the 256 KiB boundary.
    let mut text = String::from("名称\n");
    while text.len() < 256 * 1024 - 1 {
        text.push('a');
    }
    text.push_str("中\n");
    let (rows, issues) = collect(
        open_bytes(
            text.into_bytes(),
            Some("a.csv"),
            &ReadOptions {
                max_field_bytes: 1 << 20,
                ..ReadOptions::default()
            },
        )
        .unwrap(),
    );
    assert!(issues.is_empty(), "{issues:?}");
    assert!(rows[0].cells[0].ends_with('中'));
}

#[test]
fn empty_and_header_only() {
    assert_eq!(err_code(open(b"", "a.csv")), codes::EMPTY_FILE);
    assert_eq!(err_code(open(b"\n\r\n\n", "a.csv")), codes::EMPTY_FILE);
    assert_eq!(err_code(open(b",,,\n1,2\n", "a.csv")), codes::EMPTY_FILE);
    assert_eq!(err_code(open(b"\xEF\xBB\xBF", "a.csv")), codes::EMPTY_FILE);
    let t = open("名称,金额\n".as_bytes(), "a.csv").unwrap();
    assert_eq!(t.headers.len(), 2);
    assert_eq!(collect(t).0.len(), 0);
    // Excel's trailing empty header cells are dropped.
    let t = open(b"a,b,,\n1,2,,\n", "a.csv").unwrap();
    assert_eq!(t.headers, s(&["a", "b"]));
}

#[test]
fn header_problems() {
    let r = open("名称,金额, 名称 ,x,x\n".as_bytes(), "a.csv");
    let e = r.unwrap_err();
    assert_eq!(e.code, codes::DUPLICATE_COLUMNS);
    assert!(
        e.message.contains("名称") && e.message.contains("x"),
        "{}",
        e.message
    );
    assert_eq!(err_code(open(b"a,,b\n", "a.csv")), codes::EMPTY_HEADER);
    let wide: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
    let data = format!("{}\n", wide.join(","));
    assert_eq!(
        err_code(open(data.as_bytes(), "a.csv")),
        codes::TOO_MANY_COLUMNS
    );
    let exact: Vec<String> = (0..1025).map(|i| format!("c{i}")).collect();
    let data = format!("{}\n", exact.join(","));
    assert_eq!(
        err_code(open(data.as_bytes(), "a.csv")),
        codes::TOO_MANY_COLUMNS
    );
    let ok: Vec<String> = (0..1024).map(|i| format!("c{i}")).collect();
    let data = format!("{}\n", ok.join(","));
    assert_eq!(open(data.as_bytes(), "a.csv").unwrap().headers.len(), 1024);
}

#[test]
fn ragged_rows() {
    let data = "a,b,c\n1,2\n1,2,3,4\n1,2,3,,,\n1,2,3\n";
    let (rows, issues) = collect(open(data.as_bytes(), "a.csv").unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(
        issues
            .iter()
            .map(|i| (i.code(), i.row()))
            .collect::<Vec<_>>(),
        vec![(codes::RAGGED_ROW, Some(2)), (codes::RAGGED_ROW, Some(3))]
    );
    assert!(
        issues[1].message().contains("“4”"),
        "{}",
        issues[1].message()
    );
}

#[test]
fn very_wide_data_row_is_ragged_not_buffered() {
    let mut data = String::from("a,b\n");
    data.push_str(&",x".repeat(200_000));
    data.push_str("\n1,2\n");
    let (rows, issues) = collect(open(data.as_bytes(), "a.csv").unwrap());
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code(), codes::RAGGED_ROW);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 3);
}

/// A reader producing a header, a row with a `len`-byte field, and a normal row, without
/// holding the big field in memory.
struct BigField {
    stage: u8,
    left: u64,
    tail: &'static [u8],
}

impl Read for BigField {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.stage {
            0 => {
                let head = b"name,text\nbig,\"";
                buf[..head.len()].copy_from_slice(head);
                self.stage = 1;
                Ok(head.len())
            }
            1 if self.left > 0 => {
                let n = (buf.len() as u64).min(self.left) as usize;
                buf[..n].fill(b'x');
                self.left -= n as u64;
                Ok(n)
            }
            1 => {
                let n = self.tail.len().min(buf.len());
                buf[..n].copy_from_slice(&self.tail[..n]);
                self.tail = &self.tail[n..];
                if self.tail.is_empty() {
                    self.stage = 2;
                }
                Ok(n)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn ten_megabyte_field_is_rejected_and_skipped() {
    let r = BigField {
        stage: 0,
        left: 10 * 1024 * 1024,
        tail: b"\"\nsmall,ok\n",
    };
    let t = open_stream(r, Some("a.csv"), &ReadOptions::default()).unwrap();
    let (rows, issues) = collect(t);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code(), codes::FIELD_TOO_LONG);
    assert_eq!(issues[0].row(), Some(2));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].cells, s(&["small", "ok"]));
    assert_eq!(rows[0].row, 3);
}

#[test]
fn field_just_over_limit() {
    let opts = ReadOptions {
        max_field_bytes: 10,
        ..ReadOptions::default()
    };
    let data = "a,b\n0123456789,x\n01234567890,x\n";
    let (rows, issues) =
        collect(open_bytes(data.as_bytes().to_vec(), Some("a.csv"), &opts).unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(issues[0].code(), codes::FIELD_TOO_LONG);
    assert_eq!(issues[0].row(), Some(3));
}

#[test]
fn row_too_long() {
    let opts = ReadOptions {
        max_field_bytes: 1000,
        max_row_bytes: 5000,
        ..ReadOptions::default()
    };
    let cells: Vec<String> = (0..10).map(|_| "y".repeat(900)).collect();
    let headers: Vec<String> = (0..10).map(|i| format!("h{i}")).collect();
    let data = format!(
        "{}\n{}\n{}\n",
        headers.join(","),
        cells.join(","),
        headers.join(",")
    );
    let (rows, issues) = collect(open_bytes(data.into_bytes(), Some("a.csv"), &opts).unwrap());
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code(), codes::ROW_TOO_LONG);
    assert_eq!(rows.len(), 1);
}

#[test]
fn truncated_quoted_field() {
    let data = "a,b\n1,2\n3,\"unterminated\nmore";
    let (rows, issues) = collect(open(data.as_bytes(), "a.csv").unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code(), codes::UNTERMINATED_QUOTE);
    assert_eq!(issues[0].row(), Some(3));
    // A last line without a final newline is fine.
    let (rows, issues) = collect(open(b"a,b\n1,\"2\"", "a.csv").unwrap());
    assert!(issues.is_empty());
    assert_eq!(rows[0].cells, s(&["1", "2"]));
}

#[test]
fn io_error_is_fatal() {
    struct Failing(u8);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                self.0 = 1;
                let d = b"a,b\n1,2\n3,";
                buf[..d.len()].copy_from_slice(d);
                Ok(d.len())
            } else {
                Err(std::io::Error::other("disk gone"))
            }
        }
    }
    // The sniff reads ahead, so the error surfaces at open.
    let e = open_stream(Failing(0), Some("a.csv"), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code, codes::IO_ERROR);
}

#[test]
fn io_error_mid_stream_is_a_fatal_item() {
    struct Failing(Vec<u8>, usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.1 >= self.0.len() {
                return Err(std::io::Error::other("disk gone"));
            }
            let n = (self.0.len() - self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    // More than the sniffed head, so the failure comes while rows are read.
    let mut data = b"a,b\n".to_vec();
    for _ in 0..100_000 {
        data.extend_from_slice(b"1,2\n");
    }
    let t = open_stream(Failing(data, 0), Some("a.csv"), &ReadOptions::default()).unwrap();
    let items: Vec<_> = t.collect();
    let last = items.last().unwrap();
    assert!(
        matches!(last, Err(ReadIssue::Fatal(e)) if e.code == codes::IO_ERROR),
        "{last:?}"
    );
    assert_eq!(items.iter().filter(|i| i.is_err()).count(), 1);
    assert!(items.len() > 50_000);
}

#[test]
fn jsonl_reading() {
    let data = concat!(
        "\u{feff}{\"名称\": \"甲\", \"金额\": 5, \"日期\": null, \"ok\": true}\n",
        "\n",
        "{\"名称\": \"乙\", \"金额\": 1.5}\r\n",
        "{\"名称\": \"丙\", \"多余\": 1, \"另一个\": 2}\n",
        "not json\n",
        "[1,2]\n",
        "{\"名称\": [1]}\n",
        "{\"名称\": \"丁\", \"名称\": \"戊\"}\n",
        "{\"金额\": 123456789012345678901234567890}\n",
        "{\"金额\": 110101199003071234}\n",
        "{\"名称\": \"\\u5df1\", \"金额\": 2.0}",
    );
    let t = open(data.as_bytes(), "a.jsonl").unwrap();
    assert_eq!(t.format, Format::Jsonl);
    assert_eq!(t.headers, s(&["名称", "金额", "日期", "ok"]));
    let (rows, issues) = collect(t);
    let got: Vec<(u64, Vec<String>)> = rows.into_iter().map(|r| (r.row, r.cells)).collect();
    assert_eq!(
        got,
        vec![
            (1, s(&["甲", "5", "", "true"])),
            (3, s(&["乙", "1.5", "", ""])),
            (10, s(&["", "110101199003071234", "", ""])),
            (11, s(&["己", "2", "", ""])),
        ]
    );
    let codes_got: Vec<(&str, Option<u64>)> = issues.iter().map(|i| (i.code(), i.row())).collect();
    assert_eq!(
        codes_got,
        vec![
            (codes::UNKNOWN_KEYS, Some(4)),
            (codes::BAD_JSON, Some(5)),
            (codes::NOT_AN_OBJECT, Some(6)),
            (codes::BAD_VALUE, Some(7)),
            (codes::DUPLICATE_KEYS, Some(8)),
            (codes::NUMBER_PRECISION_LOST, Some(9)),
        ]
    );
    assert!(issues[0].message().contains("多余") && issues[0].message().contains("另一个"));
}

#[test]
fn jsonl_file_level_errors() {
    assert_eq!(err_code(open(b"\n\n", "a.jsonl")), codes::EMPTY_FILE);
    assert_eq!(err_code(open(b"{}\n", "a.jsonl")), codes::EMPTY_FILE);
    assert_eq!(
        err_code(open(b"[1]\n", "a.jsonl")),
        codes::JSONL_BAD_FIRST_LINE
    );
    assert_eq!(
        err_code(open(b"{\"a\":1,\"a\":2}\n", "a.jsonl")),
        codes::DUPLICATE_COLUMNS
    );
    assert_eq!(
        err_code(open(b"{\"a\":1", "a.jsonl")),
        codes::JSONL_BAD_FIRST_LINE
    );
    // A bad line in the middle of a file does not stop it.
    let (rows, issues) = collect(open(b"{\"a\":1}\n{\"a\":\n{\"a\":\"x\"}\n", "a.jsonl").unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(issues.len(), 1);
}

#[test]
fn jsonl_bad_utf8_line() {
    let (rows, issues) =
        collect(open(b"{\"a\":1}\n{\"a\":\"\xff\"}\n{\"a\":2}\n", "a.jsonl").unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(issues[0].code(), codes::BAD_ENCODING);
    assert_eq!(issues[0].row(), Some(2));
}

#[test]
fn format_detection_by_content() {
    // JSON content in a .csv-named file is read as JSON Lines.
    let t = open(b"  {\"a\": \"1\"}\n", "upload.csv").unwrap();
    assert_eq!(t.format, Format::Jsonl);
    let t = open_bytes(b"a,b\n".to_vec(), None, &ReadOptions::default()).unwrap();
    assert_eq!(t.format, Format::Csv);
}
