//! 联合奖惩案件 (the closed-loop inbox) and 名单管理 (list entries overview).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_domain::lists::{Case, CaseStep, JointCatalog, StepParty};
use chengxin_store::{CaseFilter, ListEntryFilter};
use maud::html;
use serde::Deserialize;

use super::{actions_script, dt, due, enc, gate, msg_box, render, val};
use crate::auth::Caller;
use crate::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct CasesQuery {
    pub department: Option<String>,
    /// `all` shows reported and lifted cases too.
    pub show: Option<String>,
}

/// `/console/cases`: the cases with their next step and deadline; 分发 buttons for the credit
/// office (with its feedback and timeliness report), 签收/实施/反馈 buttons for the department
/// a case was sent to.
pub async fn cases(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<CasesQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::CasesHandle) || c.has(P::CasesManage)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let department = q.department.filter(|d| !d.trim().is_empty());
    let all = q.show.as_deref() == Some("all");
    let joint = JointCatalog::default_checked().ok();
    let today = state.today();
    let cal = super::page_calendar(&state).await;
    // An implementing department sees its own roles' cases only (bodies.toml).
    let reach = chengxin_app::cases::CaseReach::of(&state, &caller)
        .unwrap_or_else(|_| chengxin_app::cases::CaseReach::none(caller.scope.region.clone()));
    let department = department.filter(|d| reach.covers(d));
    let mut rows = reach
        .cases(
            state.store.as_ref(),
            &CaseFilter {
                department: department.clone(),
                open_only: !all,
                limit: Some(10_000),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default();
    rows.sort_by(|a, b| match (a.next_due, b.next_due) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.updated_at.cmp(&a.updated_at),
    });
    // The subject each case is about, by its entry (named, not numbered).
    let mut names: std::collections::HashMap<uuid::Uuid, String> = Default::default();
    for r in &rows {
        if names.contains_key(&r.entry_id) {
            continue;
        }
        let name = state
            .store
            .list_entry(r.entry_id)
            .await
            .ok()
            .flatten()
            .and_then(|e| {
                e.entry
                    .get("subject_name")
                    .and_then(|n| n.as_str())
                    .map(String::from)
            })
            .unwrap_or_else(|| "（名单条目已不存在）".into());
        names.insert(r.entry_id, name);
    }
    let office = reach.is_office();
    let can_act = office || caller.has(P::CasesHandle);
    // The step the caller would do next on a case, if it is the caller's.
    let my_step = |r: &chengxin_store::CaseRow| -> Option<CaseStep> {
        let n = CaseStep::parse(&r.step)
            .and_then(|s| s.next())
            .filter(|_| !r.lifted && r.next_due.is_some())?;
        match n.party() {
            StepParty::CreditOffice => (office
                && caller.reaches(P::CasesManage, r.region.as_deref().unwrap_or("000000")))
            .then_some(n),
            StepParty::Department => (!office && caller.has(P::CasesHandle)).then_some(n),
        }
    };
    let report = if office {
        chengxin_app::cases::feedback(&state, &caller).await.ok()
    } else {
        None
    };
    let dept_name = |code: &str| -> String {
        joint
            .as_ref()
            .and_then(|j| j.department(code))
            .map(|d| d.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let body = html! {
        form.card.filters method="get" action="/console/cases" {
            div {
                label for="f-dept" { "实施部门" }
                select #f-dept name="department" {
                    option value="" { "全部" }
                    @if let Some(j) = &joint {
                        @for d in j.departments().iter().filter(|d| reach.covers(&d.code)) {
                            option value=(d.code) selected[department.as_deref() == Some(d.code.as_str())] { (d.name) }
                        }
                    }
                }
            }
            div {
                label for="f-show" { "范围" }
                select #f-show name="show" {
                    option value="open" selected[!all] { "进行中" }
                    option value="all" selected[all] { "全部（含已反馈、已解除）" }
                }
            }
            div { button type="submit" { "筛选" } }
        }
        p.hint { "共 " (rows.len()) " 件。各步骤期限按工作日计算；" span.due-late { "红色" } "为已逾期，" span.due-soon { "橙色" } "为 3 天内到期。只列出本辖区、下级和上级地区的案件。"
            "分发由发起案件的信用办办理，签收、实施、反馈由承办的实施部门办理。" }
        @if reach.is_unmapped() {
            div.notice.err { "本单位尚未登记为任何实施部门角色，看不到联合奖惩案件。请联系信用办在实施部门对照表中登记本单位。" }
        }
        (msg_box("action-msg"))
        div.table-wrap { table {
            thead { tr { th { "失信主体 / 案件" } th { "名单" } th { "地区" } th { "实施部门" } th { "措施" } th { "已完成步骤" } th { "下一步 / 期限" } @if can_act { th { "办理" } } } }
            tbody {
                @if rows.is_empty() { tr { td colspan="8" { "暂无案件。" } } }
                @for (i, r) in rows.iter().enumerate() {
                    @let case: Option<Case> = serde_json::from_value(r.state.clone()).ok();
                    @let next = CaseStep::parse(&r.step).and_then(|s| s.next()).filter(|_| !r.lifted && r.next_due.is_some());
                    tr {
                        td {
                            a href=(format!("/console/cases/{}", enc(&r.id))) { (names.get(&r.entry_id).map(String::as_str).unwrap_or("")) }
                            br; span.hint { "发起于 " (dt(&r.created_at)) }
                        }
                        td { (case.as_ref().map(|c| joint.as_ref().and_then(|j| j.list(&c.list)).map(|l| l.name.clone()).unwrap_or_else(|| c.list.clone())).unwrap_or_default()) }
                        td.region { (region_label(r.region.as_deref())) }
                        td {
                            @match case.as_ref().and_then(|c| c.body.as_ref()) {
                                Some(b) => { (b.name) br; span.hint { (dept_name(&r.department)) } }
                                None => { (dept_name(&r.department)) }
                            }
                        }
                        td {
                            @if let Some(c) = &case {
                                @for m in &c.measures {
                                    div.small { (joint.as_ref().and_then(|j| j.measure(m)).map(|x| x.name.clone()).unwrap_or_else(|| m.clone())) }
                                }
                            }
                        }
                        td {
                            (CaseStep::parse(&r.step).map(|s| s.label()).unwrap_or(&r.step))
                            @if r.lifted { " " span.tag.muted { "已解除" } }
                        }
                        td {
                            @match next {
                                Some(n) => { (n.label()) "：" (super::due_on(r.next_due, today, &cal)) }
                                None => { span.hint { "—" } }
                            }
                        }
                        @if can_act {
                            td {
                                @if let Some(n) = my_step(r) {
                                    @let note_id = format!("note-{i}");
                                    @if matches!(n, CaseStep::Applied | CaseStep::Reported) {
                                        label.sr-only for=(note_id) { (n.label()) "情况说明" }
                                        textarea.small id=(note_id) rows="2" placeholder=(format!("{}情况（必填）", n.label())) {}
                                    }
                                    button type="button" data-api=(format!("/api/v1/cases/{}/advance", enc(&r.id)))
                                        data-body=(serde_json::json!({"expected_version": r.version}).to_string())
                                        data-fields=[matches!(n, CaseStep::Applied | CaseStep::Reported).then(|| format!("note={note_id}"))]
                                        data-out="action-msg" data-done=(format!("已{}", n.label())) { (n.label()) }
                                }
                            }
                        }
                    }
                }
            }
        } }
        (actions_script())
        @if let Some(r) = &report { (super::feedback::card(r)) }
    };
    render(&caller, &v, "联合奖惩案件", "/console/cases", body)
}

