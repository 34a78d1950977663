//! `chengxin bench import`: the import benchmarks of BENCHMARKS.md, measured in one run
//! together with their raw-backend baselines.
//!
//! 1. generate a deterministic 行政处罚 CSV (with a share of bad rows);
//! 2. parse + validate it on one thread (no database);
//! 3. baseline: the same rows into a bare table — SQLite prepared inserts in one
//!    transaction (rusqlite, straight on the C API), PostgreSQL `COPY`;
//! 4. end-to-end `import` into a fresh database, change log included;
//! 5. the schema's floor: the subjects and records the import stored, copied by the backend
//!    alone (`INSERT … SELECT`, one transaction) into empty tables with the same indexes and
//!    foreign keys — what storing these rows costs before any of our code runs;
//! 6. peak RSS of the process (VmHWM).
//!
//! The SQL of the baselines, the floors and the scratch schema is in
//! `chengxin_store::bench`; this file keeps the orchestration, the timing and the report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::intake;
use chengxin_domain::regions::RegionTable;
use chengxin_domain::subjects::IdHasher;
use chengxin_ingest::read::{open_reader, ReadOptions};
use chengxin_store::bench::{self, BareRow, PgBench, ScratchSchema};
use chengxin_store::{LogSigner, Store};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Phase {
    pub name: String,
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_sec: f64,
}

fn phase(name: &str, rows: u64, started: Instant) -> Phase {
    let seconds = started.elapsed().as_secs_f64();
    let p = Phase {
        name: name.to_string(),
        rows,
        seconds,
        rows_per_sec: if seconds > 0.0 {
            rows as f64 / seconds
        } else {
            0.0
        },
    };
    eprintln!(
        "  {:<48} {:>9} rows {:>8.2} s {:>10.0} rows/s",
        p.name, p.rows, p.seconds, p.rows_per_sec
    );
    p
}

/// Peak resident set size of this process, in MiB (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Reset the peak RSS counter so each phase can be measured on its own (Linux ≥ 4.0).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn parse_validate(file: &Path) -> anyhow::Result<(u64, u64)> {
    let catalog = Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    let rt = catalog
        .get("admin_penalty")
        .context("admin_penalty missing")?;
    let table = open_reader(
        std::fs::File::open(file)?,
        Some("bench.csv"),
        &ReadOptions::default(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (map, _) = intake::map_columns(rt, &table.headers).map_err(|e| anyhow::anyhow!("{e}"))?;
    let map = map.with_digest_key(b"bench");
    let regions = RegionTable::national();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).context("date")?;
    let (mut good, mut bad) = (0u64, 0u64);
    for item in table {
        match item {
            Ok(raw) => match intake::validate_row(rt, &map, raw.row, &raw.cells, regions, today) {
                Ok(_) => good += 1,
                Err(_) => bad += 1,
            },
            Err(_) => bad += 1,
        }
    }
    Ok((good, bad))
}

