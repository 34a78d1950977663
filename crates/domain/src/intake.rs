//! 数据报送校验 — pure validation of imported rows against the catalog.
//!
//! The reading layer yields, per submitted file, its headers and raw text rows. This module
//! turns them into validated records in two steps:
//!
//! 1. [`map_columns`], once per file: every header is resolved to a field of the record type
//!    (by Chinese title, alias or English name, after [`normalize_header`]), to the optional
//!    severity column, to one of our own error-report columns ([`REPORT_COLUMNS`], ignored
//!    silently when a corrected report is resubmitted) or to "unknown" (reported, not an
//!    error). Missing required columns, two columns for one field and columns of the
//!    superseded V1 standard reject the whole file with a [`MappingError`].
//! 2. [`validate_row`], per row: every cell is checked ([`FieldDef::parse_value`] after
//!    [`unneutralise`]), identifier codes are verified with the `codes` module, the decision
//!    date, the document number and the subject are checked, the 双公示 cross-field rules
//!    applied, and the severity and the end of publication resolved. **All** problems of a
//!    row are reported, not only the first.
//!
//! # 双公示 cross-field rules (types with a `subject.kind_field`)
//!
//! Following the filling notes of the national 双公示 data standard as departments apply them
//! (行政相对人类别 decides which identifier block is filled; the 个体工商户 placeholder is the
//! usual practice, not checked against the standard's primary text):
//!
//! * 法人及非法人组织 (`legal_person`): 行政相对人代码_1 (统一社会信用代码) is required.
//! * 个体工商户 (`individual_business`): the USCC is required, except that a household
//!   business that has no USCC yet may leave it empty or give the placeholder
//!   `00000000000000000X` (17 zeros and X) **and** fill 行政相对人代码_2 (工商注册号,
//!   the `business_reg_no` field when the type has one).
//! * 自然人 (`natural_person`): 证件类型 and 证件号码 are required.
//!
//! The subject's identifiers come from `subject.uscc_field` and `subject.id_number_field`
//! only; 法定代表人证件号码 is checked like any ID field but never identifies the subject. For an
//! organisation the 证件号码 column is not the subject's, and for a natural person the USCC
//! column is not: a value there is still checked but not put into [`SubjectRef`].
//!
//! # ID numbers
//!
//! An `id_number` field is checked against GB 11643 ([`id_number::parse`]) only when its
//! document type is empty or `01` 身份证: the subject's number is qualified by
//! `subject.id_type_field`; another `…_id_no` field by the enum field `…_id_type` of the same
//! type when there is one (法定代表人证件号码 by 法定代表人证件类型). Passports and other
//! documents are accepted as given (normalised). In [`ValidRow::fields`] every `id_number`
//! value — and every `uscc_or_id` value that is an ID number — is stored **masked**
//! ([`id_number::mask`]); the clear number only lives in [`SubjectRef::id_number`], whose
//! `Debug` masks it. Issue messages never contain an ID number in clear.
//!
//! # Content digest
//!
//! [`ValidRow::content_digest`] is a SHA-256 over the record type, every non-empty field in
//! catalog order (name and typed value, length-prefixed), the decision date and the resolved
//! severity. It does not depend on column order or on how a value was written (`2025/1/5` and
//! `2025-01-05`, `1,000.50` and `1000.5`, full-width digits …), and identifier codes enter it
//! normalised and in clear, so two persons with the same masked number differ.
//!
//! **Privacy caveat:** an unkeyed digest of a row whose other fields are stored in clear and
//! whose ID number is stored masked (8 of 18 characters visible) lets anyone holding the
//! database recover the number by trying the ~10⁷ remaining candidates. A store that keeps the
//! digest of rows with ID numbers should key it with [`ColumnMap::with_digest_key`] (the same
//! secret as the ID hasher is fine): the digest is then an HMAC-SHA256 and stays stable for
//! the same key.
//!
//! # Performance
//!
//! [`ColumnMap`] precomputes, per field, the column it comes from, how its code is checked and
//! the parsed value of every enum spelling, and memoises region look-ups and the last USCC
//! verdict per column (see its documentation); cells take fast paths that give exactly what
//! [`FieldDef::parse_value`] gives (checked by a property test); the digest is fed
//! incrementally. `cargo test --release -p chengxin-domain intake -- --ignored --nocapture`
//! runs the `bench_penalty_rows` test: 200,000 synthetic 行政处罚 rows (470 bytes of cells
//! each, one in five a natural person, all 3 USCCs and an ID number checked on every row)
//! against the national region table. Measured 2025-12 on a shared 2-vCPU VM under a load
//! average of about 3: 150,000–175,000 rows/s of thread CPU time on one core, typically
//! about 165,000. The remaining cost is mostly allocation (one `String` per non-empty field for
//! its value and one for its key in [`ValidRow::fields`]), SHA-256 over the content, and
//! `uscc::parse` / `id_number::parse` of the subject's codes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::catalog::{
    normalize_header, FieldDef, FieldError, FieldType, FieldValue, FieldValues, PublicationEnd,
    PublicationRule, RecordType, Severity,
};
use crate::codes::{
    self, id_number, uscc, CodeDetails, CodeError, CodeKind, RegionInfo, RegionLookup,
};
use crate::subjects::SubjectKind;

/// Columns our own error reports add after the original ones; ignored silently when a fixed
/// report is resubmitted.
pub const REPORT_COLUMNS: [&str; 2] = ["错误原因", "原行号"];

/// The earliest decision date accepted: the founding of the People's Republic.
pub const EARLIEST_DECISION_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1949, 10, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// 证件类型 code of the 居民身份证, the only document checked against GB 11643.
pub const ID_TYPE_RESIDENT_CARD: &str = "01";

/// The placeholder a 个体工商户 without a USCC may give in 行政相对人代码_1.
pub const INDIVIDUAL_BUSINESS_USCC_PLACEHOLDER: &str = "00000000000000000X";

/// Enum codes of the 行政相对人类别 field in the shipped catalog.
const KIND_LEGAL_PERSON: &str = "legal_person";
const KIND_NATURAL_PERSON: &str = "natural_person";
const KIND_INDIVIDUAL_BUSINESS: &str = "individual_business";
/// Field that lets a 个体工商户 without a USCC be identified (行政相对人代码_2).
const BUSINESS_REG_NO_FIELD: &str = "business_reg_no";

// ------------------------------------------------------------------------------------------------
// Formula protection
// ------------------------------------------------------------------------------------------------

fn is_formula_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// Undoes the formula protection of our error reports: a cell that starts with `'` followed
/// (after any further `'`s) by `=`, `+`, `-`, `@`, a tab or a carriage return loses exactly
/// one leading `'`; every other cell is returned unchanged. This is the inverse of the report
/// writer's `neutralise`, which prepends one `'` to exactly those cells.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest
                .trim_start_matches('\'')
                .starts_with(is_formula_trigger) =>
        {
            rest
        }
        _ => cell,
    }
}

// ------------------------------------------------------------------------------------------------
// Column mapping
// ------------------------------------------------------------------------------------------------

/// What one column of a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A catalog field (index into `RecordType::fields`).
    Field(usize),
    /// The optional severity column.
    Severity,
    /// One of [`REPORT_COLUMNS`].
    Report,
    /// Not known to the type (reported in [`MappingReport::unknown_columns`]).
    Unknown,
}

/// How the code of a field is checked beyond [`FieldDef::parse_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodeCheck {
    None,
    Uscc,
    /// GB 11643, unless the qualifying 证件类型 field (index) gives another document.
    IdNumber {
        id_type: Option<usize>,
    },
    UsccOrId,
}

/// How a file's columns map onto a record type. Built once per file by [`map_columns`].
///
/// Besides the mapping, a map memoises what is costly and repeats from row to row within a
/// file: region look-ups, and per USCC column the verdict on the last code seen (the
/// authority's and the source unit's codes are the same on every row). The memo is tied to
/// the address of the [`RegionLookup`] passed to [`validate_row`] and reset when another one
/// is passed; it is behind a mutex that is only ever `try_lock`ed, so a map shared between
/// threads stays correct (and merely validates without the memo when it is busy).
pub struct ColumnMap {
    type_code: String,
    /// The headers as in the file.
    headers: Vec<String>,
    /// Per header index.
    roles: Vec<Role>,
    /// Per field index: the header index it is read from.
    field_cols: Vec<Option<usize>>,
    /// Per field index.
    checks: Vec<CodeCheck>,
    severity_col: Option<usize>,
    key: usize,
    date: usize,
    name: usize,
    uscc: Option<usize>,
    id_no: Option<usize>,
    id_type: Option<usize>,
    kind: Option<usize>,
    business_reg_no: Option<usize>,
    /// Fields read by the severity rules and the publication rule.
    rule_fields: Vec<usize>,
    digest_key: Option<Hmac<Sha256>>,
    /// Per field: for enum fields, the parsed value of every spelling the catalog lists
    /// (code, label, aliases), as [`FieldDef::parse_value`] gives it.
    enum_spellings: Vec<Option<HashMap<String, FieldValue>>>,
    memo: Mutex<Memo>,
}

impl Clone for ColumnMap {
    fn clone(&self) -> Self {
        Self {
            type_code: self.type_code.clone(),
            headers: self.headers.clone(),
            roles: self.roles.clone(),
            field_cols: self.field_cols.clone(),
            checks: self.checks.clone(),
            severity_col: self.severity_col,
            key: self.key,
            date: self.date,
            name: self.name,
            uscc: self.uscc,
            id_no: self.id_no,
            id_type: self.id_type,
            kind: self.kind,
            business_reg_no: self.business_reg_no,
            rule_fields: self.rule_fields.clone(),
            digest_key: self.digest_key.clone(),
            enum_spellings: self.enum_spellings.clone(),
            memo: Mutex::new(Memo::new(self.field_cols.len())),
        }
    }
}

/// A USCC verdict: department, category and warnings, or the error.
type UsccVerdict = Result<(char, char, Vec<CodeError>), CodeError>;

/// Most region codes memoised before the memo starts afresh.
const REGION_MEMO_LIMIT: usize = 8192;

/// See [`ColumnMap`].
#[derive(Default)]
struct Memo {
    /// Address of the region lookup the entries come from (0: none yet).
    source: usize,
    regions: RefCell<HashMap<String, Option<RegionInfo>>>,
    /// Per field: the last USCC checked and its verdict.
    last_uscc: Vec<Option<(String, UsccVerdict)>>,
}

impl Memo {
    fn new(fields: usize) -> Self {
        Self {
            source: 0,
            regions: RefCell::new(HashMap::new()),
            last_uscc: vec![None; fields],
        }
    }

