//! 名单管理: one list entry with its procedure (deadlines on the official calendar, who did
//! each step), and the forms for each legal step — 认定 (propose), 公示, 异议, 生效, 移出.
//! The forms post (JSON, with the session's CSRF token in its header like every console form)
//! to the console routes below, which call the same use cases as the API
//! (`chengxin_app::lists::propose` and `act`): permission and jurisdiction stay there.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::Json;
use chengxin_access::Permission as P;
use chengxin_app::lists::{EntryActionRequest, ProposeRequest};
use chengxin_domain::lists::{EntryStatus, JointCatalog, ListDef, ListEntry, RemovalReason};
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

use super::{actions_script, api_error_page, due_on, enc, gate, msg_box, render, val, who};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, AppError};
use crate::routes::input::{json_error, parse_id};
use crate::AppState;

/// The entries matching `filter` (at most 10,000) that the caller manages: those whose region
/// ([`chengxin_app::lists::entry_region`], the recognising body's) it reaches with
/// `lists_manage` — what `/console/lists` lists and the dashboard counts.
pub async fn entries_in_reach(
    state: &AppState,
    caller: &Caller,
    filter: &chengxin_store::ListEntryFilter,
) -> Vec<chengxin_store::ListEntryRow> {
    let rows = state
        .store
        .list_entries(&chengxin_store::ListEntryFilter {
            limit: Some(10_000),
            ..filter.clone()
        })
        .await
        .unwrap_or_default();
    let mut subjects: std::collections::HashMap<Uuid, Option<chengxin_domain::subjects::Subject>> =
        Default::default();
    let mut out = Vec::new();
    for r in rows {
        let subject = match r.subject_id {
            Some(id) => match subjects.get(&id) {
                Some(s) => s.clone(),
                None => {
                    let s = state.store.subject(id).await.ok().flatten();
                    subjects.insert(id, s.clone());
                    s
                }
            },
            None => None,
        };
        let region = match &subject {
            Some(s) => chengxin_app::lists::entry_region(&r, s),
            None => r.region.clone().unwrap_or_else(|| "000000".into()),
        };
        if caller.reaches(P::ListsManage, &region) {
            out.push(r);
        }
    }
    out
}

/// The bodies a caller may pick as an entry's recognising body: the deployment's known
/// departments and bodies (`admin::body_choices`) within the caller's reach for lists, and its
/// own body: `(USCC, name)`, by name.
pub fn recognising_bodies(state: &AppState, caller: &Caller) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = super::admin::body_choices(state)
        .into_iter()
        .filter(|(code, _)| {
            caller.reaches(P::ListsManage, &crate::auth::uscc_region(code))
                || caller
                    .body
                    .as_deref()
                    .is_some_and(|b| b.eq_ignore_ascii_case(code))
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// The form to propose an entry (认定), shown on `/console/lists`: the recognising body is
/// picked from a searchable list (name, USCC beside), never typed as a code.
pub fn propose_form(joint: Option<&JointCatalog>, bodies: &[(String, String)]) -> Markup {
    html! {
        details.card #propose {
            summary { "拟认定（新增名单条目）" }
            p.hint { "认定后条目为“拟列入”，再依次办理公示、生效。认定部门从列表中选择（输入名称查找）：异议和联合奖惩闭环据此送达其所在地区的信用办。" }
            datalist #p-body-list {
                @for (code, name) in bodies { option value=(format!("{name} {code}")) {} }
            }
            div.form-grid {
                div {
                    label for="p-list" { "名单" }
                    select #p-list {
                        @if let Some(j) = joint {
                            @for l in j.lists().iter().filter(|l| !l.imported) {
                                option value=(l.code) { (l.name) }
                            }
                        }
                    }
                }
                div {
                    label for="p-subject" { "信用主体（全称或统一社会信用代码）" }
                    input #p-subject type="text" autocomplete="off";
                }
                div {
                    label for="p-standard" { "认定标准" }
                    textarea #p-standard rows="2" {}
                }
                div {
                    label for="p-basis" { "认定依据（文件及条款）" }
                    textarea #p-basis rows="2" {}
                }
                div {
                    label for="p-body" { "认定部门（输入名称查找并选择）" }
                    input #p-body type="search" list="p-body-list" autocomplete="off"
                        placeholder="例如：市场监督管理局" aria-describedby="p-body-hint";
                    p.hint #p-body-hint { "列表列出本辖区的部门，名称后为其统一社会信用代码。" }
                }
                div {
                    label for="p-evidence" { "证据（每行一项：文书号等）" }
                    textarea #p-evidence rows="3" {}
                }
            }
            button type="button" data-api="/console/lists/propose"
                data-fields="list=p-list,subject=p-subject,standard=p-standard,basis=p-basis,recognised_by_uscc=p-body,evidence=p-evidence"
                data-out="propose-msg" data-done="已提交认定" { "提交认定" }
            (msg_box("propose-msg"))
        }
    }
}

