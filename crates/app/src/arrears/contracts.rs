//! Procurement contracts (政府采购合同) whose purchaser is a body: registered with their
//! delivery, 验收 and payment milestones — a payment without its own due date falls due the
//! statutory (SME) or agreed term after acceptance, else delivery — read within reach, and a
//! milestone marked done.

use chengxin_access::Permission;
use chengxin_domain::arrears::{
    check_purchaser, check_supplier, payment_due_default, ArrearsError, MilestoneKind,
};
use chengxin_domain::commitments::format_yuan;
use chengxin_domain::regions::RegionTable;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{ArrearFilter, ContractMilestoneRow, ContractRow, NewSubject};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{acts_for, is_office, office_for, own_body, short_no, terms};
use crate::auth::{uscc_region, Caller};
use crate::commitments::{amount, date, text};
use crate::error::{AppError, AppResult};
use crate::App;

/// Most milestones a contract may have.
pub const MAX_MILESTONES: usize = 50;

/// One milestone as registered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ContractMilestoneInput {
    /// `delivery` (交付), `acceptance` (验收) or `payment` (付款).
    pub kind: String,
    pub title: String,
    /// `YYYY-MM-DD`; a payment without one falls due the term's days after acceptance (else
    /// delivery, else signing).
    pub due: Option<String>,
    /// Decimal yuan (text); required for a payment.
    #[schema(value_type = Option<String>)]
    pub amount: Option<serde_json::Value>,
}

/// A new procurement contract.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ContractRequest {
    pub title: String,
    /// The contract's own number (合同编号).
    pub contract_no: String,
    /// The purchaser: a government body or institution (USCC 登记管理部门 1).
    pub purchaser_uscc: String,
    /// Needed when the purchaser is not registered yet.
    pub purchaser_name: Option<String>,
    pub supplier_uscc: String,
    pub supplier_name: String,
    /// The supplier is an SME at signing (中小企业): the statutory term applies.
    pub supplier_sme: bool,
    /// Decimal yuan (text).
    #[schema(value_type = String)]
    pub amount: serde_json::Value,
    /// `YYYY-MM-DD`.
    pub signed_on: String,
    /// The agreed payment term in days (an SME's at most 60); the statutory 30 when absent.
    pub payment_days: Option<u32>,
    pub milestones: Vec<ContractMilestoneInput>,
}

/// A milestone as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProcurementMilestoneView {
    pub id: Uuid,
    pub seq: i32,
    pub kind: String,
    pub kind_name: &'static str,
    pub title: String,
    pub due: NaiveDate,
    pub amount: Option<String>,
    /// `pending`, `overdue`, `done`, `in_ledger` (an overdue payment entered the ledger).
    pub state: String,
    pub state_name: &'static str,
    pub done_on: Option<NaiveDate>,
    pub arrear_id: Option<Uuid>,
    pub version: i64,
}

/// A contract as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContractView {
    pub id: Uuid,
    pub no: String,
    pub contract_no: String,
    pub title: String,
    pub purchaser_uscc: String,
    pub purchaser_name: String,
    pub region: String,
    pub supplier_uscc: String,
    pub supplier_name: String,
    pub supplier_sme: bool,
    pub amount: String,
    pub signed_on: NaiveDate,
    pub payment_days: i32,
    /// Where the term comes from (the regulation and its article, or the contract).
    pub terms_basis: String,
    pub milestones: Vec<ProcurementMilestoneView>,
    pub created_at: DateTime<Utc>,
}

fn milestone_view(m: &ContractMilestoneRow, today: NaiveDate) -> ProcurementMilestoneView {
    let kind = MilestoneKind::parse(&m.kind).ok();
    let (state, name) = match (m.state.as_str(), m.arrear_id) {
        ("done", _) => ("done", "已完成"),
        (_, Some(_)) => ("in_ledger", "逾期未付（已记入拖欠账款台账）"),
        _ if m.due_date < today => ("overdue", "逾期"),
        _ => ("pending", "未到期"),
    };
    ProcurementMilestoneView {
        id: m.id,
        seq: m.seq,
        kind: m.kind.clone(),
        kind_name: kind.map_or("其他", MilestoneKind::label),
        title: m.title.clone(),
        due: m.due_date,
        amount: m.amount_fen.map(format_yuan),
        state: state.into(),
        state_name: name,
        done_on: m.done_on,
        arrear_id: m.arrear_id,
        version: m.version,
    }
}

