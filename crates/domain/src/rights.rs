//! 信用权益保护 — credit rights: objections (异议申诉), credit repair (信用修复), error
//! tolerance (容错纠错) and mitigation (从轻/免于惩戒).
//!
//! Pure rules: the workflows as state machines with working-day deadlines, the repair rules of
//! 国家发展改革委令第58号 (2023) and 第36号 (2025) as data (`data/rights/rules.toml`) chosen by
//! the filing date, and repair eligibility. Who may take a step is the server's business
//! (permissions and jurisdiction); what a step does to the record or list entry is returned as
//! an [`Effect`] for the store to apply atomically with the application.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::{CalendarError, WorkCalendar};
use crate::catalog::Severity;
use crate::dates::add_months;
use crate::records::RecordStatus;

/// The shipped rules file.
pub const DEFAULT_RULES_TOML: &str = include_str!("../../../data/rights/rules.toml");

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
    #[error("更正须提供更正后的字段内容")]
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

// ---------------------------------------------------------------------------------------------
// Rules as data

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRules {
    pub source: String,
    /// The credit office accepts or refuses within this many working days.
    pub accept_working_days: u32,
    /// The source department checks within this many working days of acceptance.
    pub check_working_days: u32,
    /// The credit office answers the objector within this many working days of the check.
    pub answer_working_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRules {
    pub max_files: usize,
    pub max_file_bytes: u64,
    pub types: Vec<FileKind>,
}

/// A level of 失信信息 under the repair rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Whether such information is published at all.
    pub published: bool,
    /// Minimum publication period in months; repair may be applied for from its end.
    pub min_months: u32,
    /// Publication ends automatically after this many months.
    pub max_months: u32,
    pub repairable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    /// 轻微.
    pub minor: Level,
    /// 一般 (较重 counts as 一般: the national rules know three levels).
    pub general: Level,
    /// 严重.
    pub serious: Level,
}

impl Levels {
    pub fn of(&self, s: Severity) -> Level {
        match s {
            Severity::Minor => self.minor,
            Severity::General | Severity::Major => self.general,
            Severity::Severe => self.serious,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub code: String,
    pub label: String,
    pub required: bool,
}

/// One version of the national repair rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepairRules {
    pub id: String,
    pub title: String,
    pub effective_from: NaiveDate,
    pub levels: Levels,
    pub accept_working_days: u32,
    pub review_working_days: u32,
    pub share_working_days: u32,
    pub bar_months_after_false_materials: u32,
    pub materials: Vec<Material>,
}

impl RepairRules {
    /// The first day repair may be applied for: the end of the minimum publication period.
    pub fn earliest_repair(&self, decision: NaiveDate, severity: Severity) -> NaiveDate {
        add_months(decision, self.levels.of(severity).min_months)
    }

    /// The last day of publication under these rules (`None`: not published at all).
    pub fn publication_end(&self, decision: NaiveDate, severity: Severity) -> Option<NaiveDate> {
        let level = self.levels.of(severity);
        if !level.published && level.max_months == 0 {
            return None;
        }
        add_months(decision, level.max_months).pred_opt()
    }

    pub fn material(&self, code: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.code == code)
    }
}

/// All credit-rights rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightsRules {
    pub version: String,
    pub objection: ObjectionRules,
    pub evidence: EvidenceRules,
    pub repair: Vec<RepairRules>,
}

static DEFAULT: OnceLock<Result<RightsRules, RightsError>> = OnceLock::new();

impl RightsRules {
    pub fn parse(text: &str) -> Result<Self, RightsError> {
        let mut r: RightsRules =
            toml::from_str(text).map_err(|e| RightsError::Rules(e.message().to_string()))?;
        if r.repair.is_empty() {
            return Err(RightsError::Rules("至少须有一个信用修复规则版本".into()));
        }
        r.repair.sort_by_key(|v| v.effective_from);
        for w in r.repair.windows(2) {
            if w[0].effective_from == w[1].effective_from {
                return Err(RightsError::Rules(format!(
                    "两个版本同日施行：{}",
                    w[0].effective_from
                )));
            }
        }
        for v in &r.repair {
            for (name, l) in [
                ("minor", v.levels.minor),
                ("general", v.levels.general),
                ("serious", v.levels.serious),
            ] {
                if l.min_months > l.max_months {
                    return Err(RightsError::Rules(format!(
                        "{} 的 {name} 最短公示期长于最长公示期",
                        v.id
                    )));
                }
            }
            if !v.materials.iter().any(|m| m.required) {
                return Err(RightsError::Rules(format!("{} 未列出必备材料", v.id)));
            }
        }
        if r.evidence.max_files == 0
            || r.evidence.max_file_bytes == 0
            || r.evidence.types.is_empty()
        {
            return Err(RightsError::Rules("证明材料限制须大于零".into()));
        }
        Ok(r)
    }

    /// The shipped rules, parsed once.
    pub fn default_checked() -> Result<&'static RightsRules, RightsError> {
        DEFAULT
            .get_or_init(|| Self::parse(DEFAULT_RULES_TOML))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The repair rules in force on `day`.
    pub fn repair_on(&self, day: NaiveDate) -> Result<&RepairRules, RightsError> {
        self.repair
            .iter()
            .rev()
            .find(|v| v.effective_from <= day)
            .ok_or(RightsError::NoRuleVersion(day))
    }

    pub fn repair_version(&self, id: &str) -> Option<&RepairRules> {
        self.repair.iter().find(|v| v.id == id)
    }
}

// ---------------------------------------------------------------------------------------------
// Evidence files

/// An accepted evidence file type, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    /// GB/T 33190 版式文档 (a ZIP container).
    Ofd,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Ofd => "application/ofd",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Png => &["png"],
            Self::Ofd => &["ofd"],
        }
    }

    fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(Self::Ofd)
        } else {
            None
        }
    }
}

/// Check one evidence file: a sane name, not empty, within the size limit, and content of an
/// accepted type that agrees with the name's extension. `already` is how many the
/// application holds.
pub fn check_evidence(
    rules: &EvidenceRules,
    name: &str,
    bytes: &[u8],
    already: usize,
) -> Result<FileKind, RightsError> {
    if already >= rules.max_files {
        return Err(RightsError::TooManyFiles {
            max: rules.max_files,
        });
    }
    let name_ok = !name.trim().is_empty()
        && name.chars().count() <= 200
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control)
        && name != "."
        && name != "..";
    if !name_ok {
        return Err(RightsError::FileName);
    }
    if bytes.is_empty() {
        return Err(RightsError::EmptyFile { name: name.into() });
    }
    if bytes.len() as u64 > rules.max_file_bytes {
        return Err(RightsError::FileTooLarge {
            name: name.into(),
            max_mb: rules.max_file_bytes / (1024 * 1024),
        });
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match FileKind::sniff(bytes) {
        Some(k) if rules.types.contains(&k) && k.extensions().contains(&ext.as_str()) => Ok(k),
        _ => Err(RightsError::FileType { name: name.into() }),
    }
}

