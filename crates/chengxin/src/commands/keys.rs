//! `chengxin keys export-public`: the change-log signing public key, for publishing.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Config;
use crate::error::CliError;

#[derive(Subcommand, Debug)]
pub(crate) enum KeysOp {
    /// Print the change-log signing public key (hex), for publishing.
    ExportPublic,
}

fn hex_key(signer: &chengxin_store::LogSigner) -> String {
    signer
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn run(cfg: &Config, op: &KeysOp) -> anyhow::Result<ExitCode> {
    match op {
        KeysOp::ExportPublic => {
            let signer = cfg.key_dir().signer()?.ok_or_else(|| {
                CliError::new("key_missing", "签名密钥尚未创建，请先运行 chengxin migrate")
            })?;
            println!("{}", hex_key(&signer));
            Ok(ExitCode::SUCCESS)
        }
    }
}
