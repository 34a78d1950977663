//! The public portal (信用门户): no login; only public information, personal data masked.
//!
//! What is shown: records whose status is `published` and whose catalog type is 社会公开
//! (the same rule as `/api/v1/portal/subjects/{id}`), list entries of public lists in publicity
//! or in effect. ID numbers only ever appear masked: a record's personal fields are masked
//! again on output (idempotent on the stored masked form), and so is free text — stored
//! masked since intake masks it — by the one masker (`codes::id_number::mask_in_text`).
//!
//! - `portal` (this file): routes, the home page and the shared helpers;
//! - `search`: 信用查询 and a subject's public archive;
//! - `browse`: 双公示, 政务失信, red and black lists;
//! - `forms`: objection, tracking, report verification, repair and complaint pages;
//! - `open_data`: the downloads (CSV, XLSX).

mod arrears;
mod browse;
mod commitments;
mod complaint;
mod evaluation;
mod forms;
mod info;
pub(crate) mod my;
mod open_data;
mod search;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, MethodRouter};
use chengxin_domain::catalog::{Catalog, Disclosure, FieldDef, FieldType, RecordClass, RecordType};
use chengxin_domain::codes::{id_number, uscc};
use chengxin_domain::records::Record;
use chengxin_domain::subjects::Subject;
use chengxin_store::PublishedFilter;
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::{html_response, layout, page, thousands, visitor, Section, Visitor, PORTAL_NAV};
use crate::auth::Caller;
use crate::route_spec::RouteSpec;
use crate::AppState;

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        page("/", get(home)),
        page("/portal/search", get(search::search)),
        page("/portal/subjects/{id}", get(search::archive)),
        page("/portal/shuanggongshi", get(browse::shuanggongshi)),
        page("/portal/government", get(browse::government)),
        page("/portal/lists", get(browse::lists)),
        page("/portal/lists/{code}", get(browse::list)),
        page("/portal/objection", get(forms::objection)),
        page("/portal/track", get(forms::track)),
        page("/portal/verify", get(forms::verify)),
        page("/portal/repair", get(forms::repair)),
        page("/portal/complaint", get(complaint::complaint)),
        page("/portal/open-data", get(open_data::page)),
        page("/portal/sitemap", get(info::sitemap)),
        page("/portal/privacy", get(info::privacy)),
        page("/portal/notices", get(info::notices)),
        page("/portal/notices/{id}", get(info::notice)),
        page("/portal/open-data/shuanggongshi.csv", get(open_data::csv)),
        page("/portal/open-data/shuanggongshi.xlsx", get(open_data::xlsx)),
        page("/portal/login", get(my::login)),
        page("/portal/logout", get(my::logout)),
        page(my::MY_ARCHIVE, get(my::archive)),
        // The public's credit report of an organisation: issued and kept each time, so
        // anonymous downloads are limited like the other anonymous routes.
        (
            RouteSpec {
                method: axum::http::Method::GET,
                path: "/portal/subjects/{id}/report.pdf",
                access: crate::auth::Access::Open,
                upload: false,
                cleans_text: false,
                flood: Some(crate::flood::FloodClass::Report),
            },
            get(my::public_report),
        ),
        page("/portal/commitments", get(commitments::page)),
        page("/portal/arrears", get(arrears::page)),
        page("/portal/evaluation", get(evaluation::page)),
    ]
}

// ------------------------------------------------------------------------------------------------
// Shared helpers
// ------------------------------------------------------------------------------------------------

/// The two 双公示 types.
pub(crate) const SGS_TYPES: [&str; 2] = ["admin_license", "admin_penalty"];

/// A portal page with status 200.
fn portal_page(v: &Visitor, title: &str, current: &str, body: Markup) -> Response {
    html_response(
        StatusCode::OK,
        layout(title, Section::Portal, PORTAL_NAV, current, v, body),
    )
}

/// A portal page with another status (not found, bad request) and a message.
fn portal_error(v: &Visitor, status: StatusCode, title: &str, message: &str) -> Response {
    html_response(
        status,
        layout(
            title,
            Section::Portal,
            PORTAL_NAV,
            "",
            v,
            html! {
                div.notice.err role="alert" { (message) }
                p { a href="/" { "返回首页" } " · " a href="/portal/search" { "信用查询" } }
            },
        ),
    )
}

