//! Server-rendered pages (maud), in Simplified Chinese, for an offline intranet: no CDN, no web
//! font, one stylesheet and one small script served by the server itself. Pages only read;
//! forms post to the JSON API with a few lines of script (the session's CSRF token travels in
//! a `<meta>` tag), so every rule stays in one place — the API.
//!
//! - `portal`: the public portal (信用门户), no login.
//! - `console`: staff pages by role (login with the second factor, queues, uploads).

pub mod cards;
pub mod charts;
pub mod console;
pub mod portal;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, MethodRouter};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::auth::{Access, Caller, Via};
use crate::route_spec::RouteSpec;
use crate::AppState;

const APP_CSS: &str = include_str!("../../assets/app.css");
const APP_JS: &str = include_str!("../../assets/app.js");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// Every page route: all `Open` at the router (pages decide themselves whether to show, ask
/// for login or redirect), all GET.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let mut out = vec![
        page("/static/app.css", get(css)),
        page("/static/app.js", get(js)),
        page("/favicon.svg", get(favicon)),
        page("/favicon.ico", get(favicon)),
        page("/portal/large-text", get(large_text)),
    ];
    out.extend(portal::routes());
    out.extend(console::routes());
    out
}

pub fn page(
    path: &'static str,
    handler: MethodRouter<AppState>,
) -> (RouteSpec, MethodRouter<AppState>) {
    (
        RouteSpec {
            method: axum::http::Method::GET,
            path,
            access: Access::Open,
            upload: false,
            cleans_text: false,
            flood: None,
        },
        handler,
    )
}

async fn css() -> Response {
    static_asset(APP_CSS, "text/css; charset=utf-8")
}

async fn js() -> Response {
    static_asset(APP_JS, "text/javascript; charset=utf-8")
}

