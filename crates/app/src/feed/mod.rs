//! Upward aggregation between instances (逐级归集, issue 21; protocol in docs/FEED.md).
//!
//! The upper instance **pulls** each lower instance's change feed over HTTP with a
//! per-instance token (`feed_read`, scoped to the sender's region): `send` cuts a page of the
//! sender's change log under its latest signed tree head, with the records' content and the
//! consistency proofs; `check` verifies a page against the link's state (signature, chain,
//! Merkle proofs — the receiver is the sender's witness —, cursor, region, size); `pull` runs a
//! link from its cursor and applies each verified page in one transaction (`FeedStore`).

pub mod check;
mod http;
pub mod page;
pub mod pull;
pub mod send;
pub mod sources;

pub use check::{check_page, Refusal, Verified};
pub use page::{FeedEntry, FeedPage, FeedState};
pub use pull::{pull_all, pull_link, spawn_pull, PullOutcome};
pub use send::page;
pub use sources::{FeedSource, FeedSources};

/// Entries per page at most (the receiver refuses more: `feed_oversize`).
pub const MAX_PAGE: i64 = 1000;
/// Entries per page when the receiver does not say.
pub const DEFAULT_PAGE: i64 = 500;
/// Record contents per page at most, unless the page is one entry (a batch chunk's group
/// entry lists at most 10,000 members): the sender ends a page before the entry that would
/// pass it; the receiver refuses more (`feed_oversize`).
pub const MAX_STATES: usize = 20_000;
/// Bytes of a page's answer at most (the receiver stops reading beyond: `feed_oversize`).
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

/// The links to lower instances (cursor, lag, last head, last error), for the credit office.
pub async fn links(
    app: &crate::App,
    caller: &crate::auth::Caller,
) -> crate::error::AppResult<Vec<chengxin_store::FeedLinkRow>> {
    caller.require(chengxin_access::Permission::ReportsRead)?;
    Ok(app.store.feed_links().await?)
}

/// The records received from lower instances, newest change first, for the credit office.
pub async fn received(
    app: &crate::App,
    caller: &crate::auth::Caller,
    limit: i64,
) -> crate::error::AppResult<Vec<chengxin_store::FeedRecordRow>> {
    caller.require(chengxin_access::Permission::ReportsRead)?;
    Ok(app.store.feed_records(None, limit.clamp(1, 500)).await?)
}

/// A record status's Chinese name (`published` → 公示中), for provenance lists.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "submitted" => "已报送",
        "published" => "公示中",
        "revoked" => "已撤销",
        "expired" => "公示期满",
        "repaired" => "已修复",
        _ => "其他",
    }
}
