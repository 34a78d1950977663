//! Batch import (报送批次): the batch writer, import rows and the manual link queue.

use async_trait::async_trait;
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::subjects::SubjectKind;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Result, StoreError};

/// An `importing` batch that logged nothing for this long, and that no writer of this process
/// holds, was abandoned by a process that died: the next import (or
/// [`BatchStore::recover_batches`] with this) fails it. A chunk is written every fraction of
/// a second while an import runs.
pub const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(120);

/// A validated import row, ready to store. The clear ID number never gets here: only its
/// keyed hash and masked form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportRow {
    /// Row number in the submitted file.
    pub row: u64,
    pub doc_no: String,
    pub decision_date: NaiveDate,
    pub subject_name: String,
    pub subject_uscc: Option<String>,
    pub subject_id_hash: Option<String>,
    pub subject_id_masked: Option<String>,
    /// The ID number sealed with the personal-data key (kept apart, see
    /// `Store::subject_identity`).
    #[serde(default)]
    pub subject_id_sealed: Option<String>,
    pub subject_kind: SubjectKind,
    pub subject_region: Option<String>,
    pub fields: RowFields,
    pub severity: Option<String>,
    pub status: RecordStatus,
    pub publish_until: Option<NaiveDate>,
    pub content_digest: String,
    /// The row's free texts as given, sealed, when any held an ID number (`fields` has them
    /// masked): kept beside the record (see `RecordStore::record_texts`).
    #[serde(default)]
    pub texts_sealed: Option<String>,
}

/// An import row's fields as canonical JSON text (keys sorted, compact) — exactly what
/// `serde_json` writes for the record's `fields` map. Serialised once, on the reading
/// thread, then stored and digested as-is: a bulk import would otherwise re-serialise every
/// row's fields for the insert, the history and the change-log digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RowFields(Box<serde_json::value::RawValue>);

impl RowFields {
    pub fn new(map: &serde_json::Map<String, serde_json::Value>) -> Result<Self> {
        serde_json::value::to_raw_value(map)
            .map(Self)
            .map_err(|e| StoreError::Invalid(format!("字段无法序列化：{e}")))
    }

    pub fn raw(&self) -> &serde_json::value::RawValue {
        &self.0
    }

    pub fn to_map(&self) -> Result<serde_json::Map<String, serde_json::Value>> {
        serde_json::from_str(self.0.get())
            .map_err(|e| StoreError::Invalid(format!("字段无法解析：{e}")))
    }
}

/// What happened to one import row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "record_id", rename_all = "snake_case")]
pub enum RowOutcome {
    Created(Uuid),
    /// Same source key, new content: a correction with history.
    Corrected(Uuid),
    /// Same source key, same content: nothing changed.
    Duplicate(Uuid),
    /// Stored without a subject; queued for manual linking.
    Queued(Uuid),
    /// The same source key appeared earlier in this file: not stored, not counted; the
    /// caller rejects the row with a reason.
    DuplicateInFile,
    /// The existing record no longer accepts corrections (revoked or repaired): not stored,
    /// not counted; the caller rejects the row with a reason.
    NotCorrectable(Uuid),
}

/// A rejected row, kept for the error report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub row: u64,
    pub cells: Vec<String>,
    pub reasons: Vec<String>,
}

/// A submitted file (报送批次).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewBatch {
    pub type_code: String,
    /// USCC of the submitting department.
    pub source_dept: String,
    pub file_name: Option<String>,
    pub file_sha256: String,
    pub format: String,
    pub encoding: String,
    /// Publication time to record (backfilling from an older platform); now when `None`.
    pub published_at: Option<DateTime<Utc>>,
    /// The file's column headers, for the error report.
    pub headers: Vec<String>,
}

/// Where a batch is in its import. Its rows are written in chunks, each a short transaction,
/// and stay invisible to every reader (record and subject reads, counts, the portal, the
/// check index) until the last short transaction publishes them all at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Chunks are being written; nothing of the batch is visible yet.
    Importing,
    /// Published: every row of the batch is visible.
    #[default]
    Committed,
    /// Abandoned (failed, dropped, or its process died): its staged rows are being removed,
    /// still invisible.
    Failing,
    /// Abandoned, and none of its rows is left.
    Failed,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Importing => "importing",
            Self::Committed => "committed",
            Self::Failing => "failing",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "importing" => Self::Importing,
            "committed" => Self::Committed,
            "failing" => Self::Failing,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// A batch as stored, with its counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: Uuid,
    pub type_code: String,
    pub source_dept: String,
    pub file_name: Option<String>,
    pub file_sha256: String,
    pub format: String,
    pub encoding: String,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub total: i64,
    pub created: i64,
    pub corrected: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub queued: i64,
    pub subjects_created: i64,
    pub unknown_columns: Vec<String>,
    pub headers: Vec<String>,
    /// The counts are final once `committed`; before, they are zero.
    #[serde(default)]
    pub state: BatchState,
    /// Rejected rows counted in `rejected` but not kept for the error report (a batch keeps
    /// the first [`RejectLimits::keep`](chengxin_domain::intake::rejects::RejectLimits)).
    #[serde(default)]
    pub rejects_not_kept: i64,
    /// Every reason rows were rejected for, with its rows, most first.
    #[serde(default)]
    pub reject_reasons: Vec<chengxin_domain::intake::rejects::ReasonCount>,
}

