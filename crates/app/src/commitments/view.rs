//! Reading commitments: one with its milestones, steps and files; lists within reach; the
//! portal's 承诺公示.

use chengxin_access::Permission;
use chengxin_domain::commitments::{
    commitment_state, format_yuan, BreachStage, ChangeGround, CommitmentState, Milestone,
    MilestoneState,
};
use chengxin_store::{CommitmentFilter, CommitmentRow, MilestoneRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{kinds, may_see, own_body, require_any};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// A milestone as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MilestoneView {
    pub id: Uuid,
    pub seq: i32,
    pub title: String,
    pub due: NaiveDate,
    /// Decimal yuan.
    pub amount: Option<String>,
    /// `pending`, `overdue`, `kept`, `changed`, `breached` (as of today).
    pub state: String,
    pub state_name: &'static str,
    pub breach_stage: String,
    pub breach_stage_name: &'static str,
    pub explain_due: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub change_ground: Option<&'static str>,
    pub change_basis: Option<String>,
    pub compensation: Option<String>,
    pub compensation_amount: Option<String>,
    pub explanation: Option<String>,
    pub finding: Option<String>,
    pub finding_doc_no: Option<String>,
    /// The 失信 record the breach became.
    pub record_id: Option<Uuid>,
    pub reminded: &'static str,
    pub version: i64,
}

/// A step of the history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub action: String,
    pub action_name: &'static str,
    pub milestone_seq: Option<i32>,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// An evidence file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileView {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub milestone_seq: Option<i32>,
    pub at: DateTime<Utc>,
}

/// A commitment as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommitmentView {
    pub id: Uuid,
    pub no: String,
    pub kind: String,
    pub kind_name: String,
    pub title: String,
    /// Empty when the promisor is a natural person.
    pub promisor_uscc: String,
    pub promisor_name: String,
    /// A natural person's ID number, masked — to everyone: the number itself is opened only
    /// through the person's identity view (`personal_data_decrypt`, a purpose, query-logged).
    pub promisor_id_masked: Option<String>,
    /// The promisor as a credit subject (its archive).
    pub promisor_subject_id: Option<Uuid>,
    pub owner_uscc: String,
    pub region: String,
    pub supervisor_uscc: Option<String>,
    pub counterparty_name: String,
    pub counterparty_uscc: Option<String>,
    pub content: String,
    pub legal_basis: String,
    /// Decimal yuan.
    pub amount: Option<String>,
    pub promised_on: NaiveDate,
    pub public: bool,
    /// `performing`, `fulfilled`, `overdue`, `changed`, `breached`.
    pub state: String,
    pub state_name: &'static str,
    pub milestones: Vec<MilestoneView>,
    pub steps: Vec<StepView>,
    pub files: Vec<FileView>,
    pub created_at: DateTime<Utc>,
}

pub(crate) fn domain_milestone(m: &MilestoneRow) -> AppResult<Milestone> {
    Ok(Milestone {
        due: m.due_date,
        state: MilestoneState::parse(&m.state)
            .ok_or_else(|| AppError::unavailable(format!("履行节点状态无法解读：{}", m.state)))?,
        done_on: m.done_on,
        breach_stage: BreachStage::parse(&m.breach_stage).ok_or_else(|| {
            AppError::unavailable(format!("违约认定程序状态无法解读：{}", m.breach_stage))
        })?,
        explain_due: m.explain_due,
    })
}

pub(crate) fn state_of(ms: &[MilestoneRow], today: NaiveDate) -> AppResult<CommitmentState> {
    let ds = ms
        .iter()
        .map(domain_milestone)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(commitment_state(&ds, today))
}

fn step_name(action: &str) -> &'static str {
    match action {
        "create" => "登记承诺",
        "keep" => "确认兑现",
        "change" => "依法变更并补偿",
        "notice" => "违约告知",
        "explain" => "情况说明",
        "decide" => "违约认定",
        "file" => "上传证明材料",
        _ => "其他",
    }
}

fn milestone_view(m: &MilestoneRow, today: NaiveDate) -> AppResult<MilestoneView> {
    let d = domain_milestone(m)?;
    let st = d.effective(today);
    Ok(MilestoneView {
        id: m.id,
        seq: m.seq,
        title: m.title.clone(),
        due: m.due_date,
        amount: m.amount_fen.map(format_yuan),
        state: st.as_str().into(),
        state_name: st.label(),
        breach_stage: d.breach_stage.as_str().into(),
        breach_stage_name: d.breach_stage.label(),
        explain_due: m.explain_due,
        done_on: m.done_on,
        change_ground: m
            .change_ground
            .as_deref()
            .and_then(|g| ChangeGround::parse(g).ok())
            .map(ChangeGround::label),
        change_basis: m.change_basis.clone(),
        compensation: m.compensation.clone(),
        compensation_amount: m.compensation_fen.map(format_yuan),
        explanation: m.explanation.clone(),
        finding: m.finding.clone(),
        finding_doc_no: m.finding_doc_no.clone(),
        record_id: m.record_id,
        reminded: match m.reminded_stage {
            0 => "未提醒",
            1 => "已到期提醒",
            _ => "已逾期督办",
        },
        version: m.version,
    })
}

