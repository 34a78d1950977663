//! The report model: what a 信用报告 says, as plain serialisable data.
//!
//! The field order of these structs is the order of the canonical JSON that is signed
//! ([`crate::canonical_bytes`]): reordering or renaming a field changes every signature, so
//! don't. Adding a field is a new payload version.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::ReportError;

/// Longest accepted report number (it is typed by people and travels in URLs).
pub const MAX_REPORT_NO_LEN: usize = 64;
/// Most sections in one report.
pub const MAX_SECTIONS: usize = 100;
/// Most columns of one section's table (an A4 page has room for about this many).
pub const MAX_COLUMNS: usize = 12;
/// Most rows of one section's table.
pub const MAX_ROWS: usize = 5_000;
/// Longest text of one field or cell, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// A credit report (信用报告) as issued: who issued it, when, about whom, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditReport {
    /// 报告编号: ASCII letters, digits, `-` and `_`, at most [`MAX_REPORT_NO_LEN`] long.
    pub report_no: String,
    /// 出具时间, with the offset it is shown in (China time, `+08:00`, as a rule).
    pub issued_at: DateTime<FixedOffset>,
    /// 出具机构, e.g. `某市公共信用信息中心`.
    pub issuer: String,
    /// 信用主体.
    pub subject: ReportSubject,
    /// The report's sections, in order (numbered 一、二、… when rendered).
    pub sections: Vec<Section>,
}

/// The credit subject a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSubject {
    /// 主体名称.
    pub name: String,
    /// 统一社会信用代码 for organisations; the masked ID number for persons (the caller masks:
    /// whatever is here is printed and signed as it is).
    pub code: String,
    /// 主体类别.
    pub kind: SubjectKind,
}

/// Kinds of credit subject (信用主体类别): the domain's type (one definition for the
/// platform; serialised as the same snake_case codes).
pub use chengxin_domain::subjects::SubjectKind;

/// One section of a report: a title, an optional note, and a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// e.g. `行政许可` (rendered as `一、行政许可`).
    pub title: String,
    /// Printed under the title in small type, e.g. the data's source or cut-off date.
    pub note: Option<String>,
    /// The records. A table without rows is rendered as `无`.
    pub table: Table,
}

/// A table: every row has exactly as many cells as there are headers. A cell may contain
/// `\n` for a forced line break; long text is wrapped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// True when there is nothing to list (rendered as `无`).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn invalid(msg: impl Into<String>) -> ReportError {
    ReportError::InvalidReport(msg.into())
}

/// A one-line text: present, not too long, no control characters.
fn check_line(what: &str, s: &str, required: bool) -> Result<(), ReportError> {
    if required && s.trim().is_empty() {
        return Err(invalid(format!("{what}不能为空")));
    }
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(invalid(format!(
            "{what}过长（最多 {MAX_TEXT_CHARS} 个字符）"
        )));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid(format!("{what}含有控制字符")));
    }
    Ok(())
}

/// A multi-line text: like [`check_line`] but `\n` is allowed.
fn check_text(what: &str, s: &str) -> Result<(), ReportError> {
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(invalid(format!(
            "{what}过长（最多 {MAX_TEXT_CHARS} 个字符）"
        )));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid(format!("{what}含有控制字符")));
    }
    Ok(())
}

impl CreditReport {
    /// Checks what signing and rendering rely on: a URL-safe report number, non-empty
    /// names, rectangular tables, and size limits (see the `MAX_*` constants).
    pub fn validate(&self) -> Result<(), ReportError> {
        let no = &self.report_no;
        if no.is_empty() || no.len() > MAX_REPORT_NO_LEN {
            return Err(invalid(format!(
                "报告编号长度应为 1 至 {MAX_REPORT_NO_LEN} 个字符"
            )));
        }
        if !no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid("报告编号只能包含字母、数字、“-”和“_”"));
        }
        check_line("出具机构", &self.issuer, true)?;
        check_line("主体名称", &self.subject.name, true)?;
        check_line("主体代码", &self.subject.code, true)?;
        check_sections(&self.sections)
    }
}

/// The sections' shape and text: at most [`MAX_SECTIONS`], titles on one line, rows as wide as
/// their headers, no control characters.
pub(crate) fn check_sections(sections: &[Section]) -> Result<(), ReportError> {
    if sections.len() > MAX_SECTIONS {
        return Err(invalid(format!("栏目过多（最多 {MAX_SECTIONS} 个）")));
    }
    for (i, s) in sections.iter().enumerate() {
        let n = i + 1;
        check_line(&format!("第 {n} 个栏目的标题"), &s.title, true)?;
        if let Some(note) = &s.note {
            check_text(&format!("第 {n} 个栏目的说明"), note)?;
        }
        let cols = s.table.headers.len();
        if cols > MAX_COLUMNS {
            return Err(invalid(format!(
                "栏目“{}”的列数过多（最多 {MAX_COLUMNS} 列）",
                s.title
            )));
        }
        if cols == 0 && !s.table.rows.is_empty() {
            return Err(invalid(format!("栏目“{}”有数据行但没有表头", s.title)));
        }
        if s.table.rows.len() > MAX_ROWS {
            return Err(invalid(format!(
                "栏目“{}”的行数过多（最多 {MAX_ROWS} 行）",
                s.title
            )));
        }
        for h in &s.table.headers {
            check_line(&format!("栏目“{}”的表头", s.title), h, false)?;
        }
        for (r, row) in s.table.rows.iter().enumerate() {
            if row.len() != cols {
                return Err(invalid(format!(
                    "栏目“{}”第 {} 行有 {} 个单元格，应为 {cols} 个",
                    s.title,
                    r + 1,
                    row.len()
                )));
            }
            for cell in row {
                check_text(&format!("栏目“{}”第 {} 行", s.title, r + 1), cell)?;
            }
        }
    }
    Ok(())
}

/// A plain document (not a credit report: not signed, no verification code) printed with the
/// same layout — e.g. the 重点任务分工 progress overview for the leadership group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The title printed at the top, e.g. `重点任务分工推进情况`.
    pub title: String,
    /// A line under the title, e.g. `2026年第二季度`.
    pub subtitle: String,
    /// Who issues it (printed in the heading block and at the end).
    pub issuer: String,
    /// When it is issued, with the offset it is shown in (China time).
    pub issued_at: DateTime<FixedOffset>,
    /// Key–value lines in the heading block.
    pub facts: Vec<(String, String)>,
    /// The sections, numbered 一、二、… when rendered.
    pub sections: Vec<Section>,
}

impl Document {
    /// Checks the document's text and tables as [`CreditReport::validate`] does.
    pub fn validate(&self) -> Result<(), ReportError> {
        check_line("标题", &self.title, true)?;
        check_line("副标题", &self.subtitle, false)?;
        check_line("出具机构", &self.issuer, true)?;
        for (k, v) in &self.facts {
            check_line("表头信息", k, true)?;
            check_line(k, v, false)?;
        }
        check_sections(&self.sections)
    }
}
