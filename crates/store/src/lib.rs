//! Chengxin storage: one [`Store`] trait, implemented for SQLite (embedded default) and
//! PostgreSQL (production). The backend is chosen by the URL scheme (`sqlite://…`,
//! `postgres://…`).
//!
//! Both backends share one implementation of the trait (`common.rs`, compiled once per
//! backend with that backend's `Db` type): the SQL is portable (`$n` placeholders work on
//! both), and only the schema (per-backend migrations) and column representations differ.
//!
//! Invariant: every write appends, in the same transaction, an entry to the chained change
//! log (see [`changelog`]); `verify` proves the rows match the log.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod accounts_types;
pub mod changelog;
pub mod error;
pub mod keys;
pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::records::{Record, RecordHistoryEntry, RecordStatus};
use chengxin_domain::subjects::{Employment, Subject, SubjectKind};
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use accounts_types::{
    Account, ApplicationFilter, ApplicationRow, AuditEvent, AuditFilter, CaseFilter, CaseRow,
    EntryHead, EvidenceFile, ListEntryFilter, ListEntryRow, SessionRow, TargetChange, TokenRow,
};
pub use changelog::{Checkpoint, LogEntry, LogSigner, Problem, VerifyReport};
pub use error::{Result, StoreError};

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A subject to create.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewSubject {
    pub kind: Option<SubjectKind>,
    pub name: String,
    pub uscc: Option<String>,
    pub id_hash: Option<String>,
    pub id_masked: Option<String>,
    pub region: Option<String>,
    pub parent_id: Option<Uuid>,
    pub former_names: Vec<String>,
}

/// Changes to a subject. A new name moves the old one to the former names (曾用名).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubjectUpdate {
    pub name: Option<String>,
    pub region: Option<String>,
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubjectFilter {
    pub kind: Option<SubjectKind>,
    /// Region code prefix, e.g. `3204` for all of 常州市.
    pub region_prefix: Option<String>,
    pub name_contains: Option<String>,
    pub limit: i64,
    pub offset: i64,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewEmployment {
    pub person_id: Uuid,
    pub body_id: Uuid,
    pub post: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

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
#[derive(Debug, Clone, Serialize, Deserialize)]
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
}

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

/// A catalog type as loaded into the store at `migrate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogTypeRow {
    pub code: String,
    pub name: String,
    pub catalog_version: String,
    pub digest: String,
    pub definition: serde_json::Value,
    pub updated_at: DateTime<Utc>,
}

/// A key/value setting (e.g. whether demo data was loaded). Logged like everything else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaRow {
    pub key: String,
    pub value: String,
}

/// An issued credit report (信用报告): the signed report as JSON
/// (`chengxin_report::SignedReport`), the PDF handed out and what verification looks up.
/// Written once, never changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditReportRow {
    /// 报告编号 (`XYBG-YYYYMMDD-XXXXXXXX`).
    pub report_no: String,
    pub subject_id: Uuid,
    pub issued_at: DateTime<Utc>,
    /// Actor who issued it (`account:<username>` …).
    pub issued_by: String,
    /// Key id of the report-signing key.
    pub key_id: String,
    /// SHA-256 (hex) of the report's canonical JSON.
    pub content_sha256: String,
    /// 验证码 (`XXXX-XXXX-XXXX-XXXX`).
    pub verification_code: String,
    /// `chengxin_report::SignedReport`.
    pub signed: serde_json::Value,
    /// SHA-256 (hex) of the PDF bytes.
    pub pdf_sha256: String,
    /// The PDF as issued.
    #[serde(skip)]
    pub pdf: Vec<u8>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MigrateReport {
    pub backend: Option<Backend>,
    pub catalog_types_added: usize,
    pub catalog_types_updated: usize,
    pub catalog_types_unchanged: usize,
    pub signing_key_id: String,
}

