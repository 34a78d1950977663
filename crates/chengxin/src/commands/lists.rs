//! `chengxin lists refresh-court FILE`: refresh the court's 失信被执行人名单 from a fresh copy
//! of its source (CSV/XLSX with 名称/被执行人, 统一社会信用代码 or 身份证号码, 案号).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chengxin_app::lists::{refresh_imported, SourceRow, COURT_LIST};
use chengxin_ingest::read::{open_reader, ReadOptions};
use chengxin_store::Store;
use clap::Subcommand;

use crate::config::Config;
use crate::error::CliError;
use crate::setup::open_and_migrate;

#[derive(Subcommand, Debug)]
pub enum ListsOp {
    /// Refresh the court's list of dishonest judgment debtors from its source file: new
    /// parties are added, parties no longer in it are removed (with history).
    RefreshCourt {
        file: PathBuf,
        #[arg(long)]
        sheet: Option<String>,
    },
}

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

pub async fn run(cfg: &Config, store: Arc<dyn Store>, op: &ListsOp) -> anyhow::Result<ExitCode> {
    let ListsOp::RefreshCourt { file, sheet } = op;
    let f = std::fs::File::open(file)
        .map_err(|e| CliError::new("io_error", format!("无法打开 {}：{e}", file.display())))?;
    let name = file.file_name().map(|n| n.to_string_lossy().to_string());
    let table = open_reader(
        f,
        name.as_deref(),
        &ReadOptions {
            sheet: sheet.clone(),
            ..Default::default()
        },
    )
    .map_err(|e| CliError::new(e.code, e.message))?;
    let h = table.headers.clone();
    let name_col = column(
        &h,
        &["被执行人姓名/名称", "被执行人", "名称", "姓名", "name"],
    );
    let uscc_col = column(&h, &["统一社会信用代码", "uscc"]);
    let id_col = column(
        &h,
        &["身份证号码", "证件号码", "居民身份证号码", "id_number"],
    );
    let case_col = column(&h, &["案号", "执行案号", "case_no"]);
    let Some(name_col) = name_col else {
        return Err(
            CliError::new("missing_columns", "文件须含“被执行人姓名/名称”或“名称”列").into(),
        );
    };
    let cell = |cells: &[String], c: Option<usize>| {
        c.and_then(|i| cells.get(i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut rows = Vec::new();
    for r in table {
        match r {
            Ok(r) => rows.push(SourceRow {
                row: r.row,
                name: cell(&r.cells, Some(name_col)).unwrap_or_default(),
                uscc: cell(&r.cells, uscc_col),
                id_number: cell(&r.cells, id_col),
                case_no: cell(&r.cells, case_col).unwrap_or_default(),
            }),
            Err(chengxin_ingest::error::ReadIssue::Row(e)) => {
                return Err(
                    CliError::new("bad_row", format!("第 {} 行：{}", e.row, e.message)).into(),
                )
            }
            Err(chengxin_ingest::error::ReadIssue::Fatal(e)) => {
                return Err(CliError::new(e.code, e.message).into())
            }
        }
    }
    let hasher = crate::setup::id_hasher(cfg)?;
    let report = refresh_imported(
        store.as_ref(),
        &hasher,
        "cli:lists-refresh-court",
        COURT_LIST,
        rows,
        chengxin_store::clock::today_in_china(),
    )
    .await
    .map_err(CliError::from)?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `chengxin lists …`: migrate, then run.
pub(crate) async fn command(cfg: &Config, op: &ListsOp) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    run(cfg, store, op).await
}
