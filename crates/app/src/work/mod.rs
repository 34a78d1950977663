//! Work items (督办事项, issue 19): one engine for 人大代表建议, 政协委员提案, 督查 / 审计 /
//! 财政 findings with 限期整改, and the rectification the measure 书面说明原因并限期整改 opens
//! when a list entry takes effect for a government body ([`from_lists`]). The types are data
//! (`data/work/types.toml`, `chengxin_domain::work`): opening an item ([`open`]), its steps and
//! notes ([`act`]), the queues (my items, my unit's, my region's: [`queue`]) and their XLSX
//! export ([`export`]), and the daily sweep of reminders and escalations ([`sweep`], through
//! [`crate::notify`]).
//!
//! Reach: a body sees the items it owns, co-handles or issued; the credit office (holding
//! `supervision_manage`, by jurisdiction) those of its region and below — never a sibling's.
//! Out of reach is "not found", as an unknown id is.

mod complaint;
mod export;
mod files;
pub mod from_lists;
pub mod hotline;
mod open;
pub mod public;
mod reveal;
mod steps;
pub mod sweep;
pub mod tasks;
mod tasks_pdf;
mod view;

pub use export::export;
pub use files::{file, FileDownload};
pub use open::{open, Attachment, OpenRequest};
pub use public::{PublicComplaintRequest, PublicFiled, PublicRating, PublicStep, PublicTrack};
pub use reveal::{reveal, ComplainantView};
pub use steps::{act, ComplaintArrear, StepRequest};
pub use tasks_pdf::export_pdf as task_export_pdf;
pub use view::{
    get, queue, ChoiceView, EventView, FileView, HotlineView, ItemView, NextAction, PartyView,
    Queue, QueuePage, QueueParams,
};

use chengxin_access::{Permission, Reach};
use chengxin_domain::work::{Party, WorkError, WorkTypes};
use chengxin_store::{WorkItemRow, WorkPartyRow};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// A work-item rule's refusal: 400 with its code (409 for a step the state does not allow;
/// 503 when the shipped types do not load).
impl From<WorkError> for AppError {
    fn from(e: WorkError) -> Self {
        match &e {
            WorkError::Types(_) | WorkError::Calendar(_) => AppError::unavailable(e.to_string()),
            _ if e.is_conflict() => AppError::conflict(e.code(), e.to_string()),
            _ => AppError::invalid(e.code(), e.to_string()),
        }
    }
}

/// The shipped types (`work_types_invalid` if the file is broken: checked at start).
pub fn types() -> AppResult<&'static WorkTypes> {
    Ok(WorkTypes::shipped()?)
}

/// Check the shipped types at start: they load, and every measure that opens a type exists
/// in the measures catalog (`work_types_invalid` otherwise, with what is wrong).
pub fn check_types() -> AppResult<&'static WorkTypes> {
    let types = WorkTypes::shipped().map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    let joint =
        chengxin_domain::lists::JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let catalog =
        chengxin_domain::catalog::Catalog::default_checked().map_err(AppError::unavailable)?;
    for t in types.all() {
        for c in t.actions.iter().flat_map(|a| a.choices.iter()) {
            if let Some(rt) = &c.record_type {
                if catalog.get(rt).is_none() {
                    return Err(AppError::invalid(
                        "work_types_invalid",
                        format!(
                            "督办事项类型数据有误：类型“{}”的结果“{}”引用的失信信息类型“{rt}”不在目录中",
                            t.code, c.name
                        ),
                    ));
                }
            }
        }
        if let Some(m) = &t.opened_by_measure {
            if joint.measure(m).is_none() {
                return Err(AppError::invalid(
                    "work_types_invalid",
                    format!(
                        "督办事项类型数据有误：类型“{}”引用的措施“{m}”不在措施清单中",
                        t.code
                    ),
                ));
            }
        }
    }
    Ok(types)
}

/// The caller's own body (USCC, upper case), if any.
pub(crate) fn own_body(caller: &Caller) -> Option<String> {
    caller
        .body
        .as_deref()
        .map(|b| b.trim().to_ascii_uppercase())
        .filter(|b| !b.is_empty())
}

/// Whether the caller is a credit office (sees its region's queue, opens items).
pub fn is_office_caller(caller: &Caller) -> bool {
    is_office(caller)
}

/// Whether the caller is a credit office (supervision by jurisdiction).
pub(crate) fn is_office(caller: &Caller) -> bool {
    caller.has(Permission::SupervisionManage)
        && (caller.token_permissions.is_some()
            || caller
                .roles
                .iter()
                .any(|r| r.has(Permission::SupervisionManage) && r.reach() == Reach::Jurisdiction))
}

/// As whom the caller stands to an item: the bodies it acts for (owner, co-handling unit,
/// issuer) and — the credit office of the item's region or one above — the office.
pub(crate) fn parties_of(
    caller: &Caller,
    item: &WorkItemRow,
    parties: &[WorkPartyRow],
) -> Vec<Party> {
    let mut out = Vec::new();
    let staff =
        caller.has(Permission::AssignmentsHandle) || caller.has(Permission::SupervisionManage);
    if let (Some(body), true) = (own_body(caller), staff) {
        for p in parties
            .iter()
            .filter(|p| p.item_id == item.id && p.body_uscc == body)
        {
            let party = match p.party.as_str() {
                "owner" => Party::Owner,
                "co" => Party::Co,
                _ => Party::Issuer,
            };
            if !out.contains(&party) {
                out.push(party);
            }
        }
    }
    if is_office(caller) && caller.reaches(Permission::SupervisionManage, &item.region) {
        out.push(Party::Office);
    }
    out
}

/// Whether standing as `parties`, one may take a step meant for `by` (the office may act for
/// the issuer).
pub(crate) fn may_act(parties: &[Party], by: Party) -> bool {
    parties.contains(&by) || (by == Party::Issuer && parties.contains(&Party::Office))
}

/// The party a step is recorded as (the first that fits).
pub(crate) fn acting_as(parties: &[Party], by: Party) -> Option<Party> {
    if parties.contains(&by) {
        Some(by)
    } else if by == Party::Issuer && parties.contains(&Party::Office) {
        Some(Party::Office)
    } else {
        None
    }
}

pub(crate) fn party_code(p: Party) -> &'static str {
    match p {
        Party::Owner => "owner",
        Party::Co => "co",
        Party::Issuer => "issuer",
        Party::Office => "office",
    }
}

/// Refuse callers that hold neither work-item permission.
pub(crate) fn require_any(caller: &Caller) -> AppResult<()> {
    caller.require_any(&[Permission::SupervisionManage, Permission::AssignmentsHandle])
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

/// A text, trimmed, ID numbers masked, control characters refused, at most `max` characters;
/// `required`: not empty.
pub(crate) fn text(s: &str, what: &'static str, max: usize, required: bool) -> AppResult<String> {
    let t = chengxin_domain::codes::id_number::mask_in_text(s.trim()).into_owned();
    if required && t.is_empty() {
        return Err(WorkError::Required(what).into());
    }
    if t.chars().count() > max {
        return Err(WorkError::TooLong(what, max).into());
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::invalid(
            "control_characters",
            format!("{what}含有控制字符"),
        ));
    }
    Ok(t)
}
