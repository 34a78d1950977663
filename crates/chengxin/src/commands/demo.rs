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
    seed_portal_pages(store.as_ref())
        .await
        .context("加载演示门户内容失败")?;
    crate::demo::commitments::seed(store.clone(), hasher.clone(), china_today())
        .await
        .context("加载演示承诺失败")?;
    crate::demo::work_items::seed(store.clone(), hasher.clone(), china_today())
        .await
        .context("加载演示督办事项失败")?;
    crate::demo::arrears::seed(store.clone(), hasher.clone(), china_today())
        .await
        .context("加载演示采购合同与拖欠账款失败")?;
    crate::demo::ppp::seed(store.clone(), hasher.clone(), china_today())
        .await
        .context("加载演示 PPP 项目和失信被执行人案件失败")?;
    crate::demo::debt::seed(store.clone(), hasher, china_today())
        .await
        .context("加载演示地方政府债务数据失败")?;
    crate::demo::evaluation::seed(store.as_ref(), china_today())
        .await
        .context("计算演示政务诚信评价失败")?;
    if let Some(signer) = cfg.key_dir().signer()? {
        store.checkpoint(&signer).await?;
    }
    Ok(())
}

/// The demo portal content (通知公告, 政策法规), shipped as data.
const DEMO_PAGES: &str = include_str!("../../../../data/portal/announcements.toml");

#[derive(serde::Deserialize)]
struct DemoPages {
    announcements: Vec<DemoPage>,
}

#[derive(serde::Deserialize)]
struct DemoPage {
    kind: String,
    date: chrono::NaiveDate,
    title: String,
    body: String,
}

/// Publish the demo portal content, once: only while the store has no portal page at all
/// (what an editor wrote is never overwritten or duplicated).
pub(crate) async fn seed_portal_pages(store: &dyn Store) -> anyhow::Result<usize> {
    if !store.portal_pages(None, false, 1).await?.is_empty() {
        return Ok(0);
    }
    let pages: DemoPages = toml::from_str(DEMO_PAGES).context("演示门户内容无法解读")?;
    let mut n = 0;
    for p in pages.announcements {
        // 09:00 China time on the day.
        let at = p
            .date
            .and_hms_opt(1, 0, 0)
            .map(|t| t.and_utc())
            .context("演示门户内容的日期无效")?;
        let row = chengxin_store::PortalPageRow {
            id: uuid::Uuid::now_v7(),
            kind: p.kind,
            title: p.title,
            body: p.body,
            status: "published".into(),
            published_at: Some(at),
            created_by: "demo".into(),
            created_at: at,
            updated_by: "demo".into(),
            updated_at: at,
            version: 1,
        };
        store.create_portal_page("demo", &row).await?;
        n += 1;
    }
    Ok(n)
}
