//! The PostgreSQL backend: production, and through PostgreSQL-compatible engines the path
//! past one machine.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::Backend;

pub(crate) type Db = sqlx::Postgres;
pub(crate) type UuidCol = Uuid;
pub(crate) type Inner = PgStore;
pub(crate) const BACKEND: Backend = Backend::Postgres;
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub(crate) fn enc(u: Uuid) -> UuidCol {
    u
}
pub(crate) fn dec(c: UuidCol) -> Uuid {
    c
}

// The shared implementation is compiled once per backend on purpose (see common.rs).
#[allow(clippy::duplicate_mod)]
#[path = "batch.rs"]
mod batch;
#[allow(clippy::duplicate_mod)]
#[path = "common.rs"]
mod common;

/// Statements run at the start of a batch transaction. PostgreSQL: the records table grows
/// from empty inside the transaction, so a cached generic plan chosen while it was small
/// would keep scanning it sequentially; custom plans see its real size.
pub(crate) const BATCH_SETUP: &[&str] = &["SET LOCAL plan_cache_mode = force_custom_plan"];

/// `former_names` as text, for LIKE searches (JSON text on SQLite, JSONB on PostgreSQL).
pub(crate) const FORMER_NAMES_TEXT: &str = "former_names::text";

pub struct PgStore {
    pub(crate) pool: sqlx::PgPool,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self> {
        let opts = PgConnectOptions::from_str(url).map_err(|e| {
            StoreError::UnsupportedUrl(format!("{}（{e}）", crate::redact_url(url)))
        })?;
        Self::open_with(opts).await
    }

    pub async fn open_with(opts: PgConnectOptions) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(db) => StoreError::Unreachable(db.message().to_string()),
                other => StoreError::Unreachable(other.to_string()),
            })?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &sqlx::PgPool {
        &self.pool
    }
}
