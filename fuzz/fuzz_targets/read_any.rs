//! Feeds arbitrary bytes to every reader (CSV, JSON Lines, XLSX, and format detection) and
//! reads every row: nothing may panic. The first byte picks the file name and small limits so
//! that the limit paths are reached too.
#![no_main]

use chengxin_ingest::{open_bytes, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let name = match selector % 5 {
        0 => Some("f.csv"),
        1 => Some("f.jsonl"),
        2 => Some("f.xlsx"),
        3 => Some("f.txt"),
        _ => None,
    };
    let opts = if selector & 0x80 != 0 {
        ReadOptions {
            max_field_bytes: 16,
            max_row_bytes: 64,
            max_columns: 4,
            ..ReadOptions::default()
        }
    } else {
        ReadOptions::default()
    };
    if let Ok(table) = open_bytes(body.to_vec(), name, &opts) {
        let width = table.headers.len();
        for row in table.flatten() {
            assert_eq!(row.cells.len(), width);
            assert!(row.row >= 1);
        }
    }
});
