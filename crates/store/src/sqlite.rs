//! The SQLite backend: the embedded default, one file under `./chengxin-data/`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use uuid::Uuid;

use crate::error::{Result, StoreError};
pub(crate) use crate::proof_rows::sqlite as proof_rows;
pub(crate) use crate::verify_sqlite::check_log_entries;
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

// One body of portable SQL (`shared/`), compiled against this backend's `Db` type: the same
// directory is included by `postgres.rs`, which is why this is a `#[path]` module.
#[allow(clippy::duplicate_mod)]
#[path = "shared/mod.rs"]
mod shared;

/// Bulk writes of a batch: multi-row INSERTs (SQLite has no COPY; prepared multi-row
/// statements are its fastest path).
mod bulk {
    /// The 12345 hotline import's rows.
    pub(super) mod work_items;

    use std::collections::HashMap;

    use chengxin_domain::subjects::Subject;
    use sqlx::types::Json;
    use sqlx::{QueryBuilder, Row};
    use uuid::Uuid;

    use super::shared::batches::{NewRecordRow, CHUNK};
    use super::shared::kernel::Tx;
    use super::{enc, Db};
    use crate::error::{Result, StoreError};

    /// Existing subjects for a chunk's codes: the keys go in as one JSON array bound to one
    /// cached statement, which walks it and probes the code's index per key — measured at
    /// half the time of `IN` lists of 500 bound parameters.
    pub(super) async fn subjects_by(
        tx: &mut Tx<'_>,
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

    /// New subjects of a batch, in multi-row INSERTs.
    pub(super) async fn insert_subjects(
        tx: &mut Tx<'_>,
        subjects: &[Subject],
        batch_id: Uuid,
    ) -> Result<()> {
        for part in subjects.chunks(CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO subjects (id, kind, name, uscc, id_hash, id_masked, region, parent_id, former_names, created_at, updated_at, version, batch_id) ",
            );
            q.push_values(part, |mut b, s| {
                b.push_bind(enc(s.id))
                    .push_bind(s.kind.as_str())
                    .push_bind(s.name.clone())
                    .push_bind(s.uscc.clone())
                    .push_bind(s.id_hash.clone())
                    .push_bind(s.id_masked.clone())
                    .push_bind(s.region.clone())
                    .push_bind(s.parent_id.map(enc))
                    .push_bind(Json(s.former_names.clone()))
                    .push_bind(s.created_at)
                    .push_bind(s.updated_at)
                    .push_bind(s.version)
                    .push_bind(enc(batch_id));
            });
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Search postings (gram, subject, person), in multi-row INSERTs.
    pub(super) async fn insert_postings(
        tx: &mut Tx<'_>,
        postings: &[super::shared::search::Posting<'_>],
    ) -> Result<()> {
        for part in postings.chunks(CHUNK * 2) {
            let mut q =
                QueryBuilder::<Db>::new("INSERT INTO subject_grams (gram, rank, sk, person) ");
            q.push_values(part, |mut b, (g, rank, sk, person)| {
                b.push_bind(g.to_string())
                    .push_bind(*rank)
                    .push_bind(*sk)
                    .push_bind(*person);
            });
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// New records of a batch, in multi-row INSERTs.
    pub(super) async fn insert_records(
        tx: &mut Tx<'_>,
        records: &[NewRecordRow<'_>],
    ) -> Result<()> {
        for part in records.chunks(CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO records (id, type_code, subject_id, subject_name, doc_no, decision_date, source_dept, batch_id, \
                 fields, severity, status, tolerated, published_at, publish_until, content_digest, version, created_at, updated_at) ",
            );
            q.push_values(part, |mut b, r| {
                b.push_bind(enc(r.id))
                    .push_bind(r.type_code)
                    .push_bind(r.subject_id.map(enc))
                    .push_bind(r.subject_name)
                    .push_bind(r.doc_no)
                    .push_bind(r.decision_date)
                    .push_bind(r.source_dept)
                    .push_bind(r.batch_id.map(enc))
                    .push_bind(Json(r.fields))
                    .push_bind(r.severity)
                    .push_bind(r.status.as_str())
                    .push_bind(r.tolerated)
                    .push_bind(r.published_at)
                    .push_bind(r.publish_until)
                    .push_bind(r.content_digest)
                    .push_bind(r.version)
                    .push_bind(r.created_at)
                    .push_bind(r.updated_at);
            });
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Statements run on a batch's connection before its first chunk (the connection is closed
/// when the batch ends).
pub(crate) fn batch_setup() -> Vec<String> {
    // A bulk import inserts into several random-key indexes (subject names and codes,
    // decision dates) that outgrow the everyday page cache; the batch's connection gets a
    // larger one for the batch (`CHENGXIN_SQLITE_BATCH_CACHE_MB`, default 96 MiB: the
    // million-row import must stay under 300 MB resident).
    let mb = std::env::var("CHENGXIN_SQLITE_BATCH_CACHE_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|mb| (8..=16_384).contains(mb))
        .unwrap_or(96);
    vec![
        format!("PRAGMA cache_size = -{}", u64::from(mb) * 1024),
        // Its chunks are checkpointed in the background (`CHUNK_CHECKPOINT`), not in its
        // commits.
        "PRAGMA wal_autocheckpoint = 0".to_string(),
    ]
}

/// Run on another connection after each chunk of a batch commits: copy the WAL into the
/// database file (PASSIVE: alongside the writers, never waiting for them).
pub(crate) const CHUNK_CHECKPOINT: Option<&str> = Some("PRAGMA wal_checkpoint(PASSIVE)");

/// After a batch ends: give the write-ahead log's disk space back. A TRUNCATE checkpoint
/// copies what is left and truncates the file to zero bytes, but only if it can do so at once
/// (no busy wait: a waiting TRUNCATE checkpoint would hold the write lock and stall every
/// writer behind it). If a reader is in the way, `journal_size_limit` trims the file at the
/// next reset instead.
pub(crate) async fn shrink_log(pool: &sqlx::SqlitePool) {
    let result: std::result::Result<(), sqlx::Error> = async {
        let mut c = pool.acquire().await?;
        sqlx::query("PRAGMA busy_timeout = 0")
            .execute(&mut *c)
            .await?;
        let done = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *c)
            .await;
        sqlx::query("PRAGMA busy_timeout = 10000")
            .execute(&mut *c)
            .await?;
        done.map(|_| ())
    }
    .await;
    if let Err(e) = result {
        tracing::debug!(error = %e, "write-ahead log not truncated now");
    }
}

/// The most a write-ahead log keeps on disk after it is reset (64 MiB): a large import
/// must not leave gigabytes behind.
const JOURNAL_SIZE_LIMIT: &str = "67108864";

/// Whether statements whose best plan depends on their values (the batch's per-chunk look-ups,
/// the feed's, the subject search) are kept as prepared statements: yes on SQLite, whose
/// planner does not cache plans by table size.
pub(crate) const LOOKUPS_PERSISTENT: bool = true;

/// Statements that make a just-begun transaction one consistent read-only snapshot (for
/// `verify`). SQLite: none — in WAL mode a (deferred) transaction reads one snapshot from its
/// first read on, while writers go on.
pub(crate) const SNAPSHOT_SETUP: &[&str] = &[];

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

#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: sqlx::SqlitePool,
    /// This process's writers take turns (see `shared::kernel::Gate`).
    pub(crate) gate: shared::kernel::Gate,
    /// Batches this store is importing (a writer is alive for each): never taken for
    /// abandoned by `recover_batches`, however long a chunk takes.
    pub(crate) live: shared::batches::Live,
    /// The database file (`None` in memory): `verify` reads the change log through its own
    /// connections to it (`verify_sqlite`).
    pub(crate) file: Option<std::sync::Arc<std::path::PathBuf>>,
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
        if new_file {
            // Created readable by the server's user only (0600 on Unix): SQLite gives the WAL
            // and shared-memory files the database file's mode.
            let mut create = std::fs::OpenOptions::new();
            create.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
            create.open(&path).map_err(|e| {
                StoreError::ReadOnly(format!("无法创建数据库文件 {}：{e}", path.display()))
            })?;
        }
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // A batch chunk is a large transaction: a page cache big enough to hold its
            // working set avoids spilling to the WAL mid-transaction, and statement journals
            // of multi-row INSERTs stay in memory.
            .pragma("cache_size", cache_size_pragma())
            .pragma(
                "wal_autocheckpoint",
                std::env::var("CHENGXIN_X_GLOBAL_AUTOCKPT").unwrap_or_else(|_| "1000".into()),
            )
            .pragma("temp_store", "MEMORY")
            .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT);
        // Records are ~1.5 KB: 8 KiB pages hold more of them per page and halve the page
        // bookkeeping of bulk imports. Only set when creating the file (it cannot change later
        // in WAL mode, and an existing file must be opened as it is).
        let opts = if new_file {
            opts.pragma(
                "page_size",
                std::env::var("CHENGXIN_X_PAGE").unwrap_or_else(|_| "8192".into()),
            )
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
        Ok(Self {
            pool,
            gate: Default::default(),
            live: Default::default(),
            file: (!in_memory).then(|| std::sync::Arc::new(path)),
        })
    }

    pub fn pool(&self) -> &sqlx::SqlitePool {
        &self.pool
    }
}
