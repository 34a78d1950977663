//! 逐级归集 (issue 21, docs/FEED.md): three real `chengxin serve` processes on loopback — a
//! county (溧阳市), its city (常州市) and the province (江苏省), separate databases (the
//! province's on PostgreSQL when `CHENGXIN_TEST_PG` is set) — each upper one pulling the one
//! below every second. A record imported at the county shows at the province with its origin;
//! a correction and a revocation travel up; the city crashes and a partial pull resumes; a
//! record row edited in the county's database makes the city refuse the next page with the
//! reason (nothing applied, the link failed), and the next good page goes through.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const COUNTY_REGION: &str = "320481";
const CITY_REGION: &str = "320400";

struct Node {
    dir: PathBuf,
    db: String,
    port: u16,
    sources: Option<String>,
    child: Option<Child>,
}

impl Node {
    fn new(name: &str, db: Option<String>) -> Self {
        let dir = temp_dir_named(name);
        let db = db.unwrap_or_else(|| format!("sqlite://{}", dir.join("chengxin.db").display()));
        let node = Self {
            dir,
            db,
            port: free_port(),
            sources: None,
            child: None,
        };
        let o = node.run(&["migrate"]);
        assert!(o.status.success(), "{}", stderr(&o));
        node
    }

    fn cmd(&self) -> Command {
        let mut c = cmd(&self.dir);
        c.args(["--db", &self.db]);
        match &self.sources {
            Some(s) => c.env("CHENGXIN_FEED_SOURCES", s),
            None => c.env_remove("CHENGXIN_FEED_SOURCES"),
        };
        c
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
        serde_json::from_str(stdout(&o).trim()).unwrap()
    }

    fn public_key(&self) -> String {
        let o = self.run(&["keys", "export-public"]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).trim().to_string()
    }

    /// A `feed_read` token of this instance for the one above, scoped to `region`.
    fn feed_token(&self, upper: &str, region: &str) -> String {
        let v = self.json(&[
            "token",
            "issue",
            "--name",
            upper,
            "--permissions",
            "feed_read",
            "--region",
            region,
        ]);
        v["token"].as_str().unwrap().to_string()
    }

    fn source_of(&self, name: &str, token: &str, region: &str) -> String {
        format!(
            "interval_secs = 1\npage_size = 3\n[[source]]\nname = \"{name}\"\nurl = \"http://127.0.0.1:{}\"\ntoken = \"{token}\"\npublic_key = \"{}\"\nregion = \"{region}\"\n",
            self.port,
            self.public_key()
        )
    }

    fn start(&mut self) {
        let listen = format!("127.0.0.1:{}", self.port);
        let child = self
            .cmd()
            .args(["serve", "--listen", &listen])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(st) = self.child.as_mut().unwrap().try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = self.child.as_mut().unwrap().stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("server exited early ({st:?}): {err}");
            }
            if let Some((200, _)) = http_get(self.port, "/healthz") {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("server did not come up on {listen}");
    }

    /// SIGTERM and wait (or SIGKILL: a crash).
    fn stop(&mut self, crash: bool) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if crash {
            let _ = child.kill();
            let _ = child.wait();
            return;
        }
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(st) = child.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                assert!(st.success(), "server exit {st:?}: {err}");
                assert!(!err.contains("panicked"), "{err}");
                return;
            }
            assert!(Instant::now() < deadline, "server did not stop");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The records received from `origin`.
    fn received(&self, origin: &str) -> Vec<serde_json::Value> {
        let v = self.json(&["feed", "records", "--origin", origin, "--limit", "10000"]);
        v.as_array().unwrap().clone()
    }

    fn link(&self, name: &str) -> serde_json::Value {
        let v = self.json(&["feed", "status"]);
        v.as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn sql<F, Fut, T>(url: &str, f: F) -> T
where
    F: FnOnce(sqlx::SqlitePool) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    assert!(
        url.starts_with("sqlite"),
        "the county and the city run on SQLite"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        f(pool).await
    })
}

