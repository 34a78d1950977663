//! 网站地图 and 隐私声明: static pages of the portal, with the configured site name.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::portal_page;
use crate::auth::Caller;
use crate::pages::{visitor, PORTAL_NAV};
use crate::AppState;

/// `/portal/sitemap`: every public page, grouped.
pub async fn sitemap(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    portal_page(
        &v,
        "网站地图",
        "",
        html! {
            div.grid.two #sitemap {
                section.card {
                    h2 { "栏目" }
                    ul {
                        @for (href, label) in PORTAL_NAV {
                            li { a href=(href) { (label) } }
                        }
                    }
                }
                section.card {
                    h2 { "信用服务" }
                    ul {
                        li { a href="/portal/notices" { "通知公告" } }
                        li { a href="/portal/repair" { "信用修复" } }
                        li { a href="/portal/objection" { "异议申诉" } }
                        li { a href="/portal/complaint" { "投诉举报" } }
                        li { a href="/portal/track" { "办件查询" } }
                        li { a href="/portal/verify" { "信用报告验真" } }
                        li { a href="/portal/login" { "企业登录" } "（我的信用档案、信用修复、下载本单位信用报告）" }
                    }
                    h2 { "关于本站" }
                    ul {
                        li { a href="/portal/privacy" { "隐私声明" } }
                        li { a href="/portal/sitemap" { "网站地图" } }
                        li { a href="/console/login" { "工作人员登录" } }
                    }
                }
            }
        },
    )
}

/// `/portal/privacy`: what the portal collects and how it protects it.
pub async fn privacy(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let site = crate::headers::page_ctx().site;
    portal_page(
        &v,
        "隐私声明",
        "",
        html! {
            div.card #privacy {
                p { (site.name) "（以下简称“本网站”）由" (site.sponsor) "主办。本网站尊重并保护访问者的个人信息，特作如下声明。" }
                h2 { "一、我们公示的信息" }
                p { "本网站仅公示依法依规可以向社会公开的信用信息。自然人的居民身份证号码一律以遮蔽形式显示，不支持按身份证号码查询自然人。" }
                h2 { "二、我们收集的信息" }
                p { "浏览和查询无需注册。您提交异议申诉、信用修复、投诉举报时填写的姓名、联系方式、证件号码和证明材料，仅用于办理该事项；证件号码加密保存，工作人员按职责查看，每次查看均留有记录。" }
                h2 { "三、Cookie" }
                p { "本网站只使用两种 Cookie：工作人员登录后的会话 Cookie，以及记住您是否选择“大字版”的 Cookie。本网站不使用任何第三方统计或广告 Cookie，不从其他网站加载内容。" }
                h2 { "四、日志" }
                p { "为保障网站安全，服务器记录访问时间、访问地址和网络地址，按规定期限保存后删除，不用于其他目的。" }
                h2 { "五、联系我们" }
                p { "对本声明或个人信息处理有疑问的，请联系：" (site.contact) "。" }
            }
        },
    )
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NoticeParams {
    pub kind: Option<String>,
}

/// A date in China time (`2026-04-01`).
fn china_day(t: &chrono::DateTime<chrono::Utc>) -> String {
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(o) => t.with_timezone(&o).format("%Y-%m-%d").to_string(),
        None => t.format("%Y-%m-%d").to_string(),
    }
}

/// The day a published page shows.
pub(crate) fn page_day(p: &chengxin_store::PortalPageRow) -> String {
    china_day(p.published_at.as_ref().unwrap_or(&p.updated_at))
}

/// `/portal/notices?kind=announcement|policy`: published announcements or policy pages.
pub async fn notices(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<axum::extract::Query<NoticeParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    use chengxin_app::portal_pages::{kind_name, KINDS};
    let v = visitor(&state, &caller).await;
    let kind = q
        .ok()
        .and_then(|axum::extract::Query(p)| p.kind)
        .filter(|k| KINDS.iter().any(|(c, _)| c == k))
        .unwrap_or_else(|| "announcement".into());
    let pages = match chengxin_app::portal_pages::published(&state, &kind, 200).await {
        Ok(p) => p,
        Err(e) => return super::unavailable(&v, e),
    };
    portal_page(
        &v,
        kind_name(&kind),
        "",
        html! {
            nav.tabs aria-label="栏目" {
                @for (k, n) in KINDS {
                    @if k == kind {
                        span.current aria-current="page" { (n) }
                    } @else {
                        a href={ "/portal/notices?kind=" (k) } { (n) }
                    }
                    " "
                }
            }
            @if pages.is_empty() {
                p.hint { "暂无内容。" }
            } @else {
                ul.news #notices {
                    @for p in &pages {
                        li { span.date { (page_day(p)) } " " a href={ "/portal/notices/" (p.id) } { (p.title) } }
                    }
                }
            }
        },
    )
}

/// `/portal/notices/{id}`: one published page (a draft is not found).
pub async fn notice(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let not_found = |v| {
        super::portal_error(
            v,
            axum::http::StatusCode::NOT_FOUND,
            "内容不存在",
            "该内容不存在或尚未发布。",
        )
    };
    let Ok(id) = uuid::Uuid::parse_str(id.trim()) else {
        return not_found(&v);
    };
    let p = match chengxin_app::portal_pages::published_one(&state, id).await {
        Ok(p) => p,
        Err(chengxin_app::AppError::NotFound) => return not_found(&v),
        Err(e) => return super::unavailable(&v, e),
    };
    portal_page(
        &v,
        &p.title,
        "",
        html! {
            article.card #notice {
                p.hint { (chengxin_app::portal_pages::kind_name(&p.kind)) " · 发布日期：" (page_day(&p)) }
                @for para in p.body.split("\n\n").filter(|s| !s.trim().is_empty()) {
                    p { (para.trim()) }
                }
            }
            p { a href={ "/portal/notices?kind=" (p.kind) } { "返回列表" } }
        },
    )
}
