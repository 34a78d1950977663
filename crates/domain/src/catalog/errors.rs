//! Why a catalog file or a cell value was rejected.

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
    /// A control character ([`crate::text`]): never part of legitimate text.
    #[error("“{title}”含有不可见的控制字符（{codepoint}），请删除后重新提交")]
    ControlCharacter {
        /// Column title.
        title: String,
        /// The character, as `U+0000`.
        codepoint: String,
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
            Self::ControlCharacter { .. } => "control_character",
        }
    }
}