// ---------------------------------------------------------------------------------------------
// Applications

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    /// 异议申诉.
    Objection,
    /// 信用修复.
    Repair,
    /// 容错纠错认定 (a decision, no applicant).
    Tolerance,
    /// 从轻/免于惩戒 (a decision, no applicant).
    Mitigation,
    /// 投诉举报 — a complaint or report about a body's conduct, handled by the credit office.
    Complaint,
}

impl AppKind {
    pub const ALL: [AppKind; 5] = [
        Self::Objection,
        Self::Repair,
        Self::Tolerance,
        Self::Mitigation,
        Self::Complaint,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Objection => "objection",
            Self::Repair => "repair",
            Self::Tolerance => "tolerance",
            Self::Mitigation => "mitigation",
            Self::Complaint => "complaint",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Objection => "异议申诉",
            Self::Repair => "信用修复",
            Self::Tolerance => "容错纠错认定",
            Self::Mitigation => "从轻/免于惩戒决定",
            Self::Complaint => "投诉举报",
        }
    }

    /// Prefix of tracking numbers.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Objection => "YY",
            Self::Repair => "XF",
            Self::Tolerance => "RC",
            Self::Mitigation => "CJ",
            Self::Complaint => "TS",
        }
    }
}

/// What an application is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    Record(Uuid),
    ListEntry(Uuid),
    /// A complaint names no record: what it is about is in its reasons (and `subject_name`).
    General,
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Record(_) => "record",
            Self::ListEntry(_) => "list_entry",
            Self::General => "general",
        }
    }

    pub fn id(&self) -> Uuid {
        match self {
            Self::Record(id) | Self::ListEntry(id) => *id,
            Self::General => Uuid::nil(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppState {
    /// 已提交 — waiting for the credit office to accept.
    Submitted,
    /// 已受理 — objection: with the source department for checking; repair: with the
    /// recognising body for review.
    Accepted,
    /// 已核查 — objection checked by the source department; waiting for the answer.
    Checked,
    /// 已答复 (objection, final).
    Answered,
    /// 不予受理 (final).
    Refused,
    /// 同意修复 — effects applied; result to be shared.
    Approved,
    /// 不予修复 (final).
    Rejected,
    /// 已办结 — repair result shared (final unless revoked).
    Completed,
    /// 已撤销修复 — revoked for false materials (final).
    Revoked,
    /// 已撤回 by the applicant (final).
    Withdrawn,
    /// 已决定 — a tolerance or mitigation decision (final).
    Decided,
}

impl AppState {
    pub const ALL: [AppState; 11] = [
        Self::Submitted,
        Self::Accepted,
        Self::Checked,
        Self::Answered,
        Self::Refused,
        Self::Approved,
        Self::Rejected,
        Self::Completed,
        Self::Revoked,
        Self::Withdrawn,
        Self::Decided,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Checked => "checked",
            Self::Answered => "answered",
            Self::Refused => "refused",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Completed => "completed",
            Self::Revoked => "revoked",
            Self::Withdrawn => "withdrawn",
            Self::Decided => "decided",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Submitted => "已提交，待受理",
            Self::Accepted => "已受理，办理中",
            Self::Checked => "已核查，待答复",
            Self::Answered => "已答复",
            Self::Refused => "不予受理",
            Self::Approved => "同意修复，结果共享中",
            Self::Rejected => "不予修复",
            Self::Completed => "已办结",
            Self::Revoked => "已撤销修复",
            Self::Withdrawn => "已撤回",
            Self::Decided => "已决定",
        }
    }

    /// No further step (a completed repair can still be revoked for false materials).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Answered
                | Self::Refused
                | Self::Rejected
                | Self::Revoked
                | Self::Withdrawn
                | Self::Decided
        )
    }
}

/// Who acts next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "party", content = "code", rename_all = "snake_case")]
pub enum Party {
    /// The credit office (信用办).
    CreditOffice,
    /// A department, by USCC (the source or recognising body).
    Department(String),
    /// The applicant.
    Applicant,
}

impl Party {
    pub fn label(&self) -> String {
        match self {
            Party::CreditOffice => "信用办".into(),
            Party::Department(d) => format!("认定/报送部门（{d}）"),
            Party::Applicant => "申请人".into(),
        }
    }
}

/// What the source department found on checking an objection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// 更正 — the record is corrected.
    Correct,
    /// 撤销 — the record is revoked / the entry removed (异议成立).
    Revoke,
    /// 维持 — kept as it is (异议不成立).
    Keep,
}

impl Finding {
    pub fn label(self) -> &'static str {
        match self {
            Self::Correct => "更正",
            Self::Revoke => "撤销",
            Self::Keep => "维持",
        }
    }
}

/// Why a repair is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectGround {
    /// 最短公示期未满.
    PeriodNotReached,
    /// 法定义务未履行完毕 / 失信行为未纠正.
    ObligationsUnmet,
    /// 提供虚假材料.
    FalseMaterials,
    /// 依规不可修复.
    NotRepairable,
    /// 其他 (reasons say which).
    Other,
}

impl RejectGround {
    pub fn label(self) -> &'static str {
        match self {
            Self::PeriodNotReached => "最短公示期未满",
            Self::ObligationsUnmet => "法定责任义务未履行完毕或失信行为未纠正",
            Self::FalseMaterials => "提供虚假材料",
            Self::NotRepairable => "依规不可修复",
            Self::Other => "其他",
        }
    }
}

/// Grounds of a mitigation (从轻/免于惩戒), Tai'an §二(二)6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MitigationGround {
    /// 主动挽回损失.
    RecoveredLosses,
    /// 消除不良影响.
    EliminatedImpact,
    /// 有效阻止危害结果发生.
    PreventedHarm,
}

impl MitigationGround {
    pub fn label(self) -> &'static str {
        match self {
            Self::RecoveredLosses => "主动挽回损失",
            Self::EliminatedImpact => "消除不良影响",
            Self::PreventedHarm => "有效阻止危害结果发生",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MitigationKind {
    /// 从轻 — measures applied more lightly.
    Mitigate,
    /// 免于惩戒 — measures waived (the cases are lifted).
    Waive,
}

impl MitigationKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Mitigate => "从轻惩戒",
            Self::Waive => "免于惩戒",
        }
    }
}

/// A file attached to an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    pub id: Uuid,
    pub name: String,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: String,
    /// Repair material category (`payment_proof` …), if declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    pub at: DateTime<Utc>,
}

/// One step of an application's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub state: AppState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A notification to a party (kept with the application; the server delivers it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub at: DateTime<Utc>,
    pub to: Party,
    pub text: String,
}

/// The decision an application ended with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: String,
    pub reasons: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounds: Vec<RejectGround>,
    /// Legal or policy basis (依据).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// Who approved (批准人).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The applicant. Contact details are personal data: the server seals them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub name: String,
    /// Whether the applicant is the subject itself (a logged-in subject account).
    pub is_subject: bool,
    /// Account username when logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Sealed contact (phone/e-mail), never shown in clear to the public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_sealed: Option<String>,
}

