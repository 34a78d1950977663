//! The audit trail (审计日志) and query log (查询留痕), and the data changes read from the
//! change log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::changelog::LogEntry;
use crate::error::Result;

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

    /// The event with every ID-number-like run in its text (actor, target, detail's strings)
    /// masked by the one masker: an ID number typed as a username, or echoed in a reason,
    /// never reaches the audit trail in clear. The store writes events only in this form.
    pub fn masked(&self) -> AuditEvent {
        use chengxin_domain::codes::id_number::mask_in_text;
        fn walk(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::String(s) => {
                    if let std::borrow::Cow::Owned(m) = mask_in_text(s) {
                        *s = m;
                    }
                }
                serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
                serde_json::Value::Object(o) => o.values_mut().for_each(walk),
                _ => {}
            }
        }
        let mut e = self.clone();
        e.actor = mask_in_text(&e.actor).into_owned();
        e.target = e.target.as_deref().map(|t| mask_in_text(t).into_owned());
        walk(&mut e.detail);
        e
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

/// The audit trail (审计日志) and the data changes it shows from the change log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Append audit events (one transaction, chained in the change log).
    async fn audit(&self, events: &[AuditEvent]) -> Result<()>;
    async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>>;
    /// Data changes from the change log (everything but audit events themselves), newest
    /// first, filtered by time and actor: the "every data change" part of the audit trail.
    async fn data_changes(&self, f: &AuditFilter) -> Result<Vec<LogEntry>>;
    /// Delete audit events older than `before` (retention); the deletions are logged.
    async fn purge_audit(&self, actor: &str, before: DateTime<Utc>) -> Result<u64>;
}
