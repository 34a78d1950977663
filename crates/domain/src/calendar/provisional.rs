//! Provisional answers past the covered years, and the warning that coverage is running out.
//!
//! Until the State Council announces a year's schedule, nobody knows its holidays and make-up
//! days. The lenient functions then count Monday–Friday as working days (no holidays) and say
//! so: the answer is *provisional*, to be recomputed once the year is loaded. Inside the
//! covered years they answer exactly as the strict functions do, and are not provisional.

use chrono::{Datelike, NaiveDate};

use super::errors::{ymd, CalendarError};
use super::WorkCalendar;

/// A date computed on the calendar, provisional if any day looked at lies in a year the
/// calendar does not cover (counted Monday–Friday, no holidays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Dated {
    pub date: NaiveDate,
    pub provisional: bool,
}

/// A number of working days, provisional if any day counted lies in a year the calendar does
/// not cover (counted Monday–Friday, no holidays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counted {
    pub days: i64,
    pub provisional: bool,
}

/// Days before the last covered day from which [`WorkCalendar::coverage_warning`] warns.
pub const COVERAGE_WARNING_DAYS: i64 = 60;

/// The calendar's coverage ends soon, has ended, or covers nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CoverageWarning {
    /// The last covered day (31 December of the last covered year); `None` if no year is
    /// covered.
    pub last_covered: Option<NaiveDate>,
    /// Days from today to `last_covered`: 0 on it, negative once past it; `None` if no year
    /// is covered.
    pub days_left: Option<i64>,
}

impl CoverageWarning {
    /// Stable code: `calendar_coverage_ending`, `calendar_coverage_ended` or
    /// `calendar_not_covered`.
    pub fn code(&self) -> &'static str {
        match self.days_left {
            Some(d) if d >= 0 => "calendar_coverage_ending",
            Some(_) => "calendar_coverage_ended",
            None => "calendar_not_covered",
        }
    }

    /// What to tell an administrator, in Chinese.
    pub fn message(&self) -> String {
        match (self.last_covered, self.days_left) {
            (Some(last), Some(d)) if d >= 0 => format!(
                "节假日数据仅覆盖至{}（还剩{d}天）：国务院办公厅发布{}年放假安排后，请及时载入；\
                 此后的期限将暂按周一至周五推算并标为临时",
                ymd(last),
                last.year().saturating_add(1)
            ),
            (Some(last), _) => format!(
                "节假日数据仅覆盖至{}：此后的期限暂按周一至周五推算并标为临时，\
                 载入{}年放假安排后将重新计算",
                ymd(last),
                last.year().saturating_add(1)
            ),
            _ => "节假日数据未覆盖任何年份：所有期限暂按周一至周五推算并标为临时".to_string(),
        }
    }
}

/// Days since Monday 0001-01-01 (proleptic Gregorian), 0 on that Monday.
fn day_index(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 1
}

/// Mon–Fri days among the days with index `0..k` (negative `k`: minus those in `k..0`).
fn weekdays_before(k: i64) -> i64 {
    5 * k.div_euclid(7) + k.rem_euclid(7).min(5)
}

/// Mon–Fri days `d` with `a < d <= b` (`a <= b`).
pub(super) fn weekdays_between(a: NaiveDate, b: NaiveDate) -> i64 {
    weekdays_before(day_index(b) + 1) - weekdays_before(day_index(a) + 1)
}

/// The `n`-th Monday–Friday after `date` (`n >= 1`); `None` past the representable dates.
pub(super) fn nth_weekday_after(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    // The target is the m-th weekday counted from the anchor Monday (1-based).
    let i = weekdays_before(day_index(date) + 1) + n - 1;
    let k = 7 * i.div_euclid(5) + i.rem_euclid(5);
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(k + 1).ok()?)
}

