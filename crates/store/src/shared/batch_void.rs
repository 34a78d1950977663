//! Abandoned batches: failing a batch that will not be published and removing what it staged
//! (its deletions logged, so `verify` passes at every step), finding the batches a dead
//! process left `importing`, and listing what a published batch created (for the check
//! index, which skips a batch's chunks while they are staged).
//!
//! A batch's rows are found through its change-log groups (`batch:<id>:<n>`, written after
//! its `open` entry), not through an index on `batch_id`: a bulk import should not pay for
//! one more index per row to make its rare failure cheaper.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::batches::{batch_digest, batch_from_row, write_batch_row, CHUNK};
use super::kernel::{append, begin_write, commit, entry, PendingLog, Tx};
use super::{dec, enc, Db, Inner, UuidCol};
use crate::changelog::{self, now};
use crate::error::Result;
use crate::{BatchEntities, BatchState};

/// The prefix of a batch's group entries.
fn group_prefix(batch: Uuid) -> String {
    format!("batch:{batch}:")
}

/// The batch's `batch` entries: the first one's seq and action, the last one's seq, and how
/// many there are. A batch written in chunks has `open` first and its groups after it; a
/// batch committed before chunks existed has one `create` entry, right after its groups.
async fn batch_entries(db: &Inner, batch: Uuid) -> Result<Option<(i64, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT seq, action FROM change_log WHERE entity_type = 'batch' AND entity_id = $1 ORDER BY seq",
    )
    .bind(batch.to_string())
    .fetch_all(&db.pool)
    .await?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(None);
    };
    Ok(Some((
        first.try_get("seq")?,
        first.try_get("action")?,
        last.try_get("seq")?,
        rows.len() as i64,
    )))
}

/// The seqs of a batch's group entries, in order.
async fn group_seqs(db: &Inner, batch: Uuid) -> Result<Vec<i64>> {
    let Some((first, action, last, count)) = batch_entries(db, batch).await? else {
        return Ok(Vec::new());
    };
    let prefix = group_prefix(batch);
    let mut seqs = Vec::new();
    if action == "open" {
        // Written in chunks: the groups follow the `open` entry (up to the last `batch`
        // entry once the batch is closed).
        let upper = if count > 1 { last } else { i64::MAX };
        let mut rows = sqlx::query(
            "SELECT seq, entity_id FROM change_log WHERE seq > $1 AND seq < $2 AND entity_type = $3 ORDER BY seq",
        )
        .bind(first)
        .bind(upper)
        .bind(changelog::GROUP_ENTITY)
        .fetch(&db.pool);
        while let Some(r) = rows.try_next().await? {
            if r.try_get::<String, _>("entity_id")?.starts_with(&prefix) {
                seqs.push(r.try_get("seq")?);
            }
        }
    } else {
        // Committed in one transaction: its groups are the entries right before it.
        let mut before = first;
        'scan: loop {
            let rows = sqlx::query(
                "SELECT seq, entity_type, entity_id FROM change_log WHERE seq < $1 ORDER BY seq DESC LIMIT 500",
            )
            .bind(before)
            .fetch_all(&db.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let ty: String = r.try_get("entity_type")?;
                let id: String = r.try_get("entity_id")?;
                if ty != changelog::GROUP_ENTITY || !id.starts_with(&prefix) {
                    break 'scan;
                }
                before = r.try_get("seq")?;
                seqs.push(before);
            }
        }
        seqs.reverse();
    }
    Ok(seqs)
}

