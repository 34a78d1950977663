//! Liveness, readiness, metrics and the change-log head.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiResult, AppError};
use crate::AppState;

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

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    pub status: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub log_seq: i64,
}

/// Readiness: the database answers and is migrated.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Ready), (status = 503, body = crate::error::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Ready>> {
    let store = &state.store;
    store.ping().await.map_err(AppError::unavailable)?;
    let (seq, _) = store.log_head().await.map_err(AppError::unavailable)?;
    Ok(Json(Ready {
        status: "ready".into(),
        backend: match store.backend() {
            chengxin_store::Backend::Sqlite => "sqlite".into(),
            chengxin_store::Backend::Postgres => "postgres".into(),
        },
        log_seq: seq,
    }))
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogHead {
    /// Sequence number of the last change-log entry.
    pub seq: i64,
    /// Hash of the last entry: publish it to make later rewriting detectable.
    pub hash: String,
    /// Registered checkpoint-signing public keys (hex Ed25519).
    pub public_keys: Vec<PublicKey>,
    /// The public key credit reports (信用报告) are signed with (hex Ed25519), if configured.
    pub report_public_keys: Vec<PublicKey>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKey {
    pub key_id: String,
    pub public_key: String,
}

/// The head of the tamper-evident change log and the keys that sign it.
#[utoipa::path(get, path = "/api/v1/log/head", tag = "log",
    responses((status = 200, body = LogHead)))]
pub async fn log_head(State(state): State<AppState>) -> ApiResult<Json<LogHead>> {
    let (seq, hash) = state.store.log_head().await?;
    let public_keys = state
        .store
        .public_keys()
        .await?
        .into_iter()
        .map(|(key_id, public_key)| PublicKey { key_id, public_key })
        .collect();
    let report_public_keys = state
        .report_public_key()
        .map(|k| PublicKey {
            key_id: chengxin_report::key_id(&k),
            public_key: hex::encode(k.as_bytes()),
        })
        .into_iter()
        .collect();
    Ok(Json(LogHead {
        seq,
        hash,
        public_keys,
        report_public_keys,
    }))
}
