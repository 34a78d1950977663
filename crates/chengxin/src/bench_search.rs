//! `chengxin bench search`: subject search through the CJK gram index against the LIKE scan
//! it replaced, on the same generated subjects in the same run (see BENCHMARKS.md).

use std::path::Path;
use std::time::{Duration, Instant};

use chengxin_store::bench::{ScratchSchema, SearchFixture};
use chengxin_store::SubjectSearch;
use serde::Serialize;

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

const PLACES: &[&str] = &[
    "常州市天宁区",
    "常州市武进区",
    "常州市新北区",
    "常州市钟楼区",
    "常州",
    "溧阳市",
    "南京市",
    "苏州市",
    "无锡市",
    "江苏",
    "金坛区",
    "",
    "",
    "",
];
const WORDS: &str = "华泰宏达鑫源恒兴盛隆嘉禾瑞丰永安金鼎博远天成汇通中信万家福康宁德润泽明辉建业长江海星\
                     龙腾凯旋东方南山北斗西湖新世纪利民众诚信和美丽晶彩云飞翔宇宙光辉正大顺发荣昌兴旺";
const TRADES: &[&str] = &[
    "贸易",
    "科技",
    "建设工程",
    "餐饮管理",
    "商贸",
    "机械制造",
    "电子",
    "物流",
    "信息技术",
    "房地产开发",
    "农业发展",
    "环保",
    "医药",
    "纺织",
    "新材料",
];
const FORMS: &[&str] = &["有限公司", "股份有限公司", "有限责任公司", "商行", "经营部"];

fn name(rng: &mut Lcg, words: &[char], n: u64) -> String {
    let mut s = String::new();
    s.push_str(PLACES[rng.next(PLACES.len())]);
    for _ in 0..2 + rng.next(2) {
        s.push(words[rng.next(words.len())]);
    }
    s.push_str(TRADES[rng.next(TRADES.len())]);
    s.push_str(FORMS[rng.next(FORMS.len())]);
    // Keep names distinct, as registered names are: a branch number when needed.
    if n.is_multiple_of(7) {
        s.push_str(&format!("第{}分公司", n % 997));
    }
    s
}