/// The recognising body a form names, as picked from the list (`名称 USCC`) or typed (a
/// USCC, or a listed body's exact name): `(USCC, name)`; the name looked up when not given.
async fn recognising_body(
    state: &AppState,
    caller: &Caller,
    text: &str,
    name: Option<String>,
) -> Result<(String, Option<String>), AppError> {
    let text = text.trim();
    let code_like = |w: &str| w.len() == 18 && w.chars().all(|c| c.is_ascii_alphanumeric());
    let words: Vec<&str> = text.split_whitespace().collect();
    let bodies = recognising_bodies(state, caller);
    // `名称 USCC` (the list's form), `USCC 名称`, or a USCC alone.
    let (code, rest) = match (words.first(), words.last()) {
        (_, Some(last)) if code_like(last) => (
            Some(last.to_ascii_uppercase()),
            words[..words.len() - 1].join(" "),
        ),
        (Some(first), _) if code_like(first) => {
            (Some(first.to_ascii_uppercase()), words[1..].join(" "))
        }
        _ => (None, text.to_string()),
    };
    let code = match code {
        Some(c) => c,
        // A name typed without picking: a listed body of exactly that name.
        None => bodies
            .iter()
            .find(|(_, n)| *n == rest)
            .map(|(c, _)| c.clone())
            .ok_or_else(|| {
                AppError::invalid(
                    "recognising_body_code_required",
                    "请从列表中选择认定部门（名称后附统一社会信用代码）",
                )
            })?,
    };
    let name = name
        .or_else(|| (!rest.trim().is_empty()).then(|| rest.trim().to_string()))
        .or_else(|| {
            bodies
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, n)| n.clone())
        });
    let name = match name {
        Some(n) => Some(n),
        None => state.store.subject_by_uscc(&code).await?.map(|s| s.name),
    };
    Ok((code, name))
}

/// What the propose form posts.
#[derive(Debug, Deserialize)]
pub struct ProposeForm {
    pub list: String,
    /// A 统一社会信用代码, or the subject's full name.
    pub subject: String,
    #[serde(default)]
    pub standard: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub recognised_by_uscc: Option<String>,
    #[serde(default)]
    pub recognised_by: Option<String>,
    /// One item a line.
    #[serde(default)]
    pub evidence: Option<String>,
}

