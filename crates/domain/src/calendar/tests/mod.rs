//! Unit tests of the calendar, one file per concept.

mod lenient;
mod loading;
mod parsing;
mod shipped;

use chrono::NaiveDate;

use super::WorkCalendar;

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

pub(super) fn cal() -> &'static WorkCalendar {
    WorkCalendar::official_checked().expect("shipped calendar parses")
}

/// An invented 2027 (for tests only, never shipped: see the file's header).
pub(super) const TEST_2027: &str =
    include_str!("../../../../../tests/fixtures/calendar-2027-test.toml");
