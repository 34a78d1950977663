//! Portal content (门户内容): write a draft, edit, publish, withdraw (`PortalManage`).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use chengxin_app::portal_pages::{self, DraftRequest, PageActionRequest};
use chengxin_store::PortalPageRow;

use super::input::{json_error, parse_id};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// Write a draft announcement or policy page (not shown to the public until published).
#[utoipa::path(post, path = "/api/v1/portal/pages", tag = "portal", request_body = DraftRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn draft(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<DraftRequest>, JsonRejection>,
) -> ApiResult<Json<PortalPageRow>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(portal_pages::draft(&state, &caller, req).await?))
}

/// Edit, publish or withdraw a page, at the version the editor saw.
#[utoipa::path(post, path = "/api/v1/portal/pages/{id}/actions", tag = "portal",
    request_body = PageActionRequest,
    params(("id" = String, Path, description = "Page id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<PageActionRequest>, JsonRejection>,
) -> ApiResult<Json<PortalPageRow>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(portal_pages::act(&state, &caller, id, req).await?))
}
