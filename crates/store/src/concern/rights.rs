//! Credit rights (issue 7): objections, repair applications, their evidence files.

use async_trait::async_trait;
use chengxin_domain::records::Record;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::ListEntryRow;

/// An objection, repair application or rights decision (issue 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub tracking_no: String,
    /// `objection`, `repair`, `tolerance`, `mitigation`.
    pub kind: String,
    /// `record` or `list_entry`.
    pub target_kind: String,
    pub target_id: String,
    pub subject_id: Option<Uuid>,
    pub department: String,
    pub state: String,
    pub due: Option<chrono::NaiveDate>,
    /// `chengxin_domain::rights::Application`.
    pub body: serde_json::Value,
    /// SHA-256 (hex) of the applicant's access code.
    pub access_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApplicationFilter {
    pub kind: Option<String>,
    pub state: Option<String>,
    pub department: Option<String>,
    pub subject_id: Option<Uuid>,
    pub target_id: Option<String>,
    /// Only those still waiting for a step (a due date set).
    pub open_only: bool,
    pub limit: Option<i64>,
}

/// An evidence file (证明材料) of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    pub id: Uuid,
    pub application_id: Uuid,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    pub material: Option<String>,
    #[serde(skip)]
    pub content: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// What an application step does to its target, in the same transaction.
#[derive(Debug, Clone)]
pub enum TargetChange {
    None,
    Record(crate::RecordChange),
    /// A list entry's new state and the version it replaces.
    ListEntry(Box<ListEntryRow>, i64),
}

/// Credit rights (issue 7): applications and their evidence files.
#[async_trait]
pub trait RightsStore: Send + Sync {
    /// Write an application — new when `expected_version` is `None`, else its next state —
    /// together with its effect on the record or list entry, in one transaction. A stale
    /// `expected_version` is a `Conflict` and nothing is written. Returns the changed record.
    async fn write_application(
        &self,
        actor: &str,
        a: &ApplicationRow,
        expected_version: Option<i64>,
        change: TargetChange,
    ) -> Result<Option<Record>>;
    /// Store an evidence file with the application's new state listing it (at
    /// `expected_version`).
    async fn add_evidence(
        &self,
        actor: &str,
        a: &ApplicationRow,
        expected_version: i64,
        f: &EvidenceFile,
    ) -> Result<()>;
    async fn application(&self, id: Uuid) -> Result<Option<ApplicationRow>>;
    async fn application_by_tracking(&self, tracking_no: &str) -> Result<Option<ApplicationRow>>;
    async fn applications(&self, f: &ApplicationFilter) -> Result<Vec<ApplicationRow>>;
    async fn evidence_file(&self, id: Uuid) -> Result<Option<EvidenceFile>>;
    /// Bytes of evidence stored since `since` (the daily evidence quota).
    async fn evidence_bytes_since(&self, since: DateTime<Utc>) -> Result<i64>;
}
