//! Exchange reads (issue 21): what changed in a window, in a stable order.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::lists::entry_from_row;
use super::rights::application_from_row;
use super::{dec, Inner, UuidCol, VISIBLE};
use crate::error::Result;
use crate::{ApplicationRow, ExchangeStore, ListEntryRow};

#[async_trait]
impl ExchangeStore for Inner {
    async fn records_touched(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Uuid>> {
        let sql = format!(
            "SELECT id FROM records WHERE {VISIBLE} AND (\
               (created_at >= $1 AND created_at < $2) OR \
               id IN (SELECT record_id FROM record_history WHERE at >= $1 AND at < $2)) \
             ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(dec(r.try_get::<UuidCol, _>("id")?)))
            .collect()
    }

    async fn list_entries_changed_since(&self, from: DateTime<Utc>) -> Result<Vec<ListEntryRow>> {
        let rows = sqlx::query("SELECT * FROM list_entries WHERE updated_at >= $1 ORDER BY id")
            .bind(from)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(entry_from_row).collect()
    }

    async fn repairs_changed_since(&self, from: DateTime<Utc>) -> Result<Vec<ApplicationRow>> {
        let rows = sqlx::query(
            "SELECT * FROM applications WHERE kind = 'repair' AND updated_at >= $1 ORDER BY id",
        )
        .bind(from)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(application_from_row).collect()
    }
}
