//! Liveness, readiness, metrics and the change-log head.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;
use chengxin_access::Permission as P;
use chengxin_app::health::{self, LogHead, Ready};

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` while the process serves requests.
    pub status: String,
    pub version: String,
}

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Readiness: the database answers and is migrated.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Ready), (status = 503, body = crate::error::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Ready>> {
    let operator = [P::SettingsManage, P::AuditRead, P::LogVerify]
        .into_iter()
        .any(|p| caller.has(p));
    Ok(Json(health::readiness(&state, operator).await?))
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(c) = health::calendar_coverage(&state).await {
        state
            .metrics
            .calendar_days_left
            .set(c.days_left.unwrap_or(i64::MIN));
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}

/// The head of the tamper-evident change log and the keys that sign it.
#[utoipa::path(get, path = "/api/v1/log/head", tag = "log",
    responses((status = 200, body = LogHead)))]
pub async fn log_head(State(state): State<AppState>) -> ApiResult<Json<LogHead>> {
    Ok(Json(health::log_head(&state).await?))
}
