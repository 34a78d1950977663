//! `chengxin`: the one binary. `serve` runs the server; the other subcommands administer the
//! store and expose the domain rules (code validation, working days) to scripts.

mod bench;
mod bench_arrears;
mod bench_checks;
mod bench_commitments;
mod bench_evaluation;
mod bench_feed;
mod bench_merkle;
mod bench_responsibility;
mod bench_search;
mod bench_work_items;
mod commands;
mod config;
mod demo;
mod error;
mod output;
mod setup;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use chengxin_store::StoreError;
use clap::{Parser, Subcommand};

use crate::commands::{
    accounts, backup, batch, bench as bench_cmd, calendar, catalog, check, demo as demo_cmd,
    expire, gen_records, import, keys, lists, migrate, records, report, serve, validate_code,
    workdays,
};
use crate::config::{Config, DEFAULT_DATA_DIR};
// Paths the commands left in place (`backup`) use: `crate::CliError`, `crate::verify`.
pub(crate) use crate::commands::verify::verify;
pub(crate) use crate::error::CliError;

/// Log target of the events that lived in `main.rs` before the commands got their own
/// modules: kept, so log filters and JSON log consumers see no change.
pub(crate) const LOG_TARGET: &str = "chengxin";

#[derive(Parser, Debug)]
#[command(
    name = "chengxin",
    version,
    about = "诚信 — 政务诚信信息系统 (government integrity credit system)"
)]
struct Cli {
    /// Database URL: sqlite://PATH (default: a file in the data dir) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "CHENGXIN_DB")]
    db: Option<String>,
    /// Folder for the embedded database and the key files.
    #[arg(long, global = true, env = "CHENGXIN_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Log format on stderr.
    #[arg(long, global = true, env = "CHENGXIN_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the HTTP server (migrates the database first).
    Serve {
        #[arg(long, env = "CHENGXIN_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Serve `/metrics` on this second address too (and only there, unless
        /// `CHENGXIN_METRICS_TOKEN` is set).
        #[arg(long, env = "CHENGXIN_METRICS_LISTEN")]
        metrics_listen: Option<SocketAddr>,
        /// Load the deterministic demo city (once; idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Create or upgrade the schema, create the keys, load the catalog.
    Migrate,
    /// Recompute the change-log chain and every row's digest; non-zero exit on any mismatch.
    Verify {
        /// Trust this exported public key (hex) instead of the local key file.
        #[arg(long)]
        public_key: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Prove the log consistent with the signed tree heads in this file, kept outside the
        /// database (the heads file, or a witness's copy): erased recent history fails.
        #[arg(long, value_name = "HEAD_FILE")]
        against: Option<PathBuf>,
    },
    /// Validate USCCs / ID numbers: one JSON object per line per code.
    ValidateCode {
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Working days on the official calendar (statutory holidays and 调休 included).
    Workdays {
        #[command(subcommand)]
        op: workdays::WorkdaysOp,
    },
    /// The official calendar as run-time data: load a year's schedule, show the coverage.
    Calendar {
        #[command(subcommand)]
        op: calendar::CalendarOp,
    },
    /// List the catalog's record types.
    Catalog {
        #[arg(long)]
        json: bool,
    },
    /// Load the demo data without serving.
    Demo,
    /// Import record files (CSV UTF-8/GB18030, XLSX, JSON Lines) as one batch per file.
    Import {
        /// Catalog type code (see `chengxin catalog`).
        #[arg(long = "type")]
        type_code: String,
        /// USCC of the submitting department.
        #[arg(long)]
        dept: String,
        /// XLSX sheet name (default: the first sheet).
        #[arg(long)]
        sheet: Option<String>,
        /// Record this publication time (RFC 3339) instead of now — for backfilling records
        /// published on an older platform.
        #[arg(long)]
        published_at: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Batches: the error report of rejected rows.
    Batch {
        #[command(subcommand)]
        op: batch::BatchOp,
    },
    /// Benchmarks (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        op: bench_cmd::BenchOp,
    },
    /// Write a deterministic 行政处罚 CSV for tests and benchmarks.
    GenRecords {
        #[arg(long, default_value_t = 1000)]
        rows: u64,
        /// Bad rows per thousand.
        #[arg(long, default_value_t = 10)]
        bad_per_mille: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, short)]
        output: PathBuf,
    },
    /// End publication of records whose period is over (also runs hourly in `serve`).
    Expire {
        /// Treat this day as today (YYYY-MM-DD); default: today in China time.
        #[arg(long)]
        today: Option<String>,
    },
    /// Reports.
    Report {
        #[command(subcommand)]
        op: report::ReportOp,
    },
    /// Read or change one record.
    Record {
        #[command(subcommand)]
        op: records::RecordOp,
    },
    /// Key management.
    Keys {
        #[command(subcommand)]
        op: keys::KeysOp,
    },
    /// Administrator set-up (`admin init` on first run).
    Admin {
        #[command(subcommand)]
        op: accounts::AdminOp,
    },
    /// Staff accounts.
    Account {
        #[command(subcommand)]
        op: accounts::AccountOp,
    },
    /// API tokens for departments and external systems.
    Token {
        #[command(subcommand)]
        op: accounts::TokenOp,
    },
    /// Lists (名单): refresh the court's list from its source.
    Lists {
        #[command(subcommand)]
        op: lists::ListsOp,
    },
    /// Check a file of parties (CSV/XLSX) in a scenario; writes an XLSX report.
    Check(check::CheckArgs),
    /// Consistent backup while the server runs (SQLite online snapshot, PostgreSQL pg_dump).
    Backup(backup::BackupArgs),
    /// Restore a backup (server stopped), then verify it.
    Restore(backup::RestoreArgs),
    /// Commitments (承诺): the daily reminder and escalation sweep.
    Commitments {
        #[command(subcommand)]
        op: commands::commitments::CommitmentsOp,
    },
    /// Arrears (拖欠账款): the daily sweep (overdue payments enter the ledger; beyond the limit,
    /// a 失信 record of the body).
    Arrears {
        #[command(subcommand)]
        op: commands::arrears::ArrearsOp,
    },
    /// Import a 12345 hotline work-order export (CSV/XLSX) as complaint work items
    /// (idempotent by 工单编号; refused rows listed with codes).
    ImportHotline(commands::hotline::HotlineArgs),
    /// Exports to other platforms: the national platform's daily files (`export national`).
    Export {
        #[command(subcommand)]
        op: commands::export::ExportOp,
    },
    /// 逐级归集: pull the lower instances' change feeds (`CHENGXIN_FEED_SOURCES`), or show
    /// each link's cursor, lag and last error.
    Feed {
        #[command(subcommand)]
        op: commands::feed::FeedOp,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误[runtime]：无法启动运行时：{e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            if let Some(ce) = e.downcast_ref::<CliError>() {
                eprintln!("错误[{}]：{}", ce.code, ce.message);
                ExitCode::from(ce.exit)
            } else if let Some(se) = e.downcast_ref::<StoreError>() {
                eprintln!("错误[{}]：{}", se.code(), se);
                ExitCode::from(2)
            } else {
                eprintln!("错误[error]：{e:#}");
                ExitCode::from(2)
            }
        }
    }
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHENGXIN_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!(
            "info,{}=warn,tower_http=info",
            chengxin_store::DRIVER_LOG_TARGET
        ))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn config(cli: &Cli, listen: Option<SocketAddr>) -> Config {
    Config {
        db_url: cli
            .db
            .clone()
            .unwrap_or_else(|| Config::default_db_url(&cli.data_dir)),
        data_dir: cli.data_dir.clone(),
        id_hash_key: std::env::var("CHENGXIN_ID_HASH_KEY").ok(),
        listen: listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
        metrics_listen: None,
        auth: config::auth_from_env(),
        report_issuer: env_text("CHENGXIN_REPORT_ISSUER"),
        public_url: env_text("CHENGXIN_PUBLIC_URL"),
    }
}