/// Store errors on a public page: a generic message (details are in the server log).
fn unavailable(v: &Visitor, e: impl std::fmt::Display) -> Response {
    tracing::warn!(error = %e, "portal page failed");
    portal_error(
        v,
        StatusCode::SERVICE_UNAVAILABLE,
        "暂时无法访问",
        "系统繁忙，请稍后再试。",
    )
}

fn catalog() -> Option<&'static Catalog> {
    Catalog::default_checked().ok()
}

fn record_type(code: &str) -> Option<&'static RecordType> {
    catalog().and_then(|c| c.get(code))
}

fn type_name(code: &str) -> String {
    type_name_of(code)
}

/// A record type's Chinese name (其他信用信息 for a code the catalog does not know).
pub(crate) fn type_name_of(code: &str) -> String {
    record_type(code)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| "其他信用信息".to_string())
}

/// Codes of the public types.
fn public_types() -> Vec<String> {
    catalog()
        .map(|c| {
            c.types()
                .iter()
                .filter(|t| t.disclosure == Disclosure::Public)
                .map(|t| t.code.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Codes of the public negative (失信) types.
fn public_negative_types() -> Vec<&'static RecordType> {
    catalog()
        .map(|c| {
            c.types()
                .iter()
                .filter(|t| t.disclosure == Disclosure::Public && t.class == RecordClass::Negative)
                .collect()
        })
        .unwrap_or_default()
}

/// A field value as shown to the public: enum codes as labels, personal numbers masked, ID
/// numbers in other text masked.
pub(crate) fn field_text(fd: &FieldDef, v: &serde_json::Value) -> String {
    let raw = match v {
        serde_json::Value::Null => return String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match &fd.kind {
        FieldType::IdNumber => id_number::mask(&raw),
        FieldType::UsccOrId => {
            let n = raw.trim().to_ascii_uppercase();
            if uscc::has_valid_check_char(&n) && !id_number::looks_like_id(&n) {
                n
            } else {
                id_number::mask(&raw)
            }
        }
        // Validated at import; an all-digit USCC is not an ID number.
        FieldType::Uscc => raw,
        FieldType::Enum { values } => values
            .iter()
            .find(|e| e.code == raw)
            .map(|e| e.label.clone())
            .unwrap_or_else(|| id_number::mask_in_text(&raw).into_owned()),
        // Free text is masked at intake; masked here again, by the same one masker, for
        // anything stored before (defence in depth).
        _ => id_number::mask_in_text(&raw).into_owned(),
    }
}

/// A record's field by name, for the public.
pub(crate) fn field(r: &Record, name: &str) -> String {
    let Some(rt) = record_type(&r.type_code) else {
        return String::new();
    };
    match (rt.field(name), r.fields.get(name)) {
        (Some(fd), Some(v)) => field_text(fd, v),
        _ => String::new(),
    }
}

/// The fields worth showing of each type, in order.
fn key_fields(type_code: &str) -> &'static [&'static str] {
    match type_code {
        "admin_license" => &[
            "decision_doc_name",
            "license_category",
            "license_content",
            "valid_from",
            "valid_to",
            "authority",
            "status",
        ],
        "admin_penalty" => &[
            "violation_type",
            "penalty_category",
            "penalty_content",
            "fine_amount",
            "authority",
            "publicity_deadline",
        ],
        "court_judgment" => &[
            "litigation_role",
            "case_kind",
            "cause",
            "court",
            "trial_level",
            "outcome",
            "judgment_summary",
            "amount",
        ],
        "refusal_to_execute" => &[
            "court",
            "basis_doc_no",
            "obligation",
            "performance",
            "unperformed_amount",
            "filing_date",
        ],
        "dishonest_judgment_debtor" => &[
            "court",
            "basis_doc_no",
            "obligation",
            "performance",
            "dishonest_conduct",
        ],
        _ => &[],
    }
}

/// `(title, value)` of the fields worth showing: the curated ones of the type, else the first
/// eight non-empty fields that do not identify the subject.
pub(crate) fn shown_fields(r: &Record) -> Vec<(String, String)> {
    let Some(rt) = record_type(&r.type_code) else {
        return Vec::new();
    };
    let curated = key_fields(&r.type_code);
    let mut out = Vec::new();
    if !curated.is_empty() {
        for name in curated {
            if let (Some(fd), Some(v)) = (rt.field(name), r.fields.get(*name)) {
                let t = field_text(fd, v);
                if !t.is_empty() {
                    out.push((fd.title.clone(), t));
                }
            }
        }
        return out;
    }
    let skip = [
        Some(rt.subject.name_field.as_str()),
        rt.subject.uscc_field.as_deref(),
        rt.subject.id_number_field.as_deref(),
        rt.subject.id_type_field.as_deref(),
        Some(rt.key_field.as_str()),
        Some(rt.decision_date_field.as_str()),
    ];
    for fd in &rt.fields {
        if skip.contains(&Some(fd.name.as_str()))
            || matches!(fd.kind, FieldType::IdNumber | FieldType::UsccOrId)
        {
            continue;
        }
        if let Some(v) = r.fields.get(&fd.name) {
            let t = field_text(fd, v);
            if !t.is_empty() {
                out.push((fd.title.clone(), t));
            }
        }
        if out.len() >= 8 {
            break;
        }
    }
    out
}

/// The subject's code as the record states it: the USCC, or the masked ID number.
pub(crate) fn record_subject_code(r: &Record) -> String {
    let Some(rt) = record_type(&r.type_code) else {
        return String::new();
    };
    for f in [
        rt.subject.uscc_field.as_deref(),
        rt.subject.id_number_field.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        let t = field(r, f);
        if !t.is_empty() {
            return t;
        }
    }
    String::new()
}

/// A short line of what was decided (for tables).
pub(crate) fn record_summary(r: &Record) -> String {
    let main = match r.type_code.as_str() {
        "admin_license" => field(r, "license_content"),
        "admin_penalty" => {
            let c = field(r, "penalty_content");
            if c.is_empty() {
                field(r, "penalty_category")
            } else {
                c
            }
        }
        _ => String::new(),
    };
    let text = if main.is_empty() {
        shown_fields(r)
            .into_iter()
            .map(|(_, v)| v)
            .take(2)
            .collect::<Vec<_>>()
            .join("；")
    } else {
        main
    };
    clip(&text, 80)
}

/// The deciding authority as the record states it.
pub(crate) fn record_authority(r: &Record) -> String {
    for f in ["authority", "court", "source_unit"] {
        let t = field(r, f);
        if !t.is_empty() {
            return t;
        }
    }
    String::new()
}

/// At most `n` characters, with an ellipsis.
pub(crate) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// A subject's public code: the USCC, or the masked ID number of a person.
pub(crate) fn subject_code(s: &Subject) -> String {
    if s.kind.is_person() {
        s.id_masked
            .clone()
            .map(|m| id_number::mask(&m))
            .unwrap_or_default()
    } else {
        s.uscc.clone().unwrap_or_default()
    }
}

/// A region code with its name (`320412 江苏省常州市武进区`).
pub(crate) fn region_name(code: Option<&str>) -> String {
    match code {
        None => String::new(),
        // The whole country: the scope of national accounts and tokens.
        Some("000000") => "全国".to_string(),
        Some(c) => chengxin_domain::regions::RegionTable::national_checked()
            .ok()
            .and_then(|t| t.full_name(c))
            .unwrap_or_else(|| c.to_string()),
    }
}

/// Query parameters of a page number.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PageParam {
    pub page: Option<String>,
}

pub(crate) fn page_no(p: Option<&str>) -> i64 {
    p.and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
        .min(100_000)
}

/// `<nav class="pager">`: previous, numbered pages around the current one, next. `base` is
/// the page URL with its other query parameters (`/portal/shuanggongshi?type=…`).
pub(crate) fn pager(base: &str, page: i64, total: i64, per_page: i64) -> Markup {
    let pages = ((total + per_page - 1) / per_page).max(1);
    let sep = if base.contains('?') { '&' } else { '?' };
    let href = |p: i64| format!("{base}{sep}page={p}");
    let from = (page - 3).max(1);
    let to = (page + 3).min(pages);
    html! {
        nav.pager aria-label="分页" {
            span.info { "共 " (thousands(total)) " 条，第 " (page) "/" (pages) " 页" }
            @if page > 1 {
                a href=(href(page - 1)) rel="prev" { "上一页" }
            }
            @if from > 1 {
                a href=(href(1)) { "1" }
                @if from > 2 { span.gap aria-hidden="true" { "…" } }
            }
            @for p in from..=to {
                @if p == page {
                    span.current aria-current="page" { (p) }
                } @else {
                    a href=(href(p)) { (p) }
                }
            }
            @if to < pages {
                @if to < pages - 1 { span.gap aria-hidden="true" { "…" } }
                a href=(href(pages)) { (pages) }
            }
            @if page < pages {
                a href=(href(page + 1)) rel="next" { "下一页" }
            }
        }
    }
}

/// Percent-encodes a query value.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A date in Chinese style (`2025-06-02`).
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

// ------------------------------------------------------------------------------------------------
// Home
// ------------------------------------------------------------------------------------------------

/// The last 12 months (first day of each), oldest first, ending with `today`'s month.
fn last_months(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut y = today.year();
    let mut m = today.month();
    for _ in 0..n {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, 1) {
            out.push(d);
        }
        if m == 1 {
            m = 12;
            y -= 1;
        } else {
            m -= 1;
        }
    }
    out.reverse();
    out
}

fn month_end(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first)
}

