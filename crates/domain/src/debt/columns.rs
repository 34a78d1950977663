//! The columns of a debt file (titles in Chinese, amounts in 万元) and the check of one row:
//! the region (by 地区代码, or by 地区 name where the code column is absent), the year (not in
//! the future), the amounts (none negative, 综合财力 above zero).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{parse_wan, DebtError, Position};
use crate::intake::RowIssue;
use crate::regions::RegionTable;
use crate::staff::columns::{ColumnSpec, Columns};

/// Key, accepted titles (the first is the template's), required. Either 地区代码 or 地区 must be
/// present (checked by [`find_columns`]).
pub const COLUMNS: &[ColumnSpec] = &[
    (
        "region_code",
        &["地区代码", "行政区划代码", "区划代码"],
        false,
    ),
    ("region_name", &["地区", "地区名称", "行政区划名称"], false),
    ("year", &["年度", "年份"], true),
    ("general", &["一般债务余额(万元)", "一般债务余额"], true),
    ("special", &["专项债务余额(万元)", "专项债务余额"], true),
    ("hidden", &["隐性债务余额(万元)", "隐性债务余额"], false),
    ("capacity", &["综合财力(万元)", "综合财力"], true),
];

/// The template's header row.
pub fn template_headers() -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter_map(|(_, titles, _)| titles.first().copied())
        .collect()
}

/// A file whose header lacks what a debt file needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("文件的列不符合债务数据模板：缺少 {}。模板表头为：{}", .missing.join("、"), template_headers().join("、"))]
pub struct DebtColumnsError {
    pub missing: Vec<String>,
}

impl DebtColumnsError {
    pub fn code(&self) -> &'static str {
        "debt_columns_wrong"
    }
}

/// Maps the header onto [`COLUMNS`].
pub fn find_columns(headers: &[String]) -> Result<Columns, DebtColumnsError> {
    let cols =
        Columns::find(headers, COLUMNS).map_err(|e| DebtColumnsError { missing: e.missing })?;
    if !cols.has("region_code") && !cols.has("region_name") {
        return Err(DebtColumnsError {
            missing: vec!["地区代码（或地区）".into()],
        });
    }
    Ok(cols)
}

/// One checked row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DebtRow {
    pub row: u64,
    /// GB/T 2260 code.
    pub region: String,
    pub year: i32,
    pub position: Position,
}

fn issue(column: &str, code: &'static str, message: String) -> RowIssue {
    RowIssue {
        column: Some(column.into()),
        code,
        message,
    }
}

fn resolve_region(
    cols: &Columns,
    cells: &[String],
    regions: &RegionTable,
) -> Result<String, RowIssue> {
    let code = cols.cell(cells, "region_code");
    let name = cols.cell(cells, "region_name");
    if !code.is_empty() {
        let Some(r) = regions.get(code) else {
            return Err(issue(
                "地区代码",
                "debt_region_unknown",
                format!("地区代码“{code}”不是有效的行政区划代码（GB/T 2260）"),
            ));
        };
        if !r.current || r.is_summary() {
            return Err(issue(
                "地区代码",
                "debt_region_unknown",
                format!(
                    "地区代码“{code}”（{}）已撤销或是汇总码，不能登记债务数据",
                    r.name
                ),
            ));
        }
        if !name.is_empty() && name != r.name && regions.full_name(code).as_deref() != Some(name) {
            return Err(issue(
                "地区",
                "debt_region_name_mismatch",
                format!("地区“{name}”与地区代码 {code}（{}）不符", r.name),
            ));
        }
        return Ok(r.code.clone());
    }
    if name.is_empty() {
        return Err(issue(
            "地区代码",
            "debt_region_missing",
            "地区代码和地区均为空".into(),
        ));
    }
    let found: Vec<&str> = regions
        .iter()
        .filter(|r| r.current && !r.is_summary())
        .filter(|r| {
            r.name == name
                || (name.ends_with(r.name.as_str())
                    && regions.full_name(&r.code).as_deref() == Some(name))
        })
        .map(|r| r.code.as_str())
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).to_string()),
        [] => Err(issue(
            "地区",
            "debt_region_unknown",
            format!("找不到名为“{name}”的现行行政区划，请填写地区代码"),
        )),
        _ => Err(issue(
            "地区",
            "debt_region_ambiguous",
            format!("名为“{name}”的行政区划不止一个，请填写地区代码或带上级的全称"),
        )),
    }
}

fn amount(
    cols: &Columns,
    cells: &[String],
    key: &str,
    title: &str,
    required: bool,
    issues: &mut Vec<RowIssue>,
) -> Option<Option<i64>> {
    let raw = cols.cell(cells, key);
    if raw.is_empty() {
        if required {
            issues.push(issue(
                title,
                "debt_amount_missing",
                format!("{title}不能为空"),
            ));
            return None;
        }
        return Some(None);
    }
    match parse_wan(raw) {
        Ok(v) => Some(Some(v)),
        Err(e) => {
            issues.push(issue(title, e.code(), format!("{title}：{e}")));
            None
        }
    }
}

/// Check one row. `today` bounds the year (a future year is refused).
pub fn parse_row(
    cols: &Columns,
    row: u64,
    cells: &[String],
    regions: &RegionTable,
    today: NaiveDate,
) -> Result<DebtRow, Vec<RowIssue>> {
    let mut issues = Vec::new();
    let region = resolve_region(cols, cells, regions)
        .map_err(|i| issues.push(i))
        .ok();
    let year_raw = cols.cell(cells, "year");
    let year_txt = year_raw.trim_end_matches('年');
    let year = match year_txt.parse::<i32>() {
        Ok(y) if year_txt.len() == 4 && y > today.year() => {
            issues.push(issue(
                "年度",
                "debt_year_in_future",
                format!(
                    "年度 {y} 晚于本年度（{}），不能登记未来年度的债务数据",
                    today.year()
                ),
            ));
            None
        }
        Ok(y) if year_txt.len() == 4 && y >= 1990 => Some(y),
        _ => {
            issues.push(issue(
                "年度",
                "debt_year_invalid",
                format!("年度“{year_raw}”无效：应为四位年份，如 2024"),
            ));
            None
        }
    };
    let general = amount(cols, cells, "general", "一般债务余额", true, &mut issues);
    let special = amount(cols, cells, "special", "专项债务余额", true, &mut issues);
    let hidden = amount(cols, cells, "hidden", "隐性债务余额", false, &mut issues);
    let capacity = amount(cols, cells, "capacity", "综合财力", true, &mut issues);
    if let Some(Some(0)) = capacity {
        issues.push(issue(
            "综合财力",
            DebtError::CapacityZero.code(),
            DebtError::CapacityZero.to_string(),
        ));
    }
    match (region, year, general, special, hidden, capacity) {
        (Some(region), Some(year), Some(Some(g)), Some(Some(s)), Some(h), Some(Some(c)))
            if issues.is_empty() =>
        {
            Ok(DebtRow {
                row,
                region,
                year,
                position: Position {
                    general_fen: g,
                    special_fen: s,
                    hidden_fen: h,
                    capacity_fen: c,
                },
            })
        }
        _ => Err(issues),
    }
}
