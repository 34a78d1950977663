//! 信用记录: a record of a catalog type about a subject, with status and history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a record is in its lifecycle (PRODUCT.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// 已报送 — accepted, not yet public/shared.
    Submitted,
    /// 公示/共享中
    Published,
    /// 已撤销 — withdrawn by the source department; kept.
    Revoked,
    /// 公示期满 — hidden from the public, kept.
    Expired,
    /// 已修复 — withdrawn from publication early after credit repair; kept.
    Repaired,
}

impl RecordStatus {
    pub const ALL: [RecordStatus; 5] = [
        RecordStatus::Submitted,
        RecordStatus::Published,
        RecordStatus::Revoked,
        RecordStatus::Expired,
        RecordStatus::Repaired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Submitted => "submitted",
            RecordStatus::Published => "published",
            RecordStatus::Revoked => "revoked",
            RecordStatus::Expired => "expired",
            RecordStatus::Repaired => "repaired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RecordStatus::Submitted => "已报送",
            RecordStatus::Published => "公示中",
            RecordStatus::Revoked => "已撤销",
            RecordStatus::Expired => "公示期满",
            RecordStatus::Repaired => "已修复",
        }
    }
}

/// A stored record. `fields` holds the catalog fields by English name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: Uuid,
    pub type_code: String,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    /// 文书号 — with `source_dept` and `type_code`, the record's source key.
    pub doc_no: String,
    pub decision_date: NaiveDate,
    /// USCC of the submitting (source) department.
    pub source_dept: String,
    pub batch_id: Option<Uuid>,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub severity: Option<String>,
    pub status: RecordStatus,
    /// 容错纠错: kept but not counted as 失信.
    pub tolerated: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub publish_until: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of a record's history: the state after each change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordHistoryEntry {
    pub record_id: Uuid,
    pub version: i64,
    pub action: String,
    pub status: RecordStatus,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub actor: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trip() {
        for s in RecordStatus::ALL {
            assert_eq!(RecordStatus::parse(s.as_str()), Some(s));
            assert!(!s.label().is_empty());
        }
    }
}
