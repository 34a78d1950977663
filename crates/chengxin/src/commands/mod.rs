//! One module per subcommand of `chengxin` (the clap tree and dispatch are in `main.rs`).

pub(crate) mod accounts;
pub(crate) mod arrears;
pub(crate) mod backup;
pub(crate) mod batch;
pub(crate) mod bench;
pub(crate) mod calendar;
pub(crate) mod catalog;
pub(crate) mod check;
pub(crate) mod commitments;
pub(crate) mod demo;
pub(crate) mod expire;
pub(crate) mod export;
pub(crate) mod feed;
pub(crate) mod gen_records;
pub(crate) mod hotline;
pub(crate) mod import;
pub(crate) mod keys;
pub(crate) mod lists;
pub(crate) mod migrate;
pub(crate) mod records;
pub(crate) mod report;
pub(crate) mod serve;
pub(crate) mod validate_code;
pub(crate) mod verify;
pub(crate) mod workdays;