/// Rows of a generated file whose deciding authority is 溧阳市's, and that authority's USCC
/// (the county's submitting department).
fn county_file(dir: &Path, name: &str, seed: u32) -> (PathBuf, String) {
    let all = dir.join(format!("{name}-all.csv"));
    let o = run(
        dir,
        &[
            "gen-records",
            "--rows",
            "60",
            "--bad-per-mille",
            "0",
            "--seed",
            &seed.to_string(),
            "-o",
            all.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut r = csv::Reader::from_path(&all).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = headers
        .iter()
        .position(|h| h == "处罚机关统一社会信用代码")
        .unwrap();
    let out = dir.join(format!("{name}.csv"));
    let mut w = csv::Writer::from_path(&out).unwrap();
    w.write_record(&headers).unwrap();
    let mut dept = String::new();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        if rec[col].get(2..8) == Some(COUNTY_REGION) {
            dept = rec[col].to_string();
            w.write_record(&rec).unwrap();
            n += 1;
        }
    }
    w.flush().unwrap();
    assert!(n > 0, "no 溧阳市 rows in seed {seed}");
    (out, dept)
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("timed out waiting: {what}");
}

fn county_ids(db: &str) -> Vec<(String, String)> {
    sql(db, |pool| async move {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, subject_name FROM records ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        pool.close().await;
        rows
    })
}

#[test]
fn county_city_province_feed() {
    let province_db = std::env::var("CHENGXIN_TEST_PG")
        .ok()
        .and_then(|_| pg_url());
    if std::env::var("CHENGXIN_TEST_PG").is_ok() {
        assert!(province_db
            .as_deref()
            .is_some_and(|u| u.starts_with("postgres")));
    }
    let mut county = Node::new("cx-feed-county", None);
    let mut city = Node::new("cx-feed-city", None);
    let mut province = Node::new("cx-feed-province", province_db);
    let county_token = county.feed_token("常州市", COUNTY_REGION);
    let city_token = city.feed_token("江苏省", CITY_REGION);
    city.sources = Some(county.source_of("溧阳市", &county_token, COUNTY_REGION));
    province.sources = Some(city.source_of("常州市", &city_token, CITY_REGION));
    county.start();
    city.start();
    province.start();

    // A record imported at the county shows at the province, with its origin.
    let (file_a, dept) = county_file(&county.dir, "a", 7);
    let o = county.run(&[
        "import",
        "--type",
        "admin_penalty",
        "--dept",
        &dept,
        file_a.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let ids = county_ids(&county.db);
    assert!(!ids.is_empty());
    wait_until("the county's records at the province", 40, || {
        province.received("溧阳市").len() == ids.len()
    });
    let at_province = province.received("溧阳市");
    let first = at_province
        .iter()
        .find(|r| r["original_id"] == ids[0].0.as_str())
        .unwrap();
    assert_eq!(first["origin"], "溧阳市");
    assert_eq!(first["origin_region"], COUNTY_REGION);
    assert_eq!(first["link"], "常州市");
    assert_eq!(first["subject_name"], ids[0].1.as_str());
    assert_eq!(city.link("溧阳市")["state"], "ok");

    // A correction travels up.
    let o = county.run(&[
        "record",
        "transition",
        &ids[0].0,
        "correct",
        "--version",
        "1",
        "--note",
        "更正处罚内容",
        "--fields",
        r#"{"penalty_content": "更正后的处罚内容：罚款人民币五千元"}"#,
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // A revocation travels up: what the county withdraws is withdrawn above.
    let o = county.run(&[
        "record",
        "transition",
        &ids[1 % ids.len()].0,
        "revoke",
        "--version",
        "1",
        "--note",
        "决定已撤销",
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let find = |rows: &[serde_json::Value], id: &str| {
        rows.iter().find(|r| r["original_id"] == id).cloned()
    };
    wait_until(
        "the correction and the revocation at the province",
        40,
        || {
            let rows = province.received("溧阳市");
            let corrected = find(&rows, &ids[0].0).is_some_and(|r| {
                r["fields"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("更正后的处罚内容")
                    && r["version"] == 2
            });
            let revoked =
                find(&rows, &ids[1 % ids.len()].0).is_some_and(|r| r["status"] == "revoked");
            corrected && (ids.len() < 2 || revoked)
        },
    );

    // The city crashes; a pull of one page is interrupted there; the restarted city resumes.
    city.stop(true);
    let (file_b, _) = county_file(&county.dir, "b", 8);
    let o = county.run(&[
        "import",
        "--type",
        "admin_penalty",
        "--dept",
        &dept,
        file_b.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let before = city.link("溧阳市")["applied"].as_i64().unwrap();
    let o = city.run(&[
        "feed",
        "pull",
        "--once",
        "--page-size",
        "1",
        "--max-pages",
        "1",
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let partial = city.link("溧阳市")["applied"].as_i64().unwrap();
    assert_eq!(partial, before + 1, "one entry applied, then interrupted");
    city.start();
    let all = county_ids(&county.db);
    wait_until("the resumed transfer at the province", 40, || {
        province.received("溧阳市").len() == all.len()
    });

    // Tampering: a record row edited in the county's database behind its back.
    city.stop(false);
    let (file_c, _) = county_file(&county.dir, "c", 9);
    let o = county.run(&[
        "import",
        "--type",
        "admin_penalty",
        "--dept",
        &dept,
        file_c.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let now_ids = county_ids(&county.db);
    let (victim, name) = now_ids
        .iter()
        .find(|(id, _)| !all.iter().any(|(a, _)| a == id))
        .cloned()
        .unwrap();
    let edit = |to: String| {
        let victim = victim.clone();
        sql(&county.db, |pool| async move {
            sqlx::query("UPDATE records SET subject_name = $1 WHERE id = $2")
                .bind(to)
                .bind(victim)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        })
    };
    edit("篡改后的名称".to_string());
    let applied = city.link("溧阳市")["applied"].as_i64().unwrap();
    let o = city.run(&["feed", "pull", "--once"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("feed_state_mismatch"), "{}", stdout(&o));
    let link = city.link("溧阳市");
    assert_eq!(link["state"], "failed");
    assert_eq!(link["error_code"], "feed_state_mismatch");
    assert!(link["error"].as_str().unwrap().contains("被改动"), "{link}");
    assert!(link["applied"].as_i64().unwrap() < now_ids.len() as i64 + applied);
    // Nothing of the refused page was applied.
    let at_city = city.received("溧阳市");
    assert!(at_city.iter().all(|r| r["subject_name"] != "篡改后的名称"));
    assert!(!at_city.iter().any(|r| r["original_id"] == victim.as_str()));
    // The row put back, the next page goes through.
    edit(name);
    let o = city.run(&["feed", "pull", "--once"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(city.link("溧阳市")["state"], "ok");
    assert_eq!(city.received("溧阳市").len(), now_ids.len());
    // Every instance's own log still verifies.
    for n in [&county, &city] {
        let o = n.run(&["verify"]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    }

    province.stop(false);
    county.stop(false);
}