    /// Ties the memo to `regions`, forgetting everything learnt from another lookup.
    fn bind(&mut self, regions: &dyn RegionLookup) {
        let addr = regions as *const dyn RegionLookup as *const () as usize;
        if self.source != addr {
            self.source = addr;
            self.regions.get_mut().clear();
            self.last_uscc.iter_mut().for_each(|e| *e = None);
        }
    }
}

/// A region lookup going through the memo.
struct MemoRegions<'a> {
    inner: &'a dyn RegionLookup,
    memo: Option<&'a RefCell<HashMap<String, Option<RegionInfo>>>>,
}

impl RegionLookup for MemoRegions<'_> {
    fn lookup(&self, code: &str) -> Option<RegionInfo> {
        let Some(memo) = self.memo else {
            return self.inner.lookup(code);
        };
        if let Some(hit) = memo.borrow().get(code) {
            return hit.clone();
        }
        let found = self.inner.lookup(code);
        let mut memo = memo.borrow_mut();
        if memo.len() >= REGION_MEMO_LIMIT {
            memo.clear();
        }
        memo.insert(code.to_string(), found.clone());
        found
    }
}

impl fmt::Debug for ColumnMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ColumnMap")
            .field("type_code", &self.type_code)
            .field("headers", &self.headers)
            .field("roles", &self.roles)
            .field("severity_col", &self.severity_col)
            .field("keyed_digest", &self.digest_key.is_some())
            .finish_non_exhaustive()
    }
}

impl ColumnMap {
    /// Keys [`ValidRow::content_digest`] with a secret (HMAC-SHA256 instead of SHA-256): see
    /// the module documentation for why a store should do this.
    pub fn with_digest_key(mut self, key: &[u8]) -> Self {
        // HMAC accepts keys of any length: `new_from_slice` cannot fail.
        self.digest_key = <Hmac<Sha256> as Mac>::new_from_slice(key).ok();
        self
    }

    /// The record type this map was built for.
    pub fn type_code(&self) -> &str {
        &self.type_code
    }

    /// The headers as in the file.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The header a field (by English name) is read from, `None` when the file has no column
    /// for it.
    pub fn column_of(&self, rt: &RecordType, field: &str) -> Option<&str> {
        let i = rt.fields.iter().position(|f| f.name == field)?;
        self.header_of(i)
    }

    /// The header of the severity column, if the file has one.
    pub fn severity_column(&self) -> Option<&str> {
        self.severity_col
            .and_then(|c| self.headers.get(c))
            .map(String::as_str)
    }

    fn header_of(&self, field: usize) -> Option<&str> {
        self.field_cols
            .get(field)
            .copied()
            .flatten()
            .and_then(|c| self.headers.get(c))
            .map(String::as_str)
    }

    /// The column title for an issue about a field: the header as in the file, or the
    /// catalog's title when the file has no such column.
    fn issue_column(&self, rt: &RecordType, field: usize) -> Option<String> {
        self.header_of(field)
            .map(str::to_string)
            .or_else(|| rt.fields.get(field).map(|f| f.title.clone()))
    }

    /// The checked value of a field's cell: [`FieldDef::parse_value`], with fast paths for the
    /// common cases that give exactly its result (see `fast_paths_agree_with_parse_value`).
    fn parse_cell(&self, f: &FieldDef, field: usize, raw: &str) -> Result<FieldValue, FieldError> {
        let plain = !has_invisible(raw);
        let t = raw.trim();
        if t.is_empty() || !plain {
            return f.parse_value(raw);
        }
        match &f.kind {
            FieldType::Text { max_len } => {
                // Bytes bound characters from above: count characters only for long text.
                let max = *max_len as usize;
                if t.len() <= max || t.chars().count() <= max {
                    return Ok(FieldValue::Text(t.to_string()));
                }
            }
            FieldType::Uscc | FieldType::IdNumber | FieldType::UsccOrId if raw.is_ascii() => {
                return Ok(FieldValue::Code(t.to_ascii_uppercase()));
            }
            FieldType::Enum { .. } => {
                if let Some(v) = self
                    .enum_spellings
                    .get(field)
                    .and_then(Option::as_ref)
                    .and_then(|m| m.get(t))
                {
                    return Ok(v.clone());
                }
            }
            FieldType::Date if raw.is_ascii() => {
                if let Some(d) = iso_date_fast(t) {
                    return Ok(FieldValue::Date(d));
                }
            }
            _ => {}
        }
        f.parse_value(raw)
    }

    /// The raw cell of a field, unneutralised; `""` when absent.
    fn cell<'a>(&self, cells: &'a [String], field: usize) -> &'a str {
        match self.field_cols.get(field).copied().flatten() {
            Some(c) => cells.get(c).map_or("", |s| unneutralise(s)),
            None => "",
        }
    }
}

/// What [`map_columns`] found besides the mapping itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MappingReport {
    /// Headers that are neither fields of the type nor known extra columns, as in the file
    /// (a blank header is given as `第N列（空列名）`). Their cells are ignored; the batch should
    /// report them.
    pub unknown_columns: Vec<String>,
    /// `(header as in the file, English field name)`, in file order.
    pub mapped: Vec<(String, String)>,
    /// The header of the severity column (e.g. 失信严重程度), if any.
    pub severity_column: Option<String>,
    /// Our own report columns ([`REPORT_COLUMNS`]) found and ignored.
    pub ignored_report_columns: Vec<String>,
}

/// Several headers mapping to one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateColumns {
    /// English field name (`severity` for the severity column).
    pub field: String,
    /// The catalog's title of the field.
    pub title: String,
    /// The headers, as in the file.
    pub headers: Vec<String>,
}

/// A column of a superseded standard found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegacyColumnHit {
    /// The header, as in the file.
    pub header: String,
    /// The catalog's reason.
    pub reason: String,
}

/// Why a file's columns cannot be mapped; the whole file is rejected.
///
/// When several problems exist, the first in this order is returned: legacy columns (they
/// explain the others), duplicate columns, missing columns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// Required fields without a column.
    #[error("文件缺少必填列：{}", fmt_titles(.titles))]
    MissingRequiredColumns {
        /// Catalog titles of all missing fields, in catalog order.
        titles: Vec<String>,
    },
    /// Two or more headers map to the same field.
    #[error("以下列对应同一字段，无法确定以哪一列为准：{}", fmt_duplicates(.duplicates))]
    DuplicateFieldColumns {
        /// Every field with more than one column.
        duplicates: Vec<DuplicateColumns>,
    },
    /// Columns of the superseded (V1) standard.
    #[error("文件含有旧标准（V1）的列，整份文件不予接收，请按新标准列名重新导出：{}", fmt_legacy(.columns))]
    LegacyColumns {
        /// Every legacy column, with the catalog's reason.
        columns: Vec<LegacyColumnHit>,
    },
}

impl MappingError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingRequiredColumns { .. } => "missing_required_columns",
            Self::DuplicateFieldColumns { .. } => "duplicate_field_columns",
            Self::LegacyColumns { .. } => "legacy_columns",
        }
    }
}

fn fmt_titles(titles: &[String]) -> String {
    titles
        .iter()
        .map(|t| format!("“{t}”"))
        .collect::<Vec<_>>()
        .join("、")
}

fn fmt_duplicates(dups: &[DuplicateColumns]) -> String {
    dups.iter()
        .map(|d| format!("“{}”对应{}", d.title, fmt_titles(&d.headers)))
        .collect::<Vec<_>>()
        .join("；")
}

fn fmt_legacy(cols: &[LegacyColumnHit]) -> String {
    cols.iter()
        .map(|c| format!("“{}”（{}）", c.header, c.reason))
        .collect::<Vec<_>>()
        .join("；")
}

fn has_invisible(s: &str) -> bool {
    s.contains(['\u{FEFF}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}'])
}

