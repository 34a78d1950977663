//! [`WorkCalendar`]: the covered years and the strict questions about them (a day outside the
//! covered years is an error), built from the shipped file and from loaded years.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use super::errors::CalendarError;
use super::parse::{is_weekend, parse_years, Strictness};
use super::{CalendarDoc, CalendarYear, HolidayPeriod, MakeUpDay, OFFICIAL_TOML};

/// The official working-day calendar: contiguous covered years, each from the shipped file or
/// loaded at run time.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    pub(super) first: i32,
    pub(super) last: i32,
    years: BTreeMap<i32, CalendarYear>,
    periods: Vec<HolidayPeriod>,
    make_up: Vec<MakeUpDay>,
    /// day -> index into `periods`.
    holidays: BTreeMap<NaiveDate, usize>,
    make_up_days: BTreeSet<NaiveDate>,
    /// Answer for years not covered too, provisionally ([`WorkCalendar::with_provisional_years`]).
    provisional_years: bool,
}

/// What merging years into a calendar did, year by year ([`WorkCalendar::merge`]).
#[derive(Debug, Clone)]
pub struct Merged {
    /// The calendar with the years merged in.
    pub calendar: WorkCalendar,
    /// Years not covered before.
    pub added: Vec<i32>,
    /// Years covered before with different content, replaced as asked.
    pub replaced: Vec<i32>,
    /// Years covered before with the same content: nothing to do.
    pub unchanged: Vec<i32>,
}

impl WorkCalendar {
    pub(super) const fn empty() -> Self {
        WorkCalendar {
            first: 1,
            last: 0,
            years: BTreeMap::new(),
            periods: Vec::new(),
            make_up: Vec::new(),
            holidays: BTreeMap::new(),
            make_up_days: BTreeSet::new(),
            provisional_years: false,
        }
    }

    /// This calendar, answering for years it does not cover as well: there a Monday–Friday
    /// counts as a working day (no holiday is known yet), and a date so computed is
    /// provisional ([`WorkCalendar::is_provisional`]). The application runs on such a
    /// calendar, so that no deadline fails while next year's schedule is not out; the strict
    /// questions then never answer `YearNotCovered`.
    pub fn with_provisional_years(mut self) -> Self {
        self.provisional_years = true;
        self
    }

    /// Whether this calendar answers provisionally for years it does not cover.
    pub fn has_provisional_years(&self) -> bool {
        self.provisional_years
    }

