//! The change log as the store exposes it (entries, checkpoints and verify reports are
//! defined in [`crate::changelog`]).

use async_trait::async_trait;
use ed25519_dalek::VerifyingKey;

use crate::changelog::{Checkpoint, LogEntry, LogSigner, VerifyReport};
use crate::error::Result;

/// The chained change log: head and entries, signed checkpoints, verification.
#[async_trait]
pub trait LogStore: Send + Sync {
    /// `(seq, hash)` of the chain head.
    async fn log_head(&self) -> Result<(i64, String)>;
    async fn log_entries(&self, after_seq: i64, limit: i64) -> Result<Vec<LogEntry>>;
    /// Sign the head if it moved since the last checkpoint.
    async fn checkpoint(&self, signer: &LogSigner) -> Result<Option<Checkpoint>>;
    /// Registered public keys: `(key_id, hex public key)`.
    async fn public_keys(&self) -> Result<Vec<(String, String)>>;
    /// Recompute the chain and every row's digest. `trusted` are the keys checkpoints must
    /// be signed with (from the key file, never from the database alone).
    async fn verify(&self, trusted: &[VerifyingKey]) -> Result<VerifyReport> {
        self.verify_against(trusted, &[]).await
    }
    /// [`LogStore::verify`], and the Merkle tree over the entries checked against signed heads
    /// kept outside the database (`(size, root)`, already opened with a trusted key): a head
    /// longer than the log (recent history erased) or with another root is a problem.
    async fn verify_against(
        &self,
        trusted: &[VerifyingKey],
        heads: &[(u64, chengxin_domain::merkle::Hash)],
    ) -> Result<VerifyReport>;
}
