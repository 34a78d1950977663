//! The arrears ledger's writes: an enterprise reports an arrear through the portal (企业反映，
//! 待确认), the credit office registers one, and the steps on it — 确认 / 驳回（不属实，理由）by
//! the body or the credit office, 付款 (partial until cleared; never more than outstanding; a
//! clearance completes the contract's payment milestone), 法院判决 by the credit office. Each
//! step tells the other side through [`crate::notify`].

use chengxin_access::Permission;
use chengxin_domain::arrears::{
    check_purchaser, check_supplier, ArrearAction, ArrearSource, ArrearState, ArrearsError,
};
use chengxin_domain::commitments::format_yuan;
use chengxin_domain::regions::RegionTable;
use chengxin_store::{ArrearChange, ArrearEntry, ArrearRow, ArrearStepRow};
use chrono::SubsecRound;
use serde::Deserialize;
use uuid::Uuid;

use super::view::{domain_arrear, load};
use super::{acts_for, office_for, own_body, positive_amount, short_no, ArrearView};
use crate::auth::{uscc_region, Caller};
use crate::commitments::{amount, date, text};
use crate::error::{AppError, AppResult};
use crate::notify::{self, Notice, To};
use crate::App;

/// An arrear reported (by the enterprise) or registered (by the credit office).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ArrearRequest {
    /// The body that owes: a government body or institution.
    pub debtor_uscc: String,
    /// Needed when the body is not registered yet.
    pub debtor_name: Option<String>,
    /// The creditor (registered by the credit office; a report's is the enterprise itself).
    pub creditor_uscc: Option<String>,
    pub creditor_name: Option<String>,
    /// The creditor is an SME (中小企业).
    #[serde(default)]
    pub creditor_sme: bool,
    pub contract_no: String,
    pub contract_name: Option<String>,
    /// Decimal yuan (text).
    #[schema(value_type = Option<String>)]
    pub contract_amount: Option<serde_json::Value>,
    /// The unpaid amount, decimal yuan (text).
    #[schema(value_type = String)]
    pub amount: Option<serde_json::Value>,
    /// When it was due (`YYYY-MM-DD`), before today.
    pub due: String,
    /// The contract's signing date, if known (a due date before it is refused).
    pub signed_on: Option<String>,
    /// What the reporter says (masked ID numbers).
    pub note: Option<String>,
}

struct Checked {
    debtor: String,
    debtor_name: String,
    debtor_subject_id: Option<Uuid>,
    contract_no: String,
    contract_name: Option<String>,
    contract_amount_fen: i64,
    amount_fen: i64,
    due: chrono::NaiveDate,
    note: String,
}

/// Check the request whole (nothing written).
async fn check(app: &App, req: &ArrearRequest) -> AppResult<Checked> {
    let regions = RegionTable::national();
    let debtor = check_purchaser(&req.debtor_uscc, regions)?;
    let contract_no = text(&req.contract_no, "合同编号", 100)?;
    let contract_name = match req.contract_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(text(n, "合同名称", 200)?),
    };
    let amount_fen = positive_amount(&req.amount, "拖欠金额")?;
    let contract_amount_fen = amount(&req.contract_amount)?.unwrap_or(amount_fen);
    if amount_fen > contract_amount_fen {
        return Err(ArrearsError::PaymentsExceedContract {
            sum: format_yuan(amount_fen),
            total: format_yuan(contract_amount_fen),
        }
        .into());
    }
    let due = date(&req.due, "约定付款日期")?;
    let today = app.today();
    if due >= today {
        return Err(AppError::invalid(
            "arrear_not_due",
            format!("约定付款日期 {due} 尚未届满：到期未付的款项才能登记为拖欠账款"),
        ));
    }
    if let Some(s) = req
        .signed_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let signed = date(s, "合同签订日期")?;
        if due < signed {
            return Err(ArrearsError::DueBeforeSigning {
                what: "约定付款日期",
                due,
                signed,
            }
            .into());
        }
    }
    let note = match req.note.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(n) => text(n, "情况说明", 2000)?,
    };
    let (debtor_name, debtor_subject_id) = match app.store.subject_by_uscc(&debtor).await? {
        Some(s) => (s.name, Some(s.id)),
        None => (
            req.debtor_name
                .as_deref()
                .map(|n| text(n, "欠款单位名称", 200))
                .transpose()?
                .ok_or(ArrearsError::Required(
                    "欠款单位名称（该单位尚未登记为信用主体）",
                ))?,
            None,
        ),
    };
    Ok(Checked {
        debtor,
        debtor_name,
        debtor_subject_id,
        contract_no,
        contract_name,
        contract_amount_fen,
        amount_fen,
        due,
        note,
    })
}

