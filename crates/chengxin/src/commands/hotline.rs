//! `chengxin import-hotline FILE --region CODE`: import a 12345 hotline work-order export (CSV
//! or XLSX) as complaint work items, as the credit office of `--region` (rows about bodies
//! outside it are refused). Idempotent by 工单编号; prints the report as JSON; exits 1 when any
//! row was refused. The same use case as `POST /api/v1/work-items/hotline` and the console's
//! upload form.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use chengxin_access::jurisdiction::{Region, Scope};
use chengxin_access::Role;
use chengxin_app::auth::{Caller, Via};
use clap::Args;

use crate::config::Config;
use crate::error::app_err;
use crate::setup::{checkpoint, id_hasher, open_and_migrate, parse_date};

#[derive(Args, Debug)]
pub(crate) struct HotlineArgs {
    /// The export (`.csv` or `.xlsx`).
    pub file: PathBuf,
    /// The importing credit office's region (GB/T 2260, e.g. 320400).
    #[arg(long)]
    pub region: String,
    /// Treat this day as today (YYYY-MM-DD); default: today in China time.
    #[arg(long)]
    pub today: Option<String>,
}

/// The credit office of `region`, as the CLI acts.
pub(crate) fn office(region: &str) -> anyhow::Result<Caller> {
    let region = Region::parse(region).map_err(|e| anyhow!("{e}"))?;
    Ok(Caller {
        actor: format!("cli:import-hotline:{}", region.as_str()),
        via: Via::Anonymous,
        roles: vec![Role::CreditOffice],
        scope: Scope { region, body: None },
        body: None,
        token_permissions: None,
        ip: None,
        must_change_password: false,
    })
}

pub(crate) async fn run(cfg: &Config, a: &HotlineArgs) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    let bytes = std::fs::read(&a.file).with_context(|| format!("无法读取 {}", a.file.display()))?;
    let mut app = chengxin_app::App::new(
        store.clone(),
        id_hasher(cfg)?,
        cfg.data_dir.join("uploads"),
        cfg.auth.clone(),
    );
    if let Some(d) = &a.today {
        app.today = Some(parse_date(d)?);
    }
    let caller = office(&a.region)?;
    let name = a.file.file_name().and_then(|n| n.to_str());
    let report = chengxin_app::work::hotline::import(&app, &caller, bytes, name)
        .await
        .map_err(app_err)?;
    checkpoint(cfg, &store).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(if report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
