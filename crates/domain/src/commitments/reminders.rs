//! The daily sweep's stages: a reminder before each due date (提醒) and an escalation after it
//! (督办), one of each per milestone at most.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// A reminder stage. Stored as its number (`reminded_stage`: 0 none, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemindStage {
    /// 到期提醒: from `remind_before` days before the due date, to the promisor.
    Before = 1,
    /// 逾期督办: the day after the due date, to the promisor, its supervising body and the
    /// credit office.
    Overdue = 2,
}

impl RemindStage {
    pub fn number(self) -> i32 {
        self as i32
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::Overdue => "overdue",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Before => "到期提醒",
            Self::Overdue => "逾期督办",
        }
    }
}

/// The stage a pending milestone is due for on `today`, given the stage already sent (`sent`,
/// 0 for none): the highest one reached and not sent yet (a milestone registered after its
/// reminder window gets only the escalation when it is late).
pub fn stage_due(
    due: NaiveDate,
    remind_before: u32,
    sent: i32,
    today: NaiveDate,
) -> Option<RemindStage> {
    if today > due {
        (sent < RemindStage::Overdue.number()).then_some(RemindStage::Overdue)
    } else if today >= due - Duration::days(i64::from(remind_before)) {
        (sent < RemindStage::Before.number()).then_some(RemindStage::Before)
    } else {
        None
    }
}

/// The day the sweep must look at a pending milestone next, given the stage sent (`None`: it
/// is done with it). What the sweep selects on (`next_remind_on <= today`, indexed).
pub fn next_remind_on(due: NaiveDate, remind_before: u32, sent: i32) -> Option<NaiveDate> {
    match sent {
        0 => Some(due - Duration::days(i64::from(remind_before))),
        1 => due.succ_opt(),
        _ => None,
    }
}
