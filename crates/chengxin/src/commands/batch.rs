//! `chengxin batch show|errors`: a batch's counts and the error report of its rejected rows.

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
    /// Print a batch's counts.
    Show { id: String },
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
            std::fs::write(output, bytes).map_err(|e| {
                CliError::new("io_error", format!("无法写入 {}：{e}", output.display()))
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