async fn favicon() -> Response {
    static_asset(FAVICON, "image/svg+xml")
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LargeTextParams {
    pub on: Option<String>,
    pub back: Option<String>,
}

/// A path of this site to come back to: absolute, not protocol-relative, no backslash, no
/// control character; else the home page.
fn local_path(back: Option<&str>) -> String {
    match back {
        Some(b)
            if b.starts_with('/')
                && !b.starts_with("//")
                && !b.contains('\\')
                && !b.chars().any(char::is_control)
                && b.len() <= 512 =>
        {
            b.to_string()
        }
        _ => "/".to_string(),
    }
}

/// `/portal/large-text?on=1&back=/portal/search`: switches the large-text mode (适老化) on
/// or off for this browser (a cookie, a year) and goes back. No script needed.
async fn large_text(
    q: Result<axum::extract::Query<LargeTextParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let p = q.map(|axum::extract::Query(p)| p).unwrap_or_default();
    let on = p.on.as_deref() == Some("1");
    let cookie = if on {
        format!(
            "{}=1; Path=/; Max-Age=31536000; SameSite=Lax",
            crate::headers::LARGE_TEXT_COOKIE
        )
    } else {
        format!(
            "{}=; Path=/; Max-Age=0; SameSite=Lax",
            crate::headers::LARGE_TEXT_COOKIE
        )
    };
    let back = local_path(p.back.as_deref());
    let mut resp = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

fn static_asset(body: &'static str, mime: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Which part of the site a page belongs to (for the navigation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Portal,
    Console,
}

/// What a page needs to know about the visitor.
pub struct Visitor {
    pub signed_in: bool,
    pub display: String,
    /// The signed-in account is a credit subject's (企业登录): the portal's 我的信用档案, never
    /// the console.
    pub subject: bool,
    /// The session's CSRF token (pages that post through the API put it in a meta tag).
    pub csrf: Option<String>,
}

/// The visitor, with the CSRF token of a cookie session.
pub async fn visitor(state: &AppState, caller: &Caller) -> Visitor {
    match &caller.via {
        Via::Session { session_hash, .. } => {
            let csrf = state
                .store
                .session(session_hash)
                .await
                .ok()
                .flatten()
                .map(|s| s.csrf);
            Visitor {
                signed_in: true,
                display: caller
                    .actor
                    .strip_prefix("account:")
                    .unwrap_or(&caller.actor)
                    .to_string(),
                subject: is_subject_only(caller),
                csrf,
            }
        }
        _ => Visitor {
            signed_in: false,
            display: String::new(),
            subject: false,
            csrf: None,
        },
    }
}

/// A credit subject's account (role 信用主体 and nothing else): it has the portal's 我的信用档案
/// and no console.
pub fn is_subject_only(caller: &Caller) -> bool {
    use chengxin_access::Role;
    caller.token_permissions.is_none()
        && caller.roles.contains(&Role::Subject)
        && caller
            .roles
            .iter()
            .all(|r| matches!(r, Role::Subject | Role::Public))
}

/// A navigation entry: (href, label).
pub type Nav = &'static [(&'static str, &'static str)];

pub const PORTAL_NAV: Nav = &[
    ("/", "首页"),
    ("/portal/search", "信用查询"),
    ("/portal/shuanggongshi", "双公示"),
    ("/portal/government", "政务失信"),
    ("/portal/lists", "红黑名单"),
    ("/portal/objection", "异议申诉"),
    ("/portal/complaint", "投诉举报"),
    ("/portal/track", "办件查询"),
    ("/portal/verify", "报告验真"),
    ("/portal/open-data", "开放数据"),
    ("/portal/commitments", "承诺公示"),
    ("/portal/arrears", "拖欠账款反映"),
    ("/portal/evaluation", "政务诚信评价"),
];

/// The page frame: header, navigation, content, footer.
pub fn layout(
    title: &str,
    section: Section,
    nav: &[(&str, &str)],
    current: &str,
    visitor: &Visitor,
    body: Markup,
) -> Markup {
    let ctx = crate::headers::page_ctx();
    let site = &ctx.site;
    let here = if ctx.path.is_empty() {
        "/".to_string()
    } else {
        ctx.path.clone()
    };
    let toggle = if ctx.large_text {
        (
            format!("/portal/large-text?on=0&back={}", portal::enc(&here)),
            "标准字号",
        )
    } else {
        (
            format!("/portal/large-text?on=1&back={}", portal::enc(&here)),
            "大字版（适老化）",
        )
    };
    let page = html! {
        (DOCTYPE)
        html lang="zh-CN" class=[ctx.large_text.then_some("large-text")] {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(t) = &visitor.csrf { meta name="csrf-token" content=(t); }
                title { (title) " - " (site.name) }
                link rel="icon" type="image/svg+xml" href="/favicon.svg";
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body class=[(section == Section::Console).then_some("console")] {
                a.skip href="#main" { "跳到正文" }
                header.site {
                    div.bar {
                        div.emblem aria-hidden="true" { "信" }
                        div {
                            div.title { (site.name) }
                            div.sub {
                                @match section {
                                    Section::Portal => "政务诚信 · 信用公示 · 信用服务",
                                    Section::Console => "工作台（内部使用）",
                                }
                            }
                        }
                        div.who {
                            a.large-toggle href=(toggle.0) { (toggle.1) } " · "
                            @if visitor.signed_in && visitor.subject {
                                "当前用户：" (visitor.display) " · "
                                a #my-archive-link href="/portal/my" { "我的信用档案" } " · "
                                a href="/portal/logout" { "退出" }
                            } @else if visitor.signed_in {
                                "当前用户：" (visitor.display) " · "
                                a href="/console" { "工作台" } " · "
                                a href="/console/logout" { "退出" }
                            } @else {
                                a #subject-login-link href="/portal/login" { "企业登录" } " · "
                                a href="/console/login" { "工作人员登录" }
                            }
                        }
                    }
                }
                nav.main aria-label="主导航" {
                    ul {
                        @for (href, label) in nav {
                            li {
                                @if *href == current {
                                    a href=(href) aria-current="page" { (label) }
                                } @else {
                                    a href=(href) { (label) }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
                footer.site #site-footer {
                    div {
                        p.links {
                            a href="/portal/sitemap" { "网站地图" } " · "
                            a href="/portal/privacy" { "隐私声明" } " · "
                            a href="/portal/track" { "办件查询" } " · "
                            a href=(toggle.0) { (toggle.1) }
                        }
                        p { "主办单位：" span #site-sponsor { (site.sponsor) } " · " span #site-contact { (site.contact) } }
                        p {
                            "网站标识码：" span #site-code { (site.site_code) } " · "
                            "ICP备案号：" span #site-icp { (site.icp) } " · "
                            span #site-police { (site.police_record) }
                        }
                        p { "本平台公示信息依法依规归集，对公示信息有异议的，可在线提出异议申诉。" }
                    }
                }
            }
        }
    };
    // Staff tables turn into cards on phones: every cell labelled with its column.
    match section {
        Section::Console => PreEscaped(cards::label_cells(&page.into_string())),
        Section::Portal => page,
    }
}

/// An HTML response.
pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            // The Content-Security-Policy, with this response's nonce, is set for every
            // HTML answer by `headers::security_headers`: pages load nothing from elsewhere
            // and run no inline script without the nonce.
            (
                header::HeaderName::from_static("x-content-type-options"),
                HeaderValue::from_static("nosniff"),
            ),
        ],
        markup,
    )
        .into_response()
}

/// An error page in the portal frame.
pub fn error_page(status: StatusCode, message: &str, visitor: &Visitor) -> Response {
    html_response(
        status,
        layout(
            "出错了",
            Section::Portal,
            PORTAL_NAV,
            "",
            visitor,
            html! { div.notice.err role="alert" { (message) } p { a href="/" { "返回首页" } } },
        ),
    )
}

/// The 404 page of an unknown address outside the API: in the console's frame under
/// `/console`, else in the portal's.
pub async fn not_found(state: &AppState, caller: &Caller, path: &str) -> Response {
    let v = visitor(state, caller).await;
    if path == "/console" || path.starts_with("/console/") {
        return console::not_found_page(caller, &v);
    }
    html_response(
        StatusCode::NOT_FOUND,
        layout(
            "页面不存在",
            Section::Portal,
            PORTAL_NAV,
            "",
            &v,
            html! {
                div.notice.err role="alert" #not-found {
                    "您访问的页面不存在或已被移除。请检查网址，或从下面的链接继续。"
                }
                p {
                    a href="/" { "返回首页" } " · "
                    a href="/portal/search" { "信用查询" } " · "
                    a href="/portal/sitemap" { "网站地图" }
                }
            },
        ),
    )
}

/// Redirect to the console login, coming back to `next` afterwards.
pub fn to_login(next: &str) -> Response {
    let next: String = next
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "/-_?=&.%".contains(*c))
        .collect();
    Redirect::to(&format!("/console/login?next={next}")).into_response()
}

/// Inline script of this server's own pages, carrying the response's CSP nonce (the policy
/// runs no inline script without it: `headers::security_headers`). Outside a request there is
/// no nonce and the script would not run: none is written.
pub fn script(js: &str) -> Markup {
    match crate::headers::nonce() {
        Some(n) => html! { script nonce=(n) { (PreEscaped(js)) } },
        None => html! {},
    }
}

/// Said beside name-search results while the index is catching up after an import: the new
/// subjects of a published batch are found by name a little later (their records count in
/// checks at once).
pub fn index_lag_notice(pending: i64) -> Markup {
    if pending <= 0 {
        return html! {};
    }
    html! {
        p.notice.info role="status" #index-pending {
            "另有 " (thousands(pending)) " 个新报送的主体正在建立名称检索，稍后即可按名称查到（按统一社会信用代码查询不受影响）。"
        }
    }
}

/// A number with thousands separators.
pub fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(1234567), "1,234,567");
        assert_eq!(super::thousands(-1000), "-1,000");
    }
}