pub(crate) fn contract_view(
    c: &ContractRow,
    ms: &[ContractMilestoneRow],
    today: NaiveDate,
) -> ContractView {
    ContractView {
        id: c.id,
        no: c.no.clone(),
        contract_no: c.contract_no.clone(),
        title: c.title.clone(),
        purchaser_uscc: c.purchaser_uscc.clone(),
        purchaser_name: c.purchaser_name.clone(),
        region: c.region.clone(),
        supplier_uscc: c.supplier_uscc.clone(),
        supplier_name: c.supplier_name.clone(),
        supplier_sme: c.supplier_sme,
        amount: format_yuan(c.amount_fen),
        signed_on: c.signed_on,
        payment_days: c.payment_days,
        terms_basis: c.terms_basis.clone(),
        milestones: ms
            .iter()
            .filter(|m| m.contract_id == c.id)
            .map(|m| milestone_view(m, today))
            .collect(),
        created_at: c.created_at,
    }
}

fn may_see(caller: &Caller, c: &ContractRow) -> bool {
    acts_for(caller, &c.purchaser_uscc) || office_for(caller, &c.region)
}

fn require(caller: &Caller) -> AppResult<()> {
    caller.require_any(&[Permission::CommitmentsManage, Permission::AssignmentsHandle])
}

