//! Readiness and the head of the change log with the keys that sign it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::App;

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    pub status: String,
    /// `sqlite` or `postgres` (operators only: administrators, auditors, log verifiers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The change log's length (operators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_seq: Option<i64>,
    /// What an operator should act on while the platform still serves (e.g.
    /// `calendar_coverage_ending`: next year's holidays are not loaded yet).
    pub warnings: Vec<Warning>,
}

/// A warning: a stable code and a Chinese message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

/// How long the working-day calendar in effect still covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarCoverage {
    pub first_year: i32,
    pub last_year: i32,
    /// Days from today to the last covered day (negative past it).
    pub days_left: Option<i64>,
    /// Set from 60 days before the last covered day.
    pub warning: Option<Warning>,
}

/// The calendar's coverage as of today.
pub async fn calendar_coverage(app: &App) -> AppResult<CalendarCoverage> {
    let cal = crate::calendar::in_effect(app.store.as_ref()).await?;
    let today = app.today();
    let years = cal.covered_years();
    Ok(CalendarCoverage {
        first_year: *years.start(),
        last_year: *years.end(),
        days_left: cal.days_until_uncovered(today),
        warning: cal.coverage_warning(today).map(|w| Warning {
            code: w.code().to_string(),
            message: w.message(),
        }),
    })
}

/// Readiness: the database answers and is migrated (unavailable otherwise), with warnings;
/// the backend and the log's length only for an operator (`detail`).
pub async fn readiness(app: &App, detail: bool) -> AppResult<Ready> {
    let store = &app.store;
    store.ping().await.map_err(AppError::unavailable)?;
    let (seq, _) = store.log_head().await.map_err(AppError::unavailable)?;
    let warnings = calendar_coverage(app)
        .await
        .map_err(AppError::unavailable)?
        .warning
        .into_iter()
        .collect();
    Ok(Ready {
        warnings,
        status: "ready".into(),
        backend: detail.then(|| match store.backend() {
            chengxin_store::Backend::Sqlite => "sqlite".into(),
            chengxin_store::Backend::Postgres => "postgres".into(),
        }),
        log_seq: detail.then_some(seq),
    })
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
pub async fn log_head(app: &App) -> AppResult<LogHead> {
    let (seq, hash) = app.store.log_head().await?;
    let public_keys = app
        .store
        .public_keys()
        .await?
        .into_iter()
        .map(|(key_id, public_key)| PublicKey { key_id, public_key })
        .collect();
    let report_public_keys = app
        .report_public_key()
        .map(|k| PublicKey {
            key_id: chengxin_report::key_id(&k),
            public_key: hex::encode(k.as_bytes()),
        })
        .into_iter()
        .collect();
    Ok(LogHead {
        seq,
        hash,
        public_keys,
        report_public_keys,
    })
}
