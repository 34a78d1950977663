//! `chengxin migrate`: create or upgrade the schema, create the keys, load the catalog.

use std::process::ExitCode;

use crate::config::Config;
use crate::setup::open_and_migrate;

pub(crate) async fn run(cfg: &Config) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    let (seq, hash) = store.log_head().await?;
    println!(
        "{}",
        serde_json::json!({"migrated": true, "log_seq": seq, "log_head": hash})
    );
    Ok(ExitCode::SUCCESS)
}
