//! The daily sweep's stages on a step's due date: the reminder (到期提醒, stage 1) a set number
//! of working days before it, then the escalation levels (督办, stages 2, 3, …) each a set
//! number of working days after it — sent in that order, each at most once, the highest one
//! reached when a sweep comes late (an item registered late gets only what is due).

use chrono::NaiveDate;

use super::{minus_working_days, EscalationLevel, WorkError, WorkType};
use crate::calendar::WorkCalendar;

/// A stage of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// 到期提醒.
    Reminder,
    /// Escalation level `i` (0-based, in the type's order).
    Escalation(usize),
}

impl Stage {
    /// Stored as a number: 0 none sent, 1 the reminder, 2.. the escalation levels.
    pub fn number(self) -> i32 {
        match self {
            Self::Reminder => 1,
            Self::Escalation(i) => i32::try_from(i).unwrap_or(i32::MAX - 2) + 2,
        }
    }

    pub fn from_number(n: i32) -> Option<Self> {
        match n {
            1 => Some(Self::Reminder),
            n if n >= 2 => usize::try_from(n - 2).ok().map(Self::Escalation),
            _ => None,
        }
    }

    pub fn label(self, t: &WorkType) -> &str {
        match self {
            Self::Reminder => "到期提醒",
            Self::Escalation(i) => t
                .escalation
                .get(i)
                .map_or("逾期督办", |l: &EscalationLevel| l.name.as_str()),
        }
    }
}

/// The day stage `n` (1 the reminder, 2.. the escalations) falls due for a step due on `due`;
/// `None` when the type has no such stage (no reminder configured, or past the last level).
pub fn stage_on(
    t: &WorkType,
    due: NaiveDate,
    n: i32,
    cal: &WorkCalendar,
) -> Result<Option<NaiveDate>, WorkError> {
    match Stage::from_number(n) {
        None => Ok(None),
        Some(Stage::Reminder) => {
            if t.remind_before_working_days == 0 {
                Ok(None)
            } else {
                minus_working_days(due, t.remind_before_working_days, cal).map(Some)
            }
        }
        Some(Stage::Escalation(i)) => match t.escalation.get(i) {
            None => Ok(None),
            Some(level) => cal
                .add_working_days(due, level.after_working_days)
                .map(Some)
                .map_err(|e| WorkError::Calendar(e.to_string())),
        },
    }
}

/// The stage to send on `today` for a step due on `due`, `sent` the highest stage sent
/// (0 none): the highest stage reached and not sent, and the day the sweep must look next
/// (`None`: nothing more to send).
pub fn stage_due(
    t: &WorkType,
    due: NaiveDate,
    sent: i32,
    today: NaiveDate,
    cal: &WorkCalendar,
) -> Result<(Option<Stage>, Option<NaiveDate>), WorkError> {
    let last = i32::try_from(t.escalation.len()).unwrap_or(0) + 1;
    let mut reached = None;
    let mut next = None;
    for n in (sent.max(0) + 1)..=last {
        match stage_on(t, due, n, cal)? {
            None => continue,
            Some(day) if day <= today => reached = Stage::from_number(n),
            Some(day) => {
                next = Some(day);
                break;
            }
        }
    }
    Ok((reached, next))
}
