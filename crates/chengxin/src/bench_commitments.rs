//! `chengxin bench commitments`: the daily reminder/overdue sweep over N milestones (issue 18:
//! 1,000,000 in at most 10 s on SQLite and PostgreSQL). The milestones (10 per commitment, due
//! over the 1,000 days around today) are written straight into a scratch database, marked as
//! yesterday's sweep left them; the timed sweep is today's (the reminders whose window opens
//! today, the escalations of yesterday's due dates, their notifications and change-log group
//! entries). A second sweep the same day shows it idempotent (nothing sent).

use std::path::Path;
use std::time::Instant;

use chengxin_store::bench::{CommitmentFixture, ScratchFile, ScratchSchema, PER_COMMITMENT};
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub milestones: u64,
    pub load_seconds: f64,
    pub sweep_seconds: f64,
    pub looked_at: usize,
    pub reminders: usize,
    pub escalations: usize,
    pub notifications: usize,
    pub second_sweep_seconds: f64,
    pub second_sweep_notifications: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct CommitmentsReport {
    pub backends: Vec<BackendReport>,
}

async fn one_backend(url: &str, backend: &str, milestones: u64) -> anyhow::Result<BackendReport> {
    let store = chengxin_store::open(url).await?;
    let catalog =
        chengxin_domain::catalog::Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate(catalog, &chengxin_store::LogSigner::generate(), "bench")
        .await?;
    let today = chengxin_store::clock::today_in_china();
    let fixture = CommitmentFixture::open(url).await?;
    let commitments = milestones.div_ceil(PER_COMMITMENT);
    let t = Instant::now();
    let mut n = 0;
    while n < commitments {
        let to = (n + 10_000).min(commitments);
        fixture.load(n, to, today).await?;
        n = to;
        eprintln!("  {backend}: {} milestones", n * PER_COMMITMENT);
    }
    fixture.analyze().await?;
    let mut report = BackendReport {
        backend: backend.into(),
        milestones: commitments * PER_COMMITMENT,
        load_seconds: t.elapsed().as_secs_f64(),
        ..Default::default()
    };
    let t = Instant::now();
    let r = chengxin_app::commitments::sweep::sweep(store.as_ref(), today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    report.sweep_seconds = t.elapsed().as_secs_f64();
    report.looked_at = r.looked_at;
    report.reminders = r.reminders;
    report.escalations = r.escalations;
    report.notifications = r.notifications;
    let t = Instant::now();
    let again = chengxin_app::commitments::sweep::sweep(store.as_ref(), today)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    report.second_sweep_seconds = t.elapsed().as_secs_f64();
    report.second_sweep_notifications = again.notifications;
    eprintln!(
        "  {backend}: sweep {:.3} s ({} looked at, {} notifications); again {:.3} s",
        report.sweep_seconds, report.looked_at, report.notifications, report.second_sweep_seconds
    );
    fixture.close().await;
    store.close().await;
    Ok(report)
}

pub async fn run(
    milestones: u64,
    dir: &Path,
    pg: Option<&str>,
) -> anyhow::Result<CommitmentsReport> {
    let mut report = CommitmentsReport::default();
    let file = ScratchFile::create(dir, "commitments.db")?;
    let url = file.url();
    report
        .backends
        .push(one_backend(url, "sqlite", milestones).await?);
    drop(file);
    if let Some(pg) = pg {
        let scratch = ScratchSchema::create(pg).await?;
        let r = one_backend(scratch.url(), "postgres", milestones).await;
        scratch.drop_schema().await;
        report.backends.push(r?);
    }
    Ok(report)
}