/// An objection, repair application or rights decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: Uuid,
    /// Public tracking number (查询编号).
    pub tracking_no: String,
    pub kind: AppKind,
    pub target: Target,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    /// The department whose data it is (record source / list recognising body), USCC or code.
    pub department: String,
    pub applicant: Option<Applicant>,
    pub reasons: String,
    /// Repair: the commitment (信用承诺) was made.
    #[serde(default)]
    pub commitment: bool,
    #[serde(default)]
    pub evidence: Vec<EvidenceRef>,
    pub state: AppState,
    /// Who acts next and by when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Party>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// The rule version applied (repair: the 令 id; objection: the rules file version).
    pub rule_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Repair revoked for false materials: no new application before this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bars_until: Option<NaiveDate>,
    /// Mitigation decisions: which kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<MitigationKind>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigation_grounds: Vec<MitigationGround>,
    pub steps: Vec<Step>,
    pub notices: Vec<Notice>,
    pub filed_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// What the subject of an application looks like when it is filed or decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFacts {
    pub decision_date: NaiveDate,
    /// `None` for a record that is not 失信 (no severity).
    pub severity: Option<Severity>,
    /// Records only; list entries pass `None`.
    pub status: Option<RecordStatus>,
    /// For list entries: whether still on the list.
    pub active: bool,
    /// List entries: the months before removal may be applied for, by the list's own rules
    /// (谁认定、谁修复); records use the repair rules.
    pub list_min_months: Option<u32>,
}

/// Whether a repair may be applied for / approved on `today`.
pub fn repair_eligibility(
    rules: &RepairRules,
    facts: &TargetFacts,
    today: NaiveDate,
    barred_until: Option<NaiveDate>,
) -> Result<(), RightsError> {
    if let Some(until) = barred_until {
        if today <= until {
            return Err(RightsError::Barred { until });
        }
    }
    match facts.status {
        Some(RecordStatus::Published | RecordStatus::Expired) => {}
        Some(s) => return Err(RightsError::NotRepairableStatus(s)),
        None if !facts.active => {
            return Err(RightsError::NotRepairableStatus(RecordStatus::Revoked))
        }
        None => {}
    }
    let earliest = match (facts.list_min_months, facts.severity) {
        (Some(m), _) => add_months(facts.decision_date, m),
        (None, Some(sev)) => {
            if !rules.levels.of(sev).repairable {
                return Err(RightsError::NotRepairable);
            }
            rules.earliest_repair(facts.decision_date, sev)
        }
        (None, None) => return Err(RightsError::NotNegative),
    };
    if today < earliest {
        return Err(RightsError::PeriodNotReached { earliest });
    }
    Ok(())
}

/// Materials still missing from a repair application (labels), given the declared categories.
pub fn missing_materials(rules: &RepairRules, declared: &[String]) -> Vec<String> {
    rules
        .materials
        .iter()
        .filter(|m| m.required && !declared.iter().any(|d| d == &m.code))
        .map(|m| m.label.clone())
        .collect()
}

/// What a step does beyond the application itself, applied in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// Correct the record with new fields.
    CorrectRecord(serde_json::Map<String, serde_json::Value>),
    /// Revoke the record (异议成立).
    RevokeRecord,
    /// Remove the list entry because the objection was upheld.
    RemoveEntryUpheld,
    /// Mark the record repaired (publication ends, sharing and use stop).
    RepairRecord,
    /// Remove the list entry because of repair.
    RemoveEntryRepaired,
    /// Undo a repair revoked for false materials: the record is published again (or stays
    /// expired when its period is over).
    UnrepairRecord,
}

/// An action on an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AppAction {
    /// 受理 (credit office).
    Accept,
    /// 不予受理 (credit office), with reasons.
    Refuse { reasons: String },
    /// 核查 (source department): objection finding; `fields` for a correction.
    Check {
        finding: Finding,
        reasons: String,
        #[serde(default)]
        fields: Option<serde_json::Map<String, serde_json::Value>>,
    },
    /// 答复 (credit office): the answer to the objector.
    Answer { reasons: String },
    /// 同意修复 (recognising body).
    Approve { reasons: String },
    /// 不予修复 (recognising body).
    Reject {
        grounds: Vec<RejectGround>,
        reasons: String,
    },
    /// 结果共享 (credit office): the result pushed to everyone who received the data.
    Share { recipients: Vec<String> },
    /// 撤销修复 (credit office): false materials found after approval.
    RevokeRepair { reasons: String },
    /// 撤回 (applicant).
    Withdraw,
}

impl AppAction {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Refuse { .. } => "refuse",
            Self::Check { .. } => "check",
            Self::Answer { .. } => "answer",
            Self::Approve { .. } => "approve",
            Self::Reject { .. } => "reject",
            Self::Share { .. } => "share",
            Self::RevokeRepair { .. } => "revoke_repair",
            Self::Withdraw => "withdraw",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::Refuse { .. } => "不予受理",
            Self::Check { .. } => "核查",
            Self::Answer { .. } => "答复",
            Self::Approve { .. } => "同意修复",
            Self::Reject { .. } => "不予修复",
            Self::Share { .. } => "共享修复结果",
            Self::RevokeRepair { .. } => "撤销修复",
            Self::Withdraw => "撤回",
        }
    }

    /// Who takes this action.
    pub fn party(&self, app: &Application) -> Party {
        match self {
            Self::Check { .. } | Self::Approve { .. } | Self::Reject { .. } => {
                Party::Department(app.department.clone())
            }
            Self::Withdraw => Party::Applicant,
            _ => Party::CreditOffice,
        }
    }
}

/// Context of a step.
pub struct StepContext<'a> {
    pub rules: &'a RightsRules,
    pub calendar: &'a WorkCalendar,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub actor: &'a str,
    /// Current facts of the target (repair approval re-checks eligibility).
    pub facts: Option<&'a TargetFacts>,
}

fn need_reasons(r: &str) -> Result<String, RightsError> {
    let r = r.trim();
    if r.chars().count() < 2 {
        return Err(RightsError::ReasonsRequired);
    }
    Ok(r.to_string())
}

