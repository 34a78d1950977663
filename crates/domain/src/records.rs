//! 信用记录: a record of a catalog type about a subject, with status and history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod correction;
pub mod free_text;

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

/// The status and public period a record enters with, by its publication rule and its type's
/// disclosure — one rule for imports, the API and the demo data.
///
/// A type not disclosed to the public (纪律处分/政务处分, 问责处理, 审计发现问题 …: 政务共享)
/// is not thereby out of force: it enters *in effect* (`Published`: shared with government and
/// counted by checks and archives) with no public period — the type keeps it from the public.
/// A row of a public type that is itself not to be published (a 轻微 行政处罚) enters with a
/// public period of zero (`Expired` on its decision date): kept and shared, never shown.
pub fn entry_status(
    publication: crate::catalog::PublicationEnd,
    disclosure: crate::catalog::Disclosure,
    decision_date: NaiveDate,
    today: NaiveDate,
) -> (RecordStatus, Option<NaiveDate>) {
    use crate::catalog::{Disclosure, PublicationEnd};
    match publication {
        PublicationEnd::Until(end) if end < today => (RecordStatus::Expired, Some(end)),
        PublicationEnd::Until(end) => (RecordStatus::Published, Some(end)),
        PublicationEnd::Never => (RecordStatus::Published, None),
        PublicationEnd::NotPublished if disclosure == Disclosure::Public => {
            (RecordStatus::Expired, Some(decision_date))
        }
        PublicationEnd::NotPublished => (RecordStatus::Published, None),
    }
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

/// A change a person or job makes to a record. Which actions are legal depends on the status:
/// see [`RecordAction::apply`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordAction {
    /// 公示 — make a submitted record public/shared.
    Publish,
    /// 更正 — new content from the source department; status unchanged.
    Correct,
    /// 撤销 — withdrawn; kept with history.
    Revoke,
    /// 容错 — recognised as tolerable error: kept, not counted as 失信 (needs an approving note).
    Tolerate,
    /// 到期 — publication period over (scheduled job); hidden from the public, kept.
    Expire,
    /// 修复 — withdrawn from publication early after credit repair.
    Repair,
    /// 撤销修复 — a repair revoked for false materials: published again (or expired when its
    /// period is over).
    RevokeRepair,
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("记录当前状态为“{}”，不能执行“{}”", .from.label(), .action.label())]
    Illegal {
        from: RecordStatus,
        action: RecordAction,
    },
    #[error("容错认定须填写认定依据和批准说明")]
    NoteRequired,
    #[error("只有失信类记录才能认定为容错")]
    NotNegative,
    #[error("该记录已认定为容错")]
    AlreadyTolerated,
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::Illegal { .. } => "illegal_transition",
            TransitionError::NoteRequired => "note_required",
            TransitionError::NotNegative => "not_negative_record",
            TransitionError::AlreadyTolerated => "already_tolerated",
        }
    }
}

