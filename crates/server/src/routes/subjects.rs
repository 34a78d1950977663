//! Subjects: the sealed ID number, opened only for entitled roles, with a stated purpose,
//! and query-logged (查询留痕).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::input::{json_error, parse_id};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::subjects::{self, IdentityView};

#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentityRequest {
    /// Why the number is needed (required, recorded in the query log).
    pub purpose: String,
}

/// Open a person's ID number. Needs `personal_data_decrypt` and the subject within the
/// caller's jurisdiction; every call is logged with its purpose.
#[utoipa::path(post, path = "/api/v1/subjects/{id}/identity", tag = "subjects",
    params(("id" = String, Path, description = "Subject id")), request_body = IdentityRequest,
    security(("bearer" = [])),
    responses((status = 200, body = IdentityView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn identity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<IdentityRequest>, JsonRejection>,
) -> ApiResult<Json<IdentityView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        subjects::open_identity(&state, &caller, id, &req.purpose).await?,
    ))
}