#[allow(clippy::too_many_arguments)]
async fn enter(
    app: &App,
    caller: &Caller,
    c: Checked,
    source: ArrearSource,
    creditor: String,
    creditor_name: String,
    creditor_sme: bool,
) -> AppResult<ArrearView> {
    let (e, notice) = build(
        app,
        &caller.actor,
        c,
        source,
        creditor,
        creditor_name,
        creditor_sme,
    );
    let id = e.arrear.id;
    app.store
        .enter_arrears(&caller.actor, &[e], &notify::rows(&[notice]))
        .await?;
    super::get(app, caller, id).await
}

/// The arrear a complaint's 查实 finds (投诉举报查实): checked as a report is, entered as
/// 待确认 (reported, to be confirmed by the body) in the complaint step's own transaction.
pub(crate) async fn from_complaint(
    app: &App,
    actor: &str,
    req: &ArrearRequest,
    item_no: &str,
) -> AppResult<(ArrearEntry, Notice)> {
    let regions = RegionTable::national();
    let creditor = check_supplier(
        req.creditor_uscc
            .as_deref()
            .ok_or(ArrearsError::Required("债权人统一社会信用代码"))?,
        regions,
    )?;
    let creditor_name = match app.store.subject_by_uscc(&creditor).await? {
        Some(s) => s.name,
        None => text(
            req.creditor_name.as_deref().unwrap_or(""),
            "债权人名称",
            200,
        )?,
    };
    let mut c = check(app, req).await?;
    c.note = if c.note.is_empty() {
        format!("投诉举报查实（{item_no}）")
    } else {
        format!("投诉举报查实（{item_no}）：{}", c.note)
    };
    Ok(build(
        app,
        actor,
        c,
        ArrearSource::Portal,
        creditor,
        creditor_name,
        req.creditor_sme,
    ))
}

