//! Privacy: after a full run — import by API with ID numbers in good and bad rows, the error
//! report, metrics, code validation, debug-level logs — no clear ID number is anywhere: not
//! in the logs, the metrics, error messages, or the database files (change log, records,
//! batch rejects, audit trail). Only an entitled caller's own error report carries them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_chengxin");
const DEPT: &str = "11320400MB00000002";

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("chengxin-priv-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cmd(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env("CHENGXIN_DATA_DIR", dir)
        .env_remove("CHENGXIN_DB")
        .env_remove("CHENGXIN_ID_HASH_KEY")
        .env("CHENGXIN_PUBLIC_URL", "https://xy.example.gov.cn")
        .env("CHENGXIN_LOG", "debug");
    c
}

fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status: u16 = String::from_utf8_lossy(&buf[..split])
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut body = buf[split + 4..].to_vec();
    // Chunked responses: good enough for grepping to keep the raw chunk framing.
    if body.is_empty() {
        body = Vec::new();
    }
    (status, body)
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn no_clear_id_numbers_anywhere() {
    let dir = temp_dir();
    let file = dir.join("penalties.csv");
    let o = cmd(&dir)
        .args([
            "gen-records",
            "--rows",
            "300",
            "--bad-per-mille",
            "100",
            "-o",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Every ID number in the file (valid or not, long enough to be one).
    let mut ids = std::collections::BTreeSet::new();
    let mut rdr = csv::Reader::from_path(&file).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let cols: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| h.contains("证件号码"))
        .map(|(i, _)| i)
        .collect();
    assert!(!cols.is_empty());
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for &c in &cols {
            let v = rec.get(c).unwrap_or("").trim();
            if v.len() >= 15 && v.chars().take(14).all(|c| c.is_ascii_digit()) {
                ids.insert(v.to_string());
            }
        }
    }
    assert!(
        ids.len() > 50,
        "only {} ID numbers in the test file",
        ids.len()
    );

    let o = cmd(&dir)
        .args([
            "token",
            "issue",
            "--name",
            "隐私测试",
            "--permissions",
            "records_submit",
            "--region",
            "320400",
            "--body",
            DEPT,
            "--days",
            "1",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let issued: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let token = issued["token"].as_str().unwrap().to_string();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.join("server.log");
    let metrics_token = "privacy-metrics-0123456789abcdef0123456789";
    let mut child = cmd(&dir)
        .env("CHENGXIN_METRICS_TOKEN", metrics_token)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    let auth = format!("Bearer {token}");
    let bytes = std::fs::read(&file).unwrap();
    let (status, body) = request(
        port,
        "POST",
        &format!("/api/v1/batches?type=admin_penalty&dept={DEPT}&file_name=p.csv"),
        &[("authorization", &auth), ("content-type", "text/csv")],
        &bytes,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let summary: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let batch = summary["batch"]["id"].as_str().unwrap().to_string();
    assert!(summary["batch"]["rejected"].as_i64().unwrap() > 0);

    // The submitter's own error report carries the rows as submitted (the positive control:
    // the numbers we look for really went through the system).
    let (status, report) = request(
        port,
        "GET",
        &format!("/api/v1/batches/{batch}/errors"),
        &[("authorization", &auth)],
        b"",
    );
    assert_eq!(status, 200);
    assert!(
        ids.iter().any(|id| contains(&report, id)),
        "error report lost the rows"
    );

    let mut exposed: Vec<(String, Vec<u8>)> = Vec::new();
    let (status, metrics) = request(
        port,
        "GET",
        "/metrics",
        &[("authorization", &format!("Bearer {metrics_token}"))],
        b"",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&metrics));
    exposed.push(("metrics".into(), metrics));
    let some_id = ids.iter().next().unwrap().clone();
    let (_, validated) = request(
        port,
        "POST",
        "/api/v1/codes/validate",
        &[("content-type", "application/json")],
        serde_json::json!({"codes": [some_id, format!("{}0", &some_id[..17])]})
            .to_string()
            .as_bytes(),
    );
    exposed.push(("codes/validate response".into(), validated));
    // A wrong token and a bad request: their error messages must not echo anything personal.
    let (_, denied) = request(
        port,
        "GET",
        &format!("/api/v1/batches/{batch}"),
        &[("authorization", &format!("Bearer cxt_{some_id}"))],
        b"",
    );
    exposed.push(("error response".into(), denied));

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
    exposed.push(("server log (debug)".into(), std::fs::read(&log).unwrap()));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("chengxin.db") {
            exposed.push((name, std::fs::read(&p).unwrap()));
        }
    }
    assert!(exposed.iter().any(|(n, _)| n == "chengxin.db"));
    let mut leaks = Vec::new();
    for (what, bytes) in &exposed {
        for id in &ids {
            if contains(bytes, id) {
                leaks.push(format!("{what}: {}…", &id[..6]));
            }
        }
    }
    assert!(leaks.is_empty(), "clear ID numbers found: {leaks:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
