//! Consistent backups taken while the server runs, and their restore — the database half of
//! `chengxin backup` / `chengxin restore` (the CLI keeps arguments, manifest, keys and output).
//!
//! - SQLite: `VACUUM INTO` on a separate connection reads one consistent snapshot inside a read
//!   transaction; in WAL mode it does not block the server's writers. The snapshot is then
//!   checked with `PRAGMA integrity_check`.
//! - PostgreSQL: `pg_dump --format=custom` (password through `PGPASSWORD`, never on the command
//!   line). The dump runs on a snapshot exported from a REPEATABLE READ transaction in which the
//!   change-log head and the record count are read, so the manifest describes exactly what the
//!   dump contains.

mod postgres;
mod sqlite;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::StoreError;

/// A backup or restore failure with the stable code and message the CLI prints.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct BackupError {
    pub code: &'static str,
    pub message: String,
}

impl chengxin_domain::error::Coded for BackupError {
    fn code(&self) -> &'static str {
        self.code
    }

    /// A backup or restore that could not be made or applied.
    fn kind(&self) -> chengxin_domain::error::ErrorKind {
        chengxin_domain::error::ErrorKind::Unavailable
    }
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        err(e.code(), e.to_string())
    }
}

/// The change-log head at the moment of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHead {
    pub seq: i64,
    pub hash: String,
}

/// The backend a database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    /// The backend of `url`, or `db_unsupported_url`.
    pub fn of(url: &str) -> Result<Self, BackupError> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("sqlite:") {
            Ok(Kind::Sqlite)
        } else if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Ok(Kind::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(crate::redact_url(url)).into())
        }
    }

    /// `sqlite` or `postgres` (as in the manifest).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
        }
    }
}

/// What the backend-specific half found in its snapshot.
pub struct Snapshot {
    pub head: LogHead,
    pub records: i64,
    pub integrity_check: Option<String>,
    pub pg_schema: Option<String>,
    pub pg_server_version: Option<String>,
}

/// Write a consistent snapshot of the database `url` names to `out` (a new file).
pub async fn snapshot(kind: Kind, url: &str, out: &Path) -> Result<Snapshot, BackupError> {
    match kind {
        Kind::Sqlite => sqlite::sqlite_backup(url, out).await,
        Kind::Postgres => postgres::pg_backup(url, out).await,
    }
}

/// Restore the backup `from` into the database `url` names. `sha256` is the backup's checksum
/// from its manifest, `pg_schema` the schema a PostgreSQL dump was taken from; an existing
/// database is only replaced with `force`, and never while (SQLite) another process uses it.
pub async fn restore(
    kind: Kind,
    url: &str,
    from: &Path,
    sha256: &str,
    pg_schema: Option<&str>,
    force: bool,
) -> Result<(), BackupError> {
    match kind {
        Kind::Sqlite => sqlite::sqlite_restore(url, from, sha256, force).await,
        Kind::Postgres => postgres::pg_restore(url, from, pg_schema, force).await,
    }
}

/// A [`BackupError`] with `code`.
pub fn err(code: &'static str, message: impl Into<String>) -> BackupError {
    BackupError {
        code,
        message: message.into(),
    }
}

/// An `io_error` naming what failed on which path.
pub fn io_err(what: &str, path: &Path, e: std::io::Error) -> BackupError {
    err("io_error", format!("{what} {} 失败：{e}", path.display()))
}

/// `path` with `suffix` appended to its file name.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 (hex) and size of a file, streamed.
pub fn file_digest(path: &Path) -> Result<(String, u64), BackupError> {
    let mut f = std::fs::File::open(path).map_err(|e| io_err("读取", path, e))?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h).map_err(|e| io_err("读取", path, e))?;
    Ok((hex(&h.finalize()), n))
}

/// Make a rename in `dir` durable.
pub fn sync_dir(dir: &Path) {
    // Best effort: makes a rename durable on Unix; not supported everywhere.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// `p` made absolute against the current directory.
pub fn absolute(p: &Path) -> Result<PathBuf, BackupError> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd =
        std::env::current_dir().map_err(|e| err("io_error", format!("无法确定当前目录：{e}")))?;
    Ok(cwd.join(p))
}

/// Removes what a failed command created.
pub struct Cleanup(pub Vec<PathBuf>);

impl Cleanup {
    /// Keep everything: the command succeeded.
    pub fn disarm(&mut self) {
        self.0.clear();
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in &self.0 {
            if p.is_dir() {
                let _ = std::fs::remove_dir_all(p);
            } else {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}
