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

pub mod changelog;
mod concern;
pub mod error;
pub mod keys;
pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::records::{Record, RecordHistoryEntry};
use chengxin_domain::subjects::{Employment, Subject};
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::VerifyingKey;
use uuid::Uuid;

pub use changelog::{Checkpoint, LogEntry, LogSigner, Problem, VerifyReport};
pub use concern::accounts::{Account, SessionRow, TokenRow};
pub use concern::audit::{AuditEvent, AuditFilter};
pub use concern::batches::{
    Batch, BatchWriter, ImportRow, LinkCandidate, LinkRequest, NewBatch, RejectedRow, RowFields,
    RowOutcome,
};
pub use concern::cases::{CaseFilter, CaseRow};
pub use concern::lists::{EntryHead, ListEntryFilter, ListEntryRow};
pub use concern::meta::{Backend, CatalogTypeRow, MetaRow, MigrateReport};
pub use concern::records::{NewRecord, PublishedFilter, RecordChange};
pub use concern::reports::CreditReportRow;
pub use concern::rights::{ApplicationFilter, ApplicationRow, EvidenceFile, TargetChange};
pub use concern::subjects::{NewEmployment, NewSubject, SubjectFilter, SubjectUpdate};
pub use error::{Result, StoreError};

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
