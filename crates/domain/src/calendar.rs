//! The official working-day calendar (法定节假日与调休), shipped as data.
//!
//! `data/calendar/cn-holidays.toml` lists, for each covered year, the statutory holiday periods
//! and the make-up working days (调休上班) exactly as in the 国务院办公厅 notices, with the
//! notice numbers. A day is a working day when it is a make-up day, or a Monday–Friday that
//! is not a holiday.
//!
//! Deadlines counted in working days must never be guessed: any question about a day outside
//! the covered years is answered with [`CalendarError::YearNotCovered`].
//!
//! The file is parsed on first use. A parse failure of the shipped file never panics:
//! [`WorkCalendar::official`] then returns an empty calendar (every question is
//! `YearNotCovered`) and [`WorkCalendar::official_checked`] reports the error.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};

/// The shipped calendar.
const OFFICIAL_TOML: &str = include_str!("../../../data/calendar/cn-holidays.toml");

/// Errors reading a calendar or asking it about a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    /// A day that must be looked at lies outside the covered years.
    YearNotCovered { year: i32, first: i32, last: i32 },
    /// The file is not valid TOML or lacks/mistypes a field.
    Toml { message: String },
    /// The file lists no year.
    NoYears,
    /// `first_year`/`last_year` disagree with the years listed.
    YearRangeMismatch { first: i32, last: i32 },
    /// The years listed are not contiguous and in order.
    YearsNotContiguous { expected: i32, found: i32 },
    /// A date is not `YYYY-MM-DD`.
    BadDate { year: i32, value: String },
    /// A date lies outside the year it is listed under.
    DateOutsideYear { year: i32, date: NaiveDate },
    /// A holiday period ends before it starts.
    ReversedPeriod {
        name: String,
        first: NaiveDate,
        last: NaiveDate,
    },
    /// A holiday has an empty name.
    EmptyName { year: i32 },
    /// Two holiday periods share a day.
    OverlappingHolidays { date: NaiveDate },
    /// A make-up working day is listed twice.
    DuplicateMakeUpDay { date: NaiveDate },
    /// A day is both a holiday and a make-up working day.
    HolidayAndMakeUpDay { date: NaiveDate },
    /// A make-up working day is not a Saturday or Sunday.
    MakeUpDayNotWeekend { date: NaiveDate },
}

impl CalendarError {
    /// Stable snake_case code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::YearNotCovered { .. } => "calendar_year_not_covered",
            CalendarError::Toml { .. } => "calendar_bad_toml",
            CalendarError::NoYears => "calendar_no_years",
            CalendarError::YearRangeMismatch { .. } => "calendar_year_range_mismatch",
            CalendarError::YearsNotContiguous { .. } => "calendar_years_not_contiguous",
            CalendarError::BadDate { .. } => "calendar_bad_date",
            CalendarError::DateOutsideYear { .. } => "calendar_date_outside_year",
            CalendarError::ReversedPeriod { .. } => "calendar_reversed_period",
            CalendarError::EmptyName { .. } => "calendar_empty_name",
            CalendarError::OverlappingHolidays { .. } => "calendar_overlapping_holidays",
            CalendarError::DuplicateMakeUpDay { .. } => "calendar_duplicate_make_up_day",
            CalendarError::HolidayAndMakeUpDay { .. } => "calendar_holiday_and_make_up_day",
            CalendarError::MakeUpDayNotWeekend { .. } => "calendar_make_up_day_not_weekend",
        }
    }
}