#[derive(Debug, Deserialize, Default)]
pub struct ListsQuery {
    pub list: Option<String>,
    pub status: Option<String>,
}

fn entry_status_label(s: &str) -> &str {
    match s {
        "proposed" => "拟认定",
        "publicity" => "公示中",
        "effective" => "已生效",
        "removed" => "已移出",
        other => other,
    }
}

/// `/console/lists`: list entries for the credit office.
pub async fn lists(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<ListsQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::ListsManage)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let list = q.list.filter(|d| !d.trim().is_empty());
    let status = q.status.filter(|d| !d.trim().is_empty());
    let joint = JointCatalog::default_checked().ok();
    let today = state.today();
    // Only entries in the caller's jurisdiction (their recognising body's region).
    let shown = super::lists::entries_in_reach(
        &state,
        &caller,
        &ListEntryFilter {
            list_code: list.clone(),
            status: status.clone(),
            ..Default::default()
        },
    )
    .await;
    let date = |e: &serde_json::Value, k: &str| -> Option<chrono::NaiveDate> {
        e.get(k)
            .and_then(|d| d.as_str())
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let body = html! {
        form.card.filters method="get" action="/console/lists" {
            div {
                label for="f-list" { "名单" }
                select #f-list name="list" {
                    option value="" { "全部" }
                    @if let Some(j) = &joint {
                        @for l in j.lists() {
                            option value=(l.code) selected[list.as_deref() == Some(l.code.as_str())] { (l.name) }
                        }
                    }
                }
            }
            div {
                label for="f-status" { "状态" }
                select #f-status name="status" {
                    option value="" { "全部" }
                    @for s in ["proposed", "publicity", "effective", "removed"] {
                        option value=(s) selected[status.as_deref() == Some(s)] { (entry_status_label(s)) }
                    }
                }
            }
            div { button type="submit" { "筛选" } }
        }
        p.hint { "共 " (shown.len()) " 条。点“办理”查看条目的期限和办理经过，办理公示、异议、生效、移出。" }
        (super::lists::propose_form(joint, &super::lists::recognising_bodies(&state, &caller)))
        div.table-wrap { table {
            thead { tr { th { "信用主体" } th { "名单" } th { "状态" } th { "认定部门" } th { "公示截止" } th { "生效 / 期限" } th { "待处理异议" } th { "办理" } } }
            tbody {
                @if shown.is_empty() { tr { td colspan="8" { "暂无名单条目。" } } }
                @for r in &shown {
                    @let e = &r.entry;
                    tr {
                        td {
                            @if let Some(sid) = r.subject_id {
                                a href=(format!("/console/subjects?subject={sid}")) { (val(e.get("subject_name").unwrap_or(&serde_json::Value::Null))) }
                            } @else { (val(e.get("subject_name").unwrap_or(&serde_json::Value::Null))) }
                        }
                        td { (joint.as_ref().and_then(|j| j.list(&r.list_code)).map(|l| l.name.clone()).unwrap_or_else(|| r.list_code.clone())) }
                        td { (entry_status_label(&r.status)) }
                        td { (val(e.get("recognised_by").unwrap_or(&serde_json::Value::Null))) }
                        td {
                            @if r.status == "publicity" { (due(date(e, "publicity_until"), today)) }
                            @else { (date(e, "publicity_until").map(|d| d.to_string()).unwrap_or_default()) }
                        }
                        td {
                            (date(e, "effective_from").map(|d| d.to_string()).unwrap_or_default())
                            @if let Some(u) = date(e, "effective_until") { " 至 " (u) }
                            @if let Some(u) = date(e, "removed_on") { " 移出于 " (u) }
                        }
                        td { (e.get("objections_pending").and_then(|n| n.as_u64()).unwrap_or(0)) }
                        td { a href=(format!("/console/lists/{}", r.id)) { "办理" } }
                    }
                }
            }
        } }
        (actions_script())
    };
    render(&caller, &v, "名单管理", "/console/lists", body)
}