impl Application {
    /// The repair rules this application is judged by (the version in force when filed).
    pub fn repair_rules<'r>(&self, rules: &'r RightsRules) -> Result<&'r RepairRules, RightsError> {
        match rules.repair_version(&self.rule_version) {
            Some(v) => Ok(v),
            None => rules.repair_on(self.filed_on),
        }
    }

    /// Whether an objection on the target is still open (the record shows 异议处理中).
    pub fn objection_pending(&self) -> bool {
        self.kind == AppKind::Objection
            && matches!(self.state, AppState::Submitted | AppState::Accepted)
    }

    fn set_next(
        &mut self,
        ctx: &StepContext<'_>,
        party: Option<Party>,
        days: u32,
    ) -> Result<(), RightsError> {
        self.due = match party {
            Some(_) => Some(ctx.calendar.add_working_days(ctx.today, days)?),
            None => None,
        };
        self.next = party;
        Ok(())
    }

    fn notify(&mut self, ctx: &StepContext<'_>, to: Party, text: String) {
        self.notices.push(Notice {
            at: ctx.now,
            to,
            text,
        });
    }

    fn decide(&mut self, ctx: &StepContext<'_>, outcome: &str, reasons: String) {
        self.decision = Some(Decision {
            outcome: outcome.into(),
            reasons,
            grounds: Vec::new(),
            basis: None,
            approver: None,
            by: ctx.actor.into(),
            at: ctx.now,
        });
    }

    /// Apply an action: the application's new state, next party, deadline, notices — and the
    /// effect on the target. Illegal transitions and missing preconditions are refused.
    pub fn apply(
        &mut self,
        action: &AppAction,
        ctx: &StepContext<'_>,
    ) -> Result<Effect, RightsError> {
        use AppKind as K;
        use AppState as S;
        let illegal = || RightsError::IllegalTransition {
            from: self.state,
            action: action.label(),
        };
        let no = self.tracking_no.clone();
        let kind = self.kind;
        let dept = Party::Department(self.department.clone());
        let mut effect = Effect::None;
        let mut note = None;
        let next_state = match (kind, self.state, action) {
            (K::Objection | K::Repair | K::Complaint, S::Submitted, AppAction::Accept) => {
                let (party, days) = match kind {
                    K::Objection => (dept.clone(), ctx.rules.objection.check_working_days),
                    // The credit office handles complaints itself (核实、督办、答复).
                    K::Complaint => (
                        Party::CreditOffice,
                        ctx.rules.objection.check_working_days
                            + ctx.rules.objection.answer_working_days,
                    ),
                    _ => (
                        dept.clone(),
                        self.repair_rules(ctx.rules)?.review_working_days,
                    ),
                };
                self.set_next(ctx, Some(party), days)?;
                let due = self.due.map(|d| d.to_string()).unwrap_or_default();
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!(
                        "您的{}（{no}）已受理，正在办理，预计 {due} 前办结。",
                        kind.label()
                    ),
                );
                self.notify(
                    ctx,
                    dept.clone(),
                    format!(
                        "{}（{no}）已转交贵单位办理，请于 {due} 前完成。",
                        kind.label()
                    ),
                );
                S::Accepted
            }
            (
                K::Objection | K::Repair | K::Complaint,
                S::Submitted,
                AppAction::Refuse { reasons },
            ) => {
                let reasons = need_reasons(reasons)?;
                self.decide(ctx, "refused", reasons.clone());
                self.set_next(ctx, None, 0)?;
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的{}（{no}）不予受理。理由：{reasons}", kind.label()),
                );
                note = Some(reasons);
                S::Refused
            }
            (
                K::Objection,
                S::Accepted,
                AppAction::Check {
                    finding,
                    reasons,
                    fields,
                },
            ) => {
                let reasons = need_reasons(reasons)?;
                effect = match (finding, self.target, fields) {
                    (Finding::Correct, Target::ListEntry(_), _) => {
                        return Err(RightsError::CorrectListEntry)
                    }
                    (Finding::Correct, Target::Record(_), Some(f)) => {
                        Effect::CorrectRecord(f.clone())
                    }
                    (Finding::Correct, Target::Record(_), None) => {
                        return Err(RightsError::FieldsRequired)
                    }
                    (Finding::Revoke, Target::Record(_), _) => Effect::RevokeRecord,
                    (Finding::Revoke, Target::ListEntry(_), _) => Effect::RemoveEntryUpheld,
                    (Finding::Keep, _, _) => Effect::None,
                    (_, Target::General, _) => return Err(RightsError::WrongKind { kind }),
                };
                self.finding = Some(*finding);
                self.set_next(
                    ctx,
                    Some(Party::CreditOffice),
                    ctx.rules.objection.answer_working_days,
                )?;
                self.notify(
                    ctx,
                    Party::CreditOffice,
                    format!("异议（{no}）核查完毕：{}。请答复申请人。", finding.label()),
                );
                note = Some(format!("{}：{reasons}", finding.label()));
                S::Checked
            }
            (K::Objection, S::Checked, AppAction::Answer { reasons }) => {
                let reasons = need_reasons(reasons)?;
                let outcome = match self.finding {
                    Some(Finding::Correct) => "corrected",
                    Some(Finding::Revoke) => "revoked",
                    _ => "kept",
                };
                self.decide(ctx, outcome, reasons.clone());
                self.set_next(ctx, None, 0)?;
                let label = self.finding.map(Finding::label).unwrap_or("维持");
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的异议（{no}）已办结，处理结果：{label}。理由：{reasons}"),
                );
                note = Some(reasons);
                S::Answered
            }
            (K::Repair, S::Accepted, AppAction::Approve { reasons }) => {
                let reasons = need_reasons(reasons)?;
                let rules = self.repair_rules(ctx.rules)?;
                if let Some(f) = ctx.facts {
                    repair_eligibility(rules, f, ctx.today, None)?;
                }
                effect = match self.target {
                    Target::Record(_) => Effect::RepairRecord,
                    Target::ListEntry(_) => Effect::RemoveEntryRepaired,
                    Target::General => return Err(RightsError::WrongKind { kind }),
                };
                let share_days = rules.share_working_days;
                self.decide(ctx, "repaired", reasons.clone());
                self.set_next(ctx, Some(Party::CreditOffice), share_days)?;
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!(
                        "您的信用修复申请（{no}）已通过，相关失信信息终止公示、停止共享和使用。"
                    ),
                );
                self.notify(
                    ctx,
                    Party::CreditOffice,
                    format!("信用修复（{no}）已同意，请在期限内共享修复结果。"),
                );
                note = Some(reasons);
                S::Approved
            }
            (K::Repair, S::Accepted, AppAction::Reject { grounds, reasons }) => {
                if grounds.is_empty() {
                    return Err(RightsError::GroundsRequired);
                }
                let reasons = need_reasons(reasons)?;
                self.decide(ctx, "rejected", reasons.clone());
                if let Some(d) = self.decision.as_mut() {
                    d.grounds = grounds.clone();
                }
                self.set_next(ctx, None, 0)?;
                let g: Vec<&str> = grounds.iter().map(|g| g.label()).collect();
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!(
                        "您的信用修复申请（{no}）不予修复。理由类别：{}；说明：{reasons}",
                        g.join("、")
                    ),
                );
                note = Some(format!("{}：{reasons}", g.join("、")));
                S::Rejected
            }
            (K::Repair, S::Approved, AppAction::Share { recipients }) => {
                self.set_next(ctx, None, 0)?;
                for r in recipients {
                    self.notify(
                        ctx,
                        Party::Department(r.clone()),
                        format!("信用修复结果（{no}）：{} 的相关失信信息已修复，请停止公示和使用，解除相应惩戒措施。", self.subject_name),
                    );
                }
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的信用修复（{no}）结果已共享至相关部门，办理完毕。"),
                );
                note = Some(format!("共享至 {} 个单位", recipients.len()));
                S::Completed
            }
            (K::Repair, S::Approved | S::Completed, AppAction::RevokeRepair { reasons }) => {
                let reasons = need_reasons(reasons)?;
                let rules = self.repair_rules(ctx.rules)?;
                let until = add_months(ctx.today, rules.bar_months_after_false_materials);
                self.bars_until = Some(until);
                effect = match self.target {
                    Target::Record(_) => Effect::UnrepairRecord,
                    // A list entry removed by repair is recognised again by its body's own
                    // procedure; the revocation is recorded and notified.
                    Target::ListEntry(_) | Target::General => Effect::None,
                };
                self.decide(ctx, "revoked", reasons.clone());
                if let Some(d) = self.decision.as_mut() {
                    d.grounds = vec![RejectGround::FalseMaterials];
                }
                self.set_next(ctx, None, 0)?;
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的信用修复（{no}）因提供虚假材料被撤销，{until} 前不得再次申请。理由：{reasons}"),
                );
                self.notify(
                    ctx,
                    dept.clone(),
                    format!("信用修复（{no}）已撤销，相关失信信息恢复公示和共享。"),
                );
                note = Some(reasons);
                S::Revoked
            }
            (K::Complaint, S::Accepted, AppAction::Answer { reasons }) => {
                let reasons = need_reasons(reasons)?;
                self.decide(ctx, "answered", reasons.clone());
                self.set_next(ctx, None, 0)?;
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的投诉举报（{no}）已办结。答复：{reasons}"),
                );
                note = Some(reasons);
                S::Answered
            }
            (
                K::Objection | K::Repair | K::Complaint,
                S::Submitted | S::Accepted,
                AppAction::Withdraw,
            ) => {
                self.set_next(ctx, None, 0)?;
                self.notify(
                    ctx,
                    Party::CreditOffice,
                    format!("{}（{no}）已由申请人撤回。", kind.label()),
                );
                S::Withdrawn
            }
            (K::Tolerance | K::Mitigation, _, _) => return Err(RightsError::WrongKind { kind }),
            _ => return Err(illegal()),
        };
        self.state = next_state;
        self.steps.push(Step {
            at: ctx.now,
            actor: ctx.actor.into(),
            action: action.code().into(),
            state: next_state,
            note,
        });
        Ok(effect)
    }
}