impl WorkCalendar {
    /// First and last covered day; `None` for an empty calendar.
    fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        if self.first > self.last {
            return None;
        }
        Some((
            NaiveDate::from_ymd_opt(self.first, 1, 1)?,
            NaiveDate::from_ymd_opt(self.last, 12, 31)?,
        ))
    }

    /// The last covered day (31 December of the last covered year); `None` if none.
    pub fn last_covered_day(&self) -> Option<NaiveDate> {
        self.span().map(|(_, end)| end)
    }

    /// Days from `today` to the last covered day (0 on it, negative past it); `None` if no
    /// year is covered.
    pub fn days_until_uncovered(&self, today: NaiveDate) -> Option<i64> {
        self.last_covered_day().map(|end| (end - today).num_days())
    }

    /// A warning when `today` is within [`COVERAGE_WARNING_DAYS`] days of the last covered
    /// day, or past it, or no year is covered; `None` while coverage lasts longer.
    pub fn coverage_warning(&self, today: NaiveDate) -> Option<CoverageWarning> {
        let days_left = self.days_until_uncovered(today);
        match days_left {
            Some(d) if d > COVERAGE_WARNING_DAYS => None,
            _ => Some(CoverageWarning {
                last_covered: self.last_covered_day(),
                days_left,
            }),
        }
    }

    /// Like [`WorkCalendar::add_working_days`], but a day in a year not covered counts as a
    /// working day when it is a Monday–Friday, and the answer is then `provisional`. Equal to
    /// the strict answer (not provisional) whenever that exists. The only error is a date past
    /// the representable range (`calendar_date_out_of_range`).
    pub fn add_working_days_lenient(
        &self,
        date: NaiveDate,
        n: u32,
    ) -> Result<Dated, CalendarError> {
        let mut left = i64::from(n);
        let mut day = date;
        let mut provisional = false;
        if left == 0 {
            return Ok(Dated { date, provisional });
        }
        if let Some((start, end)) = self.span() {
            // Uncovered days before the covered years: (day, start - 1].
            if let Some(before) = start.pred_opt() {
                if day < before {
                    provisional = true;
                    let count = weekdays_between(day, before);
                    if count >= left {
                        let date =
                            nth_weekday_after(day, left).ok_or(CalendarError::DateOutOfRange)?;
                        return Ok(Dated { date, provisional });
                    }
                    left -= count;
                    day = before;
                }
            }
            // Covered days, one by one.
            while left > 0 && day < end {
                let Some(next) = day.succ_opt() else { break };
                day = next;
                if self.works(day) {
                    left -= 1;
                }
            }
            if left == 0 {
                return Ok(Dated {
                    date: day,
                    provisional,
                });
            }
        }
        // Uncovered days after the covered years (or no coverage at all).
        let date = nth_weekday_after(day, left).ok_or(CalendarError::DateOutOfRange)?;
        Ok(Dated {
            date,
            provisional: true,
        })
    }

    /// Like [`WorkCalendar::working_days_between`], but Monday–Friday days in years not
    /// covered count as working days and make the count `provisional`. Equal to the strict
    /// count (not provisional) whenever that exists.
    pub fn working_days_between_lenient(&self, a: NaiveDate, b: NaiveDate) -> Counted {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0;
        let mut provisional = false;
        match self.span() {
            _ if lo == hi => {}
            None => {
                count = weekdays_between(lo, hi);
                provisional = true;
            }
            Some((start, end)) => {
                let before = start.pred_opt().unwrap_or(start);
                // (lo, min(hi, start - 1)]: before the covered years.
                let top = hi.min(before);
                if lo < top {
                    count += weekdays_between(lo, top);
                    provisional = true;
                }
                // (max(lo, start - 1), min(hi, end)]: covered.
                let (from, to) = (lo.max(before), hi.min(end));
                if from < to {
                    count += self.count_covered(from, to);
                }
                // (max(lo, end), hi]: after the covered years.
                let from = lo.max(end);
                if from < hi {
                    count += weekdays_between(from, hi);
                    provisional = true;
                }
            }
        }
        Counted {
            days: sign * count,
            provisional,
        }
    }
}
