//! `chengxin backup` and `chengxin restore`: a consistent snapshot taken while the server runs,
//! brought back and proven with `verify`.
//!
//! - SQLite: `VACUUM INTO` on a separate connection reads one consistent snapshot inside a read
//!   transaction; in WAL mode it does not block the server's writers. The snapshot is then
//!   checked with `PRAGMA integrity_check`.
//! - PostgreSQL: `pg_dump --format=custom` (password through `PGPASSWORD`, never on the command
//!   line). The dump runs on a snapshot exported from a REPEATABLE READ transaction in which the
//!   change-log head and the record count are read, so the manifest describes exactly what the
//!   dump contains.
//!
//! Next to the backup `PATH` goes `PATH.manifest.json` (backend, time, version, change-log head,
//! size, SHA-256) and, only with `--include-keys`, `PATH.keys/` (the key files, mode 0600). The
//! SHA-256 catches a corrupt or truncated file; tampering is what `verify` (with the trusted
//! signing key, which is never in the database) catches after the restore.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use chengxin_store::StoreError;
use clap::Args;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};

use crate::config::Config;
use crate::CliError;

/// Manifest format tag; bumped if the manifest's meaning changes.
const MANIFEST_FORMAT: &str = "chengxin-backup/1";

const KEYS_NOTE: &str = "密钥文件（<数据目录>/keys/*.key）不在数据库中，必须另行妥善备份；\
                         没有签名密钥就无法验证恢复后的数据，没有身份证号哈希密钥就无法按身份证号查询。";

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Write the backup to this file (it must not exist). The manifest goes to
    /// PATH.manifest.json.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Also copy the key files (<data dir>/keys/*.key) to PATH.keys/ (mode 0600). Keep that
    /// folder as safe as the keys themselves.
    #[arg(long)]
    pub include_keys: bool,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file written by `chengxin backup --out` (its manifest must be next to it).
    #[arg(long, value_name = "PATH")]
    pub from: PathBuf,
    /// Replace an existing database.
    #[arg(long)]
    pub force: bool,
    /// For the verify step: trust this exported public key (hex) instead of the key file.
    #[arg(long)]
    pub public_key: Option<PathBuf>,
    /// Print the verify report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The change-log head at the moment of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHead {
    pub seq: i64,
    pub hash: String,
}

/// `PATH.manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub chengxin_version: String,
    /// The database the backup was taken from (password removed).
    pub source: String,
    /// File name of the backup (next to the manifest).
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// Change-log head read from the same snapshot the backup contains.
    pub log_head: LogHead,
    /// Records in the snapshot.
    pub records: i64,
    /// SQLite: result of `PRAGMA integrity_check` on the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity_check: Option<String>,
    /// PostgreSQL: the schema dumped when the URL selects one with `search_path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_server_version: Option<String>,
    /// Public half of the data dir's log-signing key at backup time (hex), if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_public_key: Option<String>,
    /// Whether the key files were copied to `<file>.keys/`.
    pub keys_included: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    fn of(url: &str) -> Result<Self, CliError> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("sqlite:") {
            Ok(Kind::Sqlite)
        } else if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Ok(Kind::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(chengxin_store::redact_url(url)).into())
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
        }
    }
}

