//! `chengxin commitments sweep`: the daily reminder and escalation sweep of commitments' due
//! dates (also run daily by `serve`); idempotent.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::error::app_err;
use crate::setup::{checkpoint, china_today, open_and_migrate, parse_date};

#[derive(Subcommand, Debug)]
pub(crate) enum CommitmentsOp {
    /// Send today's reminders (before due dates) and escalations (after them).
    Sweep {
        /// Treat this day as today (YYYY-MM-DD); default: today in China time.
        #[arg(long)]
        today: Option<String>,
    },
}

pub(crate) async fn run(cfg: &Config, op: &CommitmentsOp) -> anyhow::Result<ExitCode> {
    match op {
        CommitmentsOp::Sweep { today } => {
            let store = open_and_migrate(cfg).await?;
            let day = match today {
                Some(d) => parse_date(d)?,
                None => china_today(),
            };
            let r = chengxin_app::commitments::sweep::sweep(store.as_ref(), day)
                .await
                .map_err(app_err)?;
            checkpoint(cfg, &store).await?;
            println!(
                "{}",
                serde_json::json!({"as_of": day, "looked_at": r.looked_at, "reminders": r.reminders,
                    "escalations": r.escalations, "notifications": r.notifications})
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
