//! Work items (督办事项, issue 19): one table for every supervised item whatever its type (the
//! types are data: `chengxin_domain::work`), the bodies concerned (owner, co-handling units,
//! issuer — what a unit's queue reads), the steps taken (its timeline), attachments'
//! descriptions, and the daily sweep's marks. Every write is change-logged (`work_item`,
//! `work_item_party`, `work_item_event`, `work_item_file`) and covered by verify. Queues page
//! by key (newest first, `before` the last id seen), on indexes per owner body, region, state.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::{ArrearEntry, NewRecord, NotificationRow};

/// An item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemRow {
    /// UUIDv7: time-ordered, the queues' key.
    pub id: Uuid,
    /// 事项编号, what people read and type (`ZX-20260105-3A7F21`).
    pub no: String,
    /// The type's code (`data/work/types.toml`).
    pub kind: String,
    pub title: String,
    /// The external number (建议号, 提案号, 审计报告文号), if any.
    pub ref_no: Option<String>,
    /// The proposer (代表/委员), if any.
    pub proposer: Option<String>,
    /// The owner body (主办/整改单位), by USCC: its region is the item's.
    pub owner_uscc: String,
    pub owner_name: String,
    pub region: String,
    /// The issuing body (交办单位, 督查/审计/财政部门), if any; the region's credit office acts
    /// for it otherwise.
    pub issuer_uscc: Option<String>,
    pub issuer_name: String,
    /// The content (建议内容, 发现的问题).
    pub content: String,
    /// What is required (整改要求), if any.
    pub required: String,
    pub state: String,
    pub opened_on: NaiveDate,
    pub deadline: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub reopens: i32,
    pub outcome: Option<String>,
    pub closed_on: Option<NaiveDate>,
    /// The sweep's stage sent for the current due date (0 none, 1 reminder, 2.. escalations).
    pub remind_stage: i32,
    /// When the sweep looks at it next (`None`: never again).
    pub next_remind_on: Option<NaiveDate>,
    /// The account that handles it now (my items).
    pub handler: Option<String>,
    /// What opened it, when opened automatically (`list_entry:<id>`): unique.
    pub source: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A body concerned by an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkPartyRow {
    pub item_id: Uuid,
    pub body_uscc: String,
    pub body_name: String,
    /// `owner`, `co`, `issuer`.
    pub party: String,
}

/// A step on an item (its timeline): `open`, a type's action, `note`, `remind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkEventRow {
    pub id: Uuid,
    pub item_id: Uuid,
    pub action: String,
    pub choice: Option<String>,
    pub from_state: String,
    pub to_state: String,
    /// As whom: `owner`, `co`, `issuer`, `office`, `system`.
    pub party: String,
    pub actor: String,
    pub on_date: NaiveDate,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// An attachment's description (the file itself stays in the body's own records system).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkFileRow {
    pub id: Uuid,
    pub item_id: Uuid,
    pub event_id: Uuid,
    pub name: String,
    pub size: i64,
    /// SHA-256 (hex) of the file as given.
    pub sha256: String,
    pub uploaded_by: String,
    pub at: DateTime<Utc>,
}

/// A queue: newest first, `before` the last id of the previous page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkFilter {
    /// Region starts with this (the office's reach); `None`: anywhere.
    pub region_prefix: Option<String>,
    /// Only those this body is concerned by (owner, co-handling, issuer).
    pub body: Option<String>,
    /// Only those this account handles.
    pub handler: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    /// Only open ones past their due date on this day.
    pub overdue_on: Option<NaiveDate>,
    /// Only open ones (not in a final state: `closed_on` unset).
    pub open_only: bool,
    pub before: Option<Uuid>,
    pub limit: i64,
}

/// One step, atomically: the item's new state (at `expected_version`), the event, its
/// attachments and the notifications it sends.
#[derive(Debug, Clone)]
pub struct WorkChange {
    pub item: WorkItemRow,
    pub expected_version: i64,
    pub event: WorkEventRow,
    pub files: Vec<WorkFileRow>,
    pub notifications: Vec<NotificationRow>,
    /// The 失信 record the step recognises (a complaint's 查实), created in the same
    /// transaction.
    pub record: Option<NewRecord>,
    /// The arrear a complaint's 查实 enters in the ledger (reported, to be confirmed by the
    /// body), in the same transaction.
    pub arrear: Option<ArrearEntry>,
    /// The bytes of the attachments uploaded with the step (portal evidence), each for one of
    /// `files`.
    pub contents: Vec<WorkContentRow>,
}

/// A complaint filed on the portal: the access code's hash (with the item's number it opens
/// the complainant's view), the complainant's name and contact sealed (`PiiCipher`, bound to
/// the item's number), the account that filed it if one was logged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicFilingRow {
    pub item_id: Uuid,
    pub access_hash: String,
    pub name_sealed: String,
    pub contact_sealed: Option<String>,
    pub account: Option<String>,
    pub filed_at: DateTime<Utc>,
}

/// The bytes of an uploaded attachment (its description is a [`WorkFileRow`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkContentRow {
    pub file_id: Uuid,
    pub item_id: Uuid,
    /// `pdf`, `jpeg`, `png`, `ofd` (by content).
    pub kind: String,
    pub content: Vec<u8>,
}

