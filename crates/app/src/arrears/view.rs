//! Reading the ledger: one arrear with its steps, lists within reach (a body: what it owes; an
//! enterprise: what is owed to it; the credit office: its region's), and totals per body,
//! region and month.

use chengxin_domain::arrears::{Arrear, ArrearSource, ArrearState};
use chengxin_domain::commitments::format_yuan;
use std::collections::BTreeMap;

use chengxin_store::{ArrearFilter, ArrearRow, ArrearTotal};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{acts_for, is_creditor, is_office, office_for, own_body, require_any};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// A step of an arrear's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArrearStepView {
    pub action: String,
    pub action_name: &'static str,
    pub amount: Option<String>,
    pub on: NaiveDate,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// An arrear as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArrearView {
    pub id: Uuid,
    pub no: String,
    pub source: String,
    pub source_name: &'static str,
    pub contract_id: Option<Uuid>,
    pub contract_no: String,
    pub contract_name: Option<String>,
    pub contract_amount: String,
    pub debtor_uscc: String,
    pub debtor_name: String,
    pub region: String,
    pub creditor_uscc: String,
    pub creditor_name: String,
    pub creditor_sme: bool,
    /// Decimal yuan.
    pub amount: String,
    pub paid: String,
    pub outstanding: String,
    pub due: NaiveDate,
    /// Calendar days past due (0 once cleared or rejected).
    pub days_overdue: i64,
    /// `reported`, `confirmed`, `partly_paid`, `cleared`, `rejected`.
    pub state: String,
    pub state_name: &'static str,
    pub reason: Option<String>,
    pub judgment_doc_no: Option<String>,
    pub judgment_on: Option<NaiveDate>,
    pub cleared_on: Option<NaiveDate>,
    /// The 失信 record it became.
    pub record_id: Option<Uuid>,
    pub steps: Vec<ArrearStepView>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

pub(crate) fn domain_arrear(a: &ArrearRow) -> AppResult<Arrear> {
    Ok(Arrear {
        amount_fen: a.amount_fen,
        paid_fen: a.paid_fen,
        state: ArrearState::parse(&a.state)
            .ok_or_else(|| AppError::unavailable(format!("拖欠账款状态无法解读：{}", a.state)))?,
        cleared_on: a.cleared_on,
    })
}

fn step_name(action: &str) -> &'static str {
    match action {
        "enter" => "登记",
        "report" => "企业反映",
        "confirm" => "确认",
        "reject" => "驳回（不属实）",
        "pay" => "付款",
        "judgment" => "法院判决",
        "record" => "记入失信信息",
        _ => "其他",
    }
}

pub(crate) fn view_of(a: &ArrearRow, today: NaiveDate) -> AppResult<ArrearView> {
    let d = domain_arrear(a)?;
    Ok(ArrearView {
        id: a.id,
        no: a.no.clone(),
        source: a.source.clone(),
        source_name: ArrearSource::parse(&a.source).map_or("其他", ArrearSource::label),
        contract_id: a.contract_id,
        contract_no: a.contract_no.clone(),
        contract_name: a.contract_name.clone(),
        contract_amount: format_yuan(a.contract_amount_fen),
        debtor_uscc: a.debtor_uscc.clone(),
        debtor_name: a.debtor_name.clone(),
        region: a.region.clone(),
        creditor_uscc: a.creditor_uscc.clone(),
        creditor_name: a.creditor_name.clone(),
        creditor_sme: a.creditor_sme,
        amount: format_yuan(a.amount_fen),
        paid: format_yuan(a.paid_fen),
        outstanding: format_yuan(d.outstanding()),
        due: a.due_date,
        days_overdue: if d.state.is_owed() || d.state == ArrearState::Reported {
            (today - a.due_date).num_days().max(0)
        } else {
            0
        },
        state: d.state.as_str().into(),
        state_name: d.state.label(),
        reason: a.reason.clone(),
        judgment_doc_no: a.judgment_doc_no.clone(),
        judgment_on: a.judgment_on,
        cleared_on: a.cleared_on,
        record_id: a.record_id,
        steps: Vec::new(),
        version: a.version,
        created_at: a.created_at,
    })
}

/// Whether the caller may read the arrear (else it is "not found").
pub(crate) fn may_see(caller: &Caller, a: &ArrearRow) -> bool {
    acts_for(caller, &a.debtor_uscc)
        || office_for(caller, &a.region)
        || is_creditor(caller, &a.creditor_uscc)
}

/// Load an arrear the caller may see (else "not found").
pub(crate) async fn load(app: &App, caller: &Caller, id: Uuid) -> AppResult<ArrearRow> {
    require_any(caller)?;
    match app.store.arrear(id).await? {
        Some(a) if may_see(caller, &a) => Ok(a),
        _ => Err(AppError::NotFound),
    }
}

/// One arrear with its history.
pub async fn get(app: &App, caller: &Caller, id: Uuid) -> AppResult<ArrearView> {
    let a = load(app, caller, id).await?;
    let mut v = view_of(&a, app.today())?;
    v.steps = app
        .store
        .arrear_steps(a.id)
        .await?
        .into_iter()
        .map(|s| ArrearStepView {
            action_name: step_name(&s.action),
            amount: s.amount_fen.map(format_yuan),
            action: s.action,
            on: s.on_date,
            actor: s.actor,
            at: s.at,
            note: s.note,
        })
        .collect();
    Ok(v)
}

