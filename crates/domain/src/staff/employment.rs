//! Employment history (任职记录) as the personnel department sends it: the columns, the checks
//! of one row, and the one rule across rows — periods of one post must not overlap.
//!
//! Overlap rule: at one body, (1) one person's periods in one post never overlap (the same
//! period sent twice with another start date), and (2) a body has one principal
//! (主要负责人) at a time: two persons marked principal on the same day are refused. Other
//! posts may be held by several persons at once (副局长, 科员). The same period sent again —
//! same person, body, post and start — is not an overlap but the same row (idempotent
//! re-import; a changed end date updates it).

use chrono::NaiveDate;

use super::columns::{parse_day, ColumnSpec, Columns};
use crate::codes::RegionLookup;
use crate::codes::{id_number, uscc};
use crate::intake::RowIssue;

/// The columns of an employment file: key, accepted titles (the first is the canonical one),
/// required.
pub const COLUMNS: &[ColumnSpec] = &[
    (
        "id_number",
        &["身份证号", "身份证件号码", "公民身份号码", "身份证号码"],
        true,
    ),
    ("name", &["姓名"], true),
    (
        "body_uscc",
        &["单位统一社会信用代码", "统一社会信用代码"],
        true,
    ),
    ("body_name", &["单位名称", "任职单位"], true),
    ("post", &["职务/岗位", "职务", "岗位"], true),
    ("principal", &["是否主要负责人", "主要负责人"], false),
    ("start", &["任职起始日期", "起始日期", "任职开始日期"], true),
    ("end", &["任职终止日期", "终止日期", "任职结束日期"], false),
];

/// The canonical titles, in order (a template's header).
pub fn template_headers() -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter_map(|(_, titles, _)| titles.first().copied())
        .collect()
}

/// Longest name or post, in characters.
pub const MAX_TEXT: usize = 60;

/// One valid row. The ID number is held in clear only until the app hashes, seals and masks
/// it; `Debug` shows it masked.
#[derive(Clone, PartialEq, Eq)]
pub struct EmploymentRow {
    /// The row number as the file shows it.
    pub row: u64,
    /// Normalised (trimmed, upper case) valid ID number.
    pub id_number: String,
    pub name: String,
    pub body_uscc: String,
    pub body_name: String,
    pub post: String,
    pub principal: bool,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl std::fmt::Debug for EmploymentRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmploymentRow")
            .field("row", &self.row)
            .field("id_number", &id_number::mask(&self.id_number))
            .field("body_uscc", &self.body_uscc)
            .field("post", &self.post)
            .field("principal", &self.principal)
            .field("start", &self.start)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

fn issue(column: &str, code: &'static str, message: impl Into<String>) -> RowIssue {
    RowIssue {
        column: Some(column.to_string()),
        code,
        message: message.into(),
    }
}

/// `是`/`否` and their usual spellings; blank is 否.
pub fn parse_yes_no(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "否" | "n" | "no" | "0" | "false" | "不是" => Some(false),
        "是" | "y" | "yes" | "1" | "true" => Some(true),
        _ => None,
    }
}

