//! Store metadata: backend, migrations, the loaded catalog and key/value settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    pub signing_key_id: String,
}
