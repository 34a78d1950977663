//! `chengxin record show|transition`: read or change one record.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::error::{app_err, CliError};
use crate::setup::{checkpoint, id_hasher, open_and_migrate};

#[derive(Subcommand, Debug)]
pub(crate) enum RecordOp {
    /// Print a record with its history (JSON).
    Show { id: String },
    /// Apply a lifecycle action: publish, correct, revoke, tolerate, expire.
    Transition {
        id: String,
        action: String,
        /// The version you last saw.
        #[arg(long)]
        version: i64,
        #[arg(long)]
        note: Option<String>,
        /// correct only: the fields to correct with their new values, as a JSON object
        /// (`{"penalty_content": "…"}`; `null` clears an optional field). Fields not named
        /// stay as they are.
        #[arg(long)]
        fields: Option<String>,
    },
}

pub(crate) async fn run(cfg: &Config, op: &RecordOp) -> anyhow::Result<ExitCode> {
    let store = open_and_migrate(cfg).await?;
    let parse_id = |s: &str| {
        uuid::Uuid::parse_str(s.trim())
            .map_err(|_| CliError::new("invalid_id", format!("“{s}”不是合法的记录编号")))
    };
    match op {
        RecordOp::Show { id } => {
            let id = parse_id(id)?;
            let r = store
                .record(id)
                .await?
                .ok_or_else(|| CliError::new("not_found", format!("记录 {id} 不存在")))?;
            let h = store.record_history(id).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"record": r, "history": h}))?
            );
        }
        RecordOp::Transition {
            id,
            action,
            version,
            note,
            fields,
        } => {
            let id = parse_id(id)?;
            let action = chengxin_domain::records::RecordAction::parse(action)
                .ok_or_else(|| CliError::new("unknown_action", format!("未知的操作“{action}”")))?;
            let fields = match fields {
                Some(f) => Some(
                    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(f).map_err(
                        |e| CliError::new("invalid_json", format!("--fields 不是 JSON 对象：{e}")),
                    )?,
                ),
                None => None,
            };
            let today = chengxin_store::clock::today_in_china();
            let r = match (action, fields) {
                (chengxin_domain::records::RecordAction::Correct, Some(patch)) => {
                    chengxin_app::records::correct(
                        store.as_ref(),
                        &chengxin_access::PiiCipher::from_id_hasher(&id_hasher(cfg)?),
                        "cli:operator",
                        id,
                        *version,
                        chengxin_app::records::Edit {
                            patch: &patch,
                            note: note.as_deref(),
                        },
                        today,
                    )
                    .await
                }
                (chengxin_domain::records::RecordAction::Correct, None) => {
                    return Err(CliError::new(
                        "fields_required",
                        "更正须用 --fields 指明要更正的字段及其更正后的内容",
                    )
                    .into())
                }
                (_, Some(_)) => {
                    return Err(
                        CliError::new("fields_not_allowed", "只有“更正”可以修改字段内容").into(),
                    )
                }
                (_, None) => {
                    chengxin_app::records::transition_typed(
                        store.as_ref(),
                        &chengxin_access::PiiCipher::from_id_hasher(&id_hasher(cfg)?),
                        "cli:operator",
                        id,
                        action,
                        *version,
                        note.clone(),
                    )
                    .await
                }
            }
            .map_err(app_err)?;
            checkpoint(cfg, &store).await?;
            println!("{}", serde_json::to_string(&r)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
