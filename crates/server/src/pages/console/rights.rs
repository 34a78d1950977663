//! 异议与修复: the objection and repair queue, one application with its steps and the
//! buttons for the steps the caller may take.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::rights::QueueParams;
use chengxin_domain::rights::{AppKind, AppState as St, Application, Party, RejectGround};
use chengxin_store::ApplicationRow;
use maud::{html, Markup};
use serde::Deserialize;

use super::correction::correction_fields;
use super::{
    actions_script, actor_label, api_error_page, dt, enc, gate, msg_box, render, step_label, val,
    who, SECTIONS,
};
use crate::auth::Caller;
use crate::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct QueueQuery {
    pub kind: Option<String>,
    pub state: Option<String>,
    /// `all` shows finished ones too.
    pub show: Option<String>,
}

fn kind_label(k: &str) -> &str {
    AppKind::parse(k).map(|k| k.label()).unwrap_or(k)
}

fn state_label(s: &str) -> &str {
    St::parse(s).map(|s| s.label()).unwrap_or(s)
}

fn party_label(p: &Party) -> String {
    p.label()
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// `/console/applications`: the queue, with kind/state filters and deadlines.
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<QueueQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| super::allowed(c, SECTIONS[1].3)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let kind = nonempty(q.kind).filter(|k| AppKind::parse(k).is_some());
    let st = nonempty(q.state).filter(|s| St::parse(s).is_some());
    let all = q.show.as_deref() == Some("all");
    let rows = match chengxin_app::rights::queue(
        &state,
        &caller,
        QueueParams {
            kind: kind.clone(),
            state: st.clone(),
            open: Some(!all && st.is_none()),
        },
    )
    .await
    {
        Ok(rows) => rows,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let today = state.today();
    let cal = super::page_calendar(&state).await;
    let mut rows = rows;
    // Most urgent first: open ones by due date, then the rest newest first.
    rows.sort_by(|a, b| match (a.due, b.due) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.created_at.cmp(&a.created_at),
    });
    let body = html! {
        form.card.filters method="get" action="/console/applications" {
            div {
                label for="f-kind" { "类型" }
                select #f-kind name="kind" {
                    option value="" { "全部" }
                    @for k in AppKind::ALL {
                        option value=(k.code()) selected[kind.as_deref() == Some(k.code())] { (k.label()) }
                    }
                }
            }
            div {
                label for="f-state" { "状态" }
                select #f-state name="state" {
                    option value="" { "全部" }
                    @for s in St::ALL {
                        option value=(s.code()) selected[st.as_deref() == Some(s.code())] { (s.label()) }
                    }
                }
            }
            div {
                label for="f-show" { "范围" }
                select #f-show name="show" {
                    option value="open" selected[!all] { "待办（有待办步骤）" }
                    option value="all" selected[all] { "全部（含已办结）" }
                }
            }
            div { button type="submit" { "筛选" } }
        }
        p.hint { "共 " (rows.len()) " 件。期限按工作日计算；" span.due-late { "红色" } "为已逾期，" span.due-soon { "橙色" } "为 3 天内到期。" }
        div.table-wrap {
            table {
                thead { tr { th { "查询编号" } th { "类型" } th { "信用主体" } th { "对象" } th { "状态" } th { "下一步办理" } th { "办理期限" } th { "提交时间" } } }
                tbody {
                    @if rows.is_empty() { tr { td colspan="8" { "暂无事项。" } } }
                    @for r in &rows {
                        @let app: Option<Application> = serde_json::from_value(r.body.clone()).ok();
                        tr {
                            td { a href=(format!("/console/applications/{}", r.id)) { (r.tracking_no) } }
                            td { (kind_label(&r.kind)) }
                            td { (app.as_ref().map(|a| a.subject_name.as_str()).unwrap_or("")) }
                            td { (target_label(&r.target_kind)) }
                            td { (state_label(&r.state)) }
                            td { (app.as_ref().and_then(|a| a.next.as_ref()).map(party_label).unwrap_or_default()) }
                            td { (super::due_on(r.due, today, &cal)) }
                            td { (dt(&r.created_at)) }
                        }
                    }
                }
            }
        }
    };
    render(&caller, &v, "异议与修复", "/console/applications", body)
}

