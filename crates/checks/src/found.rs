//! What a check reports: the query a party becomes, and per matched subject its list entries
//! (with any 从轻/免于惩戒 decision) and negative records.

use std::borrow::Cow;
use std::sync::Arc;

use chengxin_domain::catalog::{Disclosure, Severity};
use chengxin_domain::lists::{EntryMitigation, EntryStatus, Hit};
use chengxin_store::ApplicationRow;
use serde::Serialize;
use uuid::Uuid;

/// What the caller of a check may see (issue 16 points 1 and 6): public information always;
/// 政务共享 entries and records only for government callers holding `records_read_shared`;
/// 授权查询 ones only for those holding `records_read_nonpublic`. A person (a civil servant,
/// another natural person) with nothing the caller may see is not reported at all, so a check
/// never confirms that a person exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Audience {
    /// 政务共享 information.
    pub shared: bool,
    /// 授权查询 information.
    pub authorised: bool,
}

impl Audience {
    /// An external platform or the public: public information only.
    pub const PUBLIC: Audience = Audience {
        shared: false,
        authorised: false,
    };
    /// The credit office (and the operator at the server): everything in force.
    pub const FULL: Audience = Audience {
        shared: true,
        authorised: true,
    };

    /// Whether information disclosed so may be shown.
    pub fn sees(self, d: Disclosure) -> bool {
        match d {
            Disclosure::Public => true,
            Disclosure::Shared => self.shared,
            Disclosure::Authorised => self.authorised,
        }
    }
}

/// What a check reports of a list entry.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRef {
    pub id: Uuid,
    pub list: &'static str,
    /// `publicity` or `effective`.
    pub status: &'static str,
    /// The list's disclosure: `public`, `shared` (政务共享) or `authorised`.
    pub disclosure: &'static str,
    /// The latest 从轻/免于惩戒 decision on the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<Arc<MitigationRef>>,
}

/// A 从轻/免于惩戒 decision on a list entry (an application of kind `mitigation`).
#[derive(Debug, Clone, Serialize)]
pub struct MitigationRef {
    /// `waived` (免于惩戒) or `mitigated` (从轻惩戒).
    pub outcome: String,
    pub label: String,
    /// The decision's tracking number.
    pub decision: String,
    #[serde(skip)]
    pub(crate) decided_at: chrono::DateTime<chrono::Utc>,
}

impl MitigationRef {
    /// From a stored application, if it is a mitigation decision on a list entry.
    pub(crate) fn of(row: &ApplicationRow) -> Option<(Uuid, Self)> {
        if (
            row.kind.as_str(),
            row.target_kind.as_str(),
            row.state.as_str(),
        ) != ("mitigation", "list_entry", "decided")
        {
            return None;
        }
        let app = crate::application::app_of(row).ok()?;
        let outcome = app.decision?.outcome;
        let label = match outcome.as_str() {
            "waived" => "免于惩戒",
            "mitigated" => "从轻惩戒",
            _ => return None,
        };
        let entry = Uuid::parse_str(&row.target_id).ok()?;
        Some((
            entry,
            Self {
                outcome,
                label: label.into(),
                decision: row.tracking_no.clone(),
                decided_at: row.created_at,
            },
        ))
    }
}

/// What a check reports of a negative record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordRef {
    pub id: Uuid,
    pub type_code: &'static str,
    /// The type's disclosure: `public`, `shared` (政务共享) or `authorised`.
    pub disclosure: &'static str,
    pub severity: &'static str,
    pub tolerated: bool,
    pub doc_no: String,
    pub decision_date: chrono::NaiveDate,
}

/// A party as given by the caller, normalised (the ID number already hashed), and what the
/// caller may see of what it matches (public information unless said otherwise).
#[derive(Debug, Clone, Default)]
pub struct PartyQuery {
    pub uscc: Option<String>,
    pub id_hash: Option<String>,
    pub name: Option<String>,
    pub audience: Audience,
}

/// A subject a party matched.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Found {
    pub subject_id: Uuid,
    pub name: String,
    /// `uscc`, `id_number` or `name`.
    pub matched_by: &'static str,
    pub score: f32,
    /// Why it matched, in Chinese.
    #[schema(value_type = Vec<String>)]
    pub reasons: Cow<'static, [Cow<'static, str>]>,
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<EntryRef>,
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<RecordRef>,
}

impl Found {
    /// The domain's hits for assessment.
    pub fn hits(&self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .entries
            .iter()
            .map(|e| Hit::ListEntry {
                list: e.list.to_string(),
                status: if e.status == "effective" {
                    EntryStatus::Effective
                } else {
                    EntryStatus::Publicity
                },
                mitigation: e.mitigation.as_ref().map(|m| EntryMitigation {
                    waived: m.outcome == "waived",
                    decision: m.decision.clone(),
                }),
            })
            .collect();
        hits.extend(self.records.iter().filter_map(|r| {
            Some(Hit::Record {
                type_code: r.type_code.to_string(),
                severity: Severity::parse(r.severity)?,
                tolerated: r.tolerated,
            })
        }));
        hits
    }
}