/// `YYYY-MM-DD` (ASCII digits) as a real date; `None` for anything else.
fn iso_date_fast(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// For an enum field, what [`FieldDef::parse_value`] gives for each spelling the catalog
/// lists. A cell equal to a spelling once trimmed (and free of invisible characters) parses
/// exactly like the spelling: the parser only sees the width-folded, trimmed cell.
fn enum_spellings(f: &FieldDef) -> Option<HashMap<String, FieldValue>> {
    let FieldType::Enum { values } = &f.kind else {
        return None;
    };
    let mut out = HashMap::new();
    for v in values {
        for s in std::iter::once(&v.code)
            .chain(std::iter::once(&v.label))
            .chain(v.aliases.iter())
        {
            let s = s.trim();
            if s.is_empty() || has_invisible(s) {
                continue;
            }
            if let Ok(parsed) = f.parse_value(s) {
                out.insert(s.to_string(), parsed);
            }
        }
    }
    Some(out)
}

fn field_index(rt: &RecordType, name: &str) -> Option<usize> {
    rt.fields.iter().position(|f| f.name == name)
}

/// The enum field qualifying an `id_number` field: the subject's `id_type_field` for the
/// subject's number; for another `<prefix>_id_no` field, the enum field `<prefix>_id_type`.
fn id_type_qualifier(rt: &RecordType, i: usize) -> Option<usize> {
    let f = rt.fields.get(i)?;
    let is_enum = |j: usize| {
        rt.fields
            .get(j)
            .is_some_and(|q| matches!(q.kind, FieldType::Enum { .. }))
    };
    if rt.subject.id_number_field.as_deref() == Some(f.name.as_str()) {
        return rt
            .subject
            .id_type_field
            .as_deref()
            .and_then(|n| field_index(rt, n))
            .filter(|j| is_enum(*j));
    }
    let prefix = f.name.strip_suffix("id_no")?;
    field_index(rt, &format!("{prefix}id_type")).filter(|j| is_enum(*j))
}

/// Maps a file's headers onto a record type. See the module documentation.
pub fn map_columns(
    rt: &RecordType,
    headers: &[String],
) -> Result<(ColumnMap, MappingReport), MappingError> {
    let report_keys: Vec<String> = REPORT_COLUMNS.iter().map(|c| normalize_header(c)).collect();
    let n = rt.fields.len();
    let mut roles = Vec::with_capacity(headers.len());
    let mut field_headers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut severity_headers: Vec<usize> = Vec::new();
    let mut legacy = Vec::new();
    let mut report = MappingReport::default();

    for (col, header) in headers.iter().enumerate() {
        let norm = normalize_header(header);
        if norm.is_empty() {
            roles.push(Role::Unknown);
            report
                .unknown_columns
                .push(format!("第{}列（空列名）", col + 1));
            continue;
        }
        if let Some(reason) = rt.legacy_column(header) {
            legacy.push(LegacyColumnHit {
                header: header.clone(),
                reason: reason.to_string(),
            });
            roles.push(Role::Unknown);
            continue;
        }
        let field = rt
            .resolve_column(header)
            .and_then(|f| rt.fields.iter().position(|g| std::ptr::eq(f, g)));
        if let Some(i) = field {
            roles.push(Role::Field(i));
            field_headers[i].push(col);
            report
                .mapped
                .push((header.clone(), rt.fields[i].name.clone()));
        } else if rt.is_severity_column(header) {
            roles.push(Role::Severity);
            severity_headers.push(col);
        } else if report_keys.contains(&norm) {
            roles.push(Role::Report);
            report.ignored_report_columns.push(header.clone());
        } else {
            roles.push(Role::Unknown);
            report.unknown_columns.push(header.clone());
        }
    }

    if !legacy.is_empty() {
        return Err(MappingError::LegacyColumns { columns: legacy });
    }

    let header_names = |cols: &[usize]| -> Vec<String> {
        cols.iter()
            .filter_map(|c| headers.get(*c).cloned())
            .collect()
    };
    let mut duplicates: Vec<DuplicateColumns> = field_headers
        .iter()
        .enumerate()
        .filter(|(_, cols)| cols.len() > 1)
        .map(|(i, cols)| DuplicateColumns {
            field: rt.fields[i].name.clone(),
            title: rt.fields[i].title.clone(),
            headers: header_names(cols),
        })
        .collect();
    if severity_headers.len() > 1 {
        let title = rt
            .severity
            .as_ref()
            .and_then(|p| p.column.as_ref())
            .map_or_else(|| "失信严重程度".to_string(), |c| c.title.clone());
        duplicates.push(DuplicateColumns {
            field: "severity".into(),
            title,
            headers: header_names(&severity_headers),
        });
    }
    if !duplicates.is_empty() {
        return Err(MappingError::DuplicateFieldColumns { duplicates });
    }

    let key = field_index(rt, &rt.key_field);
    let date = field_index(rt, &rt.decision_date_field);
    let name = field_index(rt, &rt.subject.name_field);
    // The key, date and name fields are needed by every row even if the catalog forgot to
    // mark them required. (A validated catalog always has them; a map built for a broken
    // one reports them missing.)
    let missing: Vec<String> = rt
        .fields
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            (f.required || Some(*i) == key || Some(*i) == date || Some(*i) == name)
                && field_headers[*i].is_empty()
        })
        .map(|(_, f)| f.title.clone())
        .collect();
    let (Some(key), Some(date), Some(name)) = (key, date, name) else {
        let mut titles = missing;
        for f in [
            &rt.key_field,
            &rt.decision_date_field,
            &rt.subject.name_field,
        ] {
            if field_index(rt, f).is_none() {
                titles.push(f.clone());
            }
        }
        return Err(MappingError::MissingRequiredColumns { titles });
    };
    if !missing.is_empty() {
        return Err(MappingError::MissingRequiredColumns { titles: missing });
    }

    let checks = rt
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| match f.kind {
            FieldType::Uscc => CodeCheck::Uscc,
            FieldType::IdNumber => CodeCheck::IdNumber {
                id_type: id_type_qualifier(rt, i),
            },
            FieldType::UsccOrId => CodeCheck::UsccOrId,
            _ => CodeCheck::None,
        })
        .collect();

    let mut rule_fields: Vec<usize> = Vec::new();
    let mut want = |name: &str| {
        if let Some(i) = field_index(rt, name) {
            if !rule_fields.contains(&i) {
                rule_fields.push(i);
            }
        }
    };
    if let Some(p) = &rt.severity {
        for r in &p.rules {
            want(&r.field);
        }
    }
    match &rt.publication {
        PublicationRule::BySeverity {
            deadline_field: Some(f),
            ..
        } => want(f),
        PublicationRule::UntilField { field, .. } => want(field),
        _ => {}
    }

    report.severity_column = severity_headers
        .first()
        .and_then(|c| headers.get(*c))
        .cloned();
    let subject_field = |f: &Option<String>| f.as_deref().and_then(|n| field_index(rt, n));
    let map = ColumnMap {
        type_code: rt.code.clone(),
        headers: headers.to_vec(),
        roles,
        field_cols: field_headers.iter().map(|c| c.first().copied()).collect(),
        checks,
        severity_col: severity_headers.first().copied(),
        key,
        date,
        name,
        uscc: subject_field(&rt.subject.uscc_field),
        id_no: subject_field(&rt.subject.id_number_field),
        id_type: subject_field(&rt.subject.id_type_field),
        kind: subject_field(&rt.subject.kind_field),
        business_reg_no: field_index(rt, BUSINESS_REG_NO_FIELD),
        rule_fields,
        digest_key: None,
        enum_spellings: rt.fields.iter().map(enum_spellings).collect(),
        memo: Mutex::new(Memo::new(n)),
    };
    Ok((map, report))
}

// ------------------------------------------------------------------------------------------------
// Rows
// ------------------------------------------------------------------------------------------------

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
    /// ID numbers masked.
    pub fields: Map<String, Value>,
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
    /// `invalid_severity`, `column_map_mismatch`).
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
enum CodeClass {
    /// Not a code field, empty, or invalid.
    NotCode,
    /// A valid USCC: registering department and category.
    Uscc(char, char),
    /// A personal document number (checked ID or other document): stored masked.
    Personal,
    /// The 个体工商户 placeholder `00000000000000000X`.
    Placeholder,
}

fn is_blank(cell: &str) -> bool {
    cell.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'
            )
    })
}

fn kind_from_uscc(dept: char, category: char) -> Option<SubjectKind> {
    match (dept, category) {
        ('1', '1') => Some(SubjectKind::GovBody),
        ('1', '2') | ('A', '1') => Some(SubjectKind::Institution),
        ('5', _) => Some(SubjectKind::SocialOrg),
        ('9', _) => Some(SubjectKind::Enterprise),
        _ => None,
    }
}

/// The person kind a type allows: 自然人 unless only 公务员/工作人员 are allowed.
fn person_kind(rt: &RecordType) -> SubjectKind {
    if !rt.subject_kinds.contains(&SubjectKind::Individual)
        && rt.subject_kinds.contains(&SubjectKind::CivilServant)
    {
        SubjectKind::CivilServant
    } else {
        SubjectKind::Individual
    }
}

/// Longest field name hashed through the stack buffer (longer ones go part by part).
const MAX_HASHED_NAME: usize = 64;

/// Incremental digest of a row's content.
enum RowHasher {
    Plain(Sha256),
    Keyed(Hmac<Sha256>),
}

impl RowHasher {
    fn raw(&mut self, bytes: &[u8]) {
        match self {
            Self::Plain(h) => Digest::update(h, bytes),
            Self::Keyed(m) => Mac::update(m, bytes),
        }
    }

    /// Length-prefixed, so that no two sequences of parts hash alike.
    fn part(&mut self, bytes: &[u8]) {
        self.raw(&(bytes.len() as u64).to_le_bytes());
        self.raw(bytes);
    }

    fn date(&mut self, d: NaiveDate) {
        self.raw(&d.num_days_from_ce().to_le_bytes());
    }

