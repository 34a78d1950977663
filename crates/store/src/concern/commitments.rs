//! Commitments (承诺, issue 18): the commitment, its milestones, the steps taken (兑现, 依法变更,
//! 违约告知, 说明, 认定), its evidence files, and the daily reminder sweep's marks. A breach
//! decision writes the 失信 record in the same transaction. Every write is change-logged
//! (`commitment`, `commitment_milestone`, `commitment_step`, `commitment_file`).

use async_trait::async_trait;
use chengxin_domain::records::Record;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::{NewRecord, NotificationRow};

/// A commitment. Its state is derived from its milestones
/// (`chengxin_domain::commitments::commitment_state`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentRow {
    pub id: Uuid,
    /// 承诺编号, what people read and type (`CN-20260105-3A7F21`).
    pub no: String,
    pub kind: String,
    pub title: String,
    /// The promisor body (or, for a 信用承诺, the enterprise), by USCC: the body, not the person;
    /// empty for a natural person's 信用承诺 (see `promisor_id_masked`).
    pub promisor_uscc: String,
    pub promisor_name: String,
    pub promisor_subject_id: Option<Uuid>,
    /// A natural person's ID number, masked (`3204********1234`), when the promisor is a
    /// person (a 信用承诺): then `promisor_uscc` is empty and `promisor_subject_id` names the
    /// person. Never the number in clear; such a commitment is never public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promisor_id_masked: Option<String>,
    /// The body that registered it (the promisor itself, or the approving body of a 信用承诺).
    pub owner_uscc: String,
    /// The owner's region (jurisdiction).
    pub region: String,
    /// The promisor's supervising body (上级主管部门 / 上级人民政府), if known.
    pub supervisor_uscc: Option<String>,
    pub counterparty_name: String,
    /// The counterparty's USCC, if it has one.
    pub counterparty_id: Option<String>,
    pub content: String,
    pub legal_basis: String,
    /// 分.
    pub amount_fen: Option<i64>,
    pub promised_on: NaiveDate,
    /// Published on the portal (承诺公示).
    pub public: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A milestone (履行节点).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneRow {
    pub id: Uuid,
    pub commitment_id: Uuid,
    pub seq: i32,
    pub title: String,
    pub due_date: NaiveDate,
    pub amount_fen: Option<i64>,
    /// `pending`, `kept`, `changed`, `breached` (overdue is derived).
    pub state: String,
    pub done_on: Option<NaiveDate>,
    /// `none`, `noticed`, `explained`, `decided`.
    pub breach_stage: String,
    pub explain_due: Option<NaiveDate>,
    pub change_ground: Option<String>,
    pub change_basis: Option<String>,
    pub compensation: Option<String>,
    pub compensation_fen: Option<i64>,
    pub explanation: Option<String>,
    pub finding: Option<String>,
    pub finding_doc_no: Option<String>,
    /// The 失信 record a breach became.
    pub record_id: Option<Uuid>,
    pub remind_before: i32,
    /// The reminder stage sent (0 none, 1 到期提醒, 2 逾期督办).
    pub reminded_stage: i32,
    /// When the sweep looks at it next (`None`: never again).
    pub next_remind_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A step taken on a commitment (its history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentStepRow {
    pub id: Uuid,
    pub commitment_id: Uuid,
    pub milestone_id: Option<Uuid>,
    /// `create`, `keep`, `change`, `notice`, `explain`, `decide`, `file`.
    pub action: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// An evidence file's description (the bytes are stored beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentFileRow {
    pub id: Uuid,
    pub commitment_id: Uuid,
    pub milestone_id: Option<Uuid>,
    pub name: String,
    /// `pdf`, `jpeg`, `png`, `ofd` (by content).
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub at: DateTime<Utc>,
}

/// Which commitments to list, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CommitmentFilter {
    /// Owner's region starts with this (the credit office's reach); `None`: anywhere.
    pub region_prefix: Option<String>,
    /// Only those this body owns or promised.
    pub body: Option<String>,
    /// Only public ones (承诺公示).
    pub public_only: bool,
    /// The promisor's name or the title contains this, or it is the commitment's number.
    pub promisor_name: Option<String>,
    /// Promisor's USCC.
    pub promisor_uscc: Option<String>,
    pub kind: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One step on one milestone, atomically: the milestone's new state (at `expected_version`),
/// the step, the record a breach becomes, and the notifications it sends.
#[derive(Debug, Clone)]
pub struct MilestoneChange {
    pub milestone: MilestoneRow,
    pub expected_version: i64,
    pub step: CommitmentStepRow,
    pub record: Option<NewRecord>,
    pub notifications: Vec<NotificationRow>,
}

/// The sweep's mark on a milestone: the stage sent and the next look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepMark {
    pub milestone_id: Uuid,
    pub stage: i32,
    pub next_remind_on: Option<NaiveDate>,
}

/// Commitments, change-logged.
#[async_trait]
pub trait CommitmentStore: Send + Sync {
    async fn create_commitment(
        &self,
        actor: &str,
        c: &CommitmentRow,
        milestones: &[MilestoneRow],
        step: &CommitmentStepRow,
    ) -> Result<()>;
    async fn commitment(&self, id: Uuid) -> Result<Option<CommitmentRow>>;
    async fn commitments(&self, f: &CommitmentFilter) -> Result<Vec<CommitmentRow>>;
    async fn commitments_by_id(&self, ids: &[Uuid]) -> Result<Vec<CommitmentRow>>;
    /// Milestones of these commitments, by commitment then sequence.
    async fn milestones(&self, commitment_ids: &[Uuid]) -> Result<Vec<MilestoneRow>>;
    async fn commitment_steps(&self, commitment_id: Uuid) -> Result<Vec<CommitmentStepRow>>;
    /// Apply one step (see [`MilestoneChange`]); returns the record a breach became.
    async fn change_milestone(&self, actor: &str, ch: MilestoneChange) -> Result<Option<Record>>;
    async fn add_commitment_file(
        &self,
        actor: &str,
        f: &CommitmentFileRow,
        bytes: &[u8],
        step: &CommitmentStepRow,
    ) -> Result<()>;
    async fn commitment_files(&self, commitment_id: Uuid) -> Result<Vec<CommitmentFileRow>>;
    async fn commitment_file(&self, id: Uuid) -> Result<Option<(CommitmentFileRow, Vec<u8>)>>;
    /// Pending milestones the sweep must look at on `today` (`next_remind_on <= today`).
    async fn milestones_to_remind(&self, today: NaiveDate, limit: i64)
        -> Result<Vec<MilestoneRow>>;
    /// The sweep's marks and its notifications, in one transaction (one group entry).
    async fn mark_reminded(
        &self,
        actor: &str,
        marks: &[SweepMark],
        notifications: &[NotificationRow],
    ) -> Result<usize>;
}