/// A checked ID number (normalised), or the row's issue. Never echoes the number.
pub(super) fn check_id(
    raw: &str,
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<String, RowIssue> {
    let n = raw.trim().to_ascii_uppercase();
    if n.is_empty() {
        return Err(issue("身份证号", "id_number_required", "身份证号不能为空"));
    }
    id_number::parse(&n, regions, today)
        .map(|_| n)
        .map_err(|e| {
            issue(
                "身份证号",
                e.code(),
                format!("身份证号无效（{}）：{e}", id_number::mask(raw)),
            )
        })
}

pub(super) fn check_text(
    cells: &[String],
    cols: &Columns,
    key: &str,
    title: &str,
    issues: &mut Vec<RowIssue>,
) -> String {
    let v = cols.cell(cells, key).to_string();
    if v.is_empty() {
        issues.push(issue(
            title,
            "staff_field_required",
            format!("{title}不能为空"),
        ));
    } else if v.chars().count() > MAX_TEXT {
        issues.push(issue(
            title,
            "staff_field_too_long",
            format!("{title}过长（最多 {MAX_TEXT} 个字符）"),
        ));
    } else if v.chars().any(char::is_control) {
        issues.push(issue(
            title,
            "staff_field_control_chars",
            format!("{title}含有控制字符"),
        ));
    }
    v
}

/// Checks one row of an employment file: every problem of the row, or the row.
pub fn parse_row(
    cols: &Columns,
    row: u64,
    cells: &[String],
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<EmploymentRow, Vec<RowIssue>> {
    let mut issues = Vec::new();
    let id = check_id(cols.cell(cells, "id_number"), regions, today)
        .map_err(|i| issues.push(i))
        .ok();
    let name = check_text(cells, cols, "name", "姓名", &mut issues);
    let body_raw = cols.cell(cells, "body_uscc").to_ascii_uppercase();
    let body_uscc = if body_raw.is_empty() {
        issues.push(issue(
            "单位统一社会信用代码",
            "uscc_required",
            "单位统一社会信用代码不能为空",
        ));
        None
    } else {
        match uscc::parse(&body_raw, regions) {
            Ok(_) => Some(body_raw),
            Err(e) => {
                issues.push(issue(
                    "单位统一社会信用代码",
                    e.code(),
                    format!("单位统一社会信用代码“{body_raw}”无效：{e}"),
                ));
                None
            }
        }
    };
    let body_name = check_text(cells, cols, "body_name", "单位名称", &mut issues);
    let post = check_text(cells, cols, "post", "职务/岗位", &mut issues);
    let principal_raw = cols.cell(cells, "principal");
    let principal = parse_yes_no(principal_raw).unwrap_or_else(|| {
        issues.push(issue(
            "是否主要负责人",
            "employment_principal_invalid",
            format!("是否主要负责人应填“是”或“否”，而不是“{principal_raw}”"),
        ));
        false
    });
    let start_raw = cols.cell(cells, "start");
    let start = if start_raw.is_empty() {
        issues.push(issue(
            "任职起始日期",
            "employment_start_required",
            "任职起始日期不能为空",
        ));
        None
    } else {
        match parse_day(start_raw) {
            Some(d) if d > today => {
                issues.push(issue(
                    "任职起始日期",
                    "employment_start_in_future",
                    format!("任职起始日期 {d} 晚于今天"),
                ));
                None
            }
            Some(d) => Some(d),
            None => {
                issues.push(issue(
                    "任职起始日期",
                    "employment_start_invalid",
                    format!("任职起始日期“{start_raw}”不是有效日期（应如 2021-03-01）"),
                ));
                None
            }
        }
    };
    let end_raw = cols.cell(cells, "end");
    let end = if end_raw.is_empty() {
        None
    } else {
        match parse_day(end_raw) {
            Some(d) => Some(d),
            None => {
                issues.push(issue(
                    "任职终止日期",
                    "employment_end_invalid",
                    format!("任职终止日期“{end_raw}”不是有效日期（应如 2023-06-30）"),
                ));
                None
            }
        }
    };
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            issues.push(issue(
                "任职终止日期",
                "employment_end_before_start",
                format!("任职终止日期 {e} 早于任职起始日期 {s}"),
            ));
        }
    }
    match (id, body_uscc, start) {
        (Some(id_number), Some(body_uscc), Some(start)) if issues.is_empty() => Ok(EmploymentRow {
            row,
            id_number,
            name,
            body_uscc,
            body_name,
            post,
            principal,
            start,
            end,
        }),
        _ => Err(issues),
    }
}

/// A period of one person in one post at one body, as the overlap rule sees it. `person` and
/// `body` are opaque keys (the ID hash or subject id; the USCC or subject id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub person: String,
    pub body: String,
    pub post: String,
    pub principal: bool,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// Why two periods may not both stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodConflict {
    /// One person, one body, one post, two overlapping periods.
    SamePost,
    /// Two persons principal (主要负责人) of one body on the same day.
    TwoPrincipals,
}

impl PeriodConflict {
    /// Both are overlaps of one post: one stable code.
    pub fn code(self) -> &'static str {
        "employment_overlap"
    }

    /// The Chinese explanation; `other` names the other period (`第 5 行`, `已登记的任职记录`).
    pub fn message(self, other: &str) -> String {
        match self {
            PeriodConflict::SamePost => {
                format!("任职期间与{other}重叠：同一人在同一单位的同一职务不能有重叠的任职期间")
            }
            PeriodConflict::TwoPrincipals => {
                format!("任职期间与{other}重叠：同一单位同一时间只能有一名主要负责人")
            }
        }
    }
}

impl Period {
    /// Same person, body, post and start: the same period (sent again or with a new end).
    pub fn same_period(&self, other: &Period) -> bool {
        self.person == other.person
            && self.body == other.body
            && self.post == other.post
            && self.start == other.start
    }

    /// Whether the two periods share a day.
    pub fn overlaps(&self, other: &Period) -> bool {
        let a_end = self.end.unwrap_or(NaiveDate::MAX);
        let b_end = other.end.unwrap_or(NaiveDate::MAX);
        self.start <= b_end && other.start <= a_end
    }

