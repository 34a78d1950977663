//! The SQLite backend: the embedded default, one file under `./chengxin-data/`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::Backend;

pub(crate) type Db = sqlx::Sqlite;
/// UUIDs are stored as hyphenated text, readable in the `sqlite3` shell.
pub(crate) type UuidCol = uuid::fmt::Hyphenated;
pub(crate) type Inner = SqliteStore;
pub(crate) const BACKEND: Backend = Backend::Sqlite;
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub(crate) fn enc(u: Uuid) -> UuidCol {
    u.hyphenated()
}
pub(crate) fn dec(c: UuidCol) -> Uuid {
    c.into_uuid()
}

// The shared implementation is compiled once per backend on purpose (see common.rs).
#[allow(clippy::duplicate_mod)]
#[path = "accounts.rs"]
mod accounts;
#[allow(clippy::duplicate_mod)]
#[path = "batch.rs"]
mod batch;
#[allow(clippy::duplicate_mod)]
#[path = "common.rs"]
mod common;
#[allow(clippy::duplicate_mod)]
#[path = "lists.rs"]
mod lists;

#[allow(clippy::duplicate_mod)]
#[path = "rights.rs"]
mod rights;

#[allow(clippy::duplicate_mod)]
#[path = "credit_reports.rs"]
mod credit_reports;

/// Bulk writes of a batch: multi-row INSERTs (SQLite has no COPY; prepared multi-row
/// statements are its fastest path).
mod bulk {
    use std::collections::HashMap;

    use sqlx::Row;
    use uuid::Uuid;

    use super::common::Tx;
    use crate::error::{Result, StoreError};

    pub(super) use super::batch::{insert_records, insert_subjects};

    /// Existing subjects for a chunk's codes: the keys go in as one JSON array bound to one
    /// cached statement, which walks it and probes the code's index per key — measured at
    /// half the time of `IN` lists of 500 bound parameters.
    pub(super) async fn subjects_by(
        tx: &mut Tx,
        column: &str,
        keys: &[String],
    ) -> Result<HashMap<String, Uuid>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let list = serde_json::to_string(keys)
            .map_err(|e| StoreError::Invalid(format!("代码列表无法序列化：{e}")))?;
        let rows = sqlx::query(&format!(
            "SELECT s.id AS id, s.{column} AS k FROM json_each($1) AS j \
             JOIN subjects AS s ON s.{column} = j.value"
        ))
        .bind(list)
        .fetch_all(&mut **tx)
        .await?;
        let mut found = HashMap::with_capacity(rows.len());
        for r in rows {
            found.insert(r.try_get::<String, _>("k")?, super::dec(r.try_get("id")?));
        }
        Ok(found)
    }
}

/// Statements run at the start of a batch transaction. PostgreSQL: the records table grows
/// from empty inside the transaction, so a cached generic plan chosen while it was small
/// would keep scanning it sequentially; custom plans see its real size.
pub(crate) fn batch_setup() -> Vec<String> {
    // A bulk import inserts into several random-key indexes (subject names and codes,
    // decision dates) that outgrow the everyday page cache; the batch's connection gets a
    // larger one for its duration (`CHENGXIN_SQLITE_BATCH_CACHE_MB`, default 96 MiB: the
    // million-row import must stay under 300 MB resident).
    let mb = std::env::var("CHENGXIN_SQLITE_BATCH_CACHE_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|mb| (8..=16_384).contains(mb))
        .unwrap_or(96);
    vec![format!("PRAGMA cache_size = -{}", u64::from(mb) * 1024)]
}

/// Run before a batch commits: the connection goes back to the pool with the everyday
/// cache size (pages over the limit are freed).
pub(crate) fn batch_teardown() -> Vec<String> {
    vec![format!("PRAGMA cache_size = {}", cache_size_pragma())]
}

/// Whether the batch's per-chunk look-ups are kept as prepared statements: yes on SQLite,
/// whose planner does not cache plans by table size.
pub(crate) const LOOKUPS_PERSISTENT: bool = true;

/// `former_names` as text, for LIKE searches (JSON text on SQLite, JSONB on PostgreSQL).
pub(crate) const FORMER_NAMES_TEXT: &str = "former_names";

/// Page cache per connection, in KiB as SQLite's negative `cache_size` wants it: 64 MiB, or
/// `CHENGXIN_SQLITE_CACHE_MB` (bulk imports touch large random-key indexes; memory is the limit).
fn cache_size_pragma() -> String {
    let mb = std::env::var("CHENGXIN_SQLITE_CACHE_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|mb| (8..=16_384).contains(mb))
        .unwrap_or(64);
    format!("-{}", u64::from(mb) * 1024)
}

pub struct SqliteStore {
    pub(crate) pool: sqlx::SqlitePool,
}

impl SqliteStore {
    /// Open (creating the file and its folder if needed) `sqlite://path`.
    pub async fn open(url: &str) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::UnsupportedUrl(format!("{url}（{e}）")))?;
        let path = opts.get_filename().to_path_buf();
        let in_memory = path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:");
        if !in_memory {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::ReadOnly(format!("无法创建数据目录 {}：{e}", dir.display()))
                })?;
            }
        }
        let new_file = !in_memory && !path.exists();
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // A large batch is one transaction: a page cache big enough to hold its working
            // set avoids spilling to the WAL mid-transaction, and statement journals of
            // multi-row INSERTs stay in memory.
            .pragma("cache_size", cache_size_pragma())
            .pragma("temp_store", "MEMORY");
        // Records are ~1.5 KB: 8 KiB pages hold more of them per page and halve the page
        // bookkeeping of bulk imports. Only set when creating the file (it cannot change later
        // in WAL mode, and an existing file must be opened as it is).
        let opts = if new_file {
            opts.pragma("page_size", "8192")
        } else {
            opts
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(if in_memory { 1 } else { 4 })
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        // A file that is not a database fails here with a clear error, not later mid-write.
        sqlx::query("SELECT COUNT(*) FROM sqlite_master")
            .execute(&pool)
            .await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &sqlx::SqlitePool {
        &self.pool
    }
}