/// A case's region as people read it: the full name from the shipped table, else the code.
fn region_label(code: Option<&str>) -> String {
    match code {
        Some(c) => chengxin_domain::regions::RegionTable::national()
            .full_name(c)
            .unwrap_or_else(|| c.to_string()),
        None => "—".into(),
    }
}

/// An actor as people read it: `system…` is the platform's own job.
fn by_label(by: Option<&str>) -> String {
    match by {
        None => "—".into(),
        Some(b) if b.starts_with("system") => "系统（自动）".into(),
        Some(b) => super::who(b).to_string(),
    }
}

/// A notice of a case (reminder, escalation, measures lifted) in Chinese.
fn notice_label(action: &str) -> &str {
    match action {
        "case_reminder" => "到期提醒",
        "case_escalated" => "逾期督办",
        "measures_lifted" => "措施解除通知",
        "case_reminder_failed" => "提醒失败",
        other => other,
    }
}

/// `/console/cases/{id}`: one case — its subject (name, code, region), the list entry and why,
/// the measures, every step with its deadline and who did it, the notes of 实施 and 反馈 and the
/// notices sent — for a caller whose reach covers it ([`chengxin_app::cases::CaseReach`]);
/// anyone else gets the 404 page.
pub async fn case(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::CasesHandle) || c.has(P::CasesManage)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let found = async {
        let reach = chengxin_app::cases::CaseReach::of(&state, &caller)?;
        let row = state
            .store
            .case(&id)
            .await?
            .filter(|c| reach.sees(c))
            .ok_or(crate::error::AppError::NotFound)?;
        let case = chengxin_app::cases::case_of(&row)?;
        let entry = state.store.list_entry(row.entry_id).await?;
        let subject = match entry.as_ref().and_then(|e| e.subject_id) {
            Some(s) => state.store.subject(s).await?,
            None => None,
        };
        let notices = state
            .store
            .audit_events(&chengxin_store::AuditFilter {
                kind: Some("case".into()),
                target: Some(row.id.clone()),
                limit: Some(200),
                ..Default::default()
            })
            .await?;
        Ok::<_, crate::error::AppError>((reach, row, case, entry, subject, notices))
    }
    .await;
    let (reach, row, case, entry, subject, mut notices) = match found {
        Ok(x) => x,
        Err(e) => return super::api_error_page(&caller, &v, &crate::error::ApiError(e)),
    };
    notices.sort_by_key(|n| n.at);
    let joint = JointCatalog::default_checked().ok();
    let today = state.today();
    let cal = super::page_calendar(&state).await;
    let e: Option<chengxin_domain::lists::ListEntry> = entry
        .as_ref()
        .and_then(|r| serde_json::from_value(r.entry.clone()).ok());
    let list_name = joint
        .and_then(|j| j.list(&case.list))
        .map(|l| l.name.clone())
        .unwrap_or_else(|| case.list.clone());
    let dept_name = joint
        .and_then(|j| j.department(&case.department))
        .map(|d| d.name.clone())
        .unwrap_or_else(|| case.department.clone());
    let office = reach.is_office();
    let next = case.step.next().filter(|_| case.lifted_on.is_none());
    let mine = next.filter(|n| match n.party() {
        StepParty::CreditOffice => {
            office && caller.reaches(P::CasesManage, row.region.as_deref().unwrap_or("000000"))
        }
        StepParty::Department => !office && caller.has(P::CasesHandle),
    });
    let due_of = |s: CaseStep| -> Option<chrono::NaiveDate> {
        match s {
            CaseStep::Initiated => None,
            CaseStep::Distributed => Some(case.planned.distributed),
            CaseStep::Signed => Some(case.planned.signed),
            CaseStep::Applied => Some(case.planned.applied),
            CaseStep::Reported => Some(case.planned.reported),
        }
    };
    let body = html! {
        p { a href="/console/cases" { "← 返回联合奖惩案件" } }
        section.card {
            h2 { "失信主体" }
            dl.kv {
                dt { "名称" } dd { (subject.as_ref().map(|s| s.name.clone()).or_else(|| e.as_ref().map(|e| e.subject_name.clone())).unwrap_or_default()) }
                @if let Some(s) = &subject {
                    @if let Some(u) = &s.uscc { dt { "统一社会信用代码" } dd { (u) } }
                    @if let Some(m) = &s.id_masked { dt { "身份证件号码" } dd { (m) } }
                    dt { "所在地区" } dd { (region_label(s.region.as_deref())) }
                }
                dt { "案件所属地区" } dd { (region_label(row.region.as_deref())) }
            }
        }
        section.card {
            h2 { "名单条目" }
            dl.kv {
                dt { "名单" } dd {
                    (list_name)
                    @if caller.has(P::ListsManage) { " " a href=(format!("/console/lists/{}", row.entry_id)) { "查看条目" } }
                }
                @if let Some(e) = &e {
                    dt { "状态" } dd { (e.status.label()) }
                    dt { "认定部门" } dd { (e.recognised_by) }
                    dt { "列入事由（认定标准）" } dd { (val(&serde_json::json!(e.standard))) }
                    dt { "认定依据" } dd { (val(&serde_json::json!(e.basis))) }
                    dt { "证据与文书" } dd {
                        @if e.evidence.is_empty() { "—" }
                        @for x in &e.evidence { div { (val(&serde_json::json!(x))) } }
                    }
                    dt { "生效日期" } dd { (e.effective_from.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                }
                dt { "发起方式" } dd { (match case.trigger { chengxin_domain::lists::CaseTrigger::Automatic => "名单生效时自动发起", chengxin_domain::lists::CaseTrigger::Manual => "信用办手工发起" }) }
            }
        }
        section.card {
            h2 { "实施部门与措施" }
            dl.kv {
                dt { "实施部门角色" } dd { (dept_name) }
                dt { "承办单位" } dd { (case.body.as_ref().map(|b| b.name.clone()).unwrap_or_else(|| "尚未分发（或按角色分发）".into())) }
                dt { "惩戒/激励措施" } dd {
                    @for m in &case.measures {
                        div { (joint.and_then(|j| j.measure(m)).map(|x| x.name.clone()).unwrap_or_else(|| m.clone())) }
                    }
                }
                @if let Some(d) = case.lifted_on { dt { "措施解除" } dd { (d) } }
            }
        }
        section.card {
            h2 { "办理步骤" }
            div.table-wrap { table {
                thead { tr { th { "步骤" } th { "期限" } th { "办理日期" } th { "办理人" } th { "情况说明" } } }
                tbody {
                    @for s in CaseStep::ALL {
                        @let done = case.events.iter().find(|ev| ev.step == s);
                        tr {
                            td { (s.label()) }
                            td {
                                @match done {
                                    Some(ev) => { (ev.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                                    None if Some(s) == next => { (super::due_on(row.next_due.or(due_of(s)), today, &cal)) }
                                    None => { (due_of(s).map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                                }
                            }
                            td {
                                @match done {
                                    Some(ev) => { (ev.on) @if ev.late() { " " span.due-late { "逾期" } } }
                                    None => { span.hint { "未办理" } }
                                }
                            }
                            td { (by_label(done.and_then(|ev| ev.by.as_deref()))) }
                            td { (done.and_then(|ev| ev.note.as_deref()).map(|n| val(&serde_json::json!(n))).unwrap_or_default()) }
                        }
                    }
                }
            } }
            @if let Some(n) = mine {
                div.step {
                    h3 { "办理：" (n.label()) }
                    @if matches!(n, CaseStep::Applied | CaseStep::Reported) {
                        label for="case-note" { (n.label()) "情况说明（必填）" }
                        textarea #case-note rows="3" {}
                    }
                    button type="button" data-api=(format!("/api/v1/cases/{}/advance", enc(&row.id)))
                        data-body=(serde_json::json!({"expected_version": row.version}).to_string())
                        data-fields=[matches!(n, CaseStep::Applied | CaseStep::Reported).then_some("note=case-note")]
                        data-out="action-msg" data-done=(format!("已{}", n.label())) { (n.label()) }
                    (msg_box("action-msg"))
                }
            } @else if let Some(n) = next {
                p.hint { "下一步“" (n.label()) "”由" (n.party().label()) "办理。" }
            }
        }
        section.card {
            h2 { "通知与提醒" }
            @if notices.is_empty() { p.hint { "尚未发送通知。" } }
            @else {
                div.table-wrap { table {
                    thead { tr { th { "时间" } th { "通知" } th { "内容" } } }
                    tbody {
                        @for n in &notices {
                            tr {
                                td { (dt(&n.at)) }
                                td { (notice_label(&n.action)) }
                                td {
                                    @if let Some(m) = n.detail.get("message").and_then(|m| m.as_str()) { (val(&serde_json::json!(m))) }
                                    @else if let Some(d) = n.detail.get("due").and_then(|m| m.as_str()) {
                                        (CaseStep::parse(n.detail.get("step").and_then(|s| s.as_str()).unwrap_or("")).and_then(|s| s.next()).map(|s| s.label()).unwrap_or(""))
                                        "期限 " (d)
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
        (actions_script())
    };
    render(&caller, &v, "联合奖惩案件详情", "/console/cases", body)
}
