//! List entries (名单) and the keyset-paged reads the check index is built from.

use async_trait::async_trait;
use chengxin_domain::records::Record;
use chengxin_domain::subjects::Subject;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

/// A list entry as the store keeps it: the domain's `ListEntry` as JSON plus the columns
/// queries need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListEntryRow {
    pub id: Uuid,
    pub list_code: String,
    pub subject_id: Option<Uuid>,
    /// `proposed`, `publicity`, `effective`, `removed`.
    pub status: String,
    /// `chengxin_domain::lists::ListEntry`.
    pub entry: serde_json::Value,
    /// The recognising body's 统一社会信用代码 (the entry's `recognised_by_uscc`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recognised_by_uscc: Option<String>,
    /// The recognising body's region (GB/T 2260, the code's characters 3–8): where objections
    /// to the entry are handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// Meta key of the backfill of migration 0011: [`RECOGNISERS_BACKFILLED`] once entries kept
/// before it got their recognising body's code and region (where it can be told). Any other
/// value (e.g. `pending`, set with the change log) runs it again at the next `migrate`.
pub const RECOGNISERS_BACKFILL: &str = "list_entry_recognisers";
/// See [`RECOGNISERS_BACKFILL`].
pub const RECOGNISERS_BACKFILLED: &str = "backfilled";

/// What the check index keeps of an active list entry: no JSON body, so a build over
/// millions of entries reads only the columns it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryHead {
    pub id: Uuid,
    pub list_code: String,
    pub subject_id: Uuid,
    /// `publicity` or `effective`.
    pub status: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ListEntryFilter {
    pub list_code: Option<String>,
    pub status: Option<String>,
    pub subject_id: Option<Uuid>,
    /// Keyset paging: only entries with a greater id.
    #[serde(default)]
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// Lists (issue 6): list entries, and the keyset-paged reads the check index is built from.
#[async_trait]
pub trait ListStore: Send + Sync {
    async fn create_list_entry(&self, actor: &str, e: &ListEntryRow) -> Result<()>;
    async fn update_list_entry(
        &self,
        actor: &str,
        e: &ListEntryRow,
        expected_version: i64,
    ) -> Result<()>;
    async fn list_entry(&self, id: Uuid) -> Result<Option<ListEntryRow>>;
    async fn list_entries(&self, f: &ListEntryFilter) -> Result<Vec<ListEntryRow>>;
    /// Entries in publicity or effect and linked to a subject, in id order after `after`
    /// (index build).
    async fn active_entry_heads(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<EntryHead>>;
    /// Records with a severity, linked to a subject, in id order after `after` (index build).
    async fn negative_records(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<Record>>;
    /// Subjects in id order after `after` (keyset paging, for building indexes).
    async fn subjects_after(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<Subject>>;
}
