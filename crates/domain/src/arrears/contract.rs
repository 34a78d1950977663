//! A procurement contract's parties and milestones: the purchaser is a government body or
//! institution (USCC 登记管理部门 1), the supplier is not; milestones are 交付, 验收 and 付款, and
//! a payment without its own due date falls due the statutory (or agreed) number of days after
//! acceptance — or delivery, where the contract has no acceptance.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ArrearsError, PaymentTerms};
use crate::codes::uscc;
use crate::regions::RegionTable;

/// Kind of a contract milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// 交付.
    Delivery,
    /// 验收.
    Acceptance,
    /// 付款.
    Payment,
}

impl MilestoneKind {
    pub fn parse(s: &str) -> Result<Self, ArrearsError> {
        match s.trim() {
            "delivery" | "交付" => Ok(Self::Delivery),
            "acceptance" | "验收" => Ok(Self::Acceptance),
            "payment" | "付款" | "支付" => Ok(Self::Payment),
            other => Err(ArrearsError::UnknownMilestoneKind(
                other.chars().take(40).collect(),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::Acceptance => "acceptance",
            Self::Payment => "payment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Delivery => "交付",
            Self::Acceptance => "验收",
            Self::Payment => "付款",
        }
    }
}

/// Check the purchaser: a valid USCC of a government body or institution (登记管理部门 1).
/// Returns the normalised code.
pub fn check_purchaser(code: &str, regions: &RegionTable) -> Result<String, ArrearsError> {
    let parsed =
        uscc::parse(code, regions).map_err(|e| ArrearsError::PurchaserInvalid(e.to_string()))?;
    if parsed.registering_dept != '1' {
        return Err(ArrearsError::PurchaserNotGovernment(parsed.code));
    }
    Ok(parsed.code)
}

/// Check the supplier (the creditor): a valid USCC that is not a government body's.
pub fn check_supplier(code: &str, regions: &RegionTable) -> Result<String, ArrearsError> {
    let parsed =
        uscc::parse(code, regions).map_err(|e| ArrearsError::SupplierInvalid(e.to_string()))?;
    if parsed.registering_dept == '1' {
        return Err(ArrearsError::SupplierIsGovernment(parsed.code));
    }
    Ok(parsed.code)
}

/// The default due date of a payment: `days` after the last acceptance due on or before it in
/// the contract's order, else after the last delivery, else after signing. `before` is the
/// (kind, due) of the milestones listed before the payment.
pub fn payment_due_default(
    terms: &PaymentTerms,
    signed: NaiveDate,
    before: &[(MilestoneKind, NaiveDate)],
    days: u32,
) -> NaiveDate {
    let last = |k: MilestoneKind| {
        before
            .iter()
            .rev()
            .find(|(kind, _)| *kind == k)
            .map(|(_, d)| *d)
    };
    let from = last(MilestoneKind::Acceptance)
        .or_else(|| last(MilestoneKind::Delivery))
        .unwrap_or(signed);
    terms.due_from(from, days)
}