async fn group_members(db: &Inner, seq: i64) -> Result<String> {
    let members: Option<String> =
        sqlx::query_scalar("SELECT members FROM change_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&db.pool)
            .await?
            .flatten();
    Ok(members.unwrap_or_default())
}

/// The subjects and records a batch created or corrected, from its groups.
pub(super) async fn entities(db: &Inner, batch: Uuid) -> Result<BatchEntities> {
    let (mut subjects, mut records) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for seq in group_seqs(db, batch).await? {
        let text = group_members(db, seq).await?;
        for m in changelog::parse_members(&text).unwrap_or_default() {
            if m.action == "delete" {
                continue;
            }
            let Ok(id) = Uuid::parse_str(m.entity_id) else {
                continue;
            };
            match m.entity_type {
                "subject" if seen.insert(id) => subjects.push(id),
                "record" if seen.insert(id) => records.push(id),
                _ => {}
            }
        }
    }
    Ok(BatchEntities { subjects, records })
}

/// When the batch last wrote to the log.
async fn last_activity(db: &Inner, batch: Uuid) -> Result<Option<DateTime<Utc>>> {
    let mut last = batch_entries(db, batch).await?.map(|(_, _, last, _)| last);
    if let Some(g) = group_seqs(db, batch).await?.last() {
        last = last.max(Some(*g));
    }
    let Some(seq) = last else {
        return Ok(None);
    };
    let at: Option<String> = sqlx::query_scalar("SELECT at FROM change_log WHERE seq = $1")
        .bind(seq)
        .fetch_optional(&db.pool)
        .await?;
    Ok(at
        .and_then(|a| DateTime::parse_from_rfc3339(&a).ok())
        .map(|t| t.with_timezone(&Utc)))
}

/// Fail the batches a dead process left `importing` (not held by a writer of this store, no
/// log entry for `idle`), and finish removing the rows of those already failing.
pub(super) async fn recover(db: &Inner, actor: &str, idle: Duration) -> Result<Vec<Uuid>> {
    let open: Vec<(UuidCol, String)> = sqlx::query_as(
        "SELECT id, state FROM batches WHERE state IN ('importing', 'failing') ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut done = Vec::new();
    for (id, state) in open {
        let id = dec(id);
        if state == BatchState::Importing.as_str() {
            if db.live.lock().map(|l| l.contains(&id)).unwrap_or(true) {
                continue;
            }
            let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::MAX);
            if last_activity(db, id)
                .await?
                .is_some_and(|t| now() - t < idle)
            {
                continue;
            }
            tracing::warn!(batch = %id, "batch import abandoned half-way: failing it and removing its staged rows");
        }
        fail(db, actor, id).await?;
        done.push(id);
    }
    Ok(done)
}

/// Set a batch's state in its own short transaction, logged. Returns the state it had.
async fn set_state(
    db: &Inner,
    actor: &str,
    batch: Uuid,
    from: BatchState,
    to: BatchState,
    action: &str,
) -> Result<Option<BatchState>> {
    let (mut tx, mut head) = begin_write(db).await?;
    let Some(mut b) = sqlx::query("SELECT * FROM batches WHERE id = $1")
        .bind(enc(batch))
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(batch_from_row)
        .transpose()?
    else {
        return Ok(None);
    };
    let was = b.state;
    if was == from {
        b.state = to;
        write_batch_row(&mut tx, &b, false).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "batch",
            &batch.to_string(),
            action,
            Some(batch_digest(&b)?),
        )
        .await?;
        commit(tx, head).await?;
    }
    Ok(Some(was))
}

/// Fail a batch that will not be published: `importing` → `failing` (its rows stay hidden),
/// its staged rows removed one chunk at a time (last chunk first, so no row is removed
/// before the rows that refer to it), then `failed`. A committed batch is left alone; a
/// batch already failing is cleaned up further.
pub(super) async fn fail(db: &Inner, actor: &str, batch: Uuid) -> Result<()> {
    match set_state(
        db,
        actor,
        batch,
        BatchState::Importing,
        BatchState::Failing,
        "fail",
    )
    .await?
    {
        Some(BatchState::Importing | BatchState::Failing) => {}
        _ => return Ok(()),
    }
    let mut seqs = group_seqs(db, batch).await?;
    seqs.reverse();
    for seq in seqs {
        void_group(db, actor, batch, seq).await?;
    }
    set_state(
        db,
        actor,
        batch,
        BatchState::Failing,
        BatchState::Failed,
        "void",
    )
    .await?;
    Ok(())
}

/// How each staged entity type is removed: its table, the column its member id names (after
/// the `<batch>:` of composite ids), and the condition that limits the delete to rows of this
/// batch (the batch id goes between its two halves).
struct Staged {
    entity_type: &'static str,
    table: &'static str,
    key: &'static str,
    of_batch: (&'static str, &'static str),
    composite: bool,
}

