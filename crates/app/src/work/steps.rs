//! A step on an item (a type's action, or a note), with its attachments' descriptions: who may
//! take it comes from the type (`by`), the rules from the domain; the state moves, the clock
//! and reminders start over for a new due date, and the bodies concerned are told.

use chengxin_domain::work::{stage_due, Party, Step, WorkError, MAX_TEXT};
use chengxin_store::{WorkChange, WorkEventRow, WorkFileRow, WorkItemRow, WorkPartyRow};
use chrono::{NaiveDate, SubsecRound};
use serde::Deserialize;
use uuid::Uuid;

use super::view::load;
use super::{acting_as, date, party_code, text, types, Attachment, ItemView};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::notify::{self, Notice, To};
use crate::App;

/// Most attachments one step carries.
pub const MAX_ATTACHMENTS: usize = 20;
/// The largest attachment described (bytes): 50 MB.
pub const MAX_ATTACHMENT_BYTES: i64 = 50 * 1024 * 1024;

/// A step asked for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StepRequest {
    /// An action of the item's type (see the item's `next_actions`), or `note`.
    pub action: String,
    /// For an action with choices (e.g. `satisfied`, `basically_satisfied`, `dissatisfied`).
    pub choice: Option<String>,
    #[serde(default)]
    pub text: String,
    /// `YYYY-MM-DD`; today when absent.
    pub on: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    pub expected_version: i64,
    /// With a complaint's 查实 / 部分查实 about an unpaid debt: the arrear found, entered in
    /// the ledger as reported, to be confirmed by the body (债务人 is the body complained of).
    pub arrear: Option<ComplaintArrear>,
}

/// The arrear a complaint's 查实 finds: the debtor is the body complained of.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ComplaintArrear {
    /// The creditor (债权企业).
    pub creditor_uscc: String,
    /// Needed when the creditor is not registered.
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
    /// The contract's signing date, if known.
    pub signed_on: Option<String>,
    pub note: Option<String>,
}

pub(crate) fn check_attachments(list: &[Attachment]) -> AppResult<()> {
    if list.len() > MAX_ATTACHMENTS {
        return Err(AppError::invalid(
            "too_many_attachments",
            format!("一次最多附 {MAX_ATTACHMENTS} 个附件"),
        ));
    }
    for a in list {
        text(&a.name, "附件名称", 200, true)?;
        if a.size <= 0 {
            return Err(AppError::invalid(
                "attachment_empty",
                format!("附件“{}”是空文件", a.name.trim()),
            ));
        }
        if a.size > MAX_ATTACHMENT_BYTES {
            return Err(AppError::invalid(
                "attachment_too_large",
                format!("附件“{}”超过 50 MB", a.name.trim()),
            ));
        }
        let h = a.sha256.trim();
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::invalid(
                "attachment_hash_invalid",
                format!("附件“{}”的 SHA-256 须为 64 位十六进制", a.name.trim()),
            ));
        }
    }
    Ok(())
}

/// Who hears of a move: the owner and the issuer (the office of the region when none), and the
/// co-handling units while the item is open.
pub(crate) fn movers(item: &WorkItemRow, parties: &[WorkPartyRow]) -> Vec<To> {
    let mut to = vec![To::Body(item.owner_uscc.clone())];
    match &item.issuer_uscc {
        Some(i) => to.push(To::Body(i.clone())),
        None => to.push(To::Office(item.region.clone())),
    }
    if item.closed_on.is_none() {
        to.extend(
            parties
                .iter()
                .filter(|p| p.item_id == item.id && p.party == "co")
                .map(|p| To::Body(p.body_uscc.clone())),
        );
    }
    to
}

