//! The Merkle tree over the change log: filling `merkle_nodes` with the complete subtrees of
//! new entries, signing tree heads, and building proofs from O(log n) stored nodes.

use std::collections::HashMap;

use async_trait::async_trait;
use chengxin_domain::merkle::{self, Frontier, Hash, NodeId};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::Row;

use super::{Db, Inner};
use crate::changelog::{now, LogSigner};
use crate::error::{Result, StoreError};
use crate::heads::{self, ConsistencyProof, InclusionProof, TreeHead};
use crate::MerkleStore;

type Conn = <Db as sqlx::Database>::Connection;

/// Leaves hashed and nodes stored per transaction while catching up.
const SYNC_CHUNK: i64 = 100_000;

/// The leaf of a change-log entry: `SHA-256(0x00 || entry hash)` (the 32 raw bytes).
pub(crate) fn leaf_of(entry_hash: &str) -> Result<Hash> {
    let bytes = hex::decode(entry_hash)
        .map_err(|_| StoreError::Invalid("变更日志条目哈希不是十六进制".into()))?;
    Ok(merkle::leaf_hash(&bytes))
}

fn to_hash(bytes: &[u8]) -> Result<Hash> {
    Hash::try_from(bytes).map_err(|_| StoreError::Invalid("Merkle 节点哈希长度错误".into()))
}

fn proof_err(e: merkle::ProofError) -> StoreError {
    StoreError::Invalid(format!("Merkle 证明无法生成：{e}"))
}

fn size_i64(n: u64) -> Result<i64> {
    i64::try_from(n).map_err(|_| StoreError::Invalid("树大小超出范围".into()))
}

/// Read the given complete subtrees: leaves from `change_log`, the rest from `merkle_nodes`.
async fn fetch(conn: &mut Conn, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>> {
    Ok(fetch_hex(conn, ids).await?.0)
}

/// [`fetch`], with the leaves' entry hashes (hex, as stored) by leaf index.
async fn fetch_hex(
    conn: &mut Conn,
    ids: &[NodeId],
) -> Result<(HashMap<NodeId, Hash>, HashMap<u64, String>)> {
    let mut out = HashMap::with_capacity(ids.len());
    let mut hexes = HashMap::new();
    let (leaves, nodes): (Vec<&NodeId>, Vec<&NodeId>) = ids.iter().partition(|id| id.level == 0);
    if !leaves.is_empty() {
        let mut q =
            sqlx::QueryBuilder::<Db>::new("SELECT seq, hash FROM change_log WHERE seq IN (");
        let mut sep = q.separated(", ");
        for id in &leaves {
            sep.push_bind(size_i64(id.index + 1)?);
        }
        q.push(")");
        for row in q.build().fetch_all(&mut *conn).await? {
            let seq: i64 = row.try_get("seq")?;
            let hash: String = row.try_get("hash")?;
            out.insert(NodeId::new(0, (seq - 1) as u64), leaf_of(&hash)?);
            hexes.insert((seq - 1) as u64, hash);
        }
    }
    for part in nodes.chunks(200) {
        let mut q =
            sqlx::QueryBuilder::<Db>::new("SELECT level, idx, hash FROM merkle_nodes WHERE ");
        for (i, id) in part.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push("(level = ");
            q.push_bind(id.level as i32);
            q.push(" AND idx = ");
            q.push_bind(size_i64(id.index)?);
            q.push(")");
        }
        for row in q.build().fetch_all(&mut *conn).await? {
            let level: i32 = row.try_get("level")?;
            let idx: i64 = row.try_get("idx")?;
            let hash: Vec<u8> = row.try_get("hash")?;
            out.insert(NodeId::new(level as u32, idx as u64), to_hash(&hash)?);
        }
    }
    Ok((out, hexes))
}

