//! Authentication and authorisation of every request.
//!
//! One middleware ([`authenticate`]) turns the request's credentials into a [`Caller`]: a
//! session cookie (staff in the browser; CSRF-checked on every state-changing request), an
//! API token (`Authorization: Bearer cxt_…`, departments and external systems; rate-limited),
//! or nobody (the public). Bad credentials are refused there and then; they never degrade to
//! anonymous access. Each route then declares what it needs in the route table
//! (`crate::table`), checked by [`require`] before the handler runs; handlers add the
//! jurisdiction check for the item they touch ([`Caller::require_at`]).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chengxin_access::Permission;
pub use chengxin_app::auth::{
    region_prefix, roles_of, session_caller, token_caller, uscc_region, AuthSettings, Caller,
    RequestInfo, TokenCache, Via,
};

use crate::error::{ApiError, AppError};
use crate::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "cx_session";
/// The header pages send the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, ApiError> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_else(|| Caller::anonymous(None)))
    }
}

fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A `/metrics` request that presented the configured metrics token.
#[derive(Debug, Clone, Copy)]
pub struct MetricsScrape;

/// Authenticate the request (see the module docs) and attach the [`Caller`].
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    let session = cookie(&req, SESSION_COOKIE).map(str::to_string);
    let client = crate::client_addr::resolve(&req, &state.auth.trusted_proxies);
    req.extensions_mut().insert(client);
    // The scraper's secret is not an API token: it opens `/metrics` and nothing else.
    if req.uri().path() == "/metrics"
        && bearer
            .as_deref()
            .is_some_and(|t| state.auth.metrics_token_ok(t))
    {
        req.extensions_mut().insert(MetricsScrape);
        req.extensions_mut()
            .insert(Caller::anonymous(client.0.map(|ip| ip.to_string())));
        return next.run(req).await;
    }
    // Taken out before any await: a request body is not `Sync`, so a borrowed request cannot
    // be held across awaits.
    let info = RequestInfo {
        unsafe_method: !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS),
        csrf: req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        ip: client.0.map(|ip| ip.to_string()),
        path: req.uri().path().to_string(),
    };
    let caller = match (bearer, session) {
        (Some(t), _) => token_caller(&state, &info, &t).await,
        (None, Some(s)) => session_caller(&state, &info, &s).await,
        (None, None) => Ok(Caller::anonymous(info.ip.clone())),
    };
    match caller {
        Ok(c) => {
            req.extensions_mut().insert(c);
            next.run(req).await
        }
        Err(e) => ApiError(e).into_response(),
    }
}

/// What a route needs, declared in the route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, the public included (health, reference data, login; public records).
    Open,
    /// Any authenticated account or token.
    Signed,
    /// Holders of this permission (jurisdiction is then checked by the handler).
    Perm(Permission),
    /// Holders of any of these permissions (the handler then checks which one applies to
    /// the item, and where).
    AnyOf(&'static [Permission]),
}

/// The per-route check of the route table's [`Access`].
pub async fn require(access: Access, req: Request, next: Next) -> Response {
    let caller = req
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_else(|| Caller::anonymous(None));
    let verdict = match access {
        Access::Open => Ok(()),
        Access::Signed if caller.is_anonymous() => Err(AppError::unauthorized(
            "login_required",
            "需要登录或提供接口令牌",
        )),
        // An account still on its one-time password may only look at, end or change its
        // session until it has chosen its own password.
        Access::Signed
            if caller.must_change_password && !req.uri().path().starts_with("/api/v1/session") =>
        {
            Err(AppError::forbidden(
                "password_change_required",
                "请先修改初始密码（POST /api/v1/session/password）",
            ))
        }
        Access::Signed => Ok(()),
        Access::Perm(_) | Access::AnyOf(_) if caller.must_change_password => {
            Err(AppError::forbidden(
                "password_change_required",
                "请先修改初始密码（POST /api/v1/session/password）",
            ))
        }
        Access::Perm(p) => caller.require(p),
        Access::AnyOf(ps) => caller.require_any(ps),
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err(e) => ApiError(e).into_response(),
    }
}

/// `Set-Cookie` value for a new session.
pub fn session_cookie(id: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}
