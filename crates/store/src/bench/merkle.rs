//! The Merkle log benchmark's fixture (benchmarks only): N genuine change-log entries —
//! chained, hashed exactly as the product hashes them — appended straight to a migrated
//! scratch database's `change_log` and `log_head`, as if N entities had been created and
//! deleted (so `verify` finds the log intact and no row missing). SQLite through rusqlite's
//! prepared inserts, PostgreSQL through `COPY`: building 10,000,000 entries through the
//! product's write path would take hours.

use std::path::Path;

use sqlx::Row;

use super::{sqlite_err, PgBench};
use crate::changelog::entry_hash;
use crate::error::Result;

/// The fields of bench entry `seq` (a UUID-shaped id, a product-shaped timestamp and actor).
fn fields(seq: i64) -> (String, String) {
    let at = format!(
        "2026-01-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        1 + (seq / 86_400_000_000) % 28,
        (seq / 3_600_000_000) % 24,
        (seq / 60_000_000) % 60,
        (seq / 1_000_000) % 60,
        seq % 1_000_000
    );
    let id = format!(
        "0190a1b2-{:04x}-7{:03x}-8{:03x}-{:012x}",
        (seq >> 40) & 0xffff,
        (seq >> 28) & 0xfff,
        (seq >> 16) & 0xfff,
        seq
    );
    (at, id)
}

const ACTOR: &str = "import:bench";
const ENTITY: &str = "bench_entity";
const ACTION: &str = "delete";

/// Append `n` entries to the SQLite database file `db` (one transaction); returns the new head
/// `(seq, hash)`. Blocking.
pub fn sqlite_append_log(db: &Path, n: u64) -> Result<(i64, String)> {
    let mut conn = rusqlite::Connection::open(db).map_err(sqlite_err)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .map_err(sqlite_err)?;
    let tx = conn.transaction().map_err(sqlite_err)?;
    let (mut seq, mut prev): (i64, String) = tx
        .query_row("SELECT seq, hash FROM log_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(sqlite_err)?;
    {
        let mut st = tx
            .prepare(
                "INSERT INTO change_log (seq, at, actor, entity_type, entity_id, action, \
                 state_digest, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8)",
            )
            .map_err(sqlite_err)?;
        for _ in 0..n {
            seq += 1;
            let (at, id) = fields(seq);
            let hash = entry_hash(seq, &at, ACTOR, ENTITY, &id, ACTION, None, &prev);
            st.execute(rusqlite::params![
                seq, at, ACTOR, ENTITY, id, ACTION, prev, hash
            ])
            .map_err(sqlite_err)?;
            prev = hash;
        }
    }
    tx.execute(
        "UPDATE log_head SET seq = ?1, hash = ?2 WHERE id = 1",
        rusqlite::params![seq, prev],
    )
    .map_err(sqlite_err)?;
    tx.commit().map_err(sqlite_err)?;
    Ok((seq, prev))
}

impl PgBench {
    /// Append `n` entries to the scratch schema's change log with `COPY` (one transaction);
    /// returns the new head `(seq, hash)`.
    pub async fn append_log(&self, n: u64) -> Result<(i64, String)> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("SELECT seq, hash FROM log_head WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *tx)
            .await?;
        let (mut seq, mut prev): (i64, String) = (row.try_get("seq")?, row.try_get("hash")?);
        {
            let mut copy = tx
                .copy_in_raw(
                    "COPY change_log (seq, at, actor, entity_type, entity_id, action, \
                     state_digest, prev_hash, hash) FROM STDIN",
                )
                .await?;
            let mut buf = String::with_capacity(1 << 21);
            for _ in 0..n {
                seq += 1;
                let (at, id) = fields(seq);
                let hash = entry_hash(seq, &at, ACTOR, ENTITY, &id, ACTION, None, &prev);
                buf.push_str(&format!(
                    "{seq}\t{at}\t{ACTOR}\t{ENTITY}\t{id}\t{ACTION}\t\\N\t{prev}\t{hash}\n"
                ));
                prev = hash;
                if buf.len() > (1 << 20) {
                    copy.send(std::mem::take(&mut buf).into_bytes()).await?;
                }
            }
            if !buf.is_empty() {
                copy.send(buf.into_bytes()).await?;
            }
            copy.finish().await?;
        }
        sqlx::query("UPDATE log_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&prev)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        sqlx::query("VACUUM ANALYZE change_log")
            .execute(&self.pool)
            .await?;
        Ok((seq, prev))
    }

    /// Bytes of the scratch schema's change log and Merkle nodes (tables and indexes).
    pub async fn log_bytes(&self) -> Result<(i64, i64)> {
        let size = |t: &'static str| {
            sqlx::query_scalar::<_, i64>(
                "SELECT pg_total_relation_size(c.oid) FROM pg_class c \
                 WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
            )
            .bind(t)
        };
        let log = size("change_log").fetch_one(&self.pool).await?;
        let nodes = size("merkle_nodes").fetch_one(&self.pool).await?;
        Ok((log, nodes))
    }
}