/// A bar chart of 双公示 decisions per month as inline SVG (no script, no external file).
fn month_chart(months: &[(NaiveDate, i64)]) -> Markup {
    let max = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let w = 640.0_f64;
    let h = 220.0_f64;
    let left = 36.0;
    let bottom = 28.0;
    let top = 16.0;
    let n = months.len().max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let bar = slot * 0.62;
    let plot_h = h - bottom - top;
    let mut svg = String::new();
    svg.push_str(&format!(
        r##"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">"##
    ));
    svg.push_str(r##"<title id="chart-title">近12个月双公示信息数量</title>"##);
    let desc: Vec<String> = months
        .iter()
        .map(|(m, c)| format!("{}年{}月 {} 条", m.year(), m.month(), c))
        .collect();
    svg.push_str(&format!(
        r##"<desc id="chart-desc">{}</desc>"##,
        esc(&desc.join("，"))
    ));
    // Axis and grid.
    for i in 0..=4 {
        let y = top + plot_h * f64::from(i) / 4.0;
        let v = (max as f64) * f64::from(4 - i) / 4.0;
        svg.push_str(&format!(
            r##"<line x1="{left}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#dee0e3" stroke-width="1"/>"##,
            x2 = w - 8.0
        ));
        svg.push_str(&format!(
            r##"<text x="{x:.1}" y="{ty:.1}" font-size="11" text-anchor="end" fill="#646a73">{v:.0}</text>"##,
            x = left - 4.0,
            ty = y + 4.0
        ));
    }
    for (i, (m, c)) in months.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let bh = plot_h * (*c as f64) / (max as f64);
        let y = top + plot_h - bh;
        svg.push_str(&format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="#b0231b" rx="2"><title>{}年{}月：{} 条</title></rect>"##,
            m.year(),
            m.month(),
            c
        ));
        svg.push_str(&format!(
            r##"<text x="{cx:.1}" y="{ly:.1}" font-size="11" text-anchor="middle" fill="#646a73">{}月</text>"##,
            m.month(),
            cx = x + bar / 2.0,
            ly = h - bottom + 16.0
        ));
    }
    svg.push_str("</svg>");
    html! { (PreEscaped(svg)) }
}