/// A new objection or repair application, checked and with its first deadline.
pub struct NewApplication<'a> {
    pub kind: AppKind,
    pub target: Target,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    pub department: String,
    pub applicant: Applicant,
    pub reasons: String,
    pub commitment: bool,
    pub tracking_no: String,
    pub facts: &'a TargetFacts,
    /// Repair: a bar from an earlier revoked repair, if any.
    pub barred_until: Option<NaiveDate>,
}

/// File an objection or repair application.
pub fn file(new: NewApplication<'_>, ctx: &StepContext<'_>) -> Result<Application, RightsError> {
    let reasons = need_reasons(&new.reasons)?;
    let mut rule_version = ctx.rules.version.clone();
    let days = match new.kind {
        AppKind::Objection | AppKind::Complaint => ctx.rules.objection.accept_working_days,
        AppKind::Repair => {
            let rules = ctx.rules.repair_on(ctx.today)?;
            repair_eligibility(rules, new.facts, ctx.today, new.barred_until)?;
            if !new.commitment {
                return Err(RightsError::CommitmentMissing);
            }
            rule_version = rules.id.clone();
            rules.accept_working_days
        }
        k => return Err(RightsError::WrongKind { kind: k }),
    };
    let mut app = Application {
        id: Uuid::now_v7(),
        tracking_no: new.tracking_no,
        kind: new.kind,
        target: new.target,
        subject_id: new.subject_id,
        subject_name: new.subject_name,
        department: new.department,
        applicant: Some(new.applicant),
        reasons,
        commitment: new.commitment,
        evidence: Vec::new(),
        state: AppState::Submitted,
        next: None,
        due: None,
        rule_version,
        finding: None,
        decision: None,
        bars_until: None,
        mitigation: None,
        mitigation_grounds: Vec::new(),
        steps: vec![Step {
            at: ctx.now,
            actor: ctx.actor.into(),
            action: "file".into(),
            state: AppState::Submitted,
            note: None,
        }],
        notices: Vec::new(),
        filed_on: ctx.today,
        created_at: ctx.now,
    };
    app.set_next(ctx, Some(Party::CreditOffice), days)?;
    let due = app.due.map(|d| d.to_string()).unwrap_or_default();
    let (no, label) = (app.tracking_no.clone(), app.kind.label());
    app.notify(
        ctx,
        Party::Applicant,
        format!("已收到您的{label}，查询编号 {no}，将于 {due} 前决定是否受理。"),
    );
    app.notify(
        ctx,
        Party::CreditOffice,
        format!("新的{label}（{no}），请于 {due} 前受理或不予受理。"),
    );
    Ok(app)
}

/// A 容错纠错 or 从轻/免于惩戒 decision: recorded with its basis and approver, final at once.
pub struct NewDecision {
    pub kind: AppKind,
    pub target: Target,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    pub department: String,
    pub basis: String,
    pub approver: String,
    pub reasons: String,
    pub tracking_no: String,
    pub mitigation: Option<MitigationKind>,
    pub grounds: Vec<MitigationGround>,
}

pub fn decide(new: NewDecision, ctx: &StepContext<'_>) -> Result<Application, RightsError> {
    if new.basis.trim().chars().count() < 2 || new.approver.trim().is_empty() {
        return Err(RightsError::BasisRequired);
    }
    let reasons = need_reasons(&new.reasons)?;
    match (new.kind, new.mitigation, new.grounds.is_empty()) {
        (AppKind::Tolerance, None, true) => {}
        (AppKind::Mitigation, Some(_), false) => {}
        (AppKind::Mitigation, _, _) => return Err(RightsError::GroundsRequired),
        (k, _, _) => return Err(RightsError::WrongKind { kind: k }),
    }
    let outcome = match new.mitigation {
        Some(MitigationKind::Waive) => "waived",
        Some(MitigationKind::Mitigate) => "mitigated",
        None => "tolerated",
    };
    let decision = Decision {
        outcome: outcome.into(),
        reasons: reasons.clone(),
        grounds: Vec::new(),
        basis: Some(new.basis.trim().into()),
        approver: Some(new.approver.trim().into()),
        by: ctx.actor.into(),
        at: ctx.now,
    };
    let text = format!(
        "{}：{}（依据：{}；批准：{}）",
        new.kind.label(),
        reasons,
        new.basis.trim(),
        new.approver.trim()
    );
    Ok(Application {
        id: Uuid::now_v7(),
        tracking_no: new.tracking_no,
        kind: new.kind,
        target: new.target,
        subject_id: new.subject_id,
        subject_name: new.subject_name,
        department: new.department.clone(),
        applicant: None,
        reasons,
        commitment: false,
        evidence: Vec::new(),
        state: AppState::Decided,
        next: None,
        due: None,
        rule_version: ctx.rules.version.clone(),
        finding: None,
        decision: Some(decision),
        bars_until: None,
        mitigation: new.mitigation,
        mitigation_grounds: new.grounds,
        steps: vec![Step {
            at: ctx.now,
            actor: ctx.actor.into(),
            action: "decide".into(),
            state: AppState::Decided,
            note: Some(text.clone()),
        }],
        notices: vec![Notice {
            at: ctx.now,
            to: Party::Department(new.department),
            text,
        }],
        filed_on: ctx.today,
        created_at: ctx.now,
    })
}

