//! 信用信息目录 — the credit-information catalog, as data.
//!
//! The catalog defines every record type the platform accepts: its code, names, the kinds of
//! subject it is about, its class (基础/良好/失信) and severity, its disclosure (社会公开/政务共享/
//! 授权查询), its publication rule, which fields carry the document number, the decision date
//! and the subject's identifiers, and the field schema with the column titles departments export.
//!
//! The default catalog lives in `data/catalog/catalog.toml` and is compiled in; a deployment may
//! load its own with [`Catalog::parse`]. Parsing validates the whole file (see [`CatalogError`]),
//! and [`Catalog::digest`] fingerprints the parsed catalog so a store can tell which catalog
//! version a record was stored under.
//!
//! Column headers are matched after [`normalize_header`]: full-width ASCII (including
//! `（）` brackets and `＿`) folds to half-width, a UTF-8 BOM, zero-width characters and all
//! whitespace are dropped, a trailing colon is dropped and ASCII letters are lower-cased — so
//! `罚款金额(万元)` finds the standard's `罚款金额（万元）`.
//!
//! Values are checked by [`FieldDef::parse_value`] for everything that needs no other module;
//! `uscc` / `id_number` / `uscc_or_id` fields are only normalised here, their check digits are
//! verified by the `codes` module at import time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The shipped default catalog (TOML).
pub const DEFAULT_CATALOG_TOML: &str = include_str!("../../../data/catalog/catalog.toml");

// ------------------------------------------------------------------------------------------------
// Enumerations
// ------------------------------------------------------------------------------------------------

/// Kind of credit subject (信用主体类别): one definition, shared with the subjects module.
pub use crate::subjects::SubjectKind;

/// Class of a record type (信息类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordClass {
    /// 基础信息.
    Basic,
    /// 良好信息 (守信激励 basis).
    Positive,
    /// 失信信息.
    Negative,
}

impl RecordClass {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Positive => "positive",
            Self::Negative => "negative",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Basic => "基础",
            Self::Positive => "良好",
            Self::Negative => "失信",
        }
    }
}

/// Severity of a negative record (失信程度). Ordered from least to most severe.
///
/// 《信用修复管理办法》(国家发展改革委令第36号) distinguishes 轻微, 一般 and 严重; 较重 is the
/// intermediate grade local rules and the product brief use (一般·较重·严重).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 轻微.
    Minor,
    /// 一般.
    General,
    /// 较重.
    Major,
    /// 严重.
    Severe,
}

impl Severity {
    /// All severities, least severe first.
    pub const ALL: [Severity; 4] = [Self::Minor, Self::General, Self::Major, Self::Severe];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Minor => "minor",
            Self::General => "general",
            Self::Major => "major",
            Self::Severe => "severe",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Minor => "轻微",
            Self::General => "一般",
            Self::Major => "较重",
            Self::Severe => "严重",
        }
    }

    /// Parses a severity cell: the English code or the Chinese label, optionally followed by
    /// 失信 (`严重失信`) or preceded by it (`失信严重`), full-width input accepted.
    pub fn parse(raw: &str) -> Option<Severity> {
        let s = normalize_token(raw);
        let s = s.strip_suffix("失信").unwrap_or(&s);
        let s = s.strip_prefix("失信").unwrap_or(s);
        Self::ALL
            .into_iter()
            .find(|sev| s == sev.code() || s == sev.label())
    }
}

/// Disclosure of a record type (公开方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// 社会公开.
    Public,
    /// 政务共享 (among agencies only).
    Shared,
    /// 授权查询 (on the subject's authorisation).
    Authorised,
}

impl Disclosure {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Shared => "shared",
            Self::Authorised => "authorised",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "社会公开",
            Self::Shared => "政务共享",
            Self::Authorised => "授权查询",
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Catalog structure
// ------------------------------------------------------------------------------------------------

/// One allowed value of an enum field: a stable code, the Chinese label, and other accepted
/// spellings. Input may give any of them; [`FieldDef::parse_value`] returns the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// Stable code (e.g. `01`, `legal_person`).
    pub code: String,
    /// Chinese label (e.g. `普通`, `法人及非法人组织`).
    pub label: String,
    /// Other accepted spellings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// Type of a field and its type-specific settings (`type = "..."` in the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// Free text, at most `max_len` characters after trimming.
    Text {
        /// Maximum length in characters (not bytes).
        max_len: u32,
    },
    /// Calendar date.
    Date,
    /// Decimal number with at most `scale` fractional digits, kept as a normalised string.
    Decimal {
        /// Maximum number of fractional digits.
        scale: u32,
        /// Whether negative values are accepted.
        #[serde(default)]
        allow_negative: bool,
    },
    /// Whole number (i64).
    Integer {
        /// Whether negative values are accepted.
        #[serde(default)]
        allow_negative: bool,
    },
    /// One of a fixed set of values.
    Enum {
        /// Allowed values.
        values: Vec<EnumValue>,
    },
    /// 统一社会信用代码 (GB 32100); checked by the `codes` module.
    Uscc,
    /// 居民身份证号 (GB 11643); checked by the `codes` module.
    IdNumber,
    /// Either a USCC or an ID number (e.g. 失信被执行人's 证件号码/统一社会信用代码).
    UsccOrId,
}

impl FieldType {
    /// Stable snake_case name of the type.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Date => "date",
            Self::Decimal { .. } => "decimal",
            Self::Integer { .. } => "integer",
            Self::Enum { .. } => "enum",
            Self::Uscc => "uscc",
            Self::IdNumber => "id_number",
            Self::UsccOrId => "uscc_or_id",
        }
    }
}

/// One field (column) of a record type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// English snake_case name, used in code and APIs.
    pub name: String,
    /// Chinese column title exactly as departments export it.
    pub title: String,
    /// Other accepted column titles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Type and type-specific settings.
    #[serde(flatten)]
    pub kind: FieldType,
    /// Whether a row must give a non-empty value.
    #[serde(default)]
    pub required: bool,
    /// Guidance for submitters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Which fields identify a record's subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectFields {
    /// The subject's name (名称/姓名).
    pub name_field: String,
    /// The subject's USCC (a `uscc` or `uscc_or_id` field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc_field: Option<String>,
    /// The subject's ID number (an `id_number` or `uscc_or_id` field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number_field: Option<String>,
    /// The 证件类型 enum field qualifying `id_number_field` (01 = 身份证).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_type_field: Option<String>,
    /// The enum field giving the subject's category (e.g. 行政相对人类别).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind_field: Option<String>,
}

/// An extra column a type accepts besides its standard fields (e.g. 失信严重程度).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraColumn {
    /// Column title.
    pub title: String,
    /// Other accepted titles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// Derives a row's severity from a field: the rule applies when the field's value matches one
/// of `matches` (text fields: contains it; enum fields: its code equals it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityRule {
    /// Field name.
    pub field: String,
    /// Substrings (text) or codes (enum).
    pub matches: Vec<String>,
    /// Severity when the rule applies.
    pub severity: Severity,
}

/// Severity policy of a negative record type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityPolicy {
    /// Severity when a row neither gives one nor matches a rule.
    pub default: Severity,
    /// Whether a row may carry its own severity.
    #[serde(default)]
    pub per_row: bool,
    /// The extra column carrying a row's severity (only with `per_row`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<ExtraColumn>,
    /// Derivation rules, first match wins (only with `per_row`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<SeverityRule>,
}

/// Publication window of one severity, in calendar months from the decision date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityPeriod {
    /// Minimum publication period: credit repair is possible from its end.
    pub min_months: u32,
    /// Maximum publication period; `0` means not published.
    pub max_months: u32,
    /// Whether a record of this severity may be repaired at all.
    #[serde(default = "default_true")]
    pub repairable: bool,
}

fn default_true() -> bool {
    true
}

/// Publication windows per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityPeriods {
    /// 轻微.
    pub minor: SeverityPeriod,
    /// 一般.
    pub general: SeverityPeriod,
    /// 较重.
    pub major: SeverityPeriod,
    /// 严重.
    pub severe: SeverityPeriod,
}

impl SeverityPeriods {
    /// The window of one severity.
    pub fn get(&self, severity: Severity) -> SeverityPeriod {
        match severity {
            Severity::Minor => self.minor,
            Severity::General => self.general,
            Severity::Major => self.major,
            Severity::Severe => self.severe,
        }
    }
}

/// How long a record of a type stays published (`rule = "..."` in the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum PublicationRule {
    /// Never published (shared or authorised only).
    None,
    /// Published for a fixed number of calendar months from the decision date.
    FixedMonths {
        /// Number of months.
        months: u32,
    },
    /// Per severity, following 国家发展改革委令第36号.
    BySeverity {
        /// Windows per severity.
        periods: SeverityPeriods,
        /// A date field with the row's own publication deadline (e.g. 公示截止期), clamped to
        /// the severity's window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline_field: Option<String>,
    },
    /// Published until the date in a field (e.g. a licence's 有效期至).
    UntilField {
        /// Date field name.
        field: String,
        /// Sentinel meaning 长期 (e.g. 2099-12-31): that date or later never ends publication.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        long_term: Option<NaiveDate>,
    },
    /// Published as long as the record is in force (e.g. until removed from a list).
    WhileInForce,
}

/// When a record's publication ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "date", rename_all = "snake_case")]
pub enum PublicationEnd {
    /// Not published at all.
    NotPublished,
    /// Published until (and including) this date.
    Until(NaiveDate),
    /// Publication never ends by itself: it lasts while the record is in force.
    Never,
}

/// A column of a superseded standard, rejected with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyColumn {
    /// Column title.
    pub title: String,
    /// Why it is rejected and what to use instead.
    pub reason: String,
}

/// Values of a row, by field name.
pub type FieldValues = BTreeMap<String, FieldValue>;

/// One record type (信息类型) of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordType {
    /// Stable ASCII snake_case code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Policy basis (informative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// Kinds of subject a record of this type may be about.
    pub subject_kinds: Vec<SubjectKind>,
    /// 基础 / 良好 / 失信.
    pub class: RecordClass,
    /// Severity policy (negative types only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityPolicy>,
    /// 社会公开 / 政务共享 / 授权查询.
    pub disclosure: Disclosure,
    /// Publication rule.
    pub publication: PublicationRule,
    /// Statutory deadline for publication after the decision, in working days (双公示: 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_within_working_days: Option<u32>,
    /// Field holding the source document number (文书号).
    pub key_field: String,
    /// Field holding the decision date.
    pub decision_date_field: String,
    /// Fields identifying the subject.
    pub subject: SubjectFields,
    /// The field schema, in the standard's column order.
    pub fields: Vec<FieldDef>,
    /// Columns of superseded standards, rejected with a reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legacy_columns: Vec<LegacyColumn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    types: Vec<RecordType>,
}

/// A parsed and validated catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalog {
    version: String,
    title: String,
    types: Vec<RecordType>,
    #[serde(skip)]
    digest: String,
}

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------

