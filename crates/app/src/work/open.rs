//! Opening an item: by the credit office of the owner's region (for 人大/政协/督查/审计/财政,
//! whose offices do not all log in), by the issuing body itself, or by the system (the
//! measure 书面说明原因并限期整改, [`super::from_lists`]). Checked whole before anything is
//! written.

use chengxin_access::Permission;
use chengxin_domain::regions::RegionTable;
use chengxin_domain::work::{stage_due, WorkItem, WorkType, MAX_TEXT};
use chengxin_store::{Store, WorkEventRow, WorkItemRow, WorkPartyRow};
use chrono::{NaiveDate, SubsecRound};
use serde::Deserialize;
use uuid::Uuid;

use super::{date, is_office, own_body, require_any, text, types, ItemView};
use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::notify::{self, Notice, To};
use crate::App;

/// Most co-handling units an item names.
pub const MAX_CO_UNITS: usize = 20;

/// An attachment's description (the file stays in the body's own records system; its
/// SHA-256 is what proves which one it was).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Attachment {
    pub name: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256, 64 hexadecimal characters.
    pub sha256: String,
}

/// A new item.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OpenRequest {
    /// A type code (`data/work/types.toml`).
    pub kind: String,
    pub title: String,
    /// 建议号 / 提案号 / 文号.
    pub ref_no: Option<String>,
    /// 代表 / 委员.
    pub proposer: Option<String>,
    /// The owner body (主办/整改单位), by USCC.
    pub owner_uscc: String,
    /// Needed when the body is not registered.
    pub owner_name: Option<String>,
    /// The issuing body (交办单位, 督查/审计/财政部门), by USCC.
    pub issuer_uscc: Option<String>,
    pub issuer_name: Option<String>,
    /// Co-handling units (协办单位), by USCC.
    #[serde(default)]
    pub co_units: Vec<String>,
    pub content: String,
    /// 整改要求.
    pub required: Option<String>,
    /// `YYYY-MM-DD`; today when absent.
    pub opened_on: Option<String>,
    /// `YYYY-MM-DD`; the type's default when absent (required for findings).
    pub deadline: Option<String>,
}

/// What is written for a new item (checked).
pub(crate) struct Spec {
    pub t: &'static WorkType,
    pub title: String,
    pub ref_no: Option<String>,
    pub proposer: Option<String>,
    pub owner: (String, String),
    pub issuer: Option<(String, String)>,
    pub co: Vec<(String, String)>,
    pub content: String,
    pub required: String,
    pub opened_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub source: Option<String>,
}

fn short_no(prefix: &str, opened: NaiveDate) -> String {
    let tail = Uuid::now_v7().simple().to_string();
    let tail = tail
        .get(tail.len() - 6..)
        .unwrap_or("000000")
        .to_ascii_uppercase();
    format!("{prefix}-{}-{tail}", opened.format("%Y%m%d"))
}

fn uscc(code: &str, what: &str) -> AppResult<String> {
    chengxin_domain::codes::uscc::parse(code.trim(), RegionTable::national())
        .map(|p| p.code)
        .map_err(|e| {
            AppError::invalid("uscc_invalid", format!("{what}的统一社会信用代码无效：{e}"))
        })
}

/// A body by USCC with its name: the registered name, else the one given, else `body_unknown`.
async fn body(
    app: &App,
    code: &str,
    given: Option<&str>,
    what: &'static str,
) -> AppResult<(String, String)> {
    let code = uscc(code, what)?;
    let delegations = app.delegations()?;
    if let Some(name) = crate::authority::body_name(app.store.as_ref(), &delegations, &code).await?
    {
        return Ok((code, name));
    }
    match given.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Ok((code, text(n, what, 200, true)?)),
        None => Err(AppError::invalid(
            "body_unknown",
            format!("{what}（{code}）尚未登记，请同时填写单位名称"),
        )),
    }
}

/// A checked item ready to write: the row, its parties, the `open` event and the notices.
pub(crate) struct Prepared {
    pub item: WorkItemRow,
    pub parties: Vec<WorkPartyRow>,
    pub event: WorkEventRow,
    pub notices: Vec<Notice>,
}

/// Write a checked item: the row, its parties, the `open` event and the notice to the owner
/// and co-handling units. `Ok(None)` when an item with its `source` exists already.
pub(crate) async fn write(
    store: &dyn Store,
    actor: &str,
    handler: Option<String>,
    s: Spec,
) -> AppResult<Option<Uuid>> {
    let p = prepare(store, actor, handler, s).await?;
    let created = store
        .create_work_item(
            actor,
            &p.item,
            &p.parties,
            &p.event,
            &notify::rows(&p.notices),
        )
        .await?;
    Ok(created.then_some(p.item.id))
}