    fn finish(self) -> String {
        let bytes: [u8; 32] = match self {
            Self::Plain(h) => h.finalize().into(),
            Self::Keyed(m) => m.finalize().into_bytes().into(),
        };
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for b in bytes {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        out
    }
}

/// `YYYY-MM-DD` without going through chrono's formatter.
fn iso_date(d: NaiveDate) -> String {
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

fn required_issue(rt: &RecordType, map: &ColumnMap, field: usize) -> RowIssue {
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

/// Validates one row against `rt`, with the [`ColumnMap`] of its file.
///
/// `today` bounds decision dates and ID-number birth dates. Cells beyond the mapped columns
/// are ignored; a row whose cells are all blank (report columns aside) gives the single issue
/// `empty_row`. Otherwise every problem of the row is returned.
pub fn validate_row(
    rt: &RecordType,
    map: &ColumnMap,
    row: u64,
    cells: &[String],
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<ValidRow, Vec<RowIssue>> {
    let n = rt.fields.len();
    if map.type_code != rt.code || map.field_cols.len() != n {
        return Err(vec![RowIssue {
            column: None,
            code: "column_map_mismatch",
            message: format!(
                "列映射是为信息类型“{}”建立的，不能用于校验“{}”",
                map.type_code, rt.code
            ),
        }]);
    }
    let is_empty = cells
        .iter()
        .enumerate()
        .all(|(i, c)| map.roles.get(i) == Some(&Role::Report) || is_blank(c));
    if is_empty {
        return Err(vec![RowIssue {
            column: None,
            code: "empty_row",
            message: "空行：该行没有任何数据".into(),
        }]);
    }

    let mut issues: Vec<RowIssue> = Vec::new();
    let mut warnings: Vec<RowIssue> = Vec::new();
    let mut memo_guard = map.memo.try_lock().ok();
    let mut memo = memo_guard.as_deref_mut();
    if let Some(m) = memo.as_deref_mut() {
        m.bind(regions);
    }
    let (region_memo, mut last_uscc) = match memo {
        Some(m) => (Some(&m.regions), Some(&mut m.last_uscc)),
        None => (None, None),
    };
    let regions = MemoRegions {
        inner: regions,
        memo: region_memo,
    };
    let regions: &dyn RegionLookup = &regions;

    // 1. Every field through the catalog's parser. `None` = rejected (already reported).
    let mut values: Vec<Option<FieldValue>> = Vec::with_capacity(n);
    for (i, f) in rt.fields.iter().enumerate() {
        match map.parse_cell(f, i, map.cell(cells, i)) {
            Ok(v) => values.push(Some(v)),
            Err(e) => {
                issues.push(RowIssue {
                    column: map.issue_column(rt, i),
                    code: e.code(),
                    message: e.to_string(),
                });
                values.push(None);
            }
        }
    }
    let value = |i: usize| values.get(i).and_then(Option::as_ref);
    let enum_code = |i: Option<usize>| match i.and_then(value) {
        Some(FieldValue::Enum(c)) => Some(c.as_str()),
        _ => None,
    };
    let subject_category = enum_code(map.kind);

    // 2. Identifier codes.
    let mut classes = vec![CodeClass::NotCode; n];
    for (i, f) in rt.fields.iter().enumerate() {
        let Some(FieldValue::Code(code)) = value(i) else {
            continue;
        };
        let check = map.checks.get(i).copied().unwrap_or(CodeCheck::None);
        match check {
            CodeCheck::None => {}
            CodeCheck::Uscc => {
                if Some(i) == map.uscc
                    && code == INDIVIDUAL_BUSINESS_USCC_PLACEHOLDER
                    && subject_category == Some(KIND_INDIVIDUAL_BUSINESS)
                {
                    classes[i] = CodeClass::Placeholder;
                    continue;
                }
                let slot = last_uscc.as_deref_mut().and_then(|l| l.get_mut(i));
                let verdict = match slot {
                    Some(Some((last, verdict))) if last == code => verdict.clone(),
                    slot => {
                        let verdict = uscc::parse(code, regions)
                            .map(|u| (u.registering_dept, u.category, u.warnings));
                        if let Some(slot) = slot {
                            *slot = Some((code.clone(), verdict.clone()));
                        }
                        verdict
                    }
                };
                match verdict {
                    Ok((dept, category, uscc_warnings)) => {
                        classes[i] = CodeClass::Uscc(dept, category);
                        for w in &uscc_warnings {
                            warnings.push(RowIssue {
                                column: map.issue_column(rt, i),
                                code: w.code(),
                                message: format!("“{}”{w}", f.title),
                            });
                        }
                    }
                    Err(e) => issues.push(RowIssue {
                        column: map.issue_column(rt, i),
                        code: e.code(),
                        message: format!("“{}”不是有效的统一社会信用代码：{e}", f.title),
                    }),
                }
            }
            CodeCheck::IdNumber { id_type } => {
                let resident_card = match id_type.map(value) {
                    // The qualifier was rejected: its own issue is reported; still check
                    // the number as an ID card, the most common case.
                    Some(None) | None => true,
                    Some(Some(FieldValue::Enum(t))) => t == ID_TYPE_RESIDENT_CARD,
                    Some(Some(_)) => true,
                };
                if !resident_card {
                    classes[i] = CodeClass::Personal;
                    continue;
                }
                match id_number::parse(code, regions, today) {
                    Ok(_) => classes[i] = CodeClass::Personal,
                    Err(e) => issues.push(RowIssue {
                        column: map.issue_column(rt, i),
                        code: e.code(),
                        message: format!("“{}”不是有效的居民身份证号码：{e}", f.title),
                    }),
                }
            }
            CodeCheck::UsccOrId => {
                let report = codes::classify(code, regions, today);
                if report.valid {
                    classes[i] = match (report.kind, &report.details) {
                        (CodeKind::Uscc, CodeDetails::Uscc(p)) => CodeClass::Uscc(
                            p.registering_dept.unwrap_or('?'),
                            p.category.unwrap_or('?'),
                        ),
                        _ => CodeClass::Personal,
                    };
                } else {
                    let what = match report.kind {
                        CodeKind::Uscc => "统一社会信用代码",
                        CodeKind::IdNumber => "居民身份证号码",
                        CodeKind::Unknown => "统一社会信用代码或居民身份证号码",
                    };
                    issues.push(RowIssue {
                        column: map.issue_column(rt, i),
                        code: "invalid_uscc_or_id",
                        message: format!(
                            "“{}”不是有效的{what}：{}",
                            f.title,
                            report.reason.as_deref().unwrap_or("格式不正确")
                        ),
                    });
                }
            }
        }
    }

    // 3. Document number and decision date.
    let doc_no = match value(map.key) {
        Some(FieldValue::Text(s)) => Some(s.clone()),
        Some(_) => {
            issues.push(required_issue(rt, map, map.key));
            None
        }
        None => None,
    };
    let decision_date = match value(map.date) {
        Some(FieldValue::Date(d)) => {
            let title = rt.fields.get(map.date).map_or("", |f| f.title.as_str());
            if *d > today {
                issues.push(RowIssue {
                    column: map.issue_column(rt, map.date),
                    code: "decision_date_in_future",
                    message: format!("“{title}”{}晚于今天（{}）", iso_date(*d), iso_date(today)),
                });
                None
            } else if *d < EARLIEST_DECISION_DATE {
                issues.push(RowIssue {
                    column: map.issue_column(rt, map.date),
                    code: "decision_date_too_early",
                    message: format!("“{title}”{}早于1949年10月1日", iso_date(*d)),
                });
                None
            } else {
                Some(*d)
            }
        }
        Some(_) => {
            issues.push(required_issue(rt, map, map.date));
            None
        }
        None => None,
    };

    // 4. The subject.
    let name = match value(map.name) {
        Some(FieldValue::Text(s)) => Some(s.clone()),
        Some(_) => {
            issues.push(required_issue(rt, map, map.name));
            None
        }
        None => None,
    };
    let class_of = |i: Option<usize>| i.map_or(CodeClass::NotCode, |i| classes[i]);
    let is_empty_field = |i: Option<usize>| i.and_then(value).is_some_and(FieldValue::is_empty);
    let code_of = |i: Option<usize>| match i.and_then(value) {
        Some(FieldValue::Code(c)) => Some(c.clone()),
        _ => None,
    };
    let uscc_class = class_of(map.uscc);
    let found_uscc = match uscc_class {
        CodeClass::Uscc(d, c) => code_of(map.uscc).map(|code| (code, d, c)),
        _ => None,
    };
    let found_id = match class_of(map.id_no) {
        CodeClass::Personal => code_of(map.id_no),
        _ => None,
    };
    let id_type_code = enum_code(map.id_type).map(str::to_string);

    let mut subject_uscc = None;
    let mut subject_id = None;
    let kind_hint = match subject_category {
        Some(KIND_LEGAL_PERSON) => {
            if is_empty_field(map.uscc) || map.uscc.is_none() {
                issues.push(RowIssue {
                    column: map.uscc.and_then(|i| map.issue_column(rt, i)),
                    code: "uscc_required",
                    message: "行政相对人类别为“法人及非法人组织”时，统一社会信用代码为必填项"
                        .into(),
                });
            }
            found_uscc.and_then(|(code, d, c)| {
                subject_uscc = Some(code);
                kind_from_uscc(d, c)
            })
        }
        Some(KIND_INDIVIDUAL_BUSINESS) => {
            let no_uscc = is_empty_field(map.uscc)
                || map.uscc.is_none()
                || uscc_class == CodeClass::Placeholder;
            let has_reg_no = map
                .business_reg_no
                .and_then(value)
                .is_some_and(|v| !v.is_empty());
            if no_uscc && !has_reg_no {
                let column = map.uscc.and_then(|i| map.issue_column(rt, i));
                let (code, message) = if map.business_reg_no.is_some() {
                    (
                        "uscc_or_business_reg_no_required",
                        "行政相对人类别为“个体工商户”时，统一社会信用代码为必填项；\
                         暂无统一社会信用代码的，须填写工商注册号（代码_2）",
                    )
                } else {
                    (
                        "uscc_required",
                        "行政相对人类别为“个体工商户”时，统一社会信用代码为必填项",
                    )
                };
                issues.push(RowIssue {
                    column,
                    code,
                    message: message.into(),
                });
            }
            if let Some((code, _, _)) = found_uscc {
                subject_uscc = Some(code);
            }
            Some(SubjectKind::Enterprise)
        }
        Some(KIND_NATURAL_PERSON) => {
            if let Some(t) = map.id_type {
                if is_empty_field(Some(t)) {
                    issues.push(RowIssue {
                        column: map.issue_column(rt, t),
                        code: "id_type_required",
                        message: "行政相对人类别为“自然人”时，证件类型为必填项".into(),
                    });
                }
            }
            if is_empty_field(map.id_no) || map.id_no.is_none() {
                issues.push(RowIssue {
                    column: map.id_no.and_then(|i| map.issue_column(rt, i)),
                    code: "id_number_required",
                    message: "行政相对人类别为“自然人”时，证件号码为必填项".into(),
                });
            }
            subject_id = found_id;
            Some(person_kind(rt))
        }
        _ => {
            // No category column (or a catalog with other category codes): infer.
            let from_uscc = found_uscc.and_then(|(code, d, c)| {
                subject_uscc = Some(code);
                kind_from_uscc(d, c)
            });
            let had_id = found_id.is_some();
            subject_id = found_id;
            let only_kind = match rt.subject_kinds.as_slice() {
                [only] => Some(*only),
                _ => None,
            };
            if from_uscc.is_some() {
                from_uscc
            } else if had_id && subject_uscc.is_none() {
                Some(person_kind(rt))
            } else {
                only_kind
            }
        }
    };
    if let Some(k) = kind_hint {
        if !rt.subject_kinds.contains(&k) {
            let allowed: Vec<&str> = rt.subject_kinds.iter().map(|k| k.label()).collect();
            issues.push(RowIssue {
                column: map.kind.and_then(|i| map.issue_column(rt, i)),
                code: "subject_kind_not_allowed",
                message: format!(
                    "信用主体类别“{}”不是“{}”适用的主体类别（{}）",
                    k.label(),
                    rt.name,
                    allowed.join("、")
                ),
            });
        }
    }
    let subject_id_type = subject_id.as_ref().and(id_type_code);

    // 5. Severity cell.
    let mut explicit_severity = None;
    if let Some(c) = map.severity_col {
        let raw = cells.get(c).map_or("", |s| unneutralise(s));
        if !is_blank(raw) {
            match Severity::parse(raw) {
                Some(s) => explicit_severity = Some(s),
                None => issues.push(RowIssue {
                    column: map.headers.get(c).cloned(),
                    code: "invalid_severity",
                    message: format!(
                        "“{}”的值“{}”不在允许范围内，可选：轻微、一般、较重、严重",
                        map.headers.get(c).map_or("", String::as_str),
                        raw.trim()
                    ),
                }),
            }
        }
    }

    let (Some(doc_no), Some(decision_date), Some(name), true) =
        (doc_no, decision_date, name, issues.is_empty())
    else {
        return Err(issues);
    };

    // 6. Severity and publication, from the fields the rules read.
    let mut rule_values = FieldValues::new();
    for &i in &map.rule_fields {
        if let (Some(f), Some(v)) = (rt.fields.get(i), value(i)) {
            rule_values.insert(f.name.clone(), v.clone());
        }
    }
    let severity = rt.row_severity(explicit_severity, &rule_values);
    let publication = rt
        .publication
        .publish_until(decision_date, severity, &rule_values);

    // 7. Digest, in catalog order.
    let mut h = match &map.digest_key {
        Some(mac) => RowHasher::Keyed(mac.clone()),
        None => RowHasher::Plain(Sha256::new()),
    };
    h.part(b"chengxin-intake-v1");
    h.part(rt.code.as_bytes());
    for (f, v) in rt.fields.iter().zip(&values) {
        let Some(v) = v else { continue };
        let tag: u8 = match v {
            FieldValue::Empty => continue,
            FieldValue::Text(_) => b't',
            FieldValue::Date(_) => b'd',
            FieldValue::Decimal(_) => b'n',
            FieldValue::Integer(_) => b'i',
            FieldValue::Enum(_) => b'e',
            FieldValue::Code(_) => b'c',
        };
        // One update for the field's header (name, tag, fixed-size value or the length of
        // the variable one), one for a variable value: same bytes as separate parts.
        let var: Option<&[u8]> = match v {
            FieldValue::Text(s)
            | FieldValue::Decimal(s)
            | FieldValue::Enum(s)
            | FieldValue::Code(s) => Some(s.as_bytes()),
            _ => None,
        };
        let mut head = [0u8; 8 + MAX_HASHED_NAME + 1 + 8];
        let name = f.name.as_bytes();
        if name.len() > MAX_HASHED_NAME {
            h.part(name);
            h.raw(&[tag]);
            match (v, var) {
                (_, Some(bytes)) => h.part(bytes),
                (FieldValue::Date(d), None) => h.date(*d),
                (FieldValue::Integer(x), None) => h.raw(&x.to_le_bytes()),
                _ => {}
            }
            continue;
        }
        let mut len = 0;
        let mut put = |bytes: &[u8]| {
            head[len..len + bytes.len()].copy_from_slice(bytes);
            len += bytes.len();
        };
        put(&(name.len() as u64).to_le_bytes());
        put(name);
        put(&[tag]);
        match (v, var) {
            (_, Some(bytes)) => put(&(bytes.len() as u64).to_le_bytes()),
            (FieldValue::Date(d), None) => put(&d.num_days_from_ce().to_le_bytes()),
            (FieldValue::Integer(x), None) => put(&x.to_le_bytes()),
            _ => {}
        }
        h.raw(&head[..len]);
        if let Some(bytes) = var {
            h.raw(bytes);
        }
    }
    h.raw(b"D");
    h.date(decision_date);
    h.raw(b"S");
    h.part(severity.map_or("", Severity::code).as_bytes());
    let content_digest = h.finish();

    // 8. Fields as JSON, moving the strings; personal numbers masked.
    let mut fields = Map::new();
    for ((f, v), class) in rt.fields.iter().zip(values).zip(classes) {
        let json = match v {
            None | Some(FieldValue::Empty) => continue,
            Some(FieldValue::Text(s) | FieldValue::Decimal(s) | FieldValue::Enum(s)) => {
                Value::String(s)
            }
            Some(FieldValue::Date(d)) => Value::String(iso_date(d)),
            Some(FieldValue::Integer(x)) => Value::from(x),
            Some(FieldValue::Code(s)) => {
                let personal =
                    matches!(f.kind, FieldType::IdNumber) || class == CodeClass::Personal;
                Value::String(if personal { id_number::mask(&s) } else { s })
            }
        };
        fields.insert(f.name.clone(), json);
    }

    Ok(ValidRow {
        row,
        doc_no,
        decision_date,
        subject: SubjectRef {
            name,
            uscc: subject_uscc,
            id_number: subject_id,
            id_type: subject_id_type,
            kind_hint,
        },
        severity,
        publication,
        fields,
        content_digest,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Instant;

    use super::*;
    use crate::catalog::Catalog;
    use crate::codes::org_code;
    use crate::regions::RegionTable;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2025, 6, 30)
    }

    fn rt(code: &str) -> &'static RecordType {
        Catalog::default_checked().unwrap().get(code).unwrap()
    }

    fn regions() -> &'static RegionTable {
        let t = RegionTable::national();
        assert!(t.get("320402").is_some(), "national table must know 320402");
        t
    }

    /// A valid USCC: department+category, region, 8-character organisation body.
    fn make_uscc(prefix: &str, region: &str, org8: &str) -> String {
        let org = format!("{org8}{}", org_code::check_char(org8).unwrap());
        let body = format!("{prefix}{region}{org}");
        let code = format!("{body}{}", uscc::check_char(&body).unwrap());
        assert!(uscc::parse(&code, regions()).is_ok(), "{code}");
        code
    }

    /// A valid ID number.
    fn make_id(region: &str, birth: &str, seq: &str) -> String {
        let body = format!("{region}{birth}{seq}");
        let id = format!("{body}{}", id_number::check_char(&body).unwrap());
        assert!(id_number::parse(&id, regions(), today()).is_ok());
        id
    }

    fn company_uscc() -> String {
        make_uscc("91", "320402", "MA1MY3B5")
    }

    fn authority_uscc() -> String {
        make_uscc("11", "320402", "01414000")
    }

    fn person_id() -> String {
        make_id("320402", "19800101", "123")
    }

    fn titles(rt: &RecordType) -> Vec<String> {
        rt.fields.iter().map(|f| f.title.clone()).collect()
    }

    /// Cells in header order from `(field name, value)` pairs.
    fn cells_for(rt: &RecordType, headers: &[String], values: &[(&str, String)]) -> Vec<String> {
        headers
            .iter()
            .map(|h| match rt.resolve_column(h) {
                Some(f) => values
                    .iter()
                    .find(|(n, _)| *n == f.name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                None => String::new(),
            })
            .collect()
    }

    fn penalty_values() -> Vec<(&'static str, String)> {
        let auth = authority_uscc();
        vec![
            ("subject_name", "常州某某科技有限公司".into()),
            ("subject_category", "法人及非法人组织".into()),
            ("uscc", company_uscc()),
            ("legal_rep", "张三".into()),
            ("legal_rep_id_type", "身份证".into()),
            ("legal_rep_id_no", person_id()),
            ("decision_doc_no", "常天市监处罚〔2025〕12号".into()),
            ("violation_type", "虚假宣传".into()),
            (
                "violation_facts",
                "当事人在其网店发布含有虚假内容的广告，欺骗、误导消费者。".into(),
            ),
            (
                "penalty_basis",
                "《中华人民共和国广告法》第五十五条第一款".into(),
            ),
            ("penalty_category", "罚款".into()),
            ("penalty_content", "罚款人民币伍万元整".into()),
            ("fine_amount", "5".into()),
            ("decision_date", "2025-06-01".into()),
            ("penalty_valid_until", "2025-12-01".into()),
            ("publicity_deadline", "2026-06-01".into()),
            ("authority", "常州市天宁区市场监督管理局".into()),
            ("authority_uscc", auth.clone()),
            ("source_unit", "常州市天宁区市场监督管理局".into()),
            ("source_unit_uscc", auth),
        ]
    }

    fn license_values() -> Vec<(&'static str, String)> {
        let auth = authority_uscc();
        vec![
            ("subject_name", "李四".into()),
            ("subject_category", "自然人".into()),
            ("id_type", "01".into()),
            ("id_no", person_id()),
            ("decision_doc_name", "食品经营许可决定书".into()),
            ("decision_doc_no", "常天食经许〔2025〕88号".into()),
            ("license_category", "普通".into()),
            ("certificate_name", "食品经营许可证".into()),
            ("license_no", "JY13204020012345".into()),
            (
                "license_content",
                "预包装食品销售（不含冷藏冷冻食品）".into(),
            ),
            ("decision_date", "2025/5/20".into()),
            ("valid_from", "2025-05-20".into()),
            ("valid_to", "2099/12/31".into()),
            ("authority", "常州市天宁区行政审批局".into()),
            ("authority_uscc", auth.clone()),
            ("status", "有效".into()),
            ("source_unit", "常州市天宁区行政审批局".into()),
            ("source_unit_uscc", auth),
        ]
    }

    fn set(values: &mut Vec<(&'static str, String)>, name: &'static str, v: &str) {
        match values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = v.to_string(),
            None => values.push((name, v.to_string())),
        }
    }

    fn run(rt: &RecordType, values: &[(&str, String)]) -> Result<ValidRow, Vec<RowIssue>> {
        let headers = titles(rt);
        let (map, _) = map_columns(rt, &headers).unwrap();
        validate_row(
            rt,
            &map,
            2,
            &cells_for(rt, &headers, values),
            regions(),
            today(),
        )
    }

    fn issue_codes(issues: &[RowIssue]) -> Vec<&'static str> {
        issues.iter().map(|i| i.code).collect()
    }

    fn only_issue(rt: &RecordType, values: &[(&str, String)]) -> RowIssue {
        let issues = run(rt, values).unwrap_err();
        assert_eq!(issues.len(), 1, "{issues:#?}");
        issues.into_iter().next().unwrap()
    }

    // ---------------------------------------------------------------------------------------
    // Mapping
    // ---------------------------------------------------------------------------------------

    #[test]
    fn mapping_shuffled_english_names_and_bracket_variants() {
        let rt = rt("admin_penalty");
        let mut headers = titles(rt);
        headers.reverse();
        headers.swap(3, 17);
        for h in headers.iter_mut() {
            if h == "罚款金额（万元）" {
                *h = "罚款金额(万元)".into();
            } else if h == "处罚机关" {
                *h = "authority".into();
            } else if h == "处罚决定日期" {
                *h = "\u{FEFF}处罚决定日期 ".into();
            } else if h == "行政相对人代码_1(统一社会信用代码)" {
                *h = "行政相对人代码＿1（统一社会信用代码）".into();
            }
        }
        let (map, report) = map_columns(rt, &headers).unwrap();
        assert!(report.unknown_columns.is_empty());
        assert_eq!(report.mapped.len(), rt.fields.len());
        assert!(report
            .mapped
            .contains(&("罚款金额(万元)".to_string(), "fine_amount".to_string())));
        assert_eq!(map.column_of(rt, "authority"), Some("authority"));
        assert_eq!(map.column_of(rt, "fine_amount"), Some("罚款金额(万元)"));

        // The same content validates identically whatever the order and spelling of columns.
        let values = penalty_values();
        let shuffled = validate_row(
            rt,
            &map,
            7,
            &cells_for(rt, &headers, &values),
            regions(),
            today(),
        )
        .unwrap();
        let canonical = run(rt, &values).unwrap();
        assert_eq!(shuffled.content_digest, canonical.content_digest);
        assert_eq!(shuffled.fields, canonical.fields);
        assert_eq!(shuffled.row, 7);
    }

    #[test]
    fn missing_required_columns_are_all_listed() {
        let rt = rt("admin_penalty");
        let headers: Vec<String> = titles(rt)
            .into_iter()
            .filter(|t| {
                !["行政处罚决定书文号", "处罚决定日期", "数据来源单位"].contains(&t.as_str())
            })
            .collect();
        let err = map_columns(rt, &headers).unwrap_err();
        assert_eq!(err.code(), "missing_required_columns");
        assert_eq!(
            err,
            MappingError::MissingRequiredColumns {
                titles: vec![
                    "行政处罚决定书文号".into(),
                    "处罚决定日期".into(),
                    "数据来源单位".into()
                ]
            }
        );
        let msg = err.to_string();
        assert!(
            msg.contains("“行政处罚决定书文号”、“处罚决定日期”、“数据来源单位”"),
            "{msg}"
        );

        // Optional columns may be missing.
        let headers: Vec<String> = titles(rt)
            .into_iter()
            .filter(|t| t != "备注" && t != "罚款金额（万元）")
            .collect();
        assert!(map_columns(rt, &headers).is_ok());
        // No header at all: every required column is missing.
        let err = map_columns(rt, &[]).unwrap_err();
        let MappingError::MissingRequiredColumns { titles: missing } = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            missing.len(),
            rt.fields.iter().filter(|f| f.required).count()
        );
    }

    #[test]
    fn duplicate_field_columns_are_refused() {
        let rt = rt("admin_penalty");
        let mut headers = titles(rt);
        headers.push("fine_amount".into());
        headers.push("罚款金额(万元)".into());
        headers.push("失信程度".into());
        headers.push("失信严重程度".into());
        let err = map_columns(rt, &headers).unwrap_err();
        assert_eq!(err.code(), "duplicate_field_columns");
        let MappingError::DuplicateFieldColumns { duplicates } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(duplicates.len(), 2);
        assert_eq!(duplicates[0].field, "fine_amount");
        assert_eq!(
            duplicates[0].headers,
            vec!["罚款金额（万元）", "fine_amount", "罚款金额(万元)"]
        );
        assert_eq!(duplicates[1].field, "severity");
        assert!(err.to_string().contains("“罚款金额（万元）”对应"));
    }

    #[test]
    fn legacy_columns_reject_the_file_with_reasons() {
        let rt = rt("admin_penalty");
        let mut headers = titles(rt);
        headers.push("处罚名称".into());
        headers.push("地方编码".into());
        headers.push("fine_amount".into()); // also a duplicate: legacy wins
        let err = map_columns(rt, &headers).unwrap_err();
        assert_eq!(err.code(), "legacy_columns");
        let MappingError::LegacyColumns { columns } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[0].header, "处罚名称");
        assert_eq!(columns[0].reason, rt.legacy_column("处罚名称").unwrap());
        let msg = err.to_string();
        assert!(msg.contains("旧标准") && msg.contains("地方编码") && msg.contains("违法事实"));
    }