fn err(code: &'static str, message: impl Into<String>) -> CliError {
    CliError::new(code, message)
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> CliError {
    err("io_error", format!("{what} {} 失败：{e}", path.display()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn manifest_path(backup: &Path) -> PathBuf {
    with_suffix(backup, ".manifest.json")
}

fn keys_path(backup: &Path) -> PathBuf {
    with_suffix(backup, ".keys")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 (hex) and size of a file, streamed.
fn file_digest(path: &Path) -> Result<(String, u64), CliError> {
    let mut f = std::fs::File::open(path).map_err(|e| io_err("读取", path, e))?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h).map_err(|e| io_err("读取", path, e))?;
    Ok((hex(&h.finalize()), n))
}

fn sync_dir(dir: &Path) {
    // Best effort: makes a rename durable on Unix; not supported everywhere.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes what a failed command created.
struct Cleanup(Vec<PathBuf>);

impl Cleanup {
    fn disarm(&mut self) {
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

/// The SQLite file a `sqlite:` URL names (in-memory databases cannot be backed up).
fn sqlite_file(url: &str) -> Result<(SqliteConnectOptions, PathBuf), CliError> {
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| CliError::from(StoreError::UnsupportedUrl(format!("{url}（{e}）"))))?;
    let path = opts.get_filename().to_path_buf();
    if path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:") {
        return Err(err(
            "backup_unsupported",
            "内存数据库无法备份或恢复，请使用文件数据库",
        ));
    }
    Ok((opts, path))
}

// ---------------------------------------------------------------------------------------
// backup
// ---------------------------------------------------------------------------------------

/// What the backend-specific half found in its snapshot.
struct Snapshot {
    head: LogHead,
    records: i64,
    integrity_check: Option<String>,
    pg_schema: Option<String>,
    pg_server_version: Option<String>,
}

pub async fn backup(cfg: &Config, args: &BackupArgs) -> anyhow::Result<ExitCode> {
    let kind = Kind::of(&cfg.db_url)?;
    let out = absolute(&args.out)?;
    let manifest_file = manifest_path(&out);
    let keys_dir = keys_path(&out);
    for p in [&out, &manifest_file, &keys_dir] {
        if p.exists() || p.is_symlink() {
            return Err(err(
                "backup_exists",
                format!("{} 已存在，备份不会覆盖已有文件，请换一个路径", p.display()),
            )
            .into());
        }
    }
    let key_files = if args.include_keys {
        let files = key_files(cfg.key_dir().path())?;
        if files.is_empty() {
            return Err(err(
                "key_missing",
                format!(
                    "密钥目录 {} 中没有密钥文件，无法 --include-keys",
                    cfg.key_dir().path().display()
                ),
            )
            .into());
        }
        files
    } else {
        Vec::new()
    };
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_err("创建目录", dir, e))?;
    }

    let mut cleanup = Cleanup(vec![out.clone()]);
    let snap = match kind {
        Kind::Sqlite => sqlite_backup(&cfg.db_url, &out).await?,
        Kind::Postgres => pg_backup(&cfg.db_url, &out).await?,
    };
    let (sha256, size) = file_digest(&out)?;

    if args.include_keys {
        cleanup.0.push(keys_dir.clone());
        copy_keys_out(&key_files, &keys_dir)?;
    }
    let signing_public_key = cfg
        .key_dir()
        .signer()
        .ok()
        .flatten()
        .map(|s| hex(s.verifying_key().as_bytes()));
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        backend: kind.name().into(),
        created_at: chrono::Utc::now(),
        chengxin_version: env!("CARGO_PKG_VERSION").into(),
        source: chengxin_store::redact_url(&cfg.db_url),
        file: out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size,
        sha256,
        log_head: snap.head,
        records: snap.records,
        integrity_check: snap.integrity_check,
        pg_schema: snap.pg_schema,
        pg_server_version: snap.pg_server_version,
        signing_public_key,
        keys_included: args.include_keys,
    };
    cleanup.0.push(manifest_file.clone());
    write_new(
        &manifest_file,
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
        false,
    )?;
    if let Some(dir) = out.parent() {
        sync_dir(dir);
    }
    cleanup.disarm();

    let mut report = serde_json::to_value(&manifest)?;
    if let Some(obj) = report.as_object_mut() {
        obj.insert("backup".into(), serde_json::json!(out));
        obj.insert("manifest".into(), serde_json::json!(manifest_file));
        if args.include_keys {
            obj.insert("keys".into(), serde_json::json!(keys_dir));
        }
        obj.insert("note".into(), serde_json::json!(KEYS_NOTE));
    }
    println!("{report}");
    eprintln!(
        "备份完成：{}（{} 字节，变更日志至第 {} 条，记录 {} 条）",
        out.display(),
        manifest.size,
        manifest.log_head.seq,
        manifest.records
    );
    if args.include_keys {
        eprintln!(
            "已将密钥复制到 {}：该目录与密钥本身同样机密，请妥善保管。",
            keys_dir.display()
        );
    } else {
        eprintln!("注意：{KEYS_NOTE}（可用 --include-keys 一并复制）");
    }
    Ok(ExitCode::SUCCESS)
}

fn absolute(p: &Path) -> Result<PathBuf, CliError> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd =
        std::env::current_dir().map_err(|e| err("io_error", format!("无法确定当前目录：{e}")))?;
    Ok(cwd.join(p))
}

/// Create a new file (never overwrite) with `bytes`; `secret` files get mode 0600.
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), CliError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = opts.open(path).map_err(|e| io_err("写入", path, e))?;
    f.write_all(bytes).map_err(|e| io_err("写入", path, e))?;
    f.sync_all().map_err(|e| io_err("写入", path, e))
}

