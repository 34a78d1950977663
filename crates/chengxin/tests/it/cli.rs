//! End-to-end tests of the `chengxin` binary: exit codes, output formats, serving, bad input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

fn temp_dir() -> PathBuf {
    temp_dir_named("chengxin-cli")
}

#[test]
fn validate_code_prints_one_json_line_per_code() {
    let dir = temp_dir();
    let o = run(
        &dir,
        &[
            "validate-code",
            " 914403001922038216 ",
            "11010519491231002x",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["code"], "914403001922038216");
    assert_eq!(lines[0]["kind"], "uscc");
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["category"], "1");
    assert_eq!(lines[1]["kind"], "id_number");
    assert_eq!(lines[1]["valid"], true);
    assert_eq!(lines[1]["region"], "110105");
    // The ID number never appears in clear.
    assert!(!stdout(&o).contains("11010519491231002"));

    let o = run(&dir, &["validate-code", "91320412MA1MXK2L84", "ABC"]);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["valid"], false);
    assert_eq!(lines[0]["reason_code"], "uscc_bad_check_char");
    assert!(lines[0]["reason"].as_str().unwrap().contains("校验"));
    assert_eq!(lines[1]["kind"], "unknown");
    assert_eq!(lines[1]["valid"], false);
}

#[test]
fn workdays_follow_the_official_calendar() {
    let dir = temp_dir();
    let o = run(&dir, &["workdays", "add", "2025-01-24", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "2025-02-05");
    let o = run(&dir, &["workdays", "between", "2025-01-24", "2025-02-05"]);
    assert_eq!(stdout(&o).trim(), "3");
    let o = run(&dir, &["workdays", "add", "2031-01-01", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("calendar_year_not_covered"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"));
    let o = run(&dir, &["workdays", "add", "2025-13-01", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid_date"));
}

#[test]
fn catalog_lists_types() {
    let dir = temp_dir();
    let o = run(&dir, &["catalog", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let types = v["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["code"] == "admin_penalty"));
    let o = run(&dir, &["catalog"]);
    assert!(stdout(&o).contains("行政处罚决定书文号"));
}

fn exec_sql(url: &str, sql: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        if url.starts_with("sqlite") {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    });
}

/// Every file under `dir` (recursively).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn migrate_verify_tamper(db: &str) {
    let dir = temp_dir();
    let o = run(&dir, &["--db", db, "migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["migrated"], true);
    // Idempotent.
    let o = run(&dir, &["--db", db, "migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&dir, &["--db", db, "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("校验通过"));
    // A reader that stops early (`chengxin verify | head -0`): no panic, the verdict's code.
    let mut child = cmd(&dir)
        .args(["--db", db, "verify", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(o.status.success(), "{}", stderr(&o));

    // The public key can be exported and used instead of the key file.
    let o = run(&dir, &["keys", "export-public"]);
    assert!(o.status.success());
    let pk = dir.join("pub.key");
    std::fs::write(&pk, stdout(&o)).unwrap();
    let o = run(
        &dir,
        &["--db", db, "verify", "--public-key", pk.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stdout(&o));

    // Where the data directory holds no key, verify never makes one (a fresh key would then
    // "find" the real checkpoints signed by an untrusted key): it asks for --public-key.
    let elsewhere = temp_dir();
    let o = run(&elsewhere, &["--db", db, "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("key_missing"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--public-key"), "{}", stderr(&o));
    let made: Vec<_> = walk(&elsewhere);
    assert!(made.is_empty(), "verify wrote {made:?}");
    let o = run(
        &elsewhere,
        &["--db", db, "verify", "--public-key", pk.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(walk(&elsewhere).is_empty());

    // Edit a row with plain SQL: verify fails and names it.
    exec_sql(
        db,
        "UPDATE catalog_types SET name = '被篡改' WHERE code = 'admin_penalty'",
    );
    let o = run(&dir, &["--db", db, "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("catalog_type admin_penalty"),
        "{}",
        stdout(&o)
    );
    let o = run(&dir, &["--db", db, "verify", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["kind"], "row_edited");
    assert_eq!(v["problems"][0]["entity_id"], "admin_penalty");
}

#[test]
fn migrate_verify_and_tamper_sqlite() {
    let dir = temp_dir();
    migrate_verify_tamper(&format!("sqlite://{}", dir.join("x.db").display()));
}

#[test]
fn migrate_verify_and_tamper_postgres() {
    if let Some(url) = pg_url() {
        migrate_verify_tamper(&url);
    }
}

/// `chengxin token revoke ID`: the token stops working; revoking again is harmless; an
/// unknown id is a clear error.
fn token_revoke(db: &str) {
    let dir = temp_dir();
    assert!(run(&dir, &["--db", db, "migrate"]).status.success());
    let o = run(
        &dir,
        &[
            "--db",
            db,
            "token",
            "issue",
            "--name",
            "招标平台",
            "--permissions",
            "checks_run",
            "--region",
            "320400",
            "--days",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let issued: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let id = issued["id"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let o = run(&dir, &["--db", db, "token", "revoke", &id]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(v["id"], issued["id"]);
        assert!(v["revoked_at"].is_string(), "{v}");
    }
    let o = run(
        &dir,
        &[
            "--db",
            db,
            "token",
            "revoke",
            "00000000-0000-7000-8000-000000000000",
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not_found"), "{}", stderr(&o));
    let o = run(&dir, &["--db", db, "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn token_revoke_sqlite() {
    let dir = temp_dir();
    token_revoke(&format!("sqlite://{}", dir.join("x.db").display()));
}

#[test]
fn token_revoke_postgres() {
    if let Some(url) = pg_url() {
        token_revoke(&url);
    }
}

/// `chengxin account create` is the break-glass path of the separation of duties (issue 16
/// point 3): a credit office is made at once, without a second person, but recorded as a
/// `break_glass` grant and announced in the audit trail (the auditor's and the credit office's
/// view), and the operator is told so.
fn break_glass(db: &str) {
    let dir = temp_dir();
    assert!(run(&dir, &["--db", db, "migrate"]).status.success());
    let o = run(
        &dir,
        &[
            "--db",
            db,
            "account",
            "create",
            "--username",
            "cz.office",
            "--roles",
            "credit_office",
            "--region",
            "320400",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("应急通道"), "{}", stderr(&o));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = chengxin_store::open(db).await.unwrap();
        let a = store
            .account_by_username("cz.office")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.roles, ["credit_office"]);
        let grants = store.grants().await.unwrap();
        let g = grants.iter().find(|g| g.account_id == a.id).unwrap();
        assert_eq!(g.status, "break_glass");
        assert_eq!(g.requested_by, "cli:account-create");
        let events = store
            .audit_events(&chengxin_store::AuditFilter {
                action: Some("role_grant_break_glass".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            events.iter().any(|e| e.detail["username"] == "cz.office"),
            "{events:?}"
        );
        store.close().await;
    });
    let o = run(&dir, &["--db", db, "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

/// `chengxin token issue --rate N --daily-quota M`: stored on the token, printed, and shown by
/// `chengxin token list` (a token issued without them shows the defaults); out of range is a
/// clear error.
fn token_limits(db: &str) {
    let dir = temp_dir();
    assert!(run(&dir, &["--db", db, "migrate"]).status.success());
    let issue = |extra: &[&str]| {
        let mut args = vec![
            "--db",
            db,
            "token",
            "issue",
            "--name",
            "招标平台",
            "--permissions",
            "checks_run",
            "--region",
            "320400",
        ];
        args.extend_from_slice(extra);
        run(&dir, &args)
    };
    let o = issue(&["--rate", "7", "--daily-quota", "5000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let limited: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        (
            limited["rate_per_second"].as_u64(),
            limited["daily_quota"].as_u64()
        ),
        (Some(7), Some(5000))
    );
    let o = issue(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plain: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let o = issue(&["--rate", "0"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("token_limit_invalid"), "{}", stderr(&o));
    let o = run(&dir, &["--db", db, "token", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let find = |id: &serde_json::Value| listed.iter().find(|t| t["id"] == *id).unwrap();
    assert_eq!(find(&limited["id"])["rate_per_second"], 7);
    assert_eq!(find(&limited["id"])["daily_quota"], 5000);
    assert_eq!(find(&plain["id"])["rate_per_second"], 200);
    assert_eq!(find(&plain["id"])["daily_quota"], 100_000);
    assert!(listed
        .iter()
        .all(|t| t.get("hash").is_none() && t.get("token").is_none()));
    let o = run(&dir, &["--db", db, "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn account_create_is_break_glass_sqlite() {
    let dir = temp_dir();
    break_glass(&format!("sqlite://{}", dir.join("x.db").display()));
}

#[test]
fn account_create_is_break_glass_postgres() {
    if let Some(url) = pg_url() {
        break_glass(&url);
    }
}

#[test]
fn token_limits_sqlite() {
    let dir = temp_dir();
    token_limits(&format!("sqlite://{}", dir.join("x.db").display()));
}

#[test]
fn token_limits_postgres() {
    if let Some(url) = pg_url() {
        token_limits(&url);
    }
}

#[test]
fn bad_databases_give_clear_errors() {
    let dir = temp_dir();
    let bad = dir.join("bad.db");
    std::fs::write(
        &bad,
        b"this is not a database, just text that is long enough to matter..........",
    )
    .unwrap();
    let o = run(
        &dir,
        &["--db", &format!("sqlite://{}", bad.display()), "migrate"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("db_corrupt"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));

    let o = run(
        &dir,
        &["--db", "postgres://postgres@127.0.0.1:1/none", "migrate"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("db_unreachable"), "{}", stderr(&o));

    let o = run(&dir, &["--db", "mysql://x", "migrate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("db_unsupported_url"));

    // verify on a database never migrated says so.
    let o = run(
        &dir,
        &[
            "--db",
            &format!("sqlite://{}", dir.join("empty.db").display()),
            "verify",
        ],
    );
    assert_ne!(o.status.code(), Some(0));
}

struct Server {
    child: Child,
    port: u16,
    /// The separate metrics listener (`--metrics-listen`).
    metrics_port: u16,
}

/// The scraper's secret the test server is started with (`CHENGXIN_METRICS_TOKEN`).
const METRICS_TOKEN: &str = "cli-test-metrics-0123456789abcdef0123";

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(dir: &Path, db: Option<&str>, demo: bool) -> Server {
    let port = free_port();
    let metrics_port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut c = cmd(dir);
    if let Some(db) = db {
        c.args(["--db", db]);
    }
    c.env("CHENGXIN_METRICS_TOKEN", METRICS_TOKEN).args([
        "serve",
        "--listen",
        &listen,
        "--metrics-listen",
        &format!("127.0.0.1:{metrics_port}"),
    ]);
    if demo {
        c.arg("--demo");
    }
    let child = c
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        port,
        metrics_port,
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Some((200, _)) = http_get(port, "/healthz") {
            return server;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("server did not come up on {listen}");
}

fn serve_story(db: Option<&str>) {
    let dir = temp_dir();
    let mut server = start_server(&dir, db, true);
    let port = server.port;
    let (status, body) = http_get(port, "/healthz").unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("\"ok\""));
    let (status, body) = http_get(port, "/readyz").unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_get(port, "/api/v1/openapi.json").unwrap();
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["paths"]["/healthz"].is_object());
    assert!(doc["paths"]["/api/v1/workdays/add"].is_object());
    let (status, body) = http_get(port, "/api/v1/workdays/add?date=2025-01-24&n=3").unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("2025-02-05"));
    assert!(body.contains("\"provisional\":false"), "{body}");
    // A year whose holidays are not published: counted Monday–Friday, marked provisional.
    let (status, body) = http_get(port, "/api/v1/workdays/add?date=2035-01-24&n=3").unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("2035-01-29"), "{body}");
    assert!(body.contains("\"provisional\":true"), "{body}");
    // Unknown addresses: an HTML page outside the API (issue 17), JSON under /api.
    let (status, body) = http_get(port, "/nope").unwrap();
    assert_eq!(status, 404);
    assert!(body.contains("页面不存在"), "{body}");
    let (status, body) = http_get(port, "/api/v1/nope").unwrap();
    assert_eq!(status, 404);
    assert!(body.contains("\"code\":\"not_found\""), "{body}");
    // /metrics: refused anonymously on the main listener, served with the scraper's token
    // and on the metrics listener (which serves nothing else).
    let (status, body) = http_get(port, "/metrics").unwrap();
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("metrics_token_required"), "{body}");
    let bearer = format!("Bearer {METRICS_TOKEN}");
    let (status, body) = http_get_with(port, "/metrics", &[("Authorization", &bearer)]).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("chengxin_http_requests_total"), "{body}");
    let (status, body) = http_get(server.metrics_port, "/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("chengxin_http_requests_total"), "{body}");
    let (status, _) = http_get(server.metrics_port, "/api/v1/catalog").unwrap();
    assert_eq!(status, 404);

    // Limits, trusted proxies and the metrics token are checked before serving.
    for (var, value, code) in [
        ("CHENGXIN_LIMIT_FILING", "lots", "limit_invalid"),
        ("CHENGXIN_EVIDENCE_BYTES_PER_DAY", "2GB", "limit_invalid"),
        (
            "CHENGXIN_TRUSTED_PROXIES",
            "10.0.0.0/33",
            "trusted_proxies_invalid",
        ),
        ("CHENGXIN_METRICS_TOKEN", "short", "metrics_token_weak"),
    ] {
        let o = cmd(&dir)
            .env(var, value)
            .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{var}");
        assert!(stderr(&o).contains(code), "{var}: {}", stderr(&o));
    }

    // A second server on the same port fails clearly, without touching the database.
    let listen = format!("127.0.0.1:{port}");
    let mut c = cmd(&dir);
    if let Some(db) = db {
        c.args(["--db", db]);
    }
    let o = c.args(["serve", "--listen", &listen]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("listen_failed"), "{}", stderr(&o));

    // Graceful shutdown on SIGTERM.
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(st) = server.child.try_wait().unwrap() {
            assert!(st.success(), "server exit {st:?}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut err = String::new();
    if let Some(mut e) = server.child.stderr.take() {
        e.read_to_string(&mut err).unwrap();
    }
    assert!(!err.contains("panicked"), "{err}");

    // Demo loading is idempotent and the data verifies.
    let mut args = vec![];
    if let Some(db) = db {
        args.extend(["--db", db]);
    }
    let mut demo = args.clone();
    demo.push("demo");
    let o = run(&dir, &demo);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut verify = args.clone();
    verify.push("verify");
    let o = run(&dir, &verify);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn serve_on_sqlite() {
    serve_story(None);
}

#[test]
fn serve_on_postgres() {
    if let Some(url) = pg_url() {
        serve_story(Some(&url));
    }
}

/// Parse a CSV file into rows (the report and generated files are plain RFC 4180).
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

const DEPT: &str = "11320400MB00000002";

fn import_json(dir: &Path, db: &[&str], file: &Path) -> (Option<i32>, serde_json::Value) {
    let mut args: Vec<&str> = db.to_vec();
    args.extend([
        "import",
        "--type",
        "admin_penalty",
        "--dept",
        DEPT,
        file.to_str().unwrap(),
    ]);
    let o = run(dir, &args);
    let line = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(line.lines().next().unwrap_or("null"))
        .unwrap_or(serde_json::Value::Null);
    (o.status.code(), v)
}

fn import_round_trip(db: Option<&str>) {
    let dir = temp_dir();
    let dbargs: Vec<&str> = match db {
        Some(u) => vec!["--db", u],
        None => vec![],
    };
    let good = dir.join("good.csv");
    let o = run(
        &dir,
        &[
            "gen-records",
            "--rows",
            "6",
            "--bad-per-mille",
            "0",
            "--seed",
            "7",
            "-o",
            good.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut rows = read_csv(&good);
    let h = rows[0].clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (date_c, kind_c, code_c) = (
        col("处罚决定日期"),
        col("行政相对人类别"),
        col("行政相对人代码_1(统一社会信用代码)"),
    );
    let good_code = rows[3][code_c].clone();
    let good_kind = rows[2][kind_c].clone();
    rows[1][date_c] = "2025-02-30".into();
    rows[2][kind_c] = "=HYPERLINK(\"http://x\")".into();
    let mut bad_code = good_code.clone();
    let last = bad_code.pop().unwrap();
    bad_code.push(if last == '0' { '1' } else { '0' });
    rows[3][code_c] = bad_code;
    let file = dir.join("mixed.csv");
    write_csv(&file, &rows);

    let (code, v) = import_json(&dir, &dbargs, &file);
    assert_eq!(code, Some(1), "{v}");
    let b = &v["summary"]["batch"];
    assert_eq!(b["created"], 3, "{v}");
    assert_eq!(b["rejected"], 3, "{v}");
    let batch_id = b["id"].as_str().unwrap().to_string();

    // Re-importing the identical file changes nothing.
    let (_, v2) = import_json(&dir, &dbargs, &file);
    assert_eq!(v2["summary"]["replayed"], true);
    assert_eq!(v2["summary"]["batch"]["id"], batch_id.as_str());

    // The error report: reasons, original row numbers, formulas neutralised.
    let report = dir.join("errors.csv");
    let mut args = dbargs.clone();
    args.extend(["batch", "errors", &batch_id, "-o", report.to_str().unwrap()]);
    let o = run(&dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut rep = read_csv(&report);
    assert_eq!(rep.len(), 4);
    let reason_c = rep[0].iter().position(|c| c == "错误原因").unwrap();
    assert!(rep[1][reason_c].contains("处罚决定日期"), "{:?}", rep[1]);
    assert!(
        rep[2][kind_c].starts_with("'="),
        "formula must be neutralised: {:?}",
        rep[2][kind_c]
    );
    assert!(rep[3][reason_c].contains("校验码"));

    // Fix the rows in the report itself and resubmit it: all accepted.
    rep[1][date_c] = "2025-02-28".into();
    rep[2][kind_c] = good_kind;
    rep[3][code_c] = good_code;
    let fixed = dir.join("fixed.csv");
    write_csv(&fixed, &rep);
    let (code, v) = import_json(&dir, &dbargs, &fixed);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["summary"]["batch"]["created"], 3, "{v}");
    assert_eq!(v["summary"]["batch"]["rejected"], 0, "{v}");

    // Everything verifies.
    let mut args = dbargs.clone();
    args.push("verify");
    let o = run(&dir, &args);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn import_round_trip_sqlite() {
    import_round_trip(None);
}

#[test]
fn import_round_trip_postgres() {
    if let Some(url) = pg_url() {
        import_round_trip(Some(&url));
    }
}

#[test]
fn import_refuses_bad_files_clearly() {
    let dir = temp_dir();
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let (code, v) = import_json(&dir, &[], &empty);
    assert_eq!(code, Some(1));
    assert_eq!(v["error"]["code"], "empty_file", "{v}");

    let header_only = dir.join("header.csv");
    std::fs::write(&header_only, "行政相对人名称,行政处罚决定书文号\n").unwrap();
    let (_, v) = import_json(&dir, &[], &header_only);
    assert_eq!(v["error"]["code"], "missing_required_columns", "{v}");

    let latin1 = dir.join("latin1.csv");
    std::fs::write(
        &latin1,
        [0x41u8, 0xE9, 0x2C, 0xFF, 0xFE, 0x0A, 0x80, 0x81, 0x0A],
    )
    .unwrap();
    let (_, v) = import_json(&dir, &[], &latin1);
    assert!(
        v["error"]["code"].as_str().unwrap().contains("encoding"),
        "{v}"
    );

    let o = run(
        &dir,
        &[
            "import",
            "--type",
            "no_such_type",
            "--dept",
            DEPT,
            latin1.to_str().unwrap(),
        ],
    );
    assert!(stdout(&o).contains("unknown_type"));
    assert!(!stderr(&o).contains("panicked"));
}

/// A province's own credit-rights rules replace the national defaults; a broken file stops
/// the server at start-up with a clear error instead of falling back silently.
#[test]
fn broken_rights_rules_stop_the_server() {
    let dir = temp_dir();
    let rules = dir.join("rules.toml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        &rules,
        "version = \"x\"\n[objection]\naccept_working_days = -1\n",
    )
    .unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let o = cmd(&dir)
        .env("CHENGXIN_RIGHTS_RULES", &rules)
        .args(["serve", "--listen", &listen])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("rights_rules_invalid"),
        "{}",
        stderr(&o)
    );
    let o = cmd(&dir)
        .env("CHENGXIN_RIGHTS_RULES", dir.join("missing.toml"))
        .args(["serve", "--listen", &listen])
        .output()
        .unwrap();
    assert!(
        stderr(&o).contains("rights_rules_unreadable"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn broken_department_bodies_stop_the_server() {
    let dir = temp_dir();
    let bodies = dir.join("bodies.toml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        &bodies,
        "version = \"x\"\n[[bodies]]\nuscc = \"11320400MB0000019Y\"\nname = \"财政局\"\nroles = [\"no_such_role\"]\n",
    )
    .unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let o = cmd(&dir)
        .env("CHENGXIN_DEPARTMENT_BODIES", &bodies)
        .args(["serve", "--listen", &listen])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown_reference") && stderr(&o).contains("no_such_role"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_hotline_is_idempotent_and_reports_rows() {
    let dir = temp_dir();
    let file = dir.join("12345.csv");
    std::fs::write(
        &file,
        "工单编号,来电时间,诉求内容,涉及单位,涉及单位统一社会信用代码\n\
         H1,2025-05-06 09:30:00,承诺事项未兑现,常州市某局,11320400MC0001015U\n\
         H2,2025-07-06 09:30:00,未来的工单,常州市某局,11320400MC0001015U\n",
    )
    .unwrap();
    let args = [
        "import-hotline",
        file.to_str().unwrap(),
        "--region",
        "320400",
        "--today",
        "2025-06-02",
    ];
    let o = run(&dir, &args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (r["created"].as_u64(), r["failed"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(r["errors"][0]["code"], "date_in_future");
    let o = run(&dir, &args);
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (r["created"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(1)),
        "{r}"
    );
    let o = run(&dir, &["verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}
