//! Notifications: inbox items, webhooks and their deliveries, each write with its change-log
//! entry in the same transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, entry, DbRow, Head, PendingLog, Tx};
use super::{dec, enc, Db, Inner, UuidCol};
use crate::changelog::{micros, state_digest};
use crate::error::{Result, StoreError};
use crate::{DeliveryRow, NotificationRow, NotificationStore, WebhookRow};

pub(super) fn notification_from_row(r: &DbRow) -> Result<NotificationRow> {
    Ok(NotificationRow {
        id: dec(r.try_get("id")?),
        recipient_kind: r.try_get("recipient_kind")?,
        recipient: r.try_get("recipient")?,
        region: r.try_get("region")?,
        topic: r.try_get("topic")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        link: r.try_get("link")?,
        dedup_key: r.try_get("dedup_key")?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
        read_by: r.try_get("read_by")?,
    })
}

pub(super) fn webhook_from_row(r: &DbRow) -> Result<WebhookRow> {
    Ok(WebhookRow {
        body_uscc: r.try_get("body_uscc")?,
        url: r.try_get("url")?,
        secret_sealed: r.try_get("secret_sealed")?,
        enabled: r.try_get("enabled")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn delivery_from_row(r: &DbRow) -> Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: dec(r.try_get("id")?),
        notification_id: dec(r.try_get("notification_id")?),
        body_uscc: r.try_get("body_uscc")?,
        url: r.try_get("url")?,
        payload: r.try_get("payload")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        last_status: r.try_get("last_status")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The JSON a webhook receives for an item (signed as is).
fn payload(n: &NotificationRow) -> Result<String> {
    serde_json::to_string(&serde_json::json!({
        "id": n.id,
        "topic": n.topic,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "recipient": {"kind": n.recipient_kind, "id": n.recipient},
        "region": n.region,
        "created_at": n.created_at,
    }))
    .map_err(|e| StoreError::Invalid(e.to_string()))
}

fn check(n: &NotificationRow) -> Result<()> {
    if !matches!(n.recipient_kind.as_str(), "account" | "body" | "office") {
        return Err(StoreError::Invalid(format!(
            "未知的通知接收方类别：{}",
            n.recipient_kind
        )));
    }
    if n.title.trim().is_empty() || n.recipient.trim().is_empty() {
        return Err(StoreError::Invalid("通知的标题和接收方不能为空".into()));
    }
    Ok(())
}

/// Insert items in a write transaction the caller holds (skipping stored dedup keys and
/// repeats within `rows`), with a pending delivery for each item to a body whose webhook is
/// enabled; their log entries go to `log`. Returns the ids stored.
pub(super) async fn insert_notifications_tx(
    tx: &mut Tx<'_>,
    log: &mut PendingLog,
    rows: &[NotificationRow],
) -> Result<Vec<Uuid>> {
    let mut stored = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut hooks: std::collections::HashMap<String, Option<WebhookRow>> =
        std::collections::HashMap::new();
    for n in rows {
        check(n)?;
        let n = NotificationRow {
            created_at: micros(n.created_at),
            read_at: n.read_at.map(micros),
            ..n.clone()
        };
        if let Some(k) = &n.dedup_key {
            if !seen.insert(k.clone()) {
                continue;
            }
            let have: Option<UuidCol> =
                sqlx::query_scalar("SELECT id FROM notifications WHERE dedup_key = $1")
                    .bind(k)
                    .fetch_optional(&mut **tx)
                    .await?;
            if have.is_some() {
                continue;
            }
        }
        sqlx::query(
            "INSERT INTO notifications (id, recipient_kind, recipient, region, topic, title, body, \
             link, dedup_key, created_at, read_at, read_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(enc(n.id))
        .bind(&n.recipient_kind)
        .bind(&n.recipient)
        .bind(&n.region)
        .bind(&n.topic)
        .bind(&n.title)
        .bind(&n.body)
        .bind(&n.link)
        .bind(&n.dedup_key)
        .bind(n.created_at)
        .bind(n.read_at)
        .bind(&n.read_by)
        .execute(&mut **tx)
        .await?;
        log.push(entry(
            "notification",
            n.id.to_string(),
            "create",
            state_digest(&n)?,
        ));
        stored.push(n.id);
        if n.recipient_kind != "body" {
            continue;
        }
        if !hooks.contains_key(&n.recipient) {
            let hook = sqlx::query("SELECT * FROM webhooks WHERE body_uscc = $1")
                .bind(&n.recipient)
                .fetch_optional(&mut **tx)
                .await?
                .as_ref()
                .map(webhook_from_row)
                .transpose()?;
            hooks.insert(n.recipient.clone(), hook);
        }
        let Some(Some(hook)) = hooks.get(&n.recipient) else {
            continue;
        };
        if !hook.enabled {
            continue;
        }
        let d = DeliveryRow {
            id: Uuid::now_v7(),
            notification_id: n.id,
            body_uscc: hook.body_uscc.clone(),
            url: hook.url.clone(),
            payload: payload(&n)?,
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: n.created_at,
            last_error: None,
            last_status: None,
            created_at: n.created_at,
            updated_at: n.created_at,
        };
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, notification_id, body_uscc, url, payload, status, \
             attempts, next_attempt_at, last_error, last_status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(enc(d.id))
        .bind(enc(d.notification_id))
        .bind(&d.body_uscc)
        .bind(&d.url)
        .bind(&d.payload)
        .bind(&d.status)
        .bind(d.attempts)
        .bind(d.next_attempt_at)
        .bind(&d.last_error)
        .bind(d.last_status)
        .bind(d.created_at)
        .bind(d.updated_at)
        .execute(&mut **tx)
        .await?;
        log.push(entry(
            "webhook_delivery",
            d.id.to_string(),
            "create",
            state_digest(&d)?,
        ));
    }
    Ok(stored)
}

fn push_addresses(q: &mut sqlx::QueryBuilder<'_, Db>, addresses: &[(String, String)]) {
    q.push("(");
    if addresses.is_empty() {
        q.push("1 = 0");
    }
    for (i, (kind, who)) in addresses.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push("(recipient_kind = ")
            .push_bind(kind.clone())
            .push(" AND recipient = ")
            .push_bind(who.clone())
            .push(")");
    }
    q.push(")");
}

async fn log_one(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    kind: &str,
    id: &str,
    action: &str,
    digest: String,
) -> Result<()> {
    append(tx, head, actor, kind, id, action, Some(digest)).await
}

#[async_trait]
impl NotificationStore for Inner {
    async fn add_notifications(&self, actor: &str, rows: &[NotificationRow]) -> Result<Vec<Uuid>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        let ids = insert_notifications_tx(&mut tx, &mut log, rows).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(ids)
    }

    async fn inbox(
        &self,
        addresses: &[(String, String)],
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<NotificationRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM notifications WHERE ");
        push_addresses(&mut q, addresses);
        if unread_only {
            q.push(" AND read_at IS NULL");
        }
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit.clamp(1, 1000));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(notification_from_row).collect()
    }

    async fn unread_count(&self, addresses: &[(String, String)]) -> Result<i64> {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT COUNT(*) FROM notifications WHERE read_at IS NULL AND ",
        );
        push_addresses(&mut q, addresses);
        Ok(q.build_query_scalar::<i64>().fetch_one(&self.pool).await?)
    }

    async fn notification(&self, id: Uuid) -> Result<Option<NotificationRow>> {
        sqlx::query("SELECT * FROM notifications WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(notification_from_row)
            .transpose()
    }

    async fn mark_read(&self, actor: &str, id: Uuid, by: &str, at: DateTime<Utc>) -> Result<bool> {
        let (mut tx, mut head) = begin_write(self).await?;
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $1, read_by = $2 WHERE id = $3 AND read_at IS NULL",
        )
        .bind(micros(at))
        .bind(by)
        .bind(enc(id))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let n = sqlx::query("SELECT * FROM notifications WHERE id = $1")
            .bind(enc(id))
            .fetch_one(&mut *tx)
            .await?;
        let n = notification_from_row(&n)?;
        log_one(
            &mut tx,
            &mut head,
            actor,
            "notification",
            &id.to_string(),
            "read",
            state_digest(&n)?,
        )
        .await?;
        commit(tx, head).await?;
        Ok(true)
    }

    async fn put_webhook(&self, actor: &str, w: &WebhookRow, expected: Option<i64>) -> Result<()> {
        let w = WebhookRow {
            updated_at: micros(w.updated_at),
            ..w.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        let done = match expected {
            None => sqlx::query(
                "INSERT INTO webhooks (body_uscc, url, secret_sealed, enabled, updated_by, \
                     updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&w.body_uscc)
            .bind(&w.url)
            .bind(&w.secret_sealed)
            .bind(w.enabled)
            .bind(&w.updated_by)
            .bind(w.updated_at)
            .bind(w.version)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Duplicate(_) => StoreError::Conflict {
                    expected: 0,
                    current: -1,
                },
                other => other,
            })?,
            Some(v) => {
                sqlx::query(
                    "UPDATE webhooks SET url = $1, secret_sealed = $2, enabled = $3, \
                     updated_by = $4, updated_at = $5, version = $6 \
                     WHERE body_uscc = $7 AND version = $8",
                )
                .bind(&w.url)
                .bind(&w.secret_sealed)
                .bind(w.enabled)
                .bind(&w.updated_by)
                .bind(w.updated_at)
                .bind(w.version)
                .bind(&w.body_uscc)
                .bind(v)
                .execute(&mut *tx)
                .await?
            }
        };
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: expected.unwrap_or(0),
                current: -1,
            });
        }
        log_one(
            &mut tx,
            &mut head,
            actor,
            "webhook",
            &w.body_uscc,
            if expected.is_none() {
                "create"
            } else {
                "update"
            },
            state_digest(&w)?,
        )
        .await?;
        commit(tx, head).await
    }

    async fn webhook(&self, body_uscc: &str) -> Result<Option<WebhookRow>> {
        sqlx::query("SELECT * FROM webhooks WHERE body_uscc = $1")
            .bind(body_uscc)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(webhook_from_row)
            .transpose()
    }

    async fn due_deliveries(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<DeliveryRow>> {
        let rows = sqlx::query(
            "SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    async fn update_delivery(&self, actor: &str, d: &DeliveryRow) -> Result<()> {
        let d = DeliveryRow {
            next_attempt_at: micros(d.next_attempt_at),
            updated_at: micros(d.updated_at),
            ..d.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, \
             last_error = $4, last_status = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&d.status)
        .bind(d.attempts)
        .bind(d.next_attempt_at)
        .bind(&d.last_error)
        .bind(d.last_status)
        .bind(d.updated_at)
        .bind(enc(d.id))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound {
                entity: "推送记录",
                id: d.id.to_string(),
            });
        }
        let row = sqlx::query("SELECT * FROM webhook_deliveries WHERE id = $1")
            .bind(enc(d.id))
            .fetch_one(&mut *tx)
            .await?;
        let stored = delivery_from_row(&row)?;
        log_one(
            &mut tx,
            &mut head,
            actor,
            "webhook_delivery",
            &d.id.to_string(),
            "attempt",
            state_digest(&stored)?,
        )
        .await?;
        commit(tx, head).await
    }

    async fn deliveries(&self, body_uscc: &str, limit: i64) -> Result<Vec<DeliveryRow>> {
        let rows = sqlx::query(
            "SELECT * FROM webhook_deliveries WHERE body_uscc = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(body_uscc)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }
}
