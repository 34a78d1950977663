//! The transaction and change-log kernel every concern writes through: a write transaction
//! holding the log head, appending chained entries (one by one, batched or grouped), and
//! reading change-log rows. It knows no concern.

use sqlx::pool::PoolConnection;
use sqlx::{Connection as _, Row, Transaction};

use super::{Db, Inner};
use crate::changelog::{self, format_at, now, LogEntry};
use crate::error::{Result, StoreError};

pub(super) type DbRow = <Db as sqlx::Database>::Row;

/// A write transaction (also used by the backend's bulk-write paths): on a connection from the
/// pool (`'static`) or on one the caller holds.
pub(crate) type Tx<'c> = Transaction<'c, Db>;

/// This process's writers, in turn: first come, first served. A write transaction holds the
/// log head, so writes are serialised anyway; taking turns here first makes the order fair.
/// SQLite's own lock is not: a writer waiting on it sleeps and retries, and a batch import
/// that commits one chunk and begins the next a moment later would win nearly every retry,
/// starving the complaint or login waiting behind it. With turns, a write waits for at most
/// the chunk being written.
pub(crate) type Gate = std::sync::Arc<tokio::sync::Mutex<()>>;

/// The chain head, held (locked) for the duration of a write transaction, with this
/// process's turn to write.
pub(super) struct Head {
    pub(super) seq: i64,
    pub(super) hash: String,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// Start a write transaction and take the change-log head. The no-op UPDATE takes the write
/// lock first on both backends (SQLite's RESERVED lock, PostgreSQL's row lock), so appends are
/// serialised and no deferred transaction has to upgrade its lock half-way.
pub(super) async fn begin_write(db: &Inner) -> Result<(Tx<'static>, Head)> {
    let turn = db.gate.clone().lock_owned().await;
    let tx = db.pool.begin().await?;
    take_head(tx, turn).await
}

/// [`begin_write`] on a connection the caller holds: a batch import keeps one for all its
/// chunks, so their transactions find its page cache (and its larger size) as they left it.
pub(super) async fn begin_write_on<'c>(
    db: &Inner,
    conn: &'c mut PoolConnection<Db>,
) -> Result<(Tx<'c>, Head)> {
    let turn = db.gate.clone().lock_owned().await;
    let tx = conn.begin().await?;
    take_head(tx, turn).await
}

