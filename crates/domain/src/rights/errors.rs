//! Why a rights operation is refused: stable codes and Chinese messages.

use super::*;

/// Why a rights operation is refused. Every variant has a stable code and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RightsError {
    #[error("权益保护规则文件有误：{0}")]
    Rules(String),
    #[error("没有 {0} 起施行的信用修复规则")]
    NoRuleVersion(NaiveDate),
    #[error("申请当前状态为“{}”，不能执行“{}”", .from.label(), .action)]
    IllegalTransition {
        from: AppState,
        action: &'static str,
    },
    #[error("该操作不适用于{}", .kind.label())]
    WrongKind { kind: AppKind },
    #[error("须填写理由")]
    ReasonsRequired,
    #[error("须填写认定依据和批准人")]
    BasisRequired,
    #[error("名单条目不能“更正”，只能移出或维持")]
    CorrectListEntry,
    #[error("更正须指明要更正的字段及其更正后的内容")]
    FieldsRequired,
    #[error("最短公示期未满，{earliest} 起方可申请信用修复")]
    PeriodNotReached { earliest: NaiveDate },
    #[error("该失信信息依规不可修复")]
    NotRepairable,
    #[error("只有失信信息可以申请信用修复")]
    NotNegative,
    #[error("该信息当前状态为“{}”，无需或不能修复", .0.label())]
    NotRepairableStatus(RecordStatus),
    #[error("缺少申请材料：{}", .0.join("、"))]
    MaterialsMissing(Vec<String>),
    #[error("须作出公开信用承诺")]
    CommitmentMissing,
    #[error("因提供虚假材料被撤销修复，{until} 前不得再次申请")]
    Barred { until: NaiveDate },
    #[error("不予修复须说明理由类别")]
    GroundsRequired,
    #[error("证明材料超过 {max} 个")]
    TooManyFiles { max: usize },
    #[error("证明材料“{name}”超过 {max_mb} MB")]
    FileTooLarge { name: String, max_mb: u64 },
    #[error("一件申请的证明材料合计不得超过 {max_mb} MB（已有 {used_mb} MB）")]
    EvidenceQuota { max_mb: u64, used_mb: u64 },
    #[error("证明材料“{name}”为空文件")]
    EmptyFile { name: String },
    #[error("证明材料“{name}”的类型不被接受（仅接受 PDF、JPEG、PNG、OFD），或内容与扩展名不符")]
    FileType { name: String },
    #[error("证明材料名称不合法")]
    FileName,
    #[error("材料类别“{0}”不存在")]
    UnknownMaterial(String),
    #[error("{0}")]
    Calendar(String),
}

impl RightsError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rules(_) => "rights_rules_invalid",
            Self::NoRuleVersion(_) => "no_rule_version",
            Self::IllegalTransition { .. } => "illegal_transition",
            Self::WrongKind { .. } => "wrong_application_kind",
            Self::ReasonsRequired => "reasons_required",
            Self::BasisRequired => "basis_required",
            Self::CorrectListEntry => "cannot_correct_list_entry",
            Self::FieldsRequired => "fields_required",
            Self::PeriodNotReached { .. } => "repair_period_not_reached",
            Self::NotRepairable => "not_repairable",
            Self::NotNegative => "not_negative_record",
            Self::NotRepairableStatus(_) => "not_repairable_status",
            Self::MaterialsMissing(_) => "materials_missing",
            Self::CommitmentMissing => "commitment_missing",
            Self::Barred { .. } => "repair_barred",
            Self::GroundsRequired => "grounds_required",
            Self::TooManyFiles { .. } => "too_many_files",
            Self::FileTooLarge { .. } => "file_too_large",
            Self::EvidenceQuota { .. } => "evidence_quota_exceeded",
            Self::EmptyFile { .. } => "empty_file",
            Self::FileType { .. } => "file_type_not_accepted",
            Self::FileName => "invalid_file_name",
            Self::UnknownMaterial(_) => "unknown_material",
            Self::Calendar(_) => "calendar_year_not_covered",
        }
    }
}

impl From<CalendarError> for RightsError {
    fn from(e: CalendarError) -> Self {
        Self::Calendar(e.to_string())
    }
}