/// Why a catalog file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Not valid TOML, or not the catalog's structure.
    #[error("信用信息目录文件格式错误：{0}")]
    Syntax(String),
    /// `version` is empty.
    #[error("信用信息目录缺少版本号（version）")]
    MissingVersion,
    /// No `[[types]]`.
    #[error("信用信息目录未定义任何信息类型")]
    NoTypes,
    /// A type code is not ASCII snake_case.
    #[error("信息类型代码“{code}”不合法：须为小写英文字母、数字和下划线，并以字母开头")]
    InvalidTypeCode {
        /// The code.
        code: String,
    },
    /// Two types share a code.
    #[error("信息类型代码“{code}”重复")]
    DuplicateTypeCode {
        /// The code.
        code: String,
    },
    /// A type has an empty Chinese or English name.
    #[error("信息类型“{type_code}”缺少中文名称或英文名称")]
    MissingName {
        /// The type.
        type_code: String,
    },
    /// A type lists no subject kinds.
    #[error("信息类型“{type_code}”未指定信用主体类别")]
    NoSubjectKinds {
        /// The type.
        type_code: String,
    },
    /// A type lists a subject kind twice.
    #[error("信息类型“{type_code}”的信用主体类别“{kind}”重复")]
    DuplicateSubjectKind {
        /// The type.
        type_code: String,
        /// The kind's label.
        kind: &'static str,
    },
    /// A type has no fields.
    #[error("信息类型“{type_code}”未定义任何字段")]
    NoFields {
        /// The type.
        type_code: String,
    },
    /// A field name is not ASCII snake_case.
    #[error(
        "信息类型“{type_code}”的字段名“{name}”不合法：须为小写英文字母、数字和下划线，并以字母开头"
    )]
    InvalidFieldName {
        /// The type.
        type_code: String,
        /// The field name.
        name: String,
    },
    /// A field has an empty title or alias.
    #[error("信息类型“{type_code}”的字段“{field}”缺少列名（title）或别名为空")]
    EmptyTitle {
        /// The type.
        type_code: String,
        /// The field name.
        field: String,
    },
    /// Two columns of a type (names, titles, aliases, legacy or extra columns) are the same
    /// after normalisation.
    #[error("信息类型“{type_code}”中列名“{column}”重复（全角半角、空格、大小写归一后相同）")]
    DuplicateColumn {
        /// The type.
        type_code: String,
        /// The column as written.
        column: String,
    },
    /// A field's type settings are invalid (`max_len = 0`, scale too large …).
    #[error("信息类型“{type_code}”的字段“{field}”类型设置不合法：{reason}")]
    InvalidFieldType {
        /// The type.
        type_code: String,
        /// The field name.
        field: String,
        /// Why.
        reason: String,
    },
    /// An enum field has no values.
    #[error("信息类型“{type_code}”的枚举字段“{field}”未列出任何取值")]
    EmptyEnum {
        /// The type.
        type_code: String,
        /// The field name.
        field: String,
    },
    /// An enum value is empty or two values of an enum collide.
    #[error("信息类型“{type_code}”的枚举字段“{field}”取值“{value}”为空或重复")]
    DuplicateEnumValue {
        /// The type.
        type_code: String,
        /// The field name.
        field: String,
        /// The value as written.
        value: String,
    },
    /// A reference (key field, date field, subject field …) names no field of the type.
    #[error("信息类型“{type_code}”的 {role} 引用了不存在的字段“{field}”")]
    UnknownField {
        /// The type.
        type_code: String,
        /// Which setting refers to it (e.g. `key_field`).
        role: &'static str,
        /// The field name.
        field: String,
    },
    /// A reference names a field of the wrong type.
    #[error("信息类型“{type_code}”的 {role} 引用的字段“{field}”类型应为 {expected}")]
    FieldTypeMismatch {
        /// The type.
        type_code: String,
        /// Which setting refers to it.
        role: &'static str,
        /// The field name.
        field: String,
        /// Expected type(s).
        expected: &'static str,
    },
    /// A negative type has no severity policy.
    #[error("失信类信息类型“{type_code}”必须设置失信程度（severity）")]
    MissingSeverity {
        /// The type.
        type_code: String,
    },
    /// A non-negative type has a severity policy.
    #[error("信息类型“{type_code}”不是失信类，不应设置失信程度（severity）")]
    UnexpectedSeverity {
        /// The type.
        type_code: String,
    },
    /// The severity policy is inconsistent.
    #[error("信息类型“{type_code}”的失信程度设置不合法：{reason}")]
    InvalidSeverityPolicy {
        /// The type.
        type_code: String,
        /// Why.
        reason: String,
    },
    /// The publication rule is inconsistent.
    #[error("信息类型“{type_code}”的公示期限规则不合法：{reason}")]
    InvalidPublication {
        /// The type.
        type_code: String,
        /// Why.
        reason: String,
    },
    /// A legacy column has an empty title or reason.
    #[error("信息类型“{type_code}”的旧标准列“{column}”缺少列名或拒收理由")]
    InvalidLegacyColumn {
        /// The type.
        type_code: String,
        /// The column.
        column: String,
    },
    /// A field definition has a key its type does not know (e.g. a misspelt `required`).
    #[error("信息类型“{type_code}”的字段“{field}”含有未知的设置项“{key}”")]
    UnknownFieldKey {
        /// The type.
        type_code: String,
        /// The field name.
        field: String,
        /// The unknown key.
        key: String,
    },
    /// The parsed catalog could not be serialised for its digest.
    #[error("信用信息目录无法序列化：{0}")]
    Serialize(String),
}

impl CatalogError {
    /// Stable snake_case code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax(_) => "catalog_syntax",
            Self::MissingVersion => "missing_version",
            Self::NoTypes => "no_types",
            Self::InvalidTypeCode { .. } => "invalid_type_code",
            Self::DuplicateTypeCode { .. } => "duplicate_type_code",
            Self::MissingName { .. } => "missing_name",
            Self::NoSubjectKinds { .. } => "no_subject_kinds",
            Self::DuplicateSubjectKind { .. } => "duplicate_subject_kind",
            Self::NoFields { .. } => "no_fields",
            Self::InvalidFieldName { .. } => "invalid_field_name",
            Self::EmptyTitle { .. } => "empty_title",
            Self::DuplicateColumn { .. } => "duplicate_column",
            Self::InvalidFieldType { .. } => "invalid_field_type",
            Self::EmptyEnum { .. } => "empty_enum",
            Self::DuplicateEnumValue { .. } => "duplicate_enum_value",
            Self::UnknownField { .. } => "unknown_field_reference",
            Self::FieldTypeMismatch { .. } => "field_type_mismatch",
            Self::MissingSeverity { .. } => "missing_severity",
            Self::UnexpectedSeverity { .. } => "unexpected_severity",
            Self::InvalidSeverityPolicy { .. } => "invalid_severity_policy",
            Self::InvalidPublication { .. } => "invalid_publication",
            Self::InvalidLegacyColumn { .. } => "invalid_legacy_column",
            Self::UnknownFieldKey { .. } => "unknown_field_key",
            Self::Serialize(_) => "catalog_serialize",
        }
    }
}

/// Why a cell value was rejected. `Display` is Chinese and names the column title.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A required value is empty.
    #[error("“{title}”为必填项，不能为空")]
    Required {
        /// Column title.
        title: String,
    },
    /// Text longer than `max_len` characters.
    #[error("“{title}”长度为 {len} 个字符，超过上限 {max_len} 个字符")]
    TooLong {
        /// Column title.
        title: String,
        /// Maximum length.
        max_len: u32,
        /// Actual length.
        len: usize,
    },
    /// Not a date in an accepted format.
    #[error("“{title}”的值“{raw}”不是有效的日期格式（可用 2025-01-24、2025/1/24、20250124、2025年1月24日、2025.01.24）")]
    InvalidDate {
        /// Column title.
        title: String,
        /// The value.
        raw: String,
    },
    /// A well-formed date that does not exist (e.g. 2025-02-30).
    #[error("“{title}”的值“{raw}”不是真实存在的日期")]
    ImpossibleDate {
        /// Column title.
        title: String,
        /// The value.
        raw: String,
    },
    /// Not a plain decimal number.
    #[error("“{title}”的值“{raw}”不是有效的数字")]
    InvalidDecimal {
        /// Column title.
        title: String,
        /// The value.
        raw: String,
    },
    /// More fractional digits than the field's scale.
    #[error("“{title}”的值“{raw}”小数位数超过 {scale} 位")]
    DecimalScale {
        /// Column title.
        title: String,
        /// The value.
        raw: String,
        /// Allowed fractional digits.
        scale: u32,
    },
    /// Not a whole number.
    #[error("“{title}”的值“{raw}”不是有效的整数")]
    InvalidInteger {
        /// Column title.
        title: String,
        /// The value.
        raw: String,
    },
    /// A number too large to be plausible or representable.
    #[error("“{title}”的值“{raw}”数值过大")]
    NumberTooLarge {
        /// Column title.
        title: String,
        /// The value.
        raw: String,
    },
    /// A negative number where none is allowed.
    #[error("“{title}”的值“{raw}”不能为负数")]
    Negative {
        /// Column title.
        title: String,
        /// The value.
        raw: String,
    },
    /// Not one of the enum's values.
    #[error("“{title}”的值“{raw}”不在允许范围内，可选：{allowed}")]
    InvalidEnum {
        /// Column title.
        title: String,
        /// The value.
        raw: String,
        /// The allowed values, `code 标签` separated by `、`.
        allowed: String,
    },
}

impl FieldError {
    /// Stable snake_case code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required { .. } => "required",
            Self::TooLong { .. } => "too_long",
            Self::InvalidDate { .. } => "invalid_date",
            Self::ImpossibleDate { .. } => "impossible_date",
            Self::InvalidDecimal { .. } => "invalid_decimal",
            Self::DecimalScale { .. } => "decimal_scale",
            Self::InvalidInteger { .. } => "invalid_integer",
            Self::NumberTooLarge { .. } => "number_too_large",
            Self::Negative { .. } => "negative_number",
            Self::InvalidEnum { .. } => "invalid_enum",
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Values
// ------------------------------------------------------------------------------------------------

/// A checked cell value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// An optional cell left empty.
    Empty,
    /// Trimmed text.
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A normalised decimal: optional `-`, no superfluous leading zeros, no trailing fractional
    /// zeros, no `.` without fraction (`"1234.5"`, `"0.000001"`, `"-3"`).
    Decimal(String),
    /// A whole number.
    Integer(i64),
    /// The code of an enum value.
    Enum(String),
    /// A USCC or ID number, trimmed, half-width and upper-cased, not yet checked.
    Code(String),
}

impl FieldValue {
    /// Whether the value is [`FieldValue::Empty`].
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// The date, if this is a date.
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Self::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// The textual content of text, decimal, enum (the code) and code values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Text(s) | Self::Decimal(s) | Self::Enum(s) | Self::Code(s) => Some(s),
            _ => None,
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Normalisation
// ------------------------------------------------------------------------------------------------

/// Folds one character to half-width: full-width ASCII (U+FF01–U+FF5E, e.g. `（`, `）`, `＿`,
/// `Ａ`, `１`) to ASCII, the ideographic space to a space, `【】` to `[]`.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '【' => '[',
        '】' => ']',
        _ => c,
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'
    )
}

/// Folds width and drops a BOM and zero-width characters, then trims.
fn fold_value(raw: &str) -> String {
    raw.chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_width)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Normalises a column header for matching: width folded, BOM / zero-width characters and all
/// whitespace removed, one trailing colon removed, ASCII lower-cased.
pub fn normalize_header(header: &str) -> String {
    let mut s: String = header
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if s.ends_with(':') {
        s.pop();
    }
    s
}

/// Normalises an enum cell or severity cell for matching (as headers, without the colon rule).
fn normalize_token(raw: &str) -> String {
    raw.chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// For all-digit codes, the digits without leading zeros (so Excel's `1` matches `01`).
fn numeric_key(s: &str) -> Option<String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let t = s.trim_start_matches('0');
        Some(if t.is_empty() { "0".into() } else { t.into() })
    } else {
        None
    }
}