impl RecordAction {
    pub const ALL: [RecordAction; 7] = [
        RecordAction::Publish,
        RecordAction::Correct,
        RecordAction::Revoke,
        RecordAction::Tolerate,
        RecordAction::Expire,
        RecordAction::Repair,
        RecordAction::RevokeRepair,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordAction::Publish => "publish",
            RecordAction::Correct => "correct",
            RecordAction::Revoke => "revoke",
            RecordAction::Tolerate => "tolerate",
            RecordAction::Expire => "expire",
            RecordAction::Repair => "repair",
            RecordAction::RevokeRepair => "revoke_repair",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RecordAction::Publish => "公示",
            RecordAction::Correct => "更正",
            RecordAction::Revoke => "撤销",
            RecordAction::Tolerate => "容错认定",
            RecordAction::Expire => "公示期满",
            RecordAction::Repair => "信用修复",
            RecordAction::RevokeRepair => "撤销信用修复",
        }
    }

    /// The status after this action, or why it is refused.
    ///
    /// - submitted → publish → published; submitted/published/expired → revoke → revoked;
    /// - submitted/published/expired → correct → same status (content changes, history kept);
    /// - published → expire → expired; published/expired → repair → repaired;
    /// - tolerate keeps the status and sets the 容错 flag (negative records only, with a note);
    /// - revoked records accept nothing further; a repaired record only has its repair revoked
    ///   (false materials), which publishes it again.
    pub fn apply(
        self,
        from: RecordStatus,
        negative: bool,
        tolerated: bool,
        note: Option<&str>,
    ) -> Result<RecordStatus, TransitionError> {
        use RecordStatus as S;
        let illegal = || TransitionError::Illegal { from, action: self };
        match (self, from) {
            (RecordAction::Publish, S::Submitted) => Ok(S::Published),
            (RecordAction::Correct, S::Submitted | S::Published | S::Expired) => Ok(from),
            (RecordAction::Revoke, S::Submitted | S::Published | S::Expired) => Ok(S::Revoked),
            (RecordAction::Expire, S::Published) => Ok(S::Expired),
            (RecordAction::Repair, S::Published | S::Expired) => Ok(S::Repaired),
            // The caller decides between published and expired by the publication period.
            (RecordAction::RevokeRepair, S::Repaired) => Ok(S::Published),
            (RecordAction::Tolerate, S::Submitted | S::Published | S::Expired) => {
                if !negative {
                    Err(TransitionError::NotNegative)
                } else if tolerated {
                    Err(TransitionError::AlreadyTolerated)
                } else if note.is_none_or(|n| n.trim().is_empty()) {
                    Err(TransitionError::NoteRequired)
                } else {
                    Ok(from)
                }
            }
            _ => Err(illegal()),
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
    /// SHA-256 of the submitted content: a resubmitted identical row is a duplicate, a
    /// changed one a correction.
    pub content_digest: String,
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
    /// A correction's changed fields, each before and after (as stored: ID numbers masked).
    /// Empty for other actions (and left out of the serialised entry then, so the digests of
    /// entries written before corrections kept it stay the same).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<correction::FieldChange>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn unpublished_types_enter_in_effect() {
        use super::{entry_status, RecordStatus};
        use crate::catalog::{Disclosure, PublicationEnd};
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (decided, today) = (d("2026-05-20"), d("2026-06-01"));
        // A shared-only type (政务处分): in effect, kept from the public by its type.
        assert_eq!(
            entry_status(
                PublicationEnd::NotPublished,
                Disclosure::Shared,
                decided,
                today
            ),
            (RecordStatus::Published, None)
        );
        // A row of a public type not to be published (轻微): public period zero.
        assert_eq!(
            entry_status(
                PublicationEnd::NotPublished,
                Disclosure::Public,
                decided,
                today
            ),
            (RecordStatus::Expired, Some(decided))
        );
        assert_eq!(
            entry_status(PublicationEnd::Never, Disclosure::Public, decided, today),
            (RecordStatus::Published, None)
        );
        assert_eq!(
            entry_status(
                PublicationEnd::Until(d("2026-06-01")),
                Disclosure::Public,
                decided,
                today
            ),
            (RecordStatus::Published, Some(d("2026-06-01")))
        );
        assert_eq!(
            entry_status(
                PublicationEnd::Until(d("2026-05-31")),
                Disclosure::Public,
                decided,
                today
            ),
            (RecordStatus::Expired, Some(d("2026-05-31")))
        );
    }

    use super::*;

    #[test]
    fn transitions() {
        use RecordAction as A;
        use RecordStatus as S;
        assert_eq!(
            A::Publish.apply(S::Submitted, true, false, None),
            Ok(S::Published)
        );
        assert!(A::Publish.apply(S::Published, true, false, None).is_err());
        assert_eq!(
            A::Revoke.apply(S::Published, true, false, None),
            Ok(S::Revoked)
        );
        let e = A::Correct.apply(S::Revoked, true, false, None).unwrap_err();
        assert_eq!(e.code(), "illegal_transition");
        assert!(e.to_string().contains("已撤销"));
        assert_eq!(
            A::Expire.apply(S::Published, true, false, None),
            Ok(S::Expired)
        );
        assert!(A::Expire.apply(S::Submitted, true, false, None).is_err());
        assert_eq!(
            A::Repair.apply(S::Expired, true, false, None),
            Ok(S::Repaired)
        );
        assert!(A::Repair.apply(S::Repaired, true, false, None).is_err());
        assert_eq!(
            A::Tolerate.apply(S::Published, true, false, None),
            Err(TransitionError::NoteRequired)
        );
        assert_eq!(
            A::Tolerate.apply(S::Published, false, false, Some("x")),
            Err(TransitionError::NotNegative)
        );
        assert_eq!(
            A::Tolerate.apply(S::Published, true, true, Some("x")),
            Err(TransitionError::AlreadyTolerated)
        );
        assert_eq!(
            A::Tolerate.apply(S::Published, true, false, Some("经审定属容错情形")),
            Ok(S::Published)
        );
        for a in A::ALL {
            assert_eq!(A::parse(a.as_str()), Some(a));
            // Nothing leaves a revoked record.
            assert!(a.apply(S::Revoked, true, false, Some("x")).is_err());
        }
    }

    #[test]
    fn status_round_trip() {
        for s in RecordStatus::ALL {
            assert_eq!(RecordStatus::parse(s.as_str()), Some(s));
            assert!(!s.label().is_empty());
        }
    }
}