/// The storage interface. Handlers and commands are written against `Arc<dyn Store>`.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    async fn ping(&self) -> Result<()>;
    /// Close all connections (SQLite checkpoints its WAL into the main file).
    async fn close(&self);
    /// Apply migrations, register the log-signing key, load the catalog (idempotent).
    async fn migrate(
        &self,
        catalog: &Catalog,
        signer: &LogSigner,
        actor: &str,
    ) -> Result<MigrateReport>;
    async fn is_migrated(&self) -> Result<bool>;

    async fn catalog_types(&self) -> Result<Vec<CatalogTypeRow>>;
    async fn meta(&self, key: &str) -> Result<Option<String>>;
    async fn set_meta(&self, actor: &str, key: &str, value: &str) -> Result<()>;

    async fn create_subject(&self, actor: &str, s: NewSubject) -> Result<Subject>;
    async fn update_subject(
        &self,
        actor: &str,
        id: Uuid,
        expected_version: i64,
        u: SubjectUpdate,
    ) -> Result<Subject>;
    async fn subject(&self, id: Uuid) -> Result<Option<Subject>>;
    async fn subject_by_uscc(&self, uscc: &str) -> Result<Option<Subject>>;
    async fn subject_by_id_hash(&self, id_hash: &str) -> Result<Option<Subject>>;
    async fn list_subjects(&self, f: &SubjectFilter) -> Result<Vec<Subject>>;
    async fn count_subjects(&self) -> Result<i64>;

    async fn add_employment(&self, actor: &str, e: NewEmployment) -> Result<Employment>;
    async fn employments_of(&self, person_id: Uuid) -> Result<Vec<Employment>>;
    /// Who held a post at `body_id` on `day` (责任回溯).
    async fn staff_at(&self, body_id: Uuid, day: NaiveDate) -> Result<Vec<Employment>>;

    async fn create_record(&self, actor: &str, r: NewRecord) -> Result<Record>;
    async fn change_record(&self, actor: &str, c: RecordChange) -> Result<Record>;
    async fn record(&self, id: Uuid) -> Result<Option<Record>>;
    async fn record_history(&self, id: Uuid) -> Result<Vec<RecordHistoryEntry>>;
    async fn count_records(&self) -> Result<i64>;

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
    /// Records of given types decided in `[from, to]` (for reports).
    async fn records_decided(
        &self,
        type_codes: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Record>>;
    /// Published records whose publication ended before `today`: candidates for expiry.
    async fn records_due_for_expiry(&self, today: NaiveDate, limit: i64) -> Result<Vec<Record>>;
    /// Published records matching the filter, newest decision first (portal pages).
    async fn published_records(&self, f: &PublishedFilter) -> Result<Vec<Record>>;
    /// How many published records match the filter (limit and offset ignored).
    async fn count_published_records(&self, f: &PublishedFilter) -> Result<i64>;
    /// Source departments (USCC) with published records of these types, with their counts.
    async fn published_record_sources(&self, type_codes: &[String]) -> Result<Vec<(String, i64)>>;

    /// `(seq, hash)` of the chain head.
    async fn log_head(&self) -> Result<(i64, String)>;
    async fn log_entries(&self, after_seq: i64, limit: i64) -> Result<Vec<LogEntry>>;
    /// Sign the head if it moved since the last checkpoint.
    async fn checkpoint(&self, signer: &LogSigner) -> Result<Option<Checkpoint>>;
    /// Registered public keys: `(key_id, hex public key)`.
    async fn public_keys(&self) -> Result<Vec<(String, String)>>;
    /// Recompute the chain and every row's digest. `trusted` are the keys checkpoints must
    /// be signed with (from the key file, never from the database alone).
    async fn verify(&self, trusted: &[VerifyingKey]) -> Result<VerifyReport>;

    // Accounts and access (issue 5).
    async fn create_account(&self, actor: &str, a: &Account) -> Result<()>;
    /// Write an account's new state if it is still at `expected_version` (the new state
    /// carries `expected_version + 1`).
    async fn update_account(&self, actor: &str, a: &Account, expected_version: i64) -> Result<()>;
    async fn account(&self, id: Uuid) -> Result<Option<Account>>;
    async fn account_by_username(&self, username: &str) -> Result<Option<Account>>;
    async fn accounts(&self) -> Result<Vec<Account>>;
    async fn count_accounts(&self) -> Result<i64>;

    async fn create_session(&self, s: &SessionRow) -> Result<()>;
    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>>;
    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> Result<()>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    async fn delete_sessions_of(&self, account_id: Uuid) -> Result<u64>;

    async fn create_token(&self, actor: &str, t: &TokenRow) -> Result<()>;
    async fn update_token(&self, actor: &str, t: &TokenRow, expected_version: i64) -> Result<()>;
    async fn token(&self, id: Uuid) -> Result<Option<TokenRow>>;
    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>>;
    async fn tokens(&self) -> Result<Vec<TokenRow>>;

    /// Append audit events (one transaction, chained in the change log).
    async fn audit(&self, events: &[AuditEvent]) -> Result<()>;
    async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>>;
    /// Data changes from the change log (everything but audit events themselves), newest
    /// first, filtered by time and actor: the "every data change" part of the audit trail.
    async fn data_changes(&self, f: &AuditFilter) -> Result<Vec<LogEntry>>;
    /// Delete audit events older than `before` (retention); the deletions are logged.
    async fn purge_audit(&self, actor: &str, before: DateTime<Utc>) -> Result<u64>;

    /// Keep a person's sealed ID number (replacing an earlier one).
    async fn set_subject_identity(&self, actor: &str, subject_id: Uuid, sealed: &str)
        -> Result<()>;
    async fn subject_identity(&self, subject_id: Uuid) -> Result<Option<String>>;

    // Lists (issue 6).
    async fn create_list_entry(&self, actor: &str, e: &ListEntryRow) -> Result<()>;
    async fn update_list_entry(
        &self,
        actor: &str,
        e: &ListEntryRow,
        expected_version: i64,
    ) -> Result<()>;
    async fn list_entry(&self, id: Uuid) -> Result<Option<ListEntryRow>>;
    async fn list_entries(&self, f: &ListEntryFilter) -> Result<Vec<ListEntryRow>>;
    /// Entries in publicity or effect and linked to a subject, in id order after `after`
    /// (index build).
    async fn active_entry_heads(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<EntryHead>>;
    /// Records with a severity, linked to a subject, in id order after `after` (index build).
    async fn negative_records(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<Record>>;
    async fn records_of_subject(&self, subject_id: Uuid) -> Result<Vec<Record>>;
    /// Subjects in id order after `after` (keyset paging, for building indexes).
    async fn subjects_after(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<Subject>>;

    /// Insert `new` cases and apply `updated` ones (each with the version it replaces) in one
    /// transaction.
    async fn write_cases(
        &self,
        actor: &str,
        new: &[CaseRow],
        updated: &[(CaseRow, i64)],
    ) -> Result<()>;
    async fn case(&self, id: &str) -> Result<Option<CaseRow>>;
    async fn cases(&self, f: &CaseFilter) -> Result<Vec<CaseRow>>;

    // Credit rights (issue 7).
    /// Write an application — new when `expected_version` is `None`, else its next state —
    /// together with its effect on the record or list entry, in one transaction. A stale
    /// `expected_version` is a `Conflict` and nothing is written. Returns the changed record.
    async fn write_application(
        &self,
        actor: &str,
        a: &ApplicationRow,
        expected_version: Option<i64>,
        change: TargetChange,
    ) -> Result<Option<Record>>;
    /// Store an evidence file with the application's new state listing it (at
    /// `expected_version`).
    async fn add_evidence(
        &self,
        actor: &str,
        a: &ApplicationRow,
        expected_version: i64,
        f: &EvidenceFile,
    ) -> Result<()>;
    async fn application(&self, id: Uuid) -> Result<Option<ApplicationRow>>;
    async fn application_by_tracking(&self, tracking_no: &str) -> Result<Option<ApplicationRow>>;
    async fn applications(&self, f: &ApplicationFilter) -> Result<Vec<ApplicationRow>>;
    async fn evidence_file(&self, id: Uuid) -> Result<Option<EvidenceFile>>;

    // Credit reports.
    /// Store an issued report (its number must be new: a reused number is `Duplicate`).
    async fn create_credit_report(&self, actor: &str, r: &CreditReportRow) -> Result<()>;
    async fn credit_report(&self, report_no: &str) -> Result<Option<CreditReportRow>>;
}

/// Open a store by URL: `sqlite://path/to/file.db` or `postgres://user@host/db`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

/// Remove a password from a database URL for display and logs.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