/// The subject a form names: by its 统一社会信用代码, else by its full name among those the
/// caller manages lists for (exactly one).
async fn subject_named(
    state: &AppState,
    caller: &Caller,
    text: &str,
) -> Result<chengxin_domain::subjects::Subject, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid("subject_required", "请填写信用主体"));
    }
    let not_found = || {
        AppError::invalid(
            "subject_not_found",
            format!("未找到信用主体“{text}”：请填写统一社会信用代码或准确的全称"),
        )
    };
    if text.len() == 18 && text.is_ascii() {
        return state
            .store
            .subject_by_uscc(&text.to_ascii_uppercase())
            .await?
            .ok_or_else(not_found);
    }
    let found: Vec<_> = super::find_subjects(state, text, "", 50)
        .await
        .into_iter()
        .filter(|s| {
            s.name == text
                && caller.reaches(P::ListsManage, s.region.as_deref().unwrap_or("000000"))
        })
        .collect();
    match found.len() {
        0 => Err(not_found()),
        1 => Ok(found.into_iter().next().ok_or_else(not_found)?),
        n => Err(AppError::invalid(
            "subject_ambiguous",
            format!("名称为“{text}”的信用主体有 {n} 个，请改填统一社会信用代码"),
        )),
    }
}

/// `POST /console/lists/propose`: 认定, through `chengxin_app::lists::propose`.
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ProposeForm>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(f) = body.map_err(json_error)?;
    caller.require(P::ListsManage)?;
    let subject = subject_named(&state, &caller, &f.subject).await?;
    let picked = f
        .recognised_by_uscc
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let name = f
        .recognised_by
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let Some(picked) = picked else {
        return Err(AppError::invalid(
            "recognising_body_code_required",
            "请选择认定部门（须有统一社会信用代码）",
        )
        .into());
    };
    let (code, name) = recognising_body(&state, &caller, &picked, name).await?;
    let req = ProposeRequest {
        subject_id: subject.id,
        standard: f.standard,
        basis: f.basis,
        recognised_by: name.unwrap_or_else(|| code.clone()),
        recognised_by_uscc: Some(code),
        evidence: f
            .evidence
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    };
    let row = chengxin_app::lists::propose(&state, &caller, &f.list, req).await?;
    Ok(Json(
        serde_json::json!({"id": row.id, "status": row.status}),
    ))
}

/// `POST /console/lists/{id}/actions`: a step of the entry's procedure, through
/// `chengxin_app::lists::act`.
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<EntryActionRequest>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    let row = chengxin_app::lists::act(&state, &caller, id, req).await?;
    Ok(Json(
        serde_json::json!({"id": row.id, "status": row.status, "version": row.version}),
    ))
}

/// An entry step's name in Chinese.
fn step_name(action: &str) -> String {
    match action {
        "propose" => "认定（拟列入）".into(),
        "import" => "导入（数据源）".into(),
        "start_publicity" => "开始公示".into(),
        "raise_objection" => "记录异议".into(),
        "dismiss_objection" => "异议不成立".into(),
        "take_effect" => "生效".into(),
        other => match other.strip_prefix("remove_").and_then(RemovalReason::parse) {
            Some(r) => format!("移出（{}）", r.label()),
            None => other.to_string(),
        },
    }
}

