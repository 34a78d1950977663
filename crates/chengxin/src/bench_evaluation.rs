//! `chengxin bench evaluation` (issue 20): a full evaluation — every government body and every
//! region they are in, scored for each of P monthly periods — over N bodies and K records per
//! body, on SQLite and (with --pg) PostgreSQL; the wall time of the whole (the product's
//! `chengxin_app::evaluation::run_period` per period: read the sources, score, rank, warn,
//! save the run with its scores, explained items and change-log entries), the peak memory of
//! the process (VmHWM), and the explanation of one indicator of one body down to its records
//! (`chengxin_app::evaluation::explain`) p50/p99.
//!
//! The bodies sit in synthetic townships (13 prefectures × 10 counties × T townships of
//! province 32), so the regions scored are T × 130 townships + 130 counties + 13 prefectures +
//! 1 province. The records are 双公示 licences and penalties, four in ten with a 政务失信
//! severity (the fixture: `chengxin_store::bench::EvaluationFixture`).

use std::path::Path;
use std::time::Instant;

use chengxin_access::jurisdiction::{Region, Scope};
use chengxin_access::Role;
use chengxin_app::auth::{Caller, Via};
use chengxin_domain::evaluation::Period;
use chengxin_store::bench::{bench_body_uscc, EvaluationFixture, ScratchFile, ScratchSchema};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub bodies: u64,
    pub regions: usize,
    pub records: u64,
    /// Months the records span.
    pub periods: usize,
    /// Months evaluated (the last of them).
    pub evaluated: usize,
    pub load_seconds: f64,
    /// Wall time of the full evaluation (all periods).
    pub evaluation_seconds: f64,
    /// Seconds per period (the whole run's time over the periods: one call computes them all).
    pub period_median_seconds: f64,
    pub period_max_seconds: f64,
    /// Targets scored per period (bodies + regions).
    pub targets_per_period: i64,
    /// Peak resident memory of the process so far (VmHWM), MiB.
    pub peak_memory_mib: f64,
    pub explains: usize,
    pub explain_p50_ms: f64,
    pub explain_p99_ms: f64,
    /// Records listed in the last explanation (of its indicator's total).
    pub explain_items_total: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct EvaluationReport {
    pub backends: Vec<BackendReport>,
}

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub bodies: u64,
    pub per_body: u64,
    pub periods: u32,
    /// Evaluate only the last this many of the periods (0: all) — the data still spans all.
    pub evaluate: u32,
    pub townships: u32,
    pub explains: usize,
}

fn regions(townships: u32) -> Vec<String> {
    let mut out = Vec::new();
    for p in 1..=13 {
        for c in 1..=10 {
            for t in 1..=townships.max(1) {
                out.push(format!("32{p:02}{c:02}{t:03}"));
            }
        }
    }
    out
}

/// Peak resident memory of this process (VmHWM), MiB.
pub fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The `periods` months ending with the last full month before `today`, oldest first.
fn months(today: NaiveDate, periods: u32) -> Vec<Period> {
    let (mut y, mut m) = (today.year(), today.month());
    let mut out = Vec::new();
    for _ in 0..periods {
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
        out.push(Period::Month(y, m));
    }
    out.reverse();
    out
}

