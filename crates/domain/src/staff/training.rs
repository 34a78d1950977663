//! 诚信教育: integrity-training records (who attended which course, when, for how many
//! hours), imported like employment history.

use chrono::NaiveDate;

use super::columns::{parse_day, ColumnSpec, Columns};
use super::employment::{check_id, check_text};
use crate::codes::RegionLookup;
use crate::codes::{id_number, uscc};
use crate::intake::RowIssue;

/// The columns of a training file.
pub const COLUMNS: &[ColumnSpec] = &[
    (
        "id_number",
        &["身份证号", "身份证件号码", "公民身份号码", "身份证号码"],
        true,
    ),
    ("name", &["姓名"], true),
    ("course", &["课程名称", "课程", "培训内容"], true),
    ("day", &["培训日期", "日期"], true),
    ("hours", &["学时"], true),
    (
        "organiser",
        &["主办单位统一社会信用代码", "主办单位代码"],
        true,
    ),
];

/// The canonical titles, in order.
pub fn template_headers() -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter_map(|(_, titles, _)| titles.first().copied())
        .collect()
}

/// Most hours of one record.
pub const MAX_HOURS_TENTHS: u32 = 2_000;

/// One valid training row; `Debug` masks the ID number.
#[derive(Clone, PartialEq, Eq)]
pub struct TrainingRow {
    pub row: u64,
    pub id_number: String,
    pub name: String,
    pub course: String,
    pub day: NaiveDate,
    /// 学时 in tenths of an hour (`1.5` → 15): decimal, never a float.
    pub hours_tenths: u32,
    /// 主办单位 (USCC).
    pub organiser_uscc: String,
}

impl std::fmt::Debug for TrainingRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainingRow")
            .field("row", &self.row)
            .field("id_number", &id_number::mask(&self.id_number))
            .field("course", &self.course)
            .field("day", &self.day)
            .field("hours_tenths", &self.hours_tenths)
            .finish_non_exhaustive()
    }
}

/// `2`, `1.5`, `0.5` → tenths of an hour; at most one decimal, more than zero, at most 200.
pub fn parse_hours(s: &str) -> Option<u32> {
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty()
        || int.len() > 4
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 1
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = int.parse().ok()?;
    let tenth: u32 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let t = whole.checked_mul(10)?.checked_add(tenth)?;
    (t > 0 && t <= MAX_HOURS_TENTHS).then_some(t)
}

/// `15` → `1.5`.
pub fn format_hours(tenths: u32) -> String {
    if tenths.is_multiple_of(10) {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

fn issue(column: &str, code: &'static str, message: String) -> RowIssue {
    RowIssue {
        column: Some(column.into()),
        code,
        message,
    }
}

/// Checks one row of a training file.
pub fn parse_row(
    cols: &Columns,
    row: u64,
    cells: &[String],
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<TrainingRow, Vec<RowIssue>> {
    let mut issues = Vec::new();
    let id = check_id(cols.cell(cells, "id_number"), regions, today)
        .map_err(|i| issues.push(i))
        .ok();
    let name = check_text(cells, cols, "name", "姓名", &mut issues);
    let course = check_text(cells, cols, "course", "课程名称", &mut issues);
    let day_raw = cols.cell(cells, "day");
    let day = match parse_day(day_raw) {
        Some(d) if d > today => {
            issues.push(issue(
                "培训日期",
                "training_day_in_future",
                format!("培训日期 {d} 晚于今天"),
            ));
            None
        }
        Some(d) => Some(d),
        None => {
            issues.push(issue(
                "培训日期",
                "training_day_invalid",
                format!("培训日期“{day_raw}”不是有效日期（应如 2024-05-20）"),
            ));
            None
        }
    };
    let hours_raw = cols.cell(cells, "hours");
    let hours = parse_hours(hours_raw);
    if hours.is_none() {
        issues.push(issue(
            "学时",
            "training_hours_invalid",
            format!("学时“{hours_raw}”无效：应为大于 0、至多 200 的数，最多一位小数"),
        ));
    }
    let org_raw = cols.cell(cells, "organiser").to_ascii_uppercase();
    let organiser = match uscc::parse(&org_raw, regions) {
        Ok(_) => Some(org_raw),
        Err(e) => {
            issues.push(issue(
                "主办单位统一社会信用代码",
                e.code(),
                format!("主办单位统一社会信用代码“{org_raw}”无效：{e}"),
            ));
            None
        }
    };
    match (id, day, hours, organiser) {
        (Some(id_number), Some(day), Some(hours_tenths), Some(organiser_uscc))
            if issues.is_empty() =>
        {
            Ok(TrainingRow {
                row,
                id_number,
                name,
                course,
                day,
                hours_tenths,
                organiser_uscc,
            })
        }
        _ => Err(issues),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours() {
        assert_eq!(parse_hours("2"), Some(20));
        assert_eq!(parse_hours(" 1.5 "), Some(15));
        for bad in ["0", "-1", "1.25", "abc", "", "1e2", "201", ".5"] {
            assert_eq!(parse_hours(bad), None, "{bad}");
        }
        assert_eq!(format_hours(15), "1.5");
        assert_eq!(format_hours(20), "2");
    }
}
