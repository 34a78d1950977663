//! A record with its history and lifecycle actions; subject search; the manual-linking queue.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_domain::records::{Record, RecordHistoryEntry, RecordStatus};
use chengxin_domain::subjects::Subject;
use maud::{html, Markup};
use serde::Deserialize;

use super::correction::{changes_list, correction_fields};
use super::{
    actions_script, api_error_page, dt, enc, gate, history_label, msg_box, render, val, who,
};
use crate::auth::Caller;
use crate::error::{ApiError, AppError};
use crate::routes::input::parse_id;
use crate::AppState;
use chengxin_app::records;

fn can_read(c: &Caller) -> bool {
    c.has(P::RecordsReadShared) || c.has(P::RecordsReadNonpublic) || c.has(P::RecordsTransition)
}

/// Field titles of a catalog type: name → Chinese column title.
async fn field_titles(state: &AppState, type_code: &str) -> (String, Vec<(String, String)>) {
    let types = state.store.catalog_types().await.unwrap_or_default();
    let Some(t) = types.into_iter().find(|t| t.code == type_code) else {
        return (type_code.to_string(), Vec::new());
    };
    let name = t
        .definition
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or(type_code)
        .to_string();
    let fields = t
        .definition
        .get("fields")
        .and_then(|f| f.as_array())
        .map(|fs| {
            fs.iter()
                .filter_map(|f| {
                    Some((
                        f.get("name")?.as_str()?.to_string(),
                        f.get("title")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    (name, fields)
}

fn status_tag(s: RecordStatus) -> Markup {
    let class = match s {
        RecordStatus::Published => "tag ok",
        RecordStatus::Submitted => "tag warn",
        RecordStatus::Revoked => "tag bad",
        _ => "tag muted",
    };
    html! { span class=(class) { (s.label()) } }
}

/// The fields of a record in catalog order (unknown ones after), ID-like values masked.
fn fields_table(
    fields: &serde_json::Map<String, serde_json::Value>,
    titles: &[(String, String)],
) -> Markup {
    let mut rows: Vec<(String, String)> = Vec::new();
    for (name, title) in titles {
        if let Some(v) = fields.get(name) {
            rows.push((title.clone(), val(v)));
        }
    }
    for (k, v) in fields {
        if !titles.iter().any(|(n, _)| n == k) {
            rows.push((k.clone(), val(v)));
        }
    }
    html! {
        dl.kv { @for (k, v) in &rows { dt { (k) } dd { (v) } } }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct RecordQuery {
    pub purpose: Option<String>,
}

/// `/console/records/{id}`: the record, its history, and the lifecycle actions.
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    Path(id): Path<String>,
    q: Result<Query<RecordQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, can_read).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let purpose = q
        .ok()
        .and_then(|Query(q)| q.purpose)
        .filter(|p| !p.trim().is_empty());
    // The API's use case: non-public records need the permission in reach and a purpose,
    // and the read is query-logged.
    let read = match parse_id(&id) {
        Ok(uuid) => records::read(&state, &caller, uuid, purpose.as_deref()).await,
        Err(e) => Err(e),
    };
    let view = match read {
        Ok(view) => view,
        Err(AppError::Access(chengxin_access::AccessError::PurposeRequired)) => {
            let body = html! {
                div.card.narrow {
                    p { "该记录不属于社会公开信息。查阅须说明用途，查询将记入查询留痕。" }
                    form method="get" action=(format!("/console/records/{}", enc(&id))) {
                        label for="purpose" { "查询用途" }
                        input #purpose name="purpose" type="text" required minlength="2" placeholder="例如：异议核查、修复审核";
                        p { button type="submit" { "查看" } }
                    }
                }
            };
            return render(&caller, &v, "信用记录", "/console/subjects", body);
        }
        Err(e) => return api_error_page(&caller, &v, &ApiError(e)),
    };
    let record: Record = match serde_json::from_value(view.record.clone()) {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &ApiError(AppError::unavailable(e))),
    };
    let history: Vec<RecordHistoryEntry> = view
        .history
        .iter()
        .filter_map(|h| serde_json::from_value(h.clone()).ok())
        .collect();
    let (type_name, titles) = field_titles(&state, &record.type_code).await;
    let source_name = super::body_name(&state, &record.source_dept).await;
    let may_transition = caller.reaches_any(
        P::RecordsTransition,
        &chengxin_app::records::record_regions(&record),
    );
    let status = record.status;
    let editable = matches!(
        status,
        RecordStatus::Submitted | RecordStatus::Published | RecordStatus::Expired
    );
    let form = records::correction_form(&record);
    let url = format!("/api/v1/records/{}/transitions", record.id);
    let ver = record.version;
    let body_of = |a: &str| serde_json::json!({"action": a, "expected_version": ver}).to_string();
    let body = html! {
        div.card {
            dl.kv {
                dt { "信息类别" } dd { (type_name) }
                dt { "信用主体" } dd {
                    @if let Some(sid) = record.subject_id {
                        a href=(format!("/console/subjects?subject={sid}")) { (record.subject_name) }
                    } @else {
                        (record.subject_name) " " span.tag.warn { "未关联主体" }
                    }
                }
                dt { "文书号" } dd { (record.doc_no) }
                dt { "决定日期" } dd { (record.decision_date) }
                dt { "状态" } dd {
                    (status_tag(status))
                    @if record.tolerated { " " span.tag.muted { "容错纠错" } }
                    @for a in &view.annotations { " " span.tag.warn { (a) } }
                }
                @if let Some(s) = &record.severity { dt { "失信程度" } dd { (s) } }
                dt { "报送部门" } dd { (super::named_code(source_name.as_deref(), &record.source_dept)) }
                @if let Some(b) = record.batch_id { dt { "报送批次" } dd { a href=(format!("/console/batches/{b}")) { "查看该批次" } } }
                @if let Some(p) = &record.published_at { dt { "公示时间" } dd { (dt(p)) } }
                @if let Some(u) = &record.publish_until { dt { "公示截止" } dd { (u) } }
                dt { "数据版本" } dd { (record.version) }
            }
        }
        h2 { "记录内容" }
        div.card { (fields_table(&record.fields, &titles)) }
        h2 { "变更历史" }
        div.table-wrap { table {
            thead { tr { th { "版本" } th { "时间" } th { "操作" } th { "状态" } th { "操作人" } th { "说明" } th { "更正内容" } } }
            tbody {
                @for h in &history {
                    tr {
                        td { (h.version) }
                        td { (dt(&h.at)) }
                        td { (history_label(&h.action)) }
                        td { (h.status.label()) }
                        td { (who(&h.actor)) }
                        td {
                            @match (h.note.as_deref(), record.batch_id) {
                                // A batch import's row names its batch: a link, not its id.
                                (Some(n), Some(b)) if n.starts_with("批次 ") => {
                                    "批量报送（" a href=(format!("/console/batches/{b}")) { "查看批次" } "）"
                                }
                                (Some(n), _) => { (val(&serde_json::Value::String(n.to_string()))) }
                                (None, _) => {}
                            }
                        }
                        td { @if !h.changes.is_empty() { (changes_list(&h.changes, &titles)) } }
                    }
                }
            }
        } }
        @if may_transition {
            h2 { "办理" }
            (msg_box("action-msg"))
            div.card.steps {
                @if status == RecordStatus::Submitted {
                    div.step-form {
                        h3 { "公示" }
                        p.hint { "按目录规定的公开方式公示/共享。" }
                        button type="button" data-api=(url) data-body=(body_of("publish")) data-done="已公示" { "公示" }
                    }
                }
                @if editable {
                    div.step-form.wide {
                        h3 { "更正" }
                        @match &form {
                            Ok(form) => {
                                (correction_fields(form, "correct-form"))
                                label for="correct-note" { "更正说明" }
                                input #correct-note type="text";
                                button type="button" data-api=(url) data-body=(body_of("correct"))
                                    data-patch="fields=correct-form" data-fields="note=correct-note"
                                    data-done="已更正" { "更正" }
                            }
                            Err(e) => { p.hint { (e.to_string()) } }
                        }
                    }
                    div.step-form {
                        h3 { "撤销" }
                        label for="revoke-note" { "撤销理由" }
                        input #revoke-note type="text";
                        button type="button" data-api=(url) data-body=(body_of("revoke"))
                            data-fields="note=revoke-note" data-confirm="确定撤销该记录？撤销后记录保留但不再公示。" data-done="已撤销" { "撤销" }
                    }
                    @if record.severity.is_some() && !record.tolerated {
                        div.step-form {
                            h3 { "容错纠错认定" }
                            label for="tol-basis" { "认定依据" }
                            input #tol-basis type="text";
                            label for="tol-approver" { "批准人" }
                            input #tol-approver type="text";
                            label for="tol-reasons" { "理由" }
                            textarea #tol-reasons rows="2" {}
                            button type="button" data-api=(format!("/api/v1/records/{}/tolerance", record.id))
                                data-body=(serde_json::json!({"expected_version": ver}).to_string())
                                data-fields="basis=tol-basis,approver=tol-approver,reasons=tol-reasons"
                                data-done="已认定为容错" { "认定容错" }
                        }
                    }
                }
                @if !editable {
                    p.hint { "该记录当前状态（" (status.label()) "）下无可办理的操作。信用修复须通过修复申请流程办理。" }
                }
            }
            p.hint { "提交时附带数据版本 " (ver) "；如记录已被他人修改，将提示冲突。" }
            (actions_script())
        }
    };
    render(&caller, &v, "信用记录", "/console/subjects", body)
}

#[derive(Debug, Deserialize, Default)]
pub struct SubjectsQuery {
    pub q: Option<String>,
    pub subject: Option<String>,
}

fn subject_kind_label(s: &Subject) -> String {
    serde_json::to_value(s.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .map(|k| {
            match k.as_str() {
                "gov_body" => "机关",
                "institution" => "事业单位",
                "social_org" => "社会组织",
                "enterprise" => "企业",
                "individual" => "自然人",
                "civil_servant" => "公务员",
                _ => "主体",
            }
            .to_string()
        })
        .unwrap_or_default()
}

fn subject_code(s: &Subject) -> String {
    s.uscc
        .clone()
        .or_else(|| s.id_masked.clone())
        .unwrap_or_default()
}

/// `/console/subjects?q=`: subjects within the caller's jurisdiction; `?subject=` one
/// subject's records.
pub async fn subjects(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<SubjectsQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, can_read).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let text = q.q.clone().unwrap_or_default().trim().to_string();
    let prefix = caller.region_prefix();
    let in_reach = |s: &Subject| {
        prefix.is_empty()
            || s.region
                .as_deref()
                .is_some_and(|r| r.starts_with(prefix.as_str()))
    };
    let mut found: Vec<Subject> = Vec::new();
    if !text.is_empty() {
        found = super::find_subjects(&state, &text, &prefix, 50).await;
        found.retain(|s| in_reach(s));
    }
    let selected = match q
        .subject
        .as_deref()
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
    {
        Some(id) => state
            .store
            .subject(id)
            .await
            .ok()
            .flatten()
            .filter(|s| in_reach(s)),
        None => None,
    };
    let index_pending = match text.is_empty() {
        true => 0,
        false => state.store.search_index_pending().await.unwrap_or(0),
    };
    let nonpublic = caller.has(P::RecordsReadNonpublic);
    let records = match &selected {
        Some(s) => {
            let mut rs = state
                .store
                .records_of_subject(s.id)
                .await
                .unwrap_or_default();
            if !nonpublic {
                rs.retain(|r| r.status == RecordStatus::Published);
            }
            rs.sort_by_key(|r| std::cmp::Reverse(r.decision_date));
            rs
        }
        None => Vec::new(),
    };
    // The submitting departments by name.
    let mut dept_names: std::collections::HashMap<String, Option<String>> = Default::default();
    for r in &records {
        if !dept_names.contains_key(&r.source_dept) {
            let n = super::body_name(&state, &r.source_dept).await;
            dept_names.insert(r.source_dept.clone(), n);
        }
    }
    let body = html! {
        form.card.search role="search" method="get" action="/console/subjects" {
            label.sr-only for="q" { "主体名称或统一社会信用代码" }
            input #q type="search" name="q" value=(text) placeholder="主体名称或统一社会信用代码";
            button type="submit" { "查询" }
        }
        @if !text.is_empty() {
            p.hint { "找到 " (found.len()) " 个主体（仅限本辖区）。" }
            (crate::pages::index_lag_notice(index_pending))
            div.table-wrap { table {
                thead { tr { th { "名称" } th { "类型" } th { "统一社会信用代码 / 证件号码" } th { "所属地区" } } }
                tbody {
                    @if found.is_empty() { tr { td colspan="4" { "未找到匹配的主体。" } } }
                    @for s in &found {
                        tr {
                            td { a href=(format!("/console/subjects?q={}&subject={}", enc(&text), s.id)) { (s.name) } }
                            td { (subject_kind_label(s)) }
                            td { (subject_code(s)) }
                            td { (crate::pages::portal::region_name(s.region.as_deref())) }
                        }
                    }
                }
            } }
        }
        @if let Some(s) = &selected {
            h2 { (s.name) " 的信用记录" }
            div.card { dl.kv {
                dt { "类型" } dd { (subject_kind_label(s)) }
                dt { "代码" } dd { (subject_code(s)) }
                @if !s.former_names.is_empty() { dt { "曾用名" } dd { (s.former_names.join("、")) } }
                dt { "所属地区" } dd { (crate::pages::portal::region_name(s.region.as_deref())) }
            } }
            @if !nonpublic { p.hint { "仅显示公示中的记录。" } }
            div.table-wrap { table {
                thead { tr { th { "决定日期" } th { "类别" } th { "文书号" } th { "状态" } th { "报送部门" } } }
                tbody {
                    @if records.is_empty() { tr { td colspan="5" { "暂无记录。" } } }
                    @for r in &records {
                        tr {
                            td { (r.decision_date) }
                            td { (crate::pages::portal::type_name_of(&r.type_code)) }
                            td { a href=(format!("/console/records/{}", r.id)) { (r.doc_no) } }
                            td { (status_tag(r.status)) @if r.tolerated { " " span.tag.muted { "容错" } } }
                            td { (super::named_code(dept_names.get(&r.source_dept).and_then(|n| n.as_deref()), &r.source_dept)) }
                        }
                    }
                }
            } }
        }
    };
    render(&caller, &v, "主体查询", "/console/subjects", body)
}

/// `/console/link-queue`: records waiting for a subject, with suggested candidates.
pub async fn link_queue(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::RecordsTransition)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let rows = match records::link_queue(&state, &caller).await {
        Ok(rows) => rows,
        Err(e) => return api_error_page(&caller, &v, &ApiError(e)),
    };
    let body = html! {
        p.hint { "以下记录报送时未能唯一确定信用主体，请核对后人工关联。共 " (rows.len()) " 条。" }
        (msg_box("action-msg"))
        div.table-wrap { table {
            thead { tr { th { "记录" } th { "报送的主体名称" } th { "候选主体" } th { "手工指定" } } }
            tbody {
                @if rows.is_empty() { tr { td colspan="4" { "队列为空。" } } }
                @for (i, l) in rows.iter().enumerate() {
                    @let url = format!("/api/v1/link-queue/{}", l.record_id);
                    tr {
                        td { a href=(format!("/console/records/{}", l.record_id)) { "查看记录" } br; span.hint { (l.status) } }
                        td { (l.subject_name) }
                        td {
                            @if l.candidates.is_empty() { span.hint { "无候选" } }
                            @for c in &l.candidates {
                                div.candidate {
                                    strong { (c.name) } " " span.hint { (c.reason) } " "
                                    button.secondary type="button" data-api=(url)
                                        data-body=(serde_json::json!({"subject_id": c.subject_id}).to_string())
                                        data-done="已关联" { "关联" }
                                }
                            }
                        }
                        td {
                            @let input_id = format!("subject-{i}");
                            label.sr-only for=(input_id) { "主体编号" }
                            input.small id=(input_id) type="text" placeholder="主体编号（UUID）";
                            " "
                            button.secondary type="button" data-api=(url) data-fields=(format!("subject_id={input_id}")) data-done="已关联" { "关联" }
                        }
                    }
                }
            }
        } }
        (actions_script())
    };
    render(&caller, &v, "待关联记录", "/console/link-queue", body)
}
