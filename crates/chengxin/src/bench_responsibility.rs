//! `chengxin bench responsibility`: 责任回溯 over N employment periods — the indexed read
//! (`StaffStore::responsible_at`) and the whole use case (`app::staff::responsible_at`: the
//! holders with their current posts) — 1,000 random questions (a body, a day, half of them
//! with a post), p50/p99, SQLite and (with --pg) PostgreSQL. Target: p99 ≤ 5 ms at 1,000,000
//! rows (BENCHMARKS.md).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chengxin_store::bench::{
    BenchEmployment, BenchSubject, ResponsibilityFixture, ScratchFile, ScratchSchema,
};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

/// Deterministic pseudo-random numbers.
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

const POSTS: &[&str] = &[
    "一级科员",
    "二级主任科员",
    "副科长",
    "科长",
    "副主任",
    "副局长",
    "办公室主任",
    "四级调研员",
];

#[derive(Debug, Default, Serialize)]
pub struct Latency {
    pub kind: String,
    pub questions: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Mean persons named per answer.
    pub mean_named: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub rows: u64,
    pub bodies: usize,
    pub persons: usize,
    pub load_seconds: f64,
    pub results: Vec<Latency>,
}

#[derive(Debug, Default, Serialize)]
pub struct ResponsibilityReport {
    pub backends: Vec<BackendReport>,
    /// p99 of the whole use case ≤ 5 ms on every backend.
    pub target_met: bool,
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len().max(1)) - 1;
    v.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

fn day(base: NaiveDate, days: usize) -> NaiveDate {
    base + chrono::Duration::days(days as i64)
}

async fn one_backend(
    url: &str,
    backend: &str,
    rows: u64,
    questions: usize,
) -> anyhow::Result<BackendReport> {
    let store = chengxin_store::open(url).await?;
    let catalog =
        chengxin_domain::catalog::Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate(catalog, &chengxin_store::LogSigner::generate(), "bench")
        .await?;
    let fixture = ResponsibilityFixture::open(url).await?;
    // About 500 periods per body (a body's history over decades), 4 per person.
    let n_bodies = ((rows / 500) as usize).clamp(10, 5_000);
    let n_persons = ((rows / 4) as usize).max(10);
    let mut report = BackendReport {
        backend: backend.into(),
        rows,
        bodies: n_bodies,
        persons: n_persons,
        ..Default::default()
    };
    let t = Instant::now();
    let bodies: Vec<Uuid> = (0..n_bodies).map(|_| Uuid::now_v7()).collect();
    let persons: Vec<Uuid> = (0..n_persons).map(|_| Uuid::now_v7()).collect();
    let subjects: Vec<BenchSubject> = bodies
        .iter()
        .enumerate()
        .map(|(i, id)| BenchSubject {
            id: *id,
            person: false,
            name: format!("常州市第{i}局"),
        })
        .chain(persons.iter().enumerate().map(|(i, id)| BenchSubject {
            id: *id,
            person: true,
            name: format!("人员{i}"),
        }))
        .collect();
    for part in subjects.chunks(50_000) {
        fixture.load_subjects(part).await?;
    }
    let base = NaiveDate::from_ymd_opt(1995, 1, 1).ok_or_else(|| anyhow::anyhow!("date"))?;
    let span = 30 * 365;
    let mut rng = Lcg(7);
    // Each body's principals follow one another (a term of 3–6 years); the other periods are
    // posts held by random persons for 1–8 years.
    let mut next_principal = vec![0usize; n_bodies];
    let mut n = 0u64;
    while n < rows {
        let batch: Vec<BenchEmployment> = (n..(n + 50_000).min(rows))
            .map(|i| {
                let b = (i as usize) % n_bodies;
                let principal =
                    (i as usize / n_bodies).is_multiple_of(40) && next_principal[b] < span;
                let (start, len) = if principal {
                    let s = next_principal[b];
                    let len = 3 * 365 + rng.next(3 * 365);
                    next_principal[b] = s + len + 1;
                    (s, len)
                } else {
                    (rng.next(span), 365 + rng.next(7 * 365))
                };
                let end = start + len;
                BenchEmployment {
                    id: Uuid::now_v7(),
                    person: persons[rng.next(n_persons)],
                    body: bodies[b],
                    post: if principal {
                        "局长".into()
                    } else {
                        POSTS[rng.next(POSTS.len())].into()
                    },
                    principal,
                    start: day(base, start),
                    end: (end < span).then(|| day(base, end)),
                }
            })
            .collect();
        n += batch.len() as u64;
        fixture.load_employments(&batch).await?;
        eprintln!("  {backend}: {n} employment periods");
    }
    fixture.analyze().await?;
    report.load_seconds = t.elapsed().as_secs_f64();

    let app = chengxin_app::App::new(
        Arc::clone(&store),
        chengxin_domain::subjects::IdHasher::new([9; 32]),
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    );
    let mut qrng = Lcg(99);
    let qs: Vec<(Uuid, NaiveDate, Option<&str>)> = (0..questions)
        .map(|i| {
            let post = (i % 2 == 1).then(|| POSTS[qrng.next(POSTS.len())]);
            (
                bodies[qrng.next(n_bodies)],
                day(base, qrng.next(span)),
                post,
            )
        })
        .collect();
    for kind in ["索引查询", "完整用例"] {
        let mut lat = Vec::with_capacity(questions);
        let mut named = 0usize;
        for (body, d, post) in &qs {
            let t = Instant::now();
            if kind == "索引查询" {
                named += store.responsible_at(*body, *d, *post).await?.len();
            } else {
                let r = chengxin_app::staff::responsible_at(&app, *body, *d, *post)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                named += r.principals.len() + r.holders.len();
            }
            lat.push(t.elapsed());
        }
        let l = Latency {
            kind: kind.into(),
            questions,
            p50_ms: pct(&mut lat, 0.50),
            p99_ms: pct(&mut lat, 0.99),
            max_ms: pct(&mut lat, 1.0),
            mean_named: named as f64 / questions.max(1) as f64,
        };
        eprintln!(
            "  {backend} {kind}: p50 {:.2} ms, p99 {:.2} ms",
            l.p50_ms, l.p99_ms
        );
        report.results.push(l);
    }
    drop(app);
    fixture.close().await;
    store.close().await;
    Ok(report)
}

pub async fn run(
    rows: u64,
    dir: &Path,
    pg: Option<&str>,
    questions: usize,
) -> anyhow::Result<ResponsibilityReport> {
    let mut report = ResponsibilityReport::default();
    let file = ScratchFile::create(dir, "responsibility.db")?;
    let r = one_backend(file.url(), "sqlite", rows, questions).await;
    drop(file);
    report.backends.push(r?);
    if let Some(pg) = pg {
        let scratch = ScratchSchema::create(pg).await?;
        let r = one_backend(scratch.url(), "postgres", rows, questions).await;
        scratch.drop_schema().await;
        report.backends.push(r?);
    }
    report.target_met = report
        .backends
        .iter()
        .all(|b| b.results.iter().all(|l| l.p99_ms <= 5.0));
    Ok(report)
}
