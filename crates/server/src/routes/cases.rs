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
use crate::error::{ApiResult, AppError};
use crate::AppState;
use chengxin_app as services;
use chengxin_app::cases::CaseReach;

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
    // An implementing department sees the cases of the roles its body acts in, no others.
    let reach = CaseReach::of(&state, &caller)?;
    if let Some(d) = q.department.as_deref().filter(|d| !reach.covers(d)) {
        return Err(AppError::forbidden(
            "case_department_forbidden",
            format!("本单位不承担“{d}”角色的联合奖惩措施，不能查看其案件"),
        )
        .into());
    }
    let mut rows = reach
        .cases(
            state.store.as_ref(),
            &chengxin_store::CaseFilter {
                department: q.department,
                open_only: q.open.unwrap_or(true),
                limit: Some(10_000),
                ..Default::default()
            },
        )
        .await?;
    // Most urgent first; finished cases (no next step) last.
    rows.sort_by(|a, b| {
        (a.next_due.is_none(), a.next_due, &a.id).cmp(&(b.next_due.is_none(), b.next_due, &b.id))
    });
    Ok(Json(rows))
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
        services::cases::advance(
            state.store.as_ref(),
            &CaseReach::of(&state, &caller)?,
            &caller.actor,
            &id,
            req.note.as_deref(),
            req.expected_version,
            state.today(),
        )
        .await?,
    ))
}

/// 反馈率 per implementing department.
#[utoipa::path(get, path = "/api/v1/cases/feedback", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn feedback(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        services::cases::feedback(state.store.as_ref(), state.today()).await?,
    ))
}