/// List filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArrearListParams {
    /// `reported`, `confirmed`, `partly_paid`, `cleared`, `rejected`.
    pub state: Option<String>,
    /// The debtor body's USCC (the credit office's filter).
    pub body: Option<String>,
    pub page: Option<i64>,
}

/// The filter of the caller's reach: the credit office its region (optionally one body), a
/// body what it owes, an enterprise what is owed to it; `None`: nothing within reach.
fn reach(caller: &Caller, body: Option<&str>) -> Option<ArrearFilter> {
    if is_office(caller) {
        return Some(ArrearFilter {
            region_prefix: Some(caller.region_prefix()),
            debtor: body
                .map(|b| b.trim().to_ascii_uppercase())
                .filter(|b| !b.is_empty()),
            ..Default::default()
        });
    }
    let own = own_body(caller)?;
    if acts_for(caller, &own) {
        return Some(ArrearFilter {
            debtor: Some(own),
            ..Default::default()
        });
    }
    is_creditor(caller, &own).then(|| ArrearFilter {
        creditor: Some(own),
        ..Default::default()
    })
}

/// The arrears within the caller's reach, newest first.
pub async fn list(app: &App, caller: &Caller, p: &ArrearListParams) -> AppResult<Vec<ArrearView>> {
    require_any(caller)?;
    let Some(mut f) = reach(caller, p.body.as_deref()) else {
        return Ok(Vec::new());
    };
    if let Some(s) = p.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if ArrearState::parse(s).is_none() {
            return Err(AppError::invalid(
                "arrear_state_unknown",
                "状态应为 reported、confirmed、partly_paid、cleared 或 rejected",
            ));
        }
        f.state = Some(s.to_string());
    }
    f.limit = 100;
    f.offset = (p.page.unwrap_or(1).max(1) - 1) * 100;
    let today = app.today();
    app.store
        .arrears(&f)
        .await?
        .iter()
        .filter(|a| may_see(caller, a))
        .map(|a| view_of(a, today))
        .collect()
}

/// One line of totals as shown (decimal yuan).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TotalLine {
    /// USCC, region code or `YYYY-MM`.
    pub key: String,
    /// The body's or region's name.
    pub name: String,
    /// Confirmed arrears (owed and cleared).
    pub count: i64,
    pub amount: String,
    pub paid: String,
    pub outstanding: String,
    pub owed_count: i64,
    pub cleared_count: i64,
    /// Reports waiting for the body's confirmation.
    pub reported_count: i64,
    pub reported_amount: String,
}

/// Totals per body, region and month, within the caller's reach.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TotalsView {
    pub by_body: Vec<TotalLine>,
    pub by_region: Vec<TotalLine>,
    pub by_month: Vec<TotalLine>,
    /// The sum of every line (any grouping).
    pub total: TotalLine,
}

fn line(key: &str, name: String, t: &ArrearTotal) -> TotalLine {
    TotalLine {
        key: key.to_string(),
        name,
        count: t.count,
        amount: format_yuan(t.amount_fen),
        paid: format_yuan(t.paid_fen),
        outstanding: format_yuan(t.outstanding_fen),
        owed_count: t.owed_count,
        cleared_count: t.cleared_count,
        reported_count: t.reported_count,
        reported_amount: format_yuan(t.reported_fen),
    }
}

fn add(sum: &mut ArrearTotal, t: &ArrearTotal) {
    sum.count += t.count;
    sum.amount_fen += t.amount_fen;
    sum.paid_fen += t.paid_fen;
    sum.outstanding_fen += t.outstanding_fen;
    sum.owed_count += t.owed_count;
    sum.cleared_count += t.cleared_count;
    sum.reported_count += t.reported_count;
    sum.reported_fen += t.reported_fen;
}

/// Add the cells (body × month) up per body, region and month, each sorted by key.
pub fn sum_up(cells: &[ArrearTotal]) -> TotalsView {
    let regions = chengxin_domain::regions::RegionTable::national();
    let mut by_body: BTreeMap<&str, ArrearTotal> = BTreeMap::new();
    let mut by_region: BTreeMap<&str, ArrearTotal> = BTreeMap::new();
    let mut by_month: BTreeMap<&str, ArrearTotal> = BTreeMap::new();
    let mut total = ArrearTotal::default();
    for c in cells {
        let b = by_body.entry(&c.debtor_uscc).or_default();
        if b.debtor_name.is_empty() {
            b.debtor_name = c.debtor_name.clone();
        }
        add(b, c);
        add(by_region.entry(&c.region).or_default(), c);
        add(by_month.entry(&c.month).or_default(), c);
        add(&mut total, c);
    }
    TotalsView {
        by_body: by_body
            .iter()
            .map(|(k, t)| line(k, t.debtor_name.clone(), t))
            .collect(),
        by_region: by_region
            .iter()
            .map(|(k, t)| line(k, regions.full_name(k).unwrap_or_else(|| k.to_string()), t))
            .collect(),
        by_month: by_month
            .iter()
            .map(|(k, t)| line(k, k.to_string(), t))
            .collect(),
        total: line("total", "合计".into(), &total),
    }
}

/// Totals of the ledger within reach (the credit office: its region, or one body of it; a
/// body: its own; an enterprise: what is owed to it).
pub async fn totals(app: &App, caller: &Caller, body: Option<&str>) -> AppResult<TotalsView> {
    require_any(caller)?;
    // Nothing within reach (an account of no body): empty totals.
    let cells = match reach(caller, body) {
        Some(f) => app.store.arrear_totals(&f).await?,
        None => Vec::new(),
    };
    Ok(sum_up(&cells))
}
