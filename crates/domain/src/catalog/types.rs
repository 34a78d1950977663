//! The catalog's structure as parsed from TOML: field definitions, subject fields, severity
//! policies, publication rules, record types and the catalog itself.

use super::*;

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

/// Which fields name the authority that decided a record (处罚机关, 许可机关, 授予机关): the
/// body in whose name the record is published. A row naming another body than its submitting
/// department is accepted only under a delegation ([`crate::authority`]), and the record falls
/// under the jurisdiction of the authority's region as well as the submitter's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorityFields {
    /// The authority's USCC (a `uscc` field).
    pub uscc_field: String,
    /// The authority's name (a `text` field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_field: Option<String>,
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
    /// Fields naming the deciding authority, for types that name it by code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<AuthorityFields>,
    /// The field schema, in the standard's column order.
    pub fields: Vec<FieldDef>,
    /// Columns of superseded standards, rejected with a reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legacy_columns: Vec<LegacyColumn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CatalogFile {
    pub(super) version: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) types: Vec<RecordType>,
}

/// A parsed and validated catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalog {
    pub(super) version: String,
    pub(super) title: String,
    pub(super) types: Vec<RecordType>,
    #[serde(skip)]
    pub(super) digest: String,
}
