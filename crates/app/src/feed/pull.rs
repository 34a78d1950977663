//! The receiver: pull each configured lower instance from its cursor, check each page, apply
//! it in one transaction; on a refusal nothing is applied, the link is marked failed with the
//! code and reason, and an audit event (`feed` / `refused`) raises the alert.

use std::sync::Arc;
use std::time::Duration;

use chengxin_store::{AuditEvent, FeedApplied, Store};
use tokio::task::JoinHandle;

use super::check::{check_page, Refusal};
use super::page::FeedPage;
use super::sources::{FeedSource, FeedSources};
use super::{http, DEFAULT_PAGE, MAX_PAGE_BYTES};

/// The actor of the feed's writes.
pub const ACTOR: &str = "system:feed";

/// What one pull of one link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullOutcome {
    /// Pages applied, records changed, and whether the link caught up with the sender's head.
    Applied {
        pages: u64,
        records: u64,
        caught_up: bool,
    },
    /// The sender could not be reached (nothing changes; the next pull retries).
    Unreachable(String),
    /// A page was refused (the link is marked failed).
    Refused(Refusal),
}

async fn alert(store: &dyn Store, source: &str, r: &Refusal) {
    let mut ev = AuditEvent::new(ACTOR, "feed", "refused", "failed");
    ev.target = Some(format!("feed_link:{source}"));
    ev.detail = serde_json::json!({"code": r.code, "reason": r.message});
    if let Err(e) = store.audit(&[ev]).await {
        tracing::warn!(target: crate::LOG_TARGET, error = %e, "feed alert not recorded");
    }
    tracing::error!(target: crate::LOG_TARGET, source, code = r.code, reason = %r.message, "feed page refused");
}

async fn refuse(store: &dyn Store, source: &str, r: Refusal) -> PullOutcome {
    if let Err(e) = store.feed_fail(ACTOR, source, r.code, &r.message).await {
        tracing::warn!(target: crate::LOG_TARGET, error = %e, "feed link not marked failed");
    }
    alert(store, source, &r).await;
    PullOutcome::Refused(r)
}

/// Pull one link until it caught up with the sender's head (or `max_pages` pages).
pub async fn pull_link(
    store: &dyn Store,
    src: &FeedSource,
    page_size: Option<i64>,
    max_pages: u64,
) -> Result<PullOutcome, crate::error::AppError> {
    store
        .feed_link_configure(ACTOR, &src.name, &src.url, &src.region)
        .await?;
    let mut pages = 0u64;
    let mut records = 0u64;
    loop {
        let Some(link) = store.feed_link(&src.name).await? else {
            return Ok(PullOutcome::Unreachable("下级平台链接不存在".into()));
        };
        let mut url = format!(
            "{}/api/v1/feed?after={}&limit={}",
            src.url,
            link.applied,
            page_size.unwrap_or(DEFAULT_PAGE)
        );
        if link.head_size > 0 {
            url.push_str(&format!("&known={}", link.head_size));
        }
        let (status, body) = match http::get(&url, &src.token, MAX_PAGE_BYTES).await {
            Ok(x) => x,
            Err(None) => {
                return Ok(refuse(
                    store,
                    &src.name,
                    Refusal {
                        code: "feed_oversize",
                        message: format!("该页超过 {} 字节上限", MAX_PAGE_BYTES),
                    },
                )
                .await)
            }
            Err(Some(reason)) => return Ok(PullOutcome::Unreachable(reason)),
        };
        if status != 200 {
            let text = String::from_utf8_lossy(&body);
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
                .unwrap_or_default();
            if code == "feed_cursor_ahead" {
                return Ok(refuse(
                    store,
                    &src.name,
                    Refusal {
                        code: "feed_rollback",
                        message: format!(
                            "下级平台的日志短于已接收的部分：其日志可能被回滚（{text}）"
                        ),
                    },
                )
                .await);
            }
            return Ok(PullOutcome::Unreachable(format!(
                "下级平台应答 {status}：{text}"
            )));
        }
        let page: FeedPage = match serde_json::from_slice(&body) {
            Ok(p) => p,
            Err(e) => {
                return Ok(refuse(
                    store,
                    &src.name,
                    Refusal {
                        code: "feed_malformed",
                        message: format!("该页不是合法的归集数据：{e}"),
                    },
                )
                .await)
            }
        };
        let verified = match check_page(&link, &src.key, &page) {
            Ok(v) => v,
            Err(r) => return Ok(refuse(store, &src.name, r).await),
        };
        let caught_up = verified.link.applied >= verified.link.sender_size;
        let empty = page.entries.is_empty();
        if empty && link.state == "ok" && link.head_size == verified.link.head_size {
            return Ok(PullOutcome::Applied {
                pages,
                records,
                caught_up: true,
            });
        }
        let FeedApplied {
            created, updated, ..
        } = store
            .feed_apply(ACTOR, &verified.link, &verified.records)
            .await?;
        pages += 1;
        records += created + updated;
        if caught_up || empty || pages >= max_pages {
            return Ok(PullOutcome::Applied {
                pages,
                records,
                caught_up,
            });
        }
    }
}

/// Pull every configured link once (until each caught up).
pub async fn pull_all(
    store: &dyn Store,
    sources: &FeedSources,
) -> Vec<(String, Result<PullOutcome, crate::error::AppError>)> {
    let mut out = Vec::with_capacity(sources.sources.len());
    for s in &sources.sources {
        out.push((
            s.name.clone(),
            pull_link(store, s, Some(sources.page_size), u64::MAX).await,
        ));
    }
    out
}

/// Pull every configured link every `interval_secs` while serving.
pub fn spawn_pull(store: Arc<dyn Store>, sources: Arc<FeedSources>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(sources.interval_secs));
        loop {
            tick.tick().await;
            for (name, r) in pull_all(store.as_ref(), &sources).await {
                match r {
                    Ok(PullOutcome::Unreachable(reason)) => {
                        tracing::warn!(target: crate::LOG_TARGET, source = %name, %reason, "feed source unreachable")
                    }
                    Err(e) => {
                        tracing::warn!(target: crate::LOG_TARGET, source = %name, error = %e, "feed pull failed")
                    }
                    Ok(_) => {}
                }
            }
        }
    })
}
