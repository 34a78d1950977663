//! `chengxin bench import`: the import benchmarks of BENCHMARKS.md, measured in one run
//! together with their raw-backend baselines.
//!
//! 1. generate a deterministic 行政处罚 CSV (with a share of bad rows);
//! 2. parse + validate it on one thread (no database);
//! 3. baseline: the same rows into a bare table — SQLite prepared inserts in one
//!    transaction (rusqlite, straight on the C API), PostgreSQL `COPY`;
//! 4. end-to-end `import` into a fresh database, change log included, while small writes go
//!    on beside it — a complaint filed through the app every 100 ms, as the portal would —
//!    whose latencies (p50, p99, max) show whether the import lets other writes through;
//! 5. the schema's floor: the subjects and records the import stored, copied by the backend
//!    alone (`INSERT … SELECT`, one transaction) into empty tables with the same indexes and
//!    foreign keys — what storing these rows costs before any of our code runs;
//! 6. peak RSS of the process (VmHWM).
//!
//! The SQL of the baselines, the floors and the scratch schema is in
//! `chengxin_store::bench`; this file keeps the orchestration, the timing and the report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    /// Small writes while the import ran (target: p99 ≤ 1 s).
    pub small_writes_sqlite: Option<SmallWrites>,
    pub small_writes_postgres: Option<SmallWrites>,
    pub counts_ok: bool,
}

/// Small writes made while an import runs: how long each took.
#[derive(Debug, Serialize)]
pub struct SmallWrites {
    /// What each write is.
    pub what: &'static str,
    /// One write started every this many milliseconds (the next waits if one runs over).
    pub every_ms: u64,
    pub count: usize,
    pub errors: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// File a complaint through the app every `every` until `stop`: the calendar read, the
/// application row with its tracking number and sealed contact, the change-log entry.
async fn file_complaints(
    app: Arc<chengxin_app::App>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> SmallWrites {
    let caller = chengxin_app::auth::Caller::anonymous(None);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut took, mut errors) = (Vec::new(), 0);
    loop {
        tick.tick().await;
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let t = Instant::now();
        let filed = chengxin_app::rights::filing::file_complaint(
            &app,
            &caller,
            chengxin_app::rights::filing::ComplaintRequest {
                about: None,
                about_uscc: None,
                region: Some("320400".into()),
                reasons: "导入期间提交的投诉（基准测试）".into(),
                applicant_name: "基准测试".into(),
                contact: None,
            },
        )
        .await;
        took.push(t.elapsed());
        if let Err(e) = filed {
            if errors == 0 {
                eprintln!("  !! a complaint failed during the import: {e}");
            }
            errors += 1;
        }
    }
    took.sort();
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let at = |q: f64| took.get(((took.len() as f64 * q).ceil() as usize).saturating_sub(1));
    SmallWrites {
        what: "complaint filed through the app (chengxin_app::rights::filing::file_complaint)",
        every_ms: every.as_millis() as u64,
        count: took.len(),
        errors,
        p50_ms: ms(at(0.50)),
        p99_ms: ms(at(0.99)),
        max_ms: ms(took.last()),
    }
}

/// Run the import benchmark. `pg` is a PostgreSQL URL for the PostgreSQL half (a fresh
/// schema is created in it and dropped afterwards).
pub async fn import_bench(
    rows: u64,
    bad_per_mille: u32,
    dir: &Path,
    pg: Option<&str>,
    small_writes: Duration,
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
    let (import_sqlite, index_sqlite, rss_sqlite, small_sqlite) = import_once(
        &store,
        &file,
        &summary,
        &mut counts_ok,
        "import into SQLite (end to end, change log)",
        small_writes,
    )
    .await?;
    let sqlite_ratio = Some(import_sqlite.rows_per_sec / base_sqlite.rows_per_sec);
    let sqlite_floor_ratio_of = import_sqlite.rows_per_sec;
    phases.push(base_sqlite);
    phases.push(import_sqlite);
    phases.push(index_sqlite);
    store.close().await;
    let t = Instant::now();
    tokio::task::block_in_place(|| bench::sqlite_floor(&db, &dir.join("floor.db")))?;
    let floor = phase(FLOOR_SQLITE, summary.rows, t);
    let sqlite_floor_ratio = Some(sqlite_floor_ratio_of / floor.rows_per_sec);
    phases.push(floor);

    // PostgreSQL.
    let (mut postgres_ratio, mut rss_pg, mut floor_ratio, mut small_pg) = (None, None, None, None);
    if let Some(url) = pg {
        let scratch = ScratchSchema::create(url).await?;
        let result = async {
            let pg = PgBench::connect(scratch.url()).await?;
            let t = Instant::now();
            let n = pg.copy_baseline(raw_rows(&file)?).await?;
            let base = phase("baseline: PostgreSQL COPY into a bare table", n, t);
            pg.close().await;
            let store = chengxin_store::open(scratch.url()).await?;
            let (imp, index, rss, small) = import_once(
                &store,
                &file,
                &summary,
                &mut counts_ok,
                "import into PostgreSQL (end to end, change log)",
                small_writes,
            )
            .await?;
            store.close().await;
            let ratio = imp.rows_per_sec / base.rows_per_sec;
            let import_rate = imp.rows_per_sec;
            phases.push(base);
            phases.push(imp);
            phases.push(index);
            let pg = PgBench::connect(scratch.url()).await?;
            let t = Instant::now();
            pg.schema_floor().await?;
            let floor = phase(FLOOR_PG, summary.rows, t);
            floor_ratio = Some(import_rate / floor.rows_per_sec);
            phases.push(floor);
            pg.close().await;
            anyhow::Ok((ratio, rss, small))
        }
        .await;
        scratch.drop_schema().await;
        let (ratio, rss, small) = result?;
        postgres_ratio = Some(ratio);
        rss_pg = rss;
        small_pg = small;
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
        small_writes_sqlite: small_sqlite,
        small_writes_postgres: small_pg,
        counts_ok,
    })
}

async fn import_once(
    store: &Arc<dyn Store>,
    file: &Path,
    summary: &chengxin_ingest::gen::GenSummary,
    counts_ok: &mut bool,
    name: &str,
    small_writes: Duration,
) -> anyhow::Result<(Phase, Phase, Option<f64>, Option<SmallWrites>)> {
    let catalog = Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate(catalog, &LogSigner::generate(), "bench")
        .await?;
    let app = Arc::new(chengxin_app::App::new(
        store.clone(),
        IdHasher::new([9; 32]),
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let complaints = (!small_writes.is_zero())
        .then(|| tokio::spawn(file_complaints(app, small_writes, stop.clone())));
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
            rejects: Default::default(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"));
    let p = phase(name, summary.rows, t);
    // The new subjects' search index, written after publication (the server's indexer job),
    // with the small writes still running beside it.
    let t = Instant::now();
    let indexed = chengxin_app::jobs::search_catch_up(store.as_ref()).await;
    let index_phase = phase(
        "  then: search index of the new subjects (after publication)",
        indexed.as_ref().map_or(0, |n| *n as u64),
        t,
    );
    stop.store(true, Ordering::SeqCst);
    let small = match complaints {
        Some(c) => Some(c.await?),
        None => None,
    };
    let s = s?;
    indexed?;
    if let Some(w) = &small {
        eprintln!(
            "  {:<48} {:>9} done  p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms  errors {}",
            format!("  beside both: a complaint filed every {} ms", w.every_ms),
            w.count,
            w.p50_ms,
            w.p99_ms,
            w.max_ms,
            w.errors
        );
    }
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
    Ok((p, index_phase, rss, small))
}
