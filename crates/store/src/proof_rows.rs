//! The rows behind one Merkle proof, in one statement where the backend allows it.
//!
//! PostgreSQL: a proof's leaves (from `change_log`), its stored subtrees (`merkle_nodes`) and
//! the tree size `merkle_nodes` covers come back from ONE prepared statement (the ids bound as
//! arrays, so the statement's text never changes and stays prepared on the connection): one
//! round trip per proof instead of four. SQLite answers in-process, where a round trip costs
//! nothing: it keeps the portable queries of `shared/merkle.rs` (`None` here).

use chengxin_domain::merkle::NodeId;
use sqlx::Row;

use crate::error::{Result, StoreError};

/// What one proof reads.
pub(crate) struct ProofRows {
    /// Leaf index → the entry's hash (hex, as stored).
    pub leaves: Vec<(u64, String)>,
    /// Stored subtrees (level ≥ 1) and their hashes.
    pub nodes: Vec<(NodeId, Vec<u8>)>,
    /// How many leaves `merkle_nodes` covers: the rows answer for trees up to this size.
    pub synced: u64,
}

/// SQLite: no single-statement path (see the module's comment).
pub(crate) async fn sqlite(_pool: &sqlx::SqlitePool, _ids: &[NodeId]) -> Result<Option<ProofRows>> {
    Ok(None)
}

const PG_PROOF: &str = "\
    SELECT 0 AS level, seq - 1 AS idx, hash AS hex, NULL::bytea AS raw \
      FROM change_log WHERE seq = ANY($1) \
    UNION ALL \
    SELECT n.level, n.idx, NULL, n.hash \
      FROM unnest($2::int[], $3::bigint[]) AS w(level, idx) \
      JOIN merkle_nodes n ON n.level = w.level AND n.idx = w.idx \
    UNION ALL \
    SELECT -1, (SELECT size FROM merkle_state WHERE id = 1), NULL, NULL";

fn out_of_range() -> StoreError {
    StoreError::Invalid("Merkle 节点编号超出范围".into())
}

/// PostgreSQL: the proof's rows in one round trip.
pub(crate) async fn postgres(pool: &sqlx::PgPool, ids: &[NodeId]) -> Result<Option<ProofRows>> {
    if crate::verify_pipeline::portable_reads() {
        return Ok(None);
    }
    let mut seqs: Vec<i64> = Vec::new();
    let mut levels: Vec<i32> = Vec::new();
    let mut idxs: Vec<i64> = Vec::new();
    for id in ids {
        if id.level == 0 {
            let seq = i64::try_from(id.index)
                .ok()
                .and_then(|i| i.checked_add(1))
                .ok_or_else(out_of_range)?;
            seqs.push(seq);
        } else {
            levels.push(i32::try_from(id.level).map_err(|_| out_of_range())?);
            idxs.push(i64::try_from(id.index).map_err(|_| out_of_range())?);
        }
    }
    let rows = sqlx::query(PG_PROOF)
        .bind(&seqs)
        .bind(&levels)
        .bind(&idxs)
        .fetch_all(pool)
        .await?;
    let mut out = ProofRows {
        leaves: Vec::with_capacity(seqs.len()),
        nodes: Vec::with_capacity(levels.len()),
        synced: 0,
    };
    for row in &rows {
        let level: i32 = row.try_get("level")?;
        let idx: Option<i64> = row.try_get("idx")?;
        let idx = idx.unwrap_or(0).max(0) as u64;
        match level {
            -1 => out.synced = idx,
            0 => out.leaves.push((idx, row.try_get("hex")?)),
            l if l > 0 => out
                .nodes
                .push((NodeId::new(l as u32, idx), row.try_get("raw")?)),
            _ => return Err(StoreError::Corrupt(format!("Merkle 节点层级异常：{level}"))),
        }
    }
    Ok(Some(out))
}
