//! Accounts, sessions, API tokens and audit events as the store keeps them. The rules
//! (roles, password policy, lockout, token scopes) live in `chengxin-access`; the store only
//! keeps state, versioned and — except for ephemeral sessions — in the change log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A staff or subject account (账号).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// Role codes (`credit_office` …), as `chengxin_access::Role` serialises them.
    pub roles: Vec<String>,
    /// GB/T 2260 code of the account's jurisdiction (`000000` = national).
    pub region: String,
    /// The body the account belongs to (USCC), if any.
    pub body: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Earlier password hashes, newest first (for the no-reuse rule).
    pub password_history: Vec<String>,
    /// The TOTP secret, sealed with the personal-data key.
    pub totp_secret: Option<String>,
    /// The last accepted TOTP time step (a code is never accepted twice).
    pub totp_last_step: Option<i64>,
    pub failures: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A login session; only the SHA-256 of its id is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id_hash: String,
    pub account_id: Uuid,
    /// The CSRF token pages echo back on every state-changing request.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub ip: Option<String>,
}

/// An API token for a department or an external system. Only its hash is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub public_prefix: String,
    pub hash: String,
    /// `chengxin_access::TokenScope` as JSON (permissions, region, body, expiry).
    pub scope: serde_json::Value,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// One entry of the audit trail (审计日志) or the query log (查询留痕, `kind = "query"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `auth`, `account`, `token`, `query`, `data` …
    pub kind: String,
    pub action: String,
    pub target: Option<String>,
    /// `ok`, `denied`, `failed` …
    pub outcome: String,
    pub ip: Option<String>,
    /// Event-specific details (purpose and result count for queries). Never clear ID numbers.
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn new(actor: &str, kind: &str, action: &str, outcome: &str) -> Self {
        Self {
            id: Uuid::now_v7(),
            at: crate::changelog::now(),
            actor: actor.to_string(),
            kind: kind.to_string(),
            action: action.to_string(),
            target: None,
            outcome: outcome.to_string(),
            ip: None,
            detail: serde_json::Value::Object(Default::default()),
        }
    }
}

/// Filter for reading the audit trail; every field narrows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuditFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub actor: Option<String>,
    pub kind: Option<String>,
    pub action: Option<String>,
    /// The event's object (a check id, a subject id …).
    #[serde(default)]
    pub target: Option<String>,
    pub limit: Option<i64>,
}

/// A list entry as the store keeps it: the domain's `ListEntry` as JSON plus the columns
/// queries need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListEntryRow {
    pub id: Uuid,
    pub list_code: String,
    pub subject_id: Option<Uuid>,
    /// `proposed`, `publicity`, `effective`, `removed`.
    pub status: String,
    /// `chengxin_domain::lists::ListEntry`.
    pub entry: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// What the check index keeps of an active list entry: no JSON body, so a build over
/// millions of entries reads only the columns it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryHead {
    pub id: Uuid,
    pub list_code: String,
    pub subject_id: Uuid,
    /// `publicity` or `effective`.
    pub status: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ListEntryFilter {
    pub list_code: Option<String>,
    pub status: Option<String>,
    pub subject_id: Option<Uuid>,
    /// Keyset paging: only entries with a greater id.
    #[serde(default)]
    pub after: Option<Uuid>,
    pub limit: Option<i64>,
}

/// A closed-loop case (闭环): the domain's `Case` as JSON plus the columns queries need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRow {
    /// `<entry id>/<department>`.
    pub id: String,
    pub entry_id: Uuid,
    /// Implementing-department role code.
    pub department: String,
    /// Division code (GB/T 2260) of the department that recognised the entry: the region the
    /// case belongs to.
    #[serde(default)]
    pub region: Option<String>,
    /// Last step done.
    pub step: String,
    /// Due date of the next step (`None` once reported or lifted).
    pub next_due: Option<chrono::NaiveDate>,
    pub lifted: bool,
    /// `chengxin_domain::lists::Case`.
    pub state: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CaseFilter {
    pub entry_id: Option<Uuid>,
    pub department: Option<String>,
    /// Only cases still running (not lifted, a next step due).
    pub open_only: bool,
    pub limit: Option<i64>,
}

/// An objection, repair application or rights decision (issue 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub tracking_no: String,
    /// `objection`, `repair`, `tolerance`, `mitigation`.
    pub kind: String,
    /// `record` or `list_entry`.
    pub target_kind: String,
    pub target_id: String,
    pub subject_id: Option<Uuid>,
    pub department: String,
    pub state: String,
    pub due: Option<chrono::NaiveDate>,
    /// `chengxin_domain::rights::Application`.
    pub body: serde_json::Value,
    /// SHA-256 (hex) of the applicant's access code.
    pub access_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApplicationFilter {
    pub kind: Option<String>,
    pub state: Option<String>,
    pub department: Option<String>,
    pub subject_id: Option<Uuid>,
    pub target_id: Option<String>,
    /// Only those still waiting for a step (a due date set).
    pub open_only: bool,
    pub limit: Option<i64>,
}

/// An evidence file (证明材料) of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    pub id: Uuid,
    pub application_id: Uuid,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub sha256: String,
    pub material: Option<String>,
    #[serde(skip)]
    pub content: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// What an application step does to its target, in the same transaction.
#[derive(Debug, Clone)]
pub enum TargetChange {
    None,
    Record(crate::RecordChange),
    /// A list entry's new state and the version it replaces.
    ListEntry(Box<ListEntryRow>, i64),
}