    /// Whether a date lies in a year not covered, so that a deadline falling on it (counted
    /// Monday–Friday) is provisional until that year's schedule is loaded.
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        !self.covers(date)
    }

    /// Index validated years, which must be contiguous (checked by the callers).
    fn from_years(years: BTreeMap<i32, CalendarYear>) -> Self {
        let mut cal = WorkCalendar::empty();
        if let (Some(first), Some(last)) = (years.keys().next(), years.keys().next_back()) {
            cal.first = *first;
            cal.last = *last;
        }
        for y in years.values() {
            cal.periods.extend(y.holidays.iter().cloned());
            cal.make_up.extend(y.workdays.iter().cloned());
        }
        cal.periods.sort_by_key(|p| p.first);
        cal.make_up.sort_by_key(|m| m.date);
        for (index, p) in cal.periods.iter().enumerate() {
            for day in p.first.iter_days().take_while(|d| *d <= p.last) {
                cal.holidays.insert(day, index);
            }
        }
        cal.make_up_days = cal.make_up.iter().map(|m| m.date).collect();
        cal.years = years;
        cal
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
        let years = parse_years(toml_text, Strictness::Shipped)?;
        Ok(Self::from_years(
            years.into_iter().map(|y| (y.year, y)).collect(),
        ))
    }

    /// A calendar of the years of one document.
    pub fn from_doc(doc: &CalendarDoc) -> Self {
        Self::from_years(doc.years().iter().map(|y| (y.year, y.clone())).collect())
    }

    /// This calendar with the years of `doc` merged in. A year not covered yet is added; the
    /// covered years must stay contiguous (no gap, `calendar_year_gap`). A year already
    /// covered with the same content changes nothing; with different content it is
    /// `calendar_year_already_covered`, unless `replace` is asked.
    pub fn merge(&self, doc: &CalendarDoc, replace: bool) -> Result<Merged, CalendarError> {
        self.merge_years(doc.years(), replace)
    }

    /// [`WorkCalendar::merge`] for years in any order, not necessarily contiguous among
    /// themselves (only the result must be).
    pub fn merge_years(
        &self,
        years: &[CalendarYear],
        replace: bool,
    ) -> Result<Merged, CalendarError> {
        let mut all = self.years.clone();
        let (mut added, mut replaced, mut unchanged) = (Vec::new(), Vec::new(), Vec::new());
        for y in years {
            match all.get(&y.year) {
                Some(old) if old == y => unchanged.push(y.year),
                Some(_) if !replace => {
                    return Err(CalendarError::YearAlreadyCovered { year: y.year });
                }
                Some(_) => replaced.push(y.year),
                None => added.push(y.year),
            }
            all.insert(y.year, y.clone());
        }
        // The union must be contiguous: name the first year past a gap.
        let mut previous: Option<i32> = None;
        for year in all.keys() {
            if let Some(p) = previous {
                if *year != p.saturating_add(1) {
                    if self.years.is_empty() {
                        return Err(CalendarError::YearsNotContiguous {
                            expected: p.saturating_add(1),
                            found: *year,
                        });
                    }
                    let gap_year = if added.contains(year) {
                        *year
                    } else {
                        // The gap lies before an old year: the added year below it is the
                        // one that does not connect.
                        p
                    };
                    return Err(CalendarError::YearGap {
                        year: gap_year,
                        first: self.first,
                        last: self.last,
                    });
                }
            }
            previous = Some(*year);
        }
        for v in [&mut added, &mut replaced, &mut unchanged] {
            v.sort_unstable();
            v.dedup();
        }
        Ok(Merged {
            calendar: Self::from_years(all),
            added,
            replaced,
            unchanged,
        })
    }

    /// The calendar in effect: the shipped years with the loaded ones merged in, a loaded year
    /// taking the place of a shipped year of the same number (an administrator's load is the
    /// later decision). Fails only if the loaded years leave a gap.
    pub fn effective(
        shipped: &WorkCalendar,
        loaded: &[CalendarYear],
    ) -> Result<WorkCalendar, CalendarError> {
        Ok(shipped.merge_years(loaded, true)?.calendar)
    }

    /// The years this calendar covers (empty range for an empty calendar).
    pub fn covered_years(&self) -> RangeInclusive<i32> {
        self.first..=self.last
    }

    /// Whether the year of `date` is covered.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.covered_years().contains(&date.year())
    }

    /// One covered year's data.
    pub fn year(&self, year: i32) -> Option<&CalendarYear> {
        self.years.get(&year)
    }

    /// The covered years' data, in order.
    pub fn years(&self) -> impl Iterator<Item = &CalendarYear> {
        self.years.values()
    }

    pub(super) fn check_covered(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if self.covers(date) {
            Ok(())
        } else {
            Err(CalendarError::YearNotCovered {
                year: date.year(),
                first: self.first,
                last: self.last,
            })
        }
    }

    /// Whether a covered day is a working day (no coverage check).
    pub(super) fn works(&self, date: NaiveDate) -> bool {
        self.make_up_days.contains(&date)
            || (!is_weekend(date) && !self.holidays.contains_key(&date))
    }

    /// Whether `date` is a working day: a make-up day, or a Monday–Friday that is not a
    /// holiday. `YearNotCovered` outside the covered years.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        if self.provisional_years && !self.covers(date) {
            return Ok(!is_weekend(date));
        }
        self.check_covered(date)?;
        Ok(self.works(date))
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
    /// `date`. `YearNotCovered` as soon as a day to look at lies outside the covered years
    /// (see [`WorkCalendar::add_working_days_lenient`] for a provisional answer instead).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if self.provisional_years {
            return Ok(self.add_working_days_lenient(date, n)?.date);
        }
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
        if self.provisional_years {
            return Ok(self.working_days_between_lenient(a, b).days);
        }
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        if lo == hi {
            return Ok(0);
        }
        // Every day in (lo, hi] is looked at: check both ends first for a clear error.
        if let Some(next) = lo.succ_opt() {
            self.check_covered(next)?;
        }
        self.check_covered(hi)?;
        Ok(sign * self.count_covered(lo, hi))
    }

    /// Working days in `(lo, hi]`, all of which are covered.
    pub(super) fn count_covered(&self, lo: NaiveDate, hi: NaiveDate) -> i64 {
        let n = lo
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= hi)
            .filter(|d| self.works(*d))
            .count();
        i64::try_from(n).unwrap_or(i64::MAX)
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
        self.years
            .get(&year)
            .map(|y| y.notices.as_slice())
            .unwrap_or_default()
    }
}
