//! 政务诚信监测评价 (issue 20): the indicator systems loaded (each version kept with its text),
//! evaluation runs (a period computed with one system version; recomputing a period is a new
//! run version; a published run never changes), the scores per target with the dimension and
//! indicator points and the source values behind them, warnings, and imported figures
//! (a department's own figures, third-party evaluations). Every write is change-logged
//! (`evaluation_system`, `evaluation_run`, `evaluation_score`, `evaluation_item`,
//! `evaluation_warning`, `evaluation_import`) and covered by verify.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::NotificationRow;

/// One version of the indicator system, as loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalSystemRow {
    pub version: String,
    pub name: String,
    /// SHA-256 of the text.
    pub digest: String,
    pub text: String,
    pub loaded_by: String,
    pub loaded_at: DateTime<Utc>,
}

/// One evaluation run: a period computed with one system version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalRunRow {
    pub id: Uuid,
    /// `2026-11`, `2026-Q3`, `2026`.
    pub period: String,
    pub period_kind: String,
    pub system_version: String,
    /// 1 for the first computation of the period, then 2, 3 … (set by the store).
    pub run_version: i32,
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<String>,
    /// The day the data was read as of.
    pub as_of: NaiveDate,
    /// Why it was (re)computed.
    pub note: String,
    pub targets: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A target's total in a run: a region (GB/T 2260 code) or a body (USCC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalScoreRow {
    pub id: Uuid,
    pub run_id: Uuid,
    pub target: String,
    /// `province`, `prefecture`, `county`, `township`, `body`.
    pub target_kind: String,
    pub target_name: String,
    /// The region it is in (a region: itself; a body: its region) — jurisdiction.
    pub region: String,
    /// The group it is ranked in (a region: its parent; a body: its region).
    pub rank_group: String,
    /// On the system's total, two decimals.
    pub score: f64,
    pub grade: String,
    /// Rank within its kind (all targets of the kind in the run).
    pub rank: i32,
    pub rank_of: i32,
    /// Points per dimension: JSON object `{code: points}`.
    pub dimensions: String,
    /// Indicators that could not be scored (no data or an error) — left out of the total,
    /// which is scaled to the weights scored.
    pub unscored: i32,
    /// The indicator results packed (runs since migration 0042: the source values, each
    /// indicator's value, points and status, imported figures — the app's format); such rows
    /// are covered by one change-log entry per run (`evaluation_run_scores`). `None` on rows
    /// written before, whose results are `evaluation_items` rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packed: Option<String>,
}

/// An indicator's result for a target in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalItemRow {
    pub id: Uuid,
    pub run_id: Uuid,
    pub target: String,
    pub indicator: String,
    pub dimension: String,
    /// The formula's value (`None` when not scored).
    pub value: Option<f64>,
    pub points: f64,
    pub weight: f64,
    /// `ok`, `no_data`, `error`.
    pub status: String,
    /// The error's message or why there is no data.
    pub note: Option<String>,
    /// The source values used: JSON object `{name: value}`.
    pub inputs: String,
}

/// A warning raised by a run or by an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalWarningRow {
    pub id: Uuid,
    pub run_id: Option<Uuid>,
    pub period: String,
    pub target: String,
    pub target_name: String,
    pub region: String,
    /// `threshold`, `drop`, `zscore`, `debtor`, `breach`.
    pub kind: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

/// An imported figure: the value of an indicator for a target and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalImportRow {
    pub id: Uuid,
    pub indicator: String,
    pub target: String,
    pub period: String,
    pub value: f64,
    /// Who provided it (the third-party body, the department).
    pub provider: String,
    /// The file and row it came from.
    pub file_name: String,
    pub row_no: i32,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
    pub version: i64,
}

/// A run with everything computed, saved in one transaction.
#[derive(Debug, Clone)]
pub struct EvalRunSave {
    pub run: EvalRunRow,
    pub scores: Vec<EvalScoreRow>,
    pub items: Vec<EvalItemRow>,
    pub warnings: Vec<EvalWarningRow>,
    pub notifications: Vec<NotificationRow>,
}

