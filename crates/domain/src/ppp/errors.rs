//! The refusals of the PPP and 失信被执行人 rules: each with a stable code and a Chinese message.

use chrono::NaiveDate;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PppError {
    #[error("未知的项目阶段“{0}”：应为 识别、准备、采购、执行、移交 之一")]
    UnknownStage(String),
    #[error("项目当前处于“{current}”阶段，下一阶段只能是“{expected}”，不能进入“{to}”阶段")]
    StageOutOfOrder {
        current: &'static str,
        expected: &'static str,
        to: &'static str,
    },
    #[error("项目已处于最后的“移交”阶段")]
    StageFinal,
    #[error("阶段日期顺序错误：“{to}”阶段的开始日期 {on} 早于“{current}”阶段的开始日期 {since}")]
    StageDateOutOfOrder {
        current: &'static str,
        to: &'static str,
        on: NaiveDate,
        since: NaiveDate,
    },
    #[error("日期 {date} 不能晚于今天（{today}）")]
    DateInFuture { date: NaiveDate, today: NaiveDate },
    #[error("责任人任职终止日期 {to} 早于起始日期 {from}")]
    PeriodEndBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("项目尚未进入“{0}”阶段，不能登记该阶段的责任人")]
    StageNotReached(&'static str),
    #[error("责任人起始日期 {from} 早于“{stage}”阶段的开始日期 {since}")]
    PeriodBeforeStage {
        stage: &'static str,
        from: NaiveDate,
        since: NaiveDate,
    },
    #[error("“{stage}”阶段的责任人任职期间与已登记的 {other_from} 起的任职期间重叠：同一阶段同一时间只能有一名政府方责任人")]
    ResponsibleOverlap {
        stage: &'static str,
        other_from: NaiveDate,
    },
    #[error("违约日期 {0} 早于项目识别阶段的开始日期")]
    BreachBeforeProject(NaiveDate),
    #[error("“{0}”不是政府机关（统一社会信用代码登记管理部门须为 1 机构编制）：{1}")]
    NotGovernment(String, &'static str),
    #[error("案件当前状态为“{state}”，不能改为“{to}”")]
    DebtorIllegalStep {
        state: &'static str,
        to: &'static str,
    },
    #[error("日期 {on} 早于纳入失信被执行人名单的日期 {listed}")]
    DateBeforeListing { on: NaiveDate, listed: NaiveDate },
    #[error("未知的履行状态“{0}”：应为 未履行、部分履行、已履行、已撤销 之一")]
    UnknownDebtorState(String),
}

impl PppError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownStage(_) => "ppp_stage_unknown",
            Self::StageOutOfOrder { .. } => "ppp_stage_out_of_order",
            Self::StageFinal => "ppp_stage_final",
            Self::StageDateOutOfOrder { .. } => "ppp_stage_date_out_of_order",
            Self::DateInFuture { .. } => "date_in_future",
            Self::PeriodEndBeforeStart { .. } => "ppp_period_end_before_start",
            Self::StageNotReached(_) => "ppp_stage_not_reached",
            Self::PeriodBeforeStage { .. } => "ppp_period_before_stage",
            Self::ResponsibleOverlap { .. } => "ppp_responsible_overlap",
            Self::BreachBeforeProject(_) => "ppp_breach_before_project",
            Self::NotGovernment(_, code) => code,
            Self::DebtorIllegalStep { .. } => "debtor_illegal_step",
            Self::UnknownDebtorState(_) => "debtor_state_unknown",
            Self::DateBeforeListing { .. } => "debtor_date_before_listing",
        }
    }

    /// Whether the refusal is about the item's state (a conflict) rather than the input.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            Self::StageOutOfOrder { .. } | Self::StageFinal | Self::DebtorIllegalStep { .. }
        )
    }
}

impl crate::error::Coded for PppError {
    fn code(&self) -> &'static str {
        PppError::code(self)
    }

    fn kind(&self) -> crate::error::ErrorKind {
        if self.is_conflict() {
            crate::error::ErrorKind::Conflict
        } else {
            crate::error::ErrorKind::Invalid
        }
    }
}
