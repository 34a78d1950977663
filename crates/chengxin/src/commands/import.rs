//! `chengxin import`: import record files (CSV, XLSX, JSON Lines) as one batch per file.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;
use crate::error::CliError;
use crate::setup::{checkpoint, china_today, delegations_from_env, id_hasher, open_and_migrate};

pub(crate) async fn run(
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
    let delegations = delegations_from_env()?;
    let store = open_and_migrate(cfg).await?;
    let hasher = id_hasher(cfg)?;
    let mut all_ok = true;
    for file in files {
        let req = chengxin_app::imports::ImportRequest {
            type_code: type_code.to_string(),
            source_dept: dept.trim().to_ascii_uppercase(),
            file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
            sheet: sheet.clone(),
            published_at,
            actor: "cli:import".into(),
            today: china_today(),
            delegations: delegations.clone(),
            rejects: Default::default(),
        };
        match chengxin_app::imports::import_file(store.clone(), hasher.clone(), file.clone(), req)
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
    // The new subjects become searchable now, not at the next server start.
    chengxin_app::jobs::search_catch_up(store.as_ref()).await?;
    checkpoint(cfg, &store).await?;
    // Exit 1 when any row was rejected or any file refused: scripts can tell.
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