/// What the public sees when looking up a tracking number: nothing beyond the application's
/// progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracking {
    pub tracking_no: String,
    pub kind: AppKind,
    pub kind_label: String,
    pub state: AppState,
    pub state_label: String,
    /// Who acts next (a role, never a person's name).
    pub next_step: Option<String>,
    pub due: Option<NaiveDate>,
    pub filed_on: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

impl Application {
    pub fn tracking(&self) -> Tracking {
        let next_step = self.next.as_ref().map(|p| match p {
            Party::CreditOffice if self.state == AppState::Submitted => "信用办受理审查".into(),
            Party::CreditOffice if self.state == AppState::Approved => "共享修复结果".into(),
            Party::CreditOffice if self.kind == AppKind::Complaint => "信用办核实办理".into(),
            Party::CreditOffice => "信用办答复".into(),
            Party::Department(_) if self.kind == AppKind::Objection => "数据来源单位核查".into(),
            Party::Department(_) => "认定单位审核".into(),
            Party::Applicant => "申请人补正".into(),
        });
        Tracking {
            tracking_no: self.tracking_no.clone(),
            kind: self.kind,
            kind_label: self.kind.label().into(),
            state: self.state,
            state_label: self.state.label().into(),
            next_step,
            due: self.due,
            filed_on: self.filed_on,
            updated_at: self.steps.last().map(|s| s.at).unwrap_or(self.created_at),
        }
    }
}

/// A tracking number: prefix, filing date, and 8 random characters from an alphabet without
/// look-alikes (so it cannot be guessed from its neighbours). `random` supplies the entropy.
pub fn tracking_no(kind: AppKind, day: NaiveDate, random: [u8; 8]) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let tail: String = random
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!("{}{}{}", kind.prefix(), day.format("%Y%m%d"), tail)
}

