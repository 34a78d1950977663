//! The link queue (待关联): records a batch stored without a subject, each queued with its
//! candidate subjects by name, and linking one by hand (the record, its history and the queue
//! row change in one transaction, each with its change-log entry).

use chengxin_domain::records::{Record, RecordHistoryEntry};
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, DbRow, Tx};
use super::records::{base_history, insert_history, record_from_row, write_record};
use super::{dec, enc, Inner};
use crate::changelog::{now, state_digest};
use crate::error::{Result, StoreError};
use crate::{LinkRequest, SubjectStore};

pub(super) async fn write_link(tx: &mut Tx<'_>, l: &LinkRequest, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO link_queue (subject_name, candidates, status, created_at, record_id) VALUES ($1, $2, $3, $4, $5)"
    } else {
        "UPDATE link_queue SET subject_name = $1, candidates = $2, status = $3, created_at = $4 WHERE record_id = $5"
    };
    sqlx::query(sql)
        .bind(&l.subject_name)
        .bind(Json(&l.candidates))
        .bind(&l.status)
        .bind(l.created_at)
        .bind(enc(l.record_id))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(super) fn link_from_row(row: &DbRow) -> Result<LinkRequest> {
    Ok(LinkRequest {
        record_id: dec(row.try_get("record_id")?),
        subject_name: row.try_get("subject_name")?,
        candidates: row
            .try_get::<Json<Vec<crate::LinkCandidate>>, _>("candidates")?
            .0,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) async fn pending(inner: &Inner, limit: i64) -> Result<Vec<LinkRequest>> {
    let rows = sqlx::query(
        "SELECT * FROM link_queue WHERE status = 'pending' AND NOT EXISTS (SELECT 1 FROM records r \
         WHERE r.id = link_queue.record_id AND r.batch_id IN (SELECT id FROM batches WHERE state IN ('importing', 'failing'))) \
         ORDER BY created_at, record_id LIMIT $1",
    )
    .bind(limit.clamp(1, 10_000))
    .fetch_all(&inner.pool)
    .await?;
    rows.iter().map(link_from_row).collect()
}

pub(super) async fn link_record(
    inner: &Inner,
    actor: &str,
    record_id: Uuid,
    subject_id: Uuid,
) -> Result<Record> {
    let subject = inner
        .subject(subject_id)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "主体",
            id: subject_id.to_string(),
        })?;
    let (mut tx, mut head) = begin_write(inner).await?;
    // A record still staged by an open batch is not there yet.
    let row = sqlx::query(
        "SELECT * FROM link_queue WHERE record_id = $1 AND NOT EXISTS (SELECT 1 FROM records r \
         WHERE r.id = link_queue.record_id AND r.batch_id IN (SELECT id FROM batches WHERE state IN ('importing', 'failing')))",
    )
        .bind(enc(record_id))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "待关联记录",
            id: record_id.to_string(),
        })?;
    let mut link = link_from_row(&row)?;
    if link.status != "pending" {
        return Err(StoreError::Invalid("该记录已关联主体".into()));
    }
    let row = sqlx::query("SELECT * FROM records WHERE id = $1")
        .bind(enc(record_id))
        .fetch_one(&mut *tx)
        .await?;
    let mut r = record_from_row(&row)?;
    let base = base_history(&mut tx, &r).await?;
    let expected = r.version;
    r.subject_id = Some(subject.id);
    r.version += 1;
    r.updated_at = now();
    write_record(&mut tx, &r, false, expected).await?;
    append(
        &mut tx,
        &mut head,
        actor,
        "record",
        &r.id.to_string(),
        "link_subject",
        Some(state_digest(&r)?),
    )
    .await?;
    if let Some(b) = base {
        insert_history(&mut tx, &mut head, &b).await?;
    }
    let h = RecordHistoryEntry {
        record_id: r.id,
        version: r.version,
        action: "link_subject".into(),
        status: r.status,
        fields: r.fields.clone(),
        actor: actor.to_string(),
        note: Some(format!("人工关联主体 {}（{}）", subject.name, subject.id)),
        at: r.updated_at,
        changes: Vec::new(),
    };
    insert_history(&mut tx, &mut head, &h).await?;
    link.status = "linked".into();
    write_link(&mut tx, &link, false).await?;
    append(
        &mut tx,
        &mut head,
        actor,
        "link_request",
        &r.id.to_string(),
        "link",
        Some(state_digest(&link)?),
    )
    .await?;
    commit(tx, head).await?;
    Ok(r)
}
