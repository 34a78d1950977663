//! Complaints filed on the portal (投诉举报) are `complaint` work items like the 12345 hotline's:
//! the owner is the body complained of (picked by name or USCC; the item's region is that
//! body's, so siblings never see it), the region's credit office takes it from there. The
//! complainant gets the item's number and a one-time access code (stored as a hash); their
//! name and contact are sealed (`PiiCipher`, bound to the item's number) and opened only by
//! [`super::reveal`]. With number and code the complainant adds evidence (type by content,
//! size-checked), follows a public-safe timeline (steps and dates; the reply's text; no staff
//! names or accounts) and rates the reply — a 不满意 reopens the item once (`max_reopens`).
//!
//! Complaints filed before this (the older `rights` flow) stay where they are: their tracking
//! numbers still open through `rights::track`.

use chengxin_domain::regions::RegionTable;
use chengxin_domain::rights;
use chengxin_domain::work::{stage_due, Step, WorkItem, WorkType, MAX_TEXT};
use chengxin_store::{
    PublicFilingRow, WorkChange, WorkContentRow, WorkEventRow, WorkFileRow, WorkItemRow,
};
use chrono::{NaiveDate, SubsecRound};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::open::{prepare, Spec};
use super::steps::movers;
use super::{text, types};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::notify::{self, Notice, To};
use crate::App;

/// The type portal complaints are filed as.
pub const COMPLAINT: &str = "complaint";

/// A complaint as the portal's form sends it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PublicComplaintRequest {
    /// The body complained of, by its registered name (picked from the list).
    pub about: Option<String>,
    /// Or by its 统一社会信用代码 (wins over the name).
    pub about_uscc: Option<String>,
    /// A short title (事由); the start of the content when absent.
    pub title: Option<String>,
    /// What happened and what is asked (至少 2 字).
    pub content: String,
    /// The complainant's name (sealed).
    pub complainant: String,
    /// Phone or e-mail for the answer (sealed).
    pub contact: Option<String>,
}

/// What the complainant keeps (the receipt): the number and, shown once, the access code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicFiled {
    /// 查询编号 (the item's number, `TS-20261207-3A7F21`).
    pub no: String,
    /// Shown once: with the number it opens the complainant's view.
    pub access_code: String,
    pub body_name: String,
    pub filed_on: NaiveDate,
    pub state_name: String,
    pub due_on: Option<NaiveDate>,
}

/// One step as the public sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicStep {
    pub on_date: NaiveDate,
    pub step: String,
    pub result: Option<String>,
    /// Only the reply to the complainant and the complainant's own words.
    pub text: Option<String>,
}

/// The 办件查询 view of a portal complaint.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicTrack {
    pub no: String,
    pub kind_name: String,
    pub body_name: String,
    pub state_name: String,
    pub is_final: bool,
    pub filed_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    /// Whether the access code was given and is right (the rest is empty otherwise).
    pub opened: bool,
    pub timeline: Vec<PublicStep>,
    /// The evidence files' names.
    pub evidence: Vec<String>,
    /// The reply can be rated now.
    pub can_rate: bool,
    /// Evidence can still be added.
    pub can_add_evidence: bool,
}

/// The public's rating of the reply.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PublicRating {
    /// `satisfied` (满意), `basically_satisfied` (基本满意), `dissatisfied` (不满意).
    pub choice: String,
    /// Optional words (at most 2000 characters).
    #[serde(default)]
    pub text: String,
}

fn field_err(code: &'static str, message: String) -> AppError {
    AppError::invalid(code, message)
}

