//! The PostgreSQL backend: production, and through PostgreSQL-compatible engines the path
//! past one machine.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use uuid::Uuid;

use crate::error::{Result, StoreError};
pub(crate) use crate::proof_rows::postgres as proof_rows;
pub(crate) use crate::verify_pg::check_log_entries;
use crate::Backend;

pub(crate) type Db = sqlx::Postgres;
pub(crate) type UuidCol = Uuid;
pub(crate) type Inner = PgStore;
pub(crate) const BACKEND: Backend = Backend::Postgres;
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub(crate) fn enc(u: Uuid) -> UuidCol {
    u
}
pub(crate) fn dec(c: UuidCol) -> Uuid {
    c
}

// One body of portable SQL (`shared/`), compiled against this backend's `Db` type: the same
// directory is included by `sqlite.rs`, which is why this is a `#[path]` module.
#[allow(clippy::duplicate_mod)]
#[path = "shared/mod.rs"]
mod shared;

/// Bulk writes of a batch through `COPY … FROM STDIN` (text format): several times faster
/// than multi-row INSERTs, and still inside the batch's transaction.
mod bulk {
    /// The 12345 hotline import's rows.
    pub(super) mod work_items;

    use std::collections::HashMap;
    use std::fmt::Write as _;

    use chengxin_domain::subjects::Subject;
    use chrono::{DateTime, SecondsFormat, Utc};
    use uuid::Uuid;

    use super::shared::batches::NewRecordRow;
    use super::shared::kernel::Tx;
    use crate::error::{Result, StoreError};

    /// Flush the buffer to the server at about this size.
    const SEND_AT: usize = 1 << 20;

    #[derive(Default)]
    struct Line {
        buf: String,
        first: bool,
    }

