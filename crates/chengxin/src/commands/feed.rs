//! `chengxin feed pull|status` (逐级归集, issue 21, docs/FEED.md): pull the lower instances
//! named in `CHENGXIN_FEED_SOURCES` once, or print each link's cursor, lag and last error.

use std::process::ExitCode;

use chengxin_app::feed::{FeedSources, PullOutcome};
use clap::Subcommand;

use crate::config::Config;
use crate::error::{app_err, CliError};
use crate::setup::{checkpoint, open_and_migrate};

#[derive(Subcommand, Debug)]
pub(crate) enum FeedOp {
    /// Pull each configured lower instance until it caught up (once; `serve` pulls on its own).
    Pull {
        /// Pull once and exit (the only mode; kept explicit for scripts).
        #[arg(long)]
        once: bool,
        /// Entries per page (1–1000; default: the configuration's).
        #[arg(long)]
        page_size: Option<i64>,
        /// Stop after this many pages per source (default: until caught up).
        #[arg(long)]
        max_pages: Option<u64>,
    },
    /// Each link's cursor, lag, last head and last error (JSON).
    Status,
    /// The records received, newest change first (JSON), with their origin.
    Records {
        /// Only those of this origin instance (`溧阳市`).
        #[arg(long)]
        origin: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
}

/// The configured lower instances (`CHENGXIN_FEED_SOURCES`: a TOML file or the TOML text).
pub(crate) fn sources() -> anyhow::Result<Option<FeedSources>> {
    match std::env::var("CHENGXIN_FEED_SOURCES") {
        Ok(v) if !v.trim().is_empty() => Ok(Some(FeedSources::load(&v).map_err(app_err)?)),
        _ => Ok(None),
    }
}

pub(crate) async fn run(cfg: &Config, op: &FeedOp) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    match op {
        FeedOp::Pull {
            once: _,
            page_size,
            max_pages,
        } => {
            let Some(sources) = sources()? else {
                return Err(CliError::new(
                    "feed_sources_missing",
                    "未配置下级平台（CHENGXIN_FEED_SOURCES）",
                )
                .into());
            };
            let mut failed = false;
            let mut out = Vec::new();
            for s in &sources.sources {
                let r = chengxin_app::feed::pull_link(
                    store.as_ref(),
                    s,
                    Some(page_size.unwrap_or(sources.page_size)),
                    max_pages.unwrap_or(u64::MAX),
                )
                .await
                .map_err(app_err)?;
                out.push(match r {
                    PullOutcome::Applied {
                        pages,
                        records,
                        caught_up,
                    } => serde_json::json!({"source": s.name, "outcome": "applied",
                        "pages": pages, "records": records, "caught_up": caught_up}),
                    PullOutcome::Unreachable(reason) => {
                        failed = true;
                        serde_json::json!({"source": s.name, "outcome": "unreachable", "reason": reason})
                    }
                    PullOutcome::Refused(r) => {
                        failed = true;
                        serde_json::json!({"source": s.name, "outcome": "refused",
                            "code": r.code, "reason": r.message})
                    }
                });
            }
            checkpoint(cfg, &store).await?;
            println!("{}", serde_json::Value::Array(out));
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        FeedOp::Records { origin, limit } => {
            let rows = store.feed_records(origin.as_deref(), *limit).await?;
            println!("{}", serde_json::to_string_pretty(&rows)?);
            Ok(ExitCode::SUCCESS)
        }
        FeedOp::Status => {
            let links = store.feed_links().await?;
            println!("{}", serde_json::to_string_pretty(&links)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