/// Build a checked item (its deadline on the working-day calendar), nothing written.
pub(crate) async fn prepare(
    store: &dyn Store,
    actor: &str,
    handler: Option<String>,
    s: Spec,
) -> AppResult<Prepared> {
    let cal = crate::calendar::in_effect(store).await?;
    let w = WorkItem::open(s.t, s.opened_on, s.deadline, &cal)?;
    let next = match w.due_on {
        Some(due) => stage_due(s.t, due, 0, NaiveDate::MIN, &cal)?.1,
        None => None,
    };
    let id = Uuid::now_v7();
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let region = uscc_region(&s.owner.0);
    let row = WorkItemRow {
        id,
        no: short_no(&s.t.prefix, s.opened_on),
        kind: s.t.code.clone(),
        title: s.title.clone(),
        ref_no: s.ref_no,
        proposer: s.proposer,
        owner_uscc: s.owner.0.clone(),
        owner_name: s.owner.1.clone(),
        region: region.clone(),
        issuer_uscc: s.issuer.as_ref().map(|i| i.0.clone()),
        issuer_name: s
            .issuer
            .as_ref()
            .map_or_else(|| "信用办".to_string(), |i| i.1.clone()),
        content: s.content,
        required: s.required,
        state: w.state.clone(),
        opened_on: w.opened_on,
        deadline: w.deadline,
        due_on: w.due_on,
        reopens: 0,
        outcome: None,
        closed_on: None,
        remind_stage: 0,
        next_remind_on: next,
        handler,
        source: s.source,
        created_by: actor.to_string(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let mut parties = vec![WorkPartyRow {
        item_id: id,
        body_uscc: s.owner.0.clone(),
        body_name: s.owner.1.clone(),
        party: "owner".into(),
    }];
    if let Some((code, name)) = &s.issuer {
        parties.push(WorkPartyRow {
            item_id: id,
            body_uscc: code.clone(),
            body_name: name.clone(),
            party: "issuer".into(),
        });
    }
    for (code, name) in &s.co {
        parties.push(WorkPartyRow {
            item_id: id,
            body_uscc: code.clone(),
            body_name: name.clone(),
            party: "co".into(),
        });
    }
    let event = WorkEventRow {
        id: Uuid::now_v7(),
        item_id: id,
        action: "open".into(),
        choice: None,
        from_state: String::new(),
        to_state: row.state.clone(),
        party: "system".into(),
        actor: actor.to_string(),
        on_date: s.opened_on,
        at: now,
        text: format!("交办：{}，期限 {}", s.t.name, row.deadline),
    };
    let mut to = vec![To::Body(s.owner.0.clone())];
    to.extend(s.co.iter().map(|(c, _)| To::Body(c.clone())));
    let notice = Notice {
        to,
        region,
        topic: "work_item_opened",
        title: format!("新交办：{}（{}）", s.title, s.t.name),
        body: format!(
            "{}：{}“{}”已交办，办理期限 {}。",
            s.owner.1, s.t.name, s.title, row.deadline
        ),
        link: Some(format!("/console/work/{id}")),
        once: Some(format!("wi:{id}:open")),
    };
    Ok(Prepared {
        item: row,
        parties,
        event,
        notices: vec![notice],
    })
}

/// Open an item.
pub async fn open(app: &App, caller: &Caller, req: OpenRequest) -> AppResult<ItemView> {
    require_any(caller)?;
    let t = types()?.get(req.kind.trim())?;
    let owner = body(
        app,
        &req.owner_uscc,
        req.owner_name.as_deref(),
        "主办/整改单位",
    )
    .await?;
    let region = uscc_region(&owner.0);
    let issuer = match req
        .issuer_uscc
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(code) => Some(body(app, code, req.issuer_name.as_deref(), "交办/督查单位").await?),
        None => None,
    };
    // Who may open it: the credit office of the owner's region (or above), or the issuing
    // body itself for an owner in its own region or below.
    let as_issuer = match (&issuer, own_body(caller)) {
        (Some((code, _)), Some(mine)) if *code == mine => {
            caller
                .require(Permission::AssignmentsHandle)
                .or_else(|_| caller.require(Permission::SupervisionManage))?;
            let prefix = crate::auth::region_prefix(&uscc_region(code));
            region.starts_with(&prefix)
        }
        _ => false,
    };
    if !as_issuer {
        caller.require_at(Permission::SupervisionManage, &region)?;
        if !is_office(caller) {
            return Err(AppError::forbidden(
                "not_issuer",
                "只有信用办或交办（督查）单位本身可以登记督办事项",
            ));
        }
    }
    if req.co_units.len() > MAX_CO_UNITS {
        return Err(AppError::invalid(
            "too_many_co_units",
            format!("协办单位最多 {MAX_CO_UNITS} 个"),
        ));
    }
    let mut co = Vec::new();
    for c in &req.co_units {
        let b = body(app, c, None, "协办单位").await?;
        if b.0 != owner.0 && !co.iter().any(|(x, _): &(String, String)| *x == b.0) {
            co.push(b);
        }
    }
    let opt = |s: &Option<String>, what: &'static str, max: usize| -> AppResult<Option<String>> {
        Ok(Some(text(s.as_deref().unwrap_or(""), what, max, false)?).filter(|t| !t.is_empty()))
    };
    let today = app.today();
    let opened_on = match req
        .opened_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => date(d, "交办日期")?,
        None => today,
    };
    if opened_on > today {
        return Err(chengxin_domain::work::WorkError::DateInFuture {
            date: opened_on,
            today,
        }
        .into());
    }
    let deadline = match req
        .deadline
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => Some(date(d, "期限")?),
        None => None,
    };
    let spec = Spec {
        t,
        title: text(&req.title, "事项名称", 200, true)?,
        ref_no: opt(&req.ref_no, "编号", 100)?,
        proposer: if t.proposer {
            Some(text(
                req.proposer.as_deref().unwrap_or(""),
                "代表/委员姓名",
                100,
                true,
            )?)
        } else {
            opt(&req.proposer, "提出人", 100)?
        },
        owner,
        issuer,
        co,
        content: text(&req.content, "事项内容", MAX_TEXT, true)?,
        required: text(
            req.required.as_deref().unwrap_or(""),
            "整改要求",
            MAX_TEXT,
            false,
        )?,
        opened_on,
        deadline,
        source: None,
    };
    let id = write(
        app.store.as_ref(),
        &caller.actor,
        Some(caller.actor.clone()),
        spec,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    super::get(app, caller, id).await
}
