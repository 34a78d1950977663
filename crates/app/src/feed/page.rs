//! The feed page as it travels (JSON): the signed head it is cut under, the entries after the
//! cursor, the content of the records they changed, and the consistency proofs.

use chengxin_domain::records::Record;
use chengxin_store::{FeedRecordRow, LogEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One change-log entry, every field the chain hash covers (the receiver recomputes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeedEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub state_digest: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// A group entry's members (`action\tentity_type\tentity_id\tdigest\n` each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<String>,
}

impl From<LogEntry> for FeedEntry {
    fn from(e: LogEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            action: e.action,
            state_digest: e.state_digest,
            prev_hash: e.prev_hash,
            hash: e.hash,
            members: e.members,
        }
    }
}

/// The content of one record an entry of the page changed: exactly one of `record` (a record
/// of the sender), `forwarded` (a record the sender received from below), `superseded` (a
/// later entry changes it again: its content travels with that one) or `absent` (it no longer
/// exists: an abandoned import's staged row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedState {
    /// The entry that changed it.
    pub seq: i64,
    /// `record` or `feed_record`.
    pub entity_type: String,
    pub entity_id: String,
    /// The record's state as the entry digested it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub record: Option<Record>,
    /// The record's subject's code (USCC, or the masked ID number of a person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub forwarded: Option<FeedRecordRow>,
    #[serde(default)]
    pub superseded: bool,
    #[serde(default)]
    pub absent: bool,
}

/// A page of a lower instance's change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedPage {
    /// The sender's name (its region's name, e.g. `溧阳市`): the origin of its records.
    pub origin: String,
    /// The sender's region (the token's), GB/T 2260.
    pub region: String,
    /// The signed tree head the page is cut under (C2SP checkpoint, signed note).
    pub checkpoint: String,
    /// The entries are `after + 1 ..= next`.
    pub after: i64,
    pub next: i64,
    pub entries: Vec<FeedEntry>,
    pub states: Vec<FeedState>,
    /// Consistency proof (hex) from the tree of `next` leaves to the head's.
    pub to_head: Vec<String>,
    /// The head size the receiver said it holds, and the consistency proof (hex) from it to
    /// the page's head.
    pub known: u64,
    pub from_known: Vec<String>,
}
