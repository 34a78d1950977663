//! List entries and the reads the check index is built from; compiled once per backend like
//! `common.rs`.

use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::common::{append, begin_write, commit, record_from_row};
use super::{dec, enc, Db};
use crate::changelog::state_digest;
use crate::error::{Result, StoreError};
use crate::{ListEntryFilter, ListEntryRow};
use chengxin_domain::records::Record;

type DbRow = <Db as sqlx::Database>::Row;
type Pool = sqlx::Pool<Db>;

pub(super) fn entry_from_row(r: &DbRow) -> Result<ListEntryRow> {
    Ok(ListEntryRow {
        id: dec(r.try_get("id")?),
        list_code: r.try_get("list_code")?,
        subject_id: r
            .try_get::<Option<super::UuidCol>, _>("subject_id")?
            .map(dec),
        status: r.try_get("status")?,
        entry: r.try_get::<Json<serde_json::Value>, _>("entry")?.0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) async fn write_entry(
    pool: &Pool,
    actor: &str,
    e: &ListEntryRow,
    expected: Option<i64>,
) -> Result<()> {
    let (mut tx, mut head) = begin_write(pool).await?;
    let sql = if expected.is_none() {
        "INSERT INTO list_entries (list_code, subject_id, status, entry, created_at, updated_at, version, id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    } else {
        "UPDATE list_entries SET list_code = $1, subject_id = $2, status = $3, entry = $4, created_at = $5, \
         updated_at = $6, version = $7 WHERE id = $8 AND version = $9"
    };
    let q = sqlx::query(sql)
        .bind(&e.list_code)
        .bind(e.subject_id.map(enc))
        .bind(&e.status)
        .bind(Json(&e.entry))
        .bind(e.created_at)
        .bind(e.updated_at)
        .bind(e.version)
        .bind(enc(e.id));
    let q = match expected {
        Some(v) => q.bind(v),
        None => q,
    };
    if q.execute(&mut *tx).await?.rows_affected() != 1 {
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
        "list_entry",
        &e.id.to_string(),
        action,
        Some(state_digest(e)?),
    )
    .await?;
    commit(tx, head).await
}

pub(super) async fn entries(pool: &Pool, f: &ListEntryFilter) -> Result<Vec<ListEntryRow>> {
    let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM list_entries WHERE 1 = 1");
    if let Some(c) = &f.list_code {
        q.push(" AND list_code = ").push_bind(c.clone());
    }
    if let Some(s) = &f.status {
        q.push(" AND status = ").push_bind(s.clone());
    }
    if let Some(s) = f.subject_id {
        q.push(" AND subject_id = ").push_bind(enc(s));
    }
    q.push(" ORDER BY id LIMIT ")
        .push_bind(f.limit.unwrap_or(1000).clamp(1, 1_000_000));
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(entry_from_row)
        .collect()
}

/// Negative records (with a severity) of given subjects, or of everyone after `after` in id
/// order (paging for the index build).
pub(super) async fn negative_records(
    pool: &Pool,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Record>> {
    let rows = match after {
        Some(a) => sqlx::query(
            "SELECT * FROM records WHERE severity IS NOT NULL AND subject_id IS NOT NULL AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(enc(a))
        .bind(limit)
        .fetch_all(pool)
        .await?,
        None => sqlx::query(
            "SELECT * FROM records WHERE severity IS NOT NULL AND subject_id IS NOT NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?,
    };
    rows.iter().map(record_from_row).collect()
}

pub(super) async fn records_of_subject(pool: &Pool, subject: Uuid) -> Result<Vec<Record>> {
    sqlx::query("SELECT * FROM records WHERE subject_id = $1 ORDER BY id")
        .bind(enc(subject))
        .fetch_all(pool)
        .await?
        .iter()
        .map(record_from_row)
        .collect()
}
