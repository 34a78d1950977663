//! `chengxin demo` (and `serve --demo`): load the deterministic demo data set, once.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chengxin_store::Store;

use crate::config::Config;
use crate::setup::{china_today, id_hasher, open_and_migrate};

/// `chengxin demo`: migrate, then load the demo data without serving.
pub(crate) async fn run(cfg: &Config) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    load_demo(cfg, &store).await?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn load_demo(cfg: &Config, store: &Arc<dyn Store>) -> anyhow::Result<()> {
    let hasher = id_hasher(cfg)?;
    let report = crate::demo::load(store.as_ref(), &hasher, china_today())
        .await
        .context("加载演示数据失败")?;
    if report.already_loaded {
        tracing::info!(target: crate::LOG_TARGET, "demo data already loaded");
    } else {
        tracing::info!(target: crate::LOG_TARGET,
            subjects = report.subjects,
            employments = report.employments,
            records = report.records,
            "demo data loaded"
        );
    }
    if let Some(signer) = cfg.key_dir().signer()? {
        store.checkpoint(&signer).await?;
    }
    Ok(())
}
