//! `chengxin expire`: end publication of records whose period is over.

use std::process::ExitCode;

use crate::config::Config;
use crate::error::app_err;
use crate::setup::{checkpoint, china_today, open_and_migrate, parse_date};

pub(crate) async fn run(cfg: &Config, day: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    let day = match day {
        Some(d) => parse_date(d)?,
        None => china_today(),
    };
    let n = chengxin_app::records::expire_due(store.as_ref(), "system:expire", day)
        .await
        .map_err(app_err)?;
    checkpoint(cfg, &store).await?;
    println!("{}", serde_json::json!({"expired": n, "as_of": day}));
    Ok(ExitCode::SUCCESS)
}
