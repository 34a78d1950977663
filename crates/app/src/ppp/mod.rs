//! PPP projects (政府和社会资本合作, issue 18) and government bodies listed as 失信被执行人
//! (专项治理 清零): registering a project (the government party a 机关 by USCC, the
//! implementing body, the social capital party, amounts in decimal yuan), moving it through the
//! five stages in order, each stage's government-side responsible person with from–to dates
//! (ID numbers hashed, sealed and masked as for employment history), a breach that becomes the
//! body's 失信 record (the commitments' breach → record path) and 责任回溯 naming the stage's
//! responsible person and the body's principal on the breach date; and the 失信被执行人 cases
//! ([`debtors`]) followed until cleared, with the register's counts per region.
//!
//! Reach as for commitments: a body sees the projects where it is the government party or the
//! implementing body and its own cases; the credit office (`CommitmentsManage`) those of its
//! region and below (never a sibling's). Out of reach is "not found".

pub mod breach;
pub mod debtors;
mod parties;
pub mod projects;

pub use breach::{record_breach, responsibility, BreachRequest, PppResponsibility, StageHolder};
pub use debtors::{
    DebtorCaseRequest, DebtorCaseView, DebtorImportReport, DebtorListParams, DebtorNoteView,
    DebtorProgressRequest, DebtorRegister, DebtorRegisterRow,
};
pub use projects::{
    add_responsible, advance, create, get, list, AdvanceRequest, BreachView, ListParams,
    ProjectRequest, ProjectView, ResponsibleInput, ResponsibleView, StageView,
};

use chengxin_access::Permission;
use chengxin_domain::ppp::PppError;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// A PPP rule's refusal: 400 with its code (409 for a step the state does not allow).
impl From<PppError> for AppError {
    fn from(e: PppError) -> Self {
        if e.is_conflict() {
            AppError::conflict(e.code(), e.to_string())
        } else {
            AppError::invalid(e.code(), e.to_string())
        }
    }
}

/// Whether the caller is the credit office for an item of `region`: its region or one below.
pub(crate) fn office_for(caller: &Caller, region: &str) -> bool {
    caller.has(Permission::CommitmentsManage)
        && (caller.token_permissions.is_some()
            || caller.roles.iter().any(|r| {
                r.has(Permission::CommitmentsManage)
                    && r.reach() == chengxin_access::Reach::Jurisdiction
            }))
        && caller.reaches(Permission::CommitmentsManage, region)
}

/// Whether the caller is a credit office at all (lists by region).
pub(crate) fn is_office(caller: &Caller) -> bool {
    caller.has(Permission::CommitmentsManage)
        && (caller.token_permissions.is_some()
            || caller.roles.iter().any(|r| {
                r.has(Permission::CommitmentsManage)
                    && r.reach() == chengxin_access::Reach::Jurisdiction
            }))
}

/// Refuse callers that hold neither permission.
pub(crate) fn require_any(caller: &Caller) -> AppResult<()> {
    crate::commitments::require_any(caller)
}
