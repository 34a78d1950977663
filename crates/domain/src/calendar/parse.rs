//! Reading the calendar's data: the TOML file format (the shipped file and the files an
//! administrator loads: one or more `[[years]]`), each year validated into a [`CalendarYear`],
//! and the JSON form a loaded year is stored in (the same fields as one `[[years]]` entry).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate, Weekday};

use super::errors::{ymd, CalendarError};

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

/// One validated year of the official schedule: its holiday periods (in date order) and
/// make-up working days (in date order), with the notices it comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CalendarYear {
    pub year: i32,
    pub notices: Vec<String>,
    pub holidays: Vec<HolidayPeriod>,
    pub workdays: Vec<MakeUpDay>,
}

/// A validated calendar document: one or more contiguous years, in order, as read from a file
/// in the shipped format. Loaded files are read strictly ([`CalendarDoc::parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDoc {
    years: Vec<CalendarYear>,
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

/// How strictly a year is read. The shipped file is read as it always was; a file an
/// administrator loads must also name its notices on every entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strictness {
    Shipped,
    Loaded,
}

pub(super) fn is_weekend(d: NaiveDate) -> bool {
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

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

/// Every entry of a loaded year names a notice the year lists.
fn check_notice(
    year: i32,
    notices: &[String],
    notice: Option<&str>,
    what: impl FnOnce() -> String,
) -> Result<(), CalendarError> {
    match notice {
        Some(n) if !n.trim().is_empty() => {
            if notices.iter().any(|x| x == n) {
                Ok(())
            } else {
                Err(CalendarError::UnknownNotice {
                    year,
                    notice: n.to_owned(),
                })
            }
        }
        _ => Err(CalendarError::MissingEntryNotice { year, what: what() }),
    }
}

impl RawYear {
    /// Validate one year: every date inside the year, holiday periods named, not reversed and
    /// not overlapping, make-up days on a weekend, listed once and not on a holiday; when
    /// loaded, the year lists its notices and at least one holiday, every entry names one of
    /// the year's notices and every make-up day its holiday.
    fn validate(self, strictness: Strictness) -> Result<CalendarYear, CalendarError> {
        let year = self.year;
        let strict = strictness == Strictness::Loaded;
        if strict && self.notices.iter().all(|n| n.trim().is_empty()) {
            return Err(CalendarError::MissingNotices { year });
        }
        if strict && self.holidays.is_empty() {
            return Err(CalendarError::NoHolidays { year });
        }
        let mut holiday_days: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        let mut holidays = Vec::with_capacity(self.holidays.len());
        for h in self.holidays {
            if h.name.trim().is_empty() {
                return Err(CalendarError::EmptyName { year });
            }
            let first = parse_date(year, &h.first)?;
            let last = parse_date(year, &h.last)?;
            if last < first {
                return Err(CalendarError::ReversedPeriod {
                    name: h.name,
                    first,
                    last,
                });
            }
            for day in first.iter_days().take_while(|d| *d <= last) {
                if holiday_days.insert(day, holidays.len()).is_some() {
                    return Err(CalendarError::OverlappingHolidays { date: day });
                }
            }
            if strict {
                check_notice(year, &self.notices, h.notice.as_deref(), || {
                    format!("假期“{}”（{}起）", h.name, ymd(first))
                })?;
            }
            holidays.push(HolidayPeriod {
                name: h.name,
                first,
                last,
                notice: h.notice,
            });
        }
        let mut make_up_days = BTreeSet::new();
        let mut workdays = Vec::with_capacity(self.workdays.len());
        for w in self.workdays {
            let date = parse_date(year, &w.date)?;
            if !is_weekend(date) {
                return Err(CalendarError::MakeUpDayNotWeekend { date });
            }
            if !make_up_days.insert(date) {
                return Err(CalendarError::DuplicateMakeUpDay { date });
            }
            if strict {
                if blank(w.for_holiday.as_deref()) {
                    return Err(CalendarError::MakeUpDayWithoutHoliday { date });
                }
                check_notice(year, &self.notices, w.notice.as_deref(), || {
                    format!("调休上班日{}", ymd(date))
                })?;
            }
            workdays.push(MakeUpDay {
                date,
                for_holiday: w.for_holiday,
                notice: w.notice,
            });
        }
        if let Some(date) = make_up_days.iter().find(|d| holiday_days.contains_key(d)) {
            return Err(CalendarError::HolidayAndMakeUpDay { date: *date });
        }
        holidays.sort_by_key(|p| p.first);
        workdays.sort_by_key(|m| m.date);
        Ok(CalendarYear {
            year,
            notices: self.notices,
            holidays,
            workdays,
        })
    }
}

/// Read a file in the shipped format: TOML, years contiguous and in order (matching
/// `first_year`/`last_year` when given), each year validated.
pub(super) fn parse_years(
    toml_text: &str,
    strictness: Strictness,
) -> Result<Vec<CalendarYear>, CalendarError> {
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
    raw.years
        .into_iter()
        .map(|y| y.validate(strictness))
        .collect()
}

impl CalendarYear {
    /// The year as a JSON document with the fields of one `[[years]]` entry of the file
    /// (dates as `YYYY-MM-DD`, `for` for the holiday a make-up day is for): how a loaded year
    /// is stored.
    pub fn to_document(&self) -> serde_json::Value {
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let with_notice = |mut v: serde_json::Value, notice: &Option<String>| {
            if let (Some(n), Some(map)) = (notice, v.as_object_mut()) {
                map.insert("notice".into(), n.clone().into());
            }
            v
        };
        let holidays: Vec<serde_json::Value> = self
            .holidays
            .iter()
            .map(|h| {
                let v =
                    serde_json::json!({"name": h.name, "first": day(h.first), "last": day(h.last)});
                with_notice(v, &h.notice)
            })
            .collect();
        let workdays: Vec<serde_json::Value> = self
            .workdays
            .iter()
            .map(|w| {
                let mut v = serde_json::json!({"date": day(w.date)});
                if let (Some(f), Some(map)) = (&w.for_holiday, v.as_object_mut()) {
                    map.insert("for".into(), f.clone().into());
                }
                with_notice(v, &w.notice)
            })
            .collect();
        serde_json::json!({
            "year": self.year,
            "notices": self.notices,
            "holidays": holidays,
            "workdays": workdays,
        })
    }

    /// Read a stored year back ([`CalendarYear::to_document`]), validated as strictly as a
    /// loaded file.
    pub fn from_document(doc: &serde_json::Value) -> Result<CalendarYear, CalendarError> {
        let raw = RawYear::deserialize_value(doc)?;
        raw.validate(Strictness::Loaded)
    }

    /// Same days as `other`: equal holiday periods (names and days) and make-up days. The
    /// notices may differ (a corrected notice number changes no deadline).
    pub fn same_days(&self, other: &CalendarYear) -> bool {
        let days = |y: &CalendarYear| {
            (
                y.holidays
                    .iter()
                    .map(|h| (h.name.clone(), h.first, h.last))
                    .collect::<Vec<_>>(),
                y.workdays.iter().map(|w| w.date).collect::<Vec<_>>(),
            )
        };
        days(self) == days(other)
    }
}

impl RawYear {
    fn deserialize_value(doc: &serde_json::Value) -> Result<RawYear, CalendarError> {
        serde::Deserialize::deserialize(doc).map_err(|e: serde_json::Error| {
            CalendarError::BadDocument {
                message: e.to_string(),
            }
        })
    }
}

impl CalendarDoc {
    /// Read a file an administrator loads: the shipped format (one or more contiguous
    /// `[[years]]`; `first_year`/`last_year` optional), validated as the shipped file is, and
    /// besides: every year lists its notices, every holiday period and make-up day names one
    /// of them, and every make-up day the holiday it is for.
    pub fn parse(toml_text: &str) -> Result<CalendarDoc, CalendarError> {
        Ok(CalendarDoc {
            years: parse_years(toml_text, Strictness::Loaded)?,
        })
    }

    /// The years, in order.
    pub fn years(&self) -> &[CalendarYear] {
        &self.years
    }

    /// The years the document covers.
    pub fn covered_years(&self) -> RangeInclusive<i32> {
        // Never empty: a document lists at least one year.
        let first = self.years.first().map_or(1, |y| y.year);
        let last = self.years.last().map_or(0, |y| y.year);
        first..=last
    }
}
