//! Chengxin storage: one [`Store`] trait, implemented for SQLite (embedded default) and
//! PostgreSQL (production). The backend is chosen by the URL scheme (`sqlite://…`,
//! `postgres://…`).
//!
//! The interface is split by concern: each file under `concern/` holds one sub-trait (e.g.
//! [`RecordStore`]) with the row types it reads and writes; [`Store`] is their sum, and
//! [`prelude`] brings them all into scope. Both backends share one implementation of every
//! concern (`shared/`, compiled once per backend against that backend's `Db` type, with the
//! transaction and change-log kernel in `shared/kernel.rs`): the SQL is portable (`$n`
//! placeholders work on both), and only the schema (per-backend migrations), column
//! representations and bulk-write paths (`sqlite.rs`, `postgres.rs`) differ.
//!
//! Invariant: every write appends, in the same transaction, an entry to the chained change
//! log (see [`changelog`]); `verify` proves the rows match the log.

pub mod backup;
pub mod bench;
pub mod changelog;
pub mod clock;
mod concern;
pub mod error;
pub mod heads;
pub mod keys;
pub mod postgres;
mod proof_rows;
pub mod sqlite;
mod verify_pg;
mod verify_pipeline;
mod verify_sqlite;

use std::sync::Arc;

pub use changelog::{Checkpoint, LogEntry, LogSigner, Problem, VerifyReport};
pub use concern::accounts::{
    Account, AccountChange, AccountStore, GrantAccount, RoleGrant, SessionRow, SessionStore,
    TokenRow,
};
pub use concern::arrears::{
    ArrearChange, ArrearEntry, ArrearFilter, ArrearRow, ArrearStepRow, ArrearStore, ArrearTotal,
    ContractMilestoneRow, ContractRow,
};
pub use concern::audit::{AuditEvent, AuditFilter, AuditStore};
pub use concern::batches::{
    Batch, BatchEntities, BatchState, BatchStore, BatchWriter, ImportRow, LinkCandidate,
    LinkRequest, NewBatch, RejectedRow, RowFields, RowOutcome,
    ABANDONED_AFTER as IMPORT_ABANDONED_AFTER,
};
pub use concern::batches::{
    BatchFilter, BatchPublication, PreviewOutcome, RowPreview, SubjectMatch,
};
pub use concern::calendar::{
    effective_calendar, load_calendar, CalendarLoad, CalendarPut, CalendarStore, CalendarYearRow,
};
pub use concern::cases::{CaseFilter, CaseRow, CaseStore};
pub use concern::commitments::{
    CommitmentFileRow, CommitmentFilter, CommitmentRow, CommitmentStepRow, CommitmentStore,
    MilestoneChange, MilestoneRow, SweepMark,
};
pub use concern::debt::{
    DebtFilter, DebtPositionRow, DebtPut, DebtPutCounts, DebtStore, DebtVersionRow,
};
pub use concern::debtors::{DebtorCaseRow, DebtorCount, DebtorFilter, DebtorNoteRow, DebtorStore};
pub use concern::evaluation::{
    BodyListEntry, BodyTarget, EvalHistoryPoint, EvalImportRow, EvalItemRow, EvalRunRow,
    EvalRunSave, EvalScoreFilter, EvalScoreRow, EvalSystemRow, EvalWarningRow,
    EvaluationSourceStore, EvaluationStore, SourceItem,
};
pub use concern::exchange::ExchangeStore;
pub use concern::feed::{FeedApplied, FeedLinkRow, FeedRecordRow, FeedStore};
pub use concern::lists::{
    EntryHead, ListEntryFilter, ListEntryRow, ListStore, RECOGNISERS_BACKFILL,
    RECOGNISERS_BACKFILLED,
};
pub use concern::log::LogStore;
pub use concern::merkle::MerkleStore;
pub use concern::meta::{Backend, CatalogTypeRow, MetaRow, MetaStore, MigrateReport};
pub use concern::notifications::{
    recipient, DeliveryRow, NotificationRow, NotificationStore, WebhookRow,
};
pub use concern::portal::{PortalPageRow, PortalPageStore};
pub use concern::ppp::{
    PppBreachRow, PppFilter, PppProjectRow, PppResponsiblePut, PppResponsibleRow, PppStageRow,
    PppStore,
};
pub use concern::records::{
    NewRecord, PublishedFilter, RecordChange, RecordRedaction, RecordStore,
};
pub use concern::reports::{CreditReportRow, CreditReportStore};
pub use concern::rights::{
    ApplicationFilter, ApplicationRow, EvidenceFile, RightsStore, TargetChange,
};
pub use concern::staff::{
    EmploymentPut, PersonPut, StaffImportCounts, StaffStore, TrainingPut, TrainingRow,
};
pub use concern::subjects::{
    NewEmployment, NewSubject, SubjectFilter, SubjectPage, SubjectSearch, SubjectStore,
    SubjectUpdate, SEARCH_INDEX_STEP,
};
pub use concern::work_items::{
    HotlineImport, HotlineTicketRow, PublicFilingRow, TaskReportRow, WorkChange, WorkContentRow,
    WorkEventRow, WorkFileRow, WorkFilter, WorkItemRow, WorkItemStore, WorkMark, WorkPartyRow,
};
pub use error::{Result, StoreError};