    #[test]
    fn unknown_columns_reported_and_report_columns_ignored() {
        let rt = rt("admin_penalty");
        let mut headers = titles(rt);
        headers.insert(0, "序号".into());
        headers.push("".into());
        headers.push("错误原因".into());
        headers.push(" 原行号 ".into());
        headers.push("严重程度".into());
        let (map, report) = map_columns(rt, &headers).unwrap();
        let blank = format!("第{}列（空列名）", rt.fields.len() + 2);
        assert_eq!(report.unknown_columns, vec!["序号".to_string(), blank]);
        assert_eq!(report.ignored_report_columns, vec!["错误原因", " 原行号 "]);
        assert_eq!(report.severity_column.as_deref(), Some("严重程度"));
        assert_eq!(map.severity_column(), Some("严重程度"));

        // A resubmitted report row: the extra columns are ignored, the data validates.
        let mut values = penalty_values();
        set(&mut values, "penalty_category", "警告");
        let mut cells = cells_for(rt, &headers, &values);
        let n = cells.len();
        cells[0] = "1".into();
        cells[n - 3] = "“处罚决定日期”不是有效的日期".into();
        cells[n - 2] = "12".into();
        cells[n - 1] = "严重".into();
        let row = validate_row(rt, &map, 3, &cells, regions(), today()).unwrap();
        assert_eq!(row.severity, Some(Severity::Severe));
        assert!(!row.fields.contains_key("错误原因"));

        // Only report columns filled in: still an empty row.
        let mut cells = vec![String::new(); n];
        cells[n - 3] = "空行".into();
        cells[n - 2] = "9".into();
        let issues = validate_row(rt, &map, 9, &cells, regions(), today()).unwrap_err();
        assert_eq!(issue_codes(&issues), vec!["empty_row"]);
    }

