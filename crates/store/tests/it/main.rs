//! The integration tests of chengxin-store, one binary: the conformance suite on both backends,
//! and the benchmarks' SQL (`bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod batch_history;
mod bench;
mod calendar;
mod commitments;
mod conformance;
mod debt;
mod feed;
mod file_modes;
mod list_entries;
mod merkle_log;
mod ppp;
mod staff;
mod staged_import;
mod subject_search;
mod verify_readers;
mod verify_snapshot;
