//! List entries, and the keyset-paged reads the check index is built from.

use super::records::record_from_row;
use super::subjects::subject_from_row;
use async_trait::async_trait;
use chengxin_domain::records::Record;
use chengxin_domain::subjects::Subject;
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, DbRow, Head, Tx};
use super::{dec, enc, Db, Inner, VISIBLE};
use crate::changelog::state_digest;
use crate::error::{Result, StoreError};
use crate::{ListEntryFilter, ListEntryRow, ListStore};

pub(super) fn entry_from_row(r: &DbRow) -> Result<ListEntryRow> {
    Ok(ListEntryRow {
        id: dec(r.try_get("id")?),
        list_code: r.try_get("list_code")?,
        subject_id: r
            .try_get::<Option<super::UuidCol>, _>("subject_id")?
            .map(dec),
        status: r.try_get("status")?,
        entry: r.try_get::<Json<serde_json::Value>, _>("entry")?.0,
        recognised_by_uscc: r.try_get("recognised_by_uscc")?,
        region: r.try_get("region")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) async fn write_entry(
    db: &Inner,
    actor: &str,
    e: &ListEntryRow,
    expected: Option<i64>,
) -> Result<()> {
    let (mut tx, mut head) = begin_write(db).await?;
    write_entry_tx(&mut tx, &mut head, actor, e, expected).await?;
    commit(tx, head).await
}

/// Insert or update (at `expected`) a list entry inside a write transaction, logged.
pub(super) async fn write_entry_tx(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    e: &ListEntryRow,
    expected: Option<i64>,
) -> Result<()> {
    let sql = if expected.is_none() {
        "INSERT INTO list_entries (list_code, subject_id, status, entry, created_at, updated_at, version, \
         recognised_by_uscc, region, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    } else {
        "UPDATE list_entries SET list_code = $1, subject_id = $2, status = $3, entry = $4, created_at = $5, \
         updated_at = $6, version = $7, recognised_by_uscc = $8, region = $9 WHERE id = $10 AND version = $11"
    };
    let q = sqlx::query(sql)
        .bind(&e.list_code)
        .bind(e.subject_id.map(enc))
        .bind(&e.status)
        .bind(Json(&e.entry))
        .bind(e.created_at)
        .bind(e.updated_at)
        .bind(e.version)
        .bind(&e.recognised_by_uscc)
        .bind(&e.region)
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
    append(
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

use crate::concern::lists::{RECOGNISERS_BACKFILL, RECOGNISERS_BACKFILLED as BACKFILLED};

/// Fills in the recognising body's code and region of entries kept before they were
/// (migration 0011), where the body can be told: its `recognised_by` is a valid USCC, or the
/// name of exactly one subject with a code. Each entry changed is written back (entry JSON and
/// columns) with its change-log entry; the others stay as they are. Runs once (see
/// [`RECOGNISERS_BACKFILL`]), inside the migration's write transaction.
pub(super) async fn backfill_recognisers(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
) -> Result<usize> {
    let done: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(RECOGNISERS_BACKFILL)
        .fetch_optional(&mut **tx)
        .await?;
    if done.as_deref() == Some(BACKFILLED) {
        return Ok(0);
    }
    let regions = chengxin_domain::regions::RegionTable::national();
    let mut by_name: std::collections::HashMap<String, Option<String>> = Default::default();
    let (mut changed, mut seen) = (0usize, 0usize);
    let mut after: Option<Uuid> = None;
    loop {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT * FROM list_entries WHERE recognised_by_uscc IS NULL",
        );
        if let Some(a) = after {
            q.push(" AND id > ").push_bind(enc(a));
        }
        q.push(" ORDER BY id LIMIT 1000");
        let page = q
            .build()
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>>>()?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        seen += page.len();
        for mut e in page {
            let name = e
                .entry
                .get("recognised_by")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_string();
            if name.is_empty() {
                continue;
            }
            let code = match by_name.get(&name) {
                Some(c) => c.clone(),
                None => {
                    let code = match chengxin_domain::codes::uscc::parse(&name, regions) {
                        Ok(u) => Some(u.code),
                        Err(_) => {
                            let found: Vec<String> = sqlx::query_scalar(&format!(
                                "SELECT uscc FROM subjects WHERE name = $1 AND uscc IS NOT NULL \
                                 AND {} LIMIT 2",
                                super::VISIBLE
                            ))
                            .bind(&name)
                            .fetch_all(&mut **tx)
                            .await?;
                            match found.as_slice() {
                                [one] => Some(one.clone()),
                                _ => None,
                            }
                        }
                    };
                    by_name.insert(name.clone(), code.clone());
                    code
                }
            };
            let Some(code) = code else { continue };
            if let Some(obj) = e.entry.as_object_mut() {
                obj.insert(
                    "recognised_by_uscc".into(),
                    serde_json::Value::String(code.clone()),
                );
            }
            e.region = code
                .get(2..8)
                .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
                .map(String::from);
            e.recognised_by_uscc = Some(code);
            sqlx::query(
                "UPDATE list_entries SET entry = $1, recognised_by_uscc = $2, region = $3 WHERE id = $4",
            )
            .bind(Json(&e.entry))
            .bind(&e.recognised_by_uscc)
            .bind(&e.region)
            .bind(enc(e.id))
            .execute(&mut **tx)
            .await?;
            append(
                tx,
                head,
                actor,
                "list_entry",
                &e.id.to_string(),
                "backfill_recogniser",
                Some(state_digest(&e)?),
            )
            .await?;
            changed += 1;
        }
    }
    if seen == 0 {
        // Nothing kept without a code (a new database): nothing to mark either.
        return Ok(0);
    }
    let row = crate::MetaRow {
        key: RECOGNISERS_BACKFILL.into(),
        value: BACKFILLED.into(),
    };
    let sql = if done.is_some() {
        "UPDATE meta SET value = $2 WHERE key = $1"
    } else {
        "INSERT INTO meta (key, value) VALUES ($1, $2)"
    };
    sqlx::query(sql)
        .bind(&row.key)
        .bind(&row.value)
        .execute(&mut **tx)
        .await?;
    append(
        tx,
        head,
        actor,
        "meta",
        &row.key,
        "set",
        Some(state_digest(&row)?),
    )
    .await?;
    Ok(changed)
}

#[async_trait]
impl ListStore for Inner {
    async fn create_list_entry(&self, actor: &str, e: &ListEntryRow) -> Result<()> {
        write_entry(self, actor, e, None).await
    }

    async fn update_list_entry(
        &self,
        actor: &str,
        e: &ListEntryRow,
        expected_version: i64,
    ) -> Result<()> {
        write_entry(self, actor, e, Some(expected_version)).await
    }

    async fn list_entry(&self, id: Uuid) -> Result<Option<ListEntryRow>> {
        sqlx::query("SELECT * FROM list_entries WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(entry_from_row)
            .transpose()
    }

    async fn list_entries(&self, f: &ListEntryFilter) -> Result<Vec<ListEntryRow>> {
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
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(entry_from_row)
            .collect()
    }

    /// Active entries' heads in id order after `after` (keyset paging for the check index).
    async fn active_entry_heads(
        &self,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<crate::EntryHead>> {
        let limit = limit.clamp(1, 100_000);
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT id, list_code, subject_id, status FROM list_entries \
             WHERE status IN ('publicity', 'effective') AND subject_id IS NOT NULL",
        );
        if let Some(a) = after {
            q.push(" AND id > ").push_bind(enc(a));
        }
        q.push(" ORDER BY id LIMIT ").push_bind(limit);
        q.build()
            .fetch_all(&self.pool)
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

    /// Negative records (with a severity) of given subjects, or of everyone after `after` in id
    /// order (paging for the index build).
    async fn negative_records(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<Record>> {
        let rows = match after {
            Some(a) => sqlx::query(
                &format!("SELECT * FROM records WHERE severity IS NOT NULL AND subject_id IS NOT NULL AND id > $1 AND {VISIBLE} ORDER BY id LIMIT $2"),
            )
            .bind(enc(a))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?,
            None => sqlx::query(
                &format!("SELECT * FROM records WHERE severity IS NOT NULL AND subject_id IS NOT NULL AND {VISIBLE} ORDER BY id LIMIT $1"),
            )
            .bind(limit)
            .fetch_all(&self.pool)
            .await?,
        };
        rows.iter().map(record_from_row).collect()
    }

    /// Subjects in id order after `after` (keyset paging for building indexes).
    async fn subjects_after(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<Subject>> {
        let limit = limit.clamp(1, 100_000);
        let rows = match after {
            Some(a) => {
                sqlx::query(&format!(
                    "SELECT * FROM subjects WHERE id > $1 AND {VISIBLE} ORDER BY id LIMIT $2"
                ))
                .bind(enc(a))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT * FROM subjects WHERE {VISIBLE} ORDER BY id LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(subject_from_row).collect()
    }
}
