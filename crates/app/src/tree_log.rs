//! The change log's Merkle tree for outside verifiers (issue 21): the latest signed tree head,
//! an entry's inclusion proof and the consistency proof between two tree sizes. Public: they
//! carry sizes and hashes only (no entry content), and a witness or an upper-level instance
//! needs them without an account (docs/SECURITY.md, docs/TRANSPARENCY_LOG.md).

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::App;

/// An entry's inclusion proof (hashes in hex).
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionView {
    /// The entry's sequence number (leaf index = seq − 1).
    pub seq: i64,
    pub leaf_index: u64,
    pub tree_size: u64,
    /// The entry's chain hash: the leaf is `SHA-256(0x00 || entry_hash)`.
    pub entry_hash: String,
    pub leaf_hash: String,
    /// The audit path, leaf side first (RFC 9162 §2.1.3).
    pub path: Vec<String>,
    /// The root of the tree of `tree_size` leaves.
    pub root: String,
}

/// A consistency proof (hashes in hex).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyView {
    pub from: u64,
    pub to: u64,
    pub from_root: String,
    pub to_root: String,
    /// RFC 9162 §2.1.4 proof.
    pub proof: Vec<String>,
}

fn hexes(hs: &[chengxin_domain::merkle::Hash]) -> Vec<String> {
    hs.iter().map(hex::encode).collect()
}

fn out_of_range(message: String) -> AppError {
    AppError::invalid("proof_out_of_range", message)
}

/// The latest signed tree head (a C2SP checkpoint note).
pub async fn latest_head(app: &App) -> AppResult<String> {
    match app.store.latest_tree_head().await? {
        Some(h) => Ok(h.note),
        None => Err(AppError::Conflict {
            code: "no_tree_head",
            message: "尚未签发签名树头，请稍后再试".into(),
        }),
    }
}

/// The tree size proofs default to: the latest signed head's.
async fn head_size(app: &App) -> AppResult<u64> {
    Ok(app
        .store
        .latest_tree_head()
        .await?
        .map(|h| h.size)
        .unwrap_or(0))
}

/// The log's length now.
async fn log_len(app: &App) -> AppResult<u64> {
    Ok(app.store.log_head().await?.0.max(0) as u64)
}

/// Entry `seq` is in the tree of `size` leaves (by default the latest signed head's).
pub async fn inclusion(app: &App, seq: i64, size: Option<u64>) -> AppResult<InclusionView> {
    let size = match size {
        Some(s) => s,
        None => head_size(app).await?,
    };
    let len = log_len(app).await?;
    if seq < 1 || seq as u64 > size || size > len {
        return Err(out_of_range(format!(
            "第 {seq} 条不在大小为 {size} 的树中（变更日志共 {len} 条）"
        )));
    }
    let p = app.store.inclusion_proof(seq, size).await?;
    Ok(InclusionView {
        seq: p.seq,
        leaf_index: p.leaf_index,
        tree_size: p.tree_size,
        entry_hash: p.entry_hash,
        leaf_hash: hex::encode(p.leaf_hash),
        path: hexes(&p.path),
        root: hex::encode(p.root),
    })
}

/// The tree of `from` leaves is a prefix of the tree of `to` leaves (by default the latest
/// signed head's).
pub async fn consistency(app: &App, from: u64, to: Option<u64>) -> AppResult<ConsistencyView> {
    let to = match to {
        Some(t) => t,
        None => head_size(app).await?,
    };
    let len = log_len(app).await?;
    if from > to || to > len {
        return Err(out_of_range(format!(
            "树大小须满足 from ≤ to ≤ {len}（变更日志长度），收到 from={from}、to={to}"
        )));
    }
    let p = app.store.consistency_proof(from, to).await?;
    Ok(ConsistencyView {
        from,
        to,
        from_root: hex::encode(p.old_root),
        to_root: hex::encode(p.new_root),
        proof: hexes(&p.proof),
    })
}