fn target_label(k: &str) -> &str {
    match k {
        "record" => "信用记录",
        "list_entry" => "名单条目",
        "subject" => "信用主体",
        _ => "其他",
    }
}

/// What an application ended with, in Chinese.
fn outcome_label(kind: AppKind, outcome: &str) -> &'static str {
    match outcome {
        "refused" => "不予受理",
        "corrected" => "信息已更正",
        "revoked" if kind == AppKind::Repair => "修复已撤销",
        "revoked" => "信息已撤销",
        "kept" => "维持原信息",
        "repaired" => "同意修复",
        "rejected" => "不予修复",
        "answered" => "已答复",
        "waived" => "免于惩戒",
        "mitigated" => "从轻惩戒",
        "tolerated" => "容错纠错（不计入失信）",
        _ => "已作出决定",
    }
}

/// The rules an application was handled under, by title (a repair's 令, else the version of
/// the credit-rights rules file).
fn rule_title(state: &AppState, version: &str) -> String {
    let rules = state.rights_rules().ok();
    match rules.and_then(|r| r.repair.iter().find(|x| x.id == version)) {
        Some(r) => r.title.clone(),
        None => format!("信用权益保护规则（{version} 版）"),
    }
}

/// A repair material's category by name.
fn material_label(state: &AppState, code: &str) -> String {
    state
        .rights_rules()
        .ok()
        .and_then(|r| {
            r.repair
                .iter()
                .find_map(|x| x.material(code).map(|m| m.label.clone()))
        })
        .unwrap_or_else(|| "其他材料".into())
}

/// Which steps the caller may take on this application now: (action, label, by office).
fn steps_for(app: &Application, office: bool, department: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    match (app.kind, app.state) {
        (AppKind::Objection | AppKind::Repair | AppKind::Complaint, St::Submitted) if office => {
            out.extend(["accept", "refuse"]);
        }
        // 投诉举报: the credit office handles it itself — 转办 to a department to verify, then
        // 答复 by the deadline.
        (AppKind::Complaint, St::Accepted) if office => out.extend(["assign", "answer"]),
        (AppKind::Objection, St::Accepted) if office || department => out.push("check"),
        (AppKind::Repair, St::Accepted) if office || department => {
            out.extend(["approve", "reject"]);
        }
        (AppKind::Objection, St::Checked) if office => out.push("answer"),
        (AppKind::Repair, St::Approved) if office => out.push("share"),
        (AppKind::Repair, St::Completed) if office => out.push("revoke_repair"),
        _ => {}
    }
    out
}

