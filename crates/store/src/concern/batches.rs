//! Batch import (报送批次): the batch writer, import rows and the manual link queue.

use async_trait::async_trait;
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::subjects::SubjectKind;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Result, StoreError};

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
}

/// Writes one batch inside one transaction: dropping it without `commit` rolls everything
/// back, so an infrastructure failure never leaves half a batch.
#[async_trait]
pub trait BatchWriter: Send {
    fn id(&self) -> Uuid;
    /// Store validated rows (in file order).
    async fn write(&mut self, rows: Vec<ImportRow>) -> Result<Vec<RowOutcome>>;
    /// Keep rejected rows for the error report.
    async fn reject(&mut self, rows: Vec<RejectedRow>) -> Result<()>;
    async fn commit(self: Box<Self>, unknown_columns: Vec<String>) -> Result<Batch>;
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
    /// Open a batch; all its writes happen in one transaction until `commit`.
    async fn begin_batch(&self, actor: &str, b: NewBatch) -> Result<Box<dyn BatchWriter>>;
    async fn batch(&self, id: Uuid) -> Result<Option<Batch>>;
    /// An earlier batch of the same type and department with the same file content.
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
}
