//! Finding the columns of a personnel file by their titles, and reading its dates.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Coded, ErrorKind};

/// A file whose header lacks a required column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("文件缺少必需的列：{}", .missing.join("、"))]
pub struct ColumnsError {
    /// The titles of the missing columns.
    pub missing: Vec<String>,
}

impl ColumnsError {
    pub fn code(&self) -> &'static str {
        "staff_columns_missing"
    }
}

impl Coded for ColumnsError {
    fn code(&self) -> &'static str {
        ColumnsError::code(self)
    }
    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid
    }
}

/// Column positions by key, found from the titles a file may use for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    found: Vec<(&'static str, usize)>,
}

/// One expected column: its key, the titles it may have (the first is the canonical one),
/// and whether it is required.
pub type ColumnSpec = (&'static str, &'static [&'static str], bool);

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '／' => '/',
            c => c,
        })
        .collect()
}

impl Columns {
    /// Maps `headers` onto `spec`; every required column must be present.
    pub fn find(headers: &[String], spec: &[ColumnSpec]) -> Result<Self, ColumnsError> {
        let normalised: Vec<String> = headers.iter().map(|h| norm(h)).collect();
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for (key, titles, required) in spec {
            let pos = titles
                .iter()
                .find_map(|t| normalised.iter().position(|h| *h == norm(t)));
            match pos {
                Some(i) => found.push((*key, i)),
                None if *required => missing.push(titles.first().copied().unwrap_or(*key).into()),
                None => {}
            }
        }
        if missing.is_empty() {
            Ok(Self { found })
        } else {
            Err(ColumnsError { missing })
        }
    }

    /// Whether the file has column `key`.
    pub fn has(&self, key: &str) -> bool {
        self.found.iter().any(|(k, _)| *k == key)
    }

    /// The cell of column `key` in `cells`, trimmed (empty when the column is absent).
    pub fn cell<'a>(&self, cells: &'a [String], key: &str) -> &'a str {
        self.found
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, i)| cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

fn digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// A day as personnel files write it: `2021-03-01`, `2021/3/1`, `2021.3.1`, `20210301`,
/// `2021年3月1日`; `None` when it is none of these or not a real date.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let y = s[..4].parse().ok()?;
        let m = s[4..6].parse().ok()?;
        let d = s[6..].parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let (y, r) = digits(s, 4, 4)?;
    let sep = r.chars().next()?;
    let (sep2, end) = match sep {
        '-' | '/' | '.' => (sep, None),
        '年' => ('月', Some('日')),
        _ => return None,
    };
    let (m, r) = digits(&r[sep.len_utf8()..], 1, 2)?;
    let r = r.strip_prefix(sep2)?;
    let (d, r) = digits(r, 1, 2)?;
    let r = match end {
        Some(e) => r.strip_prefix(e).unwrap_or(r),
        None => r,
    };
    if !r.is_empty() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        let want = NaiveDate::from_ymd_opt(2021, 3, 1);
        for s in [
            "2021-03-01",
            "2021/3/1",
            "2021.3.1",
            "20210301",
            "2021年3月1日",
            " 2021-3-01 ",
        ] {
            assert_eq!(parse_day(s), want, "{s}");
        }
        for s in ["", "2021-02-30", "21-3-1", "2021-03", "2021-03-01x", "明天"] {
            assert_eq!(parse_day(s), None, "{s}");
        }
    }

    #[test]
    fn columns_by_title() {
        const SPEC: &[ColumnSpec] = &[
            ("a", &["身份证号", "身份证件号码"], true),
            ("b", &["备注"], false),
        ];
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let c = Columns::find(&h(&["*身份证件号码", "x"]), SPEC).unwrap();
        let row = h(&[" 1 ", "2"]);
        assert_eq!(c.cell(&row, "a"), "1");
        assert_eq!(c.cell(&row, "b"), "");
        let e = Columns::find(&h(&["x"]), SPEC).unwrap_err();
        assert_eq!(e.missing, vec!["身份证号".to_string()]);
        assert_eq!(e.code(), "staff_columns_missing");
    }
}
