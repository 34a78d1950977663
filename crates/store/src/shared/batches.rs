//! Batch import (报送批次). Records stored without a subject are queued for linking by hand
//! (`links.rs`).
//!
//! A batch is written in chunks, each one short write transaction holding the change-log head
//! only for that chunk, so other writes (complaints, logins, audit) go on between chunks. Rows
//! go in with multi-row INSERTs (COPY on PostgreSQL, see the backend's `bulk`), logged in one
//! group entry per chunk. They are *staged*: the batch is `importing`, and every reader leaves
//! out rows whose `batch_id` is an open batch (`super::VISIBLE`); corrections of existing
//! records wait in `batch_corrections`. `commit` publishes the batch in one last short
//! transaction (applies the corrections, sets `committed`). A batch abandoned half-way is
//! failed and its staged rows removed, with their deletions logged (`batch_void.rs`).

use super::batch_void;
use super::kernel::{append, commit};
use super::links::{self, write_link};
use super::records::{base_history, history_id, record_from_row, write_record};
use super::subjects::{identity_digest, subject_digest, subject_from_row};
use async_trait::async_trait;
use chengxin_domain::records::{Record, RecordAction, RecordHistoryEntry, RecordStatus};
use chengxin_domain::subjects::Subject;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::value::RawValue;
use sqlx::pool::PoolConnection;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Row};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

mod history;
mod preview;
mod publish;

use super::kernel::{begin_write, begin_write_on, entry, PendingLog, Tx};
use super::{dec, enc, Db, Inner, UuidCol, FORMER_NAMES_TEXT};
use crate::changelog::{self, now, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    Batch, BatchEntities, BatchState, BatchStore, BatchWriter, ImportRow, LinkCandidate,
    LinkRequest, NewBatch, RejectedRow, RowOutcome, IMPORT_ABANDONED_AFTER as ABANDONED_AFTER,
};

/// Batches a store is importing (one writer alive for each).
pub(crate) type Live = Arc<std::sync::Mutex<HashSet<Uuid>>>;

/// How often a new import looks again whether the one before it has finished.
const WAIT_FOR_TURN: Duration = Duration::from_millis(200);

/// How often a waiting import looks whether the one before it was abandoned.
const RECOVER_WHILE_WAITING: Duration = Duration::from_secs(5);

/// Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535
/// bind-parameter limits for the widest table (records, 18 columns).
pub(crate) const CHUNK: usize = 500;

pub(crate) struct Writer {
    db: Inner,
    actor: String,
    batch: Batch,
    published_at: DateTime<Utc>,
    /// Source keys seen so far in this file, as 128-bit digests: a million-row file must not
    /// hold a million key strings (collisions at 2^-128 odds are not a practical concern).
    seen: HashSet<u128>,
    /// Whether the department had records of this type before the batch began. If not, every
    /// earlier row of this batch is caught by `seen`, so no existing-key look-up is needed.
    had_records: bool,
    /// Change-log groups written so far (numbers the next group's id).
    groups: u64,
    /// The log head after this batch's last transaction: entries after it are other writers'.
    last_seq: i64,
    /// Committed or aborted: nothing is left to clean up when the writer is dropped.
    finished: bool,
    /// The connection the batch's transactions run on, kept between them so its page cache
    /// stays warm (and, on SQLite, at the batch's larger size). Closed, not returned to the
    /// pool, when the batch ends.
    conn: Option<PoolConnection<Db>>,
    /// SQLite: checkpoints each chunk in the background (see `Checkpointer`).
    checkpointer: Option<Checkpointer>,
}