fn ymd(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::YearNotCovered { year, first, last } => {
                write!(f, "日历数据未覆盖{year}年（覆盖{first}–{last}年）")
            }
            CalendarError::Toml { message } => write!(f, "节假日数据格式错误：{message}"),
            CalendarError::NoYears => write!(f, "节假日数据未列出任何年份"),
            CalendarError::YearRangeMismatch { first, last } => {
                write!(f, "节假日数据声明的覆盖范围{first}–{last}年与所列年份不符")
            }
            CalendarError::YearsNotContiguous { expected, found } => {
                write!(f, "节假日数据的年份不连续：应为{expected}年，实为{found}年")
            }
            CalendarError::BadDate { year, value } => {
                write!(
                    f,
                    "节假日数据{year}年部分的日期“{value}”格式错误（应为YYYY-MM-DD）"
                )
            }
            CalendarError::DateOutsideYear { year, date } => {
                write!(f, "{}不在所列的{year}年内", ymd(*date))
            }
            CalendarError::ReversedPeriod { name, first, last } => write!(
                f,
                "假期“{name}”的结束日{}早于开始日{}",
                ymd(*last),
                ymd(*first)
            ),
            CalendarError::EmptyName { year } => write!(f, "节假日数据{year}年有假期缺少名称"),
            CalendarError::OverlappingHolidays { date } => {
                write!(f, "{}同时属于两个假期", ymd(*date))
            }
            CalendarError::DuplicateMakeUpDay { date } => {
                write!(f, "调休上班日{}重复", ymd(*date))
            }
            CalendarError::HolidayAndMakeUpDay { date } => {
                write!(f, "{}既是假日又是调休上班日", ymd(*date))
            }
            CalendarError::MakeUpDayNotWeekend { date } => {
                write!(f, "调休上班日{}不是周六或周日", ymd(*date))
            }
        }
    }
}

impl std::error::Error for CalendarError {}

/// One statutory holiday period, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HolidayPeriod {
    /// e.g. `春节`, `国庆节、中秋节`.
    pub name: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The notice that set it, e.g. `国办发明电〔2025〕7号`.
    pub notice: Option<String>,
}

/// One make-up working day (调休上班).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MakeUpDay {
    pub date: NaiveDate,
    /// The holiday it makes up for.
    pub for_holiday: Option<String>,
    pub notice: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    first_year: Option<i32>,
    last_year: Option<i32>,
    #[serde(default)]
    years: Vec<RawYear>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    #[serde(default)]
    notices: Vec<String>,
    #[serde(default)]
    holidays: Vec<RawHoliday>,
    #[serde(default)]
    workdays: Vec<RawWorkday>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    first: String,
    last: String,
    notice: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkday {
    date: String,
    #[serde(rename = "for")]
    for_holiday: Option<String>,
    notice: Option<String>,
}

/// The official working-day calendar.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    first: i32,
    last: i32,
    periods: Vec<HolidayPeriod>,
    make_up: Vec<MakeUpDay>,
    /// day -> index into `periods`.
    holidays: BTreeMap<NaiveDate, usize>,
    make_up_days: BTreeSet<NaiveDate>,
    notices: BTreeMap<i32, Vec<String>>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_date(year: i32, value: &str) -> Result<NaiveDate, CalendarError> {
    let bad = || CalendarError::BadDate {
        year,
        value: value.to_owned(),
    };
    if value.len() != 10 {
        return Err(bad());
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())?;
    if date.year() != year {
        return Err(CalendarError::DateOutsideYear { year, date });
    }
    Ok(date)
}

impl WorkCalendar {
    const fn empty() -> Self {
        WorkCalendar {
            first: 1,
            last: 0,
            periods: Vec::new(),
            make_up: Vec::new(),
            holidays: BTreeMap::new(),
            make_up_days: BTreeSet::new(),
            notices: BTreeMap::new(),
        }
    }

