//! `chengxin report timeliness`: the 双公示 timeliness report, as a table or JSON.
//! `chengxin report verify FILE.pdf --public-key KEY`: a credit report checked offline (no
//! server, no database): its signature, the signed tree head it carries, and each inclusion
//! proof against the head's root (issue 21).

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::error::{app_err, CliError};
use crate::setup::{china_today, open_and_migrate, parse_date};

#[derive(Subcommand, Debug)]
pub(crate) enum ReportOp {
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
    /// Check a credit report PDF offline: the report's signature, the signed tree head it was
    /// issued under and every inclusion proof it carries. No server, no database.
    Verify {
        /// The report (PDF).
        file: std::path::PathBuf,
        /// The issuer's report public key: 64 hex characters, or a file holding them
        /// (`/api/v1/health` publishes it).
        #[arg(long)]
        public_key: String,
        /// The change log's public key, if the verifier holds it: the head must be signed with
        /// it (else the key the report vouches for is used).
        #[arg(long)]
        log_key: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// A key given as 64 hex characters or as a file holding them.
fn key_arg(arg: &str, what: &str) -> anyhow::Result<chengxin_store::heads::VerifyingKey> {
    let text = if arg.trim().len() == 64 && arg.trim().bytes().all(|b| b.is_ascii_hexdigit()) {
        arg.to_string()
    } else {
        std::fs::read_to_string(arg)
            .map_err(|e| CliError::new("key_error", format!("无法读取{what}文件 {arg}：{e}")))?
    };
    Ok(chengxin_store::keys::parse_public_key(&text)
        .map_err(|e| CliError::new("key_error", format!("{what}：{e}")))?)
}

fn verify_file(
    file: &std::path::Path,
    public_key: &str,
    log_key: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let key = key_arg(public_key, "报告公钥")?;
    let log_key = log_key.map(|k| key_arg(k, "日志公钥")).transpose()?;
    let pdf = std::fs::read(file).map_err(|e| {
        CliError::new(
            "file_unreadable",
            format!("无法读取报告文件 {}：{e}", file.display()),
        )
    })?;
    let outcome = chengxin_app::credit_reports::verify_offline(&pdf, &key, log_key.as_ref());
    if json {
        println!("{}", outcome.json);
    } else if outcome.valid {
        for line in &outcome.lines {
            println!("{line}");
        }
    } else {
        for line in &outcome.lines {
            eprintln!("{line}");
        }
    }
    Ok(if outcome.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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

pub(crate) async fn run(cfg: &Config, op: &ReportOp) -> anyhow::Result<ExitCode> {
    match op {
        ReportOp::Verify {
            file,
            public_key,
            log_key,
            json,
        } => verify_file(file, public_key, log_key.as_deref(), *json),
        ReportOp::Timeliness {
            from,
            to,
            dept,
            json,
        } => {
            let store = open_and_migrate(cfg).await?;
            let r = chengxin_app::reports::timeliness(
                store.as_ref(),
                parse_date(from)?,
                parse_date(to)?,
                dept.as_deref(),
                china_today(),
            )
            .await
            .map_err(app_err)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print_timeliness(&r);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
