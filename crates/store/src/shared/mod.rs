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
mod arrears;
mod audit;
mod batch_void;
pub(super) mod batches;
mod calendar;
mod cases;
mod commitments;
mod debt;
mod debtors;
mod evaluation;
mod evaluation_sources;
mod exchange;
mod feed;
pub(super) mod kernel;
mod links;
mod lists;
mod log;
mod merkle;
mod meta;
mod notifications;
mod portal;
mod ppp;
mod records;
mod reports;
mod rights;
pub(super) mod search;
mod staff;
mod subjects;
mod work_items;

use super::shrink_log;
use super::{
    batch_setup, bulk, check_log_entries, dec, enc, proof_rows, Db, Inner, UuidCol, BACKEND,
    CHUNK_CHECKPOINT, FORMER_NAMES_TEXT, LOOKUPS_PERSISTENT, MIGRATOR, SNAPSHOT_SETUP,
};
use crate::error::StoreError;

/// The condition on `batch_id` of a row a batch may have staged (records, subjects): visible
/// unless its batch is still open (`importing`, or `failing` while its rows are removed). Open
/// batches are a handful at most, read once per statement through the partial index
/// `batches_open`, whose condition this repeats word for word.
const VISIBLE: &str = "(batch_id IS NULL OR batch_id NOT IN \
     (SELECT id FROM batches WHERE state IN ('importing', 'failing')))";

/// `SELECT COUNT(*)` of the visible rows of `table` (records, subjects): while no batch is
/// open, the plain count (which SQLite answers from its smallest index).
fn count_visible(table: &str) -> String {
    format!(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM batches WHERE state IN ('importing', 'failing')) \
         THEN (SELECT COUNT(*) FROM {table} WHERE {VISIBLE}) ELSE (SELECT COUNT(*) FROM {table}) END"
    )
}

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