async fn one_backend(url: &str, backend: &str, sizes: Sizes) -> anyhow::Result<BackendReport> {
    let store = chengxin_store::open(url).await?;
    let catalog =
        chengxin_domain::catalog::Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate(catalog, &chengxin_store::LogSigner::generate(), "bench")
        .await?;
    let today = chengxin_store::clock::today_in_china();
    let periods = months(today, sizes.periods);
    let first = periods
        .first()
        .map(|p| p.range().0)
        .ok_or_else(|| anyhow::anyhow!("no period"))?;
    let last = periods.last().map(|p| p.range().1).unwrap_or(first);
    let days = u32::try_from((last - first).num_days() + 1).unwrap_or(1);
    let regions = regions(sizes.townships);
    let fixture = EvaluationFixture::open(url).await?;
    let t = Instant::now();
    let mut n = 0;
    let mut records = 0;
    while n < sizes.bodies {
        let to = (n + 10_000).min(sizes.bodies);
        fixture.load_bodies(n, to, &regions).await?;
        records += fixture
            .load_records(n, to, sizes.per_body, first, days)
            .await?;
        n = to;
        eprintln!("  {backend}: {n} bodies, {records} records");
    }
    fixture.analyze().await?;
    fixture.close().await;
    let load_seconds = t.elapsed().as_secs_f64();
    let app = chengxin_app::App::new(
        store.clone(),
        chengxin_domain::subjects::IdHasher::new([9; 32]),
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    );
    let skip = if sizes.evaluate == 0 {
        0
    } else {
        periods.len().saturating_sub(sizes.evaluate as usize)
    };
    let t = Instant::now();
    let chosen: Vec<Period> = periods.iter().skip(skip).copied().collect();
    let runs = chengxin_app::evaluation::run_periods(
        store.as_ref(),
        "bench",
        &chosen,
        today,
        String::new(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // One call computes every period (the months share the reads): the per-period figure is
    // the mean.
    let per_period = vec![t.elapsed().as_secs_f64() / runs.len().max(1) as f64; runs.len()];
    let evaluation_seconds = t.elapsed().as_secs_f64();
    let peak_memory_mib = peak_memory_mib();
    let office = Caller {
        actor: "bench".into(),
        via: Via::Anonymous,
        roles: vec![Role::CreditOffice],
        scope: Scope {
            region: Region::parse("320000").map_err(|e| anyhow::anyhow!("{e}"))?,
            body: None,
        },
        body: None,
        token_permissions: None,
        ip: None,
        must_change_password: false,
    };
    let mut explain_ms = Vec::new();
    let mut items_total = 0;
    for q in 0..sizes.explains {
        let qq = q as u64;
        let body_no = qq.wrapping_mul(7919) % sizes.bodies.max(1);
        let region = &regions[usize::try_from(body_no % regions.len() as u64).unwrap_or(0)];
        let body = bench_body_uscc(region, body_no);
        let run = &runs[q % runs.len()];
        let t = Instant::now();
        let e =
            chengxin_app::evaluation::explain(&app, &office, Some(run.id), None, &body, Some("L1"))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        explain_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        items_total = e.indicators.first().map(|i| i.items_total).unwrap_or(0);
    }
    let mut sorted = explain_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let mut pp = per_period.clone();
    pp.sort_by(f64::total_cmp);
    let report = BackendReport {
        backend: backend.into(),
        bodies: sizes.bodies,
        regions: regions.len() + 130 + 13 + 1,
        records,
        periods: periods.len(),
        evaluated: runs.len(),
        load_seconds,
        evaluation_seconds,
        period_median_seconds: percentile(&pp, 0.5),
        period_max_seconds: pp.last().copied().unwrap_or_default(),
        targets_per_period: runs.first().map(|r| r.targets).unwrap_or_default(),
        peak_memory_mib,
        explains: explain_ms.len(),
        explain_p50_ms: percentile(&sorted, 0.5),
        explain_p99_ms: percentile(&sorted, 0.99),
        explain_items_total: items_total,
    };
    eprintln!(
        "  {backend}: full evaluation {:.1} s, peak {:.0} MiB, explain p50 {:.1} ms p99 {:.1} ms",
        report.evaluation_seconds,
        report.peak_memory_mib,
        report.explain_p50_ms,
        report.explain_p99_ms
    );
    store.close().await;
    Ok(report)
}

pub async fn run(
    sizes: Sizes,
    dir: &Path,
    pg: Option<&str>,
    sqlite: bool,
) -> anyhow::Result<EvaluationReport> {
    let mut report = EvaluationReport::default();
    if sqlite {
        let file = ScratchFile::create(dir, "evaluation.db")?;
        report
            .backends
            .push(one_backend(file.url(), "sqlite", sizes).await?);
    }
    if let Some(pg) = pg {
        let scratch = ScratchSchema::create(pg).await?;
        let r = one_backend(scratch.url(), "postgres", sizes).await;
        scratch.drop_schema().await;
        report.backends.push(r?);
    }
    Ok(report)
}