/// `/console/lists/{id}`: one entry, its deadlines and history, and the forms for the steps
/// its status allows — for a caller managing lists in the entry's region.
pub async fn entry(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::ListsManage)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let found = async {
        let id: Uuid = parse_id(&id)?;
        let row = state
            .store
            .list_entry(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let subject = match row.subject_id {
            Some(s) => state.store.subject(s).await?,
            None => None,
        }
        .ok_or(AppError::NotFound)?;
        caller
            .require_at(
                P::ListsManage,
                &chengxin_app::lists::entry_region(&row, &subject),
            )
            .map_err(AppError::concealing_item)?;
        let entry: ListEntry =
            serde_json::from_value(row.entry.clone()).map_err(AppError::unavailable)?;
        Ok::<_, AppError>((row, subject, entry))
    }
    .await;
    let (row, subject, e) = match found {
        Ok(x) => x,
        Err(err) => return api_error_page(&caller, &v, &ApiError(err)),
    };
    let joint = JointCatalog::default_checked().ok();
    let list: Option<&ListDef> = joint.as_ref().and_then(|j| j.list(&e.list));
    let today = state.today();
    let cal = super::page_calendar(&state).await;
    let regions = chengxin_domain::regions::RegionTable::national();
    let region = subject
        .region
        .as_deref()
        .map(|r| regions.full_name(r).unwrap_or_else(|| r.to_string()))
        .unwrap_or_else(|| "—".into());
    let api = format!("/console/lists/{}/actions", enc(&row.id.to_string()));
    let body_v = |action: &str, reason: Option<&str>| {
        let mut b = serde_json::json!({"action": action, "expected_version": row.version});
        if let Some(r) = reason {
            b["reason"] = serde_json::json!(r);
        }
        b.to_string()
    };
    let publicity_days = list.map(|l| l.publicity_working_days).unwrap_or(0);
    let objections_allowed = list.is_some_and(|l| l.objections_allowed);
    let per_entry = list.is_some_and(|l| l.validity_per_entry);
    let removal_reasons: Vec<RemovalReason> = match e.status {
        EntryStatus::Proposed => vec![RemovalReason::Revoked],
        EntryStatus::Publicity => vec![RemovalReason::ObjectionUpheld, RemovalReason::Revoked],
        EntryStatus::Effective => vec![
            RemovalReason::Expired,
            RemovalReason::Repaired,
            RemovalReason::Revoked,
            RemovalReason::ObjectionUpheld,
        ],
        EntryStatus::Removed => vec![],
    };
    let body = html! {
        p { a href="/console/lists" { "← 返回名单管理" } }
        section.card {
            h2 { (e.subject_name) }
            dl.kv {
                dt { "名单" } dd { (list.map(|l| l.name.clone()).unwrap_or_else(|| e.list.clone())) }
                dt { "状态" } dd { (e.status.label()) }
                dt { "信用主体" } dd {
                    a href=(format!("/console/subjects?subject={}", subject.id)) { (subject.name) }
                    @if let Some(u) = &subject.uscc { " " span.hint { "统一社会信用代码 " (u) } }
                }
                dt { "所在地区" } dd { (region) }
                dt { "认定部门" } dd {
                    (e.recognised_by)
                    @if let Some(u) = e.recognised_by_uscc.as_ref().filter(|u| **u != e.recognised_by) { " " span.hint { (u) } }
                }
                dt { "认定标准" } dd { (val(&serde_json::json!(e.standard))) }
                dt { "认定依据" } dd { (val(&serde_json::json!(e.basis))) }
                dt { "证据" } dd {
                    @if e.evidence.is_empty() { span.hint { "—" } }
                    @for x in &e.evidence { div { (val(&serde_json::json!(x))) } }
                }
                dt { "认定日期" } dd { (e.proposed_on) }
                dt { "公示期" } dd {
                    @if publicity_days == 0 { "本名单不设公示期" }
                    @else {
                        (publicity_days) " 个工作日"
                        @if let Some(from) = e.publicity_from { "，自 " (from) " 起" }
                        @if let Some(u) = e.publicity_until {
                            "，截止 "
                            @if e.status == EntryStatus::Publicity { (due_on(Some(u), today, &cal)) } @else { (u) }
                        }
                    }
                }
                dt { "待处理异议" } dd { (e.objections_pending) " 件" }
                dt { "生效日期" } dd { (e.effective_from.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                dt { "有效期至" } dd {
                    @match e.effective_until {
                        Some(u) if e.status == EntryStatus::Effective => { (due_on(Some(u), today, &cal)) }
                        Some(u) => { (u) }
                        None => { "—" }
                    }
                }
                @if let Some(d) = e.removed_on {
                    dt { "移出" } dd { (d) @if let Some(r) = e.removal_reason { "（" (r.label()) "）" } }
                }
            }
        }
        section.card {
            h2 { "办理经过" }
            div.table-wrap { table {
                thead { tr { th { "日期" } th { "步骤" } th { "状态" } th { "办理人" } th { "说明" } } }
                tbody {
                    @for ev in &e.history {
                        tr {
                            td { (ev.on) }
                            td { (step_name(&ev.action)) }
                            td { @if let Some(f) = ev.from { (f.label()) " → " } (ev.to.label()) }
                            td { (ev.by.as_deref().map(who).unwrap_or("—")) }
                            td { (ev.note.as_deref().map(|n| val(&serde_json::json!(n))).unwrap_or_default()) }
                        }
                    }
                }
            } }
        }
        @if e.status != EntryStatus::Removed {
            section.card #steps {
                h2 { "办理" }
                p.hint { "期限按官方工作日历计算（节假日、调休已计入）。" }
                @if e.status == EntryStatus::Proposed && publicity_days > 0 {
                    div.step {
                        h3 { "开始公示" }
                        p.hint { "公示 " (publicity_days) " 个工作日，今天开始则截止于 "
                            (list.and_then(|l| l.publicity_until(today, &cal).ok().flatten()).map(|d| d.to_string()).unwrap_or_else(|| "—".into())) "。" }
                        label for="n-pub" { "公示文号或说明（可不填）" }
                        input #n-pub type="text";
                        button type="button" data-api=(api) data-body=(body_v("start_publicity", None))
                            data-fields="note=n-pub" data-out="msg-pub" data-done="已开始公示" { "开始公示" }
                        (msg_box("msg-pub"))
                    }
                }
                @if e.status == EntryStatus::Publicity && objections_allowed {
                    div.step {
                        h3 { "记录异议" }
                        p.hint { "公示期内收到的异议，须写明异议人和理由。" }
                        label for="n-obj" { "异议情况（必填）" }
                        textarea #n-obj rows="2" {}
                        button type="button" data-api=(api) data-body=(body_v("raise_objection", None))
                            data-fields="note=n-obj" data-out="msg-obj" data-done="已记录异议" { "记录异议" }
                        (msg_box("msg-obj"))
                    }
                    @if e.objections_pending > 0 {
                        div.step {
                            h3 { "异议不成立" }
                            label for="n-dis" { "核查结论（必填）" }
                            textarea #n-dis rows="2" {}
                            button type="button" data-api=(api) data-body=(body_v("dismiss_objection", None))
                                data-fields="note=n-dis" data-out="msg-dis" data-done="已办结异议" { "异议不成立" }
                            (msg_box("msg-dis"))
                        }
                    }
                }
                @if matches!(e.status, EntryStatus::Proposed | EntryStatus::Publicity) {
                    div.step {
                        h3 { "生效" }
                        p.hint {
                            @if publicity_days > 0 { "公示期满且无待处理异议后方可生效。" }
                            @match list.and_then(|l| l.validity_months) {
                                Some(m) => { "有效期 " (m) " 个月。" }
                                None => { "不设固定有效期。" }
                            }
                        }
                        @if per_entry {
                            label for="n-until" { "有效期至（可不填）" }
                            input #n-until type="date";
                        }
                        label for="n-eff" { "决定文号或说明（可不填）" }
                        input #n-eff type="text";
                        button type="button" data-api=(api) data-body=(body_v("take_effect", None))
                            data-fields=(if per_entry { "note=n-eff,until=n-until" } else { "note=n-eff" })
                            data-out="msg-eff" data-done="已生效" { "生效" }
                        (msg_box("msg-eff"))
                    }
                }
                div.step {
                    h3 { "移出" }
                    label for="n-reason" { "移出原因" }
                    select #n-reason {
                        @for r in &removal_reasons { option value=(r.code()) { (r.label()) } }
                    }
                    label for="n-rm" { "移出依据（文号或说明，必填）" }
                    textarea #n-rm rows="2" {}
                    button type="button" data-api=(api) data-body=(body_v("remove", None))
                        data-fields="reason=n-reason,note=n-rm" data-confirm="确认移出该名单条目？"
                        data-out="msg-rm" data-done="已移出" { "移出" }
                    (msg_box("msg-rm"))
                }
            }
        }
        (actions_script())
    };
    render(&caller, &v, "名单条目", "/console/lists", body)
}
