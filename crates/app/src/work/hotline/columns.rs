//! The columns of a 12345 work-order export: header aliases, the required columns, and the
//! cells' readings (date-times, regions).

use std::collections::HashMap;

use chengxin_domain::regions::RegionTable;
use chrono::{NaiveDate, NaiveDateTime};

use crate::error::{AppError, AppResult};

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Col {
    TicketNo,
    CalledAt,
    Content,
    Category,
    Body,
    BodyCode,
    Region,
    HandlingUnit,
    ConcludedAt,
    Satisfaction,
    Title,
    CallerName,
    Contact,
}

const ALIASES: &[(Col, &[&str])] = &[
    (
        Col::TicketNo,
        &["工单编号", "工单号", "受理编号", "工单流水号"],
    ),
    (
        Col::CalledAt,
        &["来电时间", "来电日期", "受理时间", "登记时间"],
    ),
    (
        Col::Content,
        &["诉求内容", "反映内容", "工单内容", "来电内容"],
    ),
    (
        Col::Category,
        &["诉求类型", "工单类型", "诉求分类", "问题分类"],
    ),
    (
        Col::Body,
        &["涉及单位", "被投诉单位", "被反映单位", "涉及部门"],
    ),
    (
        Col::BodyCode,
        &[
            "涉及单位统一社会信用代码",
            "涉及单位代码",
            "统一社会信用代码",
        ],
    ),
    (Col::Region, &["区域", "所属区域", "行政区划", "区县"]),
    (Col::HandlingUnit, &["办理单位", "承办单位", "责任单位"]),
    (Col::ConcludedAt, &["办结时间", "办结日期"]),
    (Col::Satisfaction, &["回访满意度", "满意度", "回访结果"]),
    (Col::Title, &["标题", "工单标题"]),
    (Col::CallerName, &["来电人", "来电人姓名", "诉求人"]),
    (Col::Contact, &["联系电话", "来电号码", "联系方式"]),
];

pub(super) fn column_map(headers: &[String]) -> AppResult<HashMap<Col, usize>> {
    let mut map = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        if let Some((col, _)) = ALIASES.iter().find(|(_, names)| names.contains(&h)) {
            map.entry(*col).or_insert(i);
        }
    }
    let mut missing = Vec::new();
    for (col, name) in [
        (Col::TicketNo, "工单编号"),
        (Col::CalledAt, "来电时间"),
        (Col::Content, "诉求内容"),
    ] {
        if !map.contains_key(&col) {
            missing.push(name);
        }
    }
    if !map.contains_key(&Col::Body) && !map.contains_key(&Col::BodyCode) {
        missing.push("涉及单位");
    }
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "header_missing",
            format!(
                "12345 工单导出文件缺少列：{}（可用别名见使用说明）",
                missing.join("、")
            ),
        ));
    }
    Ok(map)
}

/// A date-time as the hotline writes it (also an Excel serial number).
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let norm: String = s
        .replace(['/', '.', '年', '月'], "-")
        .replace(['日', 'T'], " ");
    let norm = norm.trim();
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(norm, f) {
            return Some(t);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(norm, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    // An Excel serial (days since 1899-12-30), as a number cell may come.
    let v: f64 = s.parse().ok()?;
    if !(1.0..=2_958_465.0).contains(&v) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let secs = (v * 86_400.0).round() as i64;
    base.checked_add_signed(chrono::Duration::seconds(secs))
}

pub(super) fn cell<'a>(cells: &'a [String], map: &HashMap<Col, usize>, c: Col) -> &'a str {
    map.get(&c)
        .and_then(|i| cells.get(*i))
        .map_or("", |s| s.trim())
}

/// The region a 区域 cell names: a six-digit code, or a current region's name.
pub(super) fn region_of(text: &str) -> Option<String> {
    let t = text.trim();
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(t.to_string());
    }
    let table = RegionTable::national();
    let mut hits = table
        .current_names()
        .filter(|(_, n)| *n == t)
        .map(|(c, _)| c.to_string());
    let first = hits.next()?;
    // A name that several regions carry (鼓楼区) tells nothing.
    if hits.next().is_some() {
        return None;
    }
    Some(first)
}
