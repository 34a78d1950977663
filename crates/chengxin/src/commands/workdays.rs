//! `chengxin workdays add|between`: working days on the official calendar.

use std::process::ExitCode;

use chengxin_domain::calendar::WorkCalendar;
use clap::Subcommand;

use crate::error::CliError;
use crate::setup::parse_date;

#[derive(Subcommand, Debug)]
pub(crate) enum WorkdaysOp {
    /// The N-th working day after DATE (DATE itself not counted).
    Add { date: String, n: u32 },
    /// Working days d with FROM < d <= TO.
    Between { from: String, to: String },
}

pub(crate) fn run(op: &WorkdaysOp) -> anyhow::Result<ExitCode> {
    let cal = WorkCalendar::official_checked().map_err(CliError::from)?;
    match op {
        WorkdaysOp::Add { date, n } => {
            let d = cal
                .add_working_days(parse_date(date)?, *n)
                .map_err(CliError::from)?;
            println!("{}", d.format("%Y-%m-%d"));
        }
        WorkdaysOp::Between { from, to } => {
            let n = cal
                .working_days_between(parse_date(from)?, parse_date(to)?)
                .map_err(CliError::from)?;
            println!("{n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
