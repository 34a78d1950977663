//! Helpers shared by the binary's end-to-end tests: running the binary, a local HTTP GET,
//! PostgreSQL schemas for the child process (from `chengxin-testkit`).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_chengxin");

pub fn temp_dir_named(prefix: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The binary with a data dir and no inherited database or key settings.
pub fn cmd(data_dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env("CHENGXIN_DATA_DIR", data_dir)
        .env_remove("CHENGXIN_DB")
        .env_remove("CHENGXIN_ID_HASH_KEY")
        // `serve` outside --demo needs the portal's public address (credit reports' QR).
        .env("CHENGXIN_PUBLIC_URL", "https://xy.example.gov.cn")
        .env("CHENGXIN_LOG", "warn");
    c
}

pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    cmd(data_dir).args(args).output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` on the local server: `(status, body)`, or `None` if it does not answer.
pub fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    http_get_with(port, path, &[])
}

/// `GET path` with extra request headers.
pub fn http_get_with(port: u16, path: &str, headers: &[(&str, &str)]) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(120))).ok()?;
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status: u16 = text.split(' ').nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

pub use chengxin_testkit::pg::{pg_skippable, pg_url as pg_base};

/// A fresh schema on the test PostgreSQL, as a URL the binary can use; `None` only when
/// skipping PostgreSQL was asked for explicitly.
pub fn pg_url() -> Option<String> {
    chengxin_testkit::pg::fresh_schema_url("cx_cli")
}
