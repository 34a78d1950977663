//! Reading items: one with its bodies, timeline, attachments and the next steps the caller may
//! take; the queues (my items, my unit's items, everything in my region), filtered by type,
//! state and overdue, newest first, paged by key.

use chengxin_domain::work::{Party, TextRule, WorkType};
use chengxin_store::{WorkFilter, WorkItemRow, WorkPartyRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{is_office, may_act, own_body, parties_of, require_any, types};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartyView {
    pub uscc: String,
    pub name: String,
    /// `owner`, `co`, `issuer`.
    pub party: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub action: String,
    pub action_name: String,
    pub choice_name: Option<String>,
    pub from_state_name: String,
    pub to_state_name: String,
    /// 主办/整改单位, 协办单位, 交办/验收单位, 信用办, 系统.
    pub party_name: String,
    pub actor: String,
    pub on_date: NaiveDate,
    pub at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileView {
    pub id: Uuid,
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChoiceView {
    pub code: String,
    pub name: String,
}

/// A step the caller may take now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NextAction {
    pub code: String,
    pub name: String,
    pub choices: Vec<ChoiceView>,
    pub text_required: bool,
    pub evidence_required: bool,
}

/// An item as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: Uuid,
    pub no: String,
    pub kind: String,
    pub kind_name: String,
    pub title: String,
    pub ref_no: Option<String>,
    pub number_label: Option<String>,
    pub proposer: Option<String>,
    pub owner_uscc: String,
    pub owner_name: String,
    pub owner_label: String,
    pub region: String,
    pub issuer_name: String,
    pub issuer_label: String,
    pub parties: Vec<PartyView>,
    pub content: String,
    pub required: String,
    pub state: String,
    pub state_name: String,
    pub is_final: bool,
    /// The current step is past its due date.
    pub overdue: bool,
    pub opened_on: NaiveDate,
    pub deadline: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub reopens: i32,
    pub outcome: Option<String>,
    pub outcome_name: Option<String>,
    pub closed_on: Option<NaiveDate>,
    /// The last reminder or escalation sent for the current due date.
    pub reminded: Option<String>,
    pub handler: Option<String>,
    pub version: i64,
    pub events: Vec<EventView>,
    pub files: Vec<FileView>,
    pub next_actions: Vec<NextAction>,
    /// The 12345 ticket the item was imported from, if any.
    pub hotline: Option<HotlineView>,
    /// Filed on the portal (投诉举报): the complainant's name and contact are kept sealed
    /// (opened with a purpose: `POST /api/v1/work-items/{id}/complainant`).
    pub filed_online: bool,
}

/// A 12345 ticket as shown: the caller's contact only to those who may decrypt personal data
/// in the item's region.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotlineView {
    pub ticket_no: String,
    pub called_at: String,
    pub category: String,
    pub handling_unit: String,
    pub concluded_at: Option<String>,
    pub satisfaction: Option<String>,
    /// Whether a contact is kept (sealed).
    pub has_contact: bool,
    /// Never in clear here: opened with a purpose (`POST /api/v1/work-items/{id}/complainant`).
    pub contact: Option<String>,
}

fn party_name(code: &str) -> &'static str {
    match code {
        "owner" => Party::Owner.label(),
        "co" => Party::Co.label(),
        "issuer" => Party::Issuer.label(),
        "office" => Party::Office.label(),
        "public" => "投诉人",
        _ => "系统",
    }
}

fn action_name(t: Option<&WorkType>, code: &str) -> String {
    match code {
        "open" => "交办".into(),
        "note" => "备注".into(),
        "evidence" => "补充证据材料".into(),
        _ => t
            .and_then(|t| t.action(code).ok())
            .map_or_else(|| code.to_string(), |a| a.name.clone()),
    }
}