/// Take a step (or add a note) on an item within reach.
pub async fn act(app: &App, caller: &Caller, id: Uuid, req: StepRequest) -> AppResult<ItemView> {
    let (row, parties, standing) = load(app, caller, id).await?;
    if row.version != req.expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: req.expected_version,
            current: row.version,
        }
        .into());
    }
    check_attachments(&req.attachments)?;
    let today = app.today();
    let on = match req.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => date(d, "办理日期")?,
        None => today,
    };
    let action = req.action.trim();
    let t = types()?.get(&row.kind)?;
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let mut next = row.clone();
    next.updated_at = now;
    let mut record = None;
    let mut arrear = None;
    let mut arrear_notice = None;
    let (party, choice, notices) = if action == "note" {
        text(&req.text, "备注", MAX_TEXT, true)?;
        if on > today {
            return Err(WorkError::DateInFuture { date: on, today }.into());
        }
        let party = standing.first().copied().unwrap_or(Party::Office);
        (party, None, Vec::new())
    } else {
        let def = t.action(action)?;
        let party = acting_as(&standing, def.by).ok_or_else(|| {
            AppError::forbidden(
                "not_your_step",
                format!("“{}”须由{}办理", def.name, def.by.label()),
            )
        })?;
        let cal = crate::calendar::in_effect(app.store.as_ref()).await?;
        let current = chengxin_domain::work::WorkItem {
            kind: row.kind.clone(),
            state: row.state.clone(),
            opened_on: row.opened_on,
            deadline: row.deadline,
            due_on: row.due_on,
            reopens: u32::try_from(row.reopens).unwrap_or(u32::MAX),
            outcome: row.outcome.clone(),
            closed_on: row.closed_on,
        };
        let step = Step {
            action,
            choice: req.choice.as_deref(),
            text: &req.text,
            attachments: req.attachments.len(),
            on,
        };
        let applied = current.apply(t, &step, today, &cal)?;
        if let Some(c) = req
            .choice
            .as_deref()
            .map(str::trim)
            .and_then(|code| def.choices.iter().find(|c| c.code == code))
        {
            record = super::complaint::record_for(
                app,
                &row,
                c,
                &req.text,
                on,
                today,
                super::own_body(caller),
            )
            .await?;
        }
        if let Some(req_arrear) = &req.arrear {
            let verified = row.kind == super::public::COMPLAINT
                && action == "result"
                && matches!(
                    req.choice.as_deref().map(str::trim),
                    Some("verified" | "partly_verified")
                );
            if !verified {
                return Err(AppError::invalid(
                    "arrear_not_allowed",
                    "只有投诉举报认定“查实”或“部分查实”时才能登记拖欠账款",
                ));
            }
            if arrear_already(app, row.id).await? {
                return Err(AppError::conflict(
                    "arrear_exists",
                    "该投诉举报已登记过拖欠账款",
                ));
            }
            let c = req_arrear.clone();
            let a = crate::arrears::ArrearRequest {
                debtor_uscc: row.owner_uscc.clone(),
                debtor_name: Some(row.owner_name.clone()),
                creditor_uscc: Some(c.creditor_uscc),
                creditor_name: c.creditor_name,
                creditor_sme: c.creditor_sme,
                contract_no: c.contract_no,
                contract_name: c.contract_name,
                contract_amount: c.contract_amount,
                amount: c.amount,
                due: c.due,
                signed_on: c.signed_on,
                note: c.note,
            };
            let (entry, notice) =
                crate::arrears::from_complaint(app, &caller.actor, &a, &row.no).await?;
            arrear = Some(entry);
            arrear_notice = Some(notice);
        }
        let w = applied.item;
        next.state = w.state.clone();
        next.deadline = w.deadline;
        next.due_on = w.due_on;
        next.reopens = i32::try_from(w.reopens).unwrap_or(i32::MAX);
        next.outcome = w.outcome.clone();
        next.closed_on = w.closed_on;
        if applied.moved {
            next.remind_stage = 0;
            next.next_remind_on = match w.due_on {
                Some(due) => stage_due(t, due, 0, NaiveDate::MIN, &cal)?.1,
                None => None,
            };
        }
        if next.closed_on.is_some() {
            next.next_remind_on = None;
        }
        if party == Party::Owner {
            next.handler = Some(caller.actor.clone());
        }
        let notices = if applied.moved {
            vec![Notice {
                to: movers(&next, &parties),
                region: row.region.clone(),
                topic: "work_item_step",
                title: format!("{}：{}（{}）", def.name, row.title, t.name),
                body: format!(
                    "{}“{}”：{}，当前状态“{}”{}。",
                    t.name,
                    row.title,
                    def.name,
                    t.state_name(&next.state),
                    next.due_on
                        .map_or(String::new(), |d| format!("，办理期限 {d}"))
                ),
                link: Some(format!("/console/work/{id}")),
                once: Some(format!("wi:{id}:v{}", row.version + 1)),
            }]
        } else {
            Vec::new()
        };
        let mut notices = notices;
        notices.extend(arrear_notice.take());
        (
            party,
            req.choice.clone().filter(|c| !c.trim().is_empty()),
            notices,
        )
    };
    let event_id = Uuid::now_v7();
    let event = WorkEventRow {
        id: event_id,
        item_id: id,
        action: action.to_string(),
        choice,
        from_state: row.state.clone(),
        to_state: next.state.clone(),
        party: party_code(party).to_string(),
        actor: caller.actor.clone(),
        on_date: on,
        at: now,
        text: match &arrear {
            Some(a) => format!(
                "{}\n（已登记拖欠账款 {}，待被投诉单位确认）",
                text(&req.text, "办理情况说明", MAX_TEXT, false)?,
                a.arrear.no
            ),
            None => text(&req.text, "办理情况说明", MAX_TEXT, false)?,
        },
    };
    let files = req
        .attachments
        .iter()
        .map(|a| WorkFileRow {
            id: Uuid::now_v7(),
            item_id: id,
            event_id,
            name: a.name.trim().to_string(),
            size: a.size,
            sha256: a.sha256.trim().to_ascii_lowercase(),
            uploaded_by: caller.actor.clone(),
            at: now,
        })
        .collect();
    app.store
        .change_work_item(
            &caller.actor,
            WorkChange {
                item: next,
                expected_version: row.version,
                event,
                files,
                notifications: notify::rows(&notices),
                record,
                arrear,
                contents: Vec::new(),
            },
        )
        .await?;
    super::get(app, caller, id).await
}

/// Whether a step of this item entered an arrear already (once per complaint).
async fn arrear_already(app: &App, id: Uuid) -> AppResult<bool> {
    Ok(app
        .store
        .work_events(id)
        .await?
        .iter()
        .any(|e| e.text.contains("（已登记拖欠账款 ")))
}
