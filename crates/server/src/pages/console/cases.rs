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
                limit: Some(2000),
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
            thead { tr { th { "案件" } th { "名单" } th { "地区" } th { "实施部门" } th { "措施" } th { "已完成步骤" } th { "下一步 / 期限" } @if can_act { th { "办理" } } } }
            tbody {
                @if rows.is_empty() { tr { td colspan="8" { "暂无案件。" } } }
                @for (i, r) in rows.iter().enumerate() {
                    @let case: Option<Case> = serde_json::from_value(r.state.clone()).ok();
                    @let next = CaseStep::parse(&r.step).and_then(|s| s.next()).filter(|_| !r.lifted && r.next_due.is_some());
                    tr {
                        td { code.small { (r.entry_id.to_string().get(..8).unwrap_or("")) "…/" (r.department) } br; span.hint { (dt(&r.created_at)) } }
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
    let rows = state
        .store
        .list_entries(&ListEntryFilter {
            list_code: list.clone(),
            status: status.clone(),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap_or_default();
    // Only entries about subjects within the caller's jurisdiction.
    let mut shown = Vec::new();
    let mut regions: std::collections::HashMap<uuid::Uuid, String> = Default::default();
    for r in rows {
        let region = match r.subject_id {
            Some(id) => match regions.get(&id) {
                Some(reg) => reg.clone(),
                None => {
                    let reg = state
                        .store
                        .subject(id)
                        .await
                        .ok()
                        .flatten()
                        .and_then(|s| s.region)
                        .unwrap_or_else(|| "000000".into());
                    regions.insert(id, reg.clone());
                    reg
                }
            },
            None => "000000".into(),
        };
        if caller.reaches(P::ListsManage, &region) {
            shown.push(r);
        }
    }
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
        (super::lists::propose_form(joint))
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