    // ---------------------------------------------------------------------------------------
    // Good rows
    // ---------------------------------------------------------------------------------------

    #[test]
    fn good_penalty_row() {
        let rt = rt("admin_penalty");
        let row = run(rt, &penalty_values()).unwrap();
        assert_eq!(row.row, 2);
        assert_eq!(row.doc_no, "常天市监处罚〔2025〕12号");
        assert_eq!(row.decision_date, d(2025, 6, 1));
        assert_eq!(row.subject.name, "常州某某科技有限公司");
        assert_eq!(row.subject.uscc.as_deref(), Some(company_uscc().as_str()));
        assert_eq!(
            row.subject.id_number, None,
            "the legal representative is not the subject"
        );
        assert_eq!(row.subject.kind_hint, Some(SubjectKind::Enterprise));
        assert_eq!(row.severity, Some(Severity::General));
        assert_eq!(row.publication, PublicationEnd::Until(d(2026, 6, 1)));
        assert!(row.warnings.is_empty());
        let f = &row.fields;
        assert_eq!(f["subject_category"], "legal_person");
        assert_eq!(f["fine_amount"], "5");
        assert_eq!(f["decision_date"], "2025-06-01");
        assert_eq!(f["legal_rep_id_type"], "01");
        assert_eq!(f["legal_rep_id_no"], id_number::mask(&person_id()));
        assert_eq!(f["uscc"], company_uscc());
        assert!(
            !f.contains_key("remarks"),
            "empty optional fields are omitted"
        );
        assert!(!f.contains_key("confiscation_amount"));
        assert_eq!(row.content_digest.len(), 64);
        let debug = format!("{row:?}");
        assert!(!debug.contains(&person_id()));
    }

    #[test]
    fn good_license_row_of_a_natural_person() {
        let rt = rt("admin_license");
        let row = run(rt, &license_values()).unwrap();
        let id = person_id();
        assert_eq!(row.doc_no, "常天食经许〔2025〕88号");
        assert_eq!(row.decision_date, d(2025, 5, 20));
        assert_eq!(row.subject.id_number.as_deref(), Some(id.as_str()));
        assert_eq!(row.subject.id_type.as_deref(), Some("01"));
        assert_eq!(row.subject.uscc, None);
        assert_eq!(row.subject.kind_hint, Some(SubjectKind::Individual));
        assert_eq!(row.severity, None);
        assert_eq!(row.publication, PublicationEnd::Never, "2099-12-31 = 长期");
        assert_eq!(row.fields["id_no"], id_number::mask(&id));
        assert_eq!(row.fields["valid_to"], "2099-12-31");
        assert_eq!(row.fields["license_category"], "01");
        assert_eq!(row.fields["status"], "valid");
        // Never in clear in Debug or JSON.
        let debug = format!("{:?} {:?}", row.subject, row);
        assert!(!debug.contains(&id), "{debug}");
        assert!(debug.contains(&id_number::mask(&id)));
        assert!(!serde_json::to_string(&row.fields).unwrap().contains(&id));

        // A licence with an end date is published until then.
        let mut values = license_values();
        set(&mut values, "valid_to", "2030-05-19");
        let row = run(rt, &values).unwrap();
        assert_eq!(row.publication, PublicationEnd::Until(d(2030, 5, 19)));
    }

    #[test]
    fn formula_protected_cells_are_unneutralised() {
        let rt = rt("admin_penalty");
        let mut values = penalty_values();
        set(&mut values, "remarks", "'=SUM(A1)");
        set(&mut values, "violation_type", "'-虚假宣传");
        let row = run(rt, &values).unwrap();
        assert_eq!(row.fields["remarks"], "=SUM(A1)");
        assert_eq!(row.fields["violation_type"], "-虚假宣传");
    }

    #[test]
    fn passport_holder_is_accepted_as_free_text_and_masked() {
        let rt = rt("admin_license");
        let mut values = license_values();
        set(&mut values, "id_type", "护照");
        set(&mut values, "id_no", "e12345678");
        let row = run(rt, &values).unwrap();
        assert_eq!(row.subject.id_number.as_deref(), Some("E12345678"));
        assert_eq!(row.subject.id_type.as_deref(), Some("02"));
        assert_eq!(row.fields["id_no"], "*********");
        assert!(!format!("{row:?}").contains("E12345678"));
    }

    #[test]
    fn individual_business_and_inferred_kinds() {
        let rt = rt("admin_penalty");
        // 个体工商户 with a USCC.
        let mut values = penalty_values();
        set(&mut values, "subject_category", "个体工商户");
        set(&mut values, "uscc", &make_uscc("92", "320402", "L0000001"));
        let row = run(rt, &values).unwrap();
        assert_eq!(row.subject.kind_hint, Some(SubjectKind::Enterprise));
        assert!(row.subject.uscc.is_some());

        // Placeholder plus 工商注册号.
        set(&mut values, "uscc", INDIVIDUAL_BUSINESS_USCC_PLACEHOLDER);
        set(&mut values, "business_reg_no", "320402600123456");
        let row = run(rt, &values).unwrap();
        assert_eq!(row.subject.uscc, None);
        assert_eq!(row.fields["uscc"], INDIVIDUAL_BUSINESS_USCC_PLACEHOLDER);

        // Placeholder without 工商注册号.
        set(&mut values, "business_reg_no", "");
        let issue = only_issue(rt, &values);
        assert_eq!(issue.code, "uscc_or_business_reg_no_required");
        // The placeholder is no USCC for an organisation.
        set(&mut values, "subject_category", "法人");
        assert_eq!(only_issue(rt, &values).code, "uscc_bad_check_char");

        // Legal persons by USCC category.
        for (prefix, kind) in [
            ("11", SubjectKind::GovBody),
            ("12", SubjectKind::Institution),
            ("51", SubjectKind::SocialOrg),
            ("52", SubjectKind::SocialOrg),
            ("93", SubjectKind::Enterprise),
        ] {
            let mut values = penalty_values();
            set(
                &mut values,
                "uscc",
                &make_uscc(prefix, "320402", "12345678"),
            );
            assert_eq!(run(rt, &values).unwrap().subject.kind_hint, Some(kind));
        }
    }

    #[test]
    fn types_without_a_category_column_infer_the_kind() {
        let rt = rt("refusal_to_execute");
        let base = |code: (&'static str, String)| {
            vec![
                ("subject_name", "某某区人民政府".to_string()),
                code,
                ("court", "常州市天宁区人民法院".into()),
                ("enforcement_case_no", "（2024）苏0402执123号".into()),
                ("basis_doc_no", "（2023）苏0402民初45号".into()),
                ("obligation", "支付工程款".into()),
                ("performance", "全部未履行".into()),
                ("filing_date", "2024-01-10".into()),
                ("finding_date", "2025-03-01".into()),
            ]
        };
        let row = run(rt, &base(("subject_uscc", authority_uscc()))).unwrap();
        assert_eq!(row.subject.kind_hint, Some(SubjectKind::GovBody));
        assert_eq!(row.severity, Some(Severity::Severe));
        assert_eq!(row.publication, PublicationEnd::Never);

        // A person: only civil servants are allowed by this type.
        let row = run(rt, &base(("subject_id_no", person_id()))).unwrap();
        assert_eq!(row.subject.kind_hint, Some(SubjectKind::CivilServant));
        assert_eq!(row.subject.id_number, Some(person_id()));

        // An enterprise is not a subject of this type.
        let issue = only_issue(rt, &base(("subject_uscc", company_uscc())));
        assert_eq!(issue.code, "subject_kind_not_allowed");
        assert!(issue.message.contains("企业"), "{}", issue.message);
    }

