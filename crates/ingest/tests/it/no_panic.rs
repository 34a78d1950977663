//! Random bytes into every reader: no panic, rows always as wide as the header.

use chengxin_ingest::{open_bytes, ReadOptions};
use proptest::prelude::*;

fn read_all(data: Vec<u8>, name: Option<&str>, small: bool) {
    let opts = if small {
        ReadOptions {
            max_field_bytes: 8,
            max_row_bytes: 32,
            max_columns: 3,
            ..ReadOptions::default()
        }
    } else {
        ReadOptions::default()
    };
    if let Ok(t) = open_bytes(data, name, &opts) {
        let width = t.headers.len();
        assert!(width >= 1);
        for row in t.flatten() {
            assert_eq!(row.cells.len(), width);
            assert!(row.row >= 1);
        }
    }
}

/// Bytes drawn mostly from CSV/JSON syntax and multi-byte fragments.
fn structured() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"\"k\":".to_vec()),
        Just(b"null".to_vec()),
        Just(b"1e400".to_vec()),
        Just("中".as_bytes().to_vec()),
        Just(b"\xD6\xD0".to_vec()),
        Just(b"\x81\x30".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF".to_vec()),
        Just(b"PK\x03\x04".to_vec()),
        "[a-z]{0,5}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2048), sel in 0u8..10) {
        let name = match sel % 5 {
            0 => Some("f.csv"),
            1 => Some("f.jsonl"),
            2 => Some("f.xlsx"),
            3 => Some("f.txt"),
            _ => None,
        };
        read_all(data, name, sel >= 5);
    }

    #[test]
    fn structured_bytes_never_panic(data in structured(), sel in 0u8..6) {
        let name = match sel % 3 {
            0 => Some("f.csv"),
            1 => Some("f.jsonl"),
            _ => None,
        };
        read_all(data, name, sel >= 3);
    }
}

#[test]
fn mutated_xlsx_never_panics() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "名称").unwrap();
    ws.write_string(1, 0, "甲").unwrap();
    ws.write_number(1, 1, 1.5).unwrap();
    let base = wb.save_to_buffer().unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(256));
    runner
        .run(
            &(prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)),
            |muts| {
                let mut data = base.clone();
                for (i, b) in muts {
                    let at = i.index(data.len());
                    data[at] = b;
                }
                read_all(data, Some("f.xlsx"), false);
                Ok(())
            },
        )
        .unwrap();
}