pub(crate) fn summary(r: &WorkItemRow, parties: &[WorkPartyRow], today: NaiveDate) -> ItemView {
    let ts = types().ok();
    let t = ts.and_then(|ts| ts.get(&r.kind).ok());
    let state_name = t.map_or(r.state.clone(), |t| t.state_name(&r.state).to_string());
    let is_final = r.closed_on.is_some();
    ItemView {
        id: r.id,
        no: r.no.clone(),
        kind: r.kind.clone(),
        kind_name: t.map_or(r.kind.clone(), |t| t.name.clone()),
        title: r.title.clone(),
        ref_no: r.ref_no.clone(),
        number_label: t.and_then(|t| t.number_label.clone()),
        proposer: r.proposer.clone(),
        owner_uscc: r.owner_uscc.clone(),
        owner_name: r.owner_name.clone(),
        owner_label: t.map_or("主办单位".into(), |t| t.owner_label.clone()),
        region: r.region.clone(),
        issuer_name: r.issuer_name.clone(),
        issuer_label: t.map_or("交办单位".into(), |t| t.issuer_label.clone()),
        parties: parties
            .iter()
            .filter(|p| p.item_id == r.id)
            .map(|p| PartyView {
                uscc: p.body_uscc.clone(),
                name: p.body_name.clone(),
                party: p.party.clone(),
            })
            .collect(),
        content: r.content.clone(),
        required: r.required.clone(),
        state: r.state.clone(),
        state_name,
        is_final,
        overdue: !is_final && r.due_on.is_some_and(|d| d < today),
        opened_on: r.opened_on,
        deadline: r.deadline,
        due_on: r.due_on,
        reopens: r.reopens,
        outcome_name: r
            .outcome
            .as_deref()
            .map(|o| t.map_or(o.to_string(), |t| t.outcome_name(o).to_string())),
        outcome: r.outcome.clone(),
        closed_on: r.closed_on,
        reminded: chengxin_domain::work::Stage::from_number(r.remind_stage)
            .and_then(|s| t.map(|t| s.label(t).to_string())),
        handler: r.handler.clone(),
        version: r.version,
        events: Vec::new(),
        files: Vec::new(),
        next_actions: Vec::new(),
        hotline: None,
        filed_online: false,
    }
}

/// The item and the caller's standing to it, or "not found" (unknown or out of reach alike).
pub(crate) async fn load(
    app: &App,
    caller: &Caller,
    id: Uuid,
) -> AppResult<(WorkItemRow, Vec<WorkPartyRow>, Vec<Party>)> {
    require_any(caller).map_err(AppError::concealing_item)?;
    let row = app.store.work_item(id).await?.ok_or(AppError::NotFound)?;
    let parties = app.store.work_parties(&[id]).await?;
    let standing = parties_of(caller, &row, &parties);
    if standing.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok((row, parties, standing))
}

/// One item with its timeline, attachments and the caller's next steps.
pub async fn get(app: &App, caller: &Caller, id: Uuid) -> AppResult<ItemView> {
    let (row, parties, standing) = load(app, caller, id).await?;
    let today = app.today();
    let mut v = summary(&row, &parties, today);
    let t = types()?.get(&row.kind).ok();
    v.events = super::hotline::timeline(app, &row)
        .await?
        .into_iter()
        .map(|e| EventView {
            action_name: action_name(t, &e.action),
            choice_name: e
                .choice
                .as_deref()
                .map(|c| t.map_or(c.to_string(), |t| t.outcome_name(c).to_string())),
            from_state_name: t.map_or(e.from_state.clone(), |t| {
                t.state_name(&e.from_state).to_string()
            }),
            to_state_name: t.map_or(e.to_state.clone(), |t| {
                t.state_name(&e.to_state).to_string()
            }),
            party_name: party_name(&e.party).to_string(),
            action: e.action,
            actor: e.actor,
            on_date: e.on_date,
            at: e.at,
            text: e.text,
        })
        .collect();
    v.files = app
        .store
        .work_files(id)
        .await?
        .into_iter()
        .map(|f| FileView {
            id: f.id,
            name: f.name,
            size: f.size,
            sha256: f.sha256,
            at: f.at,
        })
        .collect();
    if let Some(h) = app.store.hotline_ticket_of(id).await? {
        v.hotline = Some(HotlineView {
            contact: None,
            has_contact: h.contact_sealed.is_some(),
            ticket_no: h.ticket_no,
            called_at: h.called_at,
            category: h.category,
            handling_unit: h.handling_unit,
            concluded_at: h.concluded_at,
            satisfaction: h.satisfaction,
        });
    }
    v.filed_online = app.store.public_filing(id).await?.is_some();
    if let (Some(t), false) = (t, v.is_final) {
        v.next_actions = t
            .actions_in(&row.state)
            .filter(|a| may_act(&standing, a.by))
            .filter(|a| !a.reopen || u32::try_from(row.reopens).unwrap_or(u32::MAX) < t.max_reopens)
            .map(|a| NextAction {
                code: a.code.clone(),
                name: a.name.clone(),
                choices: a
                    .choices
                    .iter()
                    .map(|c| ChoiceView {
                        code: c.code.clone(),
                        name: c.name.clone(),
                    })
                    .collect(),
                text_required: a.text == TextRule::Required,
                evidence_required: a.evidence,
            })
            .collect();
    }
    Ok(v)
}

