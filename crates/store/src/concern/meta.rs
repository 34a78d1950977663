//! Store metadata: backend, migrations, the loaded catalog and key/value settings.

use async_trait::async_trait;
use chengxin_domain::catalog::Catalog;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::changelog::LogSigner;
use crate::error::Result;

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A catalog type as loaded into the store at `migrate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogTypeRow {
    pub code: String,
    pub name: String,
    pub catalog_version: String,
    pub digest: String,
    pub definition: serde_json::Value,
    pub updated_at: DateTime<Utc>,
}

/// A key/value setting (e.g. whether demo data was loaded). Logged like everything else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetaRow {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MigrateReport {
    pub backend: Option<Backend>,
    pub catalog_types_added: usize,
    pub catalog_types_updated: usize,
    pub catalog_types_unchanged: usize,
    /// Existing list entries given their recognising body's code and region (once, after
    /// migration 0011).
    pub list_entries_backfilled: usize,
    /// Subjects given their search index rows (those written before migration 0018, once).
    pub subjects_indexed: usize,
    pub signing_key_id: String,
}

/// Connection, migrations, the loaded catalog and key/value settings.
#[async_trait]
pub trait MetaStore: Send + Sync {
    fn backend(&self) -> Backend;
    async fn ping(&self) -> Result<()>;
    /// Close all connections (SQLite checkpoints its WAL into the main file).
    async fn close(&self);
    /// Apply migrations, register the log-signing key, load the catalog (idempotent).
    async fn migrate(
        &self,
        catalog: &Catalog,
        signer: &LogSigner,
        actor: &str,
    ) -> Result<MigrateReport>;
    async fn is_migrated(&self) -> Result<bool>;
    async fn catalog_types(&self) -> Result<Vec<CatalogTypeRow>>;
    async fn meta(&self, key: &str) -> Result<Option<String>>;
    async fn set_meta(&self, actor: &str, key: &str, value: &str) -> Result<()>;
}
