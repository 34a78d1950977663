//! Government bodies listed as 失信被执行人 (issue 18, 专项治理 清零): one case per 案号, its
//! progress notes and state until cleared, and the register's counts per region. Every write is
//! change-logged (`debtor_case`, `debtor_case_note`).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::NotificationRow;

/// A case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorCaseRow {
    pub id: Uuid,
    /// 案号, e.g. `（2024）苏0412执1234号`.
    pub case_no: String,
    /// 执行法院.
    pub court: String,
    pub body_uscc: String,
    pub body_name: String,
    pub body_subject_id: Uuid,
    /// The body's region (jurisdiction).
    pub region: String,
    /// 分.
    pub amount_fen: i64,
    pub listed_on: NaiveDate,
    /// `unperformed`, `partly_performed`, `performed`, `revoked`.
    pub state: String,
    pub cleared_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A progress note (进展情况), with the state it left the case in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorNoteRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub state: String,
    pub on_date: NaiveDate,
    pub note: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// Which cases to list, newest listing first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DebtorFilter {
    pub region_prefix: Option<String>,
    /// Only this body's.
    pub body: Option<String>,
    /// Only those not cleared.
    pub open_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The register's count for one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorCount {
    pub region: String,
    /// Not yet cleared (未履行, 部分履行).
    pub open: i64,
    pub cleared: i64,
    /// 分 still listed (the open cases' amounts).
    pub open_amount_fen: i64,
}

/// 失信被执行人 cases, change-logged.
#[async_trait]
pub trait DebtorStore: Send + Sync {
    /// A new case (its first note) and its notifications; a 案号 already registered is
    /// `Duplicate`.
    async fn create_debtor_case(
        &self,
        actor: &str,
        c: &DebtorCaseRow,
        note: &DebtorNoteRow,
        notifications: &[NotificationRow],
    ) -> Result<()>;
    /// Several new cases (an imported file) in one transaction: all or nothing.
    async fn create_debtor_cases(
        &self,
        actor: &str,
        cases: &[(DebtorCaseRow, DebtorNoteRow)],
        notifications: &[NotificationRow],
    ) -> Result<()>;
    async fn debtor_case(&self, id: Uuid) -> Result<Option<DebtorCaseRow>>;
    async fn debtor_cases(&self, f: &DebtorFilter) -> Result<Vec<DebtorCaseRow>>;
    /// A progress note and the case's new state (at `expected_version`).
    async fn change_debtor_case(
        &self,
        actor: &str,
        c: &DebtorCaseRow,
        expected_version: i64,
        note: &DebtorNoteRow,
        notifications: &[NotificationRow],
    ) -> Result<()>;
    async fn debtor_notes(&self, case_id: Uuid) -> Result<Vec<DebtorNoteRow>>;
    /// Counts per region (regions starting with `region_prefix`), by region.
    async fn debtor_counts(&self, region_prefix: &str) -> Result<Vec<DebtorCount>>;
}
