//! 重点任务分工 (the task-division table of the Jiangsu 2023 实施意见; Tai'an §三) as data
//! (`data/work/tasks.toml`, compiled in, checked when loaded): each task with its lead unit,
//! cooperating units and period in quarters; each unit reports progress every quarter
//! (每季度报送) by the quarter's last day, is reminded some working days before it, and is
//! flagged overdue after it. Pure: the day and the calendar are parameters.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{minus_working_days, WorkError};
use crate::calendar::WorkCalendar;

const SHIPPED: &str = include_str!("../../../../data/work/tasks.toml");
static DEFAULT: OnceLock<Result<TaskTable, WorkError>> = OnceLock::new();

/// A calendar quarter (`2026Q4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    pub year: i32,
    /// 1..=4.
    pub q: u8,
}

impl Quarter {
    /// The quarter `day` lies in.
    pub fn of(day: NaiveDate) -> Self {
        Self {
            year: day.year(),
            q: ((day.month0() / 3) + 1) as u8,
        }
    }

    /// `2026Q4` (also `2026-Q4`, `2026q4`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_uppercase().replace('-', "");
        let (y, q) = s.split_once('Q')?;
        let year: i32 = y.parse().ok()?;
        let q: u8 = q.parse().ok()?;
        ((1..=4).contains(&q) && (1900..=9999).contains(&year)).then_some(Self { year, q })
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.q) * 3 - 2, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn next(self) -> Self {
        if self.q == 4 {
            Self {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Self {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    pub fn prev(self) -> Self {
        if self.q == 1 {
            Self {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Self {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    /// `2026年第四季度`.
    pub fn label(self) -> String {
        let n = ["一", "二", "三", "四"][usize::from(self.q.clamp(1, 4) - 1)];
        format!("{}年第{n}季度", self.year)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

impl TryFrom<String> for Quarter {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("“{s}”不是有效的季度（如 2026Q4）"))
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        q.to_string()
    }
}

/// A unit of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskUnit {
    pub name: String,
    /// When not given, the unit is the region's registered body of that name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
}

/// A key task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyTask {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub basis: String,
    pub lead: TaskUnit,
    #[serde(default)]
    pub co: Vec<TaskUnit>,
    /// First and last quarter of reporting.
    pub from: Quarter,
    pub to: Quarter,
}

impl KeyTask {
    /// The lead unit first, then the cooperating units.
    pub fn units(&self) -> impl Iterator<Item = (&TaskUnit, bool)> + '_ {
        std::iter::once((&self.lead, true)).chain(self.co.iter().map(|u| (u, false)))
    }

    pub fn active_in(&self, q: Quarter) -> bool {
        self.from <= q && q <= self.to
    }
}

/// Where a unit's report for a quarter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Reported by the quarter's last day.
    Reported,
    /// Reported after it.
    ReportedLate,
    /// Not yet reported, the quarter still running.
    Pending,
    /// Not reported, the quarter over.
    Overdue,
}

impl ReportStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Reported => "已按期报送",
            Self::ReportedLate => "逾期后报送",
            Self::Pending => "待报送",
            Self::Overdue => "逾期未报送",
        }
    }
}

/// The status of a unit's report for `q` on `today`, given the day it reported (if it did).
pub fn report_status(q: Quarter, reported_on: Option<NaiveDate>, today: NaiveDate) -> ReportStatus {
    match reported_on {
        Some(d) if d <= q.last_day() => ReportStatus::Reported,
        Some(_) => ReportStatus::ReportedLate,
        None if today > q.last_day() => ReportStatus::Overdue,
        None => ReportStatus::Pending,
    }
}

/// The day the reminder for `q` goes out: `before` working days before its last day.
pub fn remind_on(q: Quarter, before: u32, cal: &WorkCalendar) -> Result<NaiveDate, WorkError> {
    minus_working_days(q.last_day(), before, cal)
}

/// The table in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskTable {
    pub version: String,
    /// The region whose credit office keeps the table.
    pub region: String,
    /// The reminder this many working days before a quarter's last day.
    pub remind_before_working_days: u32,
    pub tasks: Vec<KeyTask>,
}

