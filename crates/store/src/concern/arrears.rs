//! Government as purchaser and payer (政府采购, 拖欠账款; issue 18): procurement contracts with
//! their delivery / 验收 / payment milestones, and the arrears ledger — each arrear with its
//! payments and steps until cleared; the daily sweep enters overdue payments and records, in
//! the same transaction, the 失信 record of an arrear unpaid beyond the limit. Every write is
//! change-logged (`procurement_contract`, `procurement_milestone`, `arrear`, `arrear_step`).

use async_trait::async_trait;
use chengxin_domain::records::Record;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::{NewRecord, NotificationRow};

/// A procurement contract whose purchaser is a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRow {
    pub id: Uuid,
    /// The platform's number (`CG-20250701-3A7F21`).
    pub no: String,
    /// The contract's own number (合同编号).
    pub contract_no: String,
    pub title: String,
    pub purchaser_uscc: String,
    pub purchaser_name: String,
    pub purchaser_subject_id: Option<Uuid>,
    /// The purchaser's region (jurisdiction).
    pub region: String,
    pub supplier_uscc: String,
    pub supplier_name: String,
    /// The supplier is an SME (中小企业) at signing: the statutory term applies.
    pub supplier_sme: bool,
    /// 分.
    pub amount_fen: i64,
    pub signed_on: NaiveDate,
    /// The payment term in days and where it comes from.
    pub payment_days: i32,
    pub terms_basis: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A contract milestone: `delivery`, `acceptance` or `payment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractMilestoneRow {
    pub id: Uuid,
    pub contract_id: Uuid,
    pub seq: i32,
    pub kind: String,
    pub title: String,
    pub due_date: NaiveDate,
    /// 分 (payments).
    pub amount_fen: Option<i64>,
    /// `pending` or `done`.
    pub state: String,
    pub done_on: Option<NaiveDate>,
    /// The arrear an overdue payment became.
    pub arrear_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// An arrear (拖欠账款): an unpaid amount past due, owed by a body to a creditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrearRow {
    pub id: Uuid,
    /// `QK-20250801-3A7F21`.
    pub no: String,
    /// `contract`, `portal`, `office`.
    pub source: String,
    pub contract_id: Option<Uuid>,
    pub milestone_id: Option<Uuid>,
    pub contract_no: String,
    pub contract_name: Option<String>,
    pub contract_amount_fen: i64,
    pub debtor_uscc: String,
    pub debtor_name: String,
    pub debtor_subject_id: Option<Uuid>,
    /// The debtor's region (jurisdiction).
    pub region: String,
    pub creditor_uscc: String,
    pub creditor_name: String,
    pub creditor_sme: bool,
    /// 分.
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub due_date: NaiveDate,
    /// `YYYY-MM` of the due date (totals per month).
    pub due_month: String,
    /// `reported`, `confirmed`, `partly_paid`, `cleared`, `rejected`.
    pub state: String,
    /// The rejection's reason.
    pub reason: Option<String>,
    pub judgment_doc_no: Option<String>,
    pub judgment_on: Option<NaiveDate>,
    pub cleared_on: Option<NaiveDate>,
    /// The 失信 record it became.
    pub record_id: Option<Uuid>,
    pub reported_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A step on an arrear (its history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrearStepRow {
    pub id: Uuid,
    pub arrear_id: Uuid,
    /// `enter`, `report`, `confirm`, `reject`, `pay`, `judgment`, `record`.
    pub action: String,
    pub amount_fen: Option<i64>,
    pub on_date: NaiveDate,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// Which contracts or arrears to list, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArrearFilter {
    /// Region starts with this (the credit office's reach); `None`: anywhere.
    pub region_prefix: Option<String>,
    /// Only those this body owes (or purchased).
    pub debtor: Option<String>,
    /// Only those owed to this creditor (or supplied by it).
    pub creditor: Option<String>,
    /// Only in this state.
    pub state: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One cell of the totals: a body's arrears due in one month, counts and sums in 分 (the
/// use case adds cells up per body, region and month: one scan of the covering index). Owed =
/// confirmed and partly paid; reported = waiting for the body; rejected ones are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrearTotal {
    pub debtor_uscc: String,
    pub debtor_name: String,
    pub region: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Confirmed ones (owed and cleared).
    pub count: i64,
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub outstanding_fen: i64,
    pub owed_count: i64,
    pub reported_count: i64,
    pub reported_fen: i64,
    pub cleared_count: i64,
}

/// One step on an arrear, atomically: its new state (at `expected_version`), the step, the
/// record it becomes, the contract milestone a clearance completes, and the notifications.
#[derive(Debug, Clone)]
pub struct ArrearChange {
    pub arrear: ArrearRow,
    pub expected_version: i64,
    pub step: ArrearStepRow,
    pub record: Option<NewRecord>,
    /// A cleared arrear from a contract: its payment milestone is done on this day.
    pub milestone_done: Option<(Uuid, NaiveDate)>,
    pub notifications: Vec<NotificationRow>,
}

/// An overdue payment entering the ledger: the arrear, its first step, the milestone it came
/// from.
#[derive(Debug, Clone)]
pub struct ArrearEntry {
    pub arrear: ArrearRow,
    pub step: ArrearStepRow,
}

/// Contracts and the arrears ledger, change-logged.
#[async_trait]
pub trait ArrearStore: Send + Sync {
    async fn create_contract(
        &self,
        actor: &str,
        c: &ContractRow,
        milestones: &[ContractMilestoneRow],
    ) -> Result<()>;
    async fn contract(&self, id: Uuid) -> Result<Option<ContractRow>>;
    async fn contracts(&self, f: &ArrearFilter) -> Result<Vec<ContractRow>>;
    async fn contracts_by_id(&self, ids: &[Uuid]) -> Result<Vec<ContractRow>>;
    /// Milestones of these contracts, by contract then sequence.
    async fn contract_milestones(&self, contract_ids: &[Uuid])
        -> Result<Vec<ContractMilestoneRow>>;
    /// Mark a milestone done (at `expected_version`); a payment already in the ledger is not
    /// (it is paid through the ledger).
    async fn complete_contract_milestone(
        &self,
        actor: &str,
        id: Uuid,
        expected_version: i64,
        done_on: NaiveDate,
    ) -> Result<ContractMilestoneRow>;
    /// New arrears with their first steps and notifications, in one transaction (the sweep's
    /// chunk is one group entry; a single report or registration logs its entries one by one).
    /// An arrear from a milestone links the milestone to it.
    async fn enter_arrears(
        &self,
        actor: &str,
        entries: &[ArrearEntry],
        notifications: &[NotificationRow],
    ) -> Result<usize>;
    async fn arrear(&self, id: Uuid) -> Result<Option<ArrearRow>>;
    async fn arrears(&self, f: &ArrearFilter) -> Result<Vec<ArrearRow>>;
    async fn arrear_steps(&self, arrear_id: Uuid) -> Result<Vec<ArrearStepRow>>;
    /// Apply one step (see [`ArrearChange`]); returns the record it became.
    async fn change_arrear(&self, actor: &str, ch: ArrearChange) -> Result<Option<Record>>;
    /// Payment milestones still pending, not in the ledger, due before `today`.
    async fn overdue_payments(
        &self,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<ContractMilestoneRow>>;
    /// Owed arrears not yet recorded that are due on or before `due_by` or have a judgment on
    /// or before `judgment_by` (the sweep decides each with the domain's rule).
    async fn arrears_to_record(
        &self,
        due_by: NaiveDate,
        judgment_by: NaiveDate,
        limit: i64,
    ) -> Result<Vec<ArrearRow>>;
    /// Totals of the ledger within `f` (region, debtor, creditor) per body and month.
    async fn arrear_totals(&self, f: &ArrearFilter) -> Result<Vec<ArrearTotal>>;
}
