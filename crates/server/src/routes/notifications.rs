//! Notifications (issue 18): the caller's inbox, marking an item read, a body's webhook.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_access::Permission as P;
use chengxin_app::notify::webhook::{WebhookRequest, WebhookView};
use chengxin_app::notify::{self as svc, InboxItem};
use serde::{Deserialize, Serialize};

use super::input::{json_error, parse_id, query_error};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// Who may see and set a body's webhook (its own departments; the credit office for bodies of
/// its region).
pub const WEBHOOK_MANAGERS: &[P] = &[P::CommitmentsManage, P::AssignmentsHandle, P::CasesHandle];

/// Inbox query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// Only unread items.
    pub unread: Option<bool>,
}

/// The inbox and its unread count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unread: i64,
    pub items: Vec<InboxItem>,
}

/// The caller's inbox (its account's, its body's and — the credit office — its region's).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(InboxParams),
    security(("bearer" = [])),
    responses((status = 200, body = Inbox), (status = 401, body = crate::error::ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<InboxParams>, QueryRejection>,
) -> ApiResult<Json<Inbox>> {
    let Query(q) = q.map_err(query_error)?;
    let items = svc::inbox(&state, &caller, q.unread.unwrap_or(false)).await?;
    let unread = svc::unread(&state, &caller).await?;
    Ok(Json(Inbox { unread, items }))
}

/// Mark an item read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = String, Path, description = "Item id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let changed = svc::mark_read(&state, &caller, parse_id(&id)?).await?;
    Ok(Json(
        serde_json::json!({ "read": true, "changed": changed }),
    ))
}

/// Query naming a body.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BodyParams {
    /// The body's USCC (the caller's own when absent).
    pub body: Option<String>,
}

/// A body's webhook and its recent deliveries (status, attempts, last error).
#[utoipa::path(get, path = "/api/v1/webhook", tag = "notifications", params(BodyParams),
    security(("bearer" = [])),
    responses((status = 200, body = WebhookView), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn webhook(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<BodyParams>, QueryRejection>,
) -> ApiResult<Json<WebhookView>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        svc::webhook::view(&state, &caller, q.body.as_deref()).await?,
    ))
}

/// Set a body's webhook (address, signing secret, on/off).
#[utoipa::path(post, path = "/api/v1/webhook", tag = "notifications", request_body = WebhookRequest,
    security(("bearer" = [])),
    responses((status = 200, body = WebhookView), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn set_webhook(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<WebhookRequest>, JsonRejection>,
) -> ApiResult<Json<WebhookView>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::webhook::put(&state, &caller, req).await?))
}
