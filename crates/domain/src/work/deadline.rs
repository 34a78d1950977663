//! Deadlines as data: `n` working days (the official calendar, provisional past it), calendar
//! days, or months (the same day `n` months later, moved to the next working day).

use chrono::{Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::WorkError;
use crate::calendar::WorkCalendar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    WorkingDays,
    CalendarDays,
    Months,
}

/// `n` units after a start date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRule {
    pub unit: DeadlineUnit,
    pub n: u32,
}

fn cal_err(e: impl std::fmt::Display) -> WorkError {
    WorkError::Calendar(e.to_string())
}

/// The first working day on or after `d`.
fn working_on_or_after(d: NaiveDate, cal: &WorkCalendar) -> Result<NaiveDate, WorkError> {
    let mut day = d;
    for _ in 0..60 {
        if cal.is_working_day(day).map_err(cal_err)? {
            return Ok(day);
        }
        day = day.succ_opt().ok_or_else(|| cal_err("日期超出范围"))?;
    }
    Err(cal_err("六十天内没有工作日"))
}

impl DeadlineRule {
    /// The due date counted from `start`.
    pub fn due_from(&self, start: NaiveDate, cal: &WorkCalendar) -> Result<NaiveDate, WorkError> {
        match self.unit {
            DeadlineUnit::CalendarDays => Ok(start + Duration::days(i64::from(self.n))),
            DeadlineUnit::WorkingDays => cal.add_working_days(start, self.n).map_err(cal_err),
            DeadlineUnit::Months => {
                let d = start
                    .checked_add_months(Months::new(self.n))
                    .ok_or_else(|| cal_err("日期超出范围"))?;
                working_on_or_after(d, cal)
            }
        }
    }

    pub fn label(&self) -> String {
        match self.unit {
            DeadlineUnit::WorkingDays => format!("{} 个工作日", self.n),
            DeadlineUnit::CalendarDays => format!("{} 日", self.n),
            DeadlineUnit::Months => format!("{} 个月", self.n),
        }
    }
}

/// The working day `n` working days before `date` (`n = 0`: `date`). Counting back: the
/// `n`-th working day strictly before `date`.
pub fn minus_working_days(
    date: NaiveDate,
    n: u32,
    cal: &WorkCalendar,
) -> Result<NaiveDate, WorkError> {
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day.pred_opt().ok_or_else(|| cal_err("日期超出范围"))?;
        if cal.is_working_day(day).map_err(cal_err)? {
            left -= 1;
        }
    }
    Ok(day)
}