fn is_snake_case(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && !s.ends_with('_')
        && !s.contains("__")
}

// ------------------------------------------------------------------------------------------------
// Field parsing
// ------------------------------------------------------------------------------------------------

impl FieldDef {
    /// Whether `header` (normalised) names this field by title, alias or English name.
    pub fn matches_header(&self, header: &str) -> bool {
        let h = normalize_header(header);
        self.column_keys().any(|k| normalize_header(k) == h)
    }

    fn column_keys(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(std::iter::once(self.title.as_str()))
            .chain(self.aliases.iter().map(String::as_str))
    }

    /// Checks and normalises a raw cell value.
    ///
    /// Empty (after trimming) gives [`FieldError::Required`] for required fields and
    /// [`FieldValue::Empty`] otherwise. Full-width digits, letters and punctuation are folded
    /// first. USCC and ID-number fields are only normalised (trim, half-width, upper case).
    pub fn parse_value(&self, raw: &str) -> Result<FieldValue, FieldError> {
        let value = fold_value(raw);
        if value.is_empty() {
            return if self.required {
                Err(FieldError::Required {
                    title: self.title.clone(),
                })
            } else {
                Ok(FieldValue::Empty)
            };
        }
        match &self.kind {
            FieldType::Text { max_len } => {
                // Keep the original characters (full-width text is legitimate in Chinese text);
                // only trim it.
                let text: String = raw
                    .chars()
                    .filter(|c| !is_invisible(*c))
                    .collect::<String>()
                    .trim()
                    .to_string();
                let len = text.chars().count();
                if len > *max_len as usize {
                    return Err(FieldError::TooLong {
                        title: self.title.clone(),
                        max_len: *max_len,
                        len,
                    });
                }
                Ok(FieldValue::Text(text))
            }
            FieldType::Date => parse_date(&value)
                .map(FieldValue::Date)
                .map_err(|e| match e {
                    DateError::Format => FieldError::InvalidDate {
                        title: self.title.clone(),
                        raw: raw.trim().to_string(),
                    },
                    DateError::Impossible => FieldError::ImpossibleDate {
                        title: self.title.clone(),
                        raw: raw.trim().to_string(),
                    },
                }),
            FieldType::Decimal {
                scale,
                allow_negative,
            } => parse_decimal(&value, *scale, *allow_negative)
                .map(FieldValue::Decimal)
                .map_err(|e| self.number_error(e, raw)),
            FieldType::Integer { allow_negative } => parse_integer(&value, *allow_negative)
                .map(FieldValue::Integer)
                .map_err(|e| self.number_error(e, raw)),
            FieldType::Enum { values } => {
                let key = normalize_token(&value);
                let num = numeric_key(&key);
                values
                    .iter()
                    .find(|v| {
                        std::iter::once(&v.code)
                            .chain(std::iter::once(&v.label))
                            .chain(v.aliases.iter())
                            .any(|s| normalize_token(s) == key)
                            || (num.is_some() && numeric_key(&v.code) == num)
                    })
                    .map(|v| FieldValue::Enum(v.code.clone()))
                    .ok_or_else(|| FieldError::InvalidEnum {
                        title: self.title.clone(),
                        raw: raw.trim().to_string(),
                        allowed: values
                            .iter()
                            .map(|v| {
                                if v.code == v.label {
                                    v.label.clone()
                                } else {
                                    format!("{} {}", v.code, v.label)
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("、"),
                    })
            }
            FieldType::Uscc | FieldType::IdNumber | FieldType::UsccOrId => {
                Ok(FieldValue::Code(value.to_uppercase()))
            }
        }
    }

    fn number_error(&self, e: NumberError, raw: &str) -> FieldError {
        let title = self.title.clone();
        let raw = raw.trim().to_string();
        match e {
            NumberError::Format if matches!(self.kind, FieldType::Integer { .. }) => {
                FieldError::InvalidInteger { title, raw }
            }
            NumberError::Format => FieldError::InvalidDecimal { title, raw },
            NumberError::Scale(scale) => FieldError::DecimalScale { title, raw, scale },
            NumberError::TooLarge => FieldError::NumberTooLarge { title, raw },
            NumberError::Negative => FieldError::Negative { title, raw },
        }
    }
}

enum DateError {
    Format,
    Impossible,
}

fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    let v = s[..n].parse().ok()?;
    Some((v, &s[n..]))
}

/// Accepts `HH:MM`, `HH:MM:SS` and `HH:MM:SS.fff` after a date (export timestamps).
fn is_time(s: &str) -> bool {
    let (main, frac) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let parts: Vec<&str> = main.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return false;
    }
    let limits = [23u32, 59, 59];
    parts.iter().zip(limits).all(|(p, lim)| {
        (1..=2).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|v| v <= lim)
    })
}

/// Parses `2025-01-24`, `2025/1/24`, `2025.01.24`, `20250124`, `2025年1月24日` (optionally
/// followed by a time of day, which is ignored).
fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let (date_part, rest) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    if !rest.is_empty() && !is_time(rest) {
        return Err(DateError::Format);
    }
    let (y, m, d) = if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        let y = date_part[..4].parse().map_err(|_| DateError::Format)?;
        let m = date_part[4..6].parse().map_err(|_| DateError::Format)?;
        let d = date_part[6..].parse().map_err(|_| DateError::Format)?;
        (y, m, d)
    } else {
        let (y, r) = take_digits(date_part, 4, 4).ok_or(DateError::Format)?;
        let sep = r.chars().next().ok_or(DateError::Format)?;
        let (sep2, end) = match sep {
            '-' | '/' | '.' => (sep, None),
            '年' => ('月', Some('日')),
            _ => return Err(DateError::Format),
        };
        let (m, r) = take_digits(&r[sep.len_utf8()..], 1, 2).ok_or(DateError::Format)?;
        let r = r.strip_prefix(sep2).ok_or(DateError::Format)?;
        let (d, r) = take_digits(r, 1, 2).ok_or(DateError::Format)?;
        let r = match end {
            Some(e) => r.strip_prefix(e).unwrap_or(r),
            None => r,
        };
        if !r.is_empty() {
            return Err(DateError::Format);
        }
        (y as i32, m, d)
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::Impossible)
}

enum NumberError {
    Format,
    Scale(u32),
    TooLarge,
    Negative,
}

/// Most integer digits a decimal may have (money in 元 up to 10^20 is already absurd).
const MAX_INTEGER_DIGITS: usize = 20;

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = s.strip_prefix('+') {
        (false, r)
    } else {
        (false, s)
    }
}

/// Removes thousands separators if they group the integer part correctly (`1,234,567`).
fn strip_grouping(int: &str) -> Result<String, NumberError> {
    if !int.contains(',') {
        return Ok(int.to_string());
    }
    let groups: Vec<&str> = int.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if first_ok && rest_ok {
        Ok(groups.concat())
    } else {
        Err(NumberError::Format)
    }
}

fn parse_decimal(s: &str, scale: u32, allow_negative: bool) -> Result<String, NumberError> {
    let (negative, body) = split_sign(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let int = strip_grouping(int)?;
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(NumberError::Format);
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if frac.len() > scale as usize {
        return Err(NumberError::Scale(scale));
    }
    if int.len() > MAX_INTEGER_DIGITS {
        return Err(NumberError::TooLarge);
    }
    let is_zero = int.is_empty() && frac.is_empty();
    if negative && !is_zero && !allow_negative {
        return Err(NumberError::Negative);
    }
    let mut out = String::new();
    if negative && !is_zero {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Ok(out)
}

fn parse_integer(s: &str, allow_negative: bool) -> Result<i64, NumberError> {
    let (negative, body) = split_sign(s);
    // Spreadsheet cells often carry "2024.0".
    let body = match body.split_once('.') {
        Some((i, f)) if !f.is_empty() && f.bytes().all(|b| b == b'0') => i,
        Some(_) => return Err(NumberError::Format),
        None => body,
    };
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::Format);
    }
    let v: i64 = body.parse().map_err(|_| NumberError::TooLarge)?;
    if negative && v != 0 && !allow_negative {
        return Err(NumberError::Negative);
    }
    Ok(if negative { -v } else { v })
}

// ------------------------------------------------------------------------------------------------
// Publication
// ------------------------------------------------------------------------------------------------

/// Adds calendar months, clamping to the end of a shorter month (2025-01-31 + 3 months =
/// 2025-04-30). Saturates at the largest date chrono supports.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

impl PublicationRule {
    /// When a record decided on `decision_date` stops being published.
    ///
    /// `severity` matters for [`PublicationRule::BySeverity`] only; `None` counts as 一般.
    /// `fields` are the row's checked values by field name: the until-field and the deadline
    /// field are read from them. An until-field that is empty, or at or after the 长期
    /// sentinel, gives [`PublicationEnd::Never`]. A row deadline is clamped to the severity's
    /// `[min, max]` window.
    pub fn publish_until(
        &self,
        decision_date: NaiveDate,
        severity: Option<Severity>,
        fields: &FieldValues,
    ) -> PublicationEnd {
        match self {
            Self::None => PublicationEnd::NotPublished,
            Self::FixedMonths { months } => {
                PublicationEnd::Until(add_months(decision_date, *months))
            }
            Self::BySeverity {
                periods,
                deadline_field,
            } => {
                let period = periods.get(severity.unwrap_or(Severity::General));
                if period.max_months == 0 {
                    return PublicationEnd::NotPublished;
                }
                let min_end = add_months(decision_date, period.min_months);
                let max_end = add_months(decision_date, period.max_months);
                let end = deadline_field
                    .as_ref()
                    .and_then(|f| fields.get(f))
                    .and_then(FieldValue::as_date)
                    .map_or(max_end, |d| d.clamp(min_end, max_end));
                PublicationEnd::Until(end)
            }
            Self::UntilField { field, long_term } => {
                match (fields.get(field).and_then(FieldValue::as_date), long_term) {
                    (Some(d), Some(lt)) if d >= *lt => PublicationEnd::Never,
                    (Some(d), _) => PublicationEnd::Until(d),
                    (None, _) => PublicationEnd::Never,
                }
            }
            Self::WhileInForce => PublicationEnd::Never,
        }
    }

