//! Portal content (门户内容): each write with its change-log entry in the same transaction.

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, DbRow};
use super::{dec, enc, Inner};
use crate::changelog::state_digest;
use crate::error::{Result, StoreError};
use crate::{PortalPageRow, PortalPageStore};

pub(super) fn page_from_row(r: &DbRow) -> Result<PortalPageRow> {
    Ok(PortalPageRow {
        id: dec(r.try_get("id")?),
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        status: r.try_get("status")?,
        published_at: r.try_get("published_at")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

fn check(p: &PortalPageRow) -> Result<()> {
    if !matches!(p.kind.as_str(), "announcement" | "policy") {
        return Err(StoreError::Invalid(format!(
            "未知的门户内容类别：{}",
            p.kind
        )));
    }
    if !matches!(p.status.as_str(), "draft" | "published" | "withdrawn") {
        return Err(StoreError::Invalid(format!(
            "未知的门户内容状态：{}",
            p.status
        )));
    }
    if p.title.trim().is_empty() {
        return Err(StoreError::Invalid("标题不能为空".into()));
    }
    Ok(())
}

#[async_trait]
impl PortalPageStore for Inner {
    async fn create_portal_page(&self, actor: &str, p: &PortalPageRow) -> Result<()> {
        check(p)?;
        let (mut tx, mut head) = begin_write(self).await?;
        sqlx::query(
            "INSERT INTO portal_pages (id, kind, title, body, status, published_at, created_by, \
             created_at, updated_by, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(enc(p.id))
        .bind(&p.kind)
        .bind(&p.title)
        .bind(&p.body)
        .bind(&p.status)
        .bind(p.published_at)
        .bind(&p.created_by)
        .bind(p.created_at)
        .bind(&p.updated_by)
        .bind(p.updated_at)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "portal_page",
            &p.id.to_string(),
            "create",
            Some(state_digest(p)?),
        )
        .await?;
        commit(tx, head).await
    }

    async fn update_portal_page(
        &self,
        actor: &str,
        p: &PortalPageRow,
        expected: i64,
    ) -> Result<()> {
        check(p)?;
        let (mut tx, mut head) = begin_write(self).await?;
        let done = sqlx::query(
            "UPDATE portal_pages SET kind = $1, title = $2, body = $3, status = $4, \
             published_at = $5, updated_by = $6, updated_at = $7, version = $8 \
             WHERE id = $9 AND version = $10",
        )
        .bind(&p.kind)
        .bind(&p.title)
        .bind(&p.body)
        .bind(&p.status)
        .bind(p.published_at)
        .bind(&p.updated_by)
        .bind(p.updated_at)
        .bind(p.version)
        .bind(enc(p.id))
        .bind(expected)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected,
                current: -1,
            });
        }
        append(
            &mut tx,
            &mut head,
            actor,
            "portal_page",
            &p.id.to_string(),
            "update",
            Some(state_digest(p)?),
        )
        .await?;
        commit(tx, head).await
    }

    async fn portal_page(&self, id: Uuid) -> Result<Option<PortalPageRow>> {
        sqlx::query("SELECT * FROM portal_pages WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(page_from_row)
            .transpose()
    }

    async fn portal_pages(
        &self,
        kind: Option<&str>,
        published_only: bool,
        limit: i64,
    ) -> Result<Vec<PortalPageRow>> {
        let rows = sqlx::query(
            "SELECT * FROM portal_pages WHERE ($1 IS NULL OR kind = $1) \
             AND ($2 = 0 OR status = 'published') \
             ORDER BY COALESCE(published_at, updated_at) DESC, id DESC LIMIT $3",
        )
        .bind(kind)
        .bind(i64::from(published_only))
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(page_from_row).collect()
    }
}