async fn sqlite_backup(url: &str, out: &Path) -> Result<Snapshot, CliError> {
    let (opts, db_path) = sqlite_file(url)?;
    if !db_path.is_file() {
        return Err(err(
            "db_not_found",
            format!("数据库文件 {} 不存在", db_path.display()),
        ));
    }
    let target = out.to_str().ok_or_else(|| {
        err(
            "invalid_path",
            format!("备份路径 {} 含有无法处理的字符", out.display()),
        )
    })?;
    // A connection of its own, next to the server's: VACUUM INTO reads one snapshot in a read
    // transaction; in WAL mode writers carry on meanwhile.
    let mut conn = opts
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .map_err(StoreError::from)?;
    let sql = format!("VACUUM INTO '{}'", target.replace('\'', "''"));
    let res = sqlx::query(&sql).execute(&mut conn).await;
    let _ = conn.close().await;
    res.map_err(|e| {
        let se = StoreError::from(e);
        err("backup_failed", format!("SQLite 在线备份失败：{se}"))
    })?;
    // Durable before we describe it.
    std::fs::File::open(out)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err("写入", out, e))?;

    // Check the snapshot itself and read what it contains.
    let snap_opts = SqliteConnectOptions::new()
        .filename(out)
        .read_only(true)
        .create_if_missing(false);
    let mut snap = snap_opts.connect().await.map_err(StoreError::from)?;
    let result = async {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut snap)
            .await?;
        let (seq, hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM log_head WHERE id = 1")
                .fetch_one(&mut snap)
                .await?;
        let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(&mut snap)
            .await?;
        Ok::<_, sqlx::Error>((rows, LogHead { seq, hash }, records))
    }
    .await;
    let _ = snap.close().await;
    let (check, head, records) = result.map_err(StoreError::from)?;
    let check = check.join("; ");
    if check != "ok" {
        return Err(err(
            "backup_integrity_failed",
            format!("备份文件完整性检查未通过：{check}"),
        ));
    }
    Ok(Snapshot {
        head,
        records,
        integrity_check: Some(check),
        pg_schema: None,
        pg_server_version: None,
    })
}

/// A PostgreSQL URL as the client tools get it: without the password (that goes through
/// `PGPASSWORD`), plus the schema its `search_path` option selects.
struct PgTarget {
    /// URL without the password: safe on a command line and in messages.
    url: String,
    password: Option<String>,
    schema: Option<String>,
}

impl PgTarget {
    fn parse(url: &str) -> Result<Self, CliError> {
        let opts = sqlx::postgres::PgConnectOptions::from_str(url).map_err(|e| {
            CliError::from(StoreError::UnsupportedUrl(format!(
                "{}（{e}）",
                chengxin_store::redact_url(url)
            )))
        })?;
        let schema = match opts.get_options() {
            Some(o) => search_path_schema(o)?,
            None => None,
        };
        let (url, password) = split_password(url);
        Ok(Self {
            url,
            password,
            schema,
        })
    }

    /// A client tool with the connection in its environment, never prompting.
    fn command(&self, program: &str) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(program);
        c.arg("--no-password");
        if let Some(pw) = &self.password {
            c.env("PGPASSWORD", pw);
        }
        c.stdin(std::process::Stdio::null());
        c
    }

    /// Tool output with the password (should a tool ever echo it) removed.
    fn scrub(&self, text: &str) -> String {
        let mut t = text.trim().to_string();
        if let Some(pw) = self.password.as_deref().filter(|p| !p.is_empty()) {
            t = t.replace(pw, "***");
        }
        if t.chars().count() > 2000 {
            t = t.chars().take(2000).collect::<String>() + "…";
        }
        t
    }

    async fn run(
        &self,
        program: &str,
        args: &[String],
        code: &'static str,
    ) -> Result<(), CliError> {
        let out = self
            .command(program)
            .args(args)
            .output()
            .await
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    err(
                        "pg_tool_missing",
                        format!("找不到 {program}：请安装与服务器版本匹配的 PostgreSQL 客户端工具并加入 PATH"),
                    )
                } else {
                    err(code, format!("无法运行 {program}：{e}"))
                }
            })?;
        if out.status.success() {
            return Ok(());
        }
        Err(err(
            code,
            format!(
                "{program} 失败（{}）：{}",
                out.status,
                self.scrub(&String::from_utf8_lossy(&out.stderr))
            ),
        ))
    }
}