#[allow(clippy::too_many_arguments)]
fn build(
    app: &App,
    actor: &str,
    c: Checked,
    source: ArrearSource,
    creditor: String,
    creditor_name: String,
    creditor_sme: bool,
) -> (ArrearEntry, Notice) {
    let region = uscc_region(&c.debtor);
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let today = app.today();
    let id = Uuid::now_v7();
    let row = ArrearRow {
        id,
        no: short_no("QK", today),
        source: source.as_str().into(),
        contract_id: None,
        milestone_id: None,
        contract_no: c.contract_no,
        contract_name: c.contract_name,
        contract_amount_fen: c.contract_amount_fen,
        debtor_uscc: c.debtor.clone(),
        debtor_name: c.debtor_name.clone(),
        debtor_subject_id: c.debtor_subject_id,
        region: region.clone(),
        creditor_uscc: creditor,
        creditor_name: creditor_name.clone(),
        creditor_sme,
        amount_fen: c.amount_fen,
        paid_fen: 0,
        due_date: c.due,
        due_month: c.due.format("%Y-%m").to_string(),
        state: source.initial_state().as_str().into(),
        reason: None,
        judgment_doc_no: None,
        judgment_on: None,
        cleared_on: None,
        record_id: None,
        reported_by: actor.to_string(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let (action, what) = match source {
        ArrearSource::Portal => ("report", "企业反映拖欠账款"),
        _ => ("enter", "信用办登记拖欠账款"),
    };
    let step = ArrearStepRow {
        id: Uuid::now_v7(),
        arrear_id: id,
        action: action.into(),
        amount_fen: Some(c.amount_fen),
        on_date: today,
        actor: actor.to_string(),
        at: now,
        note: if c.note.is_empty() {
            what.to_string()
        } else {
            format!("{what}：{}", c.note)
        },
    };
    let notice = Notice {
        to: vec![To::Body(c.debtor.clone()), To::Office(region.clone())],
        region,
        topic: "arrear_reported",
        title: format!("{what}：{}（{} 元）", creditor_name, format_yuan(c.amount_fen)),
        body: match source {
            ArrearSource::Portal => format!(
                "{creditor_name} 反映 {} 拖欠合同“{}”款项 {} 元（约定付款日期 {}）。请核实后确认或说明理由驳回。",
                c.debtor_name, row.contract_no, format_yuan(c.amount_fen), c.due
            ),
            _ => format!(
                "{} 拖欠 {creditor_name} 合同“{}”款项 {} 元（约定付款日期 {}），已记入拖欠账款台账。请尽快支付。",
                c.debtor_name, row.contract_no, format_yuan(c.amount_fen), c.due
            ),
        },
        link: Some(format!("/console/arrears/{id}")),
        once: None,
    };
    (ArrearEntry { arrear: row, step }, notice)
}

/// 企业反映: the enterprise (its subject account, bound to its USCC) reports an arrear owed to
/// it; it enters as 待确认 until the body or the credit office confirms or rejects it.
pub async fn report(app: &App, caller: &Caller, req: ArrearRequest) -> AppResult<ArrearView> {
    caller.require(Permission::ArchiveReadOwn)?;
    let creditor = own_body(caller).ok_or_else(|| {
        AppError::forbidden(
            "body_required",
            "请使用绑定本单位统一社会信用代码的信用主体账号登录后反映",
        )
    })?;
    let creditor = check_supplier(&creditor, RegionTable::national())?;
    let c = check(app, &req).await?;
    let creditor_name = match app.store.subject_by_uscc(&creditor).await? {
        Some(s) => s.name,
        None => req
            .creditor_name
            .as_deref()
            .map(|n| text(n, "债权人名称", 200))
            .transpose()?
            .unwrap_or_else(|| creditor.clone()),
    };
    enter(
        app,
        caller,
        c,
        ArrearSource::Portal,
        creditor,
        creditor_name,
        req.creditor_sme,
    )
    .await
}

/// The credit office registers an arrear of a body of its region (e.g. from the 12345 hotline
/// or a 专项治理 survey): it enters confirmed.
pub async fn register(app: &App, caller: &Caller, req: ArrearRequest) -> AppResult<ArrearView> {
    caller.require(Permission::CommitmentsManage)?;
    let regions = RegionTable::national();
    let debtor = check_purchaser(&req.debtor_uscc, regions)?;
    if !office_for(caller, &uscc_region(&debtor)) {
        caller.require_at(Permission::CommitmentsManage, &uscc_region(&debtor))?;
        return Err(AppError::forbidden(
            "not_office",
            "拖欠账款由欠款单位所在地信用办登记",
        ));
    }
    let creditor = check_supplier(
        req.creditor_uscc
            .as_deref()
            .ok_or(ArrearsError::Required("债权人统一社会信用代码"))?,
        regions,
    )?;
    let creditor_name = text(
        req.creditor_name.as_deref().unwrap_or(""),
        "债权人名称",
        200,
    )?;
    let c = check(app, &req).await?;
    enter(
        app,
        caller,
        c,
        ArrearSource::Office,
        creditor,
        creditor_name,
        req.creditor_sme,
    )
    .await
}

/// A step on an arrear.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ArrearStepRequest {
    /// `confirm`, `reject`, `pay`, `judgment`.
    pub action: String,
    /// `pay`: decimal yuan (text).
    #[schema(value_type = Option<String>)]
    pub amount: Option<serde_json::Value>,
    /// The day it happened (`YYYY-MM-DD`); today when absent.
    pub on: Option<String>,
    /// `reject`: why the report is not true (不属实).
    pub reason: Option<String>,
    /// `judgment`: the judgment's number (判决书文号).
    pub doc_no: Option<String>,
    /// The arrear's version as shown.
    pub expected_version: i64,
}

/// Take a step on an arrear.
pub async fn act(
    app: &App,
    caller: &Caller,
    id: Uuid,
    req: ArrearStepRequest,
) -> AppResult<ArrearView> {
    let a = load(app, caller, id).await?;
    let office = office_for(caller, &a.region);
    let debtor = acts_for(caller, &a.debtor_uscc);
    let action = req.action.trim();
    let allowed = match action {
        "confirm" | "reject" | "pay" => debtor || office,
        "judgment" => office,
        _ => return Err(AppError::invalid(
            "arrear_action_unknown",
            "操作应为 confirm（确认）、reject（驳回）、pay（登记付款）或 judgment（登记法院判决）",
        )),
    };
    if !allowed {
        return Err(AppError::forbidden(
            "not_your_step",
            "该步骤不由本单位办理：确认、驳回和付款由欠款单位或信用办办理，法院判决由信用办登记",
        ));
    }
    if a.version != req.expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: req.expected_version,
            current: a.version,
        }
        .into());
    }
    let today = app.today();
    let on = match req.on.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => date(d, "日期")?,
        _ => today,
    };
    if on > today {
        return Err(ArrearsError::DateInFuture { date: on, today }.into());
    }
    let step = match action {
        "confirm" => ArrearAction::Confirm,
        "reject" => ArrearAction::Reject {
            reason: text(req.reason.as_deref().unwrap_or(""), "驳回理由", 2000)?,
        },
        "pay" => ArrearAction::Pay {
            amount_fen: positive_amount(&req.amount, "付款金额")?,
            on,
        },
        _ => ArrearAction::Judgment {
            doc_no: text(req.doc_no.as_deref().unwrap_or(""), "判决文书号", 100)?,
            on,
        },
    };
    let next = domain_arrear(&a)?.apply(&step)?;
    let mut row = a.clone();
    row.state = next.state.as_str().into();
    row.paid_fen = next.paid_fen;
    row.cleared_on = next.cleared_on;
    row.updated_at = chengxin_store::clock::now().trunc_subsecs(6);
    let (note, amount_fen, title, body) = match &step {
        ArrearAction::Confirm => (
            "确认拖欠属实".to_string(),
            None,
            format!("拖欠账款已确认：{}", a.no),
            format!(
                "{} 已确认拖欠 {} 合同“{}”款项 {} 元。",
                a.debtor_name,
                a.creditor_name,
                a.contract_no,
                format_yuan(a.amount_fen)
            ),
        ),
        ArrearAction::Reject { reason } => {
            row.reason = Some(reason.clone());
            (
                format!("不属实：{reason}"),
                None,
                format!("拖欠账款反映不属实（驳回）：{}", a.no),
                format!("{} 反映的合同“{}”拖欠款项经核实不属实，理由：{reason}。如有异议，可联系当地信用办。", a.creditor_name, a.contract_no),
            )
        }
        ArrearAction::Pay { amount_fen, on } => (
            if next.state == ArrearState::Cleared {
                format!("付款 {} 元，已清偿", format_yuan(*amount_fen))
            } else {
                format!(
                    "付款 {} 元，尚欠 {} 元",
                    format_yuan(*amount_fen),
                    format_yuan(next.outstanding())
                )
            },
            Some(*amount_fen),
            format!("{}：{}", next.state.label(), a.no),
            format!(
                "{} 于 {on} 支付合同“{}”款项 {} 元，尚欠 {} 元。",
                a.debtor_name,
                a.contract_no,
                format_yuan(*amount_fen),
                format_yuan(next.outstanding())
            ),
        ),
        ArrearAction::Judgment { doc_no, on } => {
            row.judgment_doc_no = Some(doc_no.clone());
            row.judgment_on = Some(*on);
            (
                format!("法院生效判决 {doc_no}（{on}）"),
                None,
                format!("法院判决应付：{}", a.no),
                format!("法院生效判决（{doc_no}）确定 {} 应支付 {} 合同“{}”款项；逾期未付的，将记入该单位失信信息。", a.debtor_name, a.creditor_name, a.contract_no),
            )
        }
    };
    let step_row = ArrearStepRow {
        id: Uuid::now_v7(),
        arrear_id: a.id,
        action: action.to_string(),
        amount_fen,
        on_date: on,
        actor: caller.actor.clone(),
        at: row.updated_at,
        note,
    };
    let notice = Notice {
        to: vec![
            To::Body(a.creditor_uscc.clone()),
            To::Body(a.debtor_uscc.clone()),
            To::Office(a.region.clone()),
        ],
        region: a.region.clone(),
        topic: "arrear_step",
        title,
        body,
        link: Some(format!("/console/arrears/{}", a.id)),
        once: None,
    };
    let milestone_done = match (next.state, a.milestone_id) {
        (ArrearState::Cleared, Some(m)) => Some((m, on)),
        _ => None,
    };
    app.store
        .change_arrear(
            &caller.actor,
            ArrearChange {
                arrear: row,
                expected_version: req.expected_version,
                step: step_row,
                record: None,
                milestone_done,
                notifications: notify::rows(&[notice]),
            },
        )
        .await?;
    super::get(app, caller, a.id).await
}
