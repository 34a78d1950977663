//! The audit trail: events appended in the change log, read back, purged for retention; and
//! the data changes read from the change log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{begin_write, commit, entry, log_entry_from_row, DbRow, PendingLog};
use super::{dec, enc, Db, Inner};
use crate::changelog::{state_digest, LogEntry};
use crate::error::Result;
use crate::{AuditEvent, AuditFilter, AuditStore};

pub(super) fn audit_from_row(r: &DbRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: dec(r.try_get("id")?),
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        kind: r.try_get("kind")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        outcome: r.try_get("outcome")?,
        ip: r.try_get("ip")?,
        detail: r.try_get::<Json<serde_json::Value>, _>("detail")?.0,
    })
}

#[async_trait]
impl AuditStore for Inner {
    async fn audit(&self, events: &[AuditEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        for e in events {
            let e = &e.masked();
            sqlx::query(
                "INSERT INTO audit_events (id, at, actor, kind, action, target, outcome, ip, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(enc(e.id))
            .bind(e.at)
            .bind(&e.actor)
            .bind(&e.kind)
            .bind(&e.action)
            .bind(&e.target)
            .bind(&e.outcome)
            .bind(&e.ip)
            .bind(Json(&e.detail))
            .execute(&mut *tx)
            .await?;
            log.push(entry(
                "audit_event",
                e.id.to_string(),
                "create",
                state_digest(e)?,
            ));
        }
        // One event: an ordinary entry; several (a flush of buffered query logs): one group.
        if events.len() == 1 {
            log.flush(&mut tx, &mut head, "audit").await?;
        } else {
            let group = format!("audit:{}", Uuid::now_v7());
            log.flush_grouped(&mut tx, &mut head, "audit", &group)
                .await?;
        }
        commit(tx, head).await
    }

    async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM audit_events WHERE 1 = 1");
        if let Some(from) = f.from {
            q.push(" AND at >= ").push_bind(from);
        }
        if let Some(to) = f.to {
            q.push(" AND at < ").push_bind(to);
        }
        if let Some(a) = &f.actor {
            q.push(" AND actor = ").push_bind(a.clone());
        }
        if let Some(k) = &f.kind {
            q.push(" AND kind = ").push_bind(k.clone());
        }
        if let Some(a) = &f.action {
            q.push(" AND action = ").push_bind(a.clone());
        }
        if let Some(t) = &f.target {
            q.push(" AND target = ").push_bind(t.clone());
        }
        q.push(" ORDER BY at DESC, id DESC LIMIT ")
            .push_bind(f.limit.unwrap_or(1000).clamp(1, 100_000));
        q.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(audit_from_row)
            .collect()
    }

    async fn data_changes(&self, f: &AuditFilter) -> Result<Vec<LogEntry>> {
        // `at` is RFC 3339 text with a fixed format (UTC, microseconds): it sorts as time.
        let fmt = |t: DateTime<Utc>| crate::changelog::format_at(t);
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT * FROM change_log WHERE entity_type <> 'audit_event' AND entity_id NOT LIKE 'audit%'",
        );
        if let Some(from) = f.from {
            q.push(" AND at >= ").push_bind(fmt(from));
        }
        if let Some(to) = f.to {
            q.push(" AND at < ").push_bind(fmt(to));
        }
        if let Some(a) = &f.actor {
            q.push(" AND actor = ").push_bind(a.clone());
        }
        if let Some(a) = &f.action {
            q.push(" AND action = ").push_bind(a.clone());
        }
        q.push(" ORDER BY seq DESC LIMIT ")
            .push_bind(f.limit.unwrap_or(1000).clamp(1, 100_000));
        q.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(log_entry_from_row)
            .collect()
    }

    async fn purge_audit(&self, actor: &str, before: DateTime<Utc>) -> Result<u64> {
        let (mut tx, mut head) = begin_write(self).await?;
        let ids: Vec<super::UuidCol> =
            sqlx::query_scalar("SELECT id FROM audit_events WHERE at < $1")
                .bind(before)
                .fetch_all(&mut *tx)
                .await?;
        if ids.is_empty() {
            return Ok(0);
        }
        sqlx::query("DELETE FROM audit_events WHERE at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?;
        let mut log = PendingLog::default();
        for id in &ids {
            log.push(entry(
                "audit_event",
                dec(*id).to_string(),
                "delete",
                String::new(),
            ));
        }
        let group = format!("audit-retention:{}", Uuid::now_v7());
        log.flush_grouped(&mut tx, &mut head, actor, &group).await?;
        commit(tx, head).await?;
        Ok(ids.len() as u64)
    }
}