    fn official_result() -> &'static Result<WorkCalendar, CalendarError> {
        static C: OnceLock<Result<WorkCalendar, CalendarError>> = OnceLock::new();
        C.get_or_init(|| WorkCalendar::parse(OFFICIAL_TOML))
    }

    /// The official calendar compiled into the binary (empty, covering no year, if the
    /// shipped file failed to parse: see [`WorkCalendar::official_checked`]).
    pub fn official() -> &'static WorkCalendar {
        static EMPTY: WorkCalendar = WorkCalendar::empty();
        match Self::official_result() {
            Ok(c) => c,
            Err(_) => &EMPTY,
        }
    }

    /// The official calendar, or the error that kept the shipped file from parsing.
    pub fn official_checked() -> Result<&'static WorkCalendar, CalendarError> {
        Self::official_result().as_ref().map_err(Clone::clone)
    }

    /// Parse a calendar in the shipped TOML format and validate it: every date inside the
    /// year it is listed under, holiday periods not reversed and not overlapping, no day both
    /// a holiday and a make-up day, make-up days on a Saturday or Sunday, years contiguous
    /// (and matching `first_year`/`last_year` when given).
    pub fn parse(toml_text: &str) -> Result<Self, CalendarError> {
        let raw: RawFile = toml::from_str(toml_text).map_err(|e| CalendarError::Toml {
            message: e.message().to_owned(),
        })?;
        let (Some(first_listed), Some(last_listed)) = (
            raw.years.first().map(|y| y.year),
            raw.years.last().map(|y| y.year),
        ) else {
            return Err(CalendarError::NoYears);
        };
        for (i, y) in raw.years.iter().enumerate() {
            let expected = first_listed.saturating_add(i32::try_from(i).unwrap_or(i32::MAX));
            if y.year != expected {
                return Err(CalendarError::YearsNotContiguous {
                    expected,
                    found: y.year,
                });
            }
        }
        let first = raw.first_year.unwrap_or(first_listed);
        let last = raw.last_year.unwrap_or(last_listed);
        if first != first_listed || last != last_listed {
            return Err(CalendarError::YearRangeMismatch { first, last });
        }

        let mut cal = WorkCalendar::empty();
        cal.first = first;
        cal.last = last;
        for y in raw.years {
            for h in y.holidays {
                if h.name.trim().is_empty() {
                    return Err(CalendarError::EmptyName { year: y.year });
                }
                let start = parse_date(y.year, &h.first)?;
                let end = parse_date(y.year, &h.last)?;
                if end < start {
                    return Err(CalendarError::ReversedPeriod {
                        name: h.name,
                        first: start,
                        last: end,
                    });
                }
                let index = cal.periods.len();
                for day in start.iter_days().take_while(|d| *d <= end) {
                    if cal.holidays.insert(day, index).is_some() {
                        return Err(CalendarError::OverlappingHolidays { date: day });
                    }
                }
                cal.periods.push(HolidayPeriod {
                    name: h.name,
                    first: start,
                    last: end,
                    notice: h.notice,
                });
            }
            for w in y.workdays {
                let date = parse_date(y.year, &w.date)?;
                if !is_weekend(date) {
                    return Err(CalendarError::MakeUpDayNotWeekend { date });
                }
                if !cal.make_up_days.insert(date) {
                    return Err(CalendarError::DuplicateMakeUpDay { date });
                }
                cal.make_up.push(MakeUpDay {
                    date,
                    for_holiday: w.for_holiday,
                    notice: w.notice,
                });
            }
            cal.notices.insert(y.year, y.notices);
        }
        if let Some(date) = cal
            .make_up_days
            .iter()
            .find(|d| cal.holidays.contains_key(d))
        {
            return Err(CalendarError::HolidayAndMakeUpDay { date: *date });
        }
        cal.periods.sort_by_key(|p| p.first);
        cal.holidays.clear();
        for (index, p) in cal.periods.iter().enumerate() {
            for day in p.first.iter_days().take_while(|d| *d <= p.last) {
                cal.holidays.insert(day, index);
            }
        }
        cal.make_up.sort_by_key(|m| m.date);
        Ok(cal)
    }

    /// The years this calendar covers (empty range for an empty calendar).
    pub fn covered_years(&self) -> RangeInclusive<i32> {
        self.first..=self.last
    }

    fn check_covered(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if self.covered_years().contains(&date.year()) {
            Ok(())
        } else {
            Err(CalendarError::YearNotCovered {
                year: date.year(),
                first: self.first,
                last: self.last,
            })
        }
    }

    /// Whether `date` is a working day: a make-up day, or a Monday–Friday that is not a
    /// holiday. `YearNotCovered` outside the covered years.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.check_covered(date)?;
        Ok(self.make_up_days.contains(&date)
            || (!is_weekend(date) && !self.holidays.contains_key(&date)))
    }

    /// The name of the holiday period `date` falls in, e.g. `春节` (`None` for other days,
    /// including days outside the covered years).
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.holidays
            .get(&date)
            .and_then(|i| self.periods.get(*i))
            .map(|p| p.name.as_str())
    }

    /// Whether `date` is a make-up working day (调休上班).
    pub fn is_make_up_day(&self, date: NaiveDate) -> bool {
        self.make_up_days.contains(&date)
    }

    /// The `n`-th working day after `date`, `date` itself not counted; `n = 0` returns
    /// `date`. `YearNotCovered` as soon as a day to look at lies outside the covered years.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().ok_or(CalendarError::YearNotCovered {
                year: day.year().saturating_add(1),
                first: self.first,
                last: self.last,
            })?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// The number of working days `d` with `a < d <= b`; negative (the count over
    /// `b < d <= a`) when `b < a`. So `working_days_between(a, add_working_days(a, n)?) == n`.
    /// `YearNotCovered` if any day counted lies outside the covered years.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        if lo == hi {
            return Ok(0);
        }
        // Every day in (lo, hi] is looked at: check both ends first for a clear error.
        if let Some(next) = lo.succ_opt() {
            self.check_covered(next)?;
        }
        self.check_covered(hi)?;
        let mut count: i64 = 0;
        for day in lo.iter_days().skip(1).take_while(|d| *d <= hi) {
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// All holiday periods, in date order.
    pub fn holidays(&self) -> &[HolidayPeriod] {
        &self.periods
    }

    /// All make-up working days, in date order.
    pub fn make_up_days(&self) -> &[MakeUpDay] {
        &self.make_up
    }

    /// The notices a year's data comes from.
    pub fn notices(&self, year: i32) -> &[String] {
        self.notices
            .get(&year)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn cal() -> &'static WorkCalendar {
        WorkCalendar::official_checked().expect("shipped calendar parses")
    }

    #[test]
    fn shipped_file_covers_2018_to_2026() {
        let c = cal();
        assert_eq!(c.covered_years(), 2018..=2026);
        assert_eq!(WorkCalendar::official().covered_years(), 2018..=2026);
        for y in 2018..=2026 {
            let names: BTreeSet<&str> = c
                .holidays()
                .iter()
                .filter(|p| p.first.year() == y)
                .map(|p| p.name.as_str())
                .collect();
            for n in ["元旦", "春节", "清明节", "劳动节", "端午节"] {
                assert!(names.contains(n), "{y} lacks {n}");
            }
            assert!(names.iter().any(|n| n.contains("国庆节")), "{y}");
            assert!(names.iter().any(|n| n.contains("中秋节")), "{y}");
            assert!(!c.notices(y).is_empty(), "{y}");
            assert!(c.holidays().iter().all(|p| p.notice.is_some()));
        }
    }

    #[test]
    fn spring_festival_2025() {
        let c = cal();
        assert_eq!(
            c.is_working_day(d(2025, 1, 26)),
            Ok(true),
            "Sunday make-up day"
        );
        assert!(c.is_make_up_day(d(2025, 1, 26)));
        assert_eq!(c.add_working_days(d(2025, 1, 24), 3), Ok(d(2025, 2, 5)));
        for day in 28..=31 {
            assert_eq!(c.is_working_day(d(2025, 1, day)), Ok(false));
            assert_eq!(c.holiday_name(d(2025, 1, day)), Some("春节"));
        }
        assert_eq!(c.is_working_day(d(2025, 2, 4)), Ok(false));
        assert_eq!(
            c.is_working_day(d(2025, 2, 8)),
            Ok(true),
            "Saturday make-up day"
        );
        assert_eq!(c.working_days_between(d(2025, 1, 24), d(2025, 2, 5)), Ok(3));
        assert_eq!(
            c.working_days_between(d(2025, 2, 5), d(2025, 1, 24)),
            Ok(-3)
        );
        assert_eq!(c.add_working_days(d(2025, 1, 24), 0), Ok(d(2025, 1, 24)));
    }

    #[test]
    fn national_day_periods() {
        let c = cal();
        // 2024: 10/1–10/7 off, 9/29 (Sun) and 10/12 (Sat) working.
        for day in 1..=7 {
            assert_eq!(c.is_working_day(d(2024, 10, day)), Ok(false));
            assert_eq!(c.holiday_name(d(2024, 10, day)), Some("国庆节"));
        }
        assert_eq!(c.is_working_day(d(2024, 9, 29)), Ok(true));
        assert_eq!(c.is_working_day(d(2024, 10, 12)), Ok(true));
        assert_eq!(c.add_working_days(d(2024, 9, 30), 1), Ok(d(2024, 10, 8)));
        // 2023: 中秋节、国庆节 9/29–10/6 combined, 10/7 and 10/8 working.
        assert_eq!(c.holiday_name(d(2023, 9, 29)), Some("中秋节、国庆节"));
        assert_eq!(c.is_working_day(d(2023, 10, 6)), Ok(false));
        assert_eq!(c.is_working_day(d(2023, 10, 7)), Ok(true));
        assert_eq!(c.is_working_day(d(2023, 10, 8)), Ok(true));
        // 2025: 国庆节、中秋节 10/1–10/8.
        assert_eq!(c.holiday_name(d(2025, 10, 8)), Some("国庆节、中秋节"));
        assert_eq!(c.is_working_day(d(2025, 9, 28)), Ok(true));
        assert_eq!(c.is_working_day(d(2025, 10, 11)), Ok(true));
        assert_eq!(c.add_working_days(d(2025, 9, 30), 1), Ok(d(2025, 10, 9)));
        // 2020: 国庆节、中秋节 10/1–10/8.
        assert_eq!(c.is_working_day(d(2020, 10, 8)), Ok(false));
        assert_eq!(c.is_working_day(d(2020, 10, 10)), Ok(true));
    }

    #[test]
    fn spring_festival_2020_extension() {
        let c = cal();
        // Extended to 2/2 by 国办发明电〔2020〕1号; the 2/1 make-up day was dropped.
        for day in [d(2020, 1, 31), d(2020, 2, 1), d(2020, 2, 2)] {
            assert_eq!(c.is_working_day(day), Ok(false), "{day}");
            assert_eq!(c.holiday_name(day), Some("春节"));
        }
        assert!(!c.is_make_up_day(d(2020, 2, 1)));
        assert_eq!(c.is_working_day(d(2020, 1, 19)), Ok(true));
        assert_eq!(c.add_working_days(d(2020, 1, 23), 1), Ok(d(2020, 2, 3)));
        let p = c
            .holidays()
            .iter()
            .find(|p| p.first == d(2020, 1, 24))
            .expect("period");
        assert_eq!(p.last, d(2020, 2, 2));
        assert_eq!(p.notice.as_deref(), Some("国办发明电〔2020〕1号"));
    }

    #[test]
    fn year_2026() {
        let c = cal();
        for day in 1..=3 {
            assert_eq!(c.holiday_name(d(2026, 1, day)), Some("元旦"));
        }
        assert_eq!(c.is_working_day(d(2026, 1, 4)), Ok(true));
        for day in 15..=23 {
            assert_eq!(c.is_working_day(d(2026, 2, day)), Ok(false), "2/{day}");
        }
        assert_eq!(c.is_working_day(d(2026, 2, 14)), Ok(true));
        assert_eq!(c.is_working_day(d(2026, 2, 28)), Ok(true));
        assert_eq!(c.holiday_name(d(2026, 4, 6)), Some("清明节"));
        assert_eq!(c.is_working_day(d(2026, 4, 6)), Ok(false));
        assert_eq!(c.is_working_day(d(2026, 5, 5)), Ok(false));
        assert_eq!(c.is_working_day(d(2026, 5, 9)), Ok(true));
        assert_eq!(c.holiday_name(d(2026, 6, 19)), Some("端午节"));
        assert_eq!(c.holiday_name(d(2026, 9, 25)), Some("中秋节"));
        assert_eq!(c.is_working_day(d(2026, 9, 20)), Ok(true));
        assert_eq!(c.is_working_day(d(2026, 10, 7)), Ok(false));
        assert_eq!(c.is_working_day(d(2026, 10, 10)), Ok(true));
        assert_eq!(c.notices(2026), ["国办发明电〔2025〕7号"]);
        // An ordinary week.
        assert_eq!(c.working_days_between(d(2026, 3, 1), d(2026, 3, 8)), Ok(5));
    }

    #[test]
    fn new_year_across_years() {
        let c = cal();
        // 2019's 元旦: 2018-12-30 – 2019-01-01, 2018-12-29 (Sat) working.
        assert_eq!(c.holiday_name(d(2018, 12, 31)), Some("元旦"));
        assert_eq!(c.is_working_day(d(2018, 12, 29)), Ok(true));
        assert_eq!(c.is_working_day(d(2019, 1, 1)), Ok(false));
        // 2024's 元旦 joined the weekend of 2023-12-30/31.
        assert_eq!(c.holiday_name(d(2023, 12, 30)), Some("元旦"));
    }

    #[test]
    fn make_up_days_work_and_holidays_rest() {
        let c = cal();
        assert!(!c.make_up_days().is_empty());
        for m in c.make_up_days() {
            assert_eq!(c.is_working_day(m.date), Ok(true), "{}", m.date);
            assert!(is_weekend(m.date));
            assert!(c.holiday_name(m.date).is_none());
        }
        for p in c.holidays() {
            for day in p.first.iter_days().take_while(|x| *x <= p.last) {
                assert_eq!(c.is_working_day(day), Ok(false), "{day}");
                assert_eq!(c.holiday_name(day), Some(p.name.as_str()));
            }
        }
    }

    #[test]
    fn uncovered_years_are_errors() {
        let c = cal();
        let e = c.is_working_day(d(2027, 1, 4)).expect_err("2027");
        assert_eq!(
            e,
            CalendarError::YearNotCovered {
                year: 2027,
                first: 2018,
                last: 2026
            }
        );
        assert_eq!(e.code(), "calendar_year_not_covered");
        assert_eq!(e.to_string(), "日历数据未覆盖2027年（覆盖2018–2026年）");
        let e = c.is_working_day(d(2017, 12, 29)).expect_err("2017");
        assert_eq!(e.to_string(), "日历数据未覆盖2017年（覆盖2018–2026年）");
        // Running past the end is an error, never a guess.
        let e = c
            .add_working_days(d(2026, 12, 30), 5)
            .expect_err("past end");
        assert_eq!(e.code(), "calendar_year_not_covered");
        assert!(c.add_working_days(d(2017, 12, 30), 1).is_err());
        // The start day itself is never looked at.
        assert_eq!(c.add_working_days(d(2017, 12, 31), 1), Ok(d(2018, 1, 2)));
        assert!(c
            .working_days_between(d(2017, 12, 1), d(2018, 1, 5))
            .is_err());
        assert!(c
            .working_days_between(d(2026, 12, 1), d(2027, 1, 5))
            .is_err());
        assert!(c
            .working_days_between(d(2027, 1, 5), d(2026, 12, 1))
            .is_err());
        // The start day is not looked at: 2017-12-31 -> 2018-01-02 is fine.
        assert_eq!(
            c.working_days_between(d(2017, 12, 31), d(2018, 1, 2)),
            Ok(1)
        );
        assert_eq!(c.holiday_name(d(2027, 1, 1)), None);
    }

    #[test]
    fn empty_calendar_covers_nothing() {
        let c = WorkCalendar::empty();
        assert!(c.covered_years().is_empty());
        assert!(c.is_working_day(d(2025, 1, 2)).is_err());
    }

    const OK: &str = r#"
first_year = 2030
last_year = 2031
[[years]]
year = 2030
notices = ["测试"]
holidays = [{ name = "元旦", first = "2030-01-01", last = "2030-01-01" }]
workdays = [{ date = "2030-01-05", for = "元旦" }]
[[years]]
year = 2031
"#;

    #[test]
    fn parse_small_calendar() {
        let c = WorkCalendar::parse(OK).expect("parses");
        assert_eq!(c.covered_years(), 2030..=2031);
        assert_eq!(c.is_working_day(d(2030, 1, 1)), Ok(false));
        assert_eq!(c.is_working_day(d(2030, 1, 5)), Ok(true));
        assert_eq!(c.make_up_days()[0].for_holiday.as_deref(), Some("元旦"));
        assert_eq!(c.notices(2031), Vec::<String>::new());
    }

    #[test]
    fn parse_errors() {
        let cases: &[(&str, &str)] = &[
            ("years = 3", "calendar_bad_toml"),
            ("unknown = 1\n[[years]]\nyear = 2030", "calendar_bad_toml"),
            ("", "calendar_no_years"),
            (
                "[[years]]\nyear = 2030\n[[years]]\nyear = 2032",
                "calendar_years_not_contiguous",
            ),
            (
                "[[years]]\nyear = 2031\n[[years]]\nyear = 2030",
                "calendar_years_not_contiguous",
            ),
            (
                "first_year = 2029\n[[years]]\nyear = 2030",
                "calendar_year_range_mismatch",
            ),
            (
                "[[years]]\nyear = 2030\nworkdays = [{ date = \"2030/01/05\" }]",
                "calendar_bad_date",
            ),
            (
                "[[years]]\nyear = 2030\nworkdays = [{ date = \"2030-02-30\" }]",
                "calendar_bad_date",
            ),
            (
                "[[years]]\nyear = 2030\nholidays = [{ name = \"元旦\", first = \"2029-12-31\", last = \"2030-01-01\" }]",
                "calendar_date_outside_year",
            ),
            (
                "[[years]]\nyear = 2030\nholidays = [{ name = \"元旦\", first = \"2030-01-03\", last = \"2030-01-01\" }]",
                "calendar_reversed_period",
            ),
            (
                "[[years]]\nyear = 2030\nholidays = [{ name = \" \", first = \"2030-01-01\", last = \"2030-01-01\" }]",
                "calendar_empty_name",
            ),
            (
                "[[years]]\nyear = 2030\nholidays = [{ name = \"a\", first = \"2030-01-01\", last = \"2030-01-03\" }, { name = \"b\", first = \"2030-01-03\", last = \"2030-01-04\" }]",
                "calendar_overlapping_holidays",
            ),
            (
                "[[years]]\nyear = 2030\nworkdays = [{ date = \"2030-01-05\" }, { date = \"2030-01-05\" }]",
                "calendar_duplicate_make_up_day",
            ),
            (
                "[[years]]\nyear = 2030\nholidays = [{ name = \"a\", first = \"2030-01-05\", last = \"2030-01-06\" }]\nworkdays = [{ date = \"2030-01-05\" }]",
                "calendar_holiday_and_make_up_day",
            ),
            (
                "[[years]]\nyear = 2030\nworkdays = [{ date = \"2030-01-07\" }]",
                "calendar_make_up_day_not_weekend",
            ),
        ];
        for (text, code) in cases {
            let e = WorkCalendar::parse(text).expect_err(text);
            assert_eq!(e.code(), *code, "{text}: {e}");
            assert!(!e.to_string().is_empty());
        }
        let e =
            WorkCalendar::parse("[[years]]\nyear = 2030\nworkdays = [{ date = \"2030-01-07\" }]")
                .expect_err("weekday");
        assert_eq!(e.to_string(), "调休上班日2030年1月7日不是周六或周日");
    }

    fn covered_date() -> impl Strategy<Value = NaiveDate> {
        let first = d(2018, 1, 1);
        let days = (d(2026, 12, 31) - first).num_days();
        (0..=days).prop_map(move |n| first + chrono::Duration::days(n))
    }

    proptest! {
        #[test]
        fn between_inverts_add(a in covered_date(), n in 0u32..400) {
            let c = cal();
            match c.add_working_days(a, n) {
                Ok(b) => {
                    prop_assert!(b >= a);
                    prop_assert_eq!(c.working_days_between(a, b), Ok(i64::from(n)));
                    prop_assert_eq!(c.working_days_between(b, a), Ok(-i64::from(n)));
                    if n > 0 {
                        prop_assert_eq!(c.is_working_day(b), Ok(true));
                    }
                }
                Err(e) => prop_assert_eq!(e.code(), "calendar_year_not_covered"),
            }
        }

        #[test]
        fn between_is_additive(a in covered_date(), b in covered_date(), m in covered_date()) {
            let c = cal();
            let ab = c.working_days_between(a, b);
            let am = c.working_days_between(a, m);
            let mb = c.working_days_between(m, b);
            match (ab, am, mb) {
                (Ok(ab), Ok(am), Ok(mb)) => prop_assert_eq!(ab, am + mb),
                // Only a start on 2018-01-01 or earlier could reach outside; none does here.
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
