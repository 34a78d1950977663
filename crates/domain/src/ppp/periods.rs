//! The government-side responsible person (政府方责任人) of each stage, with from–to dates:
//! one at a time per stage (a change of person ends one period and begins the next), each
//! period within the stage (not before the stage began).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{PppError, Stage};

/// One person's period as a stage's responsible person. `person` is an opaque key (the
/// subject id or the ID hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagePeriod {
    pub stage: Stage,
    pub person: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl StagePeriod {
    fn end(&self) -> NaiveDate {
        self.to.unwrap_or(NaiveDate::MAX)
    }

    /// Whether the person held the stage on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.end()
    }

    /// Whether the two periods of one stage share a day.
    pub fn overlaps(&self, other: &StagePeriod) -> bool {
        self.stage == other.stage && self.from <= other.end() && other.from <= self.end()
    }
}

/// A new period on its own: its dates in order, its stage reached (`stage_since`: when the
/// stage began, `None` if not yet), not before the stage began, not in the future.
pub fn check_period(
    p: &StagePeriod,
    stage_since: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), PppError> {
    if let Some(to) = p.to {
        if to < p.from {
            return Err(PppError::PeriodEndBeforeStart { from: p.from, to });
        }
    }
    if p.from > today {
        return Err(PppError::DateInFuture {
            date: p.from,
            today,
        });
    }
    let Some(since) = stage_since else {
        return Err(PppError::StageNotReached(p.stage.label()));
    };
    if p.from < since {
        return Err(PppError::PeriodBeforeStage {
            stage: p.stage.label(),
            from: p.from,
            since,
        });
    }
    Ok(())
}

/// The stored period `new` overlaps, if any (one responsible person per stage at a time).
pub fn overlap<'a>(new: &StagePeriod, stored: &'a [StagePeriod]) -> Option<&'a StagePeriod> {
    stored.iter().find(|s| s.overlaps(new))
}

/// The periods of `stage` that cover `day` (one, unless the history is wrong), earliest first.
pub fn holders_on(periods: &[StagePeriod], stage: Stage, day: NaiveDate) -> Vec<&StagePeriod> {
    let mut out: Vec<&StagePeriod> = periods
        .iter()
        .filter(|p| p.stage == stage && p.covers(day))
        .collect();
    out.sort_by_key(|p| p.from);
    out
}