/// A 12345 hotline ticket as imported (one per 工单编号): the item it opened and the digest of
/// its row (a re-import of the same content changes nothing; other content is reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotlineTicketRow {
    pub ticket_no: String,
    pub item_id: Uuid,
    /// SHA-256 (hex) of the row's normalised fields.
    pub digest: String,
    /// 来电时间, `YYYY-MM-DD HH:MM:SS`.
    pub called_at: String,
    /// 诉求类型.
    pub category: String,
    /// 办理单位 as the hotline named it.
    pub handling_unit: String,
    /// 办结时间, 回访满意度 as the hotline recorded them, if any.
    pub concluded_at: Option<String>,
    pub satisfaction: Option<String>,
    /// The caller's contact, sealed (`PiiCipher`): opened only for those entitled.
    pub contact_sealed: Option<String>,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
}

/// One ticket to import: its row and the complaint item it opens with its parties. No `open`
/// event is stored: the ticket row says when and how the item came in (the timeline derives
/// its first step from it).
#[derive(Debug, Clone)]
pub struct HotlineImport {
    pub ticket: HotlineTicketRow,
    pub item: WorkItemRow,
    pub parties: Vec<WorkPartyRow>,
}

/// A unit's quarterly progress report on a key task (重点任务分工, 每季度报送).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReportRow {
    pub id: Uuid,
    /// The task's code (`data/work/tasks.toml`).
    pub task_code: String,
    /// `2026Q4`.
    pub quarter: String,
    pub unit_uscc: String,
    pub unit_name: String,
    pub region: String,
    pub text: String,
    /// The attachments' descriptions, JSON (`[{name, size, sha256}]`).
    pub files: String,
    pub reported_by: String,
    pub on_date: NaiveDate,
    pub at: DateTime<Utc>,
}

/// The sweep's mark on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkMark {
    pub item_id: Uuid,
    pub stage: i32,
    pub next_remind_on: Option<NaiveDate>,
}

/// Work items, change-logged.
#[async_trait]
pub trait WorkItemStore: Send + Sync {
    /// Create an item with its parties and its `open` event (and what it sends). An item with
    /// a `source` already taken is not created again: `Ok(false)`.
    async fn create_work_item(
        &self,
        actor: &str,
        item: &WorkItemRow,
        parties: &[WorkPartyRow],
        event: &WorkEventRow,
        notifications: &[NotificationRow],
    ) -> Result<bool>;
    async fn work_item(&self, id: Uuid) -> Result<Option<WorkItemRow>>;
    async fn work_item_by_no(&self, no: &str) -> Result<Option<WorkItemRow>>;
    async fn work_item_by_source(&self, source: &str) -> Result<Option<WorkItemRow>>;
    async fn work_items(&self, f: &WorkFilter) -> Result<Vec<WorkItemRow>>;
    async fn work_items_by_id(&self, ids: &[Uuid]) -> Result<Vec<WorkItemRow>>;
    /// The bodies concerned by these items.
    async fn work_parties(&self, item_ids: &[Uuid]) -> Result<Vec<WorkPartyRow>>;
    async fn work_events(&self, item_id: Uuid) -> Result<Vec<WorkEventRow>>;
    async fn work_files(&self, item_id: Uuid) -> Result<Vec<WorkFileRow>>;
    /// Apply one step (see [`WorkChange`]); `version_conflict` if the item moved meanwhile.
    async fn change_work_item(&self, actor: &str, ch: WorkChange) -> Result<()>;
    /// Open items the sweep must look at on `today` (`next_remind_on <= today`), by next look.
    async fn work_items_to_remind(&self, today: NaiveDate, limit: i64) -> Result<Vec<WorkItemRow>>;
    /// The sweep's marks and its notifications, in one transaction (one group entry).
    async fn mark_work_reminded(
        &self,
        actor: &str,
        marks: &[WorkMark],
        notifications: &[NotificationRow],
    ) -> Result<usize>;
    /// The tickets already imported among `ticket_nos`.
    async fn hotline_tickets(&self, ticket_nos: &[String]) -> Result<Vec<HotlineTicketRow>>;
    /// The ticket an item was opened from, if any.
    async fn hotline_ticket_of(&self, item_id: Uuid) -> Result<Option<HotlineTicketRow>>;
    /// Import tickets in one transaction (`COPY` on PostgreSQL, multi-row INSERTs on SQLite;
    /// one group entry in the change log): each its ticket row, item and parties. A ticket number already
    /// taken fails the whole call (`conflict`): the caller checks first.
    async fn import_hotline(&self, actor: &str, rows: &[HotlineImport]) -> Result<usize>;
    /// Store a quarterly report (and what it sends); `Ok(false)` if the unit has reported on
    /// that task and quarter already.
    async fn create_task_report(
        &self,
        actor: &str,
        r: &TaskReportRow,
        notifications: &[NotificationRow],
    ) -> Result<bool>;
    /// The reports of a quarter (all quarters: `None`), by task and unit.
    async fn task_reports(&self, quarter: Option<&str>) -> Result<Vec<TaskReportRow>>;
    /// Create a complaint filed on the portal: the item as [`Self::create_work_item`] does,
    /// with its filing row, in one transaction.
    async fn create_public_complaint(
        &self,
        actor: &str,
        item: &WorkItemRow,
        parties: &[WorkPartyRow],
        event: &WorkEventRow,
        notifications: &[NotificationRow],
        filing: &PublicFilingRow,
    ) -> Result<()>;
    /// The portal filing of an item, if it was filed there.
    async fn public_filing(&self, item_id: Uuid) -> Result<Option<PublicFilingRow>>;
    /// An uploaded attachment's bytes with its kind.
    async fn work_content(&self, file_id: Uuid) -> Result<Option<WorkContentRow>>;
}