fn step_form(
    id: &str,
    version: i64,
    action: &str,
    correction: Option<&chengxin_app::records::CorrectionForm>,
    departments: &[(String, String)],
) -> Markup {
    let url = format!("/api/v1/applications/{id}/actions");
    let body = |a: &str| serde_json::json!({"action": a, "expected_version": version}).to_string();
    let reasons_id = format!("reasons-{action}");
    match action {
        "assign" => html! {
            div.step-form {
                h3 { "转办" }
                p.hint { "转交部门核实处理，部门收到转办通知；答复仍由信用办在办理期限内作出。" }
                label for="assign-dept" { "承办部门" }
                select #assign-dept {
                    @for (code, name) in departments { option value=(code) { (name) } }
                }
                label for=(reasons_id) { "转办说明（必填）" }
                textarea id=(reasons_id) rows="2" {}
                button type="button" data-api=(url) data-body=(body("assign"))
                    data-fields=(format!("department=assign-dept,reasons={reasons_id}"))
                    data-out="action-msg" data-done="已转办" { "转办" }
            }
        },
        "accept" => html! {
            div.step-form {
                h3 { "受理" }
                p.hint { "受理后按工作日自动计算办理期限（异议转认定/报送部门核查，修复转认定部门审核，投诉举报由信用办核实办理）。" }
                button type="button" data-api=(url) data-body=(body("accept")) data-out="action-msg" data-done="已受理" { "受理" }
            }
        },
        "share" => html! {
            div.step-form {
                h3 { "共享修复结果" }
                p.hint { "将修复结果推送给报送部门、相关联合奖惩实施部门及全国信用信息共享平台。" }
                button type="button" data-api=(url) data-body=(body("share")) data-out="action-msg" data-done="已共享" { "共享修复结果" }
            }
        },
        "check" => html! {
            div.step-form {
                h3 { "核查（报送部门）" }
                label for="finding" { "核查结论" }
                select #finding {
                    option value="keep" { "维持（异议不成立）" }
                    option value="correct" { "更正" }
                    option value="revoke" { "撤销（异议成立）" }
                }
                @if let Some(form) = correction {
                    details.correct-box {
                        summary { "更正的字段（仅核查结论为“更正”时填写）" }
                        (correction_fields(form, "check-form"))
                    }
                }
                label for=(reasons_id) { "核查意见" }
                textarea id=(reasons_id) rows="3" {}
                button type="button" data-api=(url) data-body=(body("check"))
                    data-patch="fields=check-form" data-patch-optional
                    data-fields=(format!("finding=finding,reasons={reasons_id}"))
                    data-out="action-msg" data-done="核查结论已提交" { "提交核查结论" }
            }
        },
        "reject" => html! {
            div.step-form {
                h3 { "不予修复" }
                label for="grounds" { "理由类别（可多选，按住 Ctrl/⌘ 选择多项）" }
                select #grounds multiple size="5" {
                    @for g in [RejectGround::PeriodNotReached, RejectGround::ObligationsUnmet, RejectGround::FalseMaterials, RejectGround::NotRepairable, RejectGround::Other] {
                        option value=(serde_json::to_value(g).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()) { (g.label()) }
                    }
                }
                label for=(reasons_id) { "具体理由" }
                textarea id=(reasons_id) rows="3" {}
                button type="button" data-api=(url) data-body=(body("reject"))
                    data-fields=(format!("grounds=grounds,reasons={reasons_id}"))
                    data-out="action-msg" data-confirm="确定不予修复？" data-done="已决定不予修复" { "不予修复" }
            }
        },
        other => {
            let (title, button, confirm) = match other {
                "refuse" => ("不予受理", "不予受理", Some("确定不予受理？")),
                "answer" => ("答复申请人", "提交答复", None),
                "approve" => (
                    "同意修复",
                    "同意修复",
                    Some("确定同意修复？记录将停止公示。"),
                ),
                "revoke_repair" => (
                    "撤销修复（发现虚假材料）",
                    "撤销修复",
                    Some("确定撤销修复？记录将重新公示。"),
                ),
                _ => ("办理", "提交", None),
            };
            html! {
                div.step-form {
                    h3 { (title) }
                    label for=(reasons_id) { "理由 / 意见（必填）" }
                    textarea id=(reasons_id) rows="3" {}
                    button type="button" data-api=(url) data-body=(body(other))
                        data-fields=(format!("reasons={reasons_id}"))
                        data-confirm=[confirm] data-out="action-msg" data-done=(format!("{title}：已提交")) { (button) }
                }
            }
        }
    }
}