impl TaskTable {
    pub fn parse(text: &str) -> Result<Self, WorkError> {
        let t: TaskTable = toml::from_str(text).map_err(|e| WorkError::Types(e.to_string()))?;
        let mut codes = BTreeSet::new();
        if t.tasks.is_empty() {
            return Err(WorkError::Types("重点任务分工表没有任何任务".into()));
        }
        for k in &t.tasks {
            if k.code.is_empty()
                || !k
                    .code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                || !codes.insert(k.code.as_str())
            {
                return Err(WorkError::Types(format!("任务代码“{}”无效或重复", k.code)));
            }
            if k.name.trim().is_empty() {
                return Err(WorkError::Types(format!("任务“{}”缺少名称", k.code)));
            }
            if k.from > k.to {
                return Err(WorkError::Types(format!(
                    "任务“{}”的起始季度晚于结束季度",
                    k.code
                )));
            }
            let mut units = BTreeSet::new();
            for (u, _) in k.units() {
                if u.uscc.as_ref().is_some_and(|c| c.len() != 18)
                    || u.name.trim().is_empty()
                    || !units.insert(&u.name)
                {
                    return Err(WorkError::Types(format!(
                        "任务“{}”的单位“{}”无效或重复",
                        k.code, u.name
                    )));
                }
            }
        }
        Ok(t)
    }

    /// The shipped table, parsed once.
    pub fn shipped() -> Result<&'static TaskTable, WorkError> {
        DEFAULT
            .get_or_init(|| Self::parse(SHIPPED))
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn get(&self, code: &str) -> Option<&KeyTask> {
        self.tasks.iter().find(|t| t.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn shipped_table_loads() {
        let t = TaskTable::shipped().unwrap();
        assert!(t.tasks.len() >= 3);
    }

    #[test]
    fn quarters() {
        let q = Quarter::parse("2026Q4").unwrap();
        assert_eq!(q.first_day(), d("2026-10-01"));
        assert_eq!(q.last_day(), d("2026-12-31"));
        assert_eq!(q.next().to_string(), "2027Q1");
        assert_eq!(
            Quarter::parse("2026-q1").unwrap().prev().to_string(),
            "2025Q4"
        );
        assert!(Quarter::parse("2026Q5").is_none());
        assert_eq!(q.label(), "2026年第四季度");
        let q1 = Quarter::parse("2026Q1").unwrap();
        assert_eq!(
            report_status(q1, None, d("2026-03-31")),
            ReportStatus::Pending
        );
        assert_eq!(
            report_status(q1, None, d("2026-04-01")),
            ReportStatus::Overdue
        );
        assert_eq!(
            report_status(q1, Some(d("2026-04-02")), d("2026-05-01")),
            ReportStatus::ReportedLate
        );
    }

    #[test]
    fn broken_tables_refused() {
        let good = TaskTable::shipped().unwrap();
        let mut t = good.clone();
        t.tasks[0].from = Quarter::parse("2030Q1").unwrap();
        let text = toml::to_string(&t).unwrap();
        assert!(TaskTable::parse(&text).is_err());
        let mut t = good.clone();
        t.tasks[1].code = t.tasks[0].code.clone();
        assert!(TaskTable::parse(&toml::to_string(&t).unwrap()).is_err());
    }

    proptest! {
        #[test]
        fn a_day_lies_in_its_quarter(days in 0i64..40_000) {
            let day = d("1950-01-01") + chrono::Duration::days(days);
            let q = Quarter::of(day);
            prop_assert!(q.first_day() <= day && day <= q.last_day());
            prop_assert_eq!(q.next().first_day(), q.last_day().succ_opt().unwrap());
            prop_assert_eq!(q.next().prev(), q);
            prop_assert_eq!(Quarter::parse(&q.to_string()), Some(q));
        }

        #[test]
        fn overdue_only_after_the_quarter(days in 0i64..800, late in proptest::option::of(0i64..200)) {
            let today = d("2025-01-01") + chrono::Duration::days(days);
            let q = Quarter::parse("2025Q3").unwrap();
            let reported = late.map(|l| q.first_day() + chrono::Duration::days(l));
            let s = report_status(q, reported.filter(|r| *r <= today), today);
            if s == ReportStatus::Overdue {
                prop_assert!(today > q.last_day());
            }
            if today <= q.last_day() {
                prop_assert!(s != ReportStatus::Overdue && s != ReportStatus::ReportedLate);
            }
        }
    }
}