/// SQLite: copies each committed chunk from the write-ahead log into the database file in
/// the background, on a connection of its own, while the batch prepares its next chunk.
/// Left to SQLite, the copy (a few thousand pages a chunk, since every chunk touches pages
/// all over the random-key indexes) runs inside a commit — the batch's own, or the
/// complaint's that follows it — while that writer holds its turn. The batch's connection
/// does no automatic checkpoints (`batch_setup`); another writer's finds this one under
/// way and skips.
struct Checkpointer {
    chunk_committed: Arc<tokio::sync::Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Checkpointer {
    fn start(db: &Inner) -> Option<Self> {
        let stmt = super::CHUNK_CHECKPOINT?;
        let chunk_committed = Arc::new(tokio::sync::Notify::new());
        let (pool, wake) = (db.pool.clone(), chunk_committed.clone());
        let task = tokio::spawn(async move {
            loop {
                wake.notified().await;
                if let Err(e) = sqlx::query(stmt).execute(&pool).await {
                    tracing::debug!(error = %e, "batch checkpoint skipped");
                }
            }
        });
        Some(Self {
            chunk_committed,
            task,
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn begin(db: &Inner, actor: &str, b: NewBatch) -> Result<Writer> {
    let mut waited = false;
    let mut recover_at = std::time::Instant::now();
    let (mut tx, mut head) = loop {
        // Batches abandoned by a process that died are failed first: their staged rows hold
        // source keys and subjects this batch would otherwise meet. (While waiting for another
        // import, looked at again every few seconds.)
        if std::time::Instant::now() >= recover_at {
            batch_void::recover(db, "system:recover", ABANDONED_AFTER).await?;
            recover_at = std::time::Instant::now() + RECOVER_WHILE_WAITING;
        }
        let (mut tx, head) = begin_write(db).await?;
        let open: Option<UuidCol> = sqlx::query_scalar(
            "SELECT id FROM batches WHERE state IN ('importing', 'failing') LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(other) = open else {
            break (tx, head);
        };
        // One import at a time (they used to queue on the log head); the others wait here,
        // without holding the head.
        drop(tx);
        drop(head);
        if !waited {
            tracing::info!(other = %dec(other), "batch import waits for the import before it");
            waited = true;
        }
        tokio::time::sleep(WAIT_FOR_TURN).await;
    };
    let known: Option<String> =
        sqlx::query_scalar("SELECT code FROM catalog_types WHERE code = $1")
            .bind(&b.type_code)
            .fetch_optional(&mut *tx)
            .await?;
    if known.is_none() {
        return Err(StoreError::NotFound {
            entity: "信息类型",
            id: b.type_code,
        });
    }
    let had_records: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM records WHERE source_dept = $1 AND type_code = $2 LIMIT 1",
    )
    .bind(&b.source_dept)
    .bind(&b.type_code)
    .fetch_optional(&mut *tx)
    .await?;
    let had_records = had_records.is_some();
    let t = now();
    let batch = Batch {
        id: Uuid::now_v7(),
        type_code: b.type_code,
        source_dept: b.source_dept,
        file_name: b.file_name,
        file_sha256: b.file_sha256,
        format: b.format,
        encoding: b.encoding,
        submitted_by: actor.to_string(),
        submitted_at: t,
        total: 0,
        created: 0,
        corrected: 0,
        duplicates: 0,
        rejected: 0,
        queued: 0,
        subjects_created: 0,
        unknown_columns: Vec::new(),
        headers: b.headers,
        state: BatchState::Importing,
        rejects_not_kept: 0,
        reject_reasons: Vec::new(),
    };
    // The row exists from the start: it makes the batch's rows invisible, and rejected rows
    // reference it. Its counts are written (and logged) at commit.
    write_batch_row(&mut tx, &batch, true).await?;
    append(
        &mut tx,
        &mut head,
        actor,
        "batch",
        &batch.id.to_string(),
        "open",
        Some(batch_digest(&batch)?),
    )
    .await?;
    let last_seq = head.seq;
    commit(tx, head).await?;
    if let Ok(mut live) = db.live.lock() {
        live.insert(batch.id);
    }
    Ok(Writer {
        db: db.clone(),
        actor: actor.to_string(),
        batch,
        published_at: b.published_at.map(crate::changelog::micros).unwrap_or(t),
        seen: HashSet::new(),
        had_records,
        groups: 0,
        last_seq,
        finished: false,
        conn: None,
        checkpointer: Checkpointer::start(db),
    })
}

pub(super) async fn write_batch_row(tx: &mut Tx<'_>, b: &Batch, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO batches (type_code, source_dept, file_name, file_sha256, format, encoding, submitted_by, \
         submitted_at, total, created, corrected, duplicates, rejected, queued, subjects_created, unknown_columns, id, headers, state, \
         rejects_not_kept, reject_reasons) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
    } else {
        "UPDATE batches SET type_code = $1, source_dept = $2, file_name = $3, file_sha256 = $4, format = $5, \
         encoding = $6, submitted_by = $7, submitted_at = $8, total = $9, created = $10, corrected = $11, \
         duplicates = $12, rejected = $13, queued = $14, subjects_created = $15, unknown_columns = $16, headers = $18, \
         state = $19, rejects_not_kept = $20, reject_reasons = $21 WHERE id = $17"
    };
    sqlx::query(sql)
        .bind(&b.type_code)
        .bind(&b.source_dept)
        .bind(&b.file_name)
        .bind(&b.file_sha256)
        .bind(&b.format)
        .bind(&b.encoding)
        .bind(&b.submitted_by)
        .bind(b.submitted_at)
        .bind(b.total)
        .bind(b.created)
        .bind(b.corrected)
        .bind(b.duplicates)
        .bind(b.rejected)
        .bind(b.queued)
        .bind(b.subjects_created)
        .bind(Json(&b.unknown_columns))
        .bind(enc(b.id))
        .bind(Json(&b.headers))
        .bind(b.state.as_str())
        .bind(b.rejects_not_kept)
        .bind(Json(&b.reject_reasons))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) fn batch_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Batch> {
    Ok(Batch {
        id: dec(row.try_get("id")?),
        type_code: row.try_get("type_code")?,
        source_dept: row.try_get("source_dept")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        format: row.try_get("format")?,
        encoding: row.try_get("encoding")?,
        submitted_by: row.try_get("submitted_by")?,
        submitted_at: row.try_get("submitted_at")?,
        total: row.try_get("total")?,
        created: row.try_get("created")?,
        corrected: row.try_get("corrected")?,
        duplicates: row.try_get("duplicates")?,
        rejected: row.try_get("rejected")?,
        queued: row.try_get("queued")?,
        subjects_created: row.try_get("subjects_created")?,
        unknown_columns: row.try_get::<Json<Vec<String>>, _>("unknown_columns")?.0,
        headers: row.try_get::<Json<Vec<String>>, _>("headers")?.0,
        state: {
            let s: String = row.try_get("state")?;
            BatchState::parse(&s).ok_or_else(|| super::bad_row("批次状态", &s))?
        },
        rejects_not_kept: row.try_get("rejects_not_kept")?,
        reject_reasons: row
            .try_get::<Json<Vec<chengxin_domain::intake::rejects::ReasonCount>>, _>(
                "reject_reasons",
            )?
            .0,
    })
}

/// The logged state of a batch: its fields as they were before batches had states, plus the
/// state unless `committed` — so the digests of batches committed before (all of them were,
/// in one transaction) stay what they were.
pub(crate) fn batch_digest(b: &Batch) -> Result<String> {
    #[derive(serde::Serialize)]
    struct Logged<'a> {
        id: Uuid,
        type_code: &'a str,
        source_dept: &'a str,
        file_name: Option<&'a str>,
        file_sha256: &'a str,
        format: &'a str,
        encoding: &'a str,
        submitted_by: &'a str,
        submitted_at: DateTime<Utc>,
        total: i64,
        created: i64,
        corrected: i64,
        duplicates: i64,
        rejected: i64,
        queued: i64,
        subjects_created: i64,
        unknown_columns: &'a [String],
        headers: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        state: Option<BatchState>,
        // Left out when empty, like `state`: earlier batches' digests stay what they were.
        #[serde(skip_serializing_if = "is_zero")]
        rejects_not_kept: i64,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        reject_reasons: &'a [chengxin_domain::intake::rejects::ReasonCount],
    }
    fn is_zero(n: &i64) -> bool {
        *n == 0
    }
    state_digest(&Logged {
        id: b.id,
        type_code: &b.type_code,
        source_dept: &b.source_dept,
        file_name: b.file_name.as_deref(),
        file_sha256: &b.file_sha256,
        format: &b.format,
        encoding: &b.encoding,
        submitted_by: &b.submitted_by,
        submitted_at: b.submitted_at,
        total: b.total,
        created: b.created,
        corrected: b.corrected,
        duplicates: b.duplicates,
        rejected: b.rejected,
        queued: b.queued,
        subjects_created: b.subjects_created,
        unknown_columns: &b.unknown_columns,
        headers: &b.headers,
        state: (b.state != BatchState::Committed).then_some(b.state),
        rejects_not_kept: b.rejects_not_kept,
        reject_reasons: &b.reject_reasons,
    })
}

/// A correction staged by a batch: the record as it will be once the batch is published,
/// and the version it corrects.
#[derive(serde::Serialize)]
pub(crate) struct CorrectionState<'a> {
    pub batch_id: Uuid,
    pub base_version: i64,
    pub record: &'a Record,
    /// The corrected record's free texts as given, sealed (see `record_texts`), when any
    /// held an ID number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub texts_sealed: Option<&'a str>,
}

pub(crate) fn correction_id(batch: Uuid, record: Uuid) -> String {
    format!("{batch}:{record}")
}

/// A staged correction as stored: batch, base version, corrected record, sealed texts.
pub(crate) fn correction_from_row(
    row: &<Db as sqlx::Database>::Row,
) -> Result<(Uuid, i64, Record, Option<String>)> {
    Ok((
        dec(row.try_get("batch_id")?),
        row.try_get("base_version")?,
        row.try_get::<Json<Record>, _>("record")?.0,
        row.try_get("texts_sealed")?,
    ))
}

pub(crate) fn reject_from_row(row: &<Db as sqlx::Database>::Row) -> Result<RejectedRow> {
    Ok(RejectedRow {
        row: u64::try_from(row.try_get::<i64, _>("row_no")?).unwrap_or(0),
        cells: row.try_get::<Json<Vec<String>>, _>("cells")?.0,
        reasons: row.try_get::<Json<Vec<String>>, _>("reasons")?.0,
    })
}

/// The state of a `batch_reject` entity, for its log digest.
#[derive(serde::Serialize)]
pub(crate) struct RejectState<'a> {
    pub batch_id: Uuid,
    pub row: &'a RejectedRow,
}