    /// From when credit repair (信用修复) may end publication early: the end of the minimum
    /// publication period for [`PublicationRule::BySeverity`] (`None` counts as 一般), the
    /// decision date itself for rules without a minimum period, and `None` where there is
    /// nothing to repair (not published) or the severity is not repairable.
    pub fn repairable_from(
        &self,
        decision_date: NaiveDate,
        severity: Option<Severity>,
    ) -> Option<NaiveDate> {
        match self {
            Self::None => None,
            Self::BySeverity { periods, .. } => {
                let period = periods.get(severity.unwrap_or(Severity::General));
                period
                    .repairable
                    .then(|| add_months(decision_date, period.min_months))
            }
            Self::FixedMonths { .. } | Self::UntilField { .. } | Self::WhileInForce => {
                Some(decision_date)
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Record types
// ------------------------------------------------------------------------------------------------

impl RecordType {
    /// The field with this English name.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Maps a column header to its field, by Chinese title, alias or English name, after
    /// [`normalize_header`] (width, spaces, BOM, case, trailing colon).
    pub fn resolve_column(&self, header: &str) -> Option<&FieldDef> {
        let h = normalize_header(header);
        if h.is_empty() {
            return None;
        }
        self.fields
            .iter()
            .find(|f| f.column_keys().any(|k| normalize_header(k) == h))
    }

    /// If `header` is a column of a superseded standard, the reason it is rejected.
    pub fn legacy_column(&self, header: &str) -> Option<&str> {
        let h = normalize_header(header);
        self.legacy_columns
            .iter()
            .find(|c| normalize_header(&c.title) == h)
            .map(|c| c.reason.as_str())
    }

    /// Whether `header` is the extra column carrying a row's severity (e.g. 失信严重程度).
    pub fn is_severity_column(&self, header: &str) -> bool {
        let h = normalize_header(header);
        self.severity
            .as_ref()
            .and_then(|p| p.column.as_ref())
            .is_some_and(|c| {
                std::iter::once(&c.title)
                    .chain(c.aliases.iter())
                    .any(|t| normalize_header(t) == h)
            })
    }

    /// The severity of a row: `explicit` (when the type allows per-row severity), else the
    /// first matching rule, else the type's default. `None` for non-negative types.
    pub fn row_severity(
        &self,
        explicit: Option<Severity>,
        fields: &FieldValues,
    ) -> Option<Severity> {
        let policy = self.severity.as_ref()?;
        if !policy.per_row {
            return Some(policy.default);
        }
        if let Some(s) = explicit {
            return Some(s);
        }
        for rule in &policy.rules {
            let hit = match fields.get(&rule.field) {
                Some(FieldValue::Text(t)) => rule.matches.iter().any(|m| t.contains(m.as_str())),
                Some(FieldValue::Enum(code)) => rule.matches.iter().any(|m| m == code),
                _ => false,
            };
            if hit {
                return Some(rule.severity);
            }
        }
        Some(policy.default)
    }

    /// When a row's publication ends, with its severity resolved by [`Self::row_severity`].
    pub fn publish_until(
        &self,
        decision_date: NaiveDate,
        explicit_severity: Option<Severity>,
        fields: &FieldValues,
    ) -> PublicationEnd {
        let severity = self.row_severity(explicit_severity, fields);
        self.publication
            .publish_until(decision_date, severity, fields)
    }

    /// From when a row may be repaired, with its severity resolved by [`Self::row_severity`].
    pub fn repairable_from(
        &self,
        decision_date: NaiveDate,
        explicit_severity: Option<Severity>,
        fields: &FieldValues,
    ) -> Option<NaiveDate> {
        let severity = self.row_severity(explicit_severity, fields);
        self.publication.repairable_from(decision_date, severity)
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let tc = || self.code.clone();
        if !is_snake_case(&self.code) {
            return Err(CatalogError::InvalidTypeCode {
                code: self.code.clone(),
            });
        }
        if self.name.trim().is_empty() || self.name_en.trim().is_empty() {
            return Err(CatalogError::MissingName { type_code: tc() });
        }
        if self.subject_kinds.is_empty() {
            return Err(CatalogError::NoSubjectKinds { type_code: tc() });
        }
        let mut kinds = HashSet::new();
        for k in &self.subject_kinds {
            if !kinds.insert(*k) {
                return Err(CatalogError::DuplicateSubjectKind {
                    type_code: tc(),
                    kind: k.label(),
                });
            }
        }
        if self.fields.is_empty() {
            return Err(CatalogError::NoFields { type_code: tc() });
        }

        // Every column key of the type (field names, titles, aliases, the severity column and
        // legacy columns) must be unique after normalisation.
        let mut keys: HashSet<String> = HashSet::new();
        let mut claim = |column: &str| -> Result<(), CatalogError> {
            if keys.insert(normalize_header(column)) {
                Ok(())
            } else {
                Err(CatalogError::DuplicateColumn {
                    type_code: self.code.clone(),
                    column: column.to_string(),
                })
            }
        };
        let mut names = HashSet::new();
        for f in &self.fields {
            if !is_snake_case(&f.name) {
                return Err(CatalogError::InvalidFieldName {
                    type_code: tc(),
                    name: f.name.clone(),
                });
            }
            if !names.insert(f.name.as_str()) {
                return Err(CatalogError::DuplicateColumn {
                    type_code: tc(),
                    column: f.name.clone(),
                });
            }
            for key in f.column_keys() {
                if normalize_header(key).is_empty() {
                    return Err(CatalogError::EmptyTitle {
                        type_code: tc(),
                        field: f.name.clone(),
                    });
                }
                claim(key)?;
            }
            validate_field_type(&self.code, f)?;
        }
        if let Some(col) = self.severity.as_ref().and_then(|p| p.column.as_ref()) {
            for t in std::iter::once(&col.title).chain(col.aliases.iter()) {
                if normalize_header(t).is_empty() {
                    return Err(CatalogError::InvalidSeverityPolicy {
                        type_code: tc(),
                        reason: "失信程度列名为空".into(),
                    });
                }
                claim(t)?;
            }
        }
        for c in &self.legacy_columns {
            if normalize_header(&c.title).is_empty() || c.reason.trim().is_empty() {
                return Err(CatalogError::InvalidLegacyColumn {
                    type_code: tc(),
                    column: c.title.clone(),
                });
            }
            claim(&c.title)?;
        }

        // References.
        self.check_ref("key_field", &self.key_field, &[FieldKindTag::Text], "text")?;
        self.check_ref(
            "decision_date_field",
            &self.decision_date_field,
            &[FieldKindTag::Date],
            "date",
        )?;
        self.check_ref(
            "subject.name_field",
            &self.subject.name_field,
            &[FieldKindTag::Text],
            "text",
        )?;
        if let Some(f) = &self.subject.uscc_field {
            self.check_ref(
                "subject.uscc_field",
                f,
                &[FieldKindTag::Uscc, FieldKindTag::UsccOrId],
                "uscc 或 uscc_or_id",
            )?;
        }
        if let Some(f) = &self.subject.id_number_field {
            self.check_ref(
                "subject.id_number_field",
                f,
                &[FieldKindTag::IdNumber, FieldKindTag::UsccOrId],
                "id_number 或 uscc_or_id",
            )?;
        }
        if let Some(f) = &self.subject.id_type_field {
            self.check_ref("subject.id_type_field", f, &[FieldKindTag::Enum], "enum")?;
        }
        if let Some(f) = &self.subject.kind_field {
            self.check_ref("subject.kind_field", f, &[FieldKindTag::Enum], "enum")?;
        }

        // Severity.
        match (&self.severity, self.class) {
            (None, RecordClass::Negative) => {
                return Err(CatalogError::MissingSeverity { type_code: tc() })
            }
            (Some(_), RecordClass::Basic | RecordClass::Positive) => {
                return Err(CatalogError::UnexpectedSeverity { type_code: tc() })
            }
            (Some(policy), RecordClass::Negative) => self.validate_severity(policy)?,
            (None, _) => {}
        }

        // Publication.
        let bad_pub = |reason: &str| CatalogError::InvalidPublication {
            type_code: self.code.clone(),
            reason: reason.to_string(),
        };
        match &self.publication {
            PublicationRule::None | PublicationRule::WhileInForce => {}
            PublicationRule::FixedMonths { months } => {
                if *months == 0 {
                    return Err(bad_pub("固定公示期限不能为 0 个月"));
                }
            }
            PublicationRule::BySeverity {
                periods,
                deadline_field,
            } => {
                if self.class != RecordClass::Negative {
                    return Err(bad_pub("按失信程度确定公示期限仅适用于失信类信息"));
                }
                for sev in Severity::ALL {
                    let p = periods.get(sev);
                    if p.min_months > p.max_months {
                        return Err(bad_pub(&format!(
                            "“{}”的最短公示期 {} 个月长于最长公示期 {} 个月",
                            sev.label(),
                            p.min_months,
                            p.max_months
                        )));
                    }
                }
                if let Some(f) = deadline_field {
                    self.check_ref(
                        "publication.deadline_field",
                        f,
                        &[FieldKindTag::Date],
                        "date",
                    )?;
                }
            }
            PublicationRule::UntilField { field, .. } => {
                self.check_ref("publication.field", field, &[FieldKindTag::Date], "date")?;
            }
        }
        Ok(())
    }

    fn validate_severity(&self, policy: &SeverityPolicy) -> Result<(), CatalogError> {
        let bad = |reason: String| CatalogError::InvalidSeverityPolicy {
            type_code: self.code.clone(),
            reason,
        };
        if !policy.per_row && (policy.column.is_some() || !policy.rules.is_empty()) {
            return Err(bad(
                "未允许逐行填写失信程度（per_row = false）时不能设置失信程度列或推定规则".into(),
            ));
        }
        for rule in &policy.rules {
            self.check_ref(
                "severity.rules",
                &rule.field,
                &[FieldKindTag::Text, FieldKindTag::Enum],
                "text 或 enum",
            )?;
            if rule.matches.is_empty() || rule.matches.iter().any(|m| m.trim().is_empty()) {
                return Err(bad(format!("字段“{}”的推定规则未列出匹配值", rule.field)));
            }
            if let Some(FieldType::Enum { values }) = self.field(&rule.field).map(|f| &f.kind) {
                if let Some(m) = rule
                    .matches
                    .iter()
                    .find(|m| !values.iter().any(|v| &v.code == *m))
                {
                    return Err(bad(format!(
                        "推定规则中的“{m}”不是枚举字段“{}”的取值代码",
                        rule.field
                    )));
                }
            }
        }
        Ok(())
    }

    fn check_ref(
        &self,
        role: &'static str,
        field: &str,
        allowed: &[FieldKindTag],
        expected: &'static str,
    ) -> Result<(), CatalogError> {
        let f = self
            .field(field)
            .ok_or_else(|| CatalogError::UnknownField {
                type_code: self.code.clone(),
                role,
                field: field.to_string(),
            })?;
        if allowed.contains(&FieldKindTag::of(&f.kind)) {
            Ok(())
        } else {
            Err(CatalogError::FieldTypeMismatch {
                type_code: self.code.clone(),
                role,
                field: field.to_string(),
                expected,
            })
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKindTag {
    Text,
    Date,
    Decimal,
    Integer,
    Enum,
    Uscc,
    IdNumber,
    UsccOrId,
}

impl FieldKindTag {
    fn of(kind: &FieldType) -> Self {
        match kind {
            FieldType::Text { .. } => Self::Text,
            FieldType::Date => Self::Date,
            FieldType::Decimal { .. } => Self::Decimal,
            FieldType::Integer { .. } => Self::Integer,
            FieldType::Enum { .. } => Self::Enum,
            FieldType::Uscc => Self::Uscc,
            FieldType::IdNumber => Self::IdNumber,
            FieldType::UsccOrId => Self::UsccOrId,
        }
    }
}

/// Largest decimal scale accepted in a catalog.
const MAX_SCALE: u32 = 18;

fn validate_field_type(type_code: &str, f: &FieldDef) -> Result<(), CatalogError> {
    let invalid = |reason: &str| CatalogError::InvalidFieldType {
        type_code: type_code.to_string(),
        field: f.name.clone(),
        reason: reason.to_string(),
    };
    match &f.kind {
        FieldType::Text { max_len } if *max_len == 0 => Err(invalid("文本最大长度不能为 0")),
        FieldType::Decimal { scale, .. } if *scale > MAX_SCALE => {
            Err(invalid("小数位数不能超过 18 位"))
        }
        FieldType::Enum { values } => {
            if values.is_empty() {
                return Err(CatalogError::EmptyEnum {
                    type_code: type_code.to_string(),
                    field: f.name.clone(),
                });
            }
            let mut seen: HashMap<String, usize> = HashMap::new();
            let mut numeric: HashSet<String> = HashSet::new();
            for (i, v) in values.iter().enumerate() {
                let dup = || CatalogError::DuplicateEnumValue {
                    type_code: type_code.to_string(),
                    field: f.name.clone(),
                    value: v.code.clone(),
                };
                if let Some(n) = numeric_key(&normalize_token(&v.code)) {
                    if !numeric.insert(n) {
                        return Err(dup());
                    }
                }
                for s in std::iter::once(&v.code)
                    .chain(std::iter::once(&v.label))
                    .chain(v.aliases.iter())
                {
                    let key = normalize_token(s);
                    if key.is_empty() {
                        return Err(CatalogError::DuplicateEnumValue {
                            type_code: type_code.to_string(),
                            field: f.name.clone(),
                            value: s.clone(),
                        });
                    }
                    match seen.get(&key) {
                        // The same value may spell code and label alike (`A` / `a`).
                        Some(&j) if j == i => {}
                        Some(_) => {
                            return Err(CatalogError::DuplicateEnumValue {
                                type_code: type_code.to_string(),
                                field: f.name.clone(),
                                value: s.clone(),
                            })
                        }
                        None => {
                            seen.insert(key, i);
                        }
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

// ------------------------------------------------------------------------------------------------
// Catalog
// ------------------------------------------------------------------------------------------------

static DEFAULT: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();

impl Catalog {
    /// Parses and validates a catalog file.
    pub fn parse(toml_text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile =
            toml::from_str(toml_text).map_err(|e| CatalogError::Syntax(e.to_string()))?;
        if file.version.trim().is_empty() {
            return Err(CatalogError::MissingVersion);
        }
        if file.types.is_empty() {
            return Err(CatalogError::NoTypes);
        }
        check_field_keys(toml_text)?;
        let mut codes = HashSet::new();
        for t in &file.types {
            t.validate()?;
            if !codes.insert(t.code.as_str()) {
                return Err(CatalogError::DuplicateTypeCode {
                    code: t.code.clone(),
                });
            }
        }
        let mut catalog = Catalog {
            version: file.version.trim().to_string(),
            title: file.title,
            types: file.types,
            digest: String::new(),
        };
        catalog.digest = catalog.compute_digest()?;
        Ok(catalog)
    }

    /// Parses the shipped default catalog afresh.
    pub fn default_catalog() -> Result<Catalog, CatalogError> {
        Self::parse(DEFAULT_CATALOG_TOML)
    }

    /// The shipped default catalog, parsed once and shared.
    pub fn default_checked() -> Result<&'static Catalog, CatalogError> {
        DEFAULT
            .get_or_init(Self::default_catalog)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The catalog's version string (from the file).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The catalog's title (from the file).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// All record types, in file order.
    pub fn types(&self) -> &[RecordType] {
        &self.types
    }

    /// The record type with this code.
    pub fn get(&self, code: &str) -> Option<&RecordType> {
        self.types.iter().find(|t| t.code == code)
    }

    /// SHA-256 (lower-case hex) of the canonical JSON of the parsed catalog: object keys
    /// sorted, no whitespace. Formatting and comments of the file do not change it; any change
    /// of content does.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The canonical JSON the digest is computed over.
    pub fn canonical_json(&self) -> Result<String, CatalogError> {
        let value =
            serde_json::to_value(self).map_err(|e| CatalogError::Serialize(e.to_string()))?;
        let mut out = String::new();
        write_canonical(&value, &mut out);
        Ok(out)
    }

    fn compute_digest(&self) -> Result<String, CatalogError> {
        let json = self.canonical_json()?;
        Ok(hex::encode(Sha256::digest(json.as_bytes())))
    }
}

impl fmt::Display for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}（{} 类）",
            self.title,
            self.version,
            self.types.len()
        )
    }
}

/// Field definitions flatten their type settings, which serde cannot check for unknown keys
/// (a misspelt `required` would silently default to `false`): check them on the raw table.
fn check_field_keys(toml_text: &str) -> Result<(), CatalogError> {
    const COMMON: [&str; 6] = [
        "name",
        "title",
        "aliases",
        "type",
        "required",
        "description",
    ];
    let table: toml::Table =
        toml::from_str(toml_text).map_err(|e| CatalogError::Syntax(e.to_string()))?;
    let types = table.get("types").and_then(toml::Value::as_array);
    for t in types.into_iter().flatten() {
        let type_code = t.get("code").and_then(toml::Value::as_str).unwrap_or("");
        let fields = t.get("fields").and_then(toml::Value::as_array);
        for f in fields.into_iter().flatten() {
            let Some(f) = f.as_table() else { continue };
            let specific: &[&str] = match f.get("type").and_then(toml::Value::as_str) {
                Some("text") => &["max_len"],
                Some("decimal") => &["scale", "allow_negative"],
                Some("integer") => &["allow_negative"],
                Some("enum") => &["values"],
                _ => &[],
            };
            if let Some(key) = f
                .keys()
                .find(|k| !COMMON.contains(&k.as_str()) && !specific.contains(&k.as_str()))
            {
                return Err(CatalogError::UnknownFieldKey {
                    type_code: type_code.to_string(),
                    field: f
                        .get("name")
                        .and_then(toml::Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    key: key.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Writes JSON with object keys sorted and no insignificant whitespace, independently of
/// serde_json's map ordering features.
fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn catalog() -> &'static Catalog {
        Catalog::default_checked().unwrap()
    }

    fn field<'a>(t: &'a RecordType, name: &str) -> &'a FieldDef {
        t.field(name)
            .unwrap_or_else(|| panic!("{}: no field {name}", t.code))
    }

    // -------------------------------------------------------------------------------------
    // The shipped catalog
    // -------------------------------------------------------------------------------------

    #[test]
    fn shipped_catalog_parses() {
        let c = Catalog::default_catalog().unwrap();
        assert!(!c.version().is_empty());
        assert_eq!(c.digest().len(), 64);
        assert_eq!(c.digest(), catalog().digest());
        assert!(c.to_string().contains(c.version()));
    }

    #[test]
    fn shipped_catalog_has_every_type_of_the_brief() {
        let c = catalog();
        let expected = [
            ("admin_license", "行政许可"),
            ("admin_penalty", "行政处罚"),
            ("court_judgment", "司法判决"),
            ("refusal_to_execute", "拒不执行生效判决"),
            ("dishonest_judgment_debtor", "失信被执行人"),
            ("disciplinary_sanction", "政务处分"),
            ("accountability", "问责"),
            ("civil_servant_appraisal", "公务员年度考核"),
            ("commendation", "表彰奖励"),
            ("procurement_performance", "政府采购"),
            ("procurement_arrears", "拖欠账款"),
            ("ppp_breach", "PPP"),
            ("investment_promise_breach", "招商引资"),
            ("statistical_fraud", "统计"),
            ("complaint_verified", "投诉举报"),
            ("audit_finding", "审计"),
            ("npc_cppcc_proposal", "政协提案"),
        ];
        for (code, name_part) in expected {
            let t = c.get(code).unwrap_or_else(|| panic!("missing {code}"));
            assert!(t.name.contains(name_part), "{code}: {}", t.name);
        }
        assert_eq!(c.types().len(), expected.len());
        assert!(c.get("nope").is_none());
    }

    const SUBJECT_BLOCK: [&str; 13] = [
        "行政相对人名称",
        "行政相对人类别",
        "行政相对人代码_1(统一社会信用代码)",
        "行政相对人代码_2(工商注册号)",
        "行政相对人代码_3(组织机构代码)",
        "行政相对人代码_4(税务登记号)",
        "行政相对人代码_5(事业单位证书号)",
        "行政相对人代码_6(社会组织登记证号)",
        "法定代表人",
        "法定代表人证件类型",
        "法定代表人证件号码",
        "证件类型",
        "证件号码",
    ];

    fn titles(t: &RecordType) -> Vec<&str> {
        t.fields.iter().map(|f| f.title.as_str()).collect()
    }

    #[test]
    fn penalty_columns_are_exactly_the_national_standard() {
        let t = catalog().get("admin_penalty").unwrap();
        let mut expected: Vec<&str> = SUBJECT_BLOCK.to_vec();
        expected.extend([
            "行政处罚决定书文号",
            "违法行为类型",
            "违法事实",
            "处罚依据",
            "处罚类别",
            "处罚内容",
            "罚款金额（万元）",
            "没收违法所得、没收非法财物的金额（万元）",
            "暂扣或吊销证照名称及编号",
            "处罚决定日期",
            "处罚有效期",
            "公示截止期",
            "处罚机关",
            "处罚机关统一社会信用代码",
            "数据来源单位",
            "数据来源单位统一社会信用代码",
            "备注",
        ]);
        assert_eq!(titles(t), expected);
        assert_eq!(t.class, RecordClass::Negative);
        assert_eq!(t.disclosure, Disclosure::Public);
        assert_eq!(t.publish_within_working_days, Some(7));
        assert_eq!(t.key_field, "decision_doc_no");
        assert_eq!(field(t, &t.key_field).title, "行政处罚决定书文号");
        assert_eq!(field(t, &t.decision_date_field).title, "处罚决定日期");
        assert_eq!(
            field(t, "fine_amount").kind,
            FieldType::Decimal {
                scale: 6,
                allow_negative: false
            }
        );
        let policy = t.severity.as_ref().unwrap();
        assert_eq!(policy.default, Severity::General);
        assert!(policy.per_row);
    }

    #[test]
    fn license_columns_are_exactly_the_national_standard() {
        let t = catalog().get("admin_license").unwrap();
        let mut expected: Vec<&str> = SUBJECT_BLOCK.to_vec();
        expected.extend([
            "行政许可决定文书名称",
            "行政许可决定文书号",
            "许可类别",
            "许可证书名称",
            "许可编号",
            "许可内容",
            "许可决定日期",
            "有效期自",
            "有效期至",
            "许可机关",
            "许可机关统一社会信用代码",
            "当前状态",
            "数据来源单位",
            "数据来源单位统一社会信用代码",
            "备注",
        ]);
        assert_eq!(titles(t), expected);
        assert_eq!(t.class, RecordClass::Basic);
        assert!(t.severity.is_none());
        let cat = field(t, "license_category");
        for (raw, code) in [
            ("01", "01"),
            ("普通", "01"),
            ("02", "02"),
            ("特许", "02"),
            ("03", "03"),
            ("认可", "03"),
            ("04", "04"),
            ("核准", "04"),
            ("05", "05"),
            ("登记", "05"),
            ("06", "06"),
            ("其他", "06"),
            ("6", "06"),
        ] {
            assert_eq!(cat.parse_value(raw), Ok(FieldValue::Enum(code.into())));
        }
        let id_type = field(t, "id_type");
        for (raw, code) in [
            ("身份证", "01"),
            ("护照", "02"),
            ("港澳通行证", "03"),
            ("台湾通行证", "04"),
            ("外国人永久居留身份证", "05"),
        ] {
            assert_eq!(id_type.parse_value(raw), Ok(FieldValue::Enum(code.into())));
        }
        let status = field(t, "status");
        assert_eq!(
            status.parse_value("有效"),
            Ok(FieldValue::Enum("valid".into()))
        );
        assert_eq!(
            status.parse_value("无效"),
            Ok(FieldValue::Enum("invalid".into()))
        );
        let kind = field(t, "subject_category");
        for label in ["法人及非法人组织", "自然人", "个体工商户"] {
            assert!(kind.parse_value(label).is_ok(), "{label}");
        }
        assert_eq!(t.subject.id_type_field.as_deref(), Some("id_type"));
        assert_eq!(t.subject.kind_field.as_deref(), Some("subject_category"));
    }

    #[test]
    fn every_negative_type_has_a_severity_and_every_type_is_consistent() {
        for t in catalog().types() {
            assert_eq!(
                t.severity.is_some(),
                t.class == RecordClass::Negative,
                "{}",
                t.code
            );
            assert!(!t.subject_kinds.is_empty());
            assert!(matches!(
                field(t, &t.decision_date_field).kind,
                FieldType::Date
            ));
            assert!(field(t, &t.key_field).required, "{}", t.code);
            assert!(field(t, &t.decision_date_field).required, "{}", t.code);
            assert!(field(t, &t.subject.name_field).required, "{}", t.code);
            if t.disclosure != Disclosure::Public {
                assert_eq!(
                    t.publication,
                    PublicationRule::None,
                    "{} is not public but published",
                    t.code
                );
            }
        }
    }

    #[test]
    fn realistic_fields_of_other_types() {
        let c = catalog();
        let t = c.get("dishonest_judgment_debtor").unwrap();
        for title in [
            "被执行人名称",
            "证件号码/统一社会信用代码",
            "执行法院",
            "执行依据文号",
            "立案时间",
            "案号",
            "失信被执行人行为具体情形",
            "发布时间",
        ] {
            assert!(t.resolve_column(title).is_some(), "{title}");
        }
        assert_eq!(field(t, "subject_code").kind, FieldType::UsccOrId);

        let t = c.get("disciplinary_sanction").unwrap();
        let kinds = field(t, "sanction_type");
        for label in ["警告", "记过", "记大过", "降级", "撤职", "开除"] {
            assert!(kinds.parse_value(label).is_ok(), "{label}");
        }
        assert_eq!(t.subject_kinds, vec![SubjectKind::CivilServant]);
        assert_eq!(t.disclosure, Disclosure::Shared);
        let mut vals = FieldValues::new();
        vals.insert("sanction_type".into(), kinds.parse_value("开除").unwrap());
        assert_eq!(t.row_severity(None, &vals), Some(Severity::Severe));
        vals.insert("sanction_type".into(), kinds.parse_value("警告").unwrap());
        assert_eq!(t.row_severity(None, &vals), Some(Severity::General));

        let t = c.get("civil_servant_appraisal").unwrap();
        let r = field(t, "result");
        for (label, code) in [
            ("优秀", "excellent"),
            ("称职", "competent"),
            ("基本称职", "basically_competent"),
            ("不称职", "incompetent"),
        ] {
            assert_eq!(r.parse_value(label), Ok(FieldValue::Enum(code.into())));
        }

        let t = c.get("procurement_arrears").unwrap();
        for title in [
            "合同编号",
            "合同金额（元）",
            "约定付款日期",
            "拖欠金额（元）",
        ] {
            assert!(t.resolve_column(title).is_some(), "{title}");
        }
        let t = c.get("procurement_performance").unwrap();
        for title in ["合同编号", "约定付款日期", "实际付款日期", "实际验收日期"]
        {
            assert!(t.resolve_column(title).is_some(), "{title}");
        }
    }

    // -------------------------------------------------------------------------------------
    // Column resolution
    // -------------------------------------------------------------------------------------

    #[test]
    fn resolve_column_folds_width_brackets_spaces_and_bom() {
        let t = catalog().get("admin_penalty").unwrap();
        let fine = |h: &str| t.resolve_column(h).map(|f| f.name.as_str());
        assert_eq!(fine("罚款金额（万元）"), Some("fine_amount"));
        assert_eq!(fine("罚款金额(万元)"), Some("fine_amount"));
        assert_eq!(fine("\u{feff}罚款金额(万元)"), Some("fine_amount"));
        assert_eq!(fine("  罚款金额 ( 万元 ) "), Some("fine_amount"));
        assert_eq!(fine("fine_amount"), Some("fine_amount"));
        assert_eq!(fine("FINE_AMOUNT"), Some("fine_amount"));
        assert_eq!(fine("ｆｉｎｅ＿ａｍｏｕｎｔ"), Some("fine_amount"));
        assert_eq!(fine("行政相对人代码_1（统一社会信用代码）"), Some("uscc"));
        assert_eq!(
            fine("\u{feff}行政相对人代码＿1 (统一社会信用代码)"),
            Some("uscc")
        );
        assert_eq!(fine("统一社会信用代码"), Some("uscc"));
        assert_eq!(fine("行政处罚决定书文号："), Some("decision_doc_no"));
        assert_eq!(
            fine("没收违法所得、没收非法财物的金额(万元)"),
            Some("confiscation_amount")
        );
        assert_eq!(fine("\u{3000}备注\u{3000}"), Some("remarks"));
        assert_eq!(fine("法定代表人姓名"), Some("legal_rep"));
        assert_eq!(fine("不存在的列"), None);
        assert_eq!(fine(""), None);
        assert_eq!(fine("\u{feff}"), None);
        assert!(field(t, "fine_amount").matches_header("罚款金额(万元)"));
    }

    #[test]
    fn legacy_columns_are_reported_with_a_reason() {
        let t = catalog().get("admin_penalty").unwrap();
        for h in [
            "处罚名称",
            "处罚类别1",
            "处罚类别2",
            "处罚事由",
            "处罚结果",
            "当前状态",
            "地方编码",
            "数据更新时间戳",
            "行政相对人代码_2 (组织机构代码)",
            "行政相对人代码_5（居民身份证号）",
        ] {
            let reason = t.legacy_column(h).unwrap_or_else(|| panic!("{h}"));
            assert!(!reason.is_empty());
            assert!(t.resolve_column(h).is_none(), "{h} resolves");
        }
        assert!(t.legacy_column("处罚类别1：").is_some());
        assert!(t.legacy_column("处罚类别").is_none());
        // 当前状态 is legacy for penalties but a standard licence column.
        let lic = catalog().get("admin_license").unwrap();
        assert!(lic.legacy_column("当前状态").is_none());
        assert_eq!(lic.resolve_column("当前状态").unwrap().name, "status");
        assert!(lic.legacy_column("许可截止期").is_some());
    }

    #[test]
    fn severity_column_and_parse() {
        let t = catalog().get("admin_penalty").unwrap();
        assert!(t.is_severity_column("失信严重程度"));
        assert!(t.is_severity_column(" 严重程度 "));
        assert!(!t.is_severity_column("处罚类别"));
        assert!(!catalog()
            .get("admin_license")
            .unwrap()
            .is_severity_column("失信严重程度"));
        assert_eq!(Severity::parse("严重"), Some(Severity::Severe));
        assert_eq!(Severity::parse("严重失信"), Some(Severity::Severe));
        assert_eq!(Severity::parse("较重"), Some(Severity::Major));
        assert_eq!(Severity::parse(" general "), Some(Severity::General));
        assert_eq!(Severity::parse("轻微"), Some(Severity::Minor));
        assert_eq!(Severity::parse("很严重"), None);
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.code()), Some(s));
            assert_eq!(Severity::parse(s.label()), Some(s));
        }
    }

    #[test]
    fn penalty_severity_is_derived_from_the_category() {
        let t = catalog().get("admin_penalty").unwrap();
        let cat = field(t, "penalty_category");
        let sev = |c: &str| {
            let mut v = FieldValues::new();
            v.insert("penalty_category".into(), cat.parse_value(c).unwrap());
            t.row_severity(None, &v)
        };
        assert_eq!(sev("警告"), Some(Severity::Minor));
        assert_eq!(sev("警告;罚款"), Some(Severity::General));
        assert_eq!(sev("罚款;吊销许可证件"), Some(Severity::Severe));
        assert_eq!(sev("其他"), Some(Severity::General));
        let mut v = FieldValues::new();
        v.insert("penalty_category".into(), cat.parse_value("警告").unwrap());
        assert_eq!(
            t.row_severity(Some(Severity::Severe), &v),
            Some(Severity::Severe)
        );
        let lic = catalog().get("admin_license").unwrap();
        assert_eq!(lic.row_severity(Some(Severity::Severe), &v), None);
        // per_row = false ignores the explicit severity.
        let dj = catalog().get("dishonest_judgment_debtor").unwrap();
        assert_eq!(
            dj.row_severity(Some(Severity::Minor), &v),
            Some(Severity::Severe)
        );
    }

    // -------------------------------------------------------------------------------------
    // Values
    // -------------------------------------------------------------------------------------

    fn fd(kind: FieldType, required: bool) -> FieldDef {
        FieldDef {
            name: "x".into(),
            title: "测试列".into(),
            aliases: vec![],
            kind,
            required,
            description: None,
        }
    }

    fn text(max_len: u32, required: bool) -> FieldDef {
        fd(FieldType::Text { max_len }, required)
    }

    fn dec(scale: u32) -> FieldDef {
        fd(
            FieldType::Decimal {
                scale,
                allow_negative: false,
            },
            false,
        )
    }

    #[test]
    fn text_values() {
        let f = text(4, true);
        assert_eq!(
            f.parse_value("  常州市 "),
            Ok(FieldValue::Text("常州市".into()))
        );
        assert_eq!(
            f.parse_value("一二三四"),
            Ok(FieldValue::Text("一二三四".into()))
        );
        let e = f.parse_value("一二三四五").unwrap_err();
        assert_eq!(e.code(), "too_long");
        assert!(e.to_string().contains("测试列"));
        let e = f.parse_value("  \u{3000} ").unwrap_err();
        assert_eq!(e.code(), "required");
        assert!(e.to_string().contains("测试列"));
        assert_eq!(text(4, false).parse_value(""), Ok(FieldValue::Empty));
        // Full-width text is kept as written.
        assert_eq!(
            text(10, false).parse_value("（一）"),
            Ok(FieldValue::Text("（一）".into()))
        );
    }

    #[test]
    fn date_values() {
        let f = fd(FieldType::Date, true);
        let ok = d(2025, 1, 24);
        for raw in [
            "2025-01-24",
            "2025/1/24",
            "20250124",
            "2025年1月24日",
            "2025年01月24",
            "2025.01.24",
            "2025-1-24",
            " 2025-01-24 ",
            "２０２５－０１－２４",
            "2025-01-24 00:00:00",
            "2025-01-24T10:30:00",
            "2025/01/24 9:05",
            "2025-01-24 00:00:00.000",
        ] {
            assert_eq!(f.parse_value(raw), Ok(FieldValue::Date(ok)), "{raw}");
        }
        for raw in [
            "2025-02-30",
            "2025-13-01",
            "20250230",
            "2025年2月29日",
            "2025/00/10",
        ] {
            let e = f.parse_value(raw).unwrap_err();
            assert_eq!(e.code(), "impossible_date", "{raw}");
            assert!(e.to_string().contains("测试列"));
        }
        assert_eq!(
            f.parse_value("2024-02-29"),
            Ok(FieldValue::Date(d(2024, 2, 29)))
        );
        for raw in [
            "25-01-24",
            "2025-01/24",
            "2025-01-24x",
            "2025-001-24",
            "2025124",
            "abc",
            "45681",
            "2025-01-24 25:00",
            "2025年1月",
        ] {
            assert_eq!(
                f.parse_value(raw).unwrap_err().code(),
                "invalid_date",
                "{raw}"
            );
        }
        assert_eq!(f.parse_value("").unwrap_err().code(), "required");
    }

    #[test]
    fn decimal_values() {
        let f = dec(6);
        let v = |raw: &str| f.parse_value(raw);
        assert_eq!(v("12.5"), Ok(FieldValue::Decimal("12.5".into())));
        assert_eq!(v("0012.500"), Ok(FieldValue::Decimal("12.5".into())));
        assert_eq!(v("0.000001"), Ok(FieldValue::Decimal("0.000001".into())));
        assert_eq!(v(".5"), Ok(FieldValue::Decimal("0.5".into())));
        assert_eq!(v("3."), Ok(FieldValue::Decimal("3".into())));
        assert_eq!(v("+7"), Ok(FieldValue::Decimal("7".into())));
        assert_eq!(v("0"), Ok(FieldValue::Decimal("0".into())));
        assert_eq!(v("-0"), Ok(FieldValue::Decimal("0".into())));
        assert_eq!(
            v("1,234,567.89"),
            Ok(FieldValue::Decimal("1234567.89".into()))
        );
        assert_eq!(v("１２．５"), Ok(FieldValue::Decimal("12.5".into())));
        assert_eq!(v("1.1234560"), Ok(FieldValue::Decimal("1.123456".into())));
        assert_eq!(v(""), Ok(FieldValue::Empty));
        assert_eq!(v("1.1234567").unwrap_err().code(), "decimal_scale");
        for raw in [
            "1,23", "12,34.5", "1.2.3", "abc", "1e5", ".", "-", "1 000", "¥5", "5元",
        ] {
            assert_eq!(v(raw).unwrap_err().code(), "invalid_decimal", "{raw}");
        }
        assert_eq!(v("-5").unwrap_err().code(), "negative_number");
        assert_eq!(
            v("123456789012345678901").unwrap_err().code(),
            "number_too_large"
        );
        let signed = fd(
            FieldType::Decimal {
                scale: 2,
                allow_negative: true,
            },
            false,
        );
        assert_eq!(
            signed.parse_value("-5.10"),
            Ok(FieldValue::Decimal("-5.1".into()))
        );
        let e = dec(0).parse_value("1.5").unwrap_err();
        assert_eq!(e.code(), "decimal_scale");
        assert!(e.to_string().contains("测试列"));
        assert_eq!(
            dec(0).parse_value("15.00"),
            Ok(FieldValue::Decimal("15".into()))
        );
    }

    #[test]
    fn integer_values() {
        let f = fd(
            FieldType::Integer {
                allow_negative: false,
            },
            true,
        );
        assert_eq!(f.parse_value("2024"), Ok(FieldValue::Integer(2024)));
        assert_eq!(f.parse_value("2024.0"), Ok(FieldValue::Integer(2024)));
        assert_eq!(f.parse_value("+12"), Ok(FieldValue::Integer(12)));
        assert_eq!(f.parse_value("２０２４"), Ok(FieldValue::Integer(2024)));
        assert_eq!(f.parse_value("12.5").unwrap_err().code(), "invalid_integer");
        assert_eq!(f.parse_value("x").unwrap_err().code(), "invalid_integer");
        assert_eq!(f.parse_value("-1").unwrap_err().code(), "negative_number");
        assert_eq!(
            f.parse_value("99999999999999999999").unwrap_err().code(),
            "number_too_large"
        );
        assert_eq!(f.parse_value("").unwrap_err().code(), "required");
        let s = fd(
            FieldType::Integer {
                allow_negative: true,
            },
            false,
        );
        assert_eq!(s.parse_value("-3"), Ok(FieldValue::Integer(-3)));
    }

    #[test]
    fn enum_values() {
        let f = fd(
            FieldType::Enum {
                values: vec![
                    EnumValue {
                        code: "01".into(),
                        label: "身份证".into(),
                        aliases: vec!["居民身份证".into()],
                    },
                    EnumValue {
                        code: "A".into(),
                        label: "甲".into(),
                        aliases: vec![],
                    },
                ],
            },
            false,
        );
        assert_eq!(f.parse_value("01"), Ok(FieldValue::Enum("01".into())));
        assert_eq!(f.parse_value("1"), Ok(FieldValue::Enum("01".into())));
        assert_eq!(f.parse_value("００１"), Ok(FieldValue::Enum("01".into())));
        assert_eq!(f.parse_value(" 身份证 "), Ok(FieldValue::Enum("01".into())));
        assert_eq!(
            f.parse_value("居民身份证"),
            Ok(FieldValue::Enum("01".into()))
        );
        assert_eq!(f.parse_value("a"), Ok(FieldValue::Enum("A".into())));
        assert_eq!(f.parse_value("甲"), Ok(FieldValue::Enum("A".into())));
        assert_eq!(f.parse_value(""), Ok(FieldValue::Empty));
        let e = f.parse_value("护照").unwrap_err();
        assert_eq!(e.code(), "invalid_enum");
        assert!(e.to_string().contains("测试列"));
        assert!(e.to_string().contains("01 身份证"));
        assert_eq!(f.parse_value("2").unwrap_err().code(), "invalid_enum");
    }

    #[test]
    fn code_values_are_only_normalised() {
        for kind in [FieldType::Uscc, FieldType::IdNumber, FieldType::UsccOrId] {
            let f = fd(kind, true);
            assert_eq!(
                f.parse_value(" 91320400mA1ｘ２ "),
                Ok(FieldValue::Code("91320400MA1X2".into()))
            );
            assert_eq!(f.parse_value("").unwrap_err().code(), "required");
        }
        assert_eq!(FieldValue::Code("X".into()).as_str(), Some("X"));
        assert!(FieldValue::Empty.is_empty());
    }

    // -------------------------------------------------------------------------------------
    // Publication
    // -------------------------------------------------------------------------------------

    #[test]
    fn general_penalty_publication_and_repair() {
        let t = catalog().get("admin_penalty").unwrap();
        let none = FieldValues::new();
        let decided = d(2025, 1, 31);
        assert_eq!(
            t.publication
                .publish_until(decided, Some(Severity::General), &none),
            PublicationEnd::Until(d(2026, 1, 31))
        );
        assert_eq!(
            t.publication
                .repairable_from(decided, Some(Severity::General)),
            Some(d(2025, 4, 30))
        );
        // None counts as 一般.
        assert_eq!(
            t.publication.publish_until(decided, None, &none),
            PublicationEnd::Until(d(2026, 1, 31))
        );
        // Severe: 1–3 years.
        assert_eq!(
            t.publication
                .publish_until(decided, Some(Severity::Severe), &none),
            PublicationEnd::Until(d(2028, 1, 31))
        );
        assert_eq!(
            t.publication
                .repairable_from(decided, Some(Severity::Severe)),
            Some(d(2026, 1, 31))
        );
        // Minor: not published, repairable at once.
        assert_eq!(
            t.publication
                .publish_until(decided, Some(Severity::Minor), &none),
            PublicationEnd::NotPublished
        );
        assert_eq!(
            t.publication
                .repairable_from(decided, Some(Severity::Minor)),
            Some(decided)
        );
        // Leap day.
        assert_eq!(
            t.publication
                .publish_until(d(2024, 2, 29), Some(Severity::General), &none),
            PublicationEnd::Until(d(2025, 2, 28))
        );
    }

    #[test]
    fn penalty_deadline_column_is_clamped_to_the_window() {
        let t = catalog().get("admin_penalty").unwrap();
        let decided = d(2025, 1, 31);
        let with = |date: NaiveDate| {
            let mut v = FieldValues::new();
            v.insert("publicity_deadline".into(), FieldValue::Date(date));
            t.publication
                .publish_until(decided, Some(Severity::General), &v)
        };
        assert_eq!(with(d(2025, 9, 1)), PublicationEnd::Until(d(2025, 9, 1)));
        assert_eq!(with(d(2025, 2, 1)), PublicationEnd::Until(d(2025, 4, 30)));
        assert_eq!(with(d(2099, 12, 31)), PublicationEnd::Until(d(2026, 1, 31)));
        // Through the type: severity derived from the category.
        let mut v = FieldValues::new();
        v.insert(
            "penalty_category".into(),
            FieldValue::Text("吊销许可证件".into()),
        );
        assert_eq!(
            t.publish_until(decided, None, &v),
            PublicationEnd::Until(d(2028, 1, 31))
        );
        assert_eq!(t.repairable_from(decided, None, &v), Some(d(2026, 1, 31)));
    }

    #[test]
    fn licence_is_published_until_its_validity_ends() {
        let t = catalog().get("admin_license").unwrap();
        let decided = d(2025, 3, 1);
        let valid_to = field(t, "valid_to");
        let with = |raw: &str| {
            let mut v = FieldValues::new();
            v.insert("valid_to".into(), valid_to.parse_value(raw).unwrap());
            t.publish_until(decided, None, &v)
        };
        assert_eq!(with("2030/2/28"), PublicationEnd::Until(d(2030, 2, 28)));
        assert_eq!(with("2099/12/31"), PublicationEnd::Never);
        assert_eq!(
            t.publish_until(decided, None, &FieldValues::new()),
            PublicationEnd::Never
        );
        assert_eq!(
            t.repairable_from(decided, None, &FieldValues::new()),
            Some(decided)
        );
    }

    #[test]
    fn other_publication_rules() {
        let none = FieldValues::new();
        let decided = d(2025, 8, 31);
        assert_eq!(
            PublicationRule::FixedMonths { months: 6 }.publish_until(decided, None, &none),
            PublicationEnd::Until(d(2026, 2, 28))
        );
        assert_eq!(
            PublicationRule::WhileInForce.publish_until(decided, None, &none),
            PublicationEnd::Never
        );
        assert_eq!(
            PublicationRule::None.publish_until(decided, None, &none),
            PublicationEnd::NotPublished
        );
        assert_eq!(PublicationRule::None.repairable_from(decided, None), None);
        let not_repairable = PublicationRule::BySeverity {
            periods: SeverityPeriods {
                minor: SeverityPeriod {
                    min_months: 0,
                    max_months: 0,
                    repairable: true,
                },
                general: SeverityPeriod {
                    min_months: 3,
                    max_months: 12,
                    repairable: true,
                },
                major: SeverityPeriod {
                    min_months: 6,
                    max_months: 24,
                    repairable: true,
                },
                severe: SeverityPeriod {
                    min_months: 36,
                    max_months: 36,
                    repairable: false,
                },
            },
            deadline_field: None,
        };
        assert_eq!(
            not_repairable.repairable_from(decided, Some(Severity::Severe)),
            None
        );
        assert_eq!(
            not_repairable.repairable_from(decided, Some(Severity::Major)),
            Some(d(2026, 2, 28))
        );
        let dj = catalog().get("dishonest_judgment_debtor").unwrap();
        assert_eq!(
            dj.publish_until(decided, None, &none),
            PublicationEnd::Never
        );
        assert_eq!(add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    // -------------------------------------------------------------------------------------
    // Parse errors
    // -------------------------------------------------------------------------------------

    const MINIMAL: &str = r#"
version = "t1"
title = "测试目录"

[[types]]
code = "t_neg"
name = "测试失信"
name_en = "Test negative"
subject_kinds = ["gov_body", "enterprise"]
class = "negative"
severity = { default = "general", per_row = true, column = { title = "失信严重程度" }, rules = [ { field = "kind", matches = ["a"], severity = "severe" } ] }
disclosure = "public"
key_field = "doc_no"
decision_date_field = "decided"
publication = { rule = "by_severity", deadline_field = "deadline", periods = { minor = { min_months = 0, max_months = 0 }, general = { min_months = 3, max_months = 12 }, major = { min_months = 3, max_months = 12 }, severe = { min_months = 12, max_months = 36 } } }
subject = { name_field = "subject_name", uscc_field = "uscc", id_number_field = "id_no", id_type_field = "kind" }
fields = [
  { name = "subject_name", title = "名称", type = "text", max_len = 100, required = true },
  { name = "uscc", title = "统一社会信用代码", aliases = ["信用代码"], type = "uscc" },
  { name = "id_no", title = "身份证号", type = "id_number" },
  { name = "kind", title = "类别", type = "enum", values = [ { code = "a", label = "甲" }, { code = "b", label = "乙" } ] },
  { name = "doc_no", title = "文号", type = "text", max_len = 50, required = true },
  { name = "decided", title = "决定日期", type = "date", required = true },
  { name = "deadline", title = "公示截止期", type = "date" },
  { name = "amount", title = "金额（万元）", type = "decimal", scale = 6 },
]
legacy_columns = [ { title = "旧列", reason = "旧标准" } ]

[[types]]
code = "t_basic"
name = "测试基础"
name_en = "Test basic"
subject_kinds = ["civil_servant"]
class = "basic"
disclosure = "shared"
key_field = "doc_no"
decision_date_field = "decided"
publication = { rule = "fixed_months", months = 6 }
subject = { name_field = "subject_name" }
fields = [
  { name = "subject_name", title = "姓名", type = "text", max_len = 50, required = true },
  { name = "doc_no", title = "文号", type = "text", max_len = 50, required = true },
  { name = "decided", title = "决定日期", type = "date", required = true },
]
"#;

    fn err(toml_text: &str) -> CatalogError {
        Catalog::parse(toml_text).unwrap_err()
    }

    fn mutate(from: &str, to: &str) -> CatalogError {
        assert!(MINIMAL.contains(from), "fixture lacks {from}");
        err(&MINIMAL.replacen(from, to, 1))
    }

    #[test]
    fn minimal_catalog_parses_and_digest_is_stable() {
        let a = Catalog::parse(MINIMAL).unwrap();
        assert_eq!(a.version(), "t1");
        assert_eq!(a.title(), "测试目录");
        assert_eq!(a.types().len(), 2);
        // Formatting and comments do not change the digest …
        let reformatted = format!(
            "# comment\n{}",
            MINIMAL.replace("title = \"测试目录\"", "title   =   \"测试目录\"")
        );
        let b = Catalog::parse(&reformatted).unwrap();
        assert_eq!(a.digest(), b.digest());
        // … content does.
        let c = Catalog::parse(&MINIMAL.replace("months = 6", "months = 7")).unwrap();
        assert_ne!(a.digest(), c.digest());
        let json = a.canonical_json().unwrap();
        assert!(json.starts_with("{\"title\":") || json.starts_with("{\"types\":"));
        assert_eq!(hex::encode(Sha256::digest(json.as_bytes())), a.digest());
    }

    #[test]
    fn parse_error_paths() {
        let cases: Vec<(CatalogError, &str)> = vec![
            (err("version = "), "catalog_syntax"),
            (mutate("type = \"date\", required = true }", "type = \"datum\" }"), "catalog_syntax"),
            (mutate("disclosure = \"public\"", "disclosure = \"public\"\nextra = 1"), "catalog_syntax"),
            (mutate("version = \"t1\"", "version = \" \""), "missing_version"),
            // A misspelt key in a field is not silently ignored.
            (mutate("max_len = 100, required = true", "max_len = 100, requried = true"), "unknown_field_key"),
            (mutate("type = \"date\", required = true }", "type = \"date\", requried = true }"), "unknown_field_key"),
            (mutate("type = \"uscc\" }", "type = \"uscc\", max_len = 18 }"), "unknown_field_key"),
            (err("version = \"1\"\n"), "no_types"),
            (mutate("code = \"t_neg\"", "code = \"T-neg\""), "invalid_type_code"),
            (mutate("code = \"t_basic\"", "code = \"t_neg\""), "duplicate_type_code"),
            (mutate("name_en = \"Test negative\"", "name_en = \"\""), "missing_name"),
            (mutate("subject_kinds = [\"civil_servant\"]", "subject_kinds = []"), "no_subject_kinds"),
            (
                mutate("subject_kinds = [\"gov_body\", \"enterprise\"]", "subject_kinds = [\"gov_body\", \"gov_body\"]"),
                "duplicate_subject_kind",
            ),
            (
                mutate("subject = { name_field = \"subject_name\" }\nfields = [", "subject = { name_field = \"subject_name\" }\nfields = []\nxfields = ["),
                "catalog_syntax",
            ),
            (mutate("name = \"amount\"", "name = \"Amount\""), "invalid_field_name"),
            (mutate("name = \"amount\"", "name = \"deadline\""), "duplicate_column"),
            (mutate("title = \"金额（万元）\"", "title = \"公示截止期\""), "duplicate_column"),
            // Same title after width folding.
            (mutate("title = \"金额（万元）\"", "title = \"公示截止期 \""), "duplicate_column"),
            // An alias colliding with another field's English name.
            (mutate("aliases = [\"信用代码\"]", "aliases = [\"ID_NO\"]"), "duplicate_column"),
            (mutate("aliases = [\"信用代码\"]", "aliases = [\" \"]"), "empty_title"),
            (mutate("title = \"金额（万元）\"", "title = \"\""), "empty_title"),
            // The severity column colliding with a field.
            (mutate("column = { title = \"失信严重程度\" }", "column = { title = \"类别\" }"), "duplicate_column"),
            // A legacy column colliding with a field.
            (mutate("title = \"旧列\"", "title = \"文号\""), "duplicate_column"),
            (mutate("reason = \"旧标准\"", "reason = \"\""), "invalid_legacy_column"),
            (mutate("max_len = 100", "max_len = 0"), "invalid_field_type"),
            (mutate("scale = 6", "scale = 19"), "invalid_field_type"),
            (
                mutate("values = [ { code = \"a\", label = \"甲\" }, { code = \"b\", label = \"乙\" } ]", "values = []"),
                "empty_enum",
            ),
            (mutate("{ code = \"b\", label = \"乙\" }", "{ code = \"b\", label = \"甲\" }"), "duplicate_enum_value"),
            (mutate("{ code = \"b\", label = \"乙\" }", "{ code = \"B\", label = \"乙\", aliases = [\"a\"] }"), "duplicate_enum_value"),
            (mutate("{ code = \"b\", label = \"乙\" }", "{ code = \"\", label = \"乙\" }"), "duplicate_enum_value"),
            (mutate("{ code = \"a\", label = \"甲\" }, { code = \"b\"", "{ code = \"01\", label = \"甲\" }, { code = \"1\""), "duplicate_enum_value"),
            (mutate("key_field = \"doc_no\"", "key_field = \"doc\""), "unknown_field_reference"),
            (mutate("key_field = \"doc_no\"", "key_field = \"decided\""), "field_type_mismatch"),
            (mutate("decision_date_field = \"decided\"", "decision_date_field = \"doc_no\""), "field_type_mismatch"),
            (mutate("decision_date_field = \"decided\"", "decision_date_field = \"nope\""), "unknown_field_reference"),
            (mutate("name_field = \"subject_name\", uscc_field", "name_field = \"who\", uscc_field"), "unknown_field_reference"),
            (mutate("uscc_field = \"uscc\"", "uscc_field = \"id_no\""), "field_type_mismatch"),
            (mutate("id_number_field = \"id_no\"", "id_number_field = \"uscc\""), "field_type_mismatch"),
            (mutate("id_type_field = \"kind\"", "id_type_field = \"doc_no\""), "field_type_mismatch"),
            (mutate("id_type_field = \"kind\"", "id_type_field = \"kind\", kind_field = \"gone\""), "unknown_field_reference"),
            (
                mutate("class = \"negative\"\nseverity = { default = \"general\", per_row = true, column = { title = \"失信严重程度\" }, rules = [ { field = \"kind\", matches = [\"a\"], severity = \"severe\" } ] }", "class = \"negative\""),
                "missing_severity",
            ),
            (mutate("class = \"basic\"", "class = \"basic\"\nseverity = { default = \"general\" }"), "unexpected_severity"),
            (mutate("per_row = true", "per_row = false"), "invalid_severity_policy"),
            (mutate("matches = [\"a\"]", "matches = [\"c\"]"), "invalid_severity_policy"),
            (mutate("matches = [\"a\"]", "matches = []"), "invalid_severity_policy"),
            (mutate("{ field = \"kind\", matches", "{ field = \"decided\", matches"), "field_type_mismatch"),
            (mutate("{ field = \"kind\", matches", "{ field = \"gone\", matches"), "unknown_field_reference"),
            (mutate("column = { title = \"失信严重程度\" }", "column = { title = \" \" }"), "invalid_severity_policy"),
            (mutate("months = 6", "months = 0"), "invalid_publication"),
            (mutate("general = { min_months = 3, max_months = 12 }", "general = { min_months = 13, max_months = 12 }"), "invalid_publication"),
            (mutate("deadline_field = \"deadline\"", "deadline_field = \"doc_no\""), "field_type_mismatch"),
            (
                mutate("publication = { rule = \"fixed_months\", months = 6 }", "publication = { rule = \"until_field\", field = \"doc_no\" }"),
                "field_type_mismatch",
            ),
            (
                mutate("publication = { rule = \"fixed_months\", months = 6 }", "publication = { rule = \"by_severity\", periods = { minor = { min_months = 0, max_months = 0 }, general = { min_months = 3, max_months = 12 }, major = { min_months = 3, max_months = 12 }, severe = { min_months = 12, max_months = 36 } } }"),
                "invalid_publication",
            ),
        ];
        for (i, (e, code)) in cases.iter().enumerate() {
            assert_eq!(e.code(), *code, "case {i}: {e}");
            let msg = e.to_string();
            assert!(!msg.is_empty());
            assert!(
                msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "case {i}: message not Chinese: {msg}"
            );
        }
        // NoFields: a type with an empty field list.
        let no_fields = MINIMAL.replace(
            "fields = [\n  { name = \"subject_name\", title = \"姓名\", type = \"text\", max_len = 50, required = true },\n  { name = \"doc_no\", title = \"文号\", type = \"text\", max_len = 50, required = true },\n  { name = \"decided\", title = \"决定日期\", type = \"date\", required = true },\n]",
            "fields = []",
        );
        assert_ne!(no_fields, MINIMAL);
        assert_eq!(err(&no_fields).code(), "no_fields");
        assert_eq!(
            CatalogError::Serialize("x".into()).code(),
            "catalog_serialize"
        );
    }

    #[test]
    fn normalisation_helpers() {
        assert_eq!(fold_width('（'), '(');
        assert_eq!(fold_width('）'), ')');
        assert_eq!(fold_width('Ａ'), 'A');
        assert_eq!(fold_width('＿'), '_');
        assert_eq!(fold_width('\u{3000}'), ' ');
        assert_eq!(fold_width('【'), '[');
        assert_eq!(fold_width('中'), '中');
        assert_eq!(
            normalize_header("\u{feff} 罚款金额（万元）： "),
            "罚款金额(万元)"
        );
        assert_eq!(normalize_header("Fine_Amount"), "fine_amount");
        assert!(is_snake_case("admin_license"));
        assert!(!is_snake_case("admin__license"));
        assert!(!is_snake_case("_x"));
        assert!(!is_snake_case("x_"));
        assert!(!is_snake_case("1x"));
        assert_eq!(FieldType::UsccOrId.code(), "uscc_or_id");
        assert_eq!(SubjectKind::GovBody.label(), "机关");
        assert_eq!(RecordClass::Negative.label(), "失信");
        assert_eq!(Disclosure::Authorised.code(), "authorised");
    }
}
