//! `chengxin verify`: recompute the change-log chain and every row's digest.

use std::process::ExitCode;

use chengxin_store::StoreError;

use crate::config::Config;
use crate::error::CliError;

pub(crate) async fn verify(
    cfg: &Config,
    public_key: Option<&std::path::Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let trusted = match public_key {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::new(
                    "key_error",
                    format!("无法读取公钥文件 {}：{e}", path.display()),
                )
            })?;
            vec![chengxin_store::keys::parse_public_key(&text)?]
        }
        None => match cfg.key_dir().signer()? {
            Some(s) => vec![s.verifying_key()],
            None => {
                return Err(CliError::new(
                    "key_missing",
                    "找不到签名密钥文件，请用 --public-key 指定已发布的公钥",
                )
                .into())
            }
        },
    };
    let store = chengxin_store::open(&cfg.db_url).await?;
    if !store.is_migrated().await? {
        return Err(StoreError::NotMigrated.into());
    }
    let report = store.verify(&trusted).await?;
    let text = if json {
        serde_json::to_string_pretty(&report)?
    } else if report.ok {
        format!(
            "校验通过：变更日志 {} 条，链头 {}，已签名至第 {} 条，核对数据 {} 行",
            report.entries,
            report.head_hash,
            report
                .last_signed_seq
                .map_or("-".to_string(), |s| s.to_string()),
            report.rows_checked
        )
    } else {
        let mut t = format!("校验失败，发现 {} 处问题：", report.problems.len());
        for p in &report.problems {
            t.push_str(&format!("\n  - {p}"));
        }
        t
    };
    crate::output::print_lines(&text)?;
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
