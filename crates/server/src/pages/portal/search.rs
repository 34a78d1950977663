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
use chengxin_store::SubjectSearch;
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use chengxin_domain::catalog::Disclosure;
use chengxin_domain::lists::{JointCatalog, ListKind};
use chengxin_store::ListEntryFilter;

use super::{
    day, enc, portal_error, portal_page, record_authority, region_name, shown_fields, subject_code,
    type_name, unavailable,
};
use crate::auth::Caller;
use crate::pages::visitor;
use crate::AppState;

/// Results per page.
const MAX_RESULTS: usize = 50;
/// Pages beyond this are not served (a narrower query is asked for instead).
const MAX_PAGE: i64 = 100;
/// Persons matching a partial name looked at for public information, at most.
const PERSONS_CHECKED: i64 = 200;

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    /// From 1; anything else is page 1.
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

/// How a result was found.
struct Hit {
    subject: Subject,
}

/// One page of results and the honest number of all of them.
#[derive(Default)]
struct Found {
    hits: Vec<Hit>,
    /// All matches: the bodies whose folded name contains the folded query (from the gram
    /// index), plus the near matches of the check index that are not among them.
    total: i64,
    /// The last page.
    pages: i64,
    /// More persons matched than were checked for public information.
    persons_capped: bool,
    /// New subjects not yet in the name index.
    index_pending: i64,
    /// More bodies match than were counted.
    more_than: bool,
}