/// Which scores to read.
#[derive(Debug, Clone, Default)]
pub struct EvalScoreFilter {
    pub target_kind: Option<String>,
    /// Region starts with this (a caller's reach).
    pub region_prefix: Option<String>,
    pub target: Option<String>,
}

/// A target's total in one period (its latest run then, published runs first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalHistoryPoint {
    pub period: String,
    pub run_version: i32,
    pub score: f64,
}

#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// Keep an indicator system version (the first load of a version; a later load of the same
    /// version with other text is refused). Returns whether it was new.
    async fn put_eval_system(&self, actor: &str, s: &EvalSystemRow) -> Result<bool>;
    async fn eval_system(&self, version: &str) -> Result<Option<EvalSystemRow>>;
    /// Save a computed run (its run version is the period's next) with its scores, items,
    /// warnings and notifications, in one transaction; returns the stored run.
    async fn save_eval_run(&self, actor: &str, save: EvalRunSave) -> Result<EvalRunRow>;
    /// Publish a run (at `expected_version`); a published run no longer changes.
    async fn publish_eval_run(
        &self,
        actor: &str,
        id: Uuid,
        expected_version: i64,
        at: DateTime<Utc>,
    ) -> Result<EvalRunRow>;
    async fn eval_run(&self, id: Uuid) -> Result<Option<EvalRunRow>>;
    /// Runs, newest first (of one period if given).
    async fn eval_runs(&self, period: Option<&str>, limit: i64) -> Result<Vec<EvalRunRow>>;
    async fn eval_scores(&self, run_id: Uuid, f: &EvalScoreFilter) -> Result<Vec<EvalScoreRow>>;
    /// A target's indicator results in a run.
    async fn eval_items(&self, run_id: Uuid, target: &str) -> Result<Vec<EvalItemRow>>;
    /// A target's totals per period of a kind, oldest first: per period the published run if
    /// any, else the latest.
    async fn eval_history(&self, target: &str, period_kind: &str) -> Result<Vec<EvalHistoryPoint>>;
    /// Totals of every target in the chosen run of `period` (as [`Self::eval_history`] chooses).
    async fn eval_period_totals(&self, period: &str) -> Result<Vec<(String, f64)>>;
    /// Store imported figures; a figure for the same indicator, target and period replaces the
    /// one before (a new version, logged). Returns the count written.
    async fn put_eval_imports(&self, actor: &str, rows: &[EvalImportRow]) -> Result<usize>;
    async fn eval_imports(&self, period: &str) -> Result<Vec<EvalImportRow>>;
    /// Warnings within a region prefix, newest first.
    async fn eval_warnings(&self, region_prefix: &str, limit: i64) -> Result<Vec<EvalWarningRow>>;
    /// Warnings raised by an event (not a run) with their notifications; skips a warning whose
    /// notification's dedup key is already stored.
    async fn add_eval_warnings(
        &self,
        actor: &str,
        warnings: &[EvalWarningRow],
        notifications: &[NotificationRow],
    ) -> Result<usize>;
}

/// One item behind a source value: a record, commitment milestone, arrear, list entry, work
/// item, objection or court case of a government body, with what its tag is derived from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceItem {
    /// The body's USCC.
    pub body_uscc: String,
    pub body_name: String,
    /// The body's region if stored (else the app takes the USCC's).
    pub region: Option<String>,
    /// The item (for the link).
    pub item_id: Uuid,
    pub title: String,
    /// The day it counts on (decision, due date, deadline, listing).
    pub on: NaiveDate,
    /// When it was done (published, kept, closed, answered, cleared), if it was.
    pub done_on: Option<NaiveDate>,
    /// Its state or severity as stored.
    pub state: String,
}

/// A government body (机关) that can be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyTarget {
    pub subject_id: Uuid,
    pub uscc: String,
    pub name: String,
    pub region: Option<String>,
}

