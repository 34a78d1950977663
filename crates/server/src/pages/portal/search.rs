//! 信用查询 (one box for names and codes, 繁简通搜) and a subject's public archive.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chengxin_checks::PartyQuery;
use chengxin_domain::catalog::fold_width;
use chengxin_domain::codes::uscc;
use chengxin_domain::names;
use chengxin_domain::records::Record;
use chengxin_domain::subjects::Subject;
use chengxin_store::SubjectFilter;
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    day, enc, page_no, pager, portal_error, portal_page, record_authority, region_name,
    shown_fields, subject_code, type_name, unavailable,
};
use crate::auth::Caller;
use crate::pages::thousands;
use crate::pages::visitor;
use crate::AppState;
use chengxin_domain::catalog::Disclosure;
use chengxin_domain::lists::{JointCatalog, ListKind};
use chengxin_store::ListEntryFilter;
use std::collections::HashSet;

/// Results per page.
const PER_PAGE: usize = 20;
/// Up to this many matching subjects are counted exactly; beyond it the page says "more
/// than" and asks for a fuller name (the search index, once in the store, counts them all).
const MAX_COUNTED: usize = 2000;
/// Rows fetched per store call while collecting matches.
const CHUNK: i64 = 500;

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    pub page: Option<String>,
}

/// The query folded for a substring search of stored names: full-width → half-width,
/// Traditional → Simplified per character, whitespace removed, ASCII upper-cased.
pub(crate) fn fold_query(q: &str) -> String {
    q.chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| names::simplified_char(c).unwrap_or(c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The subjects matching a query, in order, and whether there were more than
/// [`MAX_COUNTED`].
struct Found {
    subjects: Vec<Subject>,
    more: bool,
}

/// The subjects the portal shows for a query: a person only through public information
/// about it (issue 16 point 1), so a civil servant with nothing public is never listed (nor
/// counted).
async fn find(state: &AppState, q: &str) -> Result<Found, crate::error::ApiError> {
    let (all, more) = candidates(state, q).await?;
    let mut shown = Vec::new();
    for s in all {
        if chengxin_app::subjects::shown_publicly(state.store.as_ref(), &s).await? {
            shown.push(s);
        }
    }
    Ok(Found {
        subjects: shown,
        more,
    })
}

async fn candidates(
    state: &AppState,
    q: &str,
) -> Result<(Vec<Subject>, bool), crate::error::ApiError> {
    let store = state.store.as_ref();
    let folded = fold_query(q);
    let mut hits: Vec<Subject> = Vec::new();
    let mut seen = HashSet::new();
    // An 18-character code: the USCC, exactly.
    if folded.len() == 18 && folded.is_ascii() && uscc::has_valid_check_char(&folded) {
        if let Some(s) = store.subject_by_uscc(&folded).await? {
            hits.push(s);
        }
        return Ok((hits, false));
    }
    if folded.chars().count() < 2 {
        return Ok((hits, false));
    }
    // Fuzzy by name through the check index (brackets, company forms, former names).
    if state
        .checks
        .fresh(store, Duration::from_secs(2))
        .await
        .is_ok()
    {
        let found = state
            .checks
            .lookup(&PartyQuery {
                name: Some(q.to_string()),
                ..Default::default()
            })
            .unwrap_or_default();
        for f in found.into_iter().take(MAX_COUNTED + 1) {
            if seen.insert(f.subject_id) {
                if let Some(s) = store.subject(f.subject_id).await? {
                    hits.push(s);
                }
            }
        }
    }
    // Partial names: substring of the folded name (and of the query as typed), every match
    // up to the counting limit.
    let mut needles = vec![folded.clone()];
    let trimmed: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if trimmed != folded {
        needles.push(trimmed);
    }
    'needles: for n in needles {
        let mut offset = 0_i64;
        loop {
            if hits.len() > MAX_COUNTED {
                break 'needles;
            }
            let rows = store
                .list_subjects(&SubjectFilter {
                    name_contains: Some(n.clone()),
                    limit: CHUNK,
                    offset,
                    ..Default::default()
                })
                .await?;
            let got = rows.len() as i64;
            for s in rows {
                if seen.insert(s.id) {
                    hits.push(s);
                }
            }
            if got < CHUNK {
                break;
            }
            offset += CHUNK;
        }
    }
    let more = hits.len() > MAX_COUNTED;
    hits.truncate(MAX_COUNTED);
    Ok((hits, more))
}

/// What a result card says about a subject: its public records by category
/// (`行政许可 3`, `行政处罚 1` …, in catalog order) and the public lists it is on.
struct Summary {
    categories: Vec<(String, usize)>,
    lists: Vec<(String, ListKind)>,
}

async fn summary(state: &AppState, s: &Subject) -> Result<Summary, crate::error::ApiError> {
    let store = state.store.as_ref();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for r in store.records_of_subject(s.id).await? {
        if is_public(&r) {
            *by_type.entry(r.type_code.clone()).or_default() += 1;
        }
    }
    // 行政许可 and 行政处罚 first (双公示), then the others by name.
    let mut categories: Vec<(String, usize)> = Vec::new();
    for code in super::SGS_TYPES {
        if let Some(n) = by_type.remove(code) {
            categories.push((type_name(code), n));
        }
    }
    for (code, n) in by_type {
        categories.push((type_name(&code), n));
    }
    let mut lists = Vec::new();
    if let Ok(joint) = JointCatalog::default_checked() {
        for e in store
            .list_entries(&ListEntryFilter {
                subject_id: Some(s.id),
                limit: Some(100),
                ..Default::default()
            })
            .await?
        {
            if !matches!(e.status.as_str(), "publicity" | "effective") {
                continue;
            }
            if let Some(l) = joint
                .list(&e.list_code)
                .filter(|l| l.disclosure == Disclosure::Public)
            {
                let label = if e.status == "publicity" {
                    format!("{}（公示中）", l.name)
                } else {
                    l.name.clone()
                };
                if !lists.iter().any(|(n, _)| *n == label) {
                    lists.push((label, l.kind));
                }
            }
        }
    }
    Ok(Summary { categories, lists })
}

/// `/portal/search?q=&page=`.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let params = q.map(|Query(p)| p).unwrap_or_default();
    let q = params
        .q
        .map(|s| s.trim().chars().take(100).collect::<String>())
        .unwrap_or_default();
    let page = page_no(params.page.as_deref());
    let folded = fold_query(&q);
    // An ID number is not a public search key (and is not echoed back in clear).
    let id_like = folded.len() == 18
        && folded.chars().take(17).all(|c| c.is_ascii_digit())
        && chengxin_domain::codes::id_number::has_valid_check_char(&folded);
    let shown_q = if id_like {
        chengxin_domain::codes::id_number::mask(&folded)
    } else {
        chengxin_domain::codes::id_number::mask_in_text(&q).into_owned()
    };
    let found = if q.is_empty() || id_like {
        Found {
            subjects: Vec::new(),
            more: false,
        }
    } else {
        match find(&state, &q).await {
            Ok(h) => h,
            Err(e) => return unavailable(&v, e),
        }
    };
    let total = found.subjects.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = usize::try_from(page).unwrap_or(1).min(pages);
    let shown: Vec<&Subject> = found
        .subjects
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let mut cards = Vec::new();
    for s in shown {
        match summary(&state, s).await {
            Ok(sum) => cards.push((s, sum)),
            Err(e) => return unavailable(&v, e),
        }
    }
    let base = format!("/portal/search?q={}", enc(&shown_q));
    portal_page(
        &v,
        "信用查询",
        "/portal/search",
        html! {
            form.card.search role="search" action="/portal/search" method="get" {
                label for="q" { "主体名称或统一社会信用代码（支持繁体、全角和部分名称）" }
                div.row {
                    input #q type="search" name="q" value=(shown_q) placeholder="例如：常州市武进区市场监督管理局 / 91320412MA1MXK2L83" required autocomplete="off";
                    button type="submit" { "查询" }
                }
            }
            @if id_like {
                div.notice.info role="status" { "为保护个人信息，公众查询不支持按居民身份证号码查询，请输入主体名称或统一社会信用代码。" }
            } @else if !q.is_empty() {
                @if total == 0 {
                    div.notice.info role="status" #no-results {
                        "未找到与“" (shown_q) "”相符的信用主体。请检查名称或代码，或输入名称中的关键字再试。"
                    }
                } @else {
                    p.hint role="status" #result-count {
                        @if found.more {
                            "找到超过 " (thousands(MAX_COUNTED as i64)) " 个信用主体，请输入更完整的名称以缩小范围"
                        } @else {
                            "找到 " (thousands(total as i64)) " 个信用主体"
                        }
                    }
                    ul.results #results {
                        @for (s, sum) in &cards {
                            li.card {
                                a.result href={ "/portal/subjects/" (s.id) } { (s.name) }
                                dl.meta {
                                    @let code = subject_code(s);
                                    @if !code.is_empty() {
                                        dt { @if s.kind.is_person() { "证件号码" } @else { "统一社会信用代码" } }
                                        dd.code { (code) }
                                    }
                                    dt { "类别" } dd { (s.kind.label()) }
                                    @if s.region.is_some() {
                                        dt { "地区" } dd { (region_name(s.region.as_deref())) }
                                    }
                                    @if !s.former_names.is_empty() {
                                        dt { "曾用名" } dd { (s.former_names.join("、")) }
                                    }
                                }
                                @if !sum.categories.is_empty() || !sum.lists.is_empty() {
                                    div.tags {
                                        @for (name, n) in &sum.categories {
                                            span.tag.category { (name) " " (n) }
                                        }
                                        @for (name, kind) in &sum.lists {
                                            @match kind {
                                                ListKind::Reward => span.tag.list.red { (name) },
                                                ListKind::Punishment => span.tag.list.black { (name) },
                                                ListKind::Watch => span.tag.list { (name) },
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if pages > 1 {
                        (pager(&base, page as i64, total as i64, PER_PAGE as i64))
                    }
                }
            } @else {
                p.hint { "输入统一社会信用代码可精确查询；输入名称可模糊查询，繁体字、全角字符和名称中的关键字均可查到。" }
            }
        },
    )
}

use chengxin_app::records::is_public;

/// `/portal/subjects/{id}`: the public archive.
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let not_found = |v| {
        portal_error(
            v,
            StatusCode::NOT_FOUND,
            "未找到信用主体",
            "未找到该信用主体，请通过信用查询重新查找。",
        )
    };
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return not_found(&v);
    };
    let store = state.store.as_ref();
    let subject = match store.subject(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&v),
        Err(e) => return unavailable(&v, e),
    };
    // A person with nothing public is not found, like an unknown id (issue 16 point 1).
    match chengxin_app::subjects::shown_publicly(store, &subject).await {
        Ok(true) => {}
        Ok(false) => return not_found(&v),
        Err(e) => return unavailable(&v, e),
    }
    let records = match store.records_of_subject(id).await {
        Ok(r) => r,
        Err(e) => return unavailable(&v, e),
    };
    let mut groups: BTreeMap<String, Vec<(Record, bool)>> = BTreeMap::new();
    for r in records.into_iter().filter(is_public) {
        let pending = match chengxin_app::rights::objection_pending(store, r.id).await {
            Ok(p) => p,
            Err(e) => return unavailable(&v, e),
        };
        groups
            .entry(r.type_code.clone())
            .or_default()
            .push((r, pending));
    }
    // Catalog order of types.
    let order: Vec<String> = super::catalog()
        .map(|c| c.types().iter().map(|t| t.code.clone()).collect())
        .unwrap_or_default();
    let mut ordered: Vec<(String, Vec<(Record, bool)>)> = groups.into_iter().collect();
    ordered.sort_by_key(|(code, _)| order.iter().position(|c| c == code).unwrap_or(usize::MAX));
    for (_, rs) in ordered.iter_mut() {
        rs.sort_by_key(|r| std::cmp::Reverse(r.0.decision_date));
    }
    let entries = super::browse::public_entries_of(&state, id)
        .await
        .unwrap_or_default();
    let total: usize = ordered.iter().map(|(_, r)| r.len()).sum();
    let title = format!("{} 信用档案", subject.name);
    portal_page(
        &v,
        &title,
        "/portal/search",
        html! {
            section.card aria-labelledby="h-basic" {
                h2 #h-basic { "基本信息" }
                dl.kv {
                    dt { "名称" } dd #subject-name { (subject.name) }
                    dt { @if subject.kind.is_person() { "证件号码" } @else { "统一社会信用代码" } }
                    dd.code #subject-code { (subject_code(&subject)) }
                    dt { "主体类别" } dd { (subject.kind.label()) }
                    @if subject.region.is_some() {
                        dt { "所属地区" } dd { (region_name(subject.region.as_deref())) }
                    }
                    @if !subject.former_names.is_empty() {
                        dt { "曾用名" } dd { (subject.former_names.join("、")) }
                    }
                    dt { "公示信息" } dd { (total) " 条" }
                }
                p.hint {
                    "本档案仅显示依法向社会公开、处于公示期内的信息。信用主体可登录后查看本单位完整档案、申请信用修复和下载信用报告（"
                    a href="/console/login" { "登录" } "）。"
                }
            }
            @if !entries.is_empty() {
                section aria-labelledby="h-lists" {
                    h2 #h-lists { "红黑名单" }
                    div.table-wrap {
                        table {
                            thead { tr { th scope="col" { "名单" } th scope="col" { "状态" } th scope="col" { "认定部门" } th scope="col" { "列入日期" } th scope="col" { "有效期至" } } }
                            tbody {
                                @for e in &entries {
                                    tr {
                                        td { a href={ "/portal/lists/" (e.list_code) } { (e.list_name) } }
                                        td { (super::browse::entry_status_tag(&e.status, e.reward)) }
                                        td { (e.recognised_by) }
                                        td { (e.from.map(day).unwrap_or_default()) }
                                        td { (e.until.map(day).unwrap_or_else(|| "—".into())) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if ordered.is_empty() {
                div.notice.info #no-records { "该主体暂无向社会公示的信用信息。" }
            }
            @for (code, rs) in &ordered {
                section.records aria-labelledby={ "h-" (code) } {
                    h2 id={ "h-" (code) } { (type_name(code)) " （" (rs.len()) "）" }
                    @for (r, pending) in rs {
                        article.card.record id={ "record-" (r.id) } {
                            div.record-head {
                                span.doc { "文书号：" (chengxin_domain::codes::id_number::mask_in_text(&r.doc_no).into_owned()) }
                                span.date { "决定日期：" (day(r.decision_date)) }
                                @if let Some(sev) = r.severity.as_deref().and_then(chengxin_domain::catalog::Severity::parse) {
                                    span.tag.muted { (sev.label()) }
                                }
                                @if *pending { span.tag.warn { "异议处理中" } }
                                @if r.tolerated { span.tag.ok { "容错纠错（不计入失信）" } }
                            }
                            dl.kv {
                                @for (t, val) in shown_fields(r) {
                                    dt { (t) } dd { (val) }
                                }
                                @let auth = record_authority(r);
                                @if !auth.is_empty() && !shown_fields(r).iter().any(|(_, v)| *v == auth) {
                                    dt { "决定机关" } dd { (auth) }
                                }
                                @if let Some(u) = r.publish_until {
                                    dt { "公示截止" } dd { @if u.format("%Y").to_string() == "2099" { "长期" } @else { (day(u)) } }
                                }
                            }
                            p.actions {
                                a.objection href={ "/portal/objection?record=" (enc(&r.id.to_string())) } { "对此信息提出异议" }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds_traditional_and_full_width() {
        assert_eq!(super::fold_query("常州市 建設局"), "常州市建设局");
        assert_eq!(super::fold_query("９１３２"), "9132");
    }
}