/// The tree size `merkle_nodes` covers.
async fn synced(conn: &mut Conn) -> Result<u64> {
    let s: i64 = sqlx::query_scalar("SELECT size FROM merkle_state WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(s.max(0) as u64)
}

fn head_from_row(row: &super::kernel::DbRow) -> Result<TreeHead> {
    let root: String = row.try_get("root")?;
    Ok(TreeHead {
        size: row.try_get::<i64, _>("size")?.max(0) as u64,
        root: merkle_hex(&root)?,
        note: row.try_get("note")?,
        at: row.try_get::<DateTime<Utc>, _>("at")?,
    })
}

fn merkle_hex(s: &str) -> Result<Hash> {
    crate::keys::parse_hex32(s).ok_or_else(|| StoreError::Invalid("树根不是十六进制哈希".into()))
}

impl Inner {
    /// One transaction of catching up: at most [`SYNC_CHUNK`] leaves. `(covered, done)`.
    async fn sync_chunk(&self) -> Result<(u64, bool)> {
        let mut tx = self.pool.begin().await?;
        // Servers sharing the database take turns (the row lock); nodes are idempotent anyway.
        sqlx::query("UPDATE merkle_state SET size = size WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let from = synced(&mut tx).await?;
        let head: i64 = sqlx::query_scalar("SELECT seq FROM log_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let head = head.max(0) as u64;
        if from >= head {
            tx.rollback().await?;
            return Ok((from.min(head), true));
        }
        let upto = head.min(from + SYNC_CHUNK as u64);
        let frontier_nodes = fetch(&mut tx, &Frontier::needed(from)).await?;
        let mut frontier = Frontier::from_nodes(&frontier_nodes, from).map_err(proof_err)?;
        let mut completed: Vec<(NodeId, Hash)> = Vec::new();
        {
            let mut rows = sqlx::query(
                "SELECT seq, hash FROM change_log WHERE seq > $1 AND seq <= $2 ORDER BY seq",
            )
            .bind(size_i64(from)?)
            .bind(size_i64(upto)?)
            .fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                let seq: i64 = row.try_get("seq")?;
                if seq as u64 != frontier.size() + 1 {
                    return Err(StoreError::Invalid(format!(
                        "变更日志第 {} 条缺失，无法计算 Merkle 树",
                        frontier.size() + 1
                    )));
                }
                let leaf = leaf_of(&row.try_get::<String, _>("hash")?)?;
                frontier.push(leaf, |id, h| completed.push((id, *h)));
            }
        }
        if frontier.size() != upto {
            return Err(StoreError::Invalid(format!(
                "变更日志第 {} 条缺失，无法计算 Merkle 树",
                frontier.size() + 1
            )));
        }
        for part in completed.chunks(1000) {
            let mut q =
                sqlx::QueryBuilder::<Db>::new("INSERT INTO merkle_nodes (level, idx, hash) ");
            q.push_values(part, |mut b, (id, h)| {
                b.push_bind(id.level as i32)
                    .push_bind(id.index as i64)
                    .push_bind(h.to_vec());
            });
            q.push(" ON CONFLICT (level, idx) DO NOTHING");
            q.build().execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE merkle_state SET size = $1 WHERE id = 1")
            .bind(size_i64(upto)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((upto, upto == head))
    }

    /// The nodes `ids` of the tree of `size` leaves, and the leaves' entry hashes by index:
    /// in one statement where the backend has one (`proof_rows`) and the stored subtrees
    /// already cover `size`; else sync the tree first and read them portably.
    async fn proof_nodes(
        &self,
        ids: &[NodeId],
        size: u64,
    ) -> Result<(HashMap<NodeId, Hash>, HashMap<u64, String>)> {
        if let Some(rows) = super::proof_rows(&self.pool, ids).await? {
            if rows.synced >= size {
                let mut nodes = HashMap::with_capacity(ids.len());
                let mut hexes = HashMap::with_capacity(rows.leaves.len());
                for (index, hex) in rows.leaves {
                    nodes.insert(NodeId::new(0, index), leaf_of(&hex)?);
                    hexes.insert(index, hex);
                }
                for (id, hash) in rows.nodes {
                    nodes.insert(id, to_hash(&hash)?);
                }
                return Ok((nodes, hexes));
            }
        }
        self.covered(&[size]).await?;
        let mut conn = self.pool.acquire().await?;
        fetch_hex(&mut conn, ids).await
    }

    /// Sync, then check that `sizes` are within the covered tree.
    async fn covered(&self, sizes: &[u64]) -> Result<()> {
        let n = self.merkle_sync().await?;
        match sizes.iter().find(|s| **s > n) {
            Some(s) => Err(StoreError::Invalid(format!(
                "树大小 {s} 超出变更日志（共 {n} 条）"
            ))),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl MerkleStore for Inner {
    async fn merkle_sync(&self) -> Result<u64> {
        // Already current (the common case for proofs): two reads, no write transaction.
        let row = sqlx::query(
            "SELECT (SELECT size FROM merkle_state WHERE id = 1) AS size, \
             (SELECT seq FROM log_head WHERE id = 1) AS seq",
        )
        .fetch_one(&self.pool)
        .await?;
        let (size, seq): (i64, i64) = (row.try_get("size")?, row.try_get("seq")?);
        if size == seq {
            return Ok(size.max(0) as u64);
        }
        loop {
            let (size, done) = self.sync_chunk().await?;
            if done {
                return Ok(size);
            }
        }
    }

    async fn sign_tree_head(&self, signer: &LogSigner, origin: &str) -> Result<Option<TreeHead>> {
        let size = self.merkle_sync().await?;
        if size == 0 {
            return Ok(None);
        }
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(size) FROM merkle_heads")
            .fetch_one(&self.pool)
            .await?;
        if last.is_some_and(|l| l >= size as i64) {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        let nodes = fetch(&mut conn, &Frontier::needed(size)).await?;
        let root = Frontier::from_nodes(&nodes, size)
            .map_err(proof_err)?
            .root();
        let head = TreeHead {
            size,
            root,
            note: heads::sign_checkpoint(signer, origin, size, &root),
            at: now(),
        };
        let done = sqlx::query(
            "INSERT INTO merkle_heads (size, root, note, at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(size_i64(size)?)
        .bind(hex::encode(root))
        .bind(&head.note)
        .bind(head.at)
        .execute(&mut *conn)
        .await?;
        Ok((done.rows_affected() == 1).then_some(head))
    }

    async fn latest_tree_head(&self) -> Result<Option<TreeHead>> {
        sqlx::query("SELECT * FROM merkle_heads ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(head_from_row)
            .transpose()
    }

    async fn inclusion_proof(&self, seq: i64, size: u64) -> Result<InclusionProof> {
        let index = seq
            .checked_sub(1)
            .and_then(|i| u64::try_from(i).ok())
            .filter(|i| *i < size)
            .ok_or_else(|| StoreError::Invalid(format!("第 {seq} 条不在大小为 {size} 的树中")))?;
        let mut ids = merkle::needed_for_inclusion(index, size).map_err(proof_err)?;
        ids.push(NodeId::new(0, index));
        let (nodes, mut hexes) = self.proof_nodes(&ids, size).await?;
        let entry_hash = hexes.remove(&index).ok_or_else(|| {
            StoreError::Invalid(format!("变更日志第 {seq} 条缺失，无法生成包含证明"))
        })?;
        Ok(InclusionProof {
            seq,
            leaf_index: index,
            tree_size: size,
            leaf_hash: leaf_of(&entry_hash)?,
            entry_hash,
            path: merkle::inclusion_proof(&nodes, index, size).map_err(proof_err)?,
            root: merkle::root(&nodes, size).map_err(proof_err)?,
        })
    }

    async fn consistency_proof(&self, old: u64, new: u64) -> Result<ConsistencyProof> {
        if old > new {
            return Err(StoreError::Invalid(format!(
                "一致性证明的旧树（{old}）不得大于新树（{new}）"
            )));
        }
        let ids = merkle::needed_for_consistency(old, new).map_err(proof_err)?;
        let (nodes, _) = self.proof_nodes(&ids, new).await?;
        Ok(ConsistencyProof {
            old_size: old,
            new_size: new,
            old_root: merkle::root(&nodes, old).map_err(proof_err)?,
            new_root: merkle::root(&nodes, new).map_err(proof_err)?,
            proof: merkle::consistency_proof(&nodes, old, new).map_err(proof_err)?,
        })
    }

    async fn latest_entries(
        &self,
        entity_type: &str,
        ids: &[String],
    ) -> Result<HashMap<String, i64>> {
        let mut out: HashMap<String, i64> = HashMap::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(out);
        }
        let mut conn = self.pool.acquire().await?;
        // Entries of their own: through the (entity_type, entity_id) index.
        for part in ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT entity_id, MAX(seq) AS seq FROM change_log WHERE entity_type = ",
            );
            q.push_bind(entity_type).push(" AND entity_id IN (");
            let mut sep = q.separated(", ");
            for id in part {
                sep.push_bind(id.as_str());
            }
            q.push(") GROUP BY entity_id");
            for row in q.build().fetch_all(&mut *conn).await? {
                out.insert(row.try_get("entity_id")?, row.try_get("seq")?);
            }
        }
        // Group entries (bulk writes) listing them: newer ones win. One pass over the group
        // entries that hold this entity type, newest first; stops once every id has been seen
        // in a group (an older group cannot be the latest for it).
        let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        let mut in_group: std::collections::HashSet<String> = std::collections::HashSet::new();
        let pattern = format!("%\t{entity_type}\t%");
        let mut rows = sqlx::query(
            "SELECT seq, members FROM change_log WHERE entity_type = $1 AND members LIKE $2 \
             ORDER BY seq DESC",
        )
        .bind(crate::changelog::GROUP_ENTITY)
        .bind(pattern)
        .fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let seq: i64 = row.try_get("seq")?;
            let members: Option<String> = row.try_get("members")?;
            let members = members.unwrap_or_default();
            for m in crate::changelog::parse_members(&members).unwrap_or_default() {
                if m.entity_type != entity_type || !wanted.contains(m.entity_id) {
                    continue;
                }
                if in_group.insert(m.entity_id.to_string()) {
                    let slot = out.entry(m.entity_id.to_string()).or_insert(seq);
                    *slot = (*slot).max(seq);
                }
            }
            if in_group.len() == wanted.len() {
                break;
            }
        }
        Ok(out)
    }
}
