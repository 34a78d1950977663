//! Check / intercept (核查拦截): a scenario plus up to 10,000 parties → per party a verdict,
//! the matching list entries and records with why each matched, and the measures that apply.
//! Every check gets an id and is query-logged; its outcome can be reported back.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;

use super::input::{json_error, parse_id};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::checks::{self, CheckRequest, CheckResponse, OutcomeReport};

/// Check parties in a scenario.
#[utoipa::path(post, path = "/api/v1/checks", tag = "checks", request_body = CheckRequest,
    security(("bearer" = [])),
    responses((status = 200, body = CheckResponse), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CheckRequest>, JsonRejection>,
) -> ApiResult<Json<CheckResponse>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(checks::check(&state, &caller, req).await?))
}

/// Report back what was done with a check's result (闭环反馈).
#[utoipa::path(post, path = "/api/v1/checks/{id}/outcome", tag = "checks", request_body = OutcomeReport,
    params(("id" = String, Path, description = "Check id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<OutcomeReport>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    checks::outcome(&state, &caller, id, &req).await?;
    Ok(Json(serde_json::json!({"check_id": id, "recorded": true})))
}