    #[test]
    fn uscc_or_id_fields() {
        let rt = rt("dishonest_judgment_debtor");
        let base = |code: &str| {
            vec![
                ("subject_name", "王五".to_string()),
                ("subject_code", code.to_string()),
                ("court", "常州市天宁区人民法院".into()),
                ("basis_doc_no", "（2023）苏0402民初45号".into()),
                ("obligation", "支付货款".into()),
                ("performance", "部分未履行".into()),
                (
                    "dishonest_conduct",
                    "有履行能力而拒不履行生效法律文书确定义务".into(),
                ),
                ("filing_date", "2024-01-10".into()),
                ("case_no", "（2024）苏0402执99号".into()),
                ("publish_date", "2025-03-01".into()),
            ]
        };
        let id = person_id();
        let row = run(rt, &base(&id)).unwrap();
        assert_eq!(row.subject.id_number.as_deref(), Some(id.as_str()));
        assert_eq!(row.subject.uscc, None);
        assert_eq!(row.subject.kind_hint, Some(SubjectKind::Individual));
        assert_eq!(row.fields["subject_code"], id_number::mask(&id));

        let u = company_uscc();
        let row = run(rt, &base(&u)).unwrap();
        assert_eq!(row.subject.uscc.as_deref(), Some(u.as_str()));
        assert_eq!(row.subject.id_number, None);
        assert_eq!(row.subject.kind_hint, Some(SubjectKind::Enterprise));
        assert_eq!(row.fields["subject_code"], u);

        // A bad ID number: reason without the number.
        let mut bad = id.clone();
        bad.replace_range(17.., if id.ends_with('1') { "2" } else { "1" });
        let issue = only_issue(rt, &base(&bad));
        assert_eq!(issue.code, "invalid_uscc_or_id");
        assert!(issue.message.contains("校验码"), "{}", issue.message);
        assert!(!issue.message.contains(&bad));
        assert_eq!(only_issue(rt, &base("12345")).code, "invalid_uscc_or_id");
    }

    // ---------------------------------------------------------------------------------------
    // Issues
    // ---------------------------------------------------------------------------------------

    #[test]
    fn every_issue_kind() {
        let p = rt("admin_penalty");
        let l = rt("admin_license");
        let case = |rt: &RecordType, base: fn() -> Vec<(&'static str, String)>, name, v: &str| {
            let mut values = base();
            set(&mut values, name, v);
            only_issue(rt, &values)
        };
        let pv = penalty_values;
        let lv = license_values;

        let i = case(p, pv, "decision_doc_no", "  ");
        assert_eq!(
            (i.code, i.column.as_deref()),
            ("required", Some("行政处罚决定书文号"))
        );
        let i = case(p, pv, "subject_name", "");
        assert_eq!(i.code, "required");
        assert_eq!(
            case(p, pv, "decision_date", "2025-07-01").code,
            "decision_date_in_future"
        );
        let i = case(p, pv, "decision_date", "1949-09-30");
        assert_eq!(i.code, "decision_date_too_early");
        assert!(i.message.contains("1949年10月1日"));
        assert_eq!(
            case(p, pv, "decision_date", "2025-02-30").code,
            "impossible_date"
        );
        assert_eq!(
            case(p, pv, "decision_date", "六月一日").code,
            "invalid_date"
        );
        assert_eq!(case(p, pv, "fine_amount", "五万").code, "invalid_decimal");
        assert_eq!(case(p, pv, "fine_amount", "-5").code, "negative_number");
        assert_eq!(case(p, pv, "fine_amount", "'-5").code, "negative_number");
        assert_eq!(case(p, pv, "subject_category", "公司").code, "invalid_enum");
        assert_eq!(case(p, pv, "remarks", &"长".repeat(513)).code, "too_long");

        let mut u = company_uscc();
        let last = u.pop().unwrap();
        u.push(if last == '1' { '2' } else { '1' });
        let i = case(p, pv, "uscc", &u);
        assert_eq!(i.code, "uscc_bad_check_char");
        assert_eq!(
            i.column.as_deref(),
            Some("行政相对人代码_1(统一社会信用代码)")
        );
        assert!(
            i.message.starts_with(
                "“行政相对人代码_1(统一社会信用代码)”不是有效的统一社会信用代码：第18位校验码"
            ),
            "{}",
            i.message
        );
        assert_eq!(
            case(p, pv, "authority_uscc", "91320402MA1MY3B5").code,
            "uscc_bad_length"
        );
        let bad_region = make_uscc_any_region("91", "999999", "12345678");
        assert_eq!(
            case(p, pv, "authority_uscc", &bad_region).code,
            "uscc_unknown_region"
        );

        let mut id = person_id();
        let last = id.pop().unwrap();
        id.push(if last == '1' { '2' } else { '1' });
        let i = case(l, lv, "id_no", &id);
        assert_eq!(i.code, "id_bad_check_char");
        assert_eq!(i.column.as_deref(), Some("证件号码"));
        assert!(!i.message.contains(&id) && !i.message.contains(&id[..17]));
        let i = case(p, pv, "legal_rep_id_no", &id);
        assert_eq!(
            (i.code, i.column.as_deref()),
            ("id_bad_check_char", Some("法定代表人证件号码"))
        );
        // The legal representative's passport is not checked as an ID card.
        let mut values = pv();
        set(&mut values, "legal_rep_id_type", "02");
        set(&mut values, "legal_rep_id_no", "G1234567");
        assert_eq!(
            run(p, &values).unwrap().fields["legal_rep_id_no"],
            "********"
        );
        let future_birth = make_id_unchecked("320402", "20250701", "123");
        assert_eq!(
            case(l, lv, "id_no", &future_birth).code,
            "id_birth_date_in_future"
        );
        assert_eq!(
            case(l, lv, "id_no", "320402800101123").code,
            "id_legacy_15_digit"
        );

        assert_eq!(case(p, pv, "uscc", "").code, "uscc_required");
        let i = case(l, lv, "id_no", "");
        assert_eq!(
            (i.code, i.column.as_deref()),
            ("id_number_required", Some("证件号码"))
        );
        assert_eq!(case(l, lv, "id_type", "").code, "id_type_required");

        // Severity column.
        let headers: Vec<String> = titles(p)
            .into_iter()
            .chain(["失信严重程度".to_string()])
            .collect();
        let (map, _) = map_columns(p, &headers).unwrap();
        let mut cells = cells_for(p, &headers, &pv());
        *cells.last_mut().unwrap() = "很严重".into();
        let issues = validate_row(p, &map, 5, &cells, regions(), today()).unwrap_err();
        assert_eq!(issue_codes(&issues), vec!["invalid_severity"]);
        assert_eq!(issues[0].column.as_deref(), Some("失信严重程度"));
        *cells.last_mut().unwrap() = "严重失信".into();
        let row = validate_row(p, &map, 5, &cells, regions(), today()).unwrap();
        assert_eq!(row.severity, Some(Severity::Severe));
        // 严重: at least 12 months, so the row's 公示截止期 2026-06-01 stands.
        assert_eq!(row.publication, PublicationEnd::Until(d(2026, 6, 1)));
        *cells.last_mut().unwrap() = "轻微".into();
        let row = validate_row(p, &map, 5, &cells, regions(), today()).unwrap();
        assert_eq!(row.publication, PublicationEnd::NotPublished);

        // Empty row, whatever the whitespace.
        let blank = vec![
            " ".to_string(),
            "\u{3000}".into(),
            "\u{FEFF}".into(),
            String::new(),
        ];
        let issues = validate_row(p, &map, 6, &blank, regions(), today()).unwrap_err();
        assert_eq!(issue_codes(&issues), vec!["empty_row"]);
        let issues = validate_row(p, &map, 6, &[], regions(), today()).unwrap_err();
        assert_eq!(issue_codes(&issues), vec!["empty_row"]);

        // A map of another type.
        let issues = validate_row(l, &map, 6, &cells, regions(), today()).unwrap_err();
        assert_eq!(issue_codes(&issues), vec!["column_map_mismatch"]);
    }

    fn make_uscc_any_region(prefix: &str, region: &str, org8: &str) -> String {
        let org = format!("{org8}{}", org_code::check_char(org8).unwrap());
        let body = format!("{prefix}{region}{org}");
        format!("{body}{}", uscc::check_char(&body).unwrap())
    }

    fn make_id_unchecked(region: &str, birth: &str, seq: &str) -> String {
        let body = format!("{region}{birth}{seq}");
        format!("{body}{}", id_number::check_char(&body).unwrap())
    }

    #[test]
    fn all_issues_of_a_row_are_reported() {
        let p = rt("admin_penalty");
        let mut values = penalty_values();
        set(&mut values, "subject_name", "");
        set(&mut values, "uscc", "");
        set(&mut values, "decision_date", "2030-01-01");
        set(&mut values, "fine_amount", "1.1234567");
        set(&mut values, "publicity_deadline", "明年");
        set(&mut values, "legal_rep_id_no", "110105194912310021");
        set(&mut values, "authority_uscc", "91320402MA1MY3B5XX");
        let issues = run(p, &values).unwrap_err();
        let mut codes = issue_codes(&issues);
        codes.sort_unstable();
        let mut expected = vec![
            "required",
            "uscc_required",
            "decision_date_in_future",
            "decimal_scale",
            "invalid_date",
            "id_bad_check_char",
            "uscc_bad_check_char",
        ];
        expected.sort_unstable();
        assert_eq!(codes, expected, "{issues:#?}");
        // Nothing in clear.
        assert!(!format!("{issues:?}").contains("110105194912310021"));
    }

    // ---------------------------------------------------------------------------------------
    // Digest
    // ---------------------------------------------------------------------------------------

