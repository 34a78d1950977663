//! Evaluation periods: a month (`2026-11`), a quarter (`2026-Q3`) or a year (`2026`), with
//! their date ranges, the previous period and the same period a year earlier.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::errors::EvalError;

/// The kind of a period (an indicator declares the kinds it is computed for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Month => "月度",
            Self::Quarter => "季度",
            Self::Year => "年度",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "month" => Some(Self::Month),
            "quarter" => Some(Self::Quarter),
            "year" => Some(Self::Year),
            _ => None,
        }
    }
}

/// One evaluation period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// Year and month 1–12.
    Month(i32, u32),
    /// Year and quarter 1–4.
    Quarter(i32, u32),
    Year(i32),
}

impl Period {
    pub fn kind(self) -> PeriodKind {
        match self {
            Self::Month(..) => PeriodKind::Month,
            Self::Quarter(..) => PeriodKind::Quarter,
            Self::Year(_) => PeriodKind::Year,
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Self::Month(y, _) | Self::Quarter(y, _) | Self::Year(y) => y,
        }
    }

    /// First and last day (inclusive).
    pub fn range(self) -> (NaiveDate, NaiveDate) {
        let (y, first_month, months) = match self {
            Self::Month(y, m) => (y, m, 1),
            Self::Quarter(y, q) => (y, (q - 1) * 3 + 1, 3),
            Self::Year(y) => (y, 1, 12),
        };
        let first = NaiveDate::from_ymd_opt(y, first_month, 1).unwrap_or(NaiveDate::MIN);
        let last = first
            .checked_add_months(chrono::Months::new(months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(first);
        (first, last)
    }

    /// The period just before (same kind).
    pub fn previous(self) -> Period {
        match self {
            Self::Month(y, 1) => Self::Month(y - 1, 12),
            Self::Month(y, m) => Self::Month(y, m - 1),
            Self::Quarter(y, 1) => Self::Quarter(y - 1, 4),
            Self::Quarter(y, q) => Self::Quarter(y, q - 1),
            Self::Year(y) => Self::Year(y - 1),
        }
    }

    /// The same period one year earlier.
    pub fn last_year(self) -> Period {
        match self {
            Self::Month(y, m) => Self::Month(y - 1, m),
            Self::Quarter(y, q) => Self::Quarter(y - 1, q),
            Self::Year(y) => Self::Year(y - 1),
        }
    }

    /// The period of this kind containing `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Period {
        match kind {
            PeriodKind::Month => Self::Month(day.year(), day.month()),
            PeriodKind::Quarter => Self::Quarter(day.year(), (day.month() - 1) / 3 + 1),
            PeriodKind::Year => Self::Year(day.year()),
        }
    }

    /// Chinese label: 2026年11月, 2026年第3季度, 2026年度.
    pub fn label(self) -> String {
        match self {
            Self::Month(y, m) => format!("{y}年{m}月"),
            Self::Quarter(y, q) => format!("{y}年第{q}季度"),
            Self::Year(y) => format!("{y}年度"),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            Self::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Self::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = EvalError;

    fn from_str(s: &str) -> Result<Self, EvalError> {
        let bad = || EvalError::PeriodInvalid(s.chars().take(40).collect());
        let t = s.trim();
        let year = |y: &str| -> Result<i32, EvalError> {
            if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let v: i32 = y.parse().map_err(|_| bad())?;
            if !(1990..=2200).contains(&v) {
                return Err(bad());
            }
            Ok(v)
        };
        match t.split_once('-') {
            None => Ok(Self::Year(year(t)?)),
            Some((y, rest)) => {
                let y = year(y)?;
                if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
                    match q {
                        "1" | "2" | "3" | "4" => {
                            Ok(Self::Quarter(y, q.parse().map_err(|_| bad())?))
                        }
                        _ => Err(bad()),
                    }
                } else {
                    if rest.len() != 2 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad());
                    }
                    let m: u32 = rest.parse().map_err(|_| bad())?;
                    if !(1..=12).contains(&m) {
                        return Err(bad());
                    }
                    Ok(Self::Month(y, m))
                }
            }
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
