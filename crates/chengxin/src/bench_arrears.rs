//! `chengxin bench arrears`: the arrears ledger's totals per body, region and month over N
//! ledger rows (issue 18: 1,000,000 in at most 200 ms on SQLite and PostgreSQL). The rows (300
//! bodies in 常州's three demo regions, due over 36 months, every state) are written straight
//! into a scratch database; the timed call is the use case the console and the API call
//! (`chengxin_app::arrears::totals`) as 常州's credit office, whose reach is all of them: one
//! scan of the covering index `arrears_totals`, added up per body, region and month.

use std::path::Path;
use std::time::Instant;

use chengxin_access::jurisdiction::{Region, Scope};
use chengxin_access::Role;
use chengxin_app::auth::{Caller, Via};
use chengxin_store::bench::{ArrearFixture, ScratchFile, ScratchSchema};
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub rows: u64,
    pub load_seconds: f64,
    pub runs: usize,
    /// Milliseconds of each run of the whole use case (all three groupings).
    pub runs_ms: Vec<f64>,
    pub best_ms: f64,
    pub median_ms: f64,
    pub bodies: usize,
    pub regions: usize,
    pub months: usize,
    pub total_count: i64,
    pub total_outstanding: String,
}

#[derive(Debug, Default, Serialize)]
pub struct ArrearsReport {
    pub backends: Vec<BackendReport>,
}

async fn one_backend(
    url: &str,
    backend: &str,
    rows: u64,
    runs: usize,
) -> anyhow::Result<BackendReport> {
    let store = chengxin_store::open(url).await?;
    let catalog =
        chengxin_domain::catalog::Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate(catalog, &chengxin_store::LogSigner::generate(), "bench")
        .await?;
    let today = chengxin_store::clock::today_in_china();
    let fixture = ArrearFixture::open(url).await?;
    let t = Instant::now();
    let mut n = 0;
    while n < rows {
        let to = (n + 50_000).min(rows);
        fixture.load(n, to, today).await?;
        n = to;
        eprintln!("  {backend}: {n} ledger rows");
    }
    fixture.analyze().await?;
    let load_seconds = t.elapsed().as_secs_f64();
    let app = chengxin_app::App::new(
        store.clone(),
        chengxin_domain::subjects::IdHasher::new([9; 32]),
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    );
    let office = Caller {
        actor: "bench".into(),
        via: Via::Anonymous,
        roles: vec![Role::CreditOffice],
        scope: Scope {
            region: Region::parse("320400").map_err(|e| anyhow::anyhow!("{e}"))?,
            body: None,
        },
        body: None,
        token_permissions: None,
        ip: None,
        must_change_password: false,
    };
    let mut runs_ms = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let v = chengxin_app::arrears::totals(&app, &office, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        runs_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        last = Some(v);
    }
    let mut sorted = runs_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let v = last.ok_or_else(|| anyhow::anyhow!("no run"))?;
    let report = BackendReport {
        backend: backend.into(),
        rows,
        load_seconds,
        runs: runs_ms.len(),
        best_ms: sorted.first().copied().unwrap_or_default(),
        median_ms: sorted.get(sorted.len() / 2).copied().unwrap_or_default(),
        runs_ms,
        bodies: v.by_body.len(),
        regions: v.by_region.len(),
        months: v.by_month.len(),
        total_count: v.total.count,
        total_outstanding: v.total.outstanding,
    };
    eprintln!(
        "  {backend}: totals best {:.1} ms, median {:.1} ms ({} bodies, {} regions, {} months)",
        report.best_ms, report.median_ms, report.bodies, report.regions, report.months
    );
    fixture.close().await;
    store.close().await;
    Ok(report)
}

pub async fn run(
    rows: u64,
    dir: &Path,
    pg: Option<&str>,
    runs: usize,
) -> anyhow::Result<ArrearsReport> {
    let mut report = ArrearsReport::default();
    let file = ScratchFile::create(dir, "arrears.db")?;
    let url = file.url();
    report
        .backends
        .push(one_backend(url, "sqlite", rows, runs).await?);
    drop(file);
    if let Some(pg) = pg {
        let scratch = ScratchSchema::create(pg).await?;
        let r = one_backend(scratch.url(), "postgres", rows, runs).await;
        scratch.drop_schema().await;
        report.backends.push(r?);
    }
    Ok(report)
}
