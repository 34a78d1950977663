//! `chengxin bench search`: subject search through the CJK gram index against the LIKE scan
//! it replaced, on the same generated subjects in the same run (see BENCHMARKS.md).

use std::path::Path;
use std::time::{Duration, Instant};

use chengxin_domain::names::simplified_char;
use chengxin_store::bench::{ScratchFile, ScratchSchema, SearchFixture};
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
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红玉梅文辉鑫宇浩然子涵欣怡思雨梓轩佳琪俊杰晨曦家豪志强海燕春梅";
/// Traditional forms the search folds back (the bench keeps only pairs the fold maps).
const TRADITIONAL: &[(char, char)] = &[
    ('华', '華'),
    ('东', '東'),
    ('龙', '龍'),
    ('发', '發'),
    ('丰', '豐'),
    ('万', '萬'),
    ('业', '業'),
    ('达', '達'),
    ('兴', '興'),
    ('汇', '匯'),
    ('鑫', '鑫'),
    ('宁', '寧'),
    ('长', '長'),
    ('电', '電'),
    ('贸', '貿'),
    ('术', '術'),
    ('环', '環'),
    ('药', '藥'),
    ('纺', '紡'),
    ('织', '織'),
    ('经', '經'),
    ('营', '營'),
    ('责', '責'),
    ('区', '區'),
    ('进', '進'),
    ('锡', '錫'),
    ('苏', '蘇'),
    ('农', '農'),
    ('开', '開'),
];

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

/// A natural person's name: a surname and one or two given characters.
fn person_name(rng: &mut Lcg, surnames: &[char], given: &[char]) -> String {
    let mut s = String::new();
    s.push(surnames[rng.next(surnames.len())]);
    for _ in 0..1 + rng.next(2) {
        s.push(given[rng.next(given.len())]);
    }
    s
}

/// The name as a user in Hong Kong or Taiwan, or a form scanned from an old register, would
/// type it: traditional characters where the fold maps them back.
fn traditional(s: &str) -> String {
    s.chars()
        .map(|c| {
            TRADITIONAL
                .iter()
                .find(|(simp, trad)| *simp == c && simplified_char(*trad) == Some(c))
                .map_or(c, |(_, t)| *t)
        })
        .collect()
}

/// The name typed with full-width digits and letters (an input method's default).
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

#[derive(Debug, Default, Serialize)]
pub struct Latency {
    pub kind: String,
    /// Whom the query searches: `bodies` (the portal), `all` (the console).
    pub scope: String,
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
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    let mut rng = Lcg(17);
    let mut report = BackendReport {
        backend: backend.into(),
        subjects,
        ..Default::default()
    };
    let t = Instant::now();
    let batch = uuid::Uuid::now_v7();
    let mut sample: Vec<String> = Vec::new();
    let mut branches: Vec<String> = Vec::new();
    let mut people: Vec<String> = Vec::new();
    let mut n = 0u64;
    while n < subjects {
        // One subject in five is a natural person (a 个体 or a person with a record).
        let part: Vec<(uuid::Uuid, String, &'static str)> = (n..(n + 50_000).min(subjects))
            .map(|i| {
                if i % 5 == 4 {
                    let p = person_name(&mut rng, &surnames, &given);
                    (uuid::Uuid::now_v7(), p, "individual")
                } else {
                    (
                        uuid::Uuid::now_v7(),
                        name(&mut rng, &words, i),
                        "enterprise",
                    )
                }
            })
            .collect();
        n += part.len() as u64;
        for (_, s, kind) in part.iter().step_by(997) {
            if *kind == "individual" {
                people.push(s.clone());
            } else if s.ends_with("分公司") {
                branches.push(s.clone());
            } else {
                sample.push(s.clone());
            }
        }
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

    // Queries, each taken from generated names so that most have matches: for the portal
    // (bodies only) 1 character of a 字号, 2 (a district or a 字号 pair), 3, the full name, the
    // full name in traditional characters and a branch's name with full-width digits; for the
    // console (everyone) a person's surname and given name, and two characters.
    let mut qrng = Lcg(99);
    let mut pick = |from: &[String], len: Option<usize>| -> String {
        let s = &from[qrng.next(from.len())];
        let chars: Vec<char> = s.chars().collect();
        match len {
            None => s.clone(),
            Some(l) => {
                let l = l.min(chars.len());
                let start = qrng.next(chars.len() - l + 1);
                chars[start..start + l].iter().collect()
            }
        }
    };
    let branches = if branches.is_empty() {
        sample.clone()
    } else {
        branches
    };
    let people = if people.is_empty() {
        sample.clone()
    } else {
        people
    };
    let kinds: [(&str, bool, Vec<String>); 8] = [
        (
            "1字",
            true,
            (0..queries).map(|_| pick(&sample, Some(1))).collect(),
        ),
        (
            "2字",
            true,
            (0..queries).map(|_| pick(&sample, Some(2))).collect(),
        ),
        (
            "3字",
            true,
            (0..queries).map(|_| pick(&sample, Some(3))).collect(),
        ),
        (
            "全称",
            true,
            (0..queries).map(|_| pick(&sample, None)).collect(),
        ),
        (
            "繁体全称",
            true,
            (0..queries)
                .map(|_| traditional(&pick(&sample, None)))
                .collect(),
        ),
        (
            "全角分公司",
            true,
            (0..queries)
                .map(|_| full_width(&pick(&branches, None)))
                .collect(),
        ),
        (
            "人名",
            false,
            (0..queries).map(|_| pick(&people, None)).collect(),
        ),
        (
            "2字(全部)",
            false,
            (0..queries).map(|_| pick(&sample, Some(2))).collect(),
        ),
    ];
    for (kind, bodies_only, texts) in kinds {
        let mut lat = Vec::with_capacity(queries);
        let mut totals = 0i64;
        for text in &texts {
            let t = Instant::now();
            let page = store
                .search_subjects(&SubjectSearch {
                    text: text.clone(),
                    bodies_only,
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
            scope: if bodies_only { "bodies" } else { "all" }.into(),
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
            "  {backend} {kind}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, mean total {:.0} (LIKE p50 {:.1} ms)",
            l.p50_ms, l.p99_ms, l.max_ms, l.mean_total, l.like_p50_ms
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
    let mut report = SearchReport::default();
    let file = ScratchFile::create(dir, "search.db")?;
    report
        .backends
        .push(one_backend(file.url(), "sqlite", subjects, queries, like_runs).await?);
    drop(file);
    if let Some(pg) = pg {
        let scratch = ScratchSchema::create(pg).await?;
        let r = one_backend(scratch.url(), "postgres", subjects, queries, like_runs).await;
        scratch.drop_schema().await;
        report.backends.push(r?);
    }
    Ok(report)
}
