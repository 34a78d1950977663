//! Records: read with history, lifecycle transitions, the manual-linking queue, reports.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::free_text::RecordTextsView;
use chengxin_app::records::{self, RecordWithHistory, TransitionRequest};

use super::input::{json_error, parse_id, query_error};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// Why non-public data is looked up (required for non-public records; query-logged).
    pub purpose: Option<String>,
}

/// A record with its full history.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "records",
    params(("id" = String, Path, description = "Record id (UUID)"), ReadParams),
    security(("bearer" = [])),
    responses((status = 200, body = RecordWithHistory), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<ReadParams>, QueryRejection>,
) -> ApiResult<Json<RecordWithHistory>> {
    let id = parse_id(&id)?;
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        records::read(&state, &caller, id, q.purpose.as_deref()).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FreeTextRequest {
    /// Why the text as given is needed (required, recorded in the query log).
    pub purpose: String,
}

/// A record's free texts as given: ID numbers typed into free text (违法事实, a name, a note)
/// are stored and served masked; this opens the text as submitted. Needs
/// `personal_data_decrypt` for one of the record's regions; every call is logged with its
/// purpose.
#[utoipa::path(post, path = "/api/v1/records/{id}/free-text", tag = "records",
    params(("id" = String, Path, description = "Record id (UUID)")), request_body = FreeTextRequest,
    security(("bearer" = [])),
    responses((status = 200, body = RecordTextsView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn free_text(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<FreeTextRequest>, JsonRejection>,
) -> ApiResult<Json<RecordTextsView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        chengxin_app::free_text::open(&state, &caller, id, &req.purpose).await?,
    ))
}

/// Apply a lifecycle action to a record. Illegal transitions answer 400 `illegal_transition`;
/// a stale `expected_version` answers 409 `version_conflict`.
#[utoipa::path(post, path = "/api/v1/records/{id}/transitions", tag = "records",
    params(("id" = String, Path, description = "Record id (UUID)")),
    request_body = TransitionRequest, security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<TransitionRequest>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    let r = records::request_transition(&state, &caller, id, req).await?;
    Ok(Json(records::shown(&r)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelinessParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only this department (USCC).
    pub dept: Option<String>,
}

/// 双公示 timeliness: share of licences and penalties public within 7 working days of the
/// decision, per department, with the late records listed.
#[utoipa::path(get, path = "/api/v1/reports/timeliness", tag = "reports", params(TimelinessParams),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn timeliness(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<TimelinessParams>, QueryRejection>,
) -> ApiResult<Json<chengxin_domain::reports::TimelinessReport>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        chengxin_app::reports::timeliness_for(&state, &caller, q.from, q.to, q.dept.as_deref())
            .await?,
    ))
}

/// Records waiting to be linked to a subject by hand, with suggested candidates.
#[utoipa::path(get, path = "/api/v1/link-queue", tag = "records", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>)))]
pub async fn link_queue(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<chengxin_store::LinkRequest>>> {
    Ok(Json(records::link_queue(&state, &caller).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkRequestBody {
    pub subject_id: Uuid,
}

/// Link a queued record to a subject.
#[utoipa::path(post, path = "/api/v1/link-queue/{record_id}", tag = "records",
    params(("record_id" = String, Path, description = "Record id")), request_body = LinkRequestBody,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    Path(record_id): Path<String>,
    body: Result<Json<LinkRequestBody>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_id(&record_id)?;
    let Json(req) = body.map_err(json_error)?;
    let r = records::link(&state, &caller, id, req.subject_id).await?;
    Ok(Json(records::shown(&r)?))
}
