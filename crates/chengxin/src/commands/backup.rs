//! `chengxin backup` and `chengxin restore`: a consistent snapshot taken while the server runs,
//! brought back and proven with `verify`. The database half (SQLite `VACUUM INTO`, PostgreSQL
//! `pg_dump`/`pg_restore`) is `chengxin_store::backup`; this module keeps the arguments, the
//! manifest, the key files and the output.
//!
//! Next to the backup `PATH` goes `PATH.manifest.json` (backend, time, version, change-log head,
//! size, SHA-256) and, only with `--include-keys`, `PATH.keys/` (the key files, mode 0600). The
//! backup and its manifest are mode 0600, in a folder only the server's user may enter (made
//! 0700 when missing; one that others may read is refused: `backup_dir_not_private`). The
//! SHA-256 catches a corrupt or truncated file; tampering is what `verify` (with the trusted
//! signing key, which is never in the database) catches after the restore.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chengxin_store::backup::{self as store_backup, hex, sync_dir, with_suffix, Cleanup, LogHead};
use clap::Args;
use serde::{Deserialize, Serialize};

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

fn err(code: &'static str, message: impl Into<String>) -> CliError {
    CliError::new(code, message)
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> CliError {
    store_backup::io_err(what, path, e).into()
}

// The store's helpers, with their errors as the CLI's (so `?` in the commands keeps the code).

fn kind_of(url: &str) -> Result<store_backup::Kind, CliError> {
    Ok(store_backup::Kind::of(url)?)
}

fn absolute(p: &Path) -> Result<PathBuf, CliError> {
    Ok(store_backup::absolute(p)?)
}

fn file_digest(path: &Path) -> Result<(String, u64), CliError> {
    Ok(store_backup::file_digest(path)?)
}

fn manifest_path(backup: &Path) -> PathBuf {
    with_suffix(backup, ".manifest.json")
}

fn keys_path(backup: &Path) -> PathBuf {
    with_suffix(backup, ".keys")
}

pub async fn backup(cfg: &Config, args: &BackupArgs) -> anyhow::Result<ExitCode> {
    let kind = kind_of(&cfg.db_url)?;
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
    // The backup's folder: made 0700 when missing, refused when other users may enter it
    // (the backup, its manifest and its keys are the server's user's only).
    if let Some(dir) = out.parent() {
        store_backup::private_dir(dir).map_err(CliError::from)?;
    }

    let mut cleanup = Cleanup(vec![out.clone()]);
    let snap = store_backup::snapshot(kind, &cfg.db_url, &out)
        .await
        .map_err(CliError::from)?;
    let (sha256, size) = file_digest(&out)?;
    publish_head(cfg).await;

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
        created_at: chengxin_store::clock::now(),
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
        true,
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

/// A backup produces a signed tree head too (into the heads file): the log as backed up is
/// then provably a prefix of every later head. Best effort: a backup is never refused for it.
async fn publish_head(cfg: &Config) {
    let result = async {
        let Some(signer) = cfg.key_dir().signer()? else {
            return Ok(None);
        };
        let store = chengxin_store::open(&cfg.db_url).await?;
        if !store.is_migrated().await? {
            return Ok(None);
        }
        let publisher = crate::setup::publisher(cfg, std::sync::Arc::new(signer))?;
        Ok::<_, anyhow::Error>(publisher.publish(store.as_ref()).await?)
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(target: crate::LOG_TARGET, error = %e, "tree head not signed at backup");
        eprintln!("警告：未能签发签名树头：{e}");
    }
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
    let kind = kind_of(&cfg.db_url)?;
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

    store_backup::restore(
        kind,
        &cfg.db_url,
        &from,
        &manifest.sha256,
        manifest.pg_schema.as_deref(),
        args.force,
    )
    .await
    .map_err(CliError::from)?;
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
    crate::verify(cfg, args.public_key.as_deref(), args.json, None).await
}