async fn take_head(
    mut tx: Tx<'_>,
    turn: tokio::sync::OwnedMutexGuard<()>,
) -> Result<(Tx<'_>, Head)> {
    sqlx::query("UPDATE log_head SET seq = seq WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query("SELECT seq, hash FROM log_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let head = Head {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
        _turn: turn,
    };
    Ok((tx, head))
}

pub(super) async fn append(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    digest: Option<String>,
) -> Result<()> {
    let seq = head.seq + 1;
    let at = format_at(now());
    let hash = changelog::entry_hash(
        seq,
        &at,
        actor,
        entity_type,
        entity_id,
        action,
        digest.as_deref(),
        &head.hash,
    );
    sqlx::query(
        "INSERT INTO change_log (seq, at, actor, entity_type, entity_id, action, state_digest, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor)
    .bind(entity_type)
    .bind(entity_id)
    .bind(action)
    .bind(digest)
    .bind(&head.hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    head.seq = seq;
    head.hash = hash;
    Ok(())
}

/// Finish a versioned write of one entity: the INSERT/UPDATE must have touched exactly one
/// row (an UPDATE that matched nothing means someone else changed it first), then the change
/// is logged and the transaction committed.
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish_versioned(
    mut tx: Tx<'_>,
    mut head: Head,
    rows_affected: u64,
    expected: Option<i64>,
    actor: &str,
    entity_type: &str,
    entity_id: &str,
    digest: String,
) -> Result<()> {
    if rows_affected != 1 {
        return Err(StoreError::Conflict {
            expected: expected.unwrap_or(0),
            current: -1,
        });
    }
    let action = if expected.is_none() {
        "create"
    } else {
        "update"
    };
    append(
        &mut tx,
        &mut head,
        actor,
        entity_type,
        entity_id,
        action,
        Some(digest),
    )
    .await?;
    commit(tx, head).await
}

pub(super) async fn commit(mut tx: Tx<'_>, head: Head) -> Result<()> {
    sqlx::query("UPDATE log_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(head.seq)
        .bind(&head.hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A log entry to append once the rows of a batch statement are written.
pub(super) struct PendingEntry {
    entity_type: &'static str,
    entity_id: String,
    action: String,
    digest: String,
}

pub(super) fn entry(
    entity_type: &'static str,
    entity_id: String,
    action: &str,
    digest: String,
) -> PendingEntry {
    PendingEntry {
        entity_type,
        entity_id,
        action: action.to_string(),
        digest,
    }
}

/// Log entries collected for one multi-row write, chained and inserted together.
#[derive(Default)]
pub(super) struct PendingLog {
    entries: Vec<PendingEntry>,
}

impl PendingLog {
    pub(super) fn push(&mut self, e: PendingEntry) {
        self.entries.push(e);
    }

    pub(super) async fn flush(
        &mut self,
        tx: &mut Tx<'_>,
        head: &mut Head,
        actor: &str,
    ) -> Result<()> {
        let at = format_at(now());
        let mut rows: Vec<LogEntry> = Vec::with_capacity(self.entries.len());
        for e in self.entries.drain(..) {
            let seq = head.seq + 1;
            let hash = changelog::entry_hash(
                seq,
                &at,
                actor,
                e.entity_type,
                &e.entity_id,
                &e.action,
                Some(&e.digest),
                &head.hash,
            );
            rows.push(LogEntry {
                seq,
                at: at.clone(),
                actor: actor.to_string(),
                entity_type: e.entity_type.to_string(),
                entity_id: e.entity_id,
                action: e.action,
                state_digest: Some(e.digest),
                prev_hash: std::mem::replace(&mut head.hash, hash.clone()),
                hash,
                members: None,
            });
            head.seq = seq;
        }
        for part in rows.chunks(1000) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO change_log (seq, at, actor, entity_type, entity_id, action, state_digest, prev_hash, hash) ",
            );
            q.push_values(part, |mut b, e| {
                b.push_bind(e.seq)
                    .push_bind(e.at.as_str())
                    .push_bind(e.actor.as_str())
                    .push_bind(e.entity_type.as_str())
                    .push_bind(e.entity_id.as_str())
                    .push_bind(e.action.as_str())
                    .push_bind(e.state_digest.as_deref())
                    .push_bind(e.prev_hash.as_str())
                    .push_bind(e.hash.as_str());
            });
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Append the collected entries as group entries (see `changelog::GROUP_ENTITY`): one
    /// chained row per `GROUP_MAX` members instead of one per entity.
    pub(super) async fn flush_grouped(
        &mut self,
        tx: &mut Tx<'_>,
        head: &mut Head,
        actor: &str,
        group_id: &str,
    ) -> Result<()> {
        const GROUP_MAX: usize = 10_000;
        if self.entries.is_empty() {
            return Ok(());
        }
        let entries = std::mem::take(&mut self.entries);
        for (n, part) in entries.chunks(GROUP_MAX).enumerate() {
            let mut text = String::with_capacity(part.len() * 120);
            for e in part {
                changelog::push_member(
                    &mut text,
                    &e.action,
                    e.entity_type,
                    &e.entity_id,
                    &e.digest,
                );
            }
            let digest = changelog::sha256_hex(text.as_bytes());
            let seq = head.seq + 1;
            let at = format_at(now());
            let entity_id = format!("{group_id}#{n}");
            let hash = changelog::entry_hash(
                seq,
                &at,
                actor,
                changelog::GROUP_ENTITY,
                &entity_id,
                "write_many",
                Some(&digest),
                &head.hash,
            );
            sqlx::query(
                "INSERT INTO change_log (seq, at, actor, entity_type, entity_id, action, state_digest, prev_hash, hash, members) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(seq)
            .bind(at)
            .bind(actor)
            .bind(changelog::GROUP_ENTITY)
            .bind(entity_id)
            .bind("write_many")
            .bind(digest)
            .bind(&head.hash)
            .bind(&hash)
            .bind(text)
            .execute(&mut **tx)
            .await?;
            head.seq = seq;
            head.hash = hash;
        }
        Ok(())
    }
}

pub(super) fn log_entry_from_row(row: &DbRow) -> Result<LogEntry> {
    Ok(LogEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        entity_type: row.try_get("entity_type")?,
        entity_id: row.try_get("entity_id")?,
        action: row.try_get("action")?,
        state_digest: row.try_get("state_digest")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        members: row.try_get("members")?,
    })
}
