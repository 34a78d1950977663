//! Closed-loop cases (闭环) of list entries.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

/// A closed-loop case (闭环): the domain's `Case` as JSON plus the columns queries need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRow {
    /// `<entry id>/<department>`.
    pub id: String,
    pub entry_id: Uuid,
    /// Implementing-department role code.
    pub department: String,
    /// Division code (GB/T 2260) of the department that recognised the entry: the region the
    /// case belongs to.
    #[serde(default)]
    pub region: Option<String>,
    /// Last step done.
    pub step: String,
    /// Due date of the next step (`None` once reported or lifted).
    pub next_due: Option<chrono::NaiveDate>,
    pub lifted: bool,
    /// `chengxin_domain::lists::Case`.
    pub state: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CaseFilter {
    pub entry_id: Option<Uuid>,
    pub department: Option<String>,
    /// Only cases still running (not lifted, a next step due).
    pub open_only: bool,
    pub limit: Option<i64>,
}

/// Closed-loop cases (闭环) of list entries.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Insert `new` cases and apply `updated` ones (each with the version it replaces) in one
    /// transaction.
    async fn write_cases(
        &self,
        actor: &str,
        new: &[CaseRow],
        updated: &[(CaseRow, i64)],
    ) -> Result<()>;
    async fn case(&self, id: &str) -> Result<Option<CaseRow>>;
    async fn cases(&self, f: &CaseFilter) -> Result<Vec<CaseRow>>;
}
