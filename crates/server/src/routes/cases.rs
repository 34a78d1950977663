//! The closed loop (闭环) for implementing departments: their cases, signing for, applying
//! and reporting back; the per-department feedback rate for the credit office.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

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

/// Who may list and act on cases: implementing departments (the cases sent to them: 签收, 实施,
/// 反馈) and the credit office (every department's in its region; 分发).
pub const READERS: &[chengxin_access::Permission] = &[
    chengxin_access::Permission::CasesHandle,
    chengxin_access::Permission::CasesManage,
];

/// Cases (inbox), with their next deadline (`due_provisional`: counted Monday–Friday over a
/// year whose holidays are not loaded yet).
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CasesQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<CasesQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<chengxin_app::calendar::WithDue<chengxin_store::CaseRow>>>> {
    let Query(q) = q.map_err(query_error)?;
    let rows = cases::list(&state, &caller, q.department, q.open.unwrap_or(true)).await?;
    Ok(Json(
        chengxin_app::calendar::mark_due(state.store.as_ref(), rows, |r| r.next_due).await?,
    ))
}

/// Do a case's next step today: 分发 (the credit office of the case's region, optionally
/// naming the department), 签收, 实施, 反馈 (the department it was sent to).
#[utoipa::path(post, path = "/api/v1/cases/{id}/advance", tag = "cases", request_body = cases::AdvanceRequest,
    params(("id" = String, Path, description = "Case id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn advance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<cases::AdvanceRequest>, JsonRejection>,
) -> ApiResult<Json<chengxin_store::CaseRow>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(cases::advance_by(&state, &caller, &id, &req).await?))
}

/// 反馈率 and timeliness per implementing department (body), and the credit office's 分发, for
/// the cases of the caller's region, those below it and those above it.
#[utoipa::path(get, path = "/api/v1/cases/feedback", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = cases::FeedbackReport), (status = 403, body = crate::error::ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<cases::FeedbackReport>> {
    Ok(Json(cases::feedback(&state, &caller).await?))
}
