//! Portal content (issue 17): announcements (通知公告) and policy pages (政策法规). Holders of
//! `PortalManage` write a draft, edit it, publish it and withdraw it; the public sees only
//! published pages. Every version is in the change log (store: `portal_page`).

use chengxin_access::Permission;
use chengxin_domain::codes::id_number::mask_in_text;
use chengxin_store::PortalPageRow;
use chrono::SubsecRound;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// The two kinds, with their Chinese names.
pub const KINDS: [(&str, &str); 2] = [("announcement", "通知公告"), ("policy", "政策法规")];

/// The Chinese name of a kind.
pub fn kind_name(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, n)| *n)
        .unwrap_or("门户内容")
}

/// The Chinese name of a status.
pub fn status_name(status: &str) -> &'static str {
    match status {
        "draft" => "草稿",
        "published" => "已发布",
        "withdrawn" => "已撤回",
        _ => "未知",
    }
}

/// A new draft.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DraftRequest {
    /// `announcement` or `policy`.
    pub kind: String,
    pub title: String,
    pub body: String,
}

/// A step on a page: `edit` (title and body), `publish`, `withdraw`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PageActionRequest {
    pub action: String,
    pub title: Option<String>,
    pub body: Option<String>,
    pub expected_version: i64,
}

const MAX_TITLE: usize = 100;
const MAX_BODY: usize = 20_000;

fn clean_title(t: &str) -> AppResult<String> {
    let t = mask_in_text(t.trim()).into_owned();
    if t.is_empty() {
        return Err(AppError::invalid("title_required", "请填写标题"));
    }
    if t.chars().count() > MAX_TITLE {
        return Err(AppError::invalid(
            "title_too_long",
            format!("标题不能超过 {MAX_TITLE} 个字"),
        ));
    }
    Ok(t)
}

fn clean_body(b: &str) -> AppResult<String> {
    let b = mask_in_text(b.trim()).replace("\r\n", "\n");
    if b.trim().is_empty() {
        return Err(AppError::invalid("body_required", "请填写正文"));
    }
    if b.chars().count() > MAX_BODY {
        return Err(AppError::invalid(
            "body_too_long",
            format!("正文不能超过 {MAX_BODY} 个字"),
        ));
    }
    Ok(b)
}

/// Write a draft (`PortalManage`).
pub async fn draft(app: &App, caller: &Caller, req: DraftRequest) -> AppResult<PortalPageRow> {
    caller.require(Permission::PortalManage)?;
    if !KINDS.iter().any(|(k, _)| *k == req.kind) {
        return Err(AppError::invalid(
            "kind_unknown",
            "内容类别应为“通知公告”或“政策法规”",
        ));
    }
    // Microseconds: what both backends store (the logged digest must match the row).
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let row = PortalPageRow {
        id: Uuid::now_v7(),
        kind: req.kind,
        title: clean_title(&req.title)?,
        body: clean_body(&req.body)?,
        status: "draft".into(),
        published_at: None,
        created_by: caller.actor.clone(),
        created_at: now,
        updated_by: caller.actor.clone(),
        updated_at: now,
        version: 1,
    };
    app.store.create_portal_page(&caller.actor, &row).await?;
    Ok(row)
}

/// Edit, publish or withdraw a page (`PortalManage`), at the version the editor saw.
pub async fn act(
    app: &App,
    caller: &Caller,
    id: Uuid,
    req: PageActionRequest,
) -> AppResult<PortalPageRow> {
    caller.require(Permission::PortalManage)?;
    let mut row = app.store.portal_page(id).await?.ok_or(AppError::NotFound)?;
    if row.version != req.expected_version {
        return Err(AppError::conflict(
            "version_conflict",
            "该内容已被他人修改，请刷新后再试",
        ));
    }
    // Microseconds: what both backends store (the logged digest must match the row).
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    match req.action.as_str() {
        "edit" => {
            if let Some(t) = &req.title {
                row.title = clean_title(t)?;
            }
            if let Some(b) = &req.body {
                row.body = clean_body(b)?;
            }
        }
        "publish" => {
            if row.status == "published" {
                return Err(AppError::conflict("already_published", "该内容已发布"));
            }
            row.status = "published".into();
            row.published_at = Some(now);
        }
        "withdraw" => {
            if row.status != "published" {
                return Err(AppError::conflict(
                    "not_published",
                    "该内容尚未发布，无需撤回",
                ));
            }
            row.status = "withdrawn".into();
        }
        _ => {
            return Err(AppError::invalid(
                "action_unknown",
                "操作应为“修改”“发布”或“撤回”",
            ))
        }
    }
    let expected = row.version;
    row.version += 1;
    row.updated_by = caller.actor.clone();
    row.updated_at = now;
    app.store
        .update_portal_page(&caller.actor, &row, expected)
        .await?;
    Ok(row)
}

/// Every page, drafts included, for the editors (`PortalManage`).
pub async fn all(app: &App, caller: &Caller) -> AppResult<Vec<PortalPageRow>> {
    caller.require(Permission::PortalManage)?;
    Ok(app.store.portal_pages(None, false, 500).await?)
}

/// Published pages of a kind, newest first (public).
pub async fn published(app: &App, kind: &str, limit: i64) -> AppResult<Vec<PortalPageRow>> {
    Ok(app.store.portal_pages(Some(kind), true, limit).await?)
}

/// One published page (public): a draft or a withdrawn page is not found.
pub async fn published_one(app: &App, id: Uuid) -> AppResult<PortalPageRow> {
    match app.store.portal_page(id).await? {
        Some(p) if p.status == "published" => Ok(p),
        _ => Err(AppError::NotFound),
    }
}
