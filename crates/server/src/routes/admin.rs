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
use chengxin_app::accounts::{
    self, AccountView, GrantView, IssuedAccount, IssuedToken, NewAccount, NewToken, RoleChange,
};

/// The accounts of the administrator's region and below (no password hashes or secrets).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<AccountView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<AccountView>>> {
    Ok(Json(accounts::list(&state, &caller).await?))
}

/// Create an account; the one-time password (and TOTP enrolment URI) are shown once. A role
/// that needs a second person's approval (credit office, auditor, administrator, any role at
/// national scope) is not given: it waits in `pending_grant` until another administrator or
/// the region's credit office approves it.
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
    /// unlock, disable, enable, reset_password, reset_totp
    pub action: String,
}

/// Unlock, disable, enable an account, reset its password (a new one-time password is
/// returned once) or its second factor (a new TOTP enrolment URI is returned once). Nobody
/// disables or resets its own account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/actions", tag = "admin", request_body = AccountAction,
    params(("id" = String, Path, description = "Account id")), security(("bearer" = [])),
    responses((status = 200, body = accounts::AdminChange), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn account_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<AccountAction>, JsonRejection>,
) -> ApiResult<Json<accounts::AdminChange>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        accounts::admin_change_by(&state, &caller, id, &req.action).await?,
    ))
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct RolesRequest {
    /// The account's roles after the change, e.g. `["credit_office"]`.
    pub roles: Vec<String>,
}

/// Set an account's roles. Removals apply at once; a role that needs a second person's
/// approval waits in `pending_grant`. Nobody changes its own roles.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/roles", tag = "admin", request_body = RolesRequest,
    params(("id" = String, Path, description = "Account id")), security(("bearer" = [])),
    responses((status = 200, body = RoleChange), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn change_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<RolesRequest>, JsonRejection>,
) -> ApiResult<Json<RoleChange>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        accounts::change_roles_by(&state, &caller, id, &req.roles).await?,
    ))
}

/// The role grants of the caller's region and below: pending ones and the record of those
/// decided or given at the server's command line (administrators, the credit office, the
/// auditor).
#[utoipa::path(get, path = "/api/v1/role-grants", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<GrantView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_grants(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<GrantView>>> {
    Ok(Json(accounts::grants_by(&state, &caller).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantDecision {
    /// `true` approves (the account gets the roles), `false` refuses.
    pub approve: bool,
    pub note: Option<String>,
}

/// Approve or refuse a pending role grant: another administrator or the region's credit
/// office, never the one who asked for it nor the account itself.
#[utoipa::path(post, path = "/api/v1/role-grants/{id}/decision", tag = "admin", request_body = GrantDecision,
    params(("id" = String, Path, description = "Grant id")), security(("bearer" = [])),
    responses((status = 200, body = GrantView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn decide_grant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<GrantDecision>, JsonRejection>,
) -> ApiResult<Json<GrantView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        accounts::decide_grant_by(&state, &caller, id, req.approve, req.note).await?,
    ))
}
