//! `chengxin report timeliness`: the 双公示 timeliness report, as a table or JSON.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::error::app_err;
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
