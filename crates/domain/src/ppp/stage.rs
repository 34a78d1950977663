//! The five stages of a PPP project, entered in order, each from its start date; the stage in
//! effect on a day is the last one started on or before it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PppError;

/// A PPP project's stage (财政部 PPP 操作指南: 识别、准备、采购、执行、移交).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 项目识别.
    Identification,
    /// 项目准备.
    Preparation,
    /// 项目采购.
    Procurement,
    /// 项目执行.
    Execution,
    /// 项目移交.
    Handover,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Self::Identification,
        Self::Preparation,
        Self::Procurement,
        Self::Execution,
        Self::Handover,
    ];

    /// The code (also the catalog's `ppp_breach.stage` value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identification => "identification",
            Self::Preparation => "preparation",
            Self::Procurement => "procurement",
            Self::Execution => "execution",
            Self::Handover => "handover",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Identification => "识别",
            Self::Preparation => "准备",
            Self::Procurement => "采购",
            Self::Execution => "执行",
            Self::Handover => "移交",
        }
    }

    /// By code or Chinese name (`execution`, `执行`, `执行阶段`).
    pub fn parse(s: &str) -> Result<Self, PppError> {
        let t = s.trim();
        let t = t.strip_suffix("阶段").unwrap_or(t);
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == t || st.label() == t)
            .ok_or_else(|| PppError::UnknownStage(s.trim().chars().take(20).collect()))
    }

    /// The stage after this one.
    pub fn next(self) -> Option<Stage> {
        let i = Self::ALL.iter().position(|s| *s == self)?;
        Self::ALL.get(i + 1).copied()
    }
}

/// A stage entered on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageStart {
    pub stage: Stage,
    pub on: NaiveDate,
}

/// Whether the project may move from `current` (entered `since`) to `to` on `on`: only the
/// next stage, not before the current one began, not in the future.
pub fn check_advance(
    current: StageStart,
    to: Stage,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(), PppError> {
    let Some(expected) = current.stage.next() else {
        return Err(PppError::StageFinal);
    };
    if to != expected {
        return Err(PppError::StageOutOfOrder {
            current: current.stage.label(),
            expected: expected.label(),
            to: to.label(),
        });
    }
    if on > today {
        return Err(PppError::DateInFuture { date: on, today });
    }
    if on < current.on {
        return Err(PppError::StageDateOutOfOrder {
            current: current.stage.label(),
            to: to.label(),
            on,
            since: current.on,
        });
    }
    Ok(())
}

/// The stage in effect on `day`: the latest started on or before it (`None` before the
/// project began). A stage entered on a day is in effect from that day.
pub fn stage_on(stages: &[StageStart], day: NaiveDate) -> Option<Stage> {
    stages
        .iter()
        .filter(|s| s.on <= day)
        .max_by_key(|s| (s.on, s.stage))
        .map(|s| s.stage)
}
