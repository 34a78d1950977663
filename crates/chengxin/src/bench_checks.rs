//! `chengxin bench checks`: the check engine's figures of BENCHMARKS.md, measured in one run
//! together with their baseline.
//!
//! 1. a fresh PostgreSQL schema with N subjects, either imported from a generated 行政处罚 file
//!    (every subject has a negative record; 1 % of them on the serious-dishonesty list), or —
//!    with `--direct`, for the 10,000,000 scale the import would take hours to reach — written
//!    straight into the tables with `COPY` (every subject on the serious-dishonesty list, with
//!    unique names and codes). `--direct` rows bypass the change log: they are a fixture for
//!    the index, not data;
//! 2. index build time and the resident memory it adds;
//! 3. in-process exact look-ups per second (1 and 2 threads), and a 1,000-party batch;
//! 4. baseline: the same exact-key look-ups as plain indexed PostgreSQL queries with pgbench
//!    (8 clients, custom script);
//! 5. over HTTP: `POST /api/v1/checks` (one party each, query-logged) from 8 keep-alive
//!    connections of a small load generator shipped here (no wrk on this machine): checks/s,
//!    p50/p99, errors; then every check must be in the query log.
//!
//! The SQL of the scratch schema, the `--direct` fixture, the pgbench table and the query-log
//! count is in `chengxin_store::bench`; this file keeps the orchestration, the load and the
//! report.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chengxin_checks::{evaluate, Audience, PartyInput, PartyQuery};
use chengxin_domain::lists::{EntryAction, JointCatalog, ListEntry, Proposal};
use chengxin_domain::subjects::IdHasher;
use chengxin_store::bench::{self, CheckFixture, FixtureEntry, FixtureSubject, ScratchSchema};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Default, Serialize)]
pub struct ChecksReport {
    pub subjects: usize,
    pub listed: usize,
    pub index_build_seconds: f64,
    pub index_rss_mib: Option<f64>,
    /// What the index's arenas and tables hold, by its own count.
    pub index_footprint_mib: f64,
    pub seed_seconds: f64,
    /// Single checks through the check evaluation (no HTTP), exact key and fuzzy name.
    pub single_exact_p50_ms: f64,
    pub single_exact_p99_ms: f64,
    pub single_fuzzy_p50_ms: f64,
    pub single_fuzzy_p99_ms: f64,
    pub inprocess_lookups_per_sec_1_thread: f64,
    pub inprocess_lookups_per_sec_2_threads: f64,
    pub batch_1000_median_ms: f64,
    pub pgbench_tps: Option<f64>,
    pub http_checks_per_sec: f64,
    pub http_p50_ms: f64,
    pub http_p99_ms: f64,
    pub http_errors: u64,
    pub http_checks: u64,
    pub query_log_complete: bool,
    pub inprocess_vs_pgbench: Option<f64>,
    pub http_vs_pgbench: Option<f64>,
}

fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A tiny deterministic generator (no extra dependency for a benchmark).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn http_check(
    stream: &mut tokio::net::TcpStream,
    token: &str,
    body: &str,
) -> anyhow::Result<u16> {
    let req = format!(
        "POST /api/v1/checks HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await?;
    let mut buf = Vec::with_capacity(4096);
    let mut tmp = [0u8; 8192];
    let (head_end, len) = loop {
        let n = stream.read(&mut tmp).await?;
        anyhow::ensure!(n > 0, "connection closed");
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..p]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .context("no content-length")?;
            break (p + 4, len);
        }
    };
    while buf.len() < head_end + len {
        let n = stream.read(&mut tmp).await?;
        anyhow::ensure!(n > 0, "connection closed");
        buf.extend_from_slice(&tmp[..n]);
    }
    let status: u16 = String::from_utf8_lossy(&buf[..head_end])
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("bad status line")?;
    Ok(status)
}

