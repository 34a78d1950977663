//! Commitments (承诺, 守信践诺, issue 18): registering a commitment of a government body (or,
//! for a 信用承诺, an enterprise) with its milestones, reading it within reach, the steps on a
//! milestone (兑现, 依法变更并补偿, 违约告知 → 说明 → 认定 — a breach becomes a 失信 record in
//! the same transaction), evidence files, the portal's 承诺公示, and the daily sweep of
//! reminders and escalations (through [`crate::notify`]).
//!
//! Reach: a body sees the commitments it owns or promised; the credit office (holding
//! `CommitmentsManage`) those of its region and below (never a sibling's). Out of reach is
//! "not found", as an unknown id is.

mod create;
mod files;
mod person;
pub mod report;
mod steps;
pub mod sweep;
mod view;

pub use create::{create, CommitmentRequest, MilestoneInput};
pub use files::{add_file, file};
pub use steps::{act, CommitmentStepRequest};
pub use view::{
    get, list, public_list, CommitmentView, FileView, ListParams, MilestoneView, StepView,
};

use chengxin_access::Permission;
use chengxin_domain::commitments::{CommitmentError, CommitmentKinds};
use chengxin_store::CommitmentRow;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// A commitment rule's refusal: 400 with its code (409 for a step the state does not allow;
/// 503 when the shipped kinds do not load).
impl From<CommitmentError> for AppError {
    fn from(e: CommitmentError) -> Self {
        match &e {
            CommitmentError::Kinds(_) | CommitmentError::Calendar(_) => {
                AppError::unavailable(e.to_string())
            }
            _ if e.is_conflict() => AppError::conflict(e.code(), e.to_string()),
            _ => AppError::invalid(e.code(), e.to_string()),
        }
    }
}

/// The shipped kinds.
pub fn kinds() -> AppResult<&'static CommitmentKinds> {
    Ok(CommitmentKinds::shipped()?)
}

/// The caller's own body (USCC, upper case), if any.
pub(crate) fn own_body(caller: &Caller) -> Option<String> {
    caller
        .body
        .as_deref()
        .map(|b| b.trim().to_ascii_uppercase())
        .filter(|b| !b.is_empty())
}

/// The bodies a commitment's notices go to: the promisor body (none for a natural person, who
/// has no inbox here) and the owner.
pub(crate) fn body_recipients(c: &CommitmentRow) -> Vec<crate::notify::To> {
    let mut to = Vec::with_capacity(3);
    if !c.promisor_uscc.trim().is_empty() {
        to.push(crate::notify::To::Body(c.promisor_uscc.clone()));
    }
    to.push(crate::notify::To::Body(c.owner_uscc.clone()));
    to
}

/// Whether the caller acts for the body: its own body, as a department.
pub(crate) fn acts_for(caller: &Caller, uscc: &str) -> bool {
    own_body(caller).as_deref() == Some(uscc)
        && (caller.has(Permission::AssignmentsHandle) || caller.has(Permission::CommitmentsManage))
}

/// Whether the caller is the credit office for the commitment: its region or one below (a
/// county's office does not manage the city's commitments; siblings never).
pub(crate) fn is_office_for(caller: &Caller, c: &CommitmentRow) -> bool {
    caller.has(Permission::CommitmentsManage)
        && caller.roles.iter().any(|r| {
            r.has(Permission::CommitmentsManage)
                && r.reach() == chengxin_access::Reach::Jurisdiction
        })
        && caller.reaches(Permission::CommitmentsManage, &c.region)
}

/// Whether the caller may read the commitment (else it is "not found").
pub(crate) fn may_see(caller: &Caller, c: &CommitmentRow) -> bool {
    acts_for(caller, &c.owner_uscc)
        || acts_for(caller, &c.promisor_uscc)
        || is_office_for(caller, c)
}

/// Refuse callers that hold neither commitment permission.
pub(crate) fn require_any(caller: &Caller) -> AppResult<()> {
    caller.require_any(&[Permission::CommitmentsManage, Permission::AssignmentsHandle])
}

/// Parse a date given as `YYYY-MM-DD`.
pub(crate) fn date(s: &str, what: &str) -> AppResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            "date_invalid",
            format!("{what}“{}”不是有效日期（格式 YYYY-MM-DD）", s.trim()),
        )
    })
}

/// An amount given as text (or a JSON number, read as its decimal text) in yuan, as 分.
pub(crate) fn amount(v: &Option<serde_json::Value>) -> AppResult<Option<i64>> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => {
            Ok(Some(chengxin_domain::commitments::parse_yuan(s)?))
        }
        Some(serde_json::Value::Number(n)) => Ok(Some(chengxin_domain::commitments::parse_yuan(
            &n.to_string(),
        )?)),
        Some(other) => Err(CommitmentError::AmountInvalid(other.to_string()).into()),
    }
}

/// A required text, trimmed, ID numbers masked, at most `max` characters.
pub(crate) fn text(s: &str, what: &'static str, max: usize) -> AppResult<String> {
    let t = chengxin_domain::codes::id_number::mask_in_text(s.trim()).into_owned();
    if t.is_empty() {
        return Err(CommitmentError::Required(what).into());
    }
    if t.chars().count() > max {
        return Err(CommitmentError::TooLong(what, max).into());
    }
    Ok(t)
}
