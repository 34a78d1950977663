//! Notifications (issue 18): an in-app inbox per account, per body and per credit office
//! (region), and an outbound webhook per body whose deliveries a background job makes, each
//! attempt recorded. Every write is change-logged (`notification`, `webhook`,
//! `webhook_delivery`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

/// Who an inbox item is for.
pub mod recipient {
    /// One account (its id).
    pub const ACCOUNT: &str = "account";
    /// A body (its USCC): every account of the body sees it; its webhook delivers it.
    pub const BODY: &str = "body";
    /// The credit office of a region (its GB/T 2260 code): accounts holding the office's
    /// permission in that region see it.
    pub const OFFICE: &str = "office";
}

/// One inbox item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRow {
    pub id: Uuid,
    /// `account`, `body` or `office` (see [`recipient`]).
    pub recipient_kind: String,
    pub recipient: String,
    /// The region the item concerns (jurisdiction).
    pub region: String,
    /// What it is about: `commitment_reminder`, `commitment_escalation`, `commitment_step`,
    /// `case_reminder`, `case_escalated` …
    pub topic: String,
    pub title: String,
    pub body: String,
    /// Where the item is (a console address), if anywhere.
    pub link: Option<String>,
    /// At most one item per key (a milestone's reminder stage per recipient): the sweep is
    /// idempotent.
    pub dedup_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub read_by: Option<String>,
}

/// A body's outbound webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub body_uscc: String,
    pub url: String,
    /// The signing secret, sealed (key outside the database).
    pub secret_sealed: String,
    pub enabled: bool,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// One delivery of one item to one webhook: `pending` (to be tried at `next_attempt_at`),
/// `delivered`, or `failed` (attempts spent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub notification_id: Uuid,
    pub body_uscc: String,
    pub url: String,
    /// The JSON body POSTed (signed as is).
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub last_status: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An inbox: the (kind, recipient) pairs a caller reads.
pub type Addresses = [(String, String)];

/// Notifications, change-logged.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Store items (one transaction); an item whose `dedup_key` is already stored is skipped.
    /// Items for a body with an enabled webhook get a pending delivery. Returns the ids
    /// stored.
    async fn add_notifications(&self, actor: &str, rows: &[NotificationRow]) -> Result<Vec<Uuid>>;
    /// Items of these addresses, newest first.
    async fn inbox(
        &self,
        addresses: &Addresses,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<NotificationRow>>;
    async fn unread_count(&self, addresses: &Addresses) -> Result<i64>;
    async fn notification(&self, id: Uuid) -> Result<Option<NotificationRow>>;
    /// Mark an item read (a no-op, `false`, when it already is).
    async fn mark_read(&self, actor: &str, id: Uuid, by: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Create (`expected` `None`) or replace (at version `expected`) a body's webhook.
    async fn put_webhook(&self, actor: &str, w: &WebhookRow, expected: Option<i64>) -> Result<()>;
    async fn webhook(&self, body_uscc: &str) -> Result<Option<WebhookRow>>;
    /// Pending deliveries due at `now`, oldest first.
    async fn due_deliveries(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<DeliveryRow>>;
    /// Record an attempt's outcome (status, attempts, next attempt, last error).
    async fn update_delivery(&self, actor: &str, d: &DeliveryRow) -> Result<()>;
    /// A body's deliveries, newest first.
    async fn deliveries(&self, body_uscc: &str, limit: i64) -> Result<Vec<DeliveryRow>>;
}
