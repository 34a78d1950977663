//! `chengxin`: the one binary. `serve` runs the server; the other subcommands administer the
//! store and expose the domain rules (code validation, working days) to scripts.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod accounts_cmd;

mod backup;
mod bench;
mod bench_checks;
mod check_cmd;
mod config;
mod demo;
mod lists_cmd;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::codes;
use chengxin_domain::regions::RegionTable;
use chengxin_domain::subjects::IdHasher;
use chengxin_store::{Store, StoreError};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::config::{Config, DEFAULT_DATA_DIR};

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
    },
    /// Validate USCCs / ID numbers: one JSON object per line per code.
    ValidateCode {
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Working days on the official calendar (statutory holidays and 调休 included).
    Workdays {
        #[command(subcommand)]
        op: WorkdaysOp,
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
        op: BatchOp,
    },
    /// Benchmarks (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        op: BenchOp,
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
        op: ReportOp,
    },
    /// Read or change one record.
    Record {
        #[command(subcommand)]
        op: RecordOp,
    },
    /// Key management.
    Keys {
        #[command(subcommand)]
        op: KeysOp,
    },
    /// Administrator set-up (`admin init` on first run).
    Admin {
        #[command(subcommand)]
        op: accounts_cmd::AdminOp,
    },
    /// Staff accounts.
    Account {
        #[command(subcommand)]
        op: accounts_cmd::AccountOp,
    },
    /// API tokens for departments and external systems.
    Token {
        #[command(subcommand)]
        op: accounts_cmd::TokenOp,
    },
    /// Lists (名单): refresh the court's list from its source.
    Lists {
        #[command(subcommand)]
        op: lists_cmd::ListsOp,
    },
    /// Check a file of parties (CSV/XLSX) in a scenario; writes an XLSX report.
    Check(check_cmd::CheckArgs),
    /// Consistent backup while the server runs (SQLite online snapshot, PostgreSQL pg_dump).
    Backup(backup::BackupArgs),
    /// Restore a backup (server stopped), then verify it.
    Restore(backup::RestoreArgs),
}

#[derive(Subcommand, Debug)]
enum WorkdaysOp {
    /// The N-th working day after DATE (DATE itself not counted).
    Add { date: String, n: u32 },
    /// Working days d with FROM < d <= TO.
    Between { from: String, to: String },
}

