//! `chengxin lists refresh-court` and `chengxin check` end to end: the court's list is
//! imported and refreshed (removals with history), and a bidding platform's file of parties
//! is checked into an XLSX report.

use std::path::PathBuf;
use std::process::Output;

use crate::common::*;

fn temp_dir() -> PathBuf {
    temp_dir_named("chengxin-check")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| {
        panic!(
            "stdout {} stderr {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn court_list_refresh_and_file_check() {
    let dir = temp_dir();
    let court = dir.join("court.csv");
    std::fs::write(
        &court,
        "被执行人姓名/名称,统一社会信用代码,身份证号码,案号\n\
         常州市乙建设工程有限公司,91320412MA1MXK2L83,,（2024）苏0412执123号\n\
         张三,,320402199001011239,（2024）苏0402执45号\n\
         坏行,,12345,（2024）苏0402执46号\n",
    )
    .unwrap();
    let o = run(&dir, &["lists", "refresh-court", court.to_str().unwrap()]);
    let r = json(&o);
    assert_eq!(o.status.code(), Some(1), "a rejected row gives exit 1: {r}");
    assert_eq!(
        (r["added"].as_i64(), r["removed"].as_i64()),
        (Some(2), Some(0)),
        "{r}"
    );
    assert_eq!(r["rejected"].as_array().unwrap().len(), 1);

    // Parties as a bidding platform sends them: by code, by a Traditional variant of the name,
    // by ID number, and a clean bidder.
    let parties = dir.join("bidders.csv");
    std::fs::write(
        &parties,
        "名称,统一社会信用代码,身份证号码\n\
         ,91320412MA1MXK2L83,\n\
         常州市乙建設工程有限公司,,\n\
         ,,320402199001011239\n\
         常州丙贸易有限公司,,\n",
    )
    .unwrap();
    let report = dir.join("report.xlsx");
    let o = run(
        &dir,
        &[
            "check",
            "--scenario",
            "bidding",
            parties.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json(&o);
    assert_eq!(
        (r["intercept"].as_i64(), r["pass"].as_i64()),
        (Some(3), Some(1)),
        "{r}"
    );
    let bytes = std::fs::read(&report).unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file");

    // The source no longer lists 张三: the refresh removes the entry, with its history.
    std::fs::write(
        &court,
        "被执行人姓名/名称,统一社会信用代码,身份证号码,案号\n\
         常州市乙建设工程有限公司,91320412MA1MXK2L83,,（2024）苏0412执123号\n",
    )
    .unwrap();
    let o = run(&dir, &["lists", "refresh-court", court.to_str().unwrap()]);
    assert!(o.status.success());
    let r = json(&o);
    assert_eq!(
        (
            r["added"].as_i64(),
            r["kept"].as_i64(),
            r["removed"].as_i64()
        ),
        (Some(0), Some(1), Some(1)),
        "{r}"
    );
    let o = run(
        &dir,
        &[
            "check",
            "--scenario",
            "bidding",
            parties.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
        ],
    );
    let r = json(&o);
    assert_eq!(
        (r["intercept"].as_i64(), r["pass"].as_i64()),
        (Some(2), Some(2)),
        "{r}"
    );
    // Everything is in the change log.
    let o = run(&dir, &["verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // Unknown scenario: a clear error.
    let o = run(
        &dir,
        &[
            "check",
            "--scenario",
            "fly",
            parties.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown_scenario"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn post(port: u16, path: &str, token: &str, body: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok()?;
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status: u16 = text.split(' ').nth(1)?.parse().ok()?;
    Some((
        status,
        text.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default(),
    ))
}

/// Two server processes over one PostgreSQL: a third process changes the court's list, and
/// both servers' check indexes follow the change log within a couple of seconds.
#[test]
fn servers_over_one_postgres_agree_quickly() {
    let Some(url) = pg_url() else { return };
    let dir = temp_dir();
    let with_db = |args: &[&str]| {
        let mut v = vec!["--db", url.as_str()];
        v.extend_from_slice(args);
        run(&dir, &v)
    };
    assert!(with_db(&["migrate"]).status.success());
    let o = with_db(&[
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
    ]);
    let token = json(&o)["token"].as_str().unwrap().to_string();
    let mut servers = Vec::new();
    let mut logs = Vec::new();
    for n in 0..2 {
        let port = free_port();
        // Each server's log goes to a file, shown if it does not come up.
        let log = dir.join(format!("server-{n}.log"));
        let child = cmd(&dir)
            .args([
                "--db",
                &url,
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        servers.push((child, port));
        logs.push(log);
    }
    for ((_, port), log) in servers.iter().zip(&logs) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while http_get(*port, "/healthz").map(|r| r.0) != Some(200) {
            assert!(
                std::time::Instant::now() < deadline,
                "server on port {port} did not start:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    let body = r#"{"scenario":"bidding","parties":[{"uscc":"91320412MA1MXK2L83"}]}"#;
    for (_, port) in &servers {
        let (s, b) = post(*port, "/api/v1/checks", &token, body).unwrap();
        assert_eq!(s, 200, "{b}");
        assert!(b.contains("\"verdict\":\"pass\""), "{b}");
    }
    let court = dir.join("court.csv");
    std::fs::write(
        &court,
        "被执行人姓名/名称,统一社会信用代码,案号\n常州市乙建设工程有限公司,91320412MA1MXK2L83,（2024）苏0412执123号\n",
    )
    .unwrap();
    assert!(
        with_db(&["lists", "refresh-court", court.to_str().unwrap()])
            .status
            .success()
    );
    let changed = std::time::Instant::now();
    for (_, port) in &servers {
        loop {
            let (s, b) = post(*port, "/api/v1/checks", &token, body).unwrap();
            assert_eq!(s, 200, "{b}");
            if b.contains("\"verdict\":\"intercept\"") {
                break;
            }
            assert!(
                changed.elapsed() < std::time::Duration::from_secs(5),
                "server on {port} still passes the listed party: {b}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    let took = changed.elapsed();
    eprintln!("both servers intercept {took:?} after the change");
    for (mut c, _) in servers {
        let _ = c.kill();
        let _ = c.wait();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