/// Which queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Items I handle.
    #[default]
    Mine,
    /// Items my unit owns, co-handles or issued.
    Unit,
    /// Everything in my region (the credit office).
    Region,
}

impl Queue {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mine" => Some(Self::Mine),
            "unit" => Some(Self::Unit),
            "region" => Some(Self::Region),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mine => "mine",
            Self::Unit => "unit",
            Self::Region => "region",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Mine => "我的事项",
            Self::Unit => "本单位事项",
            Self::Region => "本地区全部事项",
        }
    }
}

/// A queue's filters and page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// `mine`, `unit`, `region`.
    pub queue: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    /// Only open items past their due date.
    pub overdue: Option<bool>,
    /// Only open items.
    pub open: Option<bool>,
    /// The last id of the previous page.
    pub before: Option<Uuid>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueuePage {
    pub queue: Queue,
    pub items: Vec<ItemView>,
    /// Pass as `before` for the next page (absent: last page).
    pub next: Option<Uuid>,
}

/// The filter of a queue for the caller.
pub(crate) fn filter_for(
    app: &App,
    caller: &Caller,
    p: &QueueParams,
    limit: i64,
) -> AppResult<(Queue, WorkFilter)> {
    require_any(caller)?;
    let queue = match p.queue.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        None => Queue::default(),
        Some(q) => Queue::parse(q).ok_or_else(|| {
            AppError::invalid(
                "queue_unknown",
                format!("未知的事项队列“{q}”（mine、unit、region）"),
            )
        })?,
    };
    let kind = p
        .kind
        .clone()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty());
    if let Some(k) = &kind {
        types()?.get(k)?;
    }
    let mut f = WorkFilter {
        kind,
        state: p
            .state
            .clone()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        overdue_on: p.overdue.unwrap_or(false).then(|| app.today()),
        open_only: p.open.unwrap_or(false),
        before: p.before,
        limit,
        ..Default::default()
    };
    match queue {
        Queue::Mine => f.handler = Some(caller.actor.clone()),
        Queue::Unit => {
            f.body = Some(own_body(caller).ok_or_else(|| {
                AppError::invalid("body_required", "当前账号不属于任何单位，没有本单位事项")
            })?);
        }
        Queue::Region => {
            if !is_office(caller) {
                return Err(AppError::forbidden(
                    "permission_denied",
                    "只有信用办可以查看本地区全部事项",
                ));
            }
            f.region_prefix = Some(caller.region_prefix());
        }
    }
    Ok((queue, f))
}

/// A queue's page, newest first.
pub async fn queue(app: &App, caller: &Caller, p: &QueueParams) -> AppResult<QueuePage> {
    let limit = p.limit.unwrap_or(50).clamp(1, 200);
    let (queue, f) = filter_for(app, caller, p, limit)?;
    let rows = app.store.work_items(&f).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let parties = app.store.work_parties(&ids).await?;
    let today = app.today();
    // Belt and braces: whatever the filter, only items within reach.
    let items: Vec<ItemView> = rows
        .iter()
        .filter(|r| !parties_of(caller, r, &parties).is_empty())
        .map(|r| summary(r, &parties, today))
        .collect();
    let next = (rows.len() == usize::try_from(limit).unwrap_or(0))
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(QueuePage { queue, items, next })
}
