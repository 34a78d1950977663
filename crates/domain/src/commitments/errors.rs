//! The commitment rules' refusals: each with a stable code and a Chinese message.

use chrono::NaiveDate;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommitmentError {
    #[error("承诺类别数据无法读取：{0}")]
    Kinds(String),
    #[error("未知的承诺类别“{0}”")]
    UnknownKind(String),
    #[error("金额“{0}”不是有效的金额：请填写以元为单位的数字，最多两位小数，例如 1250000.00")]
    AmountInvalid(String),
    #[error("金额不能为负数（{0}）")]
    AmountNegative(String),
    #[error("承诺主体的统一社会信用代码无效：{0}")]
    PromisorInvalid(String),
    #[error("承诺主体“{0}”不是政府机关（统一社会信用代码登记管理部门须为 1 机构编制）：本类承诺的承诺主体须为政府机关")]
    PromisorNotGovernment(String),
    #[error("信用承诺的承诺主体应为企业或社会组织，“{0}”是政府机关")]
    PromisorIsGovernment(String),
    #[error("本类承诺的承诺主体应为企业或社会组织，不接受自然人")]
    PromisorPersonNotAllowed,
    #[error("承诺人的居民身份证号码无效：{0}")]
    PromisorIdInvalid(String),
    #[error("请填写承诺主体的统一社会信用代码或承诺人的居民身份证号码，二者只填其一")]
    PromisorAmbiguous,
    #[error("兑现期限 {due} 早于承诺日期 {promised}")]
    DueBeforePromise { due: NaiveDate, promised: NaiveDate },
    #[error("至少需要一个履行节点")]
    NoMilestones,
    #[error("履行节点过多（最多 {0} 个）")]
    TooManyMilestones(usize),
    #[error("请填写{0}")]
    Required(&'static str),
    #[error("{0}过长（最多 {1} 个字）")]
    TooLong(&'static str, usize),
    #[error("当前状态为“{state}”，不能{action}")]
    IllegalStep {
        state: &'static str,
        action: &'static str,
    },
    #[error("依法变更须说明事由：国家利益、公共利益或法定事由")]
    UnknownGround,
    #[error("承诺主体的说明期限至 {0}，期限届满或收到说明后方可作出认定")]
    ExplanationPending(NaiveDate),
    #[error("日期 {date} 不能晚于今天（{today}）")]
    DateInFuture { date: NaiveDate, today: NaiveDate },
    #[error("日期 {date} 早于承诺日期 {promised}")]
    DateBeforePromise {
        date: NaiveDate,
        promised: NaiveDate,
    },
    #[error("工作日计算失败：{0}")]
    Calendar(String),
}

impl CommitmentError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Kinds(_) => "commitment_kinds_unavailable",
            Self::UnknownKind(_) => "commitment_kind_unknown",
            Self::AmountInvalid(_) => "amount_invalid",
            Self::AmountNegative(_) => "amount_negative",
            Self::PromisorInvalid(_) => "promisor_invalid",
            Self::PromisorNotGovernment(_) => "promisor_not_government",
            Self::PromisorIsGovernment(_) => "promisor_is_government",
            Self::PromisorPersonNotAllowed => "promisor_person_not_allowed",
            Self::PromisorIdInvalid(_) => "promisor_id_invalid",
            Self::PromisorAmbiguous => "promisor_ambiguous",
            Self::DueBeforePromise { .. } => "due_before_promise",
            Self::NoMilestones => "milestones_required",
            Self::TooManyMilestones(_) => "too_many_milestones",
            Self::Required(_) => "field_required",
            Self::TooLong(..) => "field_too_long",
            Self::IllegalStep { .. } => "commitment_illegal_step",
            Self::UnknownGround => "change_ground_unknown",
            Self::ExplanationPending(_) => "explanation_pending",
            Self::DateInFuture { .. } => "date_in_future",
            Self::DateBeforePromise { .. } => "date_before_promise",
            Self::Calendar(_) => "calendar_unavailable",
        }
    }

    /// Whether the refusal is about the item's state (a conflict) rather than the input.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::IllegalStep { .. } | Self::ExplanationPending(_))
    }
}

impl crate::error::Coded for CommitmentError {
    fn code(&self) -> &'static str {
        CommitmentError::code(self)
    }

    fn kind(&self) -> crate::error::ErrorKind {
        use crate::error::ErrorKind;
        match self {
            Self::Kinds(_) | Self::Calendar(_) => ErrorKind::Unavailable,
            e if e.is_conflict() => ErrorKind::Conflict,
            _ => ErrorKind::Invalid,
        }
    }
}