fn key_digest(doc_no: &str) -> u128 {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(doc_no.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    u128::from_le_bytes(b)
}

pub(crate) fn reject_id(batch: Uuid, row: u64) -> String {
    format!("{batch}:{row}")
}

impl Writer {
    fn next_group(&mut self) -> String {
        self.groups += 1;
        format!("batch:{}:{}", self.batch.id, self.groups)
    }

    /// Whether another writer created records since this batch's last transaction (`tx`
    /// holds the head at `head_seq`). A batch that began with no records of its type and
    /// department skips the existing-key look-up, which is only right while nobody else adds
    /// one; a record created meanwhile (one by one, through the API) turns the look-up on.
    async fn others_created_records(&self, tx: &mut Tx<'_>, head_seq: i64) -> Result<bool> {
        if head_seq == self.last_seq {
            return Ok(false);
        }
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM change_log WHERE seq > $1 AND (entity_type = 'record' \
             OR (entity_type = $2 AND members LIKE $3)) LIMIT 1",
        )
        .bind(self.last_seq)
        .bind(changelog::GROUP_ENTITY)
        .bind("%\trecord\t%")
        .fetch_optional(&mut **tx)
        .await?;
        Ok(found.is_some())
    }

    async fn existing_records(
        &self,
        tx: &mut Tx<'_>,
        doc_nos: &[&str],
    ) -> Result<HashMap<String, Record>> {
        let mut found = HashMap::new();
        let (dept, ty) = (
            self.batch.source_dept.as_str(),
            self.batch.type_code.as_str(),
        );
        for part in doc_nos.chunks(CHUNK) {
            let mut q = QueryBuilder::<Db>::new("SELECT * FROM records WHERE source_dept = ");
            q.push_bind(dept).push(" AND type_code = ").push_bind(ty);
            q.push(" AND doc_no IN (");
            let mut sep = q.separated(", ");
            for d in part {
                sep.push_bind(*d);
            }
            q.push(")");
            let rows = q
                .build()
                .persistent(super::LOOKUPS_PERSISTENT)
                .fetch_all(&mut **tx)
                .await?;
            for r in rows {
                let rec = record_from_row(&r)?;
                found.insert(rec.doc_no.clone(), rec);
            }
        }
        Ok(found)
    }

    async fn candidates(tx: &mut Tx<'_>, name: &str) -> Result<Vec<LinkCandidate>> {
        let prefix: String = name.chars().take(4).collect();
        let sql = format!(
            "SELECT * FROM subjects WHERE name = $1 OR {FORMER_NAMES_TEXT} LIKE $2 OR name LIKE $3 ORDER BY name LIMIT 5"
        );
        let rows = sqlx::query(&sql)
            .persistent(super::LOOKUPS_PERSISTENT)
            .bind(name)
            .bind(format!("%\"{name}\"%"))
            .bind(format!("{prefix}%"))
            .fetch_all(&mut **tx)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let s = subject_from_row(&r)?;
            let reason = if s.name == name {
                "名称完全一致"
            } else if s.former_names.iter().any(|f| f == name) {
                "与曾用名一致"
            } else {
                "名称前缀相同"
            };
            out.push(LinkCandidate {
                subject_id: s.id,
                name: s.name,
                reason: reason.into(),
            });
        }
        Ok(out)
    }

    /// Inside a chunk's transaction: the batch is still importing. A batch failed by
    /// `recover_batches` (its writer stalled for longer than `ABANDONED_AFTER`) takes no more
    /// rows.
    async fn still_importing(&self, tx: &mut Tx<'_>) -> Result<()> {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM batches WHERE id = $1")
            .bind(enc(self.batch.id))
            .fetch_optional(&mut **tx)
            .await?;
        if state.as_deref() != Some(BatchState::Importing.as_str()) {
            return Err(StoreError::Invalid(
                "该批次导入已中断（长时间无进展，已作废），请重新报送".into(),
            ));
        }
        Ok(())
    }

    fn chunk_committed(&self) {
        if let Some(c) = &self.checkpointer {
            c.chunk_committed.notify_one();
        }
    }

    /// The batch's connection, set up for bulk writes the first time.
    async fn connection(&mut self) -> Result<PoolConnection<Db>> {
        if let Some(c) = self.conn.take() {
            return Ok(c);
        }
        let mut c = self.db.pool.acquire().await?;
        // Set up for this batch only: closed when the batch ends.
        c.close_on_drop();
        for stmt in super::batch_setup() {
            sqlx::query(&stmt).execute(&mut *c).await?;
        }
        Ok(c)
    }

    fn still_open(&self) -> Result<()> {
        if self.finished {
            return Err(StoreError::Invalid("批次已提交或已中止".into()));
        }
        Ok(())
    }

    /// Fail the batch and remove what it staged.
    async fn fail_now(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        // The batch's connection goes first: the clean-up takes its turns like any writer.
        self.conn = None;
        self.checkpointer = None;
        let failed = batch_void::fail(&self.db, &self.actor, self.batch.id).await;
        super::shrink_log(&self.db.pool).await;
        failed
    }
}

