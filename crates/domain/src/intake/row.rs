//! A validated row and its issues: the subject it is about, code classes and small helpers.

use super::*;

/// The subject a row is about.
#[derive(Clone, PartialEq, Eq)]
pub struct SubjectRef {
    /// 名称/姓名, trimmed.
    pub name: String,
    /// The subject's valid USCC (organisations and 个体工商户).
    pub uscc: Option<String>,
    /// The subject's ID number, **in clear**, normalised (trimmed, half-width, upper case):
    /// the caller hashes it and never stores it. For another 证件类型 than 身份证, the
    /// document number as given.
    pub id_number: Option<String>,
    /// The 证件类型 code of `id_number` (`01` 身份证, `02` 护照 …), when the row gives one.
    pub id_type: Option<String>,
    /// The kind of subject, as far as the row tells.
    pub kind_hint: Option<SubjectKind>,
}

impl fmt::Debug for SubjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubjectRef")
            .field("name", &self.name)
            .field("uscc", &self.uscc)
            .field("id_number", &self.id_number.as_deref().map(id_number::mask))
            .field("id_type", &self.id_type)
            .field("kind_hint", &self.kind_hint)
            .finish()
    }
}

/// A validated row, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRow {
    /// The row number given by the reader.
    pub row: u64,
    /// 文书号.
    pub doc_no: String,
    /// Decision date.
    pub decision_date: NaiveDate,
    /// The subject.
    pub subject: SubjectRef,
    /// Resolved severity (negative types only).
    pub severity: Option<Severity>,
    /// End of publication.
    pub publication: PublicationEnd,
    /// Fields by English name, as JSON values ready to store: text, enum codes and decimals as
    /// strings, dates as `"YYYY-MM-DD"`, integers as numbers, empty optional fields omitted;
    /// ID numbers masked, in free text too.
    pub fields: Map<String, Value>,
    /// The free-text fields that held ID numbers, as given (by field name): to be sealed,
    /// never stored in clear.
    pub clear_texts: ClearTexts,
    /// SHA-256 (or keyed HMAC-SHA256, see [`ColumnMap::with_digest_key`]) hex of the canonical
    /// content: recognises a resubmitted identical row, and a changed one as a correction.
    pub content_digest: String,
    /// Non-fatal findings (e.g. a USCC whose inner organisation code breaks GB 11714).
    pub warnings: Vec<RowIssue>,
}

/// One problem of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    /// The column, as titled in the file (the catalog's title when the file has no such
    /// column); `None` for problems of the whole row.
    pub column: Option<String>,
    /// Stable snake_case code: a [`FieldError`] or [`codes::CodeError`] code, or one of this
    /// module's (`empty_row`, `decision_date_in_future`, `decision_date_too_early`,
    /// `invalid_uscc_or_id`, `uscc_required`, `uscc_or_business_reg_no_required`,
    /// `id_type_required`, `id_number_required`, `subject_kind_not_allowed`,
    /// `invalid_severity`, `column_map_mismatch`, `authority_not_authorised`).
    pub code: &'static str,
    /// Chinese message.
    pub message: String,
}

impl fmt::Display for RowIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a code-typed cell turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodeClass {
    /// Not a code field, empty, or invalid.
    NotCode,
    /// A valid USCC: registering department and category.
    Uscc(char, char),
    /// A personal document number (checked ID or other document): stored masked.
    Personal,
    /// The 个体工商户 placeholder `00000000000000000X`.
    Placeholder,
}

pub(super) fn is_blank(cell: &str) -> bool {
    cell.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'
            )
    })
}

pub(super) fn kind_from_uscc(dept: char, category: char) -> Option<SubjectKind> {
    match (dept, category) {
        ('1', '1') => Some(SubjectKind::GovBody),
        ('1', '2') | ('A', '1') => Some(SubjectKind::Institution),
        ('5', _) => Some(SubjectKind::SocialOrg),
        ('9', _) => Some(SubjectKind::Enterprise),
        _ => None,
    }
}

/// The person kind a type allows: 自然人 unless only 公务员/工作人员 are allowed.
pub(super) fn person_kind(rt: &RecordType) -> SubjectKind {
    if !rt.subject_kinds.contains(&SubjectKind::Individual)
        && rt.subject_kinds.contains(&SubjectKind::CivilServant)
    {
        SubjectKind::CivilServant
    } else {
        SubjectKind::Individual
    }
}

/// `YYYY-MM-DD` without going through chrono's formatter.
pub(super) fn iso_date(d: NaiveDate) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if (0..=9999).contains(&y) {
        let mut s = String::with_capacity(10);
        let digits = [
            y / 1000,
            y / 100 % 10,
            y / 10 % 10,
            y % 10,
            -1,
            (m / 10) as i32,
            (m % 10) as i32,
            -1,
            (day / 10) as i32,
            (day % 10) as i32,
        ];
        for v in digits {
            s.push(match v {
                -1 => '-',
                v => char::from(b'0' + v as u8),
            });
        }
        s
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

pub(super) fn required_issue(rt: &RecordType, map: &ColumnMap, field: usize) -> RowIssue {
    let title = rt.fields.get(field).map_or("", |f| f.title.as_str());
    let e = FieldError::Required {
        title: title.to_string(),
    };
    RowIssue {
        column: map.issue_column(rt, field),
        code: e.code(),
        message: e.to_string(),
    }
}
