//! Government as purchaser and payer (政府采购, 拖欠账款; issue 18): procurement contracts whose
//! purchaser is a body, with delivery / 验收 / payment milestones and the statutory payment term
//! for SMEs (`data/arrears/payment_terms.toml`); the arrears ledger — entered by the daily sweep
//! from an overdue payment, registered by the credit office, or reported by the enterprise on
//! the portal (待确认 until the body or the office confirms or rejects it) — with partial
//! payments until cleared; totals per body, region and month; and the 失信 record of a body
//! whose arrear is unpaid beyond the configured limit or after a court judgment.
//!
//! Reach: a body sees the contracts it purchased and the arrears it owes; an enterprise (its
//! subject account) the arrears owed to it; the credit office (`CommitmentsManage`) its region
//! and below. Out of reach is "not found", as an unknown id is.

mod contracts;
mod ledger;
pub mod sweep;
mod view;

pub use contracts::{
    complete_milestone, create_contract, get_contract, list_contracts, ContractMilestoneInput,
    ContractRequest, ContractView, MilestoneDone, ProcurementMilestoneView,
};
pub(crate) use ledger::from_complaint;
pub use ledger::{act, register, report, ArrearRequest, ArrearStepRequest};
pub use view::{
    get, list, sum_up, totals, ArrearListParams, ArrearStepView, ArrearView, TotalLine, TotalsView,
};

use chengxin_access::Permission;
use chengxin_domain::arrears::{ArrearsError, PaymentTerms};
use chengxin_domain::regions::RegionTable;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// A procurement or arrears rule's refusal: 400 with its code (409 for a step the state does
/// not allow; 503 when the shipped terms or catalog do not load).
impl From<ArrearsError> for AppError {
    fn from(e: ArrearsError) -> Self {
        if e.is_unavailable() {
            AppError::unavailable(e.to_string())
        } else if e.is_conflict() {
            AppError::conflict(e.code(), e.to_string())
        } else {
            AppError::invalid(e.code(), e.to_string())
        }
    }
}

/// The shipped terms.
pub fn terms() -> AppResult<&'static PaymentTerms> {
    Ok(PaymentTerms::shipped()?)
}

pub(crate) use crate::commitments::{acts_for, own_body};

/// Whether the caller is the credit office for an item of `region` (its region or below).
pub(crate) fn office_for(caller: &Caller, region: &str) -> bool {
    caller.roles.iter().any(|r| {
        r.has(Permission::CommitmentsManage) && r.reach() == chengxin_access::Reach::Jurisdiction
    }) && caller.reaches(Permission::CommitmentsManage, region)
}

/// Whether the caller is a credit office at all.
pub(crate) fn is_office(caller: &Caller) -> bool {
    caller.has(Permission::CommitmentsManage)
        && caller.roles.iter().any(|r| {
            r.has(Permission::CommitmentsManage)
                && r.reach() == chengxin_access::Reach::Jurisdiction
        })
}

/// Whether the caller is the enterprise itself (its subject account, bound to `uscc`).
pub(crate) fn is_creditor(caller: &Caller, uscc: &str) -> bool {
    caller.has(Permission::ArchiveReadOwn) && own_body(caller).as_deref() == Some(uscc)
}

/// Refuse callers that hold none of the permissions of this capability.
pub(crate) fn require_any(caller: &Caller) -> AppResult<()> {
    caller.require_any(&[
        Permission::CommitmentsManage,
        Permission::AssignmentsHandle,
        Permission::ArchiveReadOwn,
    ])
}

/// `常州市社会信用体系建设领导小组办公室`.
pub(crate) fn region_office_name(region: &str) -> String {
    let name = RegionTable::national()
        .full_name(region)
        .unwrap_or_else(|| region.to_string());
    format!("{name}社会信用体系建设领导小组办公室")
}

/// A short number: `QK-20250801-3A7F21`.
pub(crate) fn short_no(prefix: &str, day: chrono::NaiveDate) -> String {
    let tail = uuid::Uuid::now_v7().simple().to_string();
    let tail = tail
        .get(tail.len() - 6..)
        .unwrap_or("000000")
        .to_ascii_uppercase();
    format!("{prefix}-{}-{tail}", day.format("%Y%m%d"))
}

/// An amount in decimal yuan (text or JSON number) as 分, required and positive.
pub(crate) fn positive_amount(v: &Option<serde_json::Value>, what: &'static str) -> AppResult<i64> {
    match crate::commitments::amount(v)? {
        None => Err(ArrearsError::Required(what).into()),
        Some(0) => Err(ArrearsError::AmountNotPositive.into()),
        Some(f) => Ok(f),
    }
}