/// Rows of the file as (doc_no, name, code, date, all cells as JSON): what both baselines load.
fn raw_rows(file: &Path) -> anyhow::Result<impl Iterator<Item = BareRow>> {
    let table = open_reader(
        std::fs::File::open(file)?,
        Some("bench.csv"),
        &ReadOptions::default(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let h = table.headers.clone();
    let col = |t: &str| h.iter().position(|x| x == t).unwrap_or(0);
    let (doc, name, code, date) = (
        col("行政处罚决定书文号"),
        col("行政相对人名称"),
        col("行政相对人代码_1(统一社会信用代码)"),
        col("处罚决定日期"),
    );
    Ok(table.filter_map(Result::ok).map(move |r| {
        let get = |i: usize| r.cells.get(i).cloned().unwrap_or_default();
        [
            get(doc),
            get(name),
            get(code),
            get(date),
            serde_json::to_string(&r.cells).unwrap_or_default(),
        ]
    }))
}

const FLOOR_SQLITE: &str = "schema floor: SQLite copies the stored rows (same indexes, FKs)";
const FLOOR_PG: &str = "schema floor: PostgreSQL copies the stored rows (same indexes, FKs)";

#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub rows: u64,
    pub bad_per_mille: u32,
    pub phases: Vec<Phase>,
    pub sqlite_ratio: Option<f64>,
    pub postgres_ratio: Option<f64>,
    /// Import rate over the schema floor's rate (see the module comment).
    pub sqlite_floor_ratio: Option<f64>,
    pub postgres_floor_ratio: Option<f64>,
    pub peak_rss_mib_import_sqlite: Option<f64>,
    pub peak_rss_mib_import_postgres: Option<f64>,
    pub counts_ok: bool,
}

/// Run the import benchmark. `pg` is a PostgreSQL URL for the PostgreSQL half (a fresh
/// schema is created in it and dropped afterwards).
pub async fn import_bench(
    rows: u64,
    bad_per_mille: u32,
    dir: &Path,
    pg: Option<&str>,
) -> anyhow::Result<BenchReport> {
    std::fs::create_dir_all(dir)?;
    let file: PathBuf = dir.join("bench-penalties.csv");
    eprintln!(
        "chengxin bench import: {rows} rows, {bad_per_mille}‰ bad, in {}",
        dir.display()
    );
    let mut phases = Vec::new();

    let t = Instant::now();
    let summary = {
        let f = std::io::BufWriter::new(std::fs::File::create(&file)?);
        chengxin_ingest::gen::gen_penalty_csv(f, rows, bad_per_mille, 20261123)?
    };
    phases.push(phase("generate CSV", rows, t));

    let t = Instant::now();
    let (good, bad) = tokio::task::block_in_place(|| parse_validate(&file))?;
    phases.push(phase("parse + validate (1 thread, no database)", rows, t));
    let mut counts_ok = good == summary.good && bad == summary.bad;
    if !counts_ok {
        eprintln!(
            "  !! validation counts {good}/{bad} differ from generator {}/{}",
            summary.good, summary.bad
        );
    }

    // SQLite.
    let bare = dir.join("bare.db");
    let _ = std::fs::remove_file(&bare);
    let t = Instant::now();
    let n = tokio::task::block_in_place(|| -> anyhow::Result<u64> {
        Ok(bench::sqlite_baseline(&bare, raw_rows(&file)?)?)
    })?;
    let base_sqlite = phase("baseline: SQLite prepared inserts, one tx", n, t);
    let db = dir.join("bench.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let store = chengxin_store::open(&format!("sqlite://{}", db.display())).await?;
    let (import_sqlite, rss_sqlite) = import_once(
        &store,
        &file,
        &summary,
        &mut counts_ok,
        "import into SQLite (end to end, change log)",
    )
    .await?;
    let sqlite_ratio = Some(import_sqlite.rows_per_sec / base_sqlite.rows_per_sec);
    phases.push(base_sqlite);
    phases.push(import_sqlite);
    store.close().await;
    let t = Instant::now();
    tokio::task::block_in_place(|| bench::sqlite_floor(&db, &dir.join("floor.db")))?;
    let floor = phase(FLOOR_SQLITE, summary.rows, t);
    let sqlite_floor_ratio = phases
        .last()
        .map(|imp| imp.rows_per_sec / floor.rows_per_sec);
    phases.push(floor);

    // PostgreSQL.
    let (mut postgres_ratio, mut rss_pg, mut floor_ratio) = (None, None, None);
    if let Some(url) = pg {
        let scratch = ScratchSchema::create(url).await?;
        let result = async {
            let pg = PgBench::connect(scratch.url()).await?;
            let t = Instant::now();
            let n = pg.copy_baseline(raw_rows(&file)?).await?;
            let base = phase("baseline: PostgreSQL COPY into a bare table", n, t);
            pg.close().await;
            let store = chengxin_store::open(scratch.url()).await?;
            let (imp, rss) = import_once(
                &store,
                &file,
                &summary,
                &mut counts_ok,
                "import into PostgreSQL (end to end, change log)",
            )
            .await?;
            store.close().await;
            let ratio = imp.rows_per_sec / base.rows_per_sec;
            phases.push(base);
            phases.push(imp);
            let pg = PgBench::connect(scratch.url()).await?;
            let t = Instant::now();
            pg.schema_floor().await?;
            let floor = phase(FLOOR_PG, summary.rows, t);
            floor_ratio = phases
                .last()
                .map(|imp| imp.rows_per_sec / floor.rows_per_sec);
            phases.push(floor);
            pg.close().await;
            anyhow::Ok((ratio, rss))
        }
        .await;
        scratch.drop_schema().await;
        let (ratio, rss) = result?;
        postgres_ratio = Some(ratio);
        rss_pg = rss;
    }
    Ok(BenchReport {
        rows,
        bad_per_mille,
        phases,
        sqlite_ratio,
        postgres_ratio,
        sqlite_floor_ratio,
        postgres_floor_ratio: floor_ratio,
        peak_rss_mib_import_sqlite: rss_sqlite,
        peak_rss_mib_import_postgres: rss_pg,
        counts_ok,
    })
}

async fn import_once(
    store: &Arc<dyn Store>,
    file: &Path,
    summary: &chengxin_ingest::gen::GenSummary,
    counts_ok: &mut bool,
    name: &str,
) -> anyhow::Result<(Phase, Option<f64>)> {
    let catalog = Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate(catalog, &LogSigner::generate(), "bench")
        .await?;
    reset_peak_rss();
    let t = Instant::now();
    let s = chengxin_app::imports::import_file(
        store.clone(),
        IdHasher::new([9; 32]),
        file.to_path_buf(),
        chengxin_app::imports::ImportRequest {
            type_code: "admin_penalty".into(),
            source_dept: "11320400MB00000002".into(),
            file_name: Some("bench.csv".into()),
            sheet: None,
            published_at: None,
            actor: "bench".into(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).context("date")?,
            delegations: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let p = phase(name, summary.rows, t);
    let rss = peak_rss_mib();
    let b = &s.batch;
    let ok = b.created as u64 == summary.good && b.rejected as u64 == summary.bad;
    if !ok {
        eprintln!(
            "  !! batch counts created={} rejected={} differ from generator {}/{}",
            b.created, b.rejected, summary.good, summary.bad
        );
    }
    *counts_ok &= ok;
    let _ = std::io::stderr().flush();
    Ok((p, rss))
}
