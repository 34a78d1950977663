//! 双公示 browsing, 政务失信记录, and the red and black lists.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chengxin_domain::catalog::Disclosure;
use chengxin_domain::lists::{JointCatalog, ListDef, ListEntry, ListKind};
use chengxin_domain::records::Record;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{ListEntryFilter, ListEntryRow, PublishedFilter};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    day, enc, page_no, pager, portal_error, portal_page, record_authority, record_subject_code,
    record_summary, subject_code, type_name, unavailable, PageParam, SGS_TYPES,
};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::pages::{thousands, visitor};
use crate::AppState;

pub(crate) const PER_PAGE: i64 = 20;

/// A records table: type, subject (linked to the archive), code, document number, summary,
/// authority, decision date.
pub(crate) fn records_table(records: &[Record], with_status: bool) -> Markup {
    html! {
        div.table-wrap {
            table.records {
                thead {
                    tr {
                        th scope="col" { "类型" }
                        th scope="col" { "主体名称" }
                        th scope="col" { "统一社会信用代码/证件号码" }
                        th scope="col" { "决定文书号" }
                        th scope="col" { "内容" }
                        th scope="col" { "决定机关" }
                        th scope="col" { "决定日期" }
                        @if with_status { th scope="col" { "标注" } }
                    }
                }
                tbody {
                    @for r in records {
                        tr {
                            td.nowrap data-label="类型" { (type_name(&r.type_code)) }
                            td.name data-label="主体名称" {
                                @if let Some(s) = r.subject_id {
                                    a href={ "/portal/subjects/" (s) } { (r.subject_name) }
                                } @else {
                                    (r.subject_name)
                                }
                            }
                            td.code data-label="代码" { (record_subject_code(r)) }
                            td data-label="文书号" { (chengxin_domain::codes::id_number::mask_in_text(&r.doc_no).into_owned()) }
                            td data-label="内容" { (record_summary(r)) }
                            td data-label="决定机关" { (record_authority(r)) }
                            td.nowrap data-label="决定日期" { (day(r.decision_date)) }
                            @if with_status {
                                td { @if r.tolerated { span.tag.ok { "容错" } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SgsParams {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub dept: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
}

fn date_param(s: Option<&str>) -> Option<NaiveDate> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// Source departments with a name (the department's subject, else the authority named on its
/// latest record, else the code).
async fn dept_names(
    state: &AppState,
    sources: &[(String, i64)],
    types: &[String],
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (code, _) in sources {
        let mut name = state
            .store
            .subject_by_uscc(code)
            .await
            .ok()
            .flatten()
            .map(|s| s.name);
        if name.is_none() {
            name = state
                .store
                .published_records(&PublishedFilter {
                    type_codes: types.to_vec(),
                    source_dept: Some(code.clone()),
                    limit: 1,
                    ..Default::default()
                })
                .await
                .ok()
                .and_then(|r| r.first().map(record_authority))
                .filter(|a| !a.is_empty());
        }
        out.insert(code.clone(), name.unwrap_or_else(|| code.clone()));
    }
    out
}

/// `/portal/shuanggongshi`: 行政许可 and 行政处罚, filtered and paged.
pub async fn shuanggongshi(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<SgsParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let kind = p
        .kind
        .as_deref()
        .filter(|k| SGS_TYPES.contains(k))
        .map(String::from);
    let types: Vec<String> = match &kind {
        Some(k) => vec![k.clone()],
        None => SGS_TYPES.iter().map(|s| s.to_string()).collect(),
    };
    let all_types: Vec<String> = SGS_TYPES.iter().map(|s| s.to_string()).collect();
    let dept = p
        .dept
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.chars().take(18).collect::<String>());
    let from = date_param(p.from.as_deref());
    let to = date_param(p.to.as_deref());
    let page = page_no(p.page.as_deref());
    let filter = PublishedFilter {
        type_codes: types,
        source_dept: dept.clone(),
        decided_from: from,
        decided_to: to,
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
        ..Default::default()
    };
    let store = state.store.as_ref();
    let (total, rows, sources) = match (
        store.count_published_records(&filter).await,
        store.published_records(&filter).await,
        store.published_record_sources(&all_types).await,
    ) {
        (Ok(t), Ok(r), Ok(s)) => (t, r, s),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return unavailable(&v, e),
    };
    let names = dept_names(&state, &sources, &all_types).await;
    let mut base = String::from("/portal/shuanggongshi?");
    let mut parts = Vec::new();
    if let Some(k) = &kind {
        parts.push(format!("type={}", enc(k)));
    }
    if let Some(d) = &dept {
        parts.push(format!("dept={}", enc(d)));
    }
    if let Some(f) = from {
        parts.push(format!("from={}", day(f)));
    }
    if let Some(t) = to {
        parts.push(format!("to={}", day(t)));
    }
    base.push_str(&parts.join("&"));
    let base = base.trim_end_matches('?').to_string();
    let mut sorted: Vec<&(String, i64)> = sources.iter().collect();
    sorted.sort_by(|a, b| names.get(&a.0).cmp(&names.get(&b.0)));
    portal_page(
        &v,
        "双公示",
        "/portal/shuanggongshi",
        html! {
            p.lead { "行政许可和行政处罚信息自作出决定之日起 7 个工作日内向社会公示（“双公示”）。以下为公示期内的信息，按决定日期由近及远排列。" }
            form.card.filters #sgs-filters method="get" action="/portal/shuanggongshi" {
                div {
                    label for="f-type" { "类别" }
                    select #f-type name="type" {
                        option value="" selected[kind.is_none()] { "全部" }
                        @for t in SGS_TYPES {
                            option value=(t) selected[kind.as_deref() == Some(t)] { (type_name(t)) }
                        }
                    }
                }
                div {
                    label for="f-dept" { "数据来源部门" }
                    select #f-dept name="dept" {
                        option value="" selected[dept.is_none()] { "全部部门" }
                        @for (code, n) in &sorted {
                            option value=(code) selected[dept.as_deref() == Some(code.as_str())] {
                                (names.get(code).cloned().unwrap_or_else(|| code.clone())) "（" (n) "）"
                            }
                        }
                    }
                }
                div {
                    label for="f-from" { "决定日期自" }
                    input #f-from type="date" name="from" value=(from.map(day).unwrap_or_default());
                }
                div {
                    label for="f-to" { "至" }
                    input #f-to type="date" name="to" value=(to.map(day).unwrap_or_default());
                }
                div.buttons {
                    button type="submit" { "筛选" }
                    " "
                    a.button.secondary href="/portal/shuanggongshi" { "重置" }
                }
            }
            @if rows.is_empty() {
                div.notice.info #no-results { "没有符合条件的公示信息。" }
            } @else {
                p.hint role="status" #result-count { "共 " (thousands(total)) " 条" }
                (records_table(&rows, false))
            }
            (pager(&base, page, total, PER_PAGE))
            p.hint {
                "可在"
                a href="/portal/open-data" { "开放数据" }
                "下载双公示数据（CSV、Excel）。"
            }
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct GovParams {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub page: Option<String>,
}

/// `/portal/government`: 政务失信记录 — public negative records about government bodies and
/// institutions (行政机关败诉, 拒不执行生效判决, 政府失信被执行人, 拖欠账款 …).
pub async fn government(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<GovParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let p = q.map(|Query(p)| p).unwrap_or_default();
    let gov_types: Vec<&'static chengxin_domain::catalog::RecordType> =
        super::public_negative_types()
            .into_iter()
            .filter(|t| {
                t.subject_kinds
                    .iter()
                    .any(|k| matches!(k, SubjectKind::GovBody | SubjectKind::Institution))
            })
            .collect();
    let kind = p
        .kind
        .as_deref()
        .filter(|k| gov_types.iter().any(|t| t.code == *k))
        .map(String::from);
    let codes: Vec<String> = match &kind {
        Some(k) => vec![k.clone()],
        None => gov_types.iter().map(|t| t.code.clone()).collect(),
    };
    let page = page_no(p.page.as_deref());
    let gov_kinds = vec![SubjectKind::GovBody, SubjectKind::Institution];
    let filter = PublishedFilter {
        type_codes: codes,
        subject_kinds: gov_kinds.clone(),
        exclude_tolerated: true,
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
        ..Default::default()
    };
    let store = state.store.as_ref();
    let (total, rows) = match (
        store.count_published_records(&filter).await,
        store.published_records(&filter).await,
    ) {
        (Ok(t), Ok(r)) => (t, r),
        (Err(e), _) | (_, Err(e)) => return unavailable(&v, e),
    };
    let mut per_type = Vec::new();
    for t in &gov_types {
        let n = store
            .count_published_records(&PublishedFilter {
                type_codes: vec![t.code.clone()],
                subject_kinds: gov_kinds.clone(),
                exclude_tolerated: true,
                ..Default::default()
            })
            .await
            .unwrap_or(0);
        per_type.push((t.code.clone(), t.name.clone(), n));
    }
    let base = match &kind {
        Some(k) => format!("/portal/government?type={}", enc(k)),
        None => "/portal/government".to_string(),
    };
    portal_page(
        &v,
        "政务失信记录",
        "/portal/government",
        html! {
            p.lead { "依法向社会公开的政府机关、事业单位失信信息，包括行政机关败诉、拒不执行法院生效判决、被列为失信被执行人、拖欠账款、违约毁约等。经认定为容错纠错的信息不在此列。" }
            nav.tabs aria-label="失信类型" {
                @if kind.is_none() {
                    span.current aria-current="page" { "全部" }
                } @else {
                    a href="/portal/government" { "全部" }
                }
                @for (code, name, n) in &per_type {
                    @if kind.as_deref() == Some(code.as_str()) {
                        span.current aria-current="page" { (name) " (" (n) ")" }
                    } @else {
                        a href={ "/portal/government?type=" (enc(code)) } { (name) " (" (n) ")" }
                    }
                }
            }
            @if rows.is_empty() {
                div.notice.info #no-results { "暂无符合条件的政务失信记录。" }
            } @else {
                (records_table(&rows, false))
            }
            (pager(&base, page, total, PER_PAGE))
        },
    )
}

/// One public list entry for display.
pub(crate) struct ShownEntry {
    pub list_code: String,
    pub list_name: String,
    pub reward: bool,
    pub status: String,
    pub recognised_by: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

fn public_list(code: &str) -> Option<&'static ListDef> {
    JointCatalog::default_checked()
        .ok()?
        .list(code)
        .filter(|l| l.disclosure == Disclosure::Public)
}

fn parse_entry(row: &ListEntryRow) -> Option<ListEntry> {
    serde_json::from_value(row.entry.clone()).ok()
}

/// A subject's entries on public lists, in publicity or in effect.
pub(crate) async fn public_entries_of(state: &AppState, id: Uuid) -> ApiResult<Vec<ShownEntry>> {
    let rows = state
        .store
        .list_entries(&ListEntryFilter {
            subject_id: Some(id),
            limit: Some(1000),
            ..Default::default()
        })
        .await?;
    Ok(rows
        .iter()
        .filter(|e| matches!(e.status.as_str(), "publicity" | "effective"))
        .filter_map(|e| {
            let l = public_list(&e.list_code)?;
            let entry = parse_entry(e);
            Some(ShownEntry {
                list_code: e.list_code.clone(),
                list_name: l.name.clone(),
                reward: l.kind == ListKind::Reward,
                status: e.status.clone(),
                recognised_by: entry
                    .as_ref()
                    .map(|x| x.recognised_by.clone())
                    .unwrap_or_default(),
                from: entry
                    .as_ref()
                    .and_then(|x| x.effective_from.or(x.publicity_from)),
                until: entry.as_ref().and_then(|x| {
                    if e.status == "publicity" {
                        x.publicity_until
                    } else {
                        x.effective_until
                    }
                }),
            })
        })
        .collect())
}

/// The active entries of a list (in publicity or in effect), newest first.
pub(crate) async fn active_entries(state: &AppState, code: &str) -> ApiResult<Vec<ListEntryRow>> {
    let mut out = Vec::new();
    for status in ["effective", "publicity"] {
        let mut after = None;
        loop {
            let page = state
                .store
                .list_entries(&ListEntryFilter {
                    list_code: Some(code.to_string()),
                    status: Some(status.to_string()),
                    after,
                    limit: Some(10_000),
                    ..Default::default()
                })
                .await?;
            let n = page.len();
            after = page.last().map(|e| e.id);
            out.extend(page);
            if n < 10_000 || out.len() >= 200_000 {
                break;
            }
        }
    }
    out.reverse();
    Ok(out)
}

pub(crate) fn entry_status_tag(status: &str, reward: bool) -> Markup {
    html! {
        @match status {
            "publicity" => span.tag.warn { "认定前公示" },
            "effective" => @if reward { span.tag.ok { "在列" } } @else { span.tag.bad { "在列" } },
            other => span.tag.muted { (other) },
        }
    }
}

/// `/portal/lists`: the public lists with their counts.
pub async fn lists(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let Ok(joint) = JointCatalog::default_checked() else {
        return unavailable(&v, "lists catalog");
    };
    let mut shown = Vec::new();
    for l in joint
        .lists()
        .iter()
        .filter(|l| l.disclosure == Disclosure::Public)
    {
        let rows = match active_entries(&state, &l.code).await {
            Ok(r) => r,
            Err(e) => return unavailable(&v, e),
        };
        let effective = rows.iter().filter(|e| e.status == "effective").count();
        let publicity = rows.len() - effective;
        shown.push((l, effective, publicity));
    }
    portal_page(
        &v,
        "红黑名单",
        "/portal/lists",
        html! {
            p.lead { "守信联合激励对象（红名单）和失信联合惩戒对象（黑名单）依法认定、公示后向社会公开。列入前有公示期，公示期内可提出异议。" }
            div.grid.lists {
                @for (l, eff, pub_) in &shown {
                    section.card.list-card {
                        h2 {
                            a href={ "/portal/lists/" (l.code) } { (l.name) }
                        }
                        p {
                            @if l.kind == ListKind::Reward { span.tag.ok { "守信激励" } } @else { span.tag.bad { (l.kind.label()) } }
                            " 在列 " strong { (eff) } " 个"
                            @if *pub_ > 0 { "，认定前公示 " strong { (pub_) } " 个" }
                        }
                        p.hint { "认定部门：" (l.recognised_by) }
                        p.hint { "依据：" (l.basis) }
                    }
                }
            }
        },
    )
}

/// `/portal/lists/{code}`: one public list's active entries, paged.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    q: Result<Query<PageParam>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let Some(l) = public_list(&code) else {
        return portal_error(
            &v,
            StatusCode::NOT_FOUND,
            "未找到名单",
            "未找到该名单，或该名单不向社会公开。",
        );
    };
    let page = page_no(q.ok().and_then(|Query(p)| p.page).as_deref());
    let rows = match active_entries(&state, &l.code).await {
        Ok(r) => r,
        Err(e) => return unavailable(&v, e),
    };
    let total = rows.len() as i64;
    let start = usize::try_from((page - 1) * PER_PAGE).unwrap_or(usize::MAX);
    let slice: Vec<&ListEntryRow> = rows.iter().skip(start).take(PER_PAGE as usize).collect();
    let mut shown = Vec::new();
    for row in slice {
        let entry = parse_entry(row);
        let subject = match row.subject_id {
            Some(id) => state.store.subject(id).await.ok().flatten(),
            None => None,
        };
        shown.push((row, entry, subject));
    }
    let reward = l.kind == ListKind::Reward;
    portal_page(
        &v,
        &l.name,
        "/portal/lists",
        html! {
            p { a href="/portal/lists" { "← 全部名单" } }
            section.card {
                dl.kv {
                    dt { "名单类别" } dd { (l.kind.label()) }
                    dt { "认定部门" } dd { (l.recognised_by) }
                    dt { "认定标准" } dd { (l.standard) }
                    dt { "依据" } dd { (l.basis) }
                    @if l.publicity_working_days > 0 {
                        dt { "认定前公示" } dd { (l.publicity_working_days) " 个工作日" @if l.objections_allowed { "，公示期内可提出异议" } }
                    }
                    @if let Some(m) = l.validity_months {
                        dt { "有效期" } dd { (m) " 个月" }
                    }
                }
            }
            @if shown.is_empty() {
                div.notice.info #no-results { "该名单目前没有在列主体。" }
            } @else {
                div.table-wrap {
                    table.entries.records {
                        thead {
                            tr {
                                th scope="col" { "主体名称" }
                                th scope="col" { "统一社会信用代码/证件号码" }
                                th scope="col" { "状态" }
                                th scope="col" { "认定部门" }
                                th scope="col" { "列入日期" }
                                th scope="col" { "有效期至" }
                            }
                        }
                        tbody {
                            @for (row, entry, subject) in &shown {
                                tr {
                                    td.name data-label="主体名称" {
                                        @let name = subject.as_ref().map(|s| s.name.clone())
                                            .or_else(|| entry.as_ref().map(|e| e.subject_name.clone()))
                                            .unwrap_or_default();
                                        @if let Some(id) = row.subject_id {
                                            a href={ "/portal/subjects/" (id) } { (name) }
                                        } @else { (name) }
                                    }
                                    td.code data-label="代码" { (subject.as_ref().map(subject_code).unwrap_or_default()) }
                                    td data-label="状态" { (entry_status_tag(&row.status, reward)) }
                                    td data-label="认定部门" { (entry.as_ref().map(|e| e.recognised_by.clone()).unwrap_or_default()) }
                                    td.nowrap data-label="列入日期" { (entry.as_ref().and_then(|e| e.effective_from.or(e.publicity_from)).map(day).unwrap_or_default()) }
                                    td.nowrap data-label="有效期至" {
                                        @let until = entry.as_ref().and_then(|e| if row.status == "publicity" { e.publicity_until } else { e.effective_until });
                                        (until.map(day).unwrap_or_else(|| "—".into()))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pager(&format!("/portal/lists/{}", l.code), page, total, PER_PAGE))
        },
    )
}
