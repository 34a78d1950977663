//! Response headers every answer carries: `X-Content-Type-Options: nosniff` everywhere, and
//! `Cache-Control: no-store` on the API (answers carry personal data and must not sit in a
//! browser's or a proxy's cache), unless a handler chose its own (static assets, downloads).
//!
//! Every HTML answer gets its Content-Security-Policy here, with a nonce made for this
//! response alone: the only scripts a page runs are the server's own files and the inline
//! scripts that carry the nonce ([`nonce`], put on them by `pages::script`). No
//! `'unsafe-inline'`, no inline style, nothing from another host. `Strict-Transport-Security`
//! is sent when configured (TLS ends at the reverse proxy: docs/SECURITY.md).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;

use crate::AppState;

tokio::task_local! {
    /// The CSP nonce of the request being answered.
    static NONCE: String;
}

/// The CSP nonce of the response being rendered (every page is rendered inside
/// [`security_headers`]); `None` outside a request, where no inline script may run.
pub fn nonce() -> Option<String> {
    NONCE.try_with(|n| n.clone()).ok()
}

/// What the page frame needs to know about the request being answered besides the visitor:
/// the site's identity, whether the visitor chose large text (适老化, the `cx_large` cookie)
/// and the path (for the large-text switch to come back to).
#[derive(Clone, Debug, Default)]
pub struct PageCtx {
    pub site: std::sync::Arc<chengxin_app::SiteIdentity>,
    pub large_text: bool,
    pub path: String,
}

tokio::task_local! {
    static PAGE: PageCtx;
}

/// The frame context of the request being answered (defaults outside a request).
pub fn page_ctx() -> PageCtx {
    PAGE.try_with(|p| p.clone()).unwrap_or_default()
}

/// The name of the cookie of the large-text mode.
pub const LARGE_TEXT_COOKIE: &str = "cx_large";

fn wants_large_text(req: &Request) -> bool {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == "cx_large=1")
}

/// 128 random bits, hex (a valid CSP nonce value).
fn new_nonce() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The policy of an HTML answer whose inline scripts carry `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; \
         script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The `Strict-Transport-Security` value for a max-age in seconds (`None`: no header).
pub fn hsts_value(max_age_secs: Option<u64>) -> Option<HeaderValue> {
    max_age_secs
        .filter(|s| *s > 0)
        .and_then(|s| HeaderValue::from_str(&format!("max-age={s}")).ok())
}

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let nonce = new_nonce();
    let ctx = PageCtx {
        site: state.site.clone(),
        large_text: wants_large_text(&req),
        path: req.uri().path().to_string(),
    };
    let mut resp = NONCE
        .scope(nonce.clone(), PAGE.scope(ctx, next.run(req)))
        .await;
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let h = resp.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    if api {
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    if html {
        if let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    if let Some(v) = hsts_value(state.auth.hsts_max_age_secs) {
        h.insert(header::STRICT_TRANSPORT_SECURITY, v);
    }
    resp
}
