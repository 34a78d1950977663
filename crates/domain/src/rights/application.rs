//! Applications (异议 / 信用修复) and their parts: kinds, targets, states, parties, findings,
//! grounds, steps, notices and decisions.

use super::*;

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

/// A deadline as counted: `working_days` working days after `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueBasis {
    pub from: NaiveDate,
    pub working_days: u32,
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
    /// The region (GB/T 2260) it belongs to where `department` does not say: a complaint's is
    /// the region of the body complained about, and the credit offices in line with it handle it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
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
    /// How `due` was counted (so it can be counted again when the calendar changes, e.g. a
    /// provisional deadline once the year's holidays are published).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_basis: Option<DueBasis>,
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
    /// Free text as given whose ID numbers are stored masked (the filing's reasons and the
    /// applicant's name, a step's reasons), sealed by the server: opened only for
    /// `personal_data_decrypt` holders with a purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub texts_sealed: Option<String>,
}
