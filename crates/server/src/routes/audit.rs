//! The audit trail (审计日志) and query log (查询留痕), for auditors: filter, read, export.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use chengxin_store::AuditEvent;

use super::input::query_error;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::audit::{self, AuditQuery};

/// Audit events, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<AuditEvent>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(audit::list(&state, &caller, q).await?))
}

/// The same as CSV (UTF-8 with BOM for Excel; cells that Excel would run as formulas are
/// neutralised).
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<impl IntoResponse> {
    let Query(q) = q.map_err(query_error)?;
    let out = audit::export_csv(&state, &caller, q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        out,
    ))
}
