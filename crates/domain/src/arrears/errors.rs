//! The refusals of the procurement and arrears rules: each with a stable code and a Chinese
//! message.

use chrono::NaiveDate;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArrearsError {
    #[error("付款期限规则数据无法读取：{0}")]
    Terms(String),
    #[error("采购人的统一社会信用代码无效：{0}")]
    PurchaserInvalid(String),
    #[error("采购人“{0}”不是政府机关或事业单位（统一社会信用代码登记管理部门须为 1 机构编制）：政府采购合同的采购人须为政府机关或事业单位")]
    PurchaserNotGovernment(String),
    #[error("供应商的统一社会信用代码无效：{0}")]
    SupplierInvalid(String),
    #[error("供应商“{0}”是政府机关，不能作为债权人登记")]
    SupplierIsGovernment(String),
    #[error("{what} {due} 早于合同签订日期 {signed}")]
    DueBeforeSigning {
        what: &'static str,
        due: NaiveDate,
        signed: NaiveDate,
    },
    #[error(
        "约定付款期限 {agreed} 日超过《保障中小企业款项支付条例》{article}规定的最长 {max} 日"
    )]
    TermTooLong {
        agreed: u32,
        max: u32,
        article: String,
    },
    #[error(
        "未知的履约节点类型“{0}”：应为 delivery（交付）、acceptance（验收）或 payment（付款）"
    )]
    UnknownMilestoneKind(String),
    #[error("至少需要一个履约节点")]
    NoMilestones,
    #[error("履约节点过多（最多 {0} 个）")]
    TooManyMilestones(usize),
    #[error("付款节点须填写金额")]
    PaymentAmountRequired,
    #[error("金额须大于零")]
    AmountNotPositive,
    #[error("付款节点金额合计 {sum} 元超过合同金额 {total} 元")]
    PaymentsExceedContract { sum: String, total: String },
    #[error("本次付款 {paid} 元超过尚欠金额 {outstanding} 元")]
    PaymentExceedsOutstanding { paid: String, outstanding: String },
    #[error("当前状态为“{state}”，不能{action}")]
    IllegalStep {
        state: &'static str,
        action: &'static str,
    },
    #[error("请填写{0}")]
    Required(&'static str),
    #[error("{0}过长（最多 {1} 个字）")]
    TooLong(&'static str, usize),
    #[error("日期 {date} 不能晚于今天（{today}）")]
    DateInFuture { date: NaiveDate, today: NaiveDate },
    #[error("失信信息无法生成：{0}")]
    Record(String),
}

impl ArrearsError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Terms(_) => "payment_terms_unavailable",
            Self::PurchaserInvalid(_) => "purchaser_invalid",
            Self::PurchaserNotGovernment(_) => "purchaser_not_government",
            Self::SupplierInvalid(_) => "supplier_invalid",
            Self::SupplierIsGovernment(_) => "supplier_is_government",
            Self::DueBeforeSigning { .. } => "due_before_signing",
            Self::TermTooLong { .. } => "payment_term_too_long",
            Self::UnknownMilestoneKind(_) => "milestone_kind_unknown",
            Self::NoMilestones => "milestones_required",
            Self::TooManyMilestones(_) => "too_many_milestones",
            Self::PaymentAmountRequired => "payment_amount_required",
            Self::AmountNotPositive => "amount_not_positive",
            Self::PaymentsExceedContract { .. } => "payments_exceed_contract",
            Self::PaymentExceedsOutstanding { .. } => "payment_exceeds_outstanding",
            Self::IllegalStep { .. } => "arrear_illegal_step",
            Self::Required(_) => "field_required",
            Self::TooLong(..) => "field_too_long",
            Self::DateInFuture { .. } => "date_in_future",
            Self::Record(_) => "arrears_record_unavailable",
        }
    }

    /// Whether the refusal is about the item's state (a conflict) rather than the input.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::IllegalStep { .. })
    }

    /// Whether the platform's own data is at fault (unavailable), not the input.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Terms(_) | Self::Record(_))
    }
}

impl crate::error::Coded for ArrearsError {
    fn code(&self) -> &'static str {
        ArrearsError::code(self)
    }

    fn kind(&self) -> crate::error::ErrorKind {
        use crate::error::ErrorKind;
        if self.is_unavailable() {
            ErrorKind::Unavailable
        } else if self.is_conflict() {
            ErrorKind::Conflict
        } else {
            ErrorKind::Invalid
        }
    }
}
