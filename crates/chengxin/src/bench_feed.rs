//! `chengxin bench feed`: 逐级归集 county → city on loopback (issue 21: ≥ 20,000 records/s with
//! the proofs checked, on both backends). The county is this binary itself (`migrate`,
//! `gen-records`, `import`, `token issue`, `serve` on 127.0.0.1); the city pulls it in-process
//! through the same code as `serve`'s job (`chengxin_app::feed::pull_link`: HTTP, every check of
//! every page, one transaction per page) into a fresh database, timed from the first request
//! to the last page applied.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chengxin_app::feed::{FeedSource, PullOutcome};
use serde::Serialize;

const DEPT: &str = "11320400MB00000002";

#[derive(Debug, Default, Serialize)]
pub struct FeedBenchReport {
    pub backend: String,
    pub records: u64,
    pub county_entries: i64,
    pub pages: u64,
    pub pull_seconds: f64,
    pub records_per_second: f64,
    pub received: usize,
}

fn run_ok(c: &mut Command) -> anyhow::Result<String> {
    let o = c.output()?;
    if !o.status.success() {
        anyhow::bail!(
            "{:?} failed: {}{}",
            c,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

pub async fn run(
    records: u64,
    dir: &Path,
    county_db: &str,
    city_db: &str,
) -> anyhow::Result<FeedBenchReport> {
    let exe = std::env::current_exe()?;
    let county = dir.join(format!("feed-county-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&county)?;
    let cmd = || {
        let mut c = Command::new(&exe);
        c.env("CHENGXIN_DATA_DIR", &county)
            .env("CHENGXIN_PUBLIC_URL", "https://bench.example.gov.cn")
            .env("CHENGXIN_LOG", "warn")
            .env_remove("CHENGXIN_FEED_SOURCES")
            .args(["--db", county_db]);
        c
    };
    run_ok(cmd().arg("migrate"))?;
    let file = county.join("records.csv");
    run_ok(cmd().args([
        "gen-records",
        "--rows",
        &records.to_string(),
        "--bad-per-mille",
        "0",
        "-o",
        &file.to_string_lossy(),
    ]))?;
    eprintln!("  importing {records} records at the county …");
    run_ok(cmd().args([
        "import",
        "--type",
        "admin_penalty",
        "--dept",
        DEPT,
        &file.to_string_lossy(),
    ]))?;
    let issued: serde_json::Value = serde_json::from_str(
        run_ok(cmd().args([
            "token",
            "issue",
            "--name",
            "bench",
            "--permissions",
            "feed_read",
            "--region",
            "320400",
            "--rate",
            "100000",
        ]))?
        .trim(),
    )?;
    let token = issued["token"].as_str().unwrap_or_default().to_string();
    let key_hex = run_ok(cmd().args(["keys", "export-public"]))?
        .trim()
        .to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = cmd()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let up = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if up.elapsed() > Duration::from_secs(120) {
            let _ = server.kill();
            anyhow::bail!("the county did not come up");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let result = async {
        let sources = chengxin_app::feed::FeedSources::parse(&format!(
            "[[source]]\nname = \"常州市\"\nurl = \"http://127.0.0.1:{port}\"\ntoken = \"{token}\"\npublic_key = \"{key_hex}\"\nregion = \"320400\"\n"
        ))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let src: &FeedSource = sources
            .sources
            .first()
            .ok_or_else(|| anyhow::anyhow!("no source"))?;
        let city = chengxin_store::open(city_db).await?;
        let catalog = chengxin_domain::catalog::Catalog::default_checked()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        city.migrate(catalog, &chengxin_store::LogSigner::generate(), "bench")
            .await?;
        let t = Instant::now();
        let out = chengxin_app::feed::pull_link(city.as_ref(), src, Some(1000), u64::MAX)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let secs = t.elapsed().as_secs_f64();
        let PullOutcome::Applied { pages, .. } = out else {
            anyhow::bail!("the pull did not go through: {out:?}");
        };
        let link = city
            .feed_link("常州市")
            .await?
            .ok_or_else(|| anyhow::anyhow!("no link"))?;
        let received = city.feed_records(None, i64::MAX).await?.len();
        city.close().await;
        Ok(FeedBenchReport {
            backend: if city_db.starts_with("sqlite") { "sqlite" } else { "postgres" }.into(),
            records,
            county_entries: link.applied,
            pages,
            pull_seconds: secs,
            records_per_second: received as f64 / secs.max(1e-9),
            received,
        })
    }
    .await;
    let _ = server.kill();
    let _ = server.wait();
    result
}