    /// Whether `other` may not stand beside this period (see the module's rule).
    pub fn conflict(&self, other: &Period) -> Option<PeriodConflict> {
        if self.body != other.body || self.same_period(other) || !self.overlaps(other) {
            return None;
        }
        if self.person == other.person && self.post == other.post {
            return Some(PeriodConflict::SamePost);
        }
        if self.principal && other.principal && self.person != other.person {
            return Some(PeriodConflict::TwoPrincipals);
        }
        None
    }
}

/// The first conflict of each period of `new` with an earlier period of `new` or with any of
/// `stored` (a stored period that `new` sends again is replaced, not compared): `(index in
/// new, conflict, Err(index in new) | Ok(index in stored))`.
pub fn conflicts(
    new: &[Period],
    stored: &[Period],
) -> Vec<(usize, PeriodConflict, Result<usize, usize>)> {
    let mut out = Vec::new();
    for (i, p) in new.iter().enumerate() {
        let earlier = new[..i]
            .iter()
            .enumerate()
            .find_map(|(j, q)| p.conflict(q).map(|c| (c, Err(j))));
        let found = earlier.or_else(|| {
            stored
                .iter()
                .enumerate()
                .filter(|(_, s)| !new.iter().any(|n| n.same_period(s)))
                .find_map(|(j, s)| p.conflict(s).map(|c| (c, Ok(j))))
        });
        if let Some((c, other)) = found {
            out.push((i, c, other));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::RegionTable;

    fn d(s: &str) -> NaiveDate {
        parse_day(s).unwrap()
    }

    fn p(person: &str, post: &str, principal: bool, start: &str, end: Option<&str>) -> Period {
        Period {
            person: person.into(),
            body: "B".into(),
            post: post.into(),
            principal,
            start: d(start),
            end: end.map(d),
        }
    }

    const ID: &str = "11010519491231002X";

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn cols() -> Columns {
        Columns::find(&cells(&template_headers()), COLUMNS).unwrap()
    }

    #[test]
    fn a_good_row() {
        let r = parse_row(
            &cols(),
            2,
            &cells(&[
                ID,
                "张三",
                "11320400MB00000002",
                "常州市发展和改革委员会",
                "主任",
                "是",
                "2021-03-01",
                "",
            ]),
            RegionTable::national(),
            d("2025-06-02"),
        )
        .unwrap();
        assert!(r.principal && r.end.is_none());
        assert!(!format!("{r:?}").contains(ID));
    }

    #[test]
    fn bad_rows_name_every_problem_without_the_number() {
        let issues = parse_row(
            &cols(),
            3,
            &cells(&[
                "110105194912310021",
                "",
                "bad",
                "",
                "主任",
                "也许",
                "2021-13-01",
                "2020-01-01",
            ]),
            RegionTable::national(),
            d("2025-06-02"),
        )
        .unwrap_err();
        let codes: Vec<_> = issues.iter().map(|i| i.code).collect();
        assert!(codes.contains(&"staff_field_required"), "{codes:?}");
        assert!(codes.contains(&"employment_principal_invalid"), "{codes:?}");
        assert!(codes.contains(&"employment_start_invalid"), "{codes:?}");
        assert!(issues
            .iter()
            .all(|i| !i.message.contains("110105194912310021")));
        let end_before = parse_row(
            &cols(),
            4,
            &cells(&[
                ID,
                "张三",
                "11320400MB00000002",
                "某委",
                "主任",
                "否",
                "2021-03-01",
                "2020-01-01",
            ]),
            RegionTable::national(),
            d("2025-06-02"),
        )
        .unwrap_err();
        assert_eq!(end_before[0].code, "employment_end_before_start");
    }

    #[test]
    fn overlaps() {
        let a = p("x", "主任", true, "2020-01-01", Some("2022-12-31"));
        // The same period again (a new end date) is no conflict.
        assert_eq!(a.conflict(&p("x", "主任", true, "2020-01-01", None)), None);
        assert_eq!(
            a.conflict(&p("x", "主任", true, "2022-06-01", None)),
            Some(PeriodConflict::SamePost)
        );
        assert_eq!(
            a.conflict(&p("y", "局长", true, "2022-12-31", None)),
            Some(PeriodConflict::TwoPrincipals)
        );
        // A successor from the next day, deputies side by side: fine.
        assert_eq!(a.conflict(&p("y", "主任", true, "2023-01-01", None)), None);
        assert_eq!(
            p("y", "副主任", false, "2020-01-01", None).conflict(&p(
                "z",
                "副主任",
                false,
                "2020-01-01",
                None
            )),
            None
        );
        let new = vec![
            p("y", "主任", true, "2022-01-01", None),
            p("y", "主任", true, "2023-01-01", None),
        ];
        let found = conflicts(&new, &[a]);
        assert_eq!(found[0], (0, PeriodConflict::TwoPrincipals, Ok(0)));
        assert_eq!(found[1], (1, PeriodConflict::SamePost, Err(0)));
    }
}
