//! What an application is about: its target (a record, a list entry, or nothing in particular
//! for a complaint) as it stands, whose data it is, and the facts the repair rules look at; and
//! the subject a caller acts for.

use chengxin_domain::catalog::Severity;
use chengxin_domain::lists::{EntryStatus, JointCatalog, ListEntry};
use chengxin_domain::records::Record;
use chengxin_domain::rights::{Target, TargetFacts};
use chengxin_store::{ListEntryRow, Store};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// The `department` of complaints: the credit office's own desk (not a USCC).
pub const COMPLAINTS_DESK: &str = "credit_office";

fn severity_of(r: &Record) -> Option<Severity> {
    r.severity.as_deref().and_then(Severity::parse)
}

/// The target as it stands: what it is about, whose data it is, and the facts repair rules
/// look at.
pub struct Loaded {
    pub target: Target,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    pub department: String,
    pub facts: TargetFacts,
    pub public: bool,
    pub record: Option<Record>,
    pub entry: Option<(ListEntryRow, ListEntry)>,
}

pub async fn load_target(store: &dyn Store, target: Target) -> AppResult<Loaded> {
    match target {
        // A complaint: handled by the credit office, about no particular record.
        Target::General => Ok(Loaded {
            target,
            subject_id: None,
            subject_name: String::new(),
            department: COMPLAINTS_DESK.into(),
            facts: TargetFacts {
                decision_date: chrono::NaiveDate::MIN,
                severity: None,
                status: None,
                active: false,
                list_min_months: None,
            },
            public: true,
            record: None,
            entry: None,
        }),
        Target::Record(id) => {
            let r = store.record(id).await?.ok_or(AppError::NotFound)?;
            let public = crate::records::is_public(&r);
            Ok(Loaded {
                target,
                subject_id: r.subject_id,
                subject_name: r.subject_name.clone(),
                department: r.source_dept.clone(),
                facts: TargetFacts {
                    decision_date: r.decision_date,
                    severity: if r.tolerated { None } else { severity_of(&r) },
                    status: Some(r.status),
                    active: true,
                    list_min_months: None,
                },
                public,
                record: Some(r),
                entry: None,
            })
        }
        Target::ListEntry(id) => {
            let row = store.list_entry(id).await?.ok_or(AppError::NotFound)?;
            let entry: ListEntry =
                serde_json::from_value(row.entry.clone()).map_err(AppError::unavailable)?;
            let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
            let list = joint.list(&entry.list).ok_or(AppError::NotFound)?;
            let active = matches!(
                entry.status,
                EntryStatus::Publicity | EntryStatus::Effective
            );
            let public = active && list.disclosure == chengxin_domain::catalog::Disclosure::Public;
            // A 严重失信主体名单 entry is repaired like 严重 information, counted from the day it
            // took effect; the recognising body decides (谁认定、谁修复).
            let decided = entry.effective_from.unwrap_or(entry.proposed_on);
            // Whose entry it is: the recognising body, by its code (its region's credit
            // offices handle objections to it); an entry kept before the code was recorded,
            // by what it has.
            let department = row
                .recognised_by_uscc
                .clone()
                .or_else(|| entry.recognised_by_uscc.clone())
                .unwrap_or_else(|| entry.recognised_by.clone());
            Ok(Loaded {
                target,
                subject_id: row.subject_id,
                subject_name: entry.subject_name.clone(),
                department,
                facts: TargetFacts {
                    decision_date: decided,
                    severity: Some(Severity::Severe),
                    status: None,
                    active,
                    list_min_months: None,
                },
                public,
                record: None,
                entry: Some((row, entry)),
            })
        }
    }
}

/// The subject the caller acts for (a subject account's body is its USCC).
pub async fn own_subject(app: &App, caller: &Caller) -> AppResult<Option<Uuid>> {
    match caller.body.as_deref() {
        Some(b) => Ok(app.store.subject_by_uscc(b).await?.map(|s| s.id)),
        None => Ok(None),
    }
}