/// The view of a commitment (`full`: with its steps and files, for those within reach).
pub(crate) async fn view_of(
    app: &App,
    c: &CommitmentRow,
    ms: &[MilestoneRow],
    full: bool,
) -> AppResult<CommitmentView> {
    let today = app.today();
    let kinds = kinds()?;
    let seq_of = |id: Option<Uuid>| id.and_then(|i| ms.iter().find(|m| m.id == i).map(|m| m.seq));
    let (steps, files) = if full {
        let steps = app
            .store
            .commitment_steps(c.id)
            .await?
            .into_iter()
            .map(|s| StepView {
                action_name: step_name(&s.action),
                milestone_seq: seq_of(s.milestone_id),
                action: s.action,
                actor: s.actor,
                at: s.at,
                note: s.note,
            })
            .collect();
        let files = app
            .store
            .commitment_files(c.id)
            .await?
            .into_iter()
            .map(|f| FileView {
                id: f.id,
                name: f.name,
                kind: f.kind,
                size: f.size,
                milestone_seq: seq_of(f.milestone_id),
                at: f.at,
            })
            .collect();
        (steps, files)
    } else {
        (Vec::new(), Vec::new())
    };
    let state = state_of(ms, today)?;
    Ok(CommitmentView {
        id: c.id,
        no: c.no.clone(),
        kind: c.kind.clone(),
        kind_name: kinds.name_of(&c.kind).to_string(),
        title: c.title.clone(),
        promisor_uscc: c.promisor_uscc.clone(),
        promisor_name: c.promisor_name.clone(),
        promisor_id_masked: c.promisor_id_masked.clone(),
        promisor_subject_id: c.promisor_subject_id,
        owner_uscc: c.owner_uscc.clone(),
        region: c.region.clone(),
        supervisor_uscc: c.supervisor_uscc.clone(),
        counterparty_name: c.counterparty_name.clone(),
        counterparty_uscc: c.counterparty_id.clone(),
        content: c.content.clone(),
        legal_basis: c.legal_basis.clone(),
        amount: c.amount_fen.map(format_yuan),
        promised_on: c.promised_on,
        public: c.public,
        state: state.as_str().into(),
        state_name: state.label(),
        milestones: ms
            .iter()
            .map(|m| milestone_view(m, today))
            .collect::<AppResult<_>>()?,
        steps,
        files,
        created_at: c.created_at,
    })
}

/// Load a commitment the caller may see (else "not found").
pub(crate) async fn load(app: &App, caller: &Caller, id: Uuid) -> AppResult<CommitmentRow> {
    require_any(caller)?;
    match app.store.commitment(id).await? {
        Some(c) if may_see(caller, &c) => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

/// One commitment with its milestones, steps and files.
pub async fn get(app: &App, caller: &Caller, id: Uuid) -> AppResult<CommitmentView> {
    let c = load(app, caller, id).await?;
    let ms = app.store.milestones(&[c.id]).await?;
    view_of(app, &c, &ms, true).await
}

/// List filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Promisor's name contains.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub page: Option<i64>,
}

async fn views(app: &App, rows: Vec<CommitmentRow>) -> AppResult<Vec<CommitmentView>> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let all = app.store.milestones(&ids).await?;
    let mut out = Vec::new();
    for c in &rows {
        let ms: Vec<MilestoneRow> = all
            .iter()
            .filter(|m| m.commitment_id == c.id)
            .cloned()
            .collect();
        out.push(view_of(app, c, &ms, false).await?);
    }
    Ok(out)
}

/// The commitments within the caller's reach, newest first (a body: its own; the credit
/// office: its region's).
pub async fn list(app: &App, caller: &Caller, p: &ListParams) -> AppResult<Vec<CommitmentView>> {
    require_any(caller)?;
    let office = caller.has(Permission::CommitmentsManage)
        && caller.roles.iter().any(|r| {
            r.has(Permission::CommitmentsManage)
                && r.reach() == chengxin_access::Reach::Jurisdiction
        });
    let body = own_body(caller);
    if !office && body.is_none() {
        return Ok(Vec::new());
    }
    let f = CommitmentFilter {
        region_prefix: office.then(|| caller.region_prefix()),
        body: if office { None } else { body },
        promisor_name: p.q.clone(),
        kind: p.kind.clone().filter(|k| !k.is_empty()),
        limit: 100,
        offset: (p.page.unwrap_or(1).max(1) - 1) * 100,
        ..Default::default()
    };
    let rows: Vec<CommitmentRow> = app
        .store
        .commitments(&f)
        .await?
        .into_iter()
        .filter(|c| may_see(caller, c))
        .collect();
    views(app, rows).await
}

/// 承诺公示: public commitments (公开承诺, 信用承诺), by promisor name or USCC, with their
/// fulfilment status. Open to anyone.
pub async fn public_list(
    app: &App,
    name: Option<&str>,
    promisor_uscc: Option<&str>,
    page: i64,
) -> AppResult<Vec<CommitmentView>> {
    let f = CommitmentFilter {
        public_only: true,
        promisor_name: name.map(|n| n.chars().take(50).collect()),
        promisor_uscc: promisor_uscc.map(|u| u.trim().to_ascii_uppercase()),
        limit: 50,
        offset: (page.max(1) - 1) * 50,
        ..Default::default()
    };
    // A natural person's 信用承诺 is never published (the store refuses it public; this
    // holds the line should a row say otherwise).
    let rows = app
        .store
        .commitments(&f)
        .await?
        .into_iter()
        .filter(|c| c.public && c.promisor_id_masked.is_none())
        .collect();
    views(app, rows).await
}
