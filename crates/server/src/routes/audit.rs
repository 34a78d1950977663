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

/// What a run of `verify` found, for the auditor: the store's report and its summary in
/// Chinese.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct VerifyAnswer {
    pub ok: bool,
    pub entries: i64,
    pub rows_checked: u64,
    pub last_signed_seq: Option<i64>,
    pub head_hash: String,
    /// The problems found, in Chinese.
    pub problems: Vec<String>,
    /// 校验通过…/校验失败…
    pub message: String,
}

/// Run `verify` on the change log (chain, checkpoints against the trusted key, every row's
/// digest); the run is audited.
#[utoipa::path(post, path = "/api/v1/audit/verify", tag = "audit",
    security(("bearer" = [])),
    responses((status = 200, body = VerifyAnswer), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<VerifyAnswer>> {
    let r = audit::verify(&state, &caller).await?;
    let problems: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
    let message = if r.ok {
        format!(
            "校验通过：变更日志 {} 条，核对数据 {} 行，未发现篡改",
            r.entries, r.rows_checked
        )
    } else {
        format!("校验未通过：发现 {} 处问题", problems.len())
    };
    Ok(Json(VerifyAnswer {
        ok: r.ok,
        entries: r.entries,
        rows_checked: r.rows_checked,
        last_signed_seq: r.last_signed_seq,
        head_hash: r.head_hash,
        problems,
        message,
    }))
}
