//! The closed loop (闭环) for implementing departments: their cases, signing for, applying
//! and reporting back; the per-department feedback rate for the credit office.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::input::json_error;
use super::input::query_error;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::cases;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// Implementing-department role code (e.g. `finance`).
    pub department: Option<String>,
    /// Only running cases (default true).
    pub open: Option<bool>,
}

/// Who may list cases: implementing departments (their own roles') and the credit office
/// (every department's, read-only).
pub const READERS: &[chengxin_access::Permission] = &[
    chengxin_access::Permission::CasesHandle,
    chengxin_access::Permission::CasesManage,
];

/// Cases (inbox), with their next deadline.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CasesQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<CasesQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<chengxin_store::CaseRow>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        cases::list(&state, &caller, q.department, q.open.unwrap_or(true)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AdvanceRequest {
    /// What was done (required for 实施 and 反馈).
    pub note: Option<String>,
    pub expected_version: i64,
}

/// Do a case's next step today (签收, 实施, 反馈).
#[utoipa::path(post, path = "/api/v1/cases/{id}/advance", tag = "cases", request_body = AdvanceRequest,
    params(("id" = String, Path, description = "Case id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn advance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<AdvanceRequest>, JsonRejection>,
) -> ApiResult<Json<chengxin_store::CaseRow>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        cases::advance_by(
            &state,
            &caller,
            &id,
            req.note.as_deref(),
            req.expected_version,
        )
        .await?,
    ))
}

/// 反馈率 per implementing department.
#[utoipa::path(get, path = "/api/v1/cases/feedback", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn feedback(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        cases::feedback(state.store.as_ref(), state.today()).await?,
    ))
}
