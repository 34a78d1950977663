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
//!
//! A backup holds everything the database does (sealed ID numbers, audit trail, accounts):
//! its file is created 0600 (never over an existing one), in a folder that only the server's
//! user may enter — created 0700 when missing, refused when others may read it.

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

/// Write a consistent snapshot of the database `url` names to `out` (a new file, 0600, in a
/// private folder: [`create_private_file`]). Nothing is left behind when it fails.
pub async fn snapshot(kind: Kind, url: &str, out: &Path) -> Result<Snapshot, BackupError> {
    create_private_file(out)?;
    let done = match kind {
        Kind::Sqlite => sqlite::sqlite_backup(url, out).await,
        Kind::Postgres => postgres::pg_backup(url, out).await,
    };
    if done.is_err() {
        let _ = std::fs::remove_file(out);
    }
    done
}

/// Make `dir` (and any missing parent) with mode 0700; an existing folder that other users
/// may read, write or enter is refused (`backup_dir_not_private`): a file written there
/// could be listed, replaced or, once its mode slips, read.
pub fn private_dir(dir: &Path) -> Result<(), BackupError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| io_err("创建目录", dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)
            .map_err(|e| io_err("读取", dir, e))?
            .permissions()
            .mode();
        if mode & 0o007 != 0 {
            return Err(err(
                "backup_dir_not_private",
                format!(
                    "目录 {} 的权限为 {:04o}，其他用户可以访问：备份含全部数据，\
                     请改用仅本用户可访问的目录（如 mkdir -m 700 <目录>），或先执行 chmod o-rwx",
                    dir.display(),
                    mode & 0o7777
                ),
            ));
        }
    }
    Ok(())
}

/// Create `path` empty with mode 0600 (never over an existing file), in a private folder
/// ([`private_dir`]): backups, their manifests and exported files are written into it.
pub fn create_private_file(path: &Path) -> Result<std::fs::File, BackupError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map_err(|e| io_err("创建", path, e))
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
