//! `chengxin export national --date 2026-12-01 --dir OUT`: the national platform's daily
//! incremental export of one day (China time) — CSV and XLSX per type, `manifest.json` and
//! its signature `manifest.json.sig` (docs/EXCHANGE.md). Re-running it for the same day
//! writes the same bytes.
//! `chengxin export verify --dir OUT --public-key KEY`: the manifest's signature, then every
//! file's size and SHA-256.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;

use crate::config::Config;
use crate::error::{app_err, CliError};
use crate::setup::{china_today, open_and_migrate, parse_date};

#[derive(Subcommand, Debug)]
pub(crate) enum ExportOp {
    /// One day's export to the national platform (双公示, 政务失信, 名单列入/移出, 信用修复).
    National {
        /// The day (YYYY-MM-DD, China time); it must be over.
        #[arg(long)]
        date: String,
        /// Where to write the files (created if needed).
        #[arg(long)]
        dir: PathBuf,
    },
    /// Check an export directory: the manifest's signature with the log's public key, then
    /// each file's size and SHA-256.
    Verify {
        #[arg(long)]
        dir: PathBuf,
        /// The change log's public key: 64 hex characters, or a file holding them.
        #[arg(long)]
        public_key: String,
    },
}

pub(crate) async fn run(cfg: &Config, op: &ExportOp) -> anyhow::Result<ExitCode> {
    match op {
        ExportOp::National { date, dir } => national(cfg, date, dir).await,
        ExportOp::Verify { dir, public_key } => verify(dir, public_key),
    }
}

async fn national(cfg: &Config, date: &str, dir: &Path) -> anyhow::Result<ExitCode> {
    let date = parse_date(date)?;
    let store = open_and_migrate(cfg).await?;
    let signer = cfg.key_dir().signer()?.ok_or_else(|| {
        CliError::new(
            "log_key_missing",
            "缺少变更日志签名密钥（keys/ 目录），无法签署报送清单",
        )
    })?;
    let origin = cfg.log_origin(&signer);
    let signer = chengxin_app::exchange::national::ExportSigner {
        signer: Arc::new(signer),
        origin,
    };
    let e = chengxin_app::exchange::national::export_day(
        store.as_ref(),
        &signer,
        chengxin_app::exchange::national::Scope::All,
        date,
        china_today(),
    )
    .await
    .map_err(app_err)?;
    chengxin_app::exchange::national::write_to(&e, dir).map_err(|err| {
        CliError::new(
            "export_write_failed",
            format!("无法写入目录 {}：{err}", dir.display()),
        )
    })?;
    for f in &e.manifest.files {
        println!("{}\t{}\t{} 行\t{}", f.file, f.name, f.rows, f.sha256);
    }
    println!(
        "已写出 {} 的报送文件到 {}（变更日志截至第 {} 条）",
        e.manifest.date,
        dir.display(),
        e.manifest.log_size
    );
    Ok(ExitCode::SUCCESS)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    Ok(std::fs::read_to_string(path).map_err(|e| {
        CliError::new(
            "file_unreadable",
            format!("无法读取 {}：{e}", path.display()),
        )
    })?)
}

fn verify(dir: &Path, public_key: &str) -> anyhow::Result<ExitCode> {
    use sha2::Digest;
    let text = if public_key.trim().len() == 64 {
        public_key.to_string()
    } else {
        read_text(Path::new(public_key))?
    };
    let key = chengxin_store::keys::parse_public_key(&text)
        .map_err(|e| CliError::new("key_error", format!("日志公钥：{e}")))?;
    let manifest = read_text(&dir.join(chengxin_app::exchange::national::MANIFEST))?;
    let sig = read_text(&dir.join(chengxin_app::exchange::national::SIGNATURE))?;
    if let Err(e) = chengxin_app::exchange::national::verify_manifest(&manifest, &sig, &key) {
        eprintln!("不通过（{}）：{e}", e.code());
        return Ok(ExitCode::from(1));
    }
    let parsed: serde_json::Value = serde_json::from_str(&manifest)
        .map_err(|e| CliError::new("manifest_invalid", format!("清单不是有效的 JSON：{e}")))?;
    let mut bad = 0;
    for f in parsed["files"].as_array().into_iter().flatten() {
        let name = f["file"].as_str().unwrap_or_default();
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            eprintln!("不通过（manifest_invalid）：清单中的文件名不合规：{name:?}");
            bad += 1;
            continue;
        }
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => {
                let sha: String = sha2::Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if Some(sha.as_str()) != f["sha256"].as_str()
                    || Some(bytes.len() as u64) != f["bytes"].as_u64()
                {
                    eprintln!("不通过（file_digest_mismatch）：{name} 的 SHA-256 或大小与清单不符");
                    bad += 1;
                }
            }
            Err(e) => {
                eprintln!("不通过（file_missing）：{name}：{e}");
                bad += 1;
            }
        }
    }
    if bad > 0 {
        return Ok(ExitCode::from(1));
    }
    println!(
        "通过：清单签名有效，{} 个文件的 SHA-256 与清单一致",
        parsed["files"].as_array().map_or(0, Vec::len)
    );
    Ok(ExitCode::SUCCESS)
}
