//! Closed-loop cases (闭环) of list entries.

use async_trait::async_trait;
use sqlx::types::Json;
use sqlx::Row;

use super::kernel::{begin_write, commit, entry, DbRow, PendingLog};
use super::{dec, enc, Db, Inner};
use crate::changelog::state_digest;
use crate::error::{Result, StoreError};
use crate::{CaseFilter, CaseRow, CaseStore};

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

#[async_trait]
impl CaseStore for Inner {
    /// Insert new cases and/or update existing ones (`expected` = the version each update
    /// replaces) in one transaction, each change in the change log.
    async fn write_cases(
        &self,
        actor: &str,
        new: &[CaseRow],
        updated: &[(CaseRow, i64)],
    ) -> Result<()> {
        if new.is_empty() && updated.is_empty() {
            return Ok(());
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
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
            log.push(entry(
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

    async fn case(&self, id: &str) -> Result<Option<CaseRow>> {
        sqlx::query("SELECT * FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(case_from_row)
            .transpose()
    }

    async fn cases(&self, f: &CaseFilter) -> Result<Vec<CaseRow>> {
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
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(case_from_row)
            .collect()
    }
}
