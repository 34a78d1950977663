//! `chengxin migrate`: create or upgrade the schema, create the keys, load the catalog.

use std::process::ExitCode;

use crate::config::Config;
use crate::setup::open_and_migrate;

pub(crate) async fn run(cfg: &Config) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    // Records stored under the earlier entry rule (政务共享 types as 公示期满) put in effect.
    let reconciled = chengxin_app::entry_rule::reconcile(store.as_ref())
        .await
        .map_err(crate::error::CliError::from)?;
    // Free text stored before intake masked ID numbers: masked, the clear text sealed (once).
    let cipher = chengxin_access::PiiCipher::from_id_hasher(&crate::setup::id_hasher(cfg)?);
    let masked = chengxin_app::free_text::repair(store.as_ref(), &cipher)
        .await
        .map_err(crate::error::CliError::from)?;
    // Checkpoint and tree head (the latter also when migrate wrote nothing new: a head for the
    // log as it is, once, into the heads file).
    crate::setup::checkpoint(cfg, &store).await?;
    let (seq, hash) = store.log_head().await?;
    println!(
        "{}",
        serde_json::json!({"migrated": true, "entry_rule_reconciled": reconciled, "free_text_masked": masked, "log_seq": seq, "log_head": hash})
    );
    Ok(ExitCode::SUCCESS)
}
