//! Login (会话): open, inspect and close a session; change one's password.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::json_error;
use crate::auth::{clear_cookie, session_cookie, Caller};
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::accounts::{self, AccountView, LoginRequest};
use chengxin_app::session;

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub account: AccountView,
    /// Echo in the `X-CSRF-Token` header of every state-changing request made with the
    /// session cookie.
    pub csrf_token: String,
}

/// Log in with username, password and (for roles that need it) a TOTP code. The session id
/// comes back only as an HttpOnly, SameSite=Strict cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = SessionView), (status = 401, body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> ApiResult<impl IntoResponse> {
    let Json(req) = body.map_err(json_error)?;
    let done = accounts::login(
        state.store.as_ref(),
        &state.auth,
        &state.pii,
        &req,
        caller.ip.clone(),
    )
    .await?;
    let cookie = session_cookie(&done.session_id, state.auth.cookie_secure);
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(SessionView {
            account: AccountView::from(&done.account),
            csrf_token: done.csrf,
        }),
    ))
}

/// Who is logged in.
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = Object), (status = 401, body = crate::error::ErrorBody)))]
pub async fn whoami(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(session::whoami(&state, &caller).await?))
}

/// Log out: the session ends on the server and the cookie is cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses((status = 200, body = Object), (status = 401, body = crate::error::ErrorBody)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    session::logout(&state, &caller).await?;
    Ok((
        AppendHeaders([(SET_COOKIE, clear_cookie(state.auth.cookie_secure))]),
        Json(serde_json::json!({"ok": true})),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// Change one's own password (policy: length, classes, no reuse of the last five).
#[utoipa::path(post, path = "/api/v1/session/password", tag = "session", request_body = PasswordChange,
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PasswordChange>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Json(req) = body.map_err(json_error)?;
    session::change_password(&state, &caller, &req.current, &req.new).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}