/// HTML-escaped text (for hand-written SVG).
fn esc(s: &str) -> String {
    html! { (s) }.into_string()
}

/// 首页: figures, the search box, announcements, the latest 双公示 and a chart.
pub async fn home(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let store = state.store.as_ref();
    let subjects = store.count_subjects().await.unwrap_or(0);
    let published = store
        .count_published_records(&PublishedFilter {
            type_codes: public_types(),
            ..Default::default()
        })
        .await
        .unwrap_or(0);
    let joint = chengxin_domain::lists::JointCatalog::default_checked().ok();
    let mut active_entries = 0_i64;
    if let Some(j) = joint {
        for l in j
            .lists()
            .iter()
            .filter(|l| l.disclosure == Disclosure::Public)
        {
            active_entries += browse::active_entries(&state, &l.code)
                .await
                .map(|e| e.len() as i64)
                .unwrap_or(0);
        }
    }
    let sgs: Vec<String> = SGS_TYPES.iter().map(|s| s.to_string()).collect();
    let latest = store
        .published_records(&PublishedFilter {
            type_codes: sgs.clone(),
            limit: 8,
            ..Default::default()
        })
        .await
        .unwrap_or_default();
    let mut months = Vec::new();
    for m in last_months(state.today(), 12) {
        let n = store
            .count_published_records(&PublishedFilter {
                type_codes: sgs.clone(),
                decided_from: Some(m),
                decided_to: Some(month_end(m)),
                ..Default::default()
            })
            .await
            .unwrap_or(0);
        months.push((m, n));
    }
    let news = chengxin_app::portal_pages::published(&state, "announcement", 6)
        .await
        .unwrap_or_default();
    portal_page(
        &v,
        "信用信息公示平台",
        "/",
        html! {
            form.card.search.hero role="search" action="/portal/search" method="get" {
                label for="q" { "信用查询（名称、统一社会信用代码，支持繁体、全角和部分名称）" }
                div.row {
                    input #q type="search" name="q" placeholder="请输入主体名称或统一社会信用代码" required autocomplete="off";
                    button type="submit" { "查询" }
                }
            }
            div.grid.figures {
                div.card.figure { div.n #fig-subjects { (thousands(subjects)) } div.l { "信用主体" } }
                div.card.figure { div.n #fig-records { (thousands(published)) } div.l { "公示信用信息" } }
                div.card.figure { div.n #fig-entries { (thousands(active_entries)) } div.l { "红黑名单在列主体" } }
            }
            div.home-cols {
                section.card aria-labelledby="h-news" {
                    h2 #h-news { "通知公告" }
                    @if news.is_empty() {
                        p.hint { "暂无通知公告。" }
                    } @else {
                        ul.news #home-news {
                            @for a in &news {
                                li {
                                    span.date { (info::page_day(a)) } " "
                                    a href={ "/portal/notices/" (a.id) } { (a.title) }
                                }
                            }
                        }
                    }
                    p { a href="/portal/notices" { "更多通知公告 →" } " · " a href="/portal/notices?kind=policy" { "政策法规 →" } }
                }
                section.card aria-labelledby="h-services" {
                    h2 #h-services { "信用服务" }
                    ul.services {
                        li { a href="/portal/shuanggongshi" { "双公示查询" } span.hint { "行政许可、行政处罚" } }
                        li { a href="/portal/government" { "政务失信记录" } span.hint { "行政机关败诉、拒不执行判决等" } }
                        li { a href="/portal/lists" { "红黑名单" } span.hint { "守信激励与失信惩戒对象" } }
                        li { a href="/portal/objection" { "异议申诉" } span.hint { "对公示信息提出异议" } }
                        li { a href="/portal/repair" { "信用修复" } span.hint { "条件、期限与办理方式" } }
                        li { a href="/portal/track" { "办件查询" } span.hint { "凭查询编号查进度" } }
                        li { a href="/portal/verify" { "报告验真" } span.hint { "核验信用报告真伪" } }
                        li { a href="/portal/open-data" { "开放数据" } span.hint { "下载公示数据" } }
                    }
                }
            }
            section.card aria-labelledby="h-chart" {
                h2 #h-chart { "近12个月双公示信息（按决定日期）" }
                (month_chart(&months))
            }
            section aria-labelledby="h-latest" {
                h2 #h-latest { "最新双公示" }
                @if latest.is_empty() {
                    p.hint { "暂无公示信息。" }
                } @else {
                    (browse::records_table(&latest, false))
                    p { a href="/portal/shuanggongshi" { "查看全部双公示信息 →" } }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_end_with_today() {
        let m = last_months(NaiveDate::from_ymd_opt(2025, 2, 14).unwrap(), 12);
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
        assert_eq!(m[11], NaiveDate::from_ymd_opt(2025, 2, 1).unwrap());
        assert_eq!(
            month_end(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn pager_links() {
        let m = pager("/portal/shuanggongshi?type=admin_license", 2, 45, 20).into_string();
        assert!(m.contains("class=\"pager\""));
        assert!(m.contains("type=admin_license&amp;page=3"));
        assert!(m.contains("共 45 条"));
    }
}
