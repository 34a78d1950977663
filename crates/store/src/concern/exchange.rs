//! Exchange with other platforms (issue 21): what changed in a window of time, for the
//! national platform's daily incremental export (`app::exchange::national`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::Result;
use crate::{ApplicationRow, ListEntryRow};

/// Reads of what changed in `[from, to)`, each in a stable order.
#[async_trait]
pub trait ExchangeStore: Send + Sync {
    /// Visible records created, or with a history entry, in `[from, to)`, in id order.
    async fn records_touched(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Uuid>>;
    /// List entries changed at or after `from` (their events say on which day), in id order.
    async fn list_entries_changed_since(&self, from: DateTime<Utc>) -> Result<Vec<ListEntryRow>>;
    /// Repair applications changed at or after `from`, in id order.
    async fn repairs_changed_since(&self, from: DateTime<Utc>) -> Result<Vec<ApplicationRow>>;
}
