//! Records (信用信息): creation, versioned changes, history and the portal's queries.

use async_trait::async_trait;
use chengxin_domain::records::correction::FieldChange;
use chengxin_domain::records::{Record, RecordHistoryEntry, RecordStatus};
use chengxin_domain::subjects::SubjectKind;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewRecord {
    pub type_code: String,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    pub doc_no: String,
    pub decision_date: NaiveDate,
    pub source_dept: String,
    pub batch_id: Option<Uuid>,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub severity: Option<String>,
    pub status: RecordStatus,
    pub publish_until: Option<NaiveDate>,
    /// Digest of the submitted content; computed from fields, date and severity when `None`.
    pub content_digest: Option<String>,
    /// When it was published, if earlier than now (records migrated from an older platform,
    /// demo data); now when `None`.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
}

/// A change to a record: the action names it in the history (`publish`, `correct`, `revoke` …).
/// Legality of the transition is the caller's (domain) business; the store makes it atomic,
/// versioned and logged.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecordChange {
    pub id: Uuid,
    pub expected_version: i64,
    pub action: String,
    pub status: Option<RecordStatus>,
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
    pub tolerated: Option<bool>,
    pub publish_until: Option<Option<NaiveDate>>,
    pub note: Option<String>,
    /// New content digest when `fields` change (recomputed when `None`).
    pub content_digest: Option<String>,
    /// A correction's subject name (its name field corrected).
    #[serde(default)]
    pub subject_name: Option<String>,
    /// A correction's decision date (its date field corrected).
    #[serde(default)]
    pub decision_date: Option<NaiveDate>,
    /// A correction's changed fields, each before and after: kept in the history entry.
    #[serde(default)]
    pub changes: Vec<FieldChange>,
    /// The record's free texts as given, sealed (see [`RecordStore::record_texts`]), when the
    /// change alters them: `Some(None)` drops them; `None` leaves them as they are.
    #[serde(default)]
    pub texts_sealed: Option<Option<String>>,
}

/// A record whose stored free text held ID numbers in clear (stored before intake masked
/// them), masked: the record and each stored history entry that held any, rewritten with the
/// masks (each rewrite logged), the clear texts sealed beside them, and a history entry
/// saying so. The record's version moves on (a change prepared against the clear content is
/// a conflict), its content digest stays (it covers the content as given).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordRedaction {
    pub id: Uuid,
    pub expected_version: i64,
    /// The record's fields, ID numbers in free text masked.
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The subject's name as the record gives it, masked.
    pub subject_name: String,
    /// Stored history entries as rewritten (each keeps its version). The creation entry of a
    /// batch-imported record, not stored yet, is written from `fields`.
    pub history: Vec<RecordHistoryEntry>,
    /// Every clear text of the record, sealed (replaces what was kept).
    pub texts_sealed: String,
    /// The history entry's action and note.
    pub action: String,
    pub note: String,
}

/// Published records for the public portal (双公示 browsing, 政务失信, open data): status
/// `published` only; every other condition optional. Newest decision first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PublishedFilter {
    /// Record types (empty: every type).
    pub type_codes: Vec<String>,
    /// USCC of the source department.
    pub source_dept: Option<String>,
    pub decided_from: Option<NaiveDate>,
    pub decided_to: Option<NaiveDate>,
    /// Only records about subjects of these kinds (empty: any subject, linked or not).
    pub subject_kinds: Vec<SubjectKind>,
    /// Leave out records recognised as tolerable error (容错纠错).
    pub exclude_tolerated: bool,
    /// Page size (default 20, at most 10,000).
    pub limit: i64,
    pub offset: i64,
}

/// Records: creation, versioned changes with their history, and the queries of reports,
/// expiry and the public portal.
#[async_trait]
pub trait RecordStore: Send + Sync {
    async fn create_record(&self, actor: &str, r: NewRecord) -> Result<Record>;
    async fn change_record(&self, actor: &str, c: RecordChange) -> Result<Record>;
    async fn record(&self, id: Uuid) -> Result<Option<Record>>;
    async fn record_history(&self, id: Uuid) -> Result<Vec<RecordHistoryEntry>>;
    async fn count_records(&self) -> Result<i64>;
    /// Records of given types decided in `[from, to]` (for reports).
    async fn records_decided(
        &self,
        type_codes: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Record>>;
    /// Published records whose publication ended before `today`: candidates for expiry.
    async fn records_due_for_expiry(&self, today: NaiveDate, limit: i64) -> Result<Vec<Record>>;
    /// Records of these types in `status`, in id order after `after` (keyset paging; the
    /// entry-rule reconciliation).
    async fn records_in_status(
        &self,
        type_codes: &[String],
        status: RecordStatus,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Record>>;
    /// Published records matching the filter, newest decision first (portal pages).
    async fn published_records(&self, f: &PublishedFilter) -> Result<Vec<Record>>;
    /// How many published records match the filter (limit and offset ignored).
    async fn count_published_records(&self, f: &PublishedFilter) -> Result<i64>;
    /// Source departments (USCC) with published records of these types, with their counts.
    async fn published_record_sources(&self, type_codes: &[String]) -> Result<Vec<(String, i64)>>;
    async fn records_of_subject(&self, subject_id: Uuid) -> Result<Vec<Record>>;
    /// The record's free texts as given (those whose ID numbers are stored masked), sealed;
    /// `None` when it has none. Only for `personal_data_decrypt` holders, query-logged.
    async fn record_texts(&self, id: Uuid) -> Result<Option<String>>;
    /// Mask ID numbers in a record stored before free text was masked at intake (see
    /// [`RecordRedaction`]), atomically, logged.
    async fn redact_record(&self, actor: &str, r: RecordRedaction) -> Result<Record>;
}
