//! `chengxin arrears sweep`: the arrears ledger's daily sweep — overdue contract payments enter
//! the ledger; an arrear unpaid beyond the limit, or after a court judgment, becomes a 失信
//! record of the body (also run daily by `serve`); idempotent.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::error::app_err;
use crate::setup::{checkpoint, china_today, open_and_migrate, parse_date};

#[derive(Subcommand, Debug)]
pub(crate) enum ArrearsOp {
    /// Enter today's overdue payments into the ledger and record arrears beyond the limit.
    Sweep {
        /// Treat this day as today (YYYY-MM-DD); default: today in China time.
        #[arg(long)]
        today: Option<String>,
    },
}

pub(crate) async fn run(cfg: &Config, op: &ArrearsOp) -> anyhow::Result<ExitCode> {
    match op {
        ArrearsOp::Sweep { today } => {
            let store = open_and_migrate(cfg).await?;
            let day = match today {
                Some(d) => parse_date(d)?,
                None => china_today(),
            };
            let r = chengxin_app::arrears::sweep::sweep(store.as_ref(), day)
                .await
                .map_err(app_err)?;
            checkpoint(cfg, &store).await?;
            println!(
                "{}",
                serde_json::json!({"as_of": day, "entered": r.entered, "recorded": r.recorded,
                    "notifications": r.notifications})
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