/// The named source queries over the platform's own data (each per item, for a period).
#[async_trait]
pub trait EvaluationSourceStore: Send + Sync {
    /// Government bodies with a USCC (visible subjects of kind 机关).
    async fn eval_bodies(&self) -> Result<Vec<BodyTarget>>;
    /// 政务失信: negative records (with a severity, not tolerated, not revoked) of government
    /// bodies decided in `[from, to]`; state = severity.
    async fn eval_dishonesty(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>>;
    /// Commitment milestones of government promisors due in `[from, to]`; state = milestone
    /// state.
    async fn eval_commitments(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>>;
    /// Arrears owed (confirmed, partly paid) due by `to` — state `owed` — and cleared in
    /// `[from, to]` — state `cleared`.
    async fn eval_arrears(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>>;
    /// List entries of government bodies created in `[from, to]` (China dates).
    async fn eval_list_entries(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>>;
    /// Work items of the given kinds with a deadline in `[from, to]`, by owner body; state =
    /// item state, done_on = closed_on.
    async fn eval_work_items(
        &self,
        kinds: &[&str],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SourceItem>>;
    /// Objections due in `[from, to]`, by the department answering; done_on = the day of the
    /// final state.
    async fn eval_objections(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>>;
    /// 失信被执行人 cases of bodies listed by `to` and not cleared by then.
    async fn eval_debtor_cases(&self, to: NaiveDate) -> Result<Vec<SourceItem>>;
    /// 地方政府债务: each region's debt position of the newest year up to `year` (the figures
    /// of a year are known after it ends, so a month of 2026 reads 2025's where 2026 has none).
    async fn eval_debt_positions(&self, year: i32) -> Result<Vec<crate::DebtPositionRow>>;
    /// Entries on `lists` (effective or since removed) of government bodies with a USCC: the
    /// entries a measure such as 扣减政务诚信得分 may apply to (whether one was in effect on a
    /// day is the entry's own dates, read by the caller).
    async fn eval_body_entries(&self, lists: &[String]) -> Result<Vec<BodyListEntry>>;
    /// One government body (as [`Self::eval_bodies`] lists it), if it is one.
    async fn eval_body(&self, uscc: &str) -> Result<Option<BodyTarget>>;
    /// The 双公示 records (visible, of `type_codes`) decided in `[from, to]`, each handed to
    /// `sink` as (deciding department, decision date, published at) — the set-based read of a
    /// run over many periods, nothing kept per record.
    async fn eval_gongshi_scan(
        &self,
        type_codes: &[String],
        from: NaiveDate,
        to: NaiveDate,
        sink: &mut (dyn for<'x> FnMut(&'x str, NaiveDate, Option<DateTime<Utc>>) + Send),
    ) -> Result<()>;
    /// The 双公示 records of one deciding department (as `RecordStore::records_decided`,
    /// by the index on the department and date).
    async fn eval_gongshi_of(
        &self,
        type_codes: &[String],
        from: NaiveDate,
        to: NaiveDate,
        dept: &str,
    ) -> Result<Vec<chengxin_domain::records::Record>>;
    /// [`Self::eval_dishonesty`], each handed to `sink` as (body USCC, stored region, decision
    /// date, severity).
    async fn eval_dishonesty_scan(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        sink: &mut (dyn for<'x> FnMut(&'x str, Option<&'x str>, NaiveDate, &'x str) + Send),
    ) -> Result<()>;
    /// [`Self::eval_dishonesty`] of one body (by its subject).
    async fn eval_dishonesty_of(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        uscc: &str,
    ) -> Result<Vec<SourceItem>>;
}

/// A list entry of a government body (see [`EvaluationSourceStore::eval_body_entries`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BodyListEntry {
    pub body_uscc: String,
    pub body_name: String,
    pub body_region: Option<String>,
    pub entry: crate::ListEntryRow,
}