/// `/console/applications/{id}`: the application and the caller's steps.
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| super::allowed(c, SECTIONS[1].3)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let found = match crate::routes::input::parse_id(&id) {
        Ok(id) => chengxin_app::rights::application(&state, &caller, id).await,
        Err(e) => Err(e),
    };
    let row: ApplicationRow = match found {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let app: Application = match serde_json::from_value(row.body.clone()) {
        Ok(a) => a,
        Err(e) => {
            return api_error_page(
                &caller,
                &v,
                &crate::error::ApiError(crate::error::AppError::Unavailable(e.to_string())),
            )
        }
    };
    // A complaint is handled where the body complained about is (a credit office below reads
    // it but does not answer for its superior): the same rule as the step itself.
    let office = if row.kind == "complaint" {
        caller.reaches(
            P::ComplaintsHandle,
            chengxin_app::rights::complaint_region(&row),
        )
    } else {
        chengxin_app::rights::is_office(state.store.as_ref(), &caller, &row)
            .await
            .unwrap_or(false)
    };
    let department = caller
        .body
        .as_deref()
        .is_some_and(|b| b.eq_ignore_ascii_case(&row.department))
        && (caller.has(P::RecordsCorrect) || caller.has(P::ListsManage));
    let steps = steps_for(&app, office, department);
    // The departments a complaint may be sent to (转办): registered ones in line with the
    // caller's region, by name.
    let departments: Vec<(String, String)> = if steps.contains(&"assign") {
        state
            .department_bodies()
            .map(|b| {
                b.bodies()
                    .iter()
                    .filter(|b| {
                        caller.reaches_in_line(
                            P::ComplaintsHandle,
                            &crate::auth::uscc_region(&b.uscc),
                            None,
                        )
                    })
                    .map(|b| (b.uscc.clone(), b.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    // The check step corrects the record field by field: its form.
    let correction = if steps.contains(&"check") {
        chengxin_app::rights::check_form(&state, &caller, row.id)
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let today = state.today();
    let cal = super::page_calendar(&state).await;
    let id_s = row.id.to_string();
    // The target by name: the record's type and document number, or the entry's list and
    // subject — never its id.
    let target_text: String = match row.target_kind.as_str() {
        "record" => match crate::routes::input::parse_id(&row.target_id) {
            Ok(id) => match state.store.record(id).await.ok().flatten() {
                Some(r) => format!(
                    "{} {}",
                    crate::pages::portal::type_name_of(&r.type_code),
                    chengxin_domain::codes::id_number::mask_in_text(&r.doc_no)
                ),
                None => "（记录不存在）".into(),
            },
            Err(_) => "（记录不存在）".into(),
        },
        "list_entry" => match crate::routes::input::parse_id(&row.target_id) {
            Ok(id) => match state.store.list_entry(id).await.ok().flatten() {
                Some(e) => format!(
                    "{}：{}",
                    chengxin_domain::lists::JointCatalog::default_checked()
                        .ok()
                        .and_then(|j| j.list(&e.list_code))
                        .map(|l| l.name.clone())
                        .unwrap_or_else(|| "信用名单".into()),
                    app.subject_name
                ),
                None => "（名单条目不存在）".into(),
            },
            Err(_) => "（名单条目不存在）".into(),
        },
        _ => app.subject_name.clone(),
    };
    let department_name = super::body_name(&state, &row.department).await;
    let body = html! {
        p { a href="/console/applications" { "← 返回队列" } }
        div.card {
            dl.kv {
                dt { "查询编号" } dd { (row.tracking_no) }
                dt { "类型" } dd { (app.kind.label()) }
                dt { "状态" } dd { strong { (app.state.label()) } }
                dt { "下一步办理" } dd { (app.next.as_ref().map(party_label).unwrap_or_else(|| "—".into())) }
                dt { "办理期限" } dd { (super::due_on(app.due, today, &cal)) }
                dt { "信用主体" } dd { (app.subject_name) }
                dt { "对象" } dd {
                    (target_label(&row.target_kind)) "："
                    @if row.target_kind == "record" {
                        a #target-link href=(format!("/console/records/{}", enc(&row.target_id))) { (target_text) }
                    } @else if row.target_kind == "list_entry" {
                        a #target-link href=(format!("/console/lists/{}", enc(&row.target_id))) { (target_text) }
                    } @else {
                        (target_text)
                    }
                }
                @if !row.department.trim().is_empty() {
                    dt { "认定/报送部门" } dd #department { (super::named_code(department_name.as_deref(), &row.department)) }
                }
                @if let Some(a) = &app.applicant {
                    dt { "申请人" } dd { (a.name) @if a.is_subject { "（信用主体本人）" } }
                }
                dt { "提交日期" } dd { (app.filed_on) }
                dt { "适用规则" } dd { (rule_title(&state, &app.rule_version)) }
                @if app.kind == AppKind::Repair {
                    dt { "信用承诺" } dd { @if app.commitment { "已作出" } @else { "未作出" } }
                }
                dt { "数据版本" } dd { (row.version) }
            }
        }
        h2 { "申请理由" }
        div.card { p.pre { (val(&serde_json::Value::String(app.reasons.clone()))) } }
        h2 { "证明材料" }
        @if app.evidence.is_empty() {
            p.hint { "暂无材料。" }
        } @else {
            div.table-wrap { table {
                thead { tr { th { "文件" } th { "类别" } th { "大小" } th { "上传时间" } th { "SHA-256" } } }
                tbody {
                    @for e in &app.evidence {
                        tr {
                            td { a href=(format!("/api/v1/applications/{}/evidence/{}", row.id, e.id)) download { (e.name) } }
                            td { (e.material.as_deref().map(|m| material_label(&state, m)).unwrap_or_default()) }
                            td { (format!("{:.1} KB", e.size as f64 / 1024.0)) }
                            td { (dt(&e.at)) }
                            td { code.small { (e.sha256.get(..16).unwrap_or(&e.sha256)) "…" } }
                        }
                    }
                }
            } }
        }
        @if let Some(d) = &app.decision {
            h2 { "决定" }
            div.card { dl.kv {
                dt { "结果" } dd { (outcome_label(app.kind, &d.outcome)) }
                dt { "理由" } dd { (d.reasons) }
                @if !d.grounds.is_empty() { dt { "理由类别" } dd { (d.grounds.iter().map(|g| g.label()).collect::<Vec<_>>().join("、")) } }
                @if let Some(b) = &d.basis { dt { "依据" } dd { (b) } }
                @if let Some(a) = &d.approver { dt { "批准人" } dd { (a) } }
                dt { "决定人" } dd { (who(&d.by)) " · " (dt(&d.at)) }
            } }
        }
        h2 { "办理步骤" }
        div.table-wrap { table {
            thead { tr { th { "时间" } th { "办理人" } th { "操作" } th { "办理后状态" } th { "意见" } } }
            tbody {
                @for s in &app.steps {
                    tr { td { (dt(&s.at)) } td { (actor_label(&s.actor)) } td { (step_label(&s.action)) } td { (s.state.label()) } td { (s.note.clone().unwrap_or_default()) } }
                }
            }
        } }
        h2 { "通知" }
        @if app.notices.is_empty() { p.hint { "暂无通知。" } } @else {
            ul.plain {
                @for n in &app.notices { li { span.hint { (dt(&n.at)) " → " (n.to.label()) "：" } (n.text) } }
            }
        }
        h2 { "办理" }
        (msg_box("action-msg"))
        @if steps.is_empty() {
            p.hint {
                @if app.state.is_final() { "本事项已办结。" } @else { "当前步骤不由您办理。" }
            }
        } @else {
            div.card.steps {
                @for s in &steps { (step_form(&id_s, row.version, s, correction.as_ref(), &departments)) }
            }
            p.hint { "提交时附带数据版本 " (row.version) "；如他人已先行办理，将提示冲突，请刷新后查看。" }
        }
        (actions_script())
    };
    render(
        &caller,
        &v,
        &format!("{}办件", app.kind.label()),
        "/console/applications",
        body,
    )
}
