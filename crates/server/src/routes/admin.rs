//! Administration: accounts (账号) and API tokens (接口令牌). Administrators manage them but,
//! by their role, cannot read personal data or change records.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::input::{json_error, parse_id};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::accounts::{self, AccountView, IssuedAccount, IssuedToken, NewAccount, NewToken};

/// The accounts of the administrator's region and below (no password hashes or secrets).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<AccountView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<AccountView>>> {
    Ok(Json(accounts::list(&state, &caller).await?))
}

/// Create an account; the one-time password (and TOTP enrolment URI) are shown once.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "admin", request_body = NewAccount,
    security(("bearer" = [])),
    responses((status = 200, body = IssuedAccount), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn create_account(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewAccount>, JsonRejection>,
) -> ApiResult<Json<IssuedAccount>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        accounts::create_account_by(&state, &caller, req).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AccountAction {
    /// unlock, disable, enable, reset_password
    pub action: String,
}

/// Unlock, disable, enable an account or reset its password (a new one-time password is
/// returned once).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/actions", tag = "admin", request_body = AccountAction,
    params(("id" = String, Path, description = "Account id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn account_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<AccountAction>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    let (a, password) = accounts::admin_change_by(&state, &caller, id, &req.action).await?;
    Ok(Json(serde_json::json!({
        "account": AccountView::from(&a),
        "one_time_password": password,
    })))
}

/// The API tokens scoped to the administrator's region and below (hashes are never returned).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<serde_json::Value>>> {
    Ok(Json(accounts::token_list(&state, &caller).await?))
}

/// Issue a token for a department or external system; the token is shown once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "admin", request_body = NewToken,
    security(("bearer" = [])),
    responses((status = 200, body = IssuedToken), (status = 400, body = crate::error::ErrorBody)))]
pub async fn issue_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewToken>, JsonRejection>,
) -> ApiResult<Json<IssuedToken>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(accounts::issue_token_by(&state, &caller, req).await?))
}

/// Revoke a token (at once, for every server process).
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "admin",
    params(("id" = String, Path, description = "Token id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_id(&id)?;
    let t = accounts::revoke(&state, &caller, id).await?;
    Ok(Json(
        serde_json::json!({"id": t.id, "revoked_at": t.revoked_at}),
    ))
}
