//! The work-item rules' refusals: each with a stable code and a Chinese message.

use chrono::NaiveDate;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkError {
    #[error("督办事项类型数据有误：{0}")]
    Types(String),
    #[error("未知的督办事项类型“{0}”")]
    UnknownType(String),
    #[error("“{kind}”没有“{action}”这一步")]
    UnknownAction { kind: String, action: String },
    #[error("当前状态为“{state}”，不能{action}")]
    IllegalStep { state: String, action: String },
    #[error("“{action}”须选择结果：{choices}")]
    ChoiceRequired { action: String, choices: String },
    #[error("“{0}”不是这一步可选的结果")]
    UnknownChoice(String),
    #[error("已重新办理 {0} 次，不能再次重新办理")]
    ReopenLimit(u32),
    #[error("请填写{0}")]
    Required(&'static str),
    #[error("{0}过长（最多 {1} 个字）")]
    TooLong(&'static str, usize),
    #[error("这一步须附证明材料（至少一个附件）")]
    EvidenceRequired,
    #[error("本类事项须逐项设定整改期限")]
    DeadlineRequired,
    #[error("期限 {due} 早于交办日期 {opened}")]
    DeadlineBeforeOpen { due: NaiveDate, opened: NaiveDate },
    #[error("日期 {date} 不能晚于今天（{today}）")]
    DateInFuture { date: NaiveDate, today: NaiveDate },
    #[error("日期 {date} 早于交办日期 {opened}")]
    DateBeforeOpen { date: NaiveDate, opened: NaiveDate },
    #[error("工作日计算失败：{0}")]
    Calendar(String),
}

impl WorkError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Types(_) => "work_types_invalid",
            Self::UnknownType(_) => "work_type_unknown",
            Self::UnknownAction { .. } => "work_action_unknown",
            Self::IllegalStep { .. } => "work_illegal_step",
            Self::ChoiceRequired { .. } => "work_choice_required",
            Self::UnknownChoice(_) => "work_choice_unknown",
            Self::ReopenLimit(_) => "work_reopen_limit",
            Self::Required(_) => "field_required",
            Self::TooLong(..) => "field_too_long",
            Self::EvidenceRequired => "evidence_required",
            Self::DeadlineRequired => "deadline_required",
            Self::DeadlineBeforeOpen { .. } => "deadline_before_open",
            Self::DateInFuture { .. } => "date_in_future",
            Self::DateBeforeOpen { .. } => "date_before_open",
            Self::Calendar(_) => "calendar_unavailable",
        }
    }

    /// Whether the refusal is about the item's state (a conflict) rather than the input.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::IllegalStep { .. } | Self::ReopenLimit(_))
    }
}

impl crate::error::Coded for WorkError {
    fn code(&self) -> &'static str {
        WorkError::code(self)
    }

    fn kind(&self) -> crate::error::ErrorKind {
        use crate::error::ErrorKind;
        match self {
            Self::Types(_) | Self::Calendar(_) => ErrorKind::Unavailable,
            Self::UnknownType(_) | Self::UnknownAction { .. } => ErrorKind::Invalid,
            e if e.is_conflict() => ErrorKind::Conflict,
            _ => ErrorKind::Invalid,
        }
    }
}
