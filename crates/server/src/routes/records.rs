//! Records: read with history, lifecycle transitions, the manual-linking queue, reports.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_domain::records::RecordAction;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::services;
use crate::AppState;

fn json_error(e: JsonRejection) -> ApiError {
    ApiError::bad_request("invalid_json", format!("请求体错误：{}", e.body_text()))
}

fn query_error(e: QueryRejection) -> ApiError {
    ApiError::bad_request("invalid_query", format!("查询参数错误：{}", e.body_text()))
}

fn parse_id(s: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(s)
        .map_err(|_| ApiError::bad_request("invalid_id", format!("“{s}”不是合法的编号")))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordWithHistory {
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<serde_json::Value>,
}

/// A record with its full history.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "records",
    params(("id" = String, Path, description = "Record id (UUID)")),
    security(("bearer" = [])),
    responses((status = 200, body = RecordWithHistory), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_record(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RecordWithHistory>> {
    let id = parse_id(&id)?;
    let record = state.store.record(id).await?.ok_or(ApiError::NotFound)?;
    let history = state.store.record_history(id).await?;
    Ok(Json(RecordWithHistory {
        record: serde_json::to_value(&record).map_err(|e| ApiError::Unavailable(e.to_string()))?,
        history: history
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()
            .map_err(|e| ApiError::Unavailable(e.to_string()))?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// publish, correct, revoke, tolerate, expire
    pub action: String,
    /// The version the caller last saw (optimistic concurrency).
    pub expected_version: i64,
    /// Reason / approving note (required for tolerate).
    pub note: Option<String>,
    /// New field values (correct only).
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
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
    let action = RecordAction::parse(&req.action).ok_or_else(|| {
        ApiError::bad_request("unknown_action", format!("未知的操作“{}”", req.action))
    })?;
    if action == RecordAction::Repair {
        return Err(ApiError::bad_request(
            "use_repair_workflow",
            "信用修复须通过修复申请流程办理",
        ));
    }
    let r = services::records::transition(
        state.store.as_ref(),
        &caller.actor,
        id,
        action,
        req.expected_version,
        req.note,
        req.fields,
    )
    .await?;
    Ok(Json(
        serde_json::to_value(&r).map_err(|e| ApiError::Unavailable(e.to_string()))?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
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
    _caller: Caller,
    q: Result<Query<TimelinessParams>, QueryRejection>,
) -> ApiResult<Json<chengxin_domain::reports::TimelinessReport>> {
    let Query(q) = q.map_err(query_error)?;
    let today = chrono::Utc::now();
    let report = services::reports::timeliness(
        state.store.as_ref(),
        q.from,
        q.to,
        q.dept.as_deref(),
        chengxin_domain::reports::china_date(today),
    )
    .await?;
    Ok(Json(report))
}

/// Records waiting to be linked to a subject by hand, with suggested candidates.
#[utoipa::path(get, path = "/api/v1/link-queue", tag = "records", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>)))]
pub async fn link_queue(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<chengxin_store::LinkRequest>>> {
    Ok(Json(state.store.link_queue(500).await?))
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
    let r = state
        .store
        .link_record(&caller.actor, id, req.subject_id)
        .await?;
    Ok(Json(
        serde_json::to_value(&r).map_err(|e| ApiError::Unavailable(e.to_string()))?,
    ))
}