/// Whether a string looks like a tracking number (checked before any lookup).
pub fn is_tracking_no(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 18
        && AppKind::ALL.iter().any(|k| s.starts_with(k.prefix()))
        && b[2..10].iter().all(u8::is_ascii_digit)
        && b[10..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn rules() -> &'static RightsRules {
        RightsRules::default_checked().unwrap()
    }

    fn ctx<'a>(today: &str, facts: Option<&'a TargetFacts>) -> StepContext<'a> {
        StepContext {
            rules: rules(),
            calendar: WorkCalendar::official(),
            today: d(today),
            now: Utc::now(),
            actor: "tester",
            facts,
        }
    }

    fn facts(decision: &str, sev: Severity) -> TargetFacts {
        TargetFacts {
            decision_date: d(decision),
            severity: Some(sev),
            status: Some(RecordStatus::Published),
            active: true,
            list_min_months: None,
        }
    }

    fn new_app<'a>(kind: AppKind, f: &'a TargetFacts) -> NewApplication<'a> {
        NewApplication {
            kind,
            target: Target::Record(Uuid::nil()),
            subject_id: None,
            subject_name: "某某公司".into(),
            department: "11320400014000000X".into(),
            applicant: Applicant {
                name: "张三".into(),
                is_subject: true,
                account: None,
                contact_sealed: None,
            },
            reasons: "已整改完毕".into(),
            commitment: true,
            tracking_no: tracking_no(kind, d("2025-06-02"), [7; 8]),
            facts: f,
            barred_until: None,
        }
    }

    #[test]
    fn shipped_rules_parse_and_version_by_date() {
        let r = rules();
        assert_eq!(
            r.repair_on(d("2025-06-02")).unwrap().id,
            "ndrc-order-58-2023"
        );
        assert_eq!(
            r.repair_on(d("2026-03-31")).unwrap().id,
            "ndrc-order-58-2023"
        );
        assert_eq!(
            r.repair_on(d("2026-04-01")).unwrap().id,
            "ndrc-order-36-2025"
        );
        assert_eq!(
            r.repair_on(d("2020-01-01")).unwrap_err().code(),
            "no_rule_version"
        );
        // 轻微: 58号 does not publish; 36号 allows at most 3 months where a sector requires it.
        let old = r.repair_on(d("2025-01-01")).unwrap();
        let new = r.repair_on(d("2026-06-01")).unwrap();
        assert_eq!(old.publication_end(d("2025-01-10"), Severity::Minor), None);
        assert_eq!(
            new.publication_end(d("2026-05-10"), Severity::Minor),
            Some(d("2026-08-09"))
        );
        // 一般 3 months–1 year, 严重 1–3 years, counted from the decision date.
        assert_eq!(
            new.earliest_repair(d("2026-05-10"), Severity::General),
            d("2026-08-10")
        );
        assert_eq!(
            new.earliest_repair(d("2026-05-10"), Severity::Major),
            d("2026-08-10")
        );
        assert_eq!(
            new.earliest_repair(d("2026-05-10"), Severity::Severe),
            d("2027-05-10")
        );
        assert_eq!(
            new.publication_end(d("2026-05-10"), Severity::Severe),
            Some(d("2029-05-09"))
        );
        // Month ends clamp (chrono): 2025-11-30 + 3 months = 2026-02-28.
        assert_eq!(
            old.earliest_repair(d("2025-11-30"), Severity::General),
            d("2026-02-28")
        );
    }

    #[test]
    fn bad_rules_are_refused() {
        assert_eq!(
            RightsRules::parse("version = 1").unwrap_err().code(),
            "rights_rules_invalid"
        );
        let broken = DEFAULT_RULES_TOML.replace(
            "levels.serious = { published = true, min_months = 12, max_months = 36",
            "levels.serious = { published = true, min_months = 48, max_months = 36",
        );
        assert!(RightsRules::parse(&broken).is_err());
    }

    #[test]
    fn repair_refused_before_minimum_and_allowed_after() {
        let f = facts("2025-01-15", Severity::General);
        let c = ctx("2025-04-14", None);
        let e = file(new_app(AppKind::Repair, &f), &c).unwrap_err();
        assert_eq!(
            e,
            RightsError::PeriodNotReached {
                earliest: d("2025-04-15")
            }
        );
        assert!(e.to_string().contains("2025-04-15"));
        let c = ctx("2025-04-15", None);
        let app = file(new_app(AppKind::Repair, &f), &c).unwrap();
        assert_eq!(app.state, AppState::Submitted);
        assert_eq!(app.rule_version, "ndrc-order-58-2023");
        // Filed after 2026-04-01: judged by 令第36号.
        let c = ctx("2026-04-01", None);
        assert_eq!(
            file(new_app(AppKind::Repair, &f), &c).unwrap().rule_version,
            "ndrc-order-36-2025"
        );
        // Severe: one year.
        let f = facts("2025-01-15", Severity::Severe);
        assert_eq!(
            file(new_app(AppKind::Repair, &f), &ctx("2025-12-31", None))
                .unwrap_err()
                .code(),
            "repair_period_not_reached"
        );
        assert!(file(new_app(AppKind::Repair, &f), &ctx("2026-01-15", None)).is_ok());
    }

    #[test]
    fn repair_preconditions() {
        let f = facts("2024-01-15", Severity::General);
        let c = ctx("2025-06-03", None);
        let mut n = new_app(AppKind::Repair, &f);
        n.commitment = false;
        assert_eq!(file(n, &c).unwrap_err().code(), "commitment_missing");
        let mut n = new_app(AppKind::Repair, &f);
        n.barred_until = Some(d("2025-12-31"));
        assert_eq!(file(n, &c).unwrap_err().code(), "repair_barred");
        let mut revoked = facts("2024-01-15", Severity::General);
        revoked.status = Some(RecordStatus::Repaired);
        assert_eq!(
            file(new_app(AppKind::Repair, &revoked), &c)
                .unwrap_err()
                .code(),
            "not_repairable_status"
        );
        let mut positive = facts("2024-01-15", Severity::General);
        positive.severity = None;
        assert_eq!(
            file(new_app(AppKind::Repair, &positive), &c)
                .unwrap_err()
                .code(),
            "not_negative_record"
        );
        let r = rules().repair_on(d("2025-06-03")).unwrap();
        let missing = missing_materials(r, &["application_form".into()]);
        assert!(missing.contains(&"信用修复承诺书".to_string()));
        assert!(!missing.iter().any(|m| m.contains("营业执照")));
        let all: Vec<String> = r.materials.iter().map(|m| m.code.clone()).collect();
        assert!(missing_materials(r, &all).is_empty());
    }

    #[test]
    fn objection_workflow_and_deadlines_across_holidays() {
        let f = facts("2025-01-15", Severity::General);
        // Filed on 2025-09-30 (Tuesday before the National Day holiday, 10-01..10-08;
        // 09-28 and 10-11 are make-up working days): accept within 2 working days → 10-10.
        let c = ctx("2025-09-30", None);
        let mut app = file(new_app(AppKind::Objection, &f), &c).unwrap();
        assert_eq!(app.due, Some(d("2025-10-10")));
        assert!(app.objection_pending());
        assert_eq!(app.next, Some(Party::CreditOffice));
        // Accept on 10-10: check within 5 working days: 10-11 (Sat, make-up), 13, 14, 15, 16.
        let c = ctx("2025-10-10", None);
        assert_eq!(app.apply(&AppAction::Accept, &c).unwrap(), Effect::None);
        assert_eq!(app.state, AppState::Accepted);
        assert_eq!(app.due, Some(d("2025-10-16")));
        assert!(matches!(app.next, Some(Party::Department(_))));
        // Illegal: answer before the check; approve is for repairs.
        assert_eq!(
            app.apply(
                &AppAction::Answer {
                    reasons: "答复".into()
                },
                &c
            )
            .unwrap_err()
            .code(),
            "illegal_transition"
        );
        assert!(app
            .apply(
                &AppAction::Approve {
                    reasons: "同意".into()
                },
                &c
            )
            .is_err());
        // A correction needs the new fields.
        let check = AppAction::Check {
            finding: Finding::Correct,
            reasons: "罚款金额录入有误".into(),
            fields: None,
        };
        assert_eq!(app.apply(&check, &c).unwrap_err().code(), "fields_required");
        let mut fields = serde_json::Map::new();
        fields.insert("amount".into(), serde_json::json!("2000"));
        let check = AppAction::Check {
            finding: Finding::Correct,
            reasons: "罚款金额录入有误".into(),
            fields: Some(fields.clone()),
        };
        assert_eq!(
            app.apply(&check, &c).unwrap(),
            Effect::CorrectRecord(fields)
        );
        assert!(!app.objection_pending());
        let e = app
            .apply(
                &AppAction::Answer {
                    reasons: "x".into(),
                },
                &c,
            )
            .unwrap_err();
        assert_eq!(e.code(), "reasons_required");
        app.apply(
            &AppAction::Answer {
                reasons: "已更正".into(),
            },
            &c,
        )
        .unwrap();
        assert_eq!(app.state, AppState::Answered);
        assert_eq!(app.decision.as_ref().unwrap().outcome, "corrected");
        assert!(app.state.is_final());
        assert!(app.apply(&AppAction::Withdraw, &c).is_err());
        // Every step notified the applicant.
        let to_applicant = app
            .notices
            .iter()
            .filter(|n| n.to == Party::Applicant)
            .count();
        assert_eq!(to_applicant, 3);
        assert_eq!(app.steps.len(), 4);
    }

    #[test]
    fn objection_refuse_withdraw_and_list_entries() {
        let f = facts("2025-01-15", Severity::General);
        let c = ctx("2025-06-03", None);
        let mut app = file(new_app(AppKind::Objection, &f), &c).unwrap();
        app.apply(
            &AppAction::Refuse {
                reasons: "非本平台信息".into(),
            },
            &c,
        )
        .unwrap();
        assert_eq!(app.state, AppState::Refused);
        assert!(app.apply(&AppAction::Accept, &c).is_err());

        let mut app = file(new_app(AppKind::Objection, &f), &c).unwrap();
        app.apply(&AppAction::Withdraw, &c).unwrap();
        assert_eq!(app.state, AppState::Withdrawn);

        let mut n = new_app(AppKind::Objection, &f);
        n.target = Target::ListEntry(Uuid::nil());
        let mut app = file(n, &c).unwrap();
        app.apply(&AppAction::Accept, &c).unwrap();
        let correct = AppAction::Check {
            finding: Finding::Correct,
            reasons: "理由充分".into(),
            fields: Some(serde_json::Map::new()),
        };
        assert_eq!(
            app.apply(&correct, &c).unwrap_err().code(),
            "cannot_correct_list_entry"
        );
        let upheld = AppAction::Check {
            finding: Finding::Revoke,
            reasons: "认定依据不足".into(),
            fields: None,
        };
        assert_eq!(app.apply(&upheld, &c).unwrap(), Effect::RemoveEntryUpheld);
    }

    #[test]
    fn repair_workflow_every_transition() {
        let f = facts("2024-01-15", Severity::General);
        let c = ctx("2025-06-03", Some(&f));
        let mut app = file(new_app(AppKind::Repair, &f), &c).unwrap();
        assert_eq!(app.due, Some(d("2025-06-05")));
        app.apply(&AppAction::Accept, &c).unwrap();
        // Review: 10 working days from 2025-06-03 → 2025-06-17.
        assert_eq!(app.due, Some(d("2025-06-17")));
        let reject = AppAction::Reject {
            grounds: vec![],
            reasons: "未缴清罚款".into(),
        };
        assert_eq!(
            app.apply(&reject, &c).unwrap_err().code(),
            "grounds_required"
        );
        let mut other = app.clone();
        other
            .apply(
                &AppAction::Reject {
                    grounds: vec![RejectGround::ObligationsUnmet],
                    reasons: "未缴清罚款".into(),
                },
                &c,
            )
            .unwrap();
        assert_eq!(other.state, AppState::Rejected);
        assert!(other.notices.last().unwrap().text.contains("法定责任义务"));

        assert_eq!(
            app.apply(
                &AppAction::Approve {
                    reasons: "材料齐全".into()
                },
                &c
            )
            .unwrap(),
            Effect::RepairRecord
        );
        assert_eq!(app.state, AppState::Approved);
        assert_eq!(app.due, Some(d("2025-06-06")));
        app.apply(
            &AppAction::Share {
                recipients: vec!["dept-a".into(), "dept-b".into()],
            },
            &c,
        )
        .unwrap();
        assert_eq!(app.state, AppState::Completed);
        assert_eq!(
            app.notices
                .iter()
                .filter(|n| matches!(&n.to, Party::Department(d) if d.starts_with("dept-")))
                .count(),
            2
        );
        assert_eq!(
            app.apply(
                &AppAction::RevokeRepair {
                    reasons: "缴款凭证系伪造".into()
                },
                &c
            )
            .unwrap(),
            Effect::UnrepairRecord
        );
        assert_eq!(app.state, AppState::Revoked);
        assert_eq!(app.bars_until, Some(d("2026-06-03")));
        assert!(app.apply(&AppAction::Accept, &c).is_err());
    }

    #[test]
    fn approval_rechecks_eligibility() {
        let f = facts("2025-03-01", Severity::General);
        let c = ctx("2025-06-03", None);
        let mut app = file(new_app(AppKind::Repair, &f), &c).unwrap();
        app.apply(&AppAction::Accept, &c).unwrap();
        // The record was repaired/revoked meanwhile.
        let mut now = f.clone();
        now.status = Some(RecordStatus::Revoked);
        let c2 = ctx("2025-06-04", Some(&now));
        assert_eq!(
            app.apply(
                &AppAction::Approve {
                    reasons: "同意修复".into()
                },
                &c2
            )
            .unwrap_err()
            .code(),
            "not_repairable_status"
        );
        assert_eq!(app.state, AppState::Accepted);
    }

    #[test]
    fn decisions_need_basis_and_approver() {
        let c = ctx("2025-06-03", None);
        let base = || NewDecision {
            kind: AppKind::Tolerance,
            target: Target::Record(Uuid::nil()),
            subject_id: None,
            subject_name: "某局".into(),
            department: "x".into(),
            basis: "江苏省容错纠错办法第五条".into(),
            approver: "李四".into(),
            reasons: "先行先试中的失误".into(),
            tracking_no: tracking_no(AppKind::Tolerance, d("2025-06-03"), [1; 8]),
            mitigation: None,
            grounds: vec![],
        };
        let a = decide(base(), &c).unwrap();
        assert_eq!(a.state, AppState::Decided);
        assert_eq!(
            a.decision.as_ref().unwrap().approver.as_deref(),
            Some("李四")
        );
        let mut n = base();
        n.approver = " ".into();
        assert_eq!(decide(n, &c).unwrap_err().code(), "basis_required");
        let mut n = base();
        n.kind = AppKind::Mitigation;
        n.mitigation = Some(MitigationKind::Waive);
        assert_eq!(decide(n, &c).unwrap_err().code(), "grounds_required");
        let mut n = base();
        n.kind = AppKind::Mitigation;
        n.mitigation = Some(MitigationKind::Waive);
        n.grounds = vec![MitigationGround::RecoveredLosses];
        assert_eq!(decide(n, &c).unwrap().decision.unwrap().outcome, "waived");
    }

    #[test]
    fn evidence_checks() {
        let r = &rules().evidence;
        assert_eq!(
            check_evidence(r, "a.pdf", b"%PDF-1.7 x", 0),
            Ok(FileKind::Pdf)
        );
        assert_eq!(
            check_evidence(r, "a.JPG", &[0xFF, 0xD8, 0xFF, 0xE0], 0),
            Ok(FileKind::Jpeg)
        );
        assert_eq!(
            check_evidence(r, "a.exe", b"MZ\x90\x00", 0)
                .unwrap_err()
                .code(),
            "file_type_not_accepted"
        );
        // A script renamed to .pdf is refused by its content.
        assert_eq!(
            check_evidence(r, "a.pdf", b"<script>", 0)
                .unwrap_err()
                .code(),
            "file_type_not_accepted"
        );
        // A real PDF named .png is refused too.
        assert!(check_evidence(r, "a.png", b"%PDF-1.4", 0).is_err());
        assert_eq!(
            check_evidence(r, "a.pdf", b"", 0).unwrap_err().code(),
            "empty_file"
        );
        let big = vec![b'%'; r.max_file_bytes as usize + 1];
        assert_eq!(
            check_evidence(r, "a.pdf", &big, 0).unwrap_err().code(),
            "file_too_large"
        );
        assert_eq!(
            check_evidence(r, "a.pdf", b"%PDF-1.7", r.max_files)
                .unwrap_err()
                .code(),
            "too_many_files"
        );
        for bad in ["", "../x.pdf", "a\\b.pdf", "a\nb.pdf"] {
            assert_eq!(
                check_evidence(r, bad, b"%PDF-1.7", 0).unwrap_err().code(),
                "invalid_file_name"
            );
        }
    }

    #[test]
    fn complaint_workflow() {
        let f = facts("2024-01-15", Severity::General);
        let c = ctx("2025-06-03", None);
        let mut n = new_app(AppKind::Complaint, &f);
        n.target = Target::General;
        let mut app = file(n, &c).unwrap();
        assert!(app.tracking_no.starts_with("TS"));
        assert_eq!(app.due, Some(d("2025-06-05")));
        assert!(app
            .apply(
                &AppAction::Answer {
                    reasons: "已办结".into()
                },
                &c
            )
            .is_err());
        app.apply(&AppAction::Accept, &c).unwrap();
        assert_eq!(app.next, Some(Party::CreditOffice));
        assert_eq!(app.tracking().next_step.as_deref(), Some("信用办核实办理"));
        // Not a department's check, not an approval.
        let check = AppAction::Check {
            finding: Finding::Keep,
            reasons: "核实".into(),
            fields: None,
        };
        assert_eq!(
            app.apply(&check, &c).unwrap_err().code(),
            "illegal_transition"
        );
        assert_eq!(
            app.apply(
                &AppAction::Answer {
                    reasons: "经核实，已督促整改".into()
                },
                &c
            )
            .unwrap(),
            Effect::None
        );
        assert_eq!(app.state, AppState::Answered);
        assert!(app.notices.last().unwrap().text.contains("已督促整改"));
    }

    #[test]
    fn tracking_numbers() {
        let n = tracking_no(
            AppKind::Objection,
            d("2025-06-02"),
            [0, 1, 2, 3, 31, 32, 200, 255],
        );
        assert!(is_tracking_no(&n), "{n}");
        assert!(n.starts_with("YY20250602"));
        assert!(!is_tracking_no("YY2025060"));
        assert!(!is_tracking_no("ZZ20250602ABCDEFGH"));
        assert!(!is_tracking_no("YY20250602abcdefgh"));
        assert!(!is_tracking_no("YY２０250602ABCDEF"));
    }

    #[test]
    fn tracking_reveals_only_progress() {
        let f = facts("2024-01-15", Severity::General);
        let c = ctx("2025-06-03", None);
        let app = file(new_app(AppKind::Repair, &f), &c).unwrap();
        let t = serde_json::to_string(&app.tracking()).unwrap();
        assert!(!t.contains("张三"));
        assert!(!t.contains("某某公司"));
        assert!(!t.contains("已整改"));
        assert!(t.contains("信用办受理审查"));
    }
}