/// The body complained of: by USCC (registered or with its known name), else by its exact
/// registered name when exactly one body bears it.
async fn body_of(app: &App, req: &PublicComplaintRequest) -> AppResult<(String, String)> {
    let delegations = app.delegations()?;
    if let Some(code) = req
        .about_uscc
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let code = chengxin_domain::codes::uscc::parse(code, RegionTable::national())
            .map_err(|e| {
                field_err(
                    "uscc_invalid",
                    format!("被投诉单位的统一社会信用代码无效：{e}"),
                )
            })?
            .code;
        return match crate::authority::body_name(app.store.as_ref(), &delegations, &code).await? {
            Some(name) => Ok((code, name)),
            None => Err(field_err(
                "body_unknown",
                format!("未找到统一社会信用代码为 {code} 的单位，请从列表中选择被投诉单位"),
            )),
        };
    }
    let name = req
        .about
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| field_err("body_required", "请选择或填写被投诉单位".into()))?;
    if name.chars().count() > 200 {
        return Err(field_err(
            "about_too_long",
            "被投诉单位名称不得超过 200 字".into(),
        ));
    }
    let mut found: Vec<(String, String)> = Vec::new();
    for b in app.department_bodies()?.bodies() {
        if b.name.trim() == name && !found.iter().any(|(c, _)| *c == b.uscc) {
            found.push((b.uscc.clone(), b.name.clone()));
        }
    }
    let named = app
        .store
        .list_subjects(&chengxin_store::SubjectFilter {
            name_exact: Some(name.to_string()),
            limit: 50,
            ..Default::default()
        })
        .await?;
    for s in named.into_iter().filter(|s| s.name.trim() == name) {
        if let Some(u) = s.uscc {
            if !found.iter().any(|(c, _)| *c == u) {
                found.push((u, s.name));
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(field_err(
            "body_unknown",
            format!("未找到名为“{name}”的单位，请从列表中选择，或填写其统一社会信用代码"),
        )),
        _ => Err(field_err(
            "body_ambiguous",
            format!("名为“{name}”的单位不止一个，请填写其统一社会信用代码"),
        )),
    }
}

/// The bodies the portal offers to pick from: this deployment's departments and the
/// registered government bodies and institutions (at most 2,000), by name.
pub async fn pickable_bodies(app: &App) -> AppResult<Vec<(String, String)>> {
    use chengxin_domain::subjects::SubjectKind;
    let mut out: Vec<(String, String)> = app
        .department_bodies()?
        .bodies()
        .iter()
        .map(|b| (b.uscc.clone(), b.name.clone()))
        .collect();
    for kind in [SubjectKind::GovBody, SubjectKind::Institution] {
        let found = app
            .store
            .list_subjects(&chengxin_store::SubjectFilter {
                kind: Some(kind),
                limit: 1000,
                ..Default::default()
            })
            .await?;
        out.extend(
            found
                .into_iter()
                .filter_map(|s| s.uscc.map(|u| (u, s.name))),
        );
    }
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    out.dedup_by(|a, b| a.1 == b.1);
    Ok(out)
}

fn seal_context(no: &str) -> String {
    format!("portal_complaint:{no}")
}

/// File a complaint from the portal (anyone, logged in or not).
pub async fn file(
    app: &App,
    caller: &Caller,
    req: PublicComplaintRequest,
) -> AppResult<PublicFiled> {
    let t = types()?.get(COMPLAINT)?;
    let content = text(&req.content, "投诉事项", MAX_TEXT, true)?;
    if content.chars().count() < 2 {
        return Err(field_err(
            "content_too_short",
            "请填写投诉事项（至少 2 个字）".into(),
        ));
    }
    let complainant = text(&req.complainant, "投诉人姓名或名称", 100, true)?;
    let contact = text(req.contact.as_deref().unwrap_or(""), "联系方式", 100, false)?;
    let owner = body_of(app, &req).await?;
    let title = match req
        .title
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => text(s, "投诉事由", 200, true)?,
        None => {
            let head: String = content
                .chars()
                .filter(|c| !c.is_control())
                .take(30)
                .collect();
            format!("网上投诉：{head}")
        }
    };
    let today = app.today();
    let spec = Spec {
        t,
        title,
        ref_no: None,
        proposer: None,
        owner,
        issuer: None,
        co: Vec::new(),
        content,
        required: String::new(),
        opened_on: today,
        deadline: None,
        source: None,
    };
    let mut p = prepare(app.store.as_ref(), &caller.actor, None, spec).await?;
    p.item.source = Some(format!("portal:{}", p.item.id));
    p.event.text = format!("网上受理投诉举报，期限 {}", p.item.deadline);
    p.notices[0].to.push(To::Office(p.item.region.clone()));
    p.notices[0].title = format!("新投诉举报：{}", p.item.title);
    let ctx = seal_context(&p.item.no);
    let name_sealed = app
        .pii
        .seal_bound(&complainant, &ctx)
        .map_err(AppError::unavailable)?;
    let contact_sealed = if contact.is_empty() {
        None
    } else {
        Some(
            app.pii
                .seal_bound(&contact, &ctx)
                .map_err(AppError::unavailable)?,
        )
    };
    let (code, hash) = crate::rights::tracking::new_access_code();
    let filing = PublicFilingRow {
        item_id: p.item.id,
        access_hash: hash,
        name_sealed,
        contact_sealed,
        account: (!caller.is_anonymous()).then(|| caller.actor.clone()),
        filed_at: p.item.created_at,
    };
    app.store
        .create_public_complaint(
            &caller.actor,
            &p.item,
            &p.parties,
            &p.event,
            &notify::rows(&p.notices),
            &filing,
        )
        .await?;
    Ok(PublicFiled {
        no: p.item.no.clone(),
        access_code: code,
        body_name: p.item.owner_name.clone(),
        filed_on: p.item.opened_on,
        state_name: t.state_name(&p.item.state).to_string(),
        due_on: p.item.due_on,
    })
}