/// The subjects the portal shows for a query, page `page` (from 1). A person is shown only
/// through public information about it (issue 16 point 1): the partial-name list holds
/// bodies only, and a person comes in as a near match of the check index, kept only when
/// `shown_publicly`, so a civil servant with nothing public is never listed nor counted.
async fn find(state: &AppState, q: &str, page: i64) -> Result<Found, crate::error::ApiError> {
    let store = state.store.as_ref();
    let folded = fold_query(q);
    let mut found = Found::default();
    // An 18-character code: the USCC, exactly.
    if folded.len() == 18 && folded.is_ascii() && uscc::has_valid_check_char(&folded) {
        if let Some(s) = store.subject_by_uscc(&folded).await? {
            if chengxin_app::subjects::shown_publicly(store, &s).await? {
                found.hits.push(Hit { subject: s });
            }
        }
        found.total = found.hits.len() as i64;
        found.pages = 1;
        return Ok(found);
    }
    let searched = names::search_fold(q);
    if searched.is_empty() {
        return Ok(found);
    }
    // Near matches by name through the check index (brackets, company forms, former names,
    // persons with public information) that a substring of the name would not find.
    let mut near: Vec<Hit> = Vec::new();
    if searched.chars().count() >= 2
        && state
            .checks
            .fresh(store, Duration::from_secs(2))
            .await
            .is_ok()
    {
        let hits = state
            .checks
            .lookup(&PartyQuery {
                name: Some(q.to_string()),
                ..Default::default()
            })
            .unwrap_or_default();
        for f in hits.into_iter().take(MAX_RESULTS) {
            let Some(s) = store.subject(f.subject_id).await? else {
                continue;
            };
            let in_list = !s.kind.is_person()
                && std::iter::once(&s.name)
                    .chain(s.former_names.iter())
                    .any(|n| names::search_fold(n).contains(&searched));
            if in_list || !chengxin_app::subjects::shown_publicly(store, &s).await? {
                continue;
            }
            near.push(Hit { subject: s });
        }
    }
    // Persons whose name contains the query, each only if shown publicly (at most
    // `PERSONS_CHECKED` of them are looked at; the count says so when there were more).
    let persons = store
        .search_subjects(&SubjectSearch {
            text: q.to_string(),
            persons_only: true,
            limit: PERSONS_CHECKED,
            ..Default::default()
        })
        .await?;
    found.persons_capped = persons.total > PERSONS_CHECKED;
    for s in persons.subjects {
        if near.iter().any(|h| h.subject.id == s.id)
            || !chengxin_app::subjects::shown_publicly(store, &s).await?
        {
            continue;
        }
        near.push(Hit { subject: s });
    }
    // Partial names: the gram index (繁简、全半角统一), bodies only, one page.
    let listed = store
        .search_subjects(&SubjectSearch {
            text: q.to_string(),
            bodies_only: true,
            limit: MAX_RESULTS as i64,
            offset: (page - 1) * MAX_RESULTS as i64,
            ..Default::default()
        })
        .await?;
    found.total = listed.total + near.len() as i64;
    found.index_pending = listed.index_pending;
    found.more_than = listed.more_than;
    found.pages = ((listed.total + MAX_RESULTS as i64 - 1) / MAX_RESULTS as i64).max(1);
    if page == 1 {
        found.hits = near;
    }
    for s in listed.subjects {
        found.hits.push(Hit { subject: s });
    }
    Ok(found)
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

/// The link to page `page` of the results for `q`.
fn page_link(q: &str, page: i64) -> String {
    format!("/portal/search?q={}&page={page}", super::enc(q))
}

/// `/portal/search?q=`.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let params = q.ok().map(|Query(p)| p).unwrap_or_default();
    let page = params
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| (1..=MAX_PAGE).contains(p))
        .unwrap_or(1);
    let q = params
        .q
        .map(|s| s.trim().chars().take(100).collect::<String>())
        .unwrap_or_default();
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
        Found::default()
    } else {
        match find(&state, &q, page).await {
            Ok(h) => h,
            Err(e) => return unavailable(&v, e),
        }
    };
    let mut hits = Vec::with_capacity(found.hits.len());
    for h in &found.hits {
        match summary(&state, &h.subject).await {
            Ok(sum) => hits.push((h, sum)),
            Err(e) => return unavailable(&v, e),
        }
    }
    let last = found.pages.min(MAX_PAGE);
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
                (crate::pages::index_lag_notice(found.index_pending))
                @if found.total == 0 {
                    div.notice.info role="status" #no-results {
                        "未找到与“" (shown_q) "”相符的信用主体。请检查名称或代码，或输入名称中的关键字再试。"
                    }
                } @else {
                    p.hint role="status" #found {
                        "找到 " @if found.more_than { "超过 " } span #found-total { (found.total) } " 个信用主体"
                        @if found.more_than { "（请输入更完整的名称以缩小范围）" }
                        @if found.pages > 1 { "，第 " (page) " / " (found.pages) " 页" }
                        @if found.persons_capped { "（自然人仅核对前 " (PERSONS_CHECKED) " 个同名者，请输入更完整的姓名）" }
                        @if found.pages > MAX_PAGE { "（仅可翻阅前 " (MAX_PAGE) " 页，请输入更完整的名称）" }
                        @if folded != q.to_ascii_uppercase() && !folded.is_empty() { "；已按“" (folded) "”查询（繁简、全半角统一）" }
                    }
                    ul.results #results {
                        @for (h, sum) in &hits {
                            li.card {
                                a.result href={ "/portal/subjects/" (h.subject.id) } { (h.subject.name) }
                                dl.meta {
                                    dt { @if h.subject.kind.is_person() { "证件号码" } @else { "统一社会信用代码" } }
                                    dd.code { (subject_code(&h.subject)) }
                                    dt { "类别" } dd { (h.subject.kind.label()) }
                                    @if h.subject.region.is_some() {
                                        dt { "地区" } dd { (region_name(h.subject.region.as_deref())) }
                                    }
                                    @if !h.subject.former_names.is_empty() {
                                        dt { "曾用名" } dd { (h.subject.former_names.join("、")) }
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
                    @if last > 1 {
                        nav.pager aria-label="分页" {
                            @if page > 1 { a #page-prev rel="prev" href=(page_link(&q, page - 1)) { "上一页" } }
                            span { "第 " (page) " 页，共 " (found.pages) " 页" }
                            @if page < last { a #page-next rel="next" href=(page_link(&q, page + 1)) { "下一页" } }
                        }
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
    // Its public commitments (信用承诺, 公开承诺) with their fulfilment (issue 18).
    let commitments = match subject.uscc.as_deref() {
        Some(u) => chengxin_app::commitments::public_list(&state, None, Some(u), 1)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
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
                @if !subject.kind.is_person() {
                    p.actions {
                        a.button #public-report href=(format!("/portal/subjects/{}/report.pdf", subject.id)) download {
                            "下载信用报告（PDF）"
                        }
                        " " span.hint { "报告列示出具时依法向社会公开的信用信息，经电子签名，可在“" a href="/portal/verify" { "报告验真" } "”核验。" }
                    }
                }
                p.hint {
                    "本档案仅显示依法向社会公开、处于公示期内的信息。信用主体可登录后查看本单位完整档案、申请信用修复和下载信用报告（"
                    a href="/portal/login" { "企业登录" } "）。"
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
            @if !commitments.is_empty() {
                section #commitments aria-labelledby="h-commitments" {
                    h2 #h-commitments { "信用承诺与公开承诺 （" (commitments.len()) "）" }
                    @for c in &commitments { (super::commitments::card(c)) }
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
