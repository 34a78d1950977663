//! Portal content (门户内容, issue 17): announcements (通知公告) and policy pages (政策法规)
//! written by holders of `PortalManage`, drafted, then published; every version in the change
//! log (`portal_page`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

/// One page of portal content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalPageRow {
    pub id: Uuid,
    /// `announcement` (通知公告) or `policy` (政策法规).
    pub kind: String,
    pub title: String,
    /// Plain text; paragraphs separated by blank lines.
    pub body: String,
    /// `draft`, `published` or `withdrawn`.
    pub status: String,
    /// When it was (last) published.
    pub published_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// Portal content, change-logged.
#[async_trait]
pub trait PortalPageStore: Send + Sync {
    /// Store a new page (version 1).
    async fn create_portal_page(&self, actor: &str, p: &PortalPageRow) -> Result<()>;
    /// Replace a page whose stored version is `expected` (else `Conflict`); `p.version` is
    /// the new version.
    async fn update_portal_page(&self, actor: &str, p: &PortalPageRow, expected: i64)
        -> Result<()>;
    async fn portal_page(&self, id: Uuid) -> Result<Option<PortalPageRow>>;
    /// Pages, newest first: of one kind (or all), only published ones if `published_only`.
    async fn portal_pages(
        &self,
        kind: Option<&str>,
        published_only: bool,
        limit: i64,
    ) -> Result<Vec<PortalPageRow>>;
}