    #[test]
    fn content_digest_is_canonical() {
        let p = rt("admin_penalty");
        let base = run(p, &penalty_values()).unwrap();

        // Other spellings of the same values.
        let mut values = penalty_values();
        set(&mut values, "decision_date", "2025年6月1日");
        set(&mut values, "fine_amount", "5.000");
        set(&mut values, "subject_category", "法人");
        set(&mut values, "uscc", &company_uscc().to_lowercase());
        set(&mut values, "legal_rep_id_type", "1");
        let same = run(p, &values).unwrap();
        assert_eq!(same.content_digest, base.content_digest);

        // Any change of content changes it.
        for (name, v) in [
            ("fine_amount", "5.1"),
            ("remarks", "补充说明"),
            ("decision_date", "2025-06-02"),
            ("penalty_category", "警告"),
        ] {
            let mut values = penalty_values();
            set(&mut values, name, v);
            let other = run(p, &values).unwrap();
            assert_ne!(other.content_digest, base.content_digest, "{name}");
        }

        // Two persons with the same masked number differ.
        let a = person_id();
        let b = (0..1000)
            .map(|k| {
                make_id_unchecked(
                    "320402",
                    &format!("1980{:02}{:02}", 1 + k / 28 % 12, 1 + k % 28),
                    "123",
                )
            })
            .find(|b| *b != a && id_number::mask(b) == id_number::mask(&a))
            .unwrap();
        let rt = rt("admin_license");
        let mut va = license_values();
        set(&mut va, "id_no", &a);
        let mut vb = license_values();
        set(&mut vb, "id_no", &b);
        let (ra, rb) = (run(rt, &va).unwrap(), run(rt, &vb).unwrap());
        assert_eq!(ra.fields, rb.fields, "same masked fields");
        assert_ne!(ra.content_digest, rb.content_digest);

        // Keyed digest: different from the plain one, stable for the same key.
        let headers = titles(p);
        let cells = cells_for(p, &headers, &penalty_values());
        let (map, _) = map_columns(p, &headers).unwrap();
        let keyed = map.clone().with_digest_key(&[7; 32]);
        let k1 = validate_row(p, &keyed, 1, &cells, regions(), today()).unwrap();
        let k2 = validate_row(p, &keyed, 2, &cells, regions(), today()).unwrap();
        let other_key = map.with_digest_key(&[8; 32]);
        let k3 = validate_row(p, &other_key, 1, &cells, regions(), today()).unwrap();
        assert_eq!(k1.content_digest, k2.content_digest);
        assert_ne!(k1.content_digest, base.content_digest);
        assert_ne!(k1.content_digest, k3.content_digest);
        let debug = format!("{keyed:?}");
        assert!(
            debug.contains("keyed_digest: true") && !debug.contains("7, 7"),
            "{debug}"
        );
    }

    // ---------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------

    /// The report writer's guard (crates/ingest), reproduced to test the round trip.
    fn neutralise(cell: &str) -> String {
        if cell
            .trim_start_matches('\'')
            .starts_with(is_formula_trigger)
        {
            format!("'{cell}")
        } else {
            cell.to_string()
        }
    }

    #[test]
    fn unneutralise_round_trip() {
        for s in [
            "", "plain", "=1+1", "+86", "-3", "@x", "\tx", "\rx", "'=x", "''=x", "'", "'abc",
            "a'=b", "''", "常州",
        ] {
            assert_eq!(unneutralise(&neutralise(s)), s, "{s:?}");
        }
        assert_eq!(unneutralise("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unneutralise("'-5"), "-5");
        assert_eq!(unneutralise("'abc"), "'abc");
        assert_eq!(unneutralise("'"), "'");
    }

    fn check_fast_paths(rt: &RecordType, map: &ColumnMap, raw: &str) {
        for (i, f) in rt.fields.iter().enumerate() {
            assert_eq!(
                map.parse_cell(f, i, raw),
                f.parse_value(raw),
                "{} {raw:?}",
                f.name
            );
        }
    }

    #[test]
    fn fast_paths_agree_with_parse_value_on_known_cases() {
        for code in [
            "admin_penalty",
            "admin_license",
            "dishonest_judgment_debtor",
        ] {
            let rt = rt(code);
            let (map, _) = map_columns(rt, &titles(rt)).unwrap();
            let spellings = rt.fields.iter().flat_map(|f| match &f.kind {
                FieldType::Enum { values } => values
                    .iter()
                    .flat_map(|v| {
                        [v.code.clone(), v.label.clone()]
                            .into_iter()
                            .chain(v.aliases.iter().cloned())
                    })
                    .collect(),
                _ => Vec::new(),
            });
            let fixed = [
                "",
                " ",
                "\u{3000}",
                "\u{FEFF}",
                "\u{FEFF}01",
                " 01 ",
                "1",
                "001",
                "２",
                "Ａ",
                "2025-06-01",
                " 2025-06-01 ",
                "2025-02-30",
                "2025-6-1",
                "2025/06/01",
                "2025-06-01 12:00",
                "0000-01-01",
                "9999-12-31",
                "-2025-06-01",
                "５",
                "91320402ma1my3b5xx",
                " 320402198001011234 ",
                "３２０４",
                "e1234567",
                "身份证",
                "法人 ",
                "自然人",
                "普通",
                "有效",
                "其他",
                "06",
                "6",
                "x",
                "X",
            ];
            for raw in spellings.chain(fixed.iter().map(|s| s.to_string())) {
                check_fast_paths(rt, &map, &raw);
            }
            let long = "长".repeat(5001);
            check_fast_paths(rt, &map, &long);
            check_fast_paths(rt, &map, &"a".repeat(200));
            check_fast_paths(rt, &map, &"长".repeat(200));
            check_fast_paths(rt, &map, &"长".repeat(201));
        }
    }

    proptest! {
        #[test]
        fn fast_paths_agree_with_parse_value(raw in "[ 0-9a-zA-Z\\-/.年月日法人自然身份证普通有效０-９Ａ-Ｚ\u{3000}\u{FEFF}]{0,24}") {
            for code in ["admin_penalty", "admin_license"] {
                let rt = rt(code);
                let (map, _) = map_columns(rt, &titles(rt)).unwrap();
                check_fast_paths(rt, &map, &raw);
            }
        }
    }

    #[test]
    fn memo_follows_the_region_table() {
        let p = rt("admin_penalty");
        let headers = titles(p);
        let (map, _) = map_columns(p, &headers).unwrap();
        let cells = cells_for(p, &headers, &penalty_values());
        assert!(validate_row(p, &map, 1, &cells, regions(), today()).is_ok());
        // The same map with a table that knows no region: the memo must not answer.
        let empty: HashMap<String, RegionInfo> = HashMap::new();
        let issues = validate_row(p, &map, 1, &cells, &empty, today()).unwrap_err();
        assert!(
            issues.iter().any(|i| i.code == "uscc_unknown_region"),
            "{issues:?}"
        );
        assert!(validate_row(p, &map, 1, &cells, regions(), today()).is_ok());
        // A busy memo (another thread) only costs speed.
        let _held = map.memo.lock().unwrap();
        assert!(validate_row(p, &map, 1, &cells, regions(), today()).is_ok());
    }

    #[test]
    fn column_map_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ColumnMap>();
        assert_send_sync::<ValidRow>();
    }

    #[test]
    fn iso_dates() {
        for date in [d(2025, 1, 5), d(1949, 10, 1), d(2099, 12, 31), d(5, 3, 9)] {
            assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
        }
    }

    // ---------------------------------------------------------------------------------------
    // Benchmark
    // ---------------------------------------------------------------------------------------

    /// User + system CPU time of the current thread in clock ticks (1/100 s on Linux), so the
    /// figure does not depend on what else the machine runs.
    fn thread_cpu_ticks() -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        // Fields 14 and 15 of stat(5), counted from the state (field 3) here.
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    }

    /// `cargo test --release -p chengxin-domain intake -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench_penalty_rows() {
        const ROWS: usize = 200_000;
        let p = rt("admin_penalty");
        let regions = regions();
        let mut headers = titles(p);
        headers.push("失信严重程度".into());
        let (map, _) = map_columns(p, &headers).unwrap();
        let companies: Vec<String> = (0..500)
            .map(|k| make_uscc("91", "320402", &format!("MA{k:06}")))
            .collect();
        let people: Vec<String> = (0..500)
            .map(|k| {
                make_id(
                    "320402",
                    &format!("19{:02}0{}1{}", 50 + k % 50, 1 + k % 9, k % 3),
                    &format!("{:03}", k % 1000),
                )
            })
            .collect();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| p.resolve_column(h).is_some_and(|f| f.name == name))
                .unwrap()
        };
        let company = cells_for(p, &headers, &penalty_values());
        let mut person_values = penalty_values();
        for (name, v) in [
            ("subject_category", "自然人"),
            ("subject_name", "赵六"),
            ("uscc", ""),
            ("legal_rep", ""),
            ("legal_rep_id_type", ""),
            ("legal_rep_id_no", ""),
            ("id_type", "身份证"),
        ] {
            set(&mut person_values, name, v);
        }
        let person = cells_for(p, &headers, &person_values);
        let (c_uscc, c_id, c_doc, c_fine, c_date) = (
            col("uscc"),
            col("id_no"),
            col("decision_doc_no"),
            col("fine_amount"),
            col("decision_date"),
        );
        let c_sev = headers.len() - 1;
        let mut rows = Vec::with_capacity(ROWS);
        for k in 0..ROWS {
            let mut cells = if k % 5 == 0 {
                let mut c = person.clone();
                c[c_id] = people[k % people.len()].clone();
                c
            } else {
                let mut c = company.clone();
                c[c_uscc] = companies[k % companies.len()].clone();
                c
            };
            cells[c_doc] = format!("常天市监处罚〔2025〕{k}号");
            cells[c_fine] = format!("{}.{}", k % 100, k % 7);
            cells[c_date] = format!("2025-0{}-{:02}", 1 + k % 5, 1 + k % 28);
            cells[c_sev] = ["", "一般", "严重"][k % 3].into();
            rows.push(cells);
        }
        let bytes: usize = rows.iter().flatten().map(String::len).sum();
        let cpu_start = thread_cpu_ticks();
        let start = Instant::now();
        let mut digests = Vec::with_capacity(ROWS);
        for (k, cells) in rows.iter().enumerate() {
            match validate_row(p, &map, k as u64 + 2, cells, regions, today()) {
                Ok(row) => digests.push(row.content_digest),
                Err(issues) => panic!("row {k}: {issues:?}"),
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let cpu = thread_cpu_ticks()
            .zip(cpu_start)
            .map(|(b, a)| (b - a) as f64 / 100.0);
        let ok = digests.len();
        digests.sort_unstable();
        digests.dedup();
        println!(
            "intake: {ROWS} 行政处罚 rows ({:.1} MB of cells) in {secs:.3} s = {:.0} rows/s",
            bytes as f64 / 1e6,
            ROWS as f64 / secs
        );
        if let Some(cpu) = cpu {
            println!(
                "intake: thread CPU time {cpu:.2} s = {:.0} rows/s of CPU",
                ROWS as f64 / cpu
            );
        }
        assert_eq!(ok, ROWS);
        assert_eq!(digests.len(), ROWS);
    }
}