#[derive(Subcommand, Debug)]
enum BenchOp {
    /// Parse/validate and end-to-end import throughput against raw-backend baselines.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long, default_value_t = 10)]
        bad_per_mille: u32,
        /// Working folder for the generated file and databases.
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL for the PostgreSQL half (omit to skip it).
        #[arg(long)]
        pg: Option<String>,
    },
    /// The check engine: index build, in-process and HTTP throughput, against pgbench.
    Checks {
        #[arg(long, default_value_t = 200_000)]
        subjects: u64,
        /// Write the subjects and their list entries straight into the tables with COPY
        /// (every subject listed) instead of importing a generated file: the way to 10M.
        #[arg(long)]
        direct: bool,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL (a fresh schema is created and dropped).
        #[arg(long)]
        pg: String,
        /// Seconds for pgbench and the HTTP load.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

#[derive(Subcommand, Debug)]
enum BatchOp {
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

#[derive(Subcommand, Debug)]
enum ReportOp {
    /// 双公示 timeliness: share published within 7 working days, per department; late records.
    Timeliness {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// Only this department (USCC).
        #[arg(long)]
        dept: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum RecordOp {
    /// Print a record with its history (JSON).
    Show { id: String },
    /// Apply a lifecycle action: publish, correct, revoke, tolerate, expire.
    Transition {
        id: String,
        action: String,
        /// The version you last saw.
        #[arg(long)]
        version: i64,
        #[arg(long)]
        note: Option<String>,
        /// New fields as a JSON object (correct only).
        #[arg(long)]
        fields: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum KeysOp {
    /// Print the change-log signing public key (hex), for publishing.
    ExportPublic,
}

/// An error with a stable code, printed as `错误[code]：message`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct CliError {
    code: &'static str,
    message: String,
    exit: u8,
}

impl CliError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            exit: 2,
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::new(e.code(), e.to_string())
    }
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
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHENGXIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
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

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Admin { op } => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            accounts_cmd::admin(&cfg, store, op).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Account { op } => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            accounts_cmd::account(&cfg, store, op).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { op } => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            accounts_cmd::token(store, op).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Lists { op } => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            lists_cmd::run(&cfg, store, op).await
        }
        Command::Check(args) => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            check_cmd::run(&cfg, store, args).await
        }
        Command::Backup(args) => backup::backup(&config(&cli, None), args).await,
        Command::Restore(args) => backup::restore(&config(&cli, None), args).await,
        Command::ValidateCode { codes: inputs } => Ok(validate_codes(inputs)),
        Command::Workdays { op } => workdays(op),
        Command::Catalog { json } => catalog(*json),
        Command::Serve { listen, demo } => serve(config(&cli, Some(*listen)), *demo).await,
        Command::Migrate => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            let (seq, hash) = store.log_head().await?;
            println!(
                "{}",
                serde_json::json!({"migrated": true, "log_seq": seq, "log_head": hash})
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { public_key, json } => {
            verify(&config(&cli, None), public_key.as_deref(), *json).await
        }
        Command::Demo => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            load_demo(&cfg, &store).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Expire { today: day } => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            let day = match day {
                Some(d) => parse_date(d)?,
                None => china_today(),
            };
            let n = chengxin_server::services::records::expire_due(
                store.as_ref(),
                "system:expire",
                day,
            )
            .await
            .map_err(api_err)?;
            checkpoint(&cfg, &store).await?;
            println!("{}", serde_json::json!({"expired": n, "as_of": day}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            op:
                ReportOp::Timeliness {
                    from,
                    to,
                    dept,
                    json,
                },
        } => {
            let cfg = config(&cli, None);
            let store = open_and_migrate(&cfg).await?;
            let r = chengxin_server::services::reports::timeliness(
                store.as_ref(),
                parse_date(from)?,
                parse_date(to)?,
                dept.as_deref(),
                china_today(),
            )
            .await
            .map_err(api_err)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print_timeliness(&r);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Record { op } => record_command(&config(&cli, None), op).await,
        Command::Import {
            type_code,
            dept,
            sheet,
            published_at,
            files,
        } => {
            let cfg = config(&cli, None);
            import_command(
                &cfg,
                type_code,
                dept,
                sheet.clone(),
                published_at.as_deref(),
                files,
            )
            .await
        }
        Command::Batch { op } => batch_command(&config(&cli, None), op).await,
        Command::Bench {
            op:
                BenchOp::Import {
                    rows,
                    bad_per_mille,
                    dir,
                    pg,
                },
        } => {
            let report = bench::import_bench(*rows, *bad_per_mille, dir, pg.as_deref()).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(if report.counts_ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Bench {
            op:
                BenchOp::Checks {
                    subjects,
                    direct,
                    dir,
                    pg,
                    seconds,
                },
        } => {
            let report = bench_checks::run(*subjects, *direct, dir, pg, *seconds).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::GenRecords {
            rows,
            bad_per_mille,
            seed,
            output,
        } => {
            let f = std::fs::File::create(output).map_err(|e| {
                CliError::new("io_error", format!("无法创建 {}：{e}", output.display()))
            })?;
            let summary = chengxin_ingest::gen::gen_penalty_csv(
                std::io::BufWriter::new(f),
                *rows,
                *bad_per_mille,
                *seed,
            )
            .map_err(|e| CliError::new("io_error", format!("写入失败：{e}")))?;
            println!(
                "{}",
                serde_json::json!({"rows": summary.rows, "good": summary.good, "bad": summary.bad, "output": output})
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            op: KeysOp::ExportPublic,
        } => {
            let cfg = config(&cli, None);
            let signer = cfg.key_dir().signer()?.ok_or_else(|| {
                CliError::new("key_missing", "签名密钥尚未创建，请先运行 chengxin migrate")
            })?;
            println!("{}", hex_key(&signer));
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn import_command(
    cfg: &Config,
    type_code: &str,
    dept: &str,
    sheet: Option<String>,
    published_at: Option<&str>,
    files: &[PathBuf],
) -> anyhow::Result<ExitCode> {
    let published_at = match published_at {
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| {
                    CliError::new(
                        "invalid_date",
                        format!(
                            "--published-at“{s}”应为 RFC 3339 时间，如 2025-02-10T09:00:00+08:00"
                        ),
                    )
                })?
                .with_timezone(&chrono::Utc),
        ),
        None => None,
    };
    let store = open_and_migrate(cfg).await?;
    let hasher = id_hasher(cfg)?;
    let mut all_ok = true;
    for file in files {
        let req = chengxin_server::services::imports::ImportRequest {
            type_code: type_code.to_string(),
            source_dept: dept.trim().to_ascii_uppercase(),
            file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
            sheet: sheet.clone(),
            published_at,
            actor: "cli:import".into(),
            today: china_today(),
        };
        match chengxin_server::services::imports::import_file(
            store.clone(),
            hasher.clone(),
            file.clone(),
            req,
        )
        .await
        {
            Ok(summary) => {
                all_ok &= summary.batch.rejected == 0;
                println!(
                    "{}",
                    serde_json::to_string(&serde_json::json!({"file": file, "summary": summary}))?
                );
            }
            Err(e) => {
                all_ok = false;
                println!(
                    "{}",
                    serde_json::json!({"file": file, "error": {"code": e.code(), "message": e.to_string()}})
                );
            }
        }
    }
    checkpoint(cfg, &store).await?;
    // Exit 1 when any row was rejected or any file refused: scripts can tell.
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn batch_command(cfg: &Config, op: &BatchOp) -> anyhow::Result<ExitCode> {
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
            let cipher = chengxin_access::PiiCipher::from_id_hasher(&id_hasher(cfg)?);
            let bytes = chengxin_server::services::imports::error_report(
                store.as_ref(),
                &cipher,
                parse_id(id)?,
                xlsx,
            )
            .await
            .map_err(api_err)?;
            std::fs::write(output, bytes).map_err(|e| {
                CliError::new("io_error", format!("无法写入 {}：{e}", output.display()))
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn api_err(e: chengxin_server::error::ApiError) -> CliError {
    CliError::new(e.code(), e.to_string())
}

/// Today in China Standard Time: deadlines and publication days are counted in it.
fn china_today() -> NaiveDate {
    chengxin_domain::reports::china_date(chrono::Utc::now())
}

async fn checkpoint(cfg: &Config, store: &Arc<dyn Store>) -> anyhow::Result<()> {
    if let Some(signer) = cfg.key_dir().signer()? {
        store.checkpoint(&signer).await?;
    }
    Ok(())
}

fn print_timeliness(r: &chengxin_domain::reports::TimelinessReport) {
    println!(
        "双公示及时率 {} 至 {}（截至 {}，期限 {} 个工作日）",
        r.from, r.to, r.as_of, r.deadline_working_days
    );
    println!(
        "{:<20} {:>6} {:>6} {:>6} {:>6} {:>8}",
        "部门", "总数", "及时", "超期", "待公示", "及时率"
    );
    for d in r.departments.iter().chain(std::iter::once(&r.total)) {
        let rate = d
            .rate
            .map_or("-".to_string(), |x| format!("{:.1}%", x * 100.0));
        println!(
            "{:<20} {:>6} {:>6} {:>6} {:>6} {:>8}",
            d.source_dept, d.total, d.on_time, d.late, d.pending, rate
        );
    }
    if !r.late.is_empty() {
        println!("\n超期记录：");
        for l in &r.late {
            println!(
                "  {} {} 决定 {} 期限 {} 公示 {} （{} 个工作日）",
                l.source_dept,
                l.doc_no,
                l.decision_date,
                l.deadline,
                l.published_on
                    .map_or("未公示".to_string(), |d| d.to_string()),
                l.working_days
            );
        }
    }
}

async fn record_command(cfg: &Config, op: &RecordOp) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    let parse_id = |s: &str| {
        uuid::Uuid::parse_str(s.trim())
            .map_err(|_| CliError::new("invalid_id", format!("“{s}”不是合法的记录编号")))
    };
    match op {
        RecordOp::Show { id } => {
            let id = parse_id(id)?;
            let r = store
                .record(id)
                .await?
                .ok_or_else(|| CliError::new("not_found", format!("记录 {id} 不存在")))?;
            let h = store.record_history(id).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"record": r, "history": h}))?
            );
        }
        RecordOp::Transition {
            id,
            action,
            version,
            note,
            fields,
        } => {
            let id = parse_id(id)?;
            let action = chengxin_domain::records::RecordAction::parse(action)
                .ok_or_else(|| CliError::new("unknown_action", format!("未知的操作“{action}”")))?;
            let fields = match fields {
                Some(f) => Some(
                    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(f).map_err(
                        |e| CliError::new("invalid_json", format!("--fields 不是 JSON 对象：{e}")),
                    )?,
                ),
                None => None,
            };
            let r = chengxin_server::services::records::transition(
                store.as_ref(),
                "cli:operator",
                id,
                action,
                *version,
                note.clone(),
                fields,
            )
            .await
            .map_err(api_err)?;
            checkpoint(cfg, &store).await?;
            println!("{}", serde_json::to_string(&r)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hex_key(signer: &chengxin_store::LogSigner) -> String {
    signer
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn validate_codes(inputs: &[String]) -> ExitCode {
    let regions = RegionTable::national();
    let today = today();
    let mut all_valid = true;
    for input in inputs {
        let report = codes::classify(input, regions, today);
        all_valid &= report.valid;
        match serde_json::to_string(&report) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("错误[serialize]：{e}");
                return ExitCode::from(2);
            }
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::new(
            "invalid_date",
            format!("日期“{s}”格式错误，应为 YYYY-MM-DD"),
        )
    })
}

fn workdays(op: &WorkdaysOp) -> anyhow::Result<ExitCode> {
    let cal =
        WorkCalendar::official_checked().map_err(|e| CliError::new(e.code(), e.to_string()))?;
    let cal_err =
        |e: chengxin_domain::calendar::CalendarError| CliError::new(e.code(), e.to_string());
    match op {
        WorkdaysOp::Add { date, n } => {
            let d = cal
                .add_working_days(parse_date(date)?, *n)
                .map_err(cal_err)?;
            println!("{}", d.format("%Y-%m-%d"));
        }
        WorkdaysOp::Between { from, to } => {
            let n = cal
                .working_days_between(parse_date(from)?, parse_date(to)?)
                .map_err(cal_err)?;
            println!("{n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn catalog(json: bool) -> anyhow::Result<ExitCode> {
    let cat = Catalog::default_checked().map_err(|e| CliError::new(e.code(), e.to_string()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(cat)?);
    } else {
        println!("信用信息目录 版本 {}", cat.version());
        for t in cat.types() {
            println!("\n{}  {}（{}）", t.code, t.name, t.name_en);
            for f in &t.fields {
                println!(
                    "    {:<40} {}{}",
                    f.name,
                    f.title,
                    if f.required { "  [必填]" } else { "" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Open the store, create keys on first run, apply migrations and load the catalog.
async fn open_and_migrate(cfg: &Config) -> anyhow::Result<Arc<dyn Store>> {
    tracing::info!(db = %chengxin_store::redact_url(&cfg.db_url), "opening database");
    let store = chengxin_store::open(&cfg.db_url).await?;
    let catalog = Catalog::default_checked().map_err(|e| CliError::new(e.code(), e.to_string()))?;
    let signer = cfg.key_dir().signer_or_create()?;
    let report = store.migrate(catalog, &signer, "system:migrate").await?;
    tracing::info!(?report, "database migrated");
    Ok(store)
}

pub(crate) fn id_hasher(cfg: &Config) -> anyhow::Result<IdHasher> {
    let key = match &cfg.id_hash_key {
        Some(hex) => chengxin_store::keys::parse_hex32(hex.trim())
            .ok_or_else(|| CliError::new("key_error", "CHENGXIN_ID_HASH_KEY 应为64位十六进制"))?,
        None => cfg.key_dir().id_hash_key_or_create()?,
    };
    Ok(IdHasher::new(key))
}

async fn load_demo(cfg: &Config, store: &Arc<dyn Store>) -> anyhow::Result<()> {
    let hasher = id_hasher(cfg)?;
    let report = demo::load(store.as_ref(), &hasher, today())
        .await
        .context("加载演示数据失败")?;
    if report.already_loaded {
        tracing::info!("demo data already loaded");
    } else {
        tracing::info!(
            subjects = report.subjects,
            employments = report.employments,
            records = report.records,
            "demo data loaded"
        );
    }
    if let Some(signer) = cfg.key_dir().signer()? {
        store.checkpoint(&signer).await?;
    }
    Ok(())
}

async fn verify(
    cfg: &Config,
    public_key: Option<&std::path::Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let trusted = match public_key {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::new(
                    "key_error",
                    format!("无法读取公钥文件 {}：{e}", path.display()),
                )
            })?;
            vec![chengxin_store::keys::parse_public_key(&text)?]
        }
        None => match cfg.key_dir().signer()? {
            Some(s) => vec![s.verifying_key()],
            None => {
                return Err(CliError::new(
                    "key_missing",
                    "找不到签名密钥文件，请用 --public-key 指定已发布的公钥",
                )
                .into())
            }
        },
    };
    let store = chengxin_store::open(&cfg.db_url).await?;
    if !store.is_migrated().await? {
        return Err(StoreError::NotMigrated.into());
    }
    let report = store.verify(&trusted).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if report.ok {
        println!(
            "校验通过：变更日志 {} 条，链头 {}，已签名至第 {} 条，核对数据 {} 行",
            report.entries,
            report.head_hash,
            report
                .last_signed_seq
                .map_or("-".to_string(), |s| s.to_string()),
            report.rows_checked
        );
    } else {
        println!("校验失败，发现 {} 处问题：", report.problems.len());
        for p in &report.problems {
            println!("  - {p}");
        }
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A province's own credit-rights rules (`CHENGXIN_RIGHTS_RULES=<file>`), checked at start-up:
/// a broken file stops the server rather than falling back silently.
fn rights_rules_from_env() -> anyhow::Result<Option<Arc<chengxin_domain::rights::RightsRules>>> {
    let Ok(path) = std::env::var("CHENGXIN_RIGHTS_RULES") else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::new(
            "rights_rules_unreadable",
            format!("无法读取权益保护规则文件 {path}：{e}"),
        )
    })?;
    let rules = chengxin_domain::rights::RightsRules::parse(&text)
        .map_err(|e| CliError::new(e.code(), format!("{path}：{e}")))?;
    tracing::info!(path = %path, version = %rules.version, "credit-rights rules loaded");
    Ok(Some(Arc::new(rules)))
}

/// This deployment's implementing departments (`CHENGXIN_DEPARTMENT_BODIES=<file>`), checked
/// against the measures catalog at start-up: a broken file stops the server.
fn department_bodies_from_env(
) -> anyhow::Result<Option<Arc<chengxin_domain::lists::bodies::DepartmentBodies>>> {
    let Ok(path) = std::env::var("CHENGXIN_DEPARTMENT_BODIES") else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::new(
            "department_bodies_unreadable",
            format!("无法读取实施部门对照表 {path}：{e}"),
        )
    })?;
    let joint = chengxin_domain::lists::JointCatalog::default_checked()
        .map_err(|e| CliError::new(e.code(), e.to_string()))?;
    let bodies = chengxin_domain::lists::bodies::DepartmentBodies::parse(&text, joint)
        .map_err(|e| CliError::new(e.code(), format!("{path}：{e}")))?;
    tracing::info!(path = %path, version = %bodies.version, "implementing departments loaded");
    Ok(Some(Arc::new(bodies)))
}

async fn serve(cfg: Config, demo: bool) -> anyhow::Result<ExitCode> {
    // Bind first: a second server on the same port fails before touching the database.
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| {
            CliError::new(
                "listen_failed",
                format!("无法监听 {}：{e}（端口可能已被占用）", cfg.listen),
            )
        })?;
    let store = open_and_migrate(&cfg).await?;
    if demo {
        load_demo(&cfg, &store).await?;
    }
    let signer = Arc::new(cfg.key_dir().signer_or_create()?);
    let mut app = chengxin_server::App::new(
        store.clone(),
        id_hasher(&cfg)?,
        cfg.data_dir.join("uploads"),
        cfg.auth.clone(),
    )
    .with_report_key(cfg.key_dir().report_key_or_create()?);
    if let Some(issuer) = &cfg.report_issuer {
        app.report_issuer = issuer.clone();
    }
    if let Some(url) = &cfg.public_url {
        app.report_verify_url = format!("{}/portal/verify", url.trim_end_matches('/'));
    }
    app.rights_rules = rights_rules_from_env()?;
    app.department_bodies = department_bodies_from_env()?;
    let state = Arc::new(app);
    // The check index: built now, then kept current by tailing the change log every second
    // (so several servers over one PostgreSQL agree within about a second).
    let started = std::time::Instant::now();
    state
        .checks
        .build(store.as_ref())
        .await
        .map_err(|e| CliError::new(e.code(), e.to_string()))?;
    tracing::info!(
        subjects = state.checks.size(),
        ms = started.elapsed().as_millis() as u64,
        "check index built"
    );
    let audit_writer = tokio::spawn(state.audit_queue.clone().run(store.clone()));
    let ck_state = state.clone();
    let tailer = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = ck_state.checks.catch_up(ck_state.store.as_ref()).await {
                tracing::warn!(error = %e, "check index refresh failed");
            }
        }
    });
    // End publication periods as they run out (hourly; the record stays, hidden from the public).
    let ex_store = store.clone();
    let retention_days = cfg.auth.audit_retention_days;
    let expirer = tokio::spawn(async move {
        let mut last_reminded: Option<NaiveDate> = None;
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match chengxin_server::services::records::expire_due(
                ex_store.as_ref(),
                "system:expire",
                china_today(),
            )
            .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "publication periods ended"),
                Err(e) => tracing::warn!(error = %e, "expiry job failed"),
            }
            // Closed-loop reminders and escalations, once a day.
            let today = china_today();
            if last_reminded != Some(today) {
                match chengxin_server::services::cases::remind(ex_store.as_ref(), today).await {
                    Ok(r) if r.is_empty() => {}
                    Ok(r) => tracing::info!(reminders = r.len(), "closed-loop reminders recorded"),
                    Err(e) => tracing::warn!(error = %e, "closed-loop reminder job failed"),
                }
                last_reminded = Some(today);
            }
            // Audit retention: events older than the configured period (≥ 180 days) go;
            // their deletion is itself in the change log.
            let before = chengxin_store::changelog::now() - chrono::Duration::days(retention_days);
            match ex_store.purge_audit("system:retention", before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "old audit events removed"),
                Err(e) => tracing::warn!(error = %e, "audit retention job failed"),
            }
        }
    });
    // Sign the chain head periodically so rewriting history is detectable.
    let cp_store = store.clone();
    let cp_signer = signer.clone();
    let checkpointer = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if let Err(e) = cp_store.checkpoint(&cp_signer).await {
                tracing::warn!(error = %e, "checkpoint failed");
            }
        }
    });
    tracing::info!(listen = %cfg.listen, backend = ?store.backend(), "chengxin serving");
    eprintln!("诚信 Chengxin 已启动：http://{}/", cfg.listen);
    chengxin_server::serve(listener, state.clone(), shutdown_signal()).await?;
    checkpointer.abort();
    expirer.abort();
    tailer.abort();
    // Lose no query log: the writer writes what is still queued, then stops.
    state.audit_queue.stop();
    match tokio::time::timeout(Duration::from_secs(30), audit_writer).await {
        Ok(_) => {}
        Err(_) => tracing::error!(
            queued = state.audit_queue.len(),
            "query log not flushed at shutdown (database unavailable)"
        ),
    }
    store.checkpoint(&signer).await?;
    tracing::info!("chengxin stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; draining requests");
}
