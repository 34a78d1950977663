//! The change log as a Merkle tree: its stored complete subtrees, signed tree heads and
//! proofs (the row and proof types are in [`crate::heads`]).

use async_trait::async_trait;

use crate::changelog::LogSigner;
use crate::error::Result;
use crate::heads::{ConsistencyProof, InclusionProof, TreeHead};

/// The RFC 6962 tree over the change log (leaf `i` = entry `seq = i + 1`).
#[async_trait]
pub trait MerkleStore: Send + Sync {
    /// Store the complete subtrees the entries appended since the last call complete (derived
    /// data); returns the tree size now covered (the log's length).
    async fn merkle_sync(&self) -> Result<u64>;
    /// Sign a head over the whole log (after [`MerkleStore::merkle_sync`]) if it grew since the
    /// last signed head; `None` when it did not (or another server signed it first).
    async fn sign_tree_head(&self, signer: &LogSigner, origin: &str) -> Result<Option<TreeHead>>;
    /// The latest signed head, if any.
    async fn latest_tree_head(&self) -> Result<Option<TreeHead>>;
    /// Entry `seq` is in the tree of `size` leaves (O(log size) reads).
    async fn inclusion_proof(&self, seq: i64, size: u64) -> Result<InclusionProof>;
    /// The tree of `old` leaves is a prefix of the tree of `new` leaves (O(log new) reads).
    async fn consistency_proof(&self, old: u64, new: u64) -> Result<ConsistencyProof>;
    /// The latest change-log entry (`seq`) that set each of these entities of `entity_type` —
    /// its own entry, or a group entry listing it; ids never logged are absent. For the proof
    /// bundle of a credit report (issue 21).
    async fn latest_entries(
        &self,
        entity_type: &str,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, i64>>;
}
