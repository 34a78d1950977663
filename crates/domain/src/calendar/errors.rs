//! Errors reading a calendar, loading a year into it, or asking it about a day: each with a
//! stable snake_case code and a Chinese message.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// Errors reading a calendar, loading years into it, or asking it about a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    /// A day that must be looked at lies outside the covered years.
    YearNotCovered { year: i32, first: i32, last: i32 },
    /// The file is not valid TOML or lacks/mistypes a field.
    Toml { message: String },
    /// A stored year document (JSON) lacks or mistypes a field.
    BadDocument { message: String },
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
    /// A loaded year lists no notice it comes from.
    MissingNotices { year: i32 },
    /// A loaded year lists no holiday period.
    NoHolidays { year: i32 },
    /// A holiday period or make-up day of a loaded year names no notice (`what` says which).
    MissingEntryNotice { year: i32, what: String },
    /// An entry names a notice the year does not list.
    UnknownNotice { year: i32, notice: String },
    /// A make-up day of a loaded year does not say which holiday it makes up for.
    MakeUpDayWithoutHoliday { date: NaiveDate },
    /// A year to load is already covered with different content, and replacing was not asked.
    YearAlreadyCovered { year: i32 },
    /// A year to load would leave a gap in the covered years.
    YearGap { year: i32, first: i32, last: i32 },
    /// A date computed on the calendar lies beyond the dates that can be represented.
    DateOutOfRange,
}

impl CalendarError {
    /// Stable snake_case code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::YearNotCovered { .. } => "calendar_year_not_covered",
            CalendarError::Toml { .. } => "calendar_bad_toml",
            CalendarError::BadDocument { .. } => "calendar_bad_document",
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
            CalendarError::MissingNotices { .. } => "calendar_missing_notices",
            CalendarError::NoHolidays { .. } => "calendar_no_holidays",
            CalendarError::MissingEntryNotice { .. } => "calendar_missing_entry_notice",
            CalendarError::UnknownNotice { .. } => "calendar_unknown_notice",
            CalendarError::MakeUpDayWithoutHoliday { .. } => "calendar_make_up_day_without_holiday",
            CalendarError::YearAlreadyCovered { .. } => "calendar_year_already_covered",
            CalendarError::YearGap { .. } => "calendar_year_gap",
            CalendarError::DateOutOfRange => "calendar_date_out_of_range",
        }
    }
}

/// `2027年1月1日`.
pub(crate) fn ymd(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::YearNotCovered { year, first, last } => {
                write!(f, "日历数据未覆盖{year}年（覆盖{first}–{last}年）")
            }
            CalendarError::Toml { message } => write!(f, "节假日数据格式错误：{message}"),
            CalendarError::BadDocument { message } => {
                write!(f, "已载入的节假日数据无法解读：{message}")
            }
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
            CalendarError::MissingNotices { year } => write!(
                f,
                "{year}年的数据未列出所依据的国务院办公厅通知（notices）"
            ),
            CalendarError::NoHolidays { year } => write!(f, "{year}年的数据未列出任何假期"),
            CalendarError::MissingEntryNotice { year, what } => {
                write!(f, "{year}年的{what}未注明所依据的通知（notice）")
            }
            CalendarError::UnknownNotice { year, notice } => write!(
                f,
                "通知“{notice}”不在{year}年所列的通知（notices）中"
            ),
            CalendarError::MakeUpDayWithoutHoliday { date } => {
                write!(f, "调休上班日{}未注明为哪个假期调休（for）", ymd(*date))
            }
            CalendarError::YearAlreadyCovered { year } => write!(
                f,
                "{year}年的放假安排已有，且与本次载入的内容不同；确需替换请明确选择替换"
            ),
            CalendarError::YearGap { year, first, last } => write!(
                f,
                "{year}年与已覆盖的{first}–{last}年不相连：载入的年份须紧接已覆盖的年份，不能留有空缺"
            ),
            CalendarError::DateOutOfRange => write!(f, "推算出的日期超出可表示的日期范围"),
        }
    }
}

impl std::error::Error for CalendarError {}
