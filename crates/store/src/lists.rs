//! List entries and the reads the check index is built from; compiled once per backend like
//! `common.rs`.

use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::common::{begin_write, commit, record_from_row};
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
    write_entry_tx(&mut tx, &mut head, actor, e, expected).await?;
    commit(tx, head).await
}

/// Insert or update (at `expected`) a list entry inside a write transaction, logged.
pub(super) async fn write_entry_tx(
    tx: &mut super::common::Tx,
    head: &mut super::common::Head,
    actor: &str,
    e: &ListEntryRow,
    expected: Option<i64>,
) -> Result<()> {
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
    let done = q.execute(&mut **tx).await?.rows_affected();
    if done != 1 {
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
    super::common::append(
        tx,
        head,
        actor,
        "list_entry",
        &e.id.to_string(),
        action,
        Some(state_digest(e)?),
    )
    .await
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
    if let Some(a) = f.after {
        q.push(" AND id > ").push_bind(enc(a));
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

pub(super) fn case_from_row(r: &DbRow) -> Result<crate::CaseRow> {
    Ok(crate::CaseRow {
        id: r.try_get("id")?,
        entry_id: dec(r.try_get("entry_id")?),
        department: r.try_get("department")?,
        region: r.try_get("region")?,
        step: r.try_get("step")?,
        next_due: r.try_get("next_due")?,
        lifted: r.try_get("lifted")?,
        state: r.try_get::<Json<serde_json::Value>, _>("state")?.0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

/// Insert new cases and/or update existing ones (`expected` = the version each update
/// replaces) in one transaction, each change in the change log.
pub(super) async fn write_cases(
    pool: &Pool,
    actor: &str,
    new: &[crate::CaseRow],
    updated: &[(crate::CaseRow, i64)],
) -> Result<()> {
    if new.is_empty() && updated.is_empty() {
        return Ok(());
    }
    let (mut tx, mut head) = begin_write(pool).await?;
    let mut log = super::common::PendingLog::default();
    for (c, expected) in new
        .iter()
        .map(|c| (c, None))
        .chain(updated.iter().map(|(c, v)| (c, Some(*v))))
    {
        let sql = if expected.is_none() {
            "INSERT INTO cases (entry_id, department, step, next_due, lifted, state, created_at, updated_at, version, region, id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        } else {
            "UPDATE cases SET entry_id = $1, department = $2, step = $3, next_due = $4, lifted = $5, state = $6, \
             created_at = $7, updated_at = $8, version = $9, region = $10 WHERE id = $11 AND version = $12"
        };
        let q = sqlx::query(sql)
            .bind(enc(c.entry_id))
            .bind(&c.department)
            .bind(&c.step)
            .bind(c.next_due)
            .bind(c.lifted)
            .bind(Json(&c.state))
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind(c.version)
            .bind(&c.region)
            .bind(&c.id);
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
        log.push(super::common::entry(
            "case",
            c.id.clone(),
            if expected.is_none() {
                "create"
            } else {
                "update"
            },
            state_digest(c)?,
        ));
    }
    log.flush(&mut tx, &mut head, actor).await?;
    commit(tx, head).await
}

pub(super) async fn cases(pool: &Pool, f: &crate::CaseFilter) -> Result<Vec<crate::CaseRow>> {
    let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM cases WHERE 1 = 1");
    if let Some(e) = f.entry_id {
        q.push(" AND entry_id = ").push_bind(enc(e));
    }
    if let Some(d) = &f.department {
        q.push(" AND department = ").push_bind(d.clone());
    }
    if f.open_only {
        q.push(" AND lifted = ").push_bind(false);
        q.push(" AND next_due IS NOT NULL");
    }
    q.push(" ORDER BY id LIMIT ")
        .push_bind(f.limit.unwrap_or(10_000).clamp(1, 1_000_000));
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(case_from_row)
        .collect()
}

/// Active entries' heads in id order after `after` (keyset paging for the check index).
pub(super) async fn active_entry_heads(
    pool: &Pool,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<crate::EntryHead>> {
    let mut q = sqlx::QueryBuilder::<Db>::new(
        "SELECT id, list_code, subject_id, status FROM list_entries \
         WHERE status IN ('publicity', 'effective') AND subject_id IS NOT NULL",
    );
    if let Some(a) = after {
        q.push(" AND id > ").push_bind(enc(a));
    }
    q.push(" ORDER BY id LIMIT ").push_bind(limit);
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(crate::EntryHead {
                id: dec(r.try_get("id")?),
                list_code: r.try_get("list_code")?,
                subject_id: dec(r.try_get("subject_id")?),
                status: r.try_get("status")?,
            })
        })
        .collect()
}

/// Subjects in id order after `after` (keyset paging for building indexes).
pub(super) async fn subjects_after(
    pool: &Pool,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<chengxin_domain::subjects::Subject>> {
    let rows = match after {
        Some(a) => {
            sqlx::query("SELECT * FROM subjects WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(enc(a))
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
        None => {
            sqlx::query("SELECT * FROM subjects ORDER BY id LIMIT $1")
                .bind(limit)
                .fetch_all(pool)
                .await?
        }
    };
    rows.iter().map(super::common::subject_from_row).collect()
}