#[derive(Debug, Default, Serialize)]
pub struct Latency {
    pub kind: String,
    pub queries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Mean of the honest totals the index returned.
    pub mean_total: f64,
    pub like_runs: usize,
    pub like_p50_ms: f64,
    pub like_max_ms: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct BackendReport {
    pub backend: String,
    pub subjects: u64,
    /// Writing the subjects (multi-row INSERTs, no index).
    pub load_seconds: f64,
    /// Indexing them with the product's indexer, as after a published import.
    pub index_seconds: f64,
    pub index_subjects_per_sec: f64,
    pub results: Vec<Latency>,
}

#[derive(Debug, Default, Serialize)]
pub struct SearchReport {
    pub backends: Vec<BackendReport>,
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len().max(1)) - 1;
    v.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

async fn one_backend(
    url: &str,
    backend: &str,
    subjects: u64,
    queries: usize,
    like_runs: usize,
) -> anyhow::Result<BackendReport> {
    let store = chengxin_store::open(url).await?;
    let catalog =
        chengxin_domain::catalog::Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate(catalog, &chengxin_store::LogSigner::generate(), "bench")
        .await?;
    let fixture = SearchFixture::open(url).await?;
    let words: Vec<char> = WORDS.chars().collect();
    let mut rng = Lcg(17);
    let mut report = BackendReport {
        backend: backend.into(),
        subjects,
        ..Default::default()
    };
    let t = Instant::now();
    let batch = uuid::Uuid::now_v7();
    let mut sample: Vec<String> = Vec::new();
    let mut n = 0u64;
    while n < subjects {
        let part: Vec<(uuid::Uuid, String)> = (n..(n + 50_000).min(subjects))
            .map(|i| (uuid::Uuid::now_v7(), name(&mut rng, &words, i)))
            .collect();
        n += part.len() as u64;
        sample.extend(part.iter().step_by(997).map(|(_, s)| s.clone()));
        fixture.load(batch, &part).await?;
        if n % 1_000_000 < 50_000 {
            eprintln!("  {backend}: {n} subjects");
        }
    }
    report.load_seconds = t.elapsed().as_secs_f64();
    fixture.queue(batch, n as i64).await?;
    let t = Instant::now();
    // The product's indexer, in steps of 100,000 subjects (the server's are 5,000: a bulk
    // rebuild needs no room for other writers between steps).
    let mut indexed = 0;
    loop {
        match store.index_published_subjects(100_000).await? {
            0 => break,
            k => indexed += k,
        }
    }
    report.index_seconds = t.elapsed().as_secs_f64();
    report.index_subjects_per_sec = indexed as f64 / report.index_seconds.max(1e-9);
    eprintln!(
        "  {backend}: indexed {indexed} subjects in {:.1} s ({:.0}/s, steps of 100,000)",
        report.index_seconds, report.index_subjects_per_sec
    );
    fixture.analyze().await?;

    // Queries: 1 character of a 字号, 2 (a district or a 字号 pair), 3 and the full name, each
    // taken from generated names so that most have matches.
    let mut qrng = Lcg(99);
    let mut pick = |len: Option<usize>| -> String {
        let s = &sample[qrng.next(sample.len())];
        let chars: Vec<char> = s.chars().collect();
        match len {
            None => s.clone(),
            Some(l) => {
                let start = qrng.next(chars.len().saturating_sub(l) + 1);
                chars[start..start + l.min(chars.len())].iter().collect()
            }
        }
    };
    for (kind, len) in [
        ("1字", Some(1)),
        ("2字", Some(2)),
        ("3字", Some(3)),
        ("全称", None),
    ] {
        let texts: Vec<String> = (0..queries).map(|_| pick(len)).collect();
        let mut lat = Vec::with_capacity(queries);
        let mut totals = 0i64;
        for text in &texts {
            let t = Instant::now();
            let page = store
                .search_subjects(&SubjectSearch {
                    text: text.clone(),
                    bodies_only: true,
                    limit: 50,
                    ..Default::default()
                })
                .await?;
            lat.push(t.elapsed());
            totals += page.total;
        }
        let mut like = Vec::new();
        for text in texts.iter().take(like_runs) {
            let t = Instant::now();
            fixture.like_scan(text).await?;
            like.push(t.elapsed());
        }
        let l = Latency {
            kind: kind.into(),
            queries,
            p50_ms: pct(&mut lat, 0.50),
            p99_ms: pct(&mut lat, 0.99),
            max_ms: pct(&mut lat, 1.0),
            mean_total: totals as f64 / queries.max(1) as f64,
            like_runs: like.len(),
            like_p50_ms: pct(&mut like, 0.50),
            like_max_ms: pct(&mut like, 1.0),
        };
        eprintln!(
            "  {backend} {kind}: p50 {:.1} ms, p99 {:.1} ms (LIKE p50 {:.1} ms)",
            l.p50_ms, l.p99_ms, l.like_p50_ms
        );
        report.results.push(l);
    }
    fixture.close().await;
    store.close().await;
    Ok(report)
}

pub async fn run(
    subjects: u64,
    dir: &Path,
    pg: Option<&str>,
    queries: usize,
    like_runs: usize,
) -> anyhow::Result<SearchReport> {
    std::fs::create_dir_all(dir)?;
    let mut report = SearchReport::default();
    let file = dir.join("search.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let url = format!("sqlite://{}?mode=rwc", file.display());
    report
        .backends
        .push(one_backend(&url, "sqlite", subjects, queries, like_runs).await?);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    if let Some(pg) = pg {
        let scratch = ScratchSchema::create(pg).await?;
        let r = one_backend(scratch.url(), "postgres", subjects, queries, like_runs).await;
        scratch.drop_schema().await;
        report.backends.push(r?);
    }
    Ok(report)
}