impl Drop for Writer {
    /// A writer dropped half-way (an error, a cancelled request) fails its batch in the
    /// background; if the process dies first, `recover_batches` does it later.
    fn drop(&mut self) {
        if let Ok(mut live) = self.db.live.lock() {
            live.remove(&self.batch.id);
        }
        if self.finished {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (db, actor, id) = (self.db.clone(), self.actor.clone(), self.batch.id);
        rt.spawn(async move {
            if let Err(e) = batch_void::fail(&db, &actor, id).await {
                tracing::warn!(batch = %id, error = %e, "abandoned batch not yet cleaned up; the next import or recovery will");
            }
        });
    }
}

/// A new record as the batch writes it: the fields, names and order of
/// `chengxin_domain::records::Record`, so `state_digest` gives the digest `verify` recomputes
/// from the stored row, but borrowing the row's pre-serialised fields instead of copying
/// them (a test pins the two digests together).
#[derive(serde::Serialize)]
pub(crate) struct NewRecordRow<'a> {
    pub id: Uuid,
    pub type_code: &'a str,
    pub subject_id: Option<Uuid>,
    pub subject_name: &'a str,
    pub doc_no: &'a str,
    pub decision_date: NaiveDate,
    pub source_dept: &'a str,
    pub batch_id: Option<Uuid>,
    pub fields: &'a RawValue,
    pub severity: Option<&'a str>,
    pub status: RecordStatus,
    pub tolerated: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub publish_until: Option<NaiveDate>,
    pub content_digest: &'a str,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

async fn insert_history_rows(tx: &mut Tx<'_>, rows: &[RecordHistoryEntry]) -> Result<()> {
    for part in rows.chunks(CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO record_history (record_id, version, action, status, fields, actor, note, at, changes) ",
        );
        q.push_values(part, |mut b, h| {
            b.push_bind(enc(h.record_id))
                .push_bind(h.version)
                .push_bind(h.action.as_str())
                .push_bind(h.status.as_str())
                .push_bind(Json(&h.fields))
                .push_bind(h.actor.as_str())
                .push_bind(h.note.as_deref())
                .push_bind(h.at)
                .push_bind(super::records::changes_column(&h.changes));
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

#[async_trait]
impl BatchWriter for Writer {
    fn id(&self) -> Uuid {
        self.batch.id
    }

    async fn write(&mut self, rows: Vec<ImportRow>) -> Result<Vec<RowOutcome>> {
        self.still_open()?;
        let t = now();
        let group = self.next_group();
        let batch_id = self.batch.id;
        let (type_code, source_dept) =
            (self.batch.type_code.clone(), self.batch.source_dept.clone());
        let mut log = PendingLog::default();
        let mut outcomes: Vec<Option<RowOutcome>> = vec![None; rows.len()];
        // 1. Same source key twice in one file: the later row is refused.
        let mut fresh = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            if self.seen.insert(key_digest(&r.doc_no)) {
                fresh.push(i);
            } else {
                outcomes[i] = Some(RowOutcome::DuplicateInFile);
            }
        }

        // This chunk's transaction: the head is held from here to its commit only.
        let mut conn = self.connection().await?;
        let (mut tx, mut head) = begin_write_on(&self.db, &mut conn).await?;
        self.still_importing(&mut tx).await?;
        if !self.had_records && self.others_created_records(&mut tx, head.seq).await? {
            self.had_records = true;
        }
        let t0 = std::time::Instant::now();
        // 2. Resolve subjects by USCC / ID-number hash, creating the new ones.
        let usccs: Vec<String> = fresh
            .iter()
            .filter_map(|&i| rows[i].subject_uscc.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let hashes: Vec<String> = fresh
            .iter()
            .filter(|&&i| rows[i].subject_uscc.is_none())
            .filter_map(|&i| rows[i].subject_id_hash.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut by_uscc = super::bulk::subjects_by(&mut tx, "uscc", &usccs).await?;
        let mut by_hash = super::bulk::subjects_by(&mut tx, "id_hash", &hashes).await?;
        let mut new_subjects = Vec::new();
        let mut identities: Vec<(Uuid, &str)> = Vec::new();
        for &i in &fresh {
            let r = &rows[i];
            let missing = match (&r.subject_uscc, &r.subject_id_hash) {
                (Some(u), _) => !by_uscc.contains_key(u),
                (None, Some(h)) => !by_hash.contains_key(h),
                (None, None) => false,
            };
            if !missing {
                continue;
            }
            let s = Subject {
                id: Uuid::now_v7(),
                kind: r.subject_kind,
                name: r.subject_name.clone(),
                uscc: r.subject_uscc.clone(),
                id_hash: if r.subject_uscc.is_some() {
                    None
                } else {
                    r.subject_id_hash.clone()
                },
                id_masked: if r.subject_uscc.is_some() {
                    None
                } else {
                    r.subject_id_masked.clone()
                },
                region: r.subject_region.clone(),
                parent_id: None,
                former_names: Vec::new(),
                created_at: t,
                updated_at: t,
                version: 1,
            };
            match (&s.uscc, &s.id_hash) {
                (Some(u), _) => by_uscc.insert(u.clone(), s.id),
                (None, Some(h)) => by_hash.insert(h.clone(), s.id),
                _ => None,
            };
            log.push(entry(
                "subject",
                s.id.to_string(),
                "create",
                subject_digest(&s, Some(batch_id))?,
            ));
            if let (Some(sealed), Some(_)) = (&r.subject_id_sealed, &s.id_hash) {
                log.push(entry(
                    "subject_identity",
                    s.id.to_string(),
                    "set",
                    identity_digest(sealed)?,
                ));
                identities.push((s.id, sealed.as_str()));
            }
            new_subjects.push(s);
        }
        self.batch.subjects_created += new_subjects.len() as i64;

        let t1 = t0.elapsed();
        // 3. Existing records with the same source keys.
        let doc_nos: Vec<&str> = fresh.iter().map(|&i| rows[i].doc_no.as_str()).collect();
        let existing = if self.had_records {
            self.existing_records(&mut tx, &doc_nos).await?
        } else {
            HashMap::new()
        };

        let mut new_records: Vec<NewRecordRow<'_>> = Vec::new();
        let mut corrections: Vec<(i64, Record, Option<&str>)> = Vec::new();
        let mut queued = Vec::new();
        // Sealed free texts of the records written (a corrected record's replace its own).
        let mut texts: Vec<(Uuid, Option<&str>)> = Vec::new();
        for &i in &fresh {
            let r = &rows[i];
            let subject_id = match (&r.subject_uscc, &r.subject_id_hash) {
                (Some(u), _) => by_uscc.get(u).copied(),
                (None, Some(h)) => by_hash.get(h).copied(),
                (None, None) => None,
            };
            if let Some(old) = existing.get(&r.doc_no) {
                if old.content_digest == r.content_digest {
                    outcomes[i] = Some(RowOutcome::Duplicate(old.id));
                    self.batch.duplicates += 1;
                    continue;
                }
                let negative = old.severity.is_some();
                if RecordAction::Correct
                    .apply(old.status, negative, old.tolerated, None)
                    .is_err()
                {
                    outcomes[i] = Some(RowOutcome::NotCorrectable(old.id));
                    continue;
                }
                let mut rec = old.clone();
                rec.fields = r.fields.to_map()?;
                rec.decision_date = r.decision_date;
                rec.severity = r.severity.clone();
                rec.publish_until = r.publish_until;
                rec.subject_name = r.subject_name.clone();
                if subject_id.is_some() {
                    rec.subject_id = subject_id;
                }
                rec.batch_id = Some(batch_id);
                rec.content_digest = r.content_digest.clone();
                rec.version += 1;
                rec.updated_at = t;
                outcomes[i] = Some(RowOutcome::Corrected(rec.id));
                self.batch.corrected += 1;
                corrections.push((old.version, rec, r.texts_sealed.as_deref()));
                continue;
            }
            let rec = NewRecordRow {
                id: Uuid::now_v7(),
                type_code: &type_code,
                subject_id,
                subject_name: &r.subject_name,
                doc_no: &r.doc_no,
                decision_date: r.decision_date,
                source_dept: &source_dept,
                batch_id: Some(batch_id),
                fields: r.fields.raw(),
                severity: r.severity.as_deref(),
                status: r.status,
                tolerated: false,
                published_at: (r.status == RecordStatus::Published).then_some(self.published_at),
                publish_until: r.publish_until,
                content_digest: &r.content_digest,
                version: 1,
                created_at: t,
                updated_at: t,
            };
            if subject_id.is_none() {
                outcomes[i] = Some(RowOutcome::Queued(rec.id));
                self.batch.queued += 1;
                queued.push((rec.id, r.subject_name.clone()));
            } else {
                outcomes[i] = Some(RowOutcome::Created(rec.id));
            }
            self.batch.created += 1;
            if let Some(sealed) = &r.texts_sealed {
                texts.push((rec.id, Some(sealed)));
            }
            new_records.push(rec);
        }
        // New records get no history row of their own: see `records::implicit_create`.
        for rec in &new_records {
            log.push(entry(
                "record",
                rec.id.to_string(),
                "create",
                state_digest(rec)?,
            ));
        }
        // Corrections wait, staged, for the batch to be published: the record is unchanged
        // until then.
        for (base_version, rec, texts_sealed) in &corrections {
            log.push(entry(
                "batch_correction",
                correction_id(batch_id, rec.id),
                "create",
                state_digest(&CorrectionState {
                    batch_id,
                    base_version: *base_version,
                    record: rec,
                    texts_sealed: *texts_sealed,
                })?,
            ));
        }

        let t2 = t0.elapsed();
        // 4. Write.
        super::bulk::insert_subjects(&mut tx, &new_subjects, batch_id).await?;
        for part in identities.chunks(CHUNK) {
            let mut q =
                QueryBuilder::<Db>::new("INSERT INTO subject_identities (subject_id, sealed) ");
            q.push_values(part, |mut b, (id, sealed)| {
                b.push_bind(enc(*id)).push_bind(*sealed);
            });
            q.build().execute(&mut *tx).await?;
        }
        let t3 = t0.elapsed();
        super::bulk::insert_records(&mut tx, &new_records).await?;
        let t4 = t0.elapsed();
        for part in corrections.chunks(CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO batch_corrections (batch_id, record_id, base_version, record, texts_sealed) ",
            );
            q.push_values(part, |mut b, (base_version, rec, texts_sealed)| {
                b.push_bind(enc(batch_id))
                    .push_bind(enc(rec.id))
                    .push_bind(*base_version)
                    .push_bind(Json(rec))
                    .push_bind(*texts_sealed);
            });
            q.build().execute(&mut *tx).await?;
        }
        for (id, sealed) in texts {
            if let Some((action, digest)) = super::records::put_texts(&mut tx, id, sealed).await? {
                let digest = digest.unwrap_or_else(|| "-".into());
                log.push(entry("record_text", id.to_string(), action, digest));
            }
        }
        let t5 = t0.elapsed();
        let mut link_rows = Vec::new();
        for (record_id, name) in queued {
            let candidates = Self::candidates(&mut tx, &name).await?;
            link_rows.push(crate::LinkRequest {
                record_id,
                subject_name: name,
                candidates,
                status: "pending".into(),
                created_at: t,
            });
        }
        for l in &link_rows {
            write_link(&mut tx, l, true).await?;
            log.push(entry(
                "link_request",
                l.record_id.to_string(),
                "create",
                state_digest(l)?,
            ));
        }
        log.flush_grouped(&mut tx, &mut head, &self.actor, &group)
            .await?;
        let t6 = t0.elapsed();
        let seq = head.seq;
        commit(tx, head).await?;
        self.chunk_committed();
        self.conn = Some(conn);
        self.last_seq = seq;
        tracing::debug!(?t1, ?t2, ?t3, ?t4, ?t5, ?t6, commit = ?t0.elapsed(), rows = rows.len(), "batch write timings");
        // The new subjects' search index rows are written once the batch is published
        // (`search::index_published`).

        let outcomes: Vec<RowOutcome> = outcomes
            .into_iter()
            .map(|o| o.ok_or_else(|| StoreError::Invalid("内部错误：行结果缺失".into())))
            .collect::<Result<_>>()?;
        self.batch.total += outcomes
            .iter()
            .filter(|o| {
                !matches!(
                    o,
                    RowOutcome::DuplicateInFile | RowOutcome::NotCorrectable(_)
                )
            })
            .count() as i64;
        Ok(outcomes)
    }

    async fn reject(&mut self, rows: Vec<RejectedRow>) -> Result<()> {
        self.still_open()?;
        let batch_id = self.batch.id;
        let mut log = PendingLog::default();
        for r in &rows {
            log.push(entry(
                "batch_reject",
                reject_id(batch_id, r.row),
                "create",
                state_digest(&RejectState { batch_id, row: r })?,
            ));
        }
        let group = self.next_group();
        let mut conn = self.connection().await?;
        let (mut tx, mut head) = begin_write_on(&self.db, &mut conn).await?;
        self.still_importing(&mut tx).await?;
        for part in rows.chunks(CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO batch_rejects (batch_id, row_no, cells, reasons) ",
            );
            q.push_values(part, |mut b, r| {
                b.push_bind(enc(batch_id))
                    .push_bind(i64::try_from(r.row).unwrap_or(i64::MAX))
                    .push_bind(Json(&r.cells))
                    .push_bind(Json(&r.reasons));
            });
            q.build().execute(&mut *tx).await?;
        }
        log.flush_grouped(&mut tx, &mut head, &self.actor, &group)
            .await?;
        let seq = head.seq;
        commit(tx, head).await?;
        self.chunk_committed();
        self.conn = Some(conn);
        self.last_seq = seq;
        self.batch.total += rows.len() as i64;
        self.batch.rejected += rows.len() as i64;
        Ok(())
    }

    fn count_rejects(
        &mut self,
        not_kept: u64,
        reasons: Vec<chengxin_domain::intake::rejects::ReasonCount>,
    ) {
        let n = i64::try_from(not_kept).unwrap_or(i64::MAX);
        self.batch.total = self.batch.total.saturating_add(n);
        self.batch.rejected = self.batch.rejected.saturating_add(n);
        self.batch.rejects_not_kept = self.batch.rejects_not_kept.saturating_add(n);
        self.batch.reject_reasons = reasons;
    }

    async fn commit(mut self: Box<Self>, unknown_columns: Vec<String>) -> Result<Batch> {
        match self.publish(unknown_columns).await {
            Ok(b) => Ok(b),
            Err(e) => {
                // Nothing of the batch was published: fail it and remove what it staged.
                if let Err(clean) = self.fail_now().await {
                    tracing::warn!(batch = %self.batch.id, error = %clean, "failed batch not yet cleaned up");
                }
                Err(e)
            }
        }
    }

    async fn abort(mut self: Box<Self>) -> Result<()> {
        self.fail_now().await
    }
}

#[async_trait]
impl BatchStore for Inner {
    async fn begin_batch(&self, actor: &str, b: NewBatch) -> Result<Box<dyn BatchWriter>> {
        Ok(Box::new(begin(self, actor, b).await?))
    }

    async fn batch(&self, id: Uuid) -> Result<Option<Batch>> {
        sqlx::query("SELECT * FROM batches WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(batch_from_row)
            .transpose()
    }

    async fn recover_batches(&self, actor: &str, idle: Duration) -> Result<Vec<Uuid>> {
        batch_void::recover(self, actor, idle).await
    }

    async fn batch_entities(&self, id: Uuid) -> Result<BatchEntities> {
        batch_void::entities(self, id).await
    }

    async fn batch_by_file(
        &self,
        type_code: &str,
        source_dept: &str,
        sha256: &str,
    ) -> Result<Option<Batch>> {
        sqlx::query(
            "SELECT * FROM batches WHERE type_code = $1 AND source_dept = $2 AND file_sha256 = $3 \
             AND state = 'committed' ORDER BY submitted_at LIMIT 1",
        )
        .bind(type_code)
        .bind(source_dept)
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(batch_from_row)
        .transpose()
    }

    async fn batch_rejects(&self, id: Uuid) -> Result<Vec<RejectedRow>> {
        // A batch's rejected rows are shown once it is published, like the rest of it.
        let rows = sqlx::query(
            "SELECT * FROM batch_rejects WHERE batch_id = $1 \
             AND batch_id IN (SELECT id FROM batches WHERE id = $1 AND state = 'committed') ORDER BY row_no",
        )
        .bind(enc(id))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(reject_from_row).collect()
    }

    async fn link_queue(&self, limit: i64) -> Result<Vec<LinkRequest>> {
        links::pending(self, limit).await
    }

    async fn link_record(&self, actor: &str, record_id: Uuid, subject_id: Uuid) -> Result<Record> {
        links::link_record(self, actor, record_id, subject_id).await
    }

    async fn preview_rows(
        &self,
        type_code: &str,
        source_dept: &str,
        rows: &[ImportRow],
    ) -> Result<Vec<crate::RowPreview>> {
        preview::preview(self, type_code, source_dept, rows).await
    }

    async fn batches_page(
        &self,
        filter: &crate::BatchFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Batch>, i64)> {
        history::page(self, filter, offset, limit).await
    }

    async fn batch_publication(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<(Uuid, crate::BatchPublication)>> {
        history::publication(self, ids).await
    }

    async fn batch_records(&self, id: Uuid, offset: i64, limit: i64) -> Result<(Vec<Record>, i64)> {
        history::records(self, id, offset, limit).await
    }
}

#[cfg(test)]
mod tests;