    impl Line {
        fn col(&mut self) {
            if !self.first {
                self.buf.push('\t');
            }
            self.first = false;
        }
        fn text(&mut self, s: &str) {
            self.col();
            // COPY text format: backslash, tab, newline and carriage return are escaped.
            if !s
                .bytes()
                .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
            {
                self.buf.push_str(s);
                return;
            }
            for c in s.chars() {
                match c {
                    '\\' => self.buf.push_str("\\\\"),
                    '\t' => self.buf.push_str("\\t"),
                    '\n' => self.buf.push_str("\\n"),
                    '\r' => self.buf.push_str("\\r"),
                    c => self.buf.push(c),
                }
            }
        }
        fn opt(&mut self, s: Option<&str>) {
            match s {
                Some(s) => self.text(s),
                None => {
                    self.col();
                    self.buf.push_str("\\N");
                }
            }
        }
        fn display(&mut self, v: impl std::fmt::Display) {
            self.col();
            let _ = write!(self.buf, "{v}");
        }
        fn opt_display(&mut self, v: Option<impl std::fmt::Display>) {
            match v {
                Some(v) => self.display(v),
                None => self.opt(None),
            }
        }
        fn time(&mut self, t: DateTime<Utc>) {
            self.col();
            self.buf
                .push_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true));
        }
        fn end(&mut self) {
            self.buf.push('\n');
            self.first = true;
        }
    }

    async fn copy<T>(
        tx: &mut Tx<'_>,
        statement: &str,
        rows: &[T],
        mut write: impl FnMut(&mut Line, &T) -> Result<()>,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut copy = tx.copy_in_raw(statement).await?;
        let mut line = Line {
            buf: String::with_capacity(SEND_AT + 4096),
            first: true,
        };
        for r in rows {
            write(&mut line, r)?;
            line.end();
            if line.buf.len() >= SEND_AT {
                copy.send(std::mem::take(&mut line.buf).into_bytes())
                    .await?;
            }
        }
        if !line.buf.is_empty() {
            copy.send(line.buf.into_bytes()).await?;
        }
        copy.finish().await?;
        Ok(())
    }

    /// Existing subjects for a set of codes: one array parameter, so the (custom) plan stays
    /// cheap however many keys a chunk has.
    pub(super) async fn subjects_by(
        tx: &mut Tx<'_>,
        column: &str,
        keys: &[String],
    ) -> Result<HashMap<String, Uuid>> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(Uuid, String)> = sqlx::query_as(&format!(
            "SELECT id, {column} FROM subjects WHERE {column} = ANY($1)"
        ))
        .persistent(super::LOOKUPS_PERSISTENT)
        .bind(keys)
        .fetch_all(&mut **tx)
        .await?;
        Ok(rows.into_iter().map(|(id, k)| (k, id)).collect())
    }

    pub(super) async fn insert_subjects(
        tx: &mut Tx<'_>,
        subjects: &[Subject],
        batch_id: Uuid,
    ) -> Result<()> {
        copy(
            tx,
            "COPY subjects (id, kind, name, uscc, id_hash, id_masked, region, parent_id, former_names, \
             created_at, updated_at, version, batch_id) FROM STDIN",
            subjects,
            |l, s| {
                l.display(s.id);
                l.text(s.kind.as_str());
                l.text(&s.name);
                l.opt(s.uscc.as_deref());
                l.opt(s.id_hash.as_deref());
                l.opt(s.id_masked.as_deref());
                l.opt(s.region.as_deref());
                l.opt_display(s.parent_id);
                let names = serde_json::to_string(&s.former_names)
                    .map_err(|e| StoreError::Invalid(format!("曾用名无法序列化：{e}")))?;
                l.text(&names);
                l.time(s.created_at);
                l.time(s.updated_at);
                l.display(s.version);
                l.display(batch_id);
                Ok(())
            },
        )
        .await
    }

    /// Search postings (gram, rank, key, person), as `COPY`.
    pub(super) async fn insert_postings(
        tx: &mut Tx<'_>,
        postings: &[super::shared::search::Posting<'_>],
    ) -> Result<()> {
        copy(
            tx,
            "COPY subject_grams (gram, rank, sk, person) FROM STDIN",
            postings,
            |l, (gram, rank, sk, person)| {
                l.text(gram);
                l.display(rank);
                l.display(sk);
                l.text(if *person { "t" } else { "f" });
                Ok(())
            },
        )
        .await
    }

    pub(super) async fn insert_records(
        tx: &mut Tx<'_>,
        records: &[NewRecordRow<'_>],
    ) -> Result<()> {
        copy(
            tx,
            "COPY records (id, type_code, subject_id, subject_name, doc_no, decision_date, source_dept, \
             batch_id, fields, severity, status, tolerated, published_at, publish_until, content_digest, \
             version, created_at, updated_at) FROM STDIN",
            records,
            |l, r| {
                l.display(r.id);
                l.text(r.type_code);
                l.opt_display(r.subject_id);
                l.text(r.subject_name);
                l.text(r.doc_no);
                l.display(r.decision_date);
                l.text(r.source_dept);
                l.opt_display(r.batch_id);
                l.text(r.fields.get());
                l.opt(r.severity);
                l.text(r.status.as_str());
                l.text(if r.tolerated { "t" } else { "f" });
                match r.published_at {
                    Some(t) => l.time(t),
                    None => l.opt(None),
                }
                l.opt_display(r.publish_until);
                l.text(r.content_digest);
                l.display(r.version);
                l.time(r.created_at);
                l.time(r.updated_at);
                Ok(())
            },
        )
        .await
    }
}

/// Statements run on a batch's connection before its first chunk: none on PostgreSQL.
///
/// The records table grows from empty inside a batch, so a cached generic plan for the
/// per-chunk look-ups, chosen while it was small, would keep scanning it sequentially. Those
/// look-ups are therefore sent as unnamed statements (`LOOKUPS_PERSISTENT`), planned afresh
/// with their real parameters. `SET LOCAL plan_cache_mode = force_custom_plan` would do the
/// same but also re-plans the foreign-key triggers' queries for every inserted row: measured
/// in `psql`, it made the `COPY` of 99,006 records 1.6 s (50 %) slower.
pub(crate) fn batch_setup() -> Vec<String> {
    Vec::new()
}

/// Nothing to run after each chunk of a batch commits (PostgreSQL checkpoints on its own).
pub(crate) const CHUNK_CHECKPOINT: Option<&str> = None;

/// After a batch ends: nothing to do (PostgreSQL recycles its WAL segments itself).
pub(crate) async fn shrink_log(_pool: &sqlx::PgPool) {}

/// Whether statements whose best plan depends on their values are kept as prepared statements
/// (see `batch_setup`): the batch's per-chunk look-ups, the feed's, and the subject search
/// (a gram's posting list may hold one subject or millions).
pub(crate) const LOOKUPS_PERSISTENT: bool = false;

/// Statements that make a just-begun transaction one consistent read-only snapshot (for
/// `verify`): REPEATABLE READ sees the database as of its first query, while writers go on.
pub(crate) const SNAPSHOT_SETUP: &[&str] =
    &["SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"];

/// `former_names` as text, for LIKE searches (JSON text on SQLite, JSONB on PostgreSQL).
pub(crate) const FORMER_NAMES_TEXT: &str = "former_names::text";

#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: sqlx::PgPool,
    /// This process's writers take turns (see `shared::kernel::Gate`).
    pub(crate) gate: shared::kernel::Gate,
    /// Batches this store is importing (a writer is alive for each): never taken for
    /// abandoned by `recover_batches`, however long a chunk takes.
    pub(crate) live: shared::batches::Live,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self> {
        let opts = PgConnectOptions::from_str(url).map_err(|e| {
            StoreError::UnsupportedUrl(format!("{}（{e}）", crate::redact_url(url)))
        })?;
        Self::open_with(opts).await
    }

    pub async fn open_with(opts: PgConnectOptions) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(db) => StoreError::Unreachable(db.message().to_string()),
                other => StoreError::Unreachable(other.to_string()),
            })?;
        Ok(Self {
            pool,
            gate: Default::default(),
            live: Default::default(),
        })
    }

    pub fn pool(&self) -> &sqlx::PgPool {
        &self.pool
    }
}
