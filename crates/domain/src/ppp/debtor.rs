//! A government body listed as 失信被执行人, tracked case by case until cleared (专项治理
//! 清零): 未履行 → 部分履行 → 已履行 | 已撤销. A cleared case (已履行, 已撤销) carries the day it
//! was cleared and takes no further step.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PppError;
use crate::staff::columns::ColumnSpec;

/// The columns of a 失信被执行人 case file (a court's or the credit office's list): key, accepted
/// titles (the first is the canonical one), required.
pub const DEBTOR_COLUMNS: &[ColumnSpec] = &[
    ("case_no", &["案号", "执行案号"], true),
    ("court", &["执行法院"], true),
    (
        "body_uscc",
        &["被执行人统一社会信用代码", "统一社会信用代码"],
        true,
    ),
    ("body_name", &["被执行人名称", "被执行人"], false),
    (
        "amount",
        &["执行标的（元）", "执行标的", "执行标的金额（元）"],
        true,
    ),
    ("listed_on", &["纳入名单日期", "发布日期", "列入日期"], true),
];

/// The state of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DebtorState {
    /// 未履行.
    Unperformed,
    /// 部分履行.
    PartlyPerformed,
    /// 已履行 (cleared).
    Performed,
    /// 已撤销 (cleared: the listing withdrawn).
    Revoked,
}

impl DebtorState {
    pub const ALL: [DebtorState; 4] = [
        Self::Unperformed,
        Self::PartlyPerformed,
        Self::Performed,
        Self::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unperformed => "unperformed",
            Self::PartlyPerformed => "partly_performed",
            Self::Performed => "performed",
            Self::Revoked => "revoked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Unperformed => "未履行",
            Self::PartlyPerformed => "部分履行",
            Self::Performed => "已履行",
            Self::Revoked => "已撤销",
        }
    }

    /// By code or Chinese name.
    pub fn parse(s: &str) -> Result<Self, PppError> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == t || st.label() == t)
            .ok_or_else(|| PppError::UnknownDebtorState(t.chars().take(20).collect()))
    }

    /// Cleared (清零): nothing more happens to the case.
    pub fn is_cleared(self) -> bool {
        matches!(self, Self::Performed | Self::Revoked)
    }
}

/// Whether a case in `state` (listed `listed_on`) may move to `to` on `on` (a progress note
/// keeps the state: `to == state`). Returns the cleared day, if `to` clears it.
pub fn check_debtor_step(
    state: DebtorState,
    listed_on: NaiveDate,
    to: DebtorState,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, PppError> {
    if on > today {
        return Err(PppError::DateInFuture { date: on, today });
    }
    if on < listed_on {
        return Err(PppError::DateBeforeListing {
            on,
            listed: listed_on,
        });
    }
    let ok = match (state, to) {
        (s, _) if s.is_cleared() => false,
        (DebtorState::Unperformed, _) => true,
        (DebtorState::PartlyPerformed, DebtorState::Unperformed) => false,
        (DebtorState::PartlyPerformed, _) => true,
        _ => false,
    };
    if !ok {
        return Err(PppError::DebtorIllegalStep {
            state: state.label(),
            to: to.label(),
        });
    }
    Ok(to.is_cleared().then_some(on))
}
