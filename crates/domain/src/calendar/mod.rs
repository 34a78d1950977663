//! The official working-day calendar (法定节假日与调休): shipped as data, extended at run time.
//!
//! `data/calendar/cn-holidays.toml` lists, for each covered year, the statutory holiday periods
//! and the make-up working days (调休上班) exactly as in the 国务院办公厅 notices, with the
//! notice numbers. A day is a working day when it is a make-up day, or a Monday–Friday that
//! is not a holiday.
//!
//! The State Council announces a year's schedule in November or December of the year before,
//! so the shipped file always ends. An administrator loads the next year at run time: a file in
//! the same format ([`CalendarDoc::parse`], stricter: notices required), merged into the
//! calendar ([`WorkCalendar::merge`]: the covered years stay contiguous, a covered year is only
//! replaced when asked). The store keeps loaded years; [`WorkCalendar::effective`] combines
//! them with the shipped file.
//!
//! Two ways to ask about days outside the covered years:
//! - strict ([`WorkCalendar::add_working_days`], [`WorkCalendar::working_days_between`],
//!   [`WorkCalendar::is_working_day`]): [`CalendarError::YearNotCovered`], never a guess;
//! - lenient ([`WorkCalendar::add_working_days_lenient`],
//!   [`WorkCalendar::working_days_between_lenient`]): Monday–Friday counted as working days,
//!   the answer marked provisional, to be recomputed when the year is loaded.
//!
//! [`WorkCalendar::coverage_warning`] says when the coverage ends within
//! [`COVERAGE_WARNING_DAYS`] days.
//!
//! The file is parsed on first use. A parse failure of the shipped file never panics:
//! [`WorkCalendar::official`] then returns an empty calendar (every question is
//! `YearNotCovered`) and [`WorkCalendar::official_checked`] reports the error.

mod errors;
mod parse;
mod provisional;
mod work_calendar;

#[cfg(test)]
mod tests;

pub use errors::CalendarError;
pub use parse::{CalendarDoc, CalendarYear, HolidayPeriod, MakeUpDay};
pub use provisional::{Counted, CoverageWarning, Dated, COVERAGE_WARNING_DAYS};
pub use work_calendar::{Merged, WorkCalendar};

/// The shipped calendar.
const OFFICIAL_TOML: &str = include_str!("../../../../data/calendar/cn-holidays.toml");
