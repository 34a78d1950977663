//! The flood limits at the door (issue 16 point 5): a route the table marks with a
//! [`FloodClass`] counts every request of an anonymous caller against its client address
//! ([`ClientAddr`]) and against everybody's total (`chengxin_app::flood`). Over a limit it
//! answers 429 with `Retry-After`, before the handler reads the body: JSON `{code:
//! "rate_limited", message}` for the API (the portal's forms show the message), or a Chinese
//! page when a browser asked for HTML. Staff sessions and API tokens are accountable and limited
//! otherwise (tokens per token), so only anonymous callers are counted here.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::html;

pub use chengxin_app::flood::FloodClass;

use crate::auth::Caller;
use crate::client_addr::ClientAddr;
use crate::error::{ApiError, AppError};
use crate::pages::{html_response, layout, Section, Visitor, PORTAL_NAV};
use crate::AppState;

/// Count the request of an anonymous caller; refuse it over the limit.
pub async fn limit(class: FloodClass, state: AppState, req: Request, next: Next) -> Response {
    let anonymous = req
        .extensions()
        .get::<Caller>()
        .is_none_or(Caller::is_anonymous);
    if anonymous {
        let client = req.extensions().get::<ClientAddr>().and_then(|c| c.0);
        if let Err(e) = state.flood.admit(class, client) {
            return refusal(&req, e);
        }
    }
    next.run(req).await
}

/// Whether the request came from a browser navigating (a form posted without script), which
/// reads a page rather than JSON.
fn wants_html(req: &Request) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// The 429 answer: the API's JSON error, or a page in the portal frame.
pub fn refusal(req: &Request, e: AppError) -> Response {
    if !wants_html(req) {
        return ApiError(e).into_response();
    }
    let retry = e.retry_after_secs().unwrap_or(60);
    let visitor = Visitor {
        signed_in: false,
        display: String::new(),
        subject: false,
        csrf: None,
    };
    let mut resp = html_response(
        StatusCode::TOO_MANY_REQUESTS,
        layout(
            "请求过于频繁",
            Section::Portal,
            PORTAL_NAV,
            "",
            &visitor,
            html! {
                div.notice.err role="alert" #rate-limited data-code=(e.code()) { (e.to_string()) }
                p { "为保障平台正常运行，同一网络地址在一段时间内的提交、查询和登录次数有上限。您填写的内容没有提交，请稍后返回上一页重新提交。" }
                p { a href="/" { "返回首页" } " · " a href="/portal/track" { "办件查询" } }
            },
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&retry.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}