/// A non-blank environment variable, trimmed.
fn env_text(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cfg = || config(&cli, None);
    match &cli.command {
        Command::Admin { op } => accounts::admin_command(&cfg(), op).await,
        Command::Account { op } => accounts::account_command(&cfg(), op).await,
        Command::Token { op } => accounts::token_command(&cfg(), op).await,
        Command::Lists { op } => lists::command(&cfg(), op).await,
        Command::Check(args) => check::command(&cfg(), args).await,
        Command::Backup(args) => backup::backup(&cfg(), args).await,
        Command::Restore(args) => backup::restore(&cfg(), args).await,
        Command::ValidateCode { codes: inputs } => Ok(validate_code::run(inputs)),
        Command::Workdays { op } => workdays::run(op),
        Command::Calendar { op } => calendar::run(&cfg(), op).await,
        Command::Catalog { json } => catalog::run(*json),
        Command::Serve {
            listen,
            metrics_listen,
            demo,
        } => {
            let mut c = config(&cli, Some(*listen));
            c.metrics_listen = *metrics_listen;
            serve::run(c, *demo).await
        }
        Command::Migrate => migrate::run(&cfg()).await,
        Command::Verify {
            public_key,
            json,
            against,
        } => verify(&cfg(), public_key.as_deref(), *json, against.as_deref()).await,
        Command::Demo => demo_cmd::run(&cfg()).await,
        Command::Expire { today: day } => expire::run(&cfg(), day.as_deref()).await,
        Command::Feed { op } => commands::feed::run(&cfg(), op).await,
        Command::Report { op } => report::run(&cfg(), op).await,
        Command::Record { op } => records::run(&cfg(), op).await,
        Command::Import {
            type_code,
            dept,
            sheet,
            published_at,
            files,
        } => {
            import::run(
                &cfg(),
                type_code,
                dept,
                sheet.clone(),
                published_at.as_deref(),
                files,
            )
            .await
        }
        Command::Batch { op } => batch::run(&cfg(), op).await,
        Command::Bench { op } => bench_cmd::run(op).await,
        Command::GenRecords {
            rows,
            bad_per_mille,
            seed,
            output,
        } => gen_records::run(*rows, *bad_per_mille, *seed, output),
        Command::Keys { op } => keys::run(&cfg(), op),
        Command::Commitments { op } => commands::commitments::run(&cfg(), op).await,
        Command::Arrears { op } => commands::arrears::run(&cfg(), op).await,
        Command::ImportHotline(a) => commands::hotline::run(&cfg(), a).await,
        Command::Export { op } => commands::export::run(&cfg(), op).await,
    }
}
