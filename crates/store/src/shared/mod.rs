//! The one body of portable SQL behind every concern trait, compiled once per backend.
//!
//! `sqlite.rs` and `postgres.rs` each include this directory as their child module `shared`
//! (`#[path = "shared/mod.rs"]`), so the imports below name that backend's sqlx database
//! type (`Db`), its store struct (`Inner`), its UUID column representation (`UuidCol`,
//! through `enc`/`dec`), and its bulk-write paths. Queries use `$n` placeholders, which both
//! drivers accept; only the schema (per-backend migrations) and column representations differ.
//!
//! `kernel` is the transaction and change-log core; each other file implements one concern
//! trait for `Inner`, its method bodies beside it. Concerns use the kernel (and, where a write
//! spans concerns, each other's transaction helpers); the kernel uses no concern.

mod accounts;
mod audit;
pub(super) mod batches;
mod calendar;
mod cases;
pub(super) mod kernel;
mod links;
mod lists;
mod log;
mod meta;
mod records;
mod reports;
mod rights;
mod subjects;

use super::{
    batch_setup, batch_teardown, bulk, dec, enc, Db, Inner, UuidCol, BACKEND, FORMER_NAMES_TEXT,
    LOOKUPS_PERSISTENT, MIGRATOR, SNAPSHOT_SETUP,
};
use crate::error::StoreError;

fn bad_row(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("{what}数据无法解读：{detail}"))
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