async fn load(app: &App, caller: &Caller, id: Uuid) -> AppResult<ContractRow> {
    require(caller)?;
    match app.store.contract(id).await? {
        Some(c) if may_see(caller, &c) => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

/// Register a contract (with its milestones), checked whole before anything is written.
pub async fn create_contract(
    app: &App,
    caller: &Caller,
    req: ContractRequest,
) -> AppResult<ContractView> {
    require(caller)?;
    let terms = terms()?;
    let regions = RegionTable::national();
    let purchaser = check_purchaser(&req.purchaser_uscc, regions)?;
    let region = uscc_region(&purchaser);
    if !acts_for(caller, &purchaser) && !office_for(caller, &region) {
        caller.require_at(Permission::CommitmentsManage, &region)?;
        return Err(AppError::forbidden(
            "not_your_body",
            "只能登记本单位作为采购人的合同（信用办可登记本辖区的合同）",
        ));
    }
    let supplier = check_supplier(&req.supplier_uscc, regions)?;
    let title = text(&req.title, "合同名称", 200)?;
    let contract_no = text(&req.contract_no, "合同编号", 100)?;
    let supplier_name = text(&req.supplier_name, "供应商名称", 200)?;
    let amount_fen =
        amount(&Some(req.amount.clone()))?.ok_or(ArrearsError::Required("合同金额"))?;
    let signed_on = date(&req.signed_on, "合同签订日期")?;
    let today = app.today();
    if signed_on > today {
        return Err(ArrearsError::DateInFuture {
            date: signed_on,
            today,
        }
        .into());
    }
    let days = terms.term_days(req.supplier_sme, req.payment_days)?;
    if req.milestones.is_empty() {
        return Err(ArrearsError::NoMilestones.into());
    }
    if req.milestones.len() > MAX_MILESTONES {
        return Err(ArrearsError::TooManyMilestones(MAX_MILESTONES).into());
    }
    let id = Uuid::now_v7();
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let mut before: Vec<(MilestoneKind, NaiveDate)> = Vec::new();
    let mut rows = Vec::new();
    let mut payments = 0i64;
    for (i, m) in req.milestones.iter().enumerate() {
        let kind = MilestoneKind::parse(&m.kind)?;
        let title = text(&m.title, "履约节点名称", 200)?;
        let due = match m.due.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => date(d, "履约期限")?,
            _ if kind == MilestoneKind::Payment => {
                payment_due_default(terms, signed_on, &before, days)
            }
            _ => return Err(ArrearsError::Required("交付或验收节点的期限").into()),
        };
        if due < signed_on {
            return Err(ArrearsError::DueBeforeSigning {
                what: "履约期限",
                due,
                signed: signed_on,
            }
            .into());
        }
        let amount_fen = amount(&m.amount)?;
        if kind == MilestoneKind::Payment {
            let a = amount_fen.ok_or(ArrearsError::PaymentAmountRequired)?;
            if a == 0 {
                return Err(ArrearsError::AmountNotPositive.into());
            }
            payments = payments.saturating_add(a);
        }
        before.push((kind, due));
        rows.push(ContractMilestoneRow {
            id: Uuid::now_v7(),
            contract_id: id,
            seq: i32::try_from(i + 1).unwrap_or(i32::MAX),
            kind: kind.as_str().into(),
            title,
            due_date: due,
            amount_fen,
            state: "pending".into(),
            done_on: None,
            arrear_id: None,
            updated_at: now,
            version: 1,
        });
    }
    if payments > amount_fen {
        return Err(ArrearsError::PaymentsExceedContract {
            sum: format_yuan(payments),
            total: format_yuan(amount_fen),
        }
        .into());
    }
    // The purchaser as a subject (so its 失信 record, should it come to that, is found by
    // checks): the registered one, or registered now — after every check above.
    let subject = match app.store.subject_by_uscc(&purchaser).await? {
        Some(s) => s,
        None => {
            let name = req
                .purchaser_name
                .as_deref()
                .map(|n| text(n, "采购人名称", 200))
                .transpose()?
                .ok_or(ArrearsError::Required(
                    "采购人名称（该单位尚未登记为信用主体）",
                ))?;
            app.store
                .create_subject(
                    &caller.actor,
                    NewSubject {
                        kind: Some(gov_kind(&purchaser)),
                        name,
                        uscc: Some(purchaser.clone()),
                        id_hash: None,
                        id_masked: None,
                        region: Some(region.clone()),
                        parent_id: None,
                        former_names: Vec::new(),
                    },
                )
                .await?
        }
    };
    let row = ContractRow {
        id,
        no: short_no("CG", signed_on),
        contract_no,
        title,
        purchaser_uscc: purchaser,
        purchaser_name: subject.name.clone(),
        purchaser_subject_id: Some(subject.id),
        region,
        supplier_uscc: supplier,
        supplier_name,
        supplier_sme: req.supplier_sme,
        amount_fen,
        signed_on,
        payment_days: i32::try_from(days).unwrap_or(i32::MAX),
        terms_basis: terms.basis(req.supplier_sme, req.payment_days),
        created_by: caller.actor.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    app.store
        .create_contract(&caller.actor, &row, &rows)
        .await?;
    get_contract(app, caller, id).await
}

/// The subject kind of a body by its USCC's category (`11` 机关, else 事业单位).
pub(crate) fn gov_kind(uscc: &str) -> SubjectKind {
    if uscc.starts_with("11") {
        SubjectKind::GovBody
    } else {
        SubjectKind::Institution
    }
}

/// One contract with its milestones.
pub async fn get_contract(app: &App, caller: &Caller, id: Uuid) -> AppResult<ContractView> {
    let c = load(app, caller, id).await?;
    let ms = app.store.contract_milestones(&[c.id]).await?;
    Ok(contract_view(&c, &ms, app.today()))
}

/// The contracts within reach, newest first (a body: those it purchased; the credit office:
/// its region's).
pub async fn list_contracts(app: &App, caller: &Caller, page: i64) -> AppResult<Vec<ContractView>> {
    require(caller)?;
    let office = is_office(caller);
    let body = own_body(caller);
    if !office && body.is_none() {
        return Ok(Vec::new());
    }
    let f = ArrearFilter {
        region_prefix: office.then(|| caller.region_prefix()),
        debtor: if office { None } else { body },
        limit: 100,
        offset: (page.max(1) - 1) * 100,
        ..Default::default()
    };
    let rows: Vec<ContractRow> = app
        .store
        .contracts(&f)
        .await?
        .into_iter()
        .filter(|c| may_see(caller, c))
        .collect();
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let ms = app.store.contract_milestones(&ids).await?;
    let today = app.today();
    Ok(rows.iter().map(|c| contract_view(c, &ms, today)).collect())
}

/// Marking a milestone done.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MilestoneDone {
    pub milestone_id: Uuid,
    /// `YYYY-MM-DD`; today when absent.
    pub on: Option<String>,
    pub expected_version: i64,
}

/// Mark a delivery, acceptance or payment done (the purchaser or the credit office). A payment
/// already in the arrears ledger is paid through the ledger (`milestone_in_ledger`).
pub async fn complete_milestone(
    app: &App,
    caller: &Caller,
    contract_id: Uuid,
    req: MilestoneDone,
) -> AppResult<ContractView> {
    let c = load(app, caller, contract_id).await?;
    let ms = app.store.contract_milestones(&[c.id]).await?;
    let Some(m) = ms.iter().find(|m| m.id == req.milestone_id) else {
        return Err(AppError::NotFound);
    };
    if m.arrear_id.is_some() {
        return Err(AppError::conflict(
            "milestone_in_ledger",
            "该付款已逾期并记入拖欠账款台账：请在台账中登记付款",
        ));
    }
    if m.state == "done" {
        return Err(AppError::conflict("milestone_done", "该履约节点已完成"));
    }
    if m.version != req.expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: req.expected_version,
            current: m.version,
        }
        .into());
    }
    let today = app.today();
    let on = match req.on.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => date(d, "完成日期")?,
        _ => today,
    };
    if on > today {
        return Err(ArrearsError::DateInFuture { date: on, today }.into());
    }
    if on < c.signed_on {
        return Err(ArrearsError::DueBeforeSigning {
            what: "完成日期",
            due: on,
            signed: c.signed_on,
        }
        .into());
    }
    app.store
        .complete_contract_milestone(&caller.actor, m.id, req.expected_version, on)
        .await?;
    get_contract(app, caller, c.id).await
}
