//! PostgreSQL half of backup and restore: `pg_dump`/`pg_restore` run on an exported snapshot,
//! with the password passed through `PGPASSWORD` and the `search_path` schema handled.

use std::path::Path;
use std::str::FromStr;

use sqlx::Connection;

use super::{err, BackupError, LogHead, Snapshot};
use crate::StoreError;

/// A PostgreSQL URL as the client tools get it: without the password (that goes through
/// `PGPASSWORD`), plus the schema its `search_path` option selects.
struct PgTarget {
    /// URL without the password: safe on a command line and in messages.
    url: String,
    password: Option<String>,
    schema: Option<String>,
}

impl PgTarget {
    fn parse(url: &str) -> Result<Self, BackupError> {
        let opts = sqlx::postgres::PgConnectOptions::from_str(url).map_err(|e| {
            BackupError::from(StoreError::UnsupportedUrl(format!(
                "{}（{e}）",
                crate::redact_url(url)
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
    ) -> Result<(), BackupError> {
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
fn search_path_schema(options: &str) -> Result<Option<String>, BackupError> {
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

/// `pg_dump` of the database (or `search_path` schema) `url` names into `out`.
pub(super) async fn pg_backup(url: &str, out: &Path) -> Result<Snapshot, BackupError> {
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

/// `pg_restore` of the dump `from` into the database `url` names; `pg_schema` is the schema
/// the dump was taken from.
pub(super) async fn pg_restore(
    url: &str,
    from: &Path,
    pg_schema: Option<&str>,
    force: bool,
) -> Result<(), BackupError> {
    let target = PgTarget::parse(url)?;
    if target.schema.as_deref() != pg_schema {
        return Err(err(
            "backup_schema_mismatch",
            format!(
                "备份的模式为 {}，目标地址的模式为 {}：pg_restore 只能恢复到同名模式",
                pg_schema.unwrap_or("(默认)"),
                target.schema.as_deref().unwrap_or("(默认)")
            ),
        ));
    }
    let store = crate::open(url).await?;
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
