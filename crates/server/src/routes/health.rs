//! Liveness, readiness, metrics and the change-log head.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Caller, MetricsScrape};
use crate::error::{ApiError, ApiResult, AppError};
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

/// Prometheus metrics (text exposition format), for the scraper only: on the main listener
/// with the configured metrics token (`Authorization: Bearer <CHENGXIN_METRICS_TOKEN>`);
/// without it 401, and 404 when no token is configured (then `/metrics` is served only on
/// the separate `--metrics-listen` address).
#[utoipa::path(get, path = "/metrics", tag = "health", security(("bearer" = [])),
    responses((status = 200, content_type = "text/plain", body = String),
              (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    scrape: Option<Extension<MetricsScrape>>,
) -> Response {
    if scrape.is_some() {
        return render(&state).await.into_response();
    }
    if state.auth.metrics_token.is_none() {
        return ApiError(AppError::NotFound).into_response();
    }
    let mut resp = ApiError(AppError::unauthorized(
        "metrics_token_required",
        "读取监控指标须提供监控令牌（Authorization: Bearer …）",
    ))
    .into_response();
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    resp
}

/// `/metrics` on the separate metrics listener (`--metrics-listen`): whoever reaches that
/// address may scrape.
pub async fn metrics_listener(State(state): State<AppState>) -> Response {
    render(&state).await.into_response()
}

async fn render(state: &AppState) -> impl IntoResponse {
    if let Ok(c) = health::calendar_coverage(state).await {
        state
            .metrics
            .calendar_days_left
            .set(c.days_left.unwrap_or(i64::MIN));
    }
    if let Ok(n) = state.store.search_index_pending().await {
        state.metrics.search_index_pending.set(n);
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
