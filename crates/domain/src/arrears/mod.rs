//! Government as purchaser and payer (政府采购, 拖欠账款; issue 18): the statutory payment terms
//! for SMEs as data (《保障中小企业款项支付条例》, `data/arrears/payment_terms.toml`), procurement
//! contracts with delivery, 验收 and payment milestones, the arrears ledger's state machine
//! (企业反映待确认 → 已确认 → 部分清偿 → 已清偿, or 不属实（驳回）), when an arrear becomes a 失信
//! record of the body (overdue beyond the configured limit, or a court judgment unpaid), and that
//! record's fields. Pure: dates are parameters; amounts are integer 分 (see
//! [`crate::commitments::parse_yuan`]).

mod contract;
mod errors;
mod ledger;
mod record;
mod terms;
#[cfg(test)]
mod tests;

pub use contract::{check_purchaser, check_supplier, payment_due_default, MilestoneKind};
pub use errors::ArrearsError;
pub use ledger::{record_reason, Arrear, ArrearAction, ArrearSource, ArrearState, RecordReason};
pub use record::{arrears_record, ArrearsFacts};
pub use terms::{ArrearsRules, NonSmeTerms, PaymentTerms, SmeTerms};