/// Writes one batch, all or nothing as readers see it: each `write`/`reject` is its own short
/// transaction (the change-log head is held for that chunk only, so other writes go on between
/// chunks), its rows staged — stored and logged, invisible to every reader — until `commit`
/// publishes the whole batch in one last short transaction. `abort`, dropping the writer, or a
/// crash (see [`BatchStore::recover_batches`]) fails the batch and removes what it staged.
#[async_trait]
pub trait BatchWriter: Send {
    fn id(&self) -> Uuid;
    /// Store validated rows (in file order).
    async fn write(&mut self, rows: Vec<ImportRow>) -> Result<Vec<RowOutcome>>;
    /// Keep rejected rows for the error report.
    async fn reject(&mut self, rows: Vec<RejectedRow>) -> Result<()>;
    /// Count rejected rows that are not kept, and set the reasons by rows (written when the
    /// batch is published).
    fn count_rejects(
        &mut self,
        not_kept: u64,
        reasons: Vec<chengxin_domain::intake::rejects::ReasonCount>,
    );
    /// Publish the batch. On failure the batch is failed and its staged rows removed.
    async fn commit(self: Box<Self>, unknown_columns: Vec<String>) -> Result<Batch>;
    /// Fail the batch now and remove what it staged (dropping the writer does the same in the
    /// background).
    async fn abort(self: Box<Self>) -> Result<()>;
}

/// The entities a committed batch created or corrected, for the check index to load when the
/// batch is published (it skips the batch's staged chunks while they are written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchEntities {
    pub subjects: Vec<Uuid>,
    pub records: Vec<Uuid>,
}

/// A record stored without a subject, waiting to be linked by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRequest {
    pub record_id: Uuid,
    pub subject_name: String,
    /// Suggested subjects: `(id, name, why)`.
    pub candidates: Vec<LinkCandidate>,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCandidate {
    pub subject_id: Uuid,
    pub name: String,
    pub reason: String,
}

/// Batch import (报送批次) and the queue of records waiting to be linked to a subject.
#[async_trait]
pub trait BatchStore: Send + Sync {
    /// Open a batch (state `importing`); its rows stay invisible until `commit`. Imports run
    /// one at a time: this waits while another batch is importing (failing it first if it was
    /// abandoned, see `recover_batches`).
    async fn begin_batch(&self, actor: &str, b: NewBatch) -> Result<Box<dyn BatchWriter>>;
    /// A batch in any state (its counts are final once committed).
    async fn batch(&self, id: Uuid) -> Result<Option<Batch>>;
    /// Fail the batches abandoned by a process that died (or a writer dropped): every batch
    /// still `importing` that no writer of this store holds and that logged nothing for
    /// `idle`, and finish removing the staged rows of batches already failing. Returns the
    /// batches failed or cleaned up.
    async fn recover_batches(&self, actor: &str, idle: std::time::Duration) -> Result<Vec<Uuid>>;
    /// The subjects and records a batch created or corrected (from its change-log groups).
    async fn batch_entities(&self, id: Uuid) -> Result<BatchEntities>;
    /// An earlier committed batch of the same type and department with the same file content.
    async fn batch_by_file(
        &self,
        type_code: &str,
        source_dept: &str,
        sha256: &str,
    ) -> Result<Option<Batch>>;
    async fn batch_rejects(&self, id: Uuid) -> Result<Vec<RejectedRow>>;
    async fn link_queue(&self, limit: i64) -> Result<Vec<LinkRequest>>;
    /// Link a queued record to a subject.
    async fn link_record(&self, actor: &str, record_id: Uuid, subject_id: Uuid) -> Result<Record>;
    /// 预检: what importing `rows` (of `type_code` from `source_dept`) would do to each, read
    /// only — the same look-ups as the writer (subjects by USCC / ID-number hash, records by
    /// source key), nothing written, no change-log entry.
    async fn preview_rows(
        &self,
        type_code: &str,
        source_dept: &str,
        rows: &[ImportRow],
    ) -> Result<Vec<RowPreview>>;
    /// 报送批次: batches newest first, one page, with the total.
    async fn batches_page(
        &self,
        filter: &BatchFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Batch>, i64)>;
    /// What the records of these batches entered with: published or not, per batch.
    async fn batch_publication(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, BatchPublication)>>;
    /// The records a committed batch created or last corrected, by 文书号, one page, with the
    /// total (an open or failed batch has none to show).
    async fn batch_records(&self, id: Uuid, offset: i64, limit: i64) -> Result<(Vec<Record>, i64)>;
}

/// Whose batches [`BatchStore::batches_page`] lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchFilter {
    /// One department's (its USCC).
    Dept(String),
    /// Departments registered in a region (the USCC's characters 3–8 start with this).
    RegionPrefix(String),
}

/// What a previewed row's subject would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectMatch {
    /// Found by its USCC or ID-number hash.
    Known,
    /// Not found: the import would create it.
    New,
    /// The row names no code: the record would wait for linking by hand.
    NoKey,
}

/// What importing a row would do to the records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PreviewOutcome {
    /// A new record.
    New,
    /// Corrects the record with the same source key: these fields (English names) differ.
    Correct {
        record_id: Uuid,
        changed: Vec<String>,
    },
    /// The same record, unchanged.
    Unchanged { record_id: Uuid },
    /// The record with the same source key was revoked or repaired: refused.
    NotCorrectable { record_id: Uuid },
}

/// One row's preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowPreview {
    pub subject: SubjectMatch,
    pub outcome: PreviewOutcome,
}

/// How a batch's records entered: `published` (公示/生效 at import: `published_at` set),
/// `not_published` (a public type's row not to be published at all, e.g. a 轻微 penalty: its
/// period ends on its decision day), `past_period` (its publication period had already ended
/// at import).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchPublication {
    pub published: i64,
    pub not_published: i64,
    pub past_period: i64,
}
