//! Column mapping: resolving a file's headers to the fields of a record type, once per file.

use super::*;

/// What one column of a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
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
pub(super) enum CodeCheck {
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
    pub(super) type_code: String,
    /// The headers as in the file.
    pub(super) headers: Vec<String>,
    /// Per header index.
    pub(super) roles: Vec<Role>,
    /// Per field index: the header index it is read from.
    pub(super) field_cols: Vec<Option<usize>>,
    /// Per field index.
    pub(super) checks: Vec<CodeCheck>,
    pub(super) severity_col: Option<usize>,
    pub(super) key: usize,
    pub(super) date: usize,
    pub(super) name: usize,
    pub(super) uscc: Option<usize>,
    pub(super) id_no: Option<usize>,
    pub(super) id_type: Option<usize>,
    pub(super) kind: Option<usize>,
    pub(super) business_reg_no: Option<usize>,
    /// Fields read by the severity rules and the publication rule.
    pub(super) rule_fields: Vec<usize>,
    pub(super) digest_key: Option<Hmac<Sha256>>,
    /// The deciding authority's fields (USCC, name), for types that name it by code.
    pub(super) authority: Option<(usize, Option<usize>)>,
    /// Who submits the file, when the deciding authority is to be checked against it (see
    /// [`ColumnMap::with_submitter`]).
    pub(super) submitter: Option<std::sync::Arc<Submitter>>,
    /// Per field: for enum fields, the parsed value of every spelling the catalog lists
    /// (code, label, aliases), as [`FieldDef::parse_value`] gives it.
    pub(super) enum_spellings: Vec<Option<HashMap<String, FieldValue>>>,
    pub(super) memo: Mutex<Memo>,
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
            authority: self.authority,
            submitter: self.submitter.clone(),
            enum_spellings: self.enum_spellings.clone(),
            memo: Mutex::new(Memo::new(self.field_cols.len())),
        }
    }
}

/// A USCC verdict: department, category and warnings, or the error.
pub(super) type UsccVerdict = Result<(char, char, Vec<CodeError>), CodeError>;

/// Most region codes memoised before the memo starts afresh.
const REGION_MEMO_LIMIT: usize = 8192;

/// See [`ColumnMap`].
#[derive(Default)]
pub(super) struct Memo {
    /// Address of the region lookup the entries come from (0: none yet).
    pub(super) source: usize,
    pub(super) regions: RefCell<HashMap<String, Option<RegionInfo>>>,
    /// Per field: the last USCC checked and its verdict.
    pub(super) last_uscc: Vec<Option<(String, UsccVerdict)>>,
}

impl Memo {
    pub(super) fn new(fields: usize) -> Self {
        Self {
            source: 0,
            regions: RefCell::new(HashMap::new()),
            last_uscc: vec![None; fields],
        }
    }

    /// Ties the memo to `regions`, forgetting everything learnt from another lookup.
    pub(super) fn bind(&mut self, regions: &dyn RegionLookup) {
        let addr = regions as *const dyn RegionLookup as *const () as usize;
        if self.source != addr {
            self.source = addr;
            self.regions.get_mut().clear();
            self.last_uscc.iter_mut().for_each(|e| *e = None);
        }
    }
}

/// A region lookup going through the memo.
pub(super) struct MemoRegions<'a> {
    pub(super) inner: &'a dyn RegionLookup,
    pub(super) memo: Option<&'a RefCell<HashMap<String, Option<RegionInfo>>>>,
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
            .field("submitter", &self.submitter.as_ref().map(|s| &s.uscc))
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
    pub(super) fn issue_column(&self, rt: &RecordType, field: usize) -> Option<String> {
        self.header_of(field)
            .map(str::to_string)
            .or_else(|| rt.fields.get(field).map(|f| f.title.clone()))
    }

    /// The checked value of a field's cell: [`FieldDef::parse_value`], with fast paths for the
    /// common cases that give exactly its result (see `fast_paths_agree_with_parse_value`).
    pub(super) fn parse_cell(
        &self,
        f: &FieldDef,
        field: usize,
        raw: &str,
    ) -> Result<FieldValue, FieldError> {
        // Invisible or control characters take the full parser (which drops or refuses them).
        let plain = !has_invisible(raw) && !raw.bytes().any(is_control_byte);
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
    pub(super) fn cell<'a>(&self, cells: &'a [String], field: usize) -> &'a str {
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

/// A byte that is a forbidden control character (`crate::text`): in UTF-8 every byte below
/// 0x80 is a whole character.
fn is_control_byte(b: u8) -> bool {
    b < 0x80 && crate::text::is_forbidden(b as char)
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
        authority: rt.authority.as_ref().and_then(|a| {
            Some((
                field_index(rt, &a.uscc_field)?,
                a.name_field.as_deref().and_then(|n| field_index(rt, n)),
            ))
        }),
        submitter: None,
        enum_spellings: rt.fields.iter().map(enum_spellings).collect(),
        memo: Mutex::new(Memo::new(n)),
    };
    Ok((map, report))
}