/// The storage interface: the sum of the per-concern traits (one per file under `concern/`),
/// implemented by each backend's store. Handlers and commands are written against
/// `Arc<dyn Store>`, through which every concern trait's methods can be called; on a concrete
/// store, bring the traits into scope with `use chengxin_store::prelude::*;`.
pub trait Store:
    MetaStore
    + SubjectStore
    + RecordStore
    + BatchStore
    + LogStore
    + MerkleStore
    + AccountStore
    + SessionStore
    + AuditStore
    + ListStore
    + CaseStore
    + RightsStore
    + CreditReportStore
    + CalendarStore
    + PortalPageStore
    + StaffStore
    + NotificationStore
    + CommitmentStore
    + WorkItemStore
    + ArrearStore
    + PppStore
    + DebtorStore
    + DebtStore
    + EvaluationStore
    + EvaluationSourceStore
    + ExchangeStore
    + FeedStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: MetaStore
        + SubjectStore
        + RecordStore
        + BatchStore
        + LogStore
        + MerkleStore
        + AccountStore
        + SessionStore
        + AuditStore
        + ListStore
        + CaseStore
        + RightsStore
        + CreditReportStore
        + CalendarStore
        + PortalPageStore
        + StaffStore
        + NotificationStore
        + CommitmentStore
        + WorkItemStore
        + ArrearStore
        + PppStore
        + DebtorStore
        + DebtStore
        + EvaluationStore
        + EvaluationSourceStore
        + ExchangeStore
        + FeedStore
        + Send
        + Sync
        + 'static
{
}

/// `use chengxin_store::prelude::*;` brings [`Store`] and every concern trait into scope, so
/// their methods can be called on any store (a concrete backend or `Arc<dyn Store>`).
pub mod prelude {
    pub use crate::DebtStore;
    pub use crate::ExchangeStore;
    pub use crate::StaffStore;
    pub use crate::{
        AccountStore, AuditStore, BatchStore, CalendarStore, CaseStore, CreditReportStore,
        ListStore, LogStore, MetaStore, RecordStore, RightsStore, SessionStore, Store,
        SubjectStore,
    };
    pub use crate::{ArrearStore, CommitmentStore, MerkleStore, NotificationStore, WorkItemStore};
    pub use crate::{DebtorStore, PppStore};
}

/// The tracing target of the database driver's own events (statements, slow queries,
/// PostgreSQL notices), for log filters that name it without naming the driver.
pub const DRIVER_LOG_TARGET: &str = "sqlx";

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