/// An entry on `list` that went through publicity and took effect, as the product writes one.
fn effective_entry(
    list: &chengxin_domain::lists::ListDef,
    cal: &chengxin_domain::calendar::WorkCalendar,
    subject_key: String,
    subject_name: String,
) -> anyhow::Result<ListEntry> {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d");
    ListEntry::propose(
        list,
        Proposal {
            subject_key,
            subject_name,
            standard: "基准测试".into(),
            basis: "基准测试".into(),
            recognised_by: "11320400MB000000XU".into(),
            recognised_by_uscc: None,
            evidence: vec![],
        },
        d("2024-12-02")?,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .apply(
        list,
        EntryAction::StartPublicity,
        d("2024-12-02")?,
        None,
        cal,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .apply(
        list,
        EntryAction::TakeEffect { until: None },
        d("2025-01-06")?,
        None,
        cal,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Write `n` generated subjects, each with an effective serious-dishonesty entry, straight into
/// the tables with `COPY` (`chengxin_store::bench::CheckFixture`); return samples of their
/// codes and names.
async fn seed_direct(
    scoped: &str,
    n: u64,
    hasher: &IdHasher,
    report: &mut ChecksReport,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let joint = JointCatalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    let list = joint.list("serious_dishonest").context("list")?;
    let cal = chengxin_domain::calendar::WorkCalendar::official_checked()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // One entry as the product writes it; each row changes only who it is about.
    let template = effective_entry(list, cal, "@KEY@".into(), "@NAME@".into())?;
    let template = serde_json::to_string(&template)?;
    let mut load = CheckFixture::start(scoped).await?;
    let every = (n / 1_000_000).max(1);
    let (mut keys, mut names) = (Vec::new(), Vec::new());
    for (i, p) in chengxin_ingest::gen::gen_parties(n, 7).enumerate() {
        let sid = uuid::Uuid::now_v7();
        let key = p.uscc.clone().unwrap_or_else(|| sid.to_string());
        let (kind, hash, masked) = match &p.id_number {
            Some(id) => (
                "individual",
                hasher.hash(id),
                chengxin_domain::codes::id_number::mask(id),
            ),
            None => ("enterprise", String::new(), String::new()),
        };
        let json = template
            .replace("\"@KEY@\"", &serde_json::to_string(&key)?)
            .replace("\"@NAME@\"", &serde_json::to_string(&p.name)?);
        load.push(
            &FixtureSubject {
                id: sid,
                kind,
                name: &p.name,
                uscc: p.uscc.as_deref(),
                id_hash: Some(&hash),
                id_masked: Some(&masked),
                region: p.region,
            },
            &FixtureEntry {
                id: uuid::Uuid::now_v7(),
                list_code: "serious_dishonest",
                status: "effective",
                entry: &json,
            },
        )
        .await?;
        if (i as u64).is_multiple_of(every) {
            if let Some(u) = p.uscc {
                keys.push(u);
            }
            names.push(p.name);
        }
        if i % 1_000_000 == 999_999 {
            eprintln!("  … {} rows", i + 1);
        }
    }
    let loaded = load.finish().await?;
    report.subjects += usize::try_from(loaded.subjects).unwrap_or(0);
    report.listed = usize::try_from(loaded.listed).unwrap_or(0);
    eprintln!("  building secondary indexes …");
    loaded.build_indexes().await?;
    Ok((keys, names))
}

/// Seed by importing a generated 行政处罚 file and listing 1 % of the subjects.
async fn seed_import(
    store: &Arc<dyn chengxin_store::Store>,
    subjects: u64,
    dir: &Path,
    hasher: &IdHasher,
    report: &mut ChecksReport,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let file = dir.join("check-subjects.csv");
    chengxin_ingest::gen::gen_penalty_csv(std::fs::File::create(&file)?, subjects, 0, 7)?;
    eprintln!("  importing {subjects} rows …");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).context("date")?;
    chengxin_app::imports::import_file(
        store.clone(),
        hasher.clone(),
        file.clone(),
        chengxin_app::imports::ImportRequest {
            type_code: "admin_penalty".into(),
            source_dept: "11320400MB00000002".into(),
            file_name: Some("bench.csv".into()),
            sheet: None,
            published_at: None,
            actor: "bench".into(),
            today,
            delegations: None,
            rejects: Default::default(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = store.subjects_after(after, 10_000).await?;
        let n = page.len();
        after = page.last().map(|s| s.id);
        all.extend(page);
        if n < 10_000 {
            break;
        }
    }
    report.subjects = all.len();
    eprintln!("  listing 1 % on the serious-dishonesty list …");
    let joint = JointCatalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    let list = joint.list("serious_dishonest").context("list")?;
    let cal = chengxin_domain::calendar::WorkCalendar::official_checked()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for s in all.iter().step_by(100) {
        let e = effective_entry(list, cal, s.id.to_string(), s.name.clone())?;
        let row = chengxin_app::lists::entry_row(
            uuid::Uuid::now_v7(),
            s.id,
            &e,
            1,
            chengxin_store::changelog::now(),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.create_list_entry("bench", &row).await?;
        report.listed += 1;
    }
    let keys: Vec<String> = all.iter().filter_map(|s| s.uscc.clone()).collect();
    let names: Vec<String> = all.iter().map(|s| s.name.clone()).collect();
    Ok((keys, names))
}

pub async fn run(
    subjects: u64,
    direct: bool,
    dir: &Path,
    pg: &str,
    seconds: u64,
) -> anyhow::Result<ChecksReport> {
    std::fs::create_dir_all(dir)?;
    let mut report = ChecksReport::default();
    // 1. Data.
    let scratch = ScratchSchema::create(pg).await?;
    let scoped = scratch.url();
    let result = async {
        let store = chengxin_store::open(scoped).await?;
        let catalog = chengxin_domain::catalog::Catalog::default_checked()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store
            .migrate(catalog, &chengxin_store::LogSigner::generate(), "bench")
            .await?;
        let hasher = IdHasher::new([9; 32]);
        let t = Instant::now();
        let (keys, names) = if direct {
            eprintln!("  writing {subjects} subjects and list entries with COPY …");
            seed_direct(scoped, subjects, &hasher, &mut report).await?
        } else {
            seed_import(&store, subjects, dir, &hasher, &mut report).await?
        };
        report.seed_seconds = t.elapsed().as_secs_f64();
        let joint = JointCatalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
        let joint = &joint;

        // 2. Index build, into the server state the HTTP part serves from.
        let settings = chengxin_server::auth::AuthSettings {
            token_rate: chengxin_access::Rate::per_second(1_000_000),
            ..Default::default()
        };
        let state = chengxin_server::AppState::new(chengxin_server::App::new(
            store.clone(),
            hasher.clone(),
            dir.join("uploads"),
            settings,
        ));
        let before = rss_mib();
        let t = Instant::now();
        state.checks.build(store.as_ref()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        report.index_build_seconds = t.elapsed().as_secs_f64();
        report.index_rss_mib = rss_mib().zip(before).map(|(a, b)| a - b);
        report.index_footprint_mib = state.checks.footprint() as f64 / (1024.0 * 1024.0);
        eprintln!(
            "  index: {} subjects in {:.2} s, +{:.0} MiB resident, {:.0} MiB by its own count",
            state.checks.size(),
            report.index_build_seconds,
            report.index_rss_mib.unwrap_or(0.0),
            report.index_footprint_mib
        );

        // 3. In-process.
        // The queries are made before the clock starts: what is timed is the index, not the
        // benchmark's own string copies.
        let lookups = |state: chengxin_server::AppState, keys: Arc<Vec<String>>, seed: u64| {
            let mut rng = Lcg(seed);
            let queries: Vec<PartyQuery> = (0..(1 << 20))
                .map(|_| PartyQuery {
                    uscc: Some(keys[rng.next(keys.len())].clone()),
                    ..Default::default()
                })
                .collect();
            // Five one-second windows; the report takes their median (the machine is noisy).
            let mut n = 0usize;
            (0..5)
                .map(|_| {
                    let (t, start) = (Instant::now(), n);
                    while t.elapsed() < Duration::from_secs(1) {
                        for q in queries.iter().cycle().skip(n % queries.len()).take(1000) {
                            let _ = state.checks.lookup(q);
                        }
                        n += 1000;
                    }
                    (n - start) as f64 / t.elapsed().as_secs_f64()
                })
                .collect::<Vec<f64>>()
        };
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            percentile(&v, 0.5)
        };
        let keys = Arc::new(keys);
        let (s1, k1) = (state.clone(), keys.clone());
        report.inprocess_lookups_per_sec_1_thread =
            median(tokio::task::spawn_blocking(move || lookups(s1, k1, 1)).await?);
        let handles: Vec<_> = (0..2)
            .map(|s| {
                let (st, k) = (state.clone(), keys.clone());
                tokio::task::spawn_blocking(move || lookups(st, k, 10 + s))
            })
            .collect();
        let mut sums = vec![0.0; 5];
        for h in handles {
            for (sum, rate) in sums.iter_mut().zip(h.await?) {
                *sum += rate;
            }
        }
        report.inprocess_lookups_per_sec_2_threads = median(sums);
        // Single checks: one party each, through the same evaluation the API runs.
        let mut rng = Lcg(7);
        let mut exact = Vec::new();
        let mut fuzzy = Vec::new();
        for i in 0..20_000 {
            let party = if i % 2 == 0 {
                PartyInput {
                    uscc: Some(keys[rng.next(keys.len())].clone()),
                    id_number: None,
                    name: None,
                }
            } else {
                // Every other fuzzy query leaves the city out, so it meets its namesakes of
                // every city.
                let n = &names[rng.next(names.len())];
                let n = if i % 4 == 1 {
                    n.clone()
                } else {
                    n.chars().skip(2).collect()
                };
                PartyInput {
                    uscc: None,
                    id_number: None,
                    name: Some(n),
                }
            };
            let is_exact = party.uscc.is_some();
            let t = Instant::now();
            let r = evaluate(&state.checks, &hasher, joint, "bidding", vec![party], Audience::PUBLIC)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            anyhow::ensure!(r.len() == 1);
            if is_exact {
                exact.push(ms);
            } else {
                fuzzy.push(ms);
            }
        }
        exact.sort_by(f64::total_cmp);
        fuzzy.sort_by(f64::total_cmp);
        report.single_exact_p50_ms = percentile(&exact, 0.5);
        report.single_exact_p99_ms = percentile(&exact, 0.99);
        report.single_fuzzy_p50_ms = percentile(&fuzzy, 0.5);
        report.single_fuzzy_p99_ms = percentile(&fuzzy, 0.99);
        let mut times = Vec::new();
        for _ in 0..21 {
            let parties: Vec<PartyInput> = (0..1000)
                .map(|i| {
                    if i % 2 == 0 {
                        PartyInput {
                            uscc: Some(keys[rng.next(keys.len())].clone()),
                            id_number: None,
                            name: None,
                        }
                    } else {
                        PartyInput {
                            uscc: None,
                            id_number: None,
                            name: Some(names[rng.next(names.len())].clone()),
                        }
                    }
                })
                .collect();
            let t = Instant::now();
            let r = evaluate(&state.checks, &hasher, joint, "bidding", parties, Audience::PUBLIC)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(r.len() == 1000);
        }
        times.sort_by(f64::total_cmp);
        report.batch_1000_median_ms = percentile(&times, 0.5);
        eprintln!(
            "  in-process: {:.0} look-ups/s (1 thread), {:.0}/s (2 threads); single check p99 {:.3} ms exact, {:.3} ms fuzzy; 1,000-party batch {:.1} ms",
            report.inprocess_lookups_per_sec_1_thread,
            report.inprocess_lookups_per_sec_2_threads,
            report.single_exact_p99_ms,
            report.single_fuzzy_p99_ms,
            report.batch_1000_median_ms
        );

        // 4. pgbench baseline: the same exact-key look-ups as indexed PostgreSQL queries.
        bench::create_lookup_table(scoped).await?;
        let script = dir.join("lookup.sql");
        std::fs::write(&script, bench::pgbench_lookup_script(keys.len()))?;
        let out = tokio::process::Command::new("pgbench")
            .args(["-n", "-c", "8", "-j", "2", "-T", &seconds.to_string(), "-f"])
            .arg(&script)
            .arg(scoped)
            .output()
            .await;
        report.pgbench_tps = match out {
            Ok(o) => String::from_utf8_lossy(&o.stdout)
                .lines()
                .find(|l| l.starts_with("tps = "))
                .and_then(|l| l.split_whitespace().nth(2))
                .and_then(|v| v.parse().ok()),
            Err(e) => {
                eprintln!("  pgbench not available: {e}");
                None
            }
        };
        eprintln!("  pgbench (8 clients): {:?} tps", report.pgbench_tps);

        // 5. Over HTTP.
        let writer = tokio::spawn(state.audit_queue.clone().run(store.clone()));
        let issued = chengxin_app::accounts::issue_token(
            store.as_ref(),
            "bench",
            chengxin_app::accounts::NewToken {
                name: "bench".into(),
                permissions: vec!["checks_run".into()],
                region: "320400".into(),
                body: None,
                days: 1,
                // The benchmark measures the engine, not the token's limits.
                rate_per_second: Some(chengxin_access::tokens::MAX_TOKEN_RATE),
                daily_quota: Some(chengxin_access::tokens::MAX_TOKEN_DAILY_QUOTA),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(chengxin_server::serve(listener, state.clone(), std::future::pending()));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut clients = Vec::new();
        for c in 0..8u64 {
            let keys = keys.clone();
            let token = issued.token.clone();
            clients.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0u64;
                let mut rng = Lcg(1000 + c);
                let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
                    return (lat, 1);
                };
                let _ = s.set_nodelay(true);
                while Instant::now() < deadline {
                    let body = format!(
                        "{{\"scenario\":\"bidding\",\"parties\":[{{\"uscc\":\"{}\"}}]}}",
                        keys[rng.next(keys.len())]
                    );
                    let t = Instant::now();
                    match http_check(&mut s, &token, &body).await {
                        Ok(200) => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                        _ => {
                            errors += 1;
                            match tokio::net::TcpStream::connect(addr).await {
                                Ok(n) => s = n,
                                Err(_) => break,
                            }
                        }
                    }
                }
                (lat, errors)
            }));
        }
        let t = Instant::now();
        let mut lat = Vec::new();
        for c in clients {
            let (l, e) = c.await?;
            lat.extend(l);
            report.http_errors += e;
        }
        let elapsed = t.elapsed().as_secs_f64();
        lat.sort_by(f64::total_cmp);
        report.http_checks = lat.len() as u64;
        report.http_checks_per_sec = lat.len() as f64 / elapsed;
        report.http_p50_ms = percentile(&lat, 0.5);
        report.http_p99_ms = percentile(&lat, 0.99);
        server.abort();
        state.audit_queue.stop();
        writer.await?;
        // Every check answered 200 must be in the query log (counted in SQL, no read cap).
        let logged = bench::count_logged_checks(scoped).await?;
        report.query_log_complete = logged == report.http_checks;
        eprintln!(
            "  HTTP: {:.0} checks/s, p50 {:.2} ms, p99 {:.2} ms, {} errors; query log {} of {}",
            report.http_checks_per_sec, report.http_p50_ms, report.http_p99_ms, report.http_errors,
            logged, report.http_checks
        );
        report.inprocess_vs_pgbench = report
            .pgbench_tps
            .map(|p| report.inprocess_lookups_per_sec_2_threads / p);
        report.http_vs_pgbench = report.pgbench_tps.map(|p| report.http_checks_per_sec / p);
        store.close().await;
        anyhow::Ok(())
    }
    .await;
    scratch.drop_schema().await;
    result?;
    Ok(report)
}