/// The schema of `-c search_path=NAME` in a connection's options (one plain identifier).
fn search_path_schema(options: &str) -> Result<Option<String>, CliError> {
    let mut found = None;
    for part in options.split_whitespace() {
        if let Some(v) = part.strip_prefix("search_path=") {
            found = Some(v.to_string());
        }
    }
    match found {
        None => Ok(None),
        Some(s)
            if !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !s.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            Ok(Some(s))
        }
        Some(s) => Err(err(
            "backup_unsupported",
            format!("search_path“{s}”不是单个模式名，无法确定要备份的模式"),
        )),
    }
}

/// Split the password out of a URL: (URL without it, percent-decoded password).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let (userinfo, host) = authority.split_at(at);
    match userinfo.split_once(':') {
        Some((user, pw)) => (
            format!("{scheme}://{user}{host}{tail}"),
            Some(percent_decode(pw)),
        ),
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = h {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn pg_backup(url: &str, out: &Path) -> Result<Snapshot, CliError> {
    let target = PgTarget::parse(url)?;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .map_err(StoreError::from)?;
    // Export a snapshot from a REPEATABLE READ transaction, read the head in it, and let
    // pg_dump use the very same snapshot: the manifest then describes exactly the dump.
    let mut tx = conn.begin().await.map_err(StoreError::from)?;
    let read = async {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        let (seq, hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM log_head WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
        let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(&mut *tx)
            .await?;
        let version: String = sqlx::query_scalar("SHOW server_version")
            .fetch_one(&mut *tx)
            .await?;
        Ok::<_, sqlx::Error>((snapshot, LogHead { seq, hash }, records, version))
    }
    .await;
    let (snapshot, head, records, version) = read.map_err(StoreError::from)?;
    let mut args = vec![
        "--format=custom".to_string(),
        "--no-owner".to_string(),
        format!("--snapshot={snapshot}"),
        "--file".to_string(),
        out.to_string_lossy().into_owned(),
    ];
    if let Some(s) = &target.schema {
        args.push(format!("--schema={s}"));
    }
    args.push(format!("--dbname={}", target.url));
    let dumped = target.run("pg_dump", &args, "backup_failed").await;
    let _ = tx.rollback().await;
    let _ = conn.close().await;
    dumped?;
    Ok(Snapshot {
        head,
        records,
        integrity_check: None,
        pg_schema: target.schema,
        pg_server_version: Some(version),
    })
}

// ---------------------------------------------------------------------------------------
// keys
// ---------------------------------------------------------------------------------------

/// The `*.key` files of a folder (none if it does not exist).
fn key_files(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err("读取密钥目录", dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_err("读取密钥目录", dir, e))?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "key") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| io_err("创建目录", dir, e))
}

fn copy_keys_out(files: &[PathBuf], dir: &Path) -> Result<(), CliError> {
    create_private_dir(dir)?;
    for f in files {
        let bytes = std::fs::read(f).map_err(|e| io_err("读取", f, e))?;
        let Some(name) = f.file_name() else { continue };
        write_new(&dir.join(name), &bytes, true)?;
    }
    Ok(())
}

/// Keys of the backup that the data dir lacks; refuses if the data dir has a different key
/// under the same name (the restored data would not match it).
fn keys_to_install(backup_keys: &Path, data_keys: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut missing = Vec::new();
    for f in key_files(backup_keys)? {
        let Some(name) = f.file_name() else { continue };
        let there = data_keys.join(name);
        let ours = std::fs::read_to_string(&f).map_err(|e| io_err("读取", &f, e))?;
        match std::fs::read_to_string(&there) {
            Ok(theirs) if theirs.trim() == ours.trim() => {}
            Ok(_) => {
                return Err(err(
                    "key_mismatch",
                    format!(
                        "数据目录中的密钥 {} 与备份中的不同：恢复后的数据与之不符。请确认数据目录，\
                         或先移走该密钥文件再恢复",
                        there.display()
                    ),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(f),
            Err(e) => return Err(io_err("读取", &there, e)),
        }
    }
    Ok(missing)
}

// ---------------------------------------------------------------------------------------
// restore
// ---------------------------------------------------------------------------------------

fn read_manifest(from: &Path) -> Result<Manifest, CliError> {
    let path = manifest_path(from);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(err(
                "backup_manifest_missing",
                format!(
                    "找不到备份清单 {}：无法确认备份完整，拒绝恢复",
                    path.display()
                ),
            ))
        }
        Err(e) => return Err(io_err("读取", &path, e)),
    };
    let m: Manifest = serde_json::from_str(&text).map_err(|e| {
        err(
            "backup_manifest_invalid",
            format!("备份清单 {} 格式错误：{e}", path.display()),
        )
    })?;
    if m.format != MANIFEST_FORMAT {
        return Err(err(
            "backup_manifest_invalid",
            format!("不支持的备份清单格式“{}”", m.format),
        ));
    }
    Ok(m)
}

pub async fn restore(cfg: &Config, args: &RestoreArgs) -> anyhow::Result<ExitCode> {
    let from = absolute(&args.from)?;
    if !from.is_file() {
        return Err(err(
            "backup_not_found",
            format!("备份文件 {} 不存在", from.display()),
        )
        .into());
    }
    let manifest = read_manifest(&from)?;
    let (sha256, size) = file_digest(&from)?;
    if size != manifest.size || !sha256.eq_ignore_ascii_case(&manifest.sha256) {
        return Err(err(
            "backup_checksum_mismatch",
            format!(
                "备份文件 {} 与清单不符（大小 {} / 清单 {}，SHA-256 {} / 清单 {}）：文件已损坏或被改动，拒绝恢复",
                from.display(),
                size,
                manifest.size,
                sha256,
                manifest.sha256
            ),
        )
        .into());
    }
    let kind = Kind::of(&cfg.db_url)?;
    if kind.name() != manifest.backend {
        return Err(err(
            "backup_backend_mismatch",
            format!(
                "备份来自 {}，不能恢复到 {} 数据库",
                manifest.backend,
                kind.name()
            ),
        )
        .into());
    }

    // Keys: the verify step needs the trusted signing key; check before touching anything.
    let data_keys = cfg.key_dir().path().to_path_buf();
    let backup_keys = keys_path(&from);
    let install = keys_to_install(&backup_keys, &data_keys)?;
    let signer_available = data_keys
        .join(chengxin_store::keys::SIGNING_KEY_FILE)
        .is_file()
        || install.iter().any(|p| {
            p.file_name()
                .is_some_and(|n| n == chengxin_store::keys::SIGNING_KEY_FILE)
        });
    if args.public_key.is_none() && !signer_available {
        return Err(err(
            "key_missing",
            format!(
                "没有可信的签名密钥，恢复后无法校验：请先把备份的密钥放入 {}，\
                 或用 --public-key 指定已发布的公钥（备份时可用 --include-keys 一并备份密钥）",
                data_keys.display()
            ),
        )
        .into());
    }

    match kind {
        Kind::Sqlite => sqlite_restore(&cfg.db_url, &from, &manifest, args.force).await?,
        Kind::Postgres => pg_restore(&cfg.db_url, &from, &manifest, args.force).await?,
    }
    if !install.is_empty() {
        create_private_dir(&data_keys)?;
        for f in &install {
            let Some(name) = f.file_name() else { continue };
            let bytes = std::fs::read(f).map_err(|e| io_err("读取", f, e))?;
            write_new(&data_keys.join(name), &bytes, true)?;
        }
        eprintln!(
            "已从备份安装 {} 个密钥文件到 {}",
            install.len(),
            data_keys.display()
        );
    }
    eprintln!(
        "已恢复备份 {}（{}，变更日志至第 {} 条，记录 {} 条），正在校验……",
        from.display(),
        manifest.created_at.to_rfc3339(),
        manifest.log_head.seq,
        manifest.records
    );
    crate::verify(cfg, args.public_key.as_deref(), args.json).await
}

/// Best-effort: is another process using the SQLite file? In WAL mode every open connection
/// (a running server's pool included) keeps a shared lock, so an exclusive lock fails.
async fn sqlite_in_use(opts: &SqliteConnectOptions) -> Result<bool, CliError> {
    let conn = opts
        .clone()
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::from_millis(300))
        .connect()
        .await;
    let mut conn = match conn {
        Ok(c) => c,
        Err(e) => return Ok(is_busy(&e)),
    };
    let r = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await;
    let busy = match &r {
        Ok(_) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
            false
        }
        Err(e) => is_busy(e),
    };
    let _ = conn.close().await;
    Ok(busy)
}

