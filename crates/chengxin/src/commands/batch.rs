//! `chengxin batch show|errors|recover`: a batch's counts and state, the error report of its
//! rejected rows, and failing the imports a dead process left half-way.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::error::{app_err, CliError};
use crate::setup::{id_hasher, open_and_migrate};

#[derive(Subcommand, Debug)]
pub(crate) enum BatchOp {
    /// Write the error report (rejected rows with reasons) to a file.
    Errors {
        id: String,
        /// csv or xlsx (default: from the output file's extension).
        #[arg(long)]
        format: Option<String>,
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Print a batch's counts and state (importing, committed, failing, failed).
    Show { id: String },
    /// Fail the imports a dead process left half-way (`importing`, nothing written for
    /// `--idle-seconds`) and remove their staged rows, which no reader ever saw. A running
    /// server does this every minute by itself.
    Recover {
        /// Idle time after which an import counts as abandoned (default 120). 0 fails every
        /// import not running in this command: only when no other process is importing.
        #[arg(long, default_value_t = 120)]
        idle_seconds: u64,
    },
}

/// Write an exported file readable by the user only (0600, also when it existed): an error
/// report carries the rows as submitted. A folder other users may enter is warned about.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if let Ok(m) = std::fs::metadata(dir) {
            if m.permissions().mode() & 0o007 != 0 {
                eprintln!(
                    "注意：目录 {} 其他用户可以访问；错误报告含报送的原始数据，请妥善保管（文件本身仅本用户可读）。",
                    dir.display()
                );
            }
        }
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

pub(crate) async fn run(cfg: &Config, op: &BatchOp) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    let parse_id = |s: &str| {
        uuid::Uuid::parse_str(s.trim())
            .map_err(|_| CliError::new("invalid_id", format!("“{s}”不是合法的批次编号")))
    };
    match op {
        BatchOp::Show { id } => {
            let b = store
                .batch(parse_id(id)?)
                .await?
                .ok_or_else(|| CliError::new("not_found", format!("批次 {id} 不存在")))?;
            println!("{}", serde_json::to_string_pretty(&b)?);
        }
        BatchOp::Recover { idle_seconds } => {
            let failed = store
                .recover_batches(
                    "system:recover",
                    std::time::Duration::from_secs(*idle_seconds),
                )
                .await?;
            println!("{}", serde_json::json!({ "failed": failed }));
        }
        BatchOp::Errors { id, format, output } => {
            let xlsx = match format.as_deref() {
                Some("xlsx") => true,
                Some("csv") => false,
                Some(other) => {
                    return Err(
                        CliError::new("invalid_format", format!("不支持的格式“{other}”")).into(),
                    )
                }
                None => output
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("xlsx")),
            };
            // At the server, with its keys: the rows as submitted, the reading query-logged.
            let cipher = chengxin_access::PiiCipher::from_id_hasher(&id_hasher(cfg)?);
            let id = parse_id(id)?;
            let b = store
                .batch(id)
                .await?
                .ok_or_else(|| CliError::new("not_found", format!("批次 {id} 不存在")))?;
            let rows = chengxin_app::imports::submitted_rejects(store.as_ref(), &cipher, id)
                .await
                .map_err(app_err)?;
            let mut e = chengxin_store::AuditEvent::new(
                "cli:batch-errors",
                "query",
                "batch_errors_open",
                "ok",
            );
            e.target = Some(id.to_string());
            e.detail = serde_json::json!({"purpose": "命令行导出错误报告", "batch": id, "returned": rows.len()});
            store.audit(&[e]).await?;
            let bytes =
                chengxin_app::imports::error_report(&b.headers, rows, xlsx).map_err(app_err)?;
            write_private(output, &bytes).map_err(|e| {
                CliError::new("io_error", format!("无法写入 {}：{e}", output.display()))
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