fn code_ok(hash: &str, code: Option<&str>) -> bool {
    let Some(c) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return false;
    };
    let given = crate::rights::access_hash(c);
    hash.len() == given.len()
        && hash
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A portal complaint by its number: not found for anything else (the older flow's numbers,
/// other items).
async fn by_no(app: &App, no: &str) -> AppResult<(WorkItemRow, PublicFilingRow)> {
    let no = no.trim().to_ascii_uppercase();
    if no.is_empty() || no.len() > 40 {
        return Err(AppError::NotFound);
    }
    let row = app
        .store
        .work_item_by_no(&no)
        .await?
        .filter(|r| r.kind == COMPLAINT)
        .ok_or(AppError::NotFound)?;
    let filing = app
        .store
        .public_filing(row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((row, filing))
}

/// Whether this number is a portal complaint's (else the caller tries the older flow).
pub async fn is_public_no(app: &App, no: &str) -> AppResult<bool> {
    match by_no(app, no).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

fn step_name(t: &WorkType, action: &str) -> Option<String> {
    match action {
        "open" => Some("受理".into()),
        "evidence" => Some("投诉人补充证据材料".into()),
        "note" | "remind" => None,
        "assign" => Some("已分办至承办单位".into()),
        "progress" | "co_opinion" => Some("办理中".into()),
        _ => t.action(action).ok().map(|a| a.name.clone()),
    }
}

/// 办件查询: the progress by number; with the right access code also the timeline, the reply
/// and what the complainant may do.
pub async fn track(app: &App, no: &str, code: Option<&str>) -> AppResult<PublicTrack> {
    let (row, filing) = by_no(app, no).await?;
    let t = types()?.get(&row.kind)?;
    let opened = code_ok(&filing.access_hash, code);
    let mut v = PublicTrack {
        no: row.no.clone(),
        kind_name: t.name.clone(),
        body_name: row.owner_name.clone(),
        state_name: t.state_name(&row.state).to_string(),
        is_final: row.closed_on.is_some(),
        filed_on: row.opened_on,
        due_on: row.due_on.filter(|_| row.closed_on.is_none()),
        opened,
        timeline: Vec::new(),
        evidence: Vec::new(),
        can_rate: false,
        can_add_evidence: false,
    };
    if !opened {
        return Ok(v);
    }
    for e in super::hotline::timeline(app, &row).await? {
        let Some(step) = step_name(t, &e.action) else {
            continue;
        };
        let shows_text =
            matches!(e.action.as_str(), "reply" | "rate" | "evidence") || e.party == "public";
        v.timeline.push(PublicStep {
            on_date: e.on_date,
            step,
            result: e
                .choice
                .as_deref()
                .filter(|_| matches!(e.action.as_str(), "result" | "rate"))
                .map(|c| t.outcome_name(c).to_string()),
            text: Some(e.text).filter(|s| shows_text && !s.trim().is_empty()),
        });
    }
    v.evidence = app
        .store
        .work_files(row.id)
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    v.can_rate = row.state == "replied";
    v.can_add_evidence = matches!(row.state.as_str(), "received" | "handling");
    Ok(v)
}

/// The item after a rule-checked step (state, dates, clock and reminders started over).
fn advance(
    t: &WorkType,
    row: &WorkItemRow,
    step: &Step<'_>,
    today: NaiveDate,
    cal: &chengxin_domain::calendar::WorkCalendar,
) -> AppResult<WorkItemRow> {
    let current = WorkItem {
        kind: row.kind.clone(),
        state: row.state.clone(),
        opened_on: row.opened_on,
        deadline: row.deadline,
        due_on: row.due_on,
        reopens: u32::try_from(row.reopens).unwrap_or(u32::MAX),
        outcome: row.outcome.clone(),
        closed_on: row.closed_on,
    };
    let applied = current.apply(t, step, today, cal)?;
    let w = applied.item;
    let mut next = row.clone();
    next.updated_at = chengxin_store::clock::now().trunc_subsecs(6);
    next.state = w.state.clone();
    next.deadline = w.deadline;
    next.due_on = w.due_on;
    next.reopens = i32::try_from(w.reopens).unwrap_or(i32::MAX);
    next.outcome = w.outcome.clone();
    next.closed_on = w.closed_on;
    if applied.moved {
        next.remind_stage = 0;
        next.next_remind_on = match w.due_on {
            Some(due) => stage_due(t, due, 0, NaiveDate::MIN, cal)?.1,
            None => None,
        };
    }
    if next.closed_on.is_some() {
        next.next_remind_on = None;
    }
    Ok(next)
}

/// A step's event: `by` is (party, actor).
fn public_event(
    row: &WorkItemRow,
    next: &WorkItemRow,
    action: &str,
    choice: Option<String>,
    (party, actor): (&str, &str),
    on: NaiveDate,
    text: String,
) -> WorkEventRow {
    WorkEventRow {
        id: Uuid::now_v7(),
        item_id: row.id,
        action: action.into(),
        choice,
        from_state: row.state.clone(),
        to_state: next.state.clone(),
        party: party.into(),
        actor: actor.into(),
        on_date: on,
        at: next.updated_at,
        text,
    }
}

fn change(
    row: &WorkItemRow,
    next: WorkItemRow,
    event: WorkEventRow,
    notices: &[Notice],
) -> WorkChange {
    WorkChange {
        expected_version: row.version,
        item: next,
        event,
        files: Vec::new(),
        notifications: notify::rows(notices),
        record: None,
        arrear: None,
        contents: Vec::new(),
    }
}

/// The complainant rates the reply (回访评价). 不满意 reopens the item while the type allows
/// (`max_reopens`); after that it waits for the credit office to take it up or close it.
pub async fn rate(
    app: &App,
    caller: &Caller,
    no: &str,
    code: Option<&str>,
    req: PublicRating,
) -> AppResult<PublicTrack> {
    let (row, filing) = by_no(app, no).await?;
    if !code_ok(&filing.access_hash, code) {
        return Err(AppError::forbidden(
            "access_code_invalid",
            "查询码不正确，不能评价",
        ));
    }
    let t = types()?.get(&row.kind)?;
    let words = text(&req.text, "评价意见", 2000, false)?;
    let today = app.today();
    let cal = crate::calendar::in_effect(app.store.as_ref()).await?;
    let choice = req.choice.trim().to_string();
    let next = advance(
        t,
        &row,
        &Step {
            action: "rate",
            choice: Some(&choice),
            text: &words,
            attachments: 0,
            on: today,
        },
        today,
        &cal,
    )?;
    let parties = app.store.work_parties(&[row.id]).await?;
    let label = t.outcome_name(&choice).to_string();
    let notice = Notice {
        to: movers(&next, &parties),
        region: row.region.clone(),
        topic: "work_item_step",
        title: format!("投诉人评价：{label}（{}）", row.title),
        body: format!("投诉举报“{}”：投诉人对答复的评价为“{label}”。", row.title),
        link: Some(format!("/console/work/{}", row.id)),
        once: Some(format!("wi:{}:v{}", row.id, row.version + 1)),
    };
    let said = if words.is_empty() {
        label.clone()
    } else {
        words
    };
    let event = public_event(
        &row,
        &next,
        "rate",
        Some(choice.clone()),
        ("public", &caller.actor),
        today,
        said,
    );
    app.store
        .change_work_item(&caller.actor, change(&row, next.clone(), event, &[notice]))
        .await?;
    // 不满意: taken up again once, as the type's reopen rule allows.
    let reopens = u32::try_from(next.reopens).unwrap_or(u32::MAX);
    if next.state == "dissatisfied" && reopens < t.max_reopens {
        let reason = "投诉人对答复不满意，重新办理";
        let again = advance(
            t,
            &next,
            &Step {
                action: "reopen",
                choice: None,
                text: reason,
                attachments: 0,
                on: today,
            },
            today,
            &cal,
        )?;
        let notice = Notice {
            to: movers(&again, &parties),
            region: row.region.clone(),
            topic: "work_item_step",
            title: format!("投诉人不满意，重新办理：{}", row.title),
            body: format!(
                "投诉举报“{}”：投诉人对答复不满意，已重新办理，期限 {}。",
                row.title,
                again.due_on.map_or_else(String::new, |d| d.to_string())
            ),
            link: Some(format!("/console/work/{}", row.id)),
            once: Some(format!("wi:{}:v{}", row.id, next.version + 1)),
        };
        let mut stored = next.clone();
        stored.version = next.version + 1;
        let event = public_event(
            &stored,
            &again,
            "reopen",
            None,
            ("system", super::sweep::ACTOR),
            today,
            reason.into(),
        );
        app.store
            .change_work_item(
                super::sweep::ACTOR,
                change(&stored, again, event, &[notice]),
            )
            .await?;
    }
    track(app, no, code).await
}

/// The complainant adds an evidence file (type by content, size and count checked by the
/// rights rules' evidence limits) while the complaint is being handled.
pub async fn add_evidence(
    app: &App,
    caller: &Caller,
    no: &str,
    code: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> AppResult<PublicTrack> {
    let (row, filing) = by_no(app, no).await?;
    if !code_ok(&filing.access_hash, code) {
        return Err(AppError::forbidden(
            "access_code_invalid",
            "查询码不正确，不能补充材料",
        ));
    }
    if !matches!(row.state.as_str(), "received" | "handling") {
        return Err(AppError::conflict(
            "complaint_not_open",
            "该投诉举报已核查完毕，不能再补充材料",
        ));
    }
    let rules = &app.rights_rules()?.evidence;
    let held = app.store.work_files(row.id).await?;
    let name = name.trim();
    let kind = rights::check_evidence(rules, name, bytes, held.len())?;
    let total: u64 = held
        .iter()
        .map(|f| u64::try_from(f.size).unwrap_or(0))
        .sum();
    rights::check_evidence_total(rules, total, bytes.len() as u64)?;
    let kind = serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let today = app.today();
    let mut next = row.clone();
    next.updated_at = chengxin_store::clock::now().trunc_subsecs(6);
    let event = public_event(
        &row,
        &next,
        "evidence",
        None,
        ("public", &caller.actor),
        today,
        format!("补充材料：{name}"),
    );
    let file = WorkFileRow {
        id: Uuid::now_v7(),
        item_id: row.id,
        event_id: event.id,
        name: name.to_string(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(bytes)),
        uploaded_by: caller.actor.clone(),
        at: next.updated_at,
    };
    let content = WorkContentRow {
        file_id: file.id,
        item_id: row.id,
        kind,
        content: bytes.to_vec(),
    };
    let mut ch = change(&row, next, event, &[]);
    ch.files = vec![file];
    ch.contents = vec![content];
    app.store.change_work_item(&caller.actor, ch).await?;
    track(app, no, code).await
}