fn is_busy(e: &sqlx::Error) -> bool {
    let msg = e.to_string().to_ascii_lowercase();
    msg.contains("locked") || msg.contains("busy")
}

async fn sqlite_restore(
    url: &str,
    from: &Path,
    manifest: &Manifest,
    force: bool,
) -> Result<(), CliError> {
    let (opts, target) = sqlite_file(url)?;
    let target = absolute(&target)?;
    let wal = with_suffix(&target, "-wal");
    let shm = with_suffix(&target, "-shm");
    let journal = with_suffix(&target, "-journal");
    if target.exists() {
        if !force {
            return Err(err(
                "restore_target_exists",
                format!(
                    "目标数据库 {} 已存在；确认要覆盖请加 --force（请先停止服务）",
                    target.display()
                ),
            ));
        }
        if sqlite_in_use(&opts).await? {
            return Err(err(
                "restore_target_busy",
                format!(
                    "目标数据库 {} 正被其他进程使用（服务可能仍在运行）：请先停止服务再恢复",
                    target.display()
                ),
            ));
        }
    }
    let dir = target
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir).map_err(|e| io_err("创建目录", &dir, e))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "chengxin.db".into());
    let tmp = dir.join(format!(
        ".{name}.restore-{}.tmp",
        uuid::Uuid::now_v7().simple()
    ));
    let mut cleanup = Cleanup(vec![tmp.clone()]);
    std::fs::copy(from, &tmp).map_err(|e| io_err("复制到", &tmp, e))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err("写入", &tmp, e))?;
    let (sha, _) = file_digest(&tmp)?;
    if !sha.eq_ignore_ascii_case(&manifest.sha256) {
        return Err(err(
            "backup_checksum_mismatch",
            format!("复制后的文件 {} 校验和不符，已放弃恢复", tmp.display()),
        ));
    }
    // The old database's WAL and shared-memory files belong to the old file: left in place,
    // SQLite would replay them onto the restored one.
    for stale in [&wal, &shm, &journal] {
        match std::fs::remove_file(stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("删除", stale, e)),
        }
    }
    std::fs::rename(&tmp, &target).map_err(|e| io_err("替换", &target, e))?;
    cleanup.disarm();
    sync_dir(&dir);
    Ok(())
}