/// In removal order: what refers to a row goes before it.
const STAGED: [Staged; 7] = [
    Staged {
        entity_type: "record_text",
        table: "record_texts",
        key: "record_id",
        of_batch: (
            "EXISTS (SELECT 1 FROM records r WHERE r.id = record_texts.record_id AND r.batch_id = ",
            ")",
        ),
        composite: false,
    },
    Staged {
        entity_type: "link_request",
        table: "link_queue",
        key: "record_id",
        of_batch: (
            "EXISTS (SELECT 1 FROM records r WHERE r.id = link_queue.record_id AND r.batch_id = ",
            ")",
        ),
        composite: false,
    },
    Staged {
        entity_type: "batch_correction",
        table: "batch_corrections",
        key: "record_id",
        of_batch: ("batch_id = ", ""),
        composite: true,
    },
    Staged {
        entity_type: "batch_reject",
        table: "batch_rejects",
        key: "row_no",
        of_batch: ("batch_id = ", ""),
        composite: true,
    },
    Staged {
        entity_type: "record",
        table: "records",
        key: "id",
        of_batch: ("batch_id = ", ""),
        composite: false,
    },
    Staged {
        entity_type: "subject_identity",
        table: "subject_identities",
        key: "subject_id",
        of_batch: (
            "EXISTS (SELECT 1 FROM subjects s WHERE s.id = subject_identities.subject_id AND s.batch_id = ",
            ")",
        ),
        composite: false,
    },
    Staged {
        entity_type: "subject",
        table: "subjects",
        key: "id",
        of_batch: ("batch_id = ", ""),
        composite: false,
    },
];

/// Remove what one group of a batch staged, in one short transaction, logging a deletion for
/// each row removed (group `void:<batch>:<seq>`). Rows already gone are skipped, so a cleanup
/// cut short is simply run again.
async fn void_group(db: &Inner, actor: &str, batch: Uuid, seq: i64) -> Result<()> {
    let text = group_members(db, seq).await?;
    let members = changelog::parse_members(&text).unwrap_or_default();
    let (mut tx, mut head) = begin_write(db).await?;
    let mut log = PendingLog::default();
    let prefix = format!("{batch}:");
    for staged in &STAGED {
        let keys: Vec<&str> = members
            .iter()
            .filter(|m| m.entity_type == staged.entity_type && m.action != "delete")
            .filter_map(|m| match staged.composite {
                true => m.entity_id.strip_prefix(&prefix),
                false => Some(m.entity_id),
            })
            .collect();
        for part in keys.chunks(CHUNK) {
            let deleted = delete_staged(&mut tx, staged, batch, part).await?;
            if staged.table == "subjects" {
                // Their search index rows (derived, not logged) go with them.
                let ids: Vec<Uuid> = deleted
                    .iter()
                    .filter_map(|k| Uuid::parse_str(k).ok())
                    .collect();
                super::search::remove(&mut tx, &ids).await?;
            }
            for key in deleted {
                let id = match staged.composite {
                    true => format!("{prefix}{key}"),
                    false => key,
                };
                log.push(entry(staged.entity_type, id, "delete", String::new()));
            }
        }
    }
    log.flush_grouped(&mut tx, &mut head, actor, &format!("void:{batch}:{seq}"))
        .await?;
    commit(tx, head).await
}

/// Delete the rows of `keys` that this batch staged; the keys of the rows deleted.
async fn delete_staged(
    tx: &mut Tx<'_>,
    staged: &Staged,
    batch: Uuid,
    keys: &[&str],
) -> Result<Vec<String>> {
    let mut q = QueryBuilder::<Db>::new(format!("DELETE FROM {} WHERE ", staged.table));
    q.push(staged.of_batch.0)
        .push_bind(enc(batch))
        .push(staged.of_batch.1);
    q.push(" AND ").push(staged.key).push(" IN (");
    let mut sep = q.separated(", ");
    let mut any = false;
    for k in keys {
        if staged.key == "row_no" {
            if let Ok(n) = k.parse::<i64>() {
                sep.push_bind(n);
                any = true;
            }
        } else if let Ok(id) = Uuid::parse_str(k) {
            sep.push_bind(enc(id));
            any = true;
        }
    }
    if !any {
        return Ok(Vec::new());
    }
    q.push(") RETURNING ").push(staged.key);
    let rows = q.build().fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| {
            Ok(if staged.key == "row_no" {
                r.try_get::<i64, _>(0)?.to_string()
            } else {
                dec(r.try_get::<UuidCol, _>(0)?).to_string()
            })
        })
        .collect()
}
