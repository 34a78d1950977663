//! Lists (名单): propose an entry, move it through publicity, effect and removal.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_store::ListEntryRow;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::lists::{self, EntryActionRequest, ProposeRequest};

use super::input::{json_error, parse_id, query_error};

/// Propose an entry on a list (认定): it starts as `proposed`.
#[utoipa::path(post, path = "/api/v1/lists/{code}/entries", tag = "lists", request_body = ProposeRequest,
    params(("code" = String, Path, description = "List code")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Result<Json<ProposeRequest>, JsonRejection>,
) -> ApiResult<Json<ListEntryRow>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(lists::propose(&state, &caller, &code, req).await?))
}

/// Move an entry through its procedure (dates on the official calendar).
#[utoipa::path(post, path = "/api/v1/list-entries/{id}/actions", tag = "lists", request_body = EntryActionRequest,
    params(("id" = String, Path, description = "Entry id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<EntryActionRequest>, JsonRejection>,
) -> ApiResult<Json<ListEntryRow>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(lists::act(&state, &caller, id, req).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryParams {
    /// Why the entry is looked up (required, at least two characters; query-logged).
    pub purpose: Option<String>,
}

/// An entry with its procedure history: for a caller whose jurisdiction is in line with the
/// entry's region (own, below or above, never a sibling's), with a purpose; query-logged.
#[utoipa::path(get, path = "/api/v1/list-entries/{id}", tag = "lists",
    params(("id" = String, Path, description = "Entry id"), EntryParams), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<EntryParams>, QueryRejection>,
) -> ApiResult<Json<ListEntryRow>> {
    let id = parse_id(&id)?;
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        lists::entry(&state, &caller, id, q.purpose.as_deref()).await?,
    ))
}
