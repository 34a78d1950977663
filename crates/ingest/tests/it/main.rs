//! The integration tests of chengxin-ingest, one binary: reading, generating, no panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gen;
mod no_panic;
mod read_csv_jsonl;
mod xlsx_and_report;