async fn pg_restore(
    url: &str,
    from: &Path,
    manifest: &Manifest,
    force: bool,
) -> Result<(), CliError> {
    let target = PgTarget::parse(url)?;
    if target.schema != manifest.pg_schema {
        return Err(err(
            "backup_schema_mismatch",
            format!(
                "备份的模式为 {}，目标地址的模式为 {}：pg_restore 只能恢复到同名模式",
                manifest.pg_schema.as_deref().unwrap_or("(默认)"),
                target.schema.as_deref().unwrap_or("(默认)")
            ),
        ));
    }
    let store = chengxin_store::open(url).await?;
    let migrated = store.is_migrated().await;
    store.close().await;
    if migrated? && !force {
        return Err(err(
            "restore_target_exists",
            format!(
                "目标数据库 {} 已有 Chengxin 数据；确认要覆盖请加 --force（请先停止服务）",
                target.url
            ),
        ));
    }
    let args = vec![
        "--clean".to_string(),
        "--if-exists".to_string(),
        "--no-owner".to_string(),
        "--single-transaction".to_string(),
        format!("--dbname={}", target.url),
        from.to_string_lossy().into_owned(),
    ];
    target.run("pg_restore", &args, "restore_failed").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_split_out() {
        let (u, p) = split_password("postgres://u:p%40ss@h:5432/db?options=x");
        assert_eq!(u, "postgres://u@h:5432/db?options=x");
        assert_eq!(p.as_deref(), Some("p@ss"));
        let (u, p) = split_password("postgres://u@h/db");
        assert_eq!(u, "postgres://u@h/db");
        assert_eq!(p, None);
        let (u, p) = split_password("postgres://h/db?x=a@b");
        assert_eq!(u, "postgres://h/db?x=a@b");
        assert_eq!(p, None);
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%E4%B8%AD"), "中");
    }

    #[test]
    fn search_path_schema_is_one_identifier() {
        assert_eq!(
            search_path_schema("-c search_path=cx_1").unwrap(),
            Some("cx_1".into())
        );
        assert_eq!(search_path_schema("-c work_mem=4MB").unwrap(), None);
        assert!(search_path_schema("-c search_path=a,b").is_err());
    }
}
