//! List entries (名单) and the keyset-paged reads the check index is built from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

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
