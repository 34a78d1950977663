//! Upward aggregation between instances (issue 21, docs/FEED.md): the links to lower
//! instances this instance pulls from (cursor, the last signed head it holds of the sender,
//! lag, state, last error) and the records received, under their origin. Every write is
//! change-logged (`feed_link`, `feed_record`) and covered by verify; a page is applied in one
//! transaction, and a record whose received state equals the stored one writes nothing.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// A link to one lower instance, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedLinkRow {
    /// The lower instance's name (its 地区 name, e.g. `溧阳市`): the records' origin.
    pub name: String,
    pub base_url: String,
    /// The region the sender may send records of (GB/T 2260).
    pub region: String,
    /// The sender's change-log entries applied: `1..=applied`.
    pub applied: i64,
    /// The chain hash of entry `applied` (empty before the first).
    pub last_hash: String,
    /// The Merkle frontier of the sender's tree of `applied` leaves (hex hashes, lowest level
    /// first, comma-separated).
    pub frontier: String,
    /// The last signed head of the sender this instance holds (and proved every later one
    /// consistent with): size and root (hex; empty before the first).
    pub head_size: i64,
    pub head_root: String,
    /// The sender's tree size at the last pull (lag = `sender_size - applied`).
    pub sender_size: i64,
    /// `new`, `ok`, `failed`.
    pub state: String,
    pub error_code: Option<String>,
    pub error: Option<String>,
    /// Records received and pages applied so far.
    pub records: i64,
    pub pages: i64,
    /// RFC 3339 (the last pull that changed the link).
    pub updated_at: String,
    pub version: i64,
}

/// A record received from a lower instance, stored under its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedRecordRow {
    /// `<origin>:<original id>`.
    pub id: String,
    /// The link it arrived through (the immediate sender).
    pub link: String,
    /// The instance that created it (e.g. `溧阳市`), its region and its id there.
    pub origin: String,
    pub origin_region: String,
    pub original_id: String,
    /// The immediate sender's change-log entry that carried this state.
    pub origin_seq: i64,
    pub type_code: String,
    pub subject_name: String,
    pub subject_code: Option<String>,
    pub doc_no: String,
    pub decision_date: String,
    pub source_dept: String,
    /// The record's status at its origin (`published`, `revoked`, `expired`, …).
    pub status: String,
    /// The record's fields, canonical JSON text.
    pub fields: String,
    /// The record's version at its origin.
    pub version: i64,
}

/// What applying a page changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedApplied {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Links to lower instances and the records received through them.
#[async_trait]
pub trait FeedStore: Send + Sync {
    async fn feed_links(&self) -> Result<Vec<FeedLinkRow>>;
    async fn feed_link(&self, name: &str) -> Result<Option<FeedLinkRow>>;
    /// Create a configured link (state `new`, nothing applied), or update its address and
    /// region when the configuration changed; logged when anything changed.
    async fn feed_link_configure(
        &self,
        actor: &str,
        name: &str,
        base_url: &str,
        region: &str,
    ) -> Result<FeedLinkRow>;
    /// Apply a verified page in one transaction: the records (a state equal to the stored one
    /// writes nothing) and the link's new state (`link.version` is the version read before;
    /// another writer meanwhile is a conflict and nothing is written).
    async fn feed_apply(
        &self,
        actor: &str,
        link: &FeedLinkRow,
        records: &[FeedRecordRow],
    ) -> Result<FeedApplied>;
    /// Mark a link failed with the refusal's code and reason (nothing else changes).
    async fn feed_fail(&self, actor: &str, name: &str, code: &str, message: &str) -> Result<()>;
    /// Received records, newest change first (`origin` filters by origin instance).
    async fn feed_records(&self, origin: Option<&str>, limit: i64) -> Result<Vec<FeedRecordRow>>;
    /// Received records by id (`<origin>:<original id>`).
    async fn feed_records_by_id(&self, ids: &[String]) -> Result<Vec<FeedRecordRow>>;
    /// The sender's side: these records as stored (visible ones only: a record of a batch
    /// still open is absent), each with its subject's code (USCC, or the masked ID number),
    /// in one read per 500.
    async fn feed_source_records(
        &self,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<(chengxin_domain::records::Record, Option<String>)>>;
}
