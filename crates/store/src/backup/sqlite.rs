//! SQLite half of backup and restore: `VACUUM INTO` snapshots checked with
//! `PRAGMA integrity_check`, and file-level restore refused while another process holds the file.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};

use super::{absolute, err, file_digest, io_err, sync_dir, with_suffix, BackupError, Cleanup};
use super::{LogHead, Snapshot};
use crate::StoreError;

/// The SQLite file a `sqlite:` URL names (in-memory databases cannot be backed up).
pub(super) fn sqlite_file(url: &str) -> Result<(SqliteConnectOptions, PathBuf), BackupError> {
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| BackupError::from(StoreError::UnsupportedUrl(format!("{url}（{e}）"))))?;
    let path = opts.get_filename().to_path_buf();
    if path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:") {
        return Err(err(
            "backup_unsupported",
            "内存数据库无法备份或恢复，请使用文件数据库",
        ));
    }
    Ok((opts, path))
}

/// Online backup of the SQLite file `url` names into `out` (a new file).
pub(super) async fn sqlite_backup(url: &str, out: &Path) -> Result<Snapshot, BackupError> {
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

/// Best-effort: is another process using the SQLite file? In WAL mode every open connection
/// (a running server's pool included) keeps a shared lock, so an exclusive lock fails.
async fn sqlite_in_use(opts: &SqliteConnectOptions) -> Result<bool, BackupError> {
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

/// Replace the SQLite file `url` names with the backup `from` (copied, checked against
/// `sha256`, then renamed into place).
pub(super) async fn sqlite_restore(
    url: &str,
    from: &Path,
    sha256: &str,
    force: bool,
) -> Result<(), BackupError> {
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
    // The database file is the server's user's only, whatever mode the backup had.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_err("设置权限", &tmp, e))?;
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err("写入", &tmp, e))?;
    let (sha, _) = file_digest(&tmp)?;
    if !sha.eq_ignore_ascii_case(sha256) {
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
