//! `chengxin verify`: recompute the change-log chain and every row's digest, and with
//! `--against HEAD_FILE` prove the log consistent with signed tree heads kept outside the
//! database (docs/TRANSPARENCY_LOG.md).

use std::path::Path;
use std::process::ExitCode;

use chengxin_domain::merkle;
use chengxin_store::heads::{open_checkpoint, HeadsFile, VerifyingKey};
use chengxin_store::{Problem, StoreError};

use crate::config::Config;
use crate::error::CliError;

/// A tree head read back from the heads file: its size and root.
type HeadAt = (u64, merkle::Hash);

/// The heads in a heads file, each opened with a trusted key: `(size, root)`, or the problem
/// with a note that does not open (a forged or damaged head is itself a finding).
fn read_heads(
    path: &Path,
    trusted: &[VerifyingKey],
) -> Result<(Vec<HeadAt>, Vec<Problem>), CliError> {
    if !path.is_file() {
        return Err(CliError::new(
            "heads_file_missing",
            format!("找不到签名树头文件 {}", path.display()),
        ));
    }
    let notes = HeadsFile::new(path)
        .notes()
        .map_err(|e| CliError::new("heads_file_unreadable", e.to_string()))?;
    if notes.is_empty() {
        return Err(CliError::new(
            "heads_file_empty",
            format!("签名树头文件 {} 中没有树头", path.display()),
        ));
    }
    let mut heads = Vec::new();
    let mut problems = Vec::new();
    for (i, note) in notes.iter().enumerate() {
        match open_checkpoint(note, trusted) {
            Ok(cp) => heads.push((cp.size, cp.root)),
            Err(e) => problems.push(Problem::PublishedHead {
                size: 0,
                reason: format!("文件中第 {} 个树头无法采信（{}）：{e}", i + 1, e.code()),
            }),
        }
    }
    Ok((heads, problems))
}

pub(crate) async fn verify(
    cfg: &Config,
    public_key: Option<&std::path::Path>,
    json: bool,
    against: Option<&Path>,
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
    let (heads, head_problems) = match against {
        Some(path) => read_heads(path, &trusted)?,
        None => (Vec::new(), Vec::new()),
    };
    let store = chengxin_store::open(&cfg.db_url).await?;
    if !store.is_migrated().await? {
        return Err(StoreError::NotMigrated.into());
    }
    let mut report = store.verify_against(&trusted, &heads).await?;
    report.problems.extend(head_problems);
    // The latest head outside, proved a prefix of today's tree by a consistency proof built
    // from the stored subtrees: what a witness holding only that head checks.
    let latest = heads.iter().max_by_key(|(size, _)| *size).copied();
    let mut proof_len = None;
    if let Some((size, root)) = latest.filter(|(size, _)| *size <= report.tree_size) {
        let current = chengxin_store::keys::parse_hex32(&report.tree_root).unwrap_or_default();
        let checked = match store.consistency_proof(size, report.tree_size).await {
            Ok(p) => merkle::verify_consistency(size, report.tree_size, &root, &current, &p.proof)
                .map(|()| p.proof.len())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match checked {
            Ok(n) => proof_len = Some(n),
            Err(reason) => report.problems.push(Problem::PublishedHead {
                size,
                reason: format!("一致性证明不成立：{reason}"),
            }),
        }
    }
    report.ok = report.problems.is_empty();
    let text = if json {
        serde_json::to_string_pretty(&report)?
    } else if report.ok {
        let mut t = format!(
            "校验通过：变更日志 {} 条，链头 {}，已签名至第 {} 条，核对数据 {} 行",
            report.entries,
            report.head_hash,
            report
                .last_signed_seq
                .map_or("-".to_string(), |s| s.to_string()),
            report.rows_checked
        );
        if let (Some((size, _)), Some(n)) = (latest, proof_len) {
            t.push_str(&format!(
                "\n对照库外签名树头 {} 个：最新树头（{size} 条）与当前日志（{} 条，树根 {}）一致，一致性证明 {n} 个哈希",
                report.heads_checked, report.tree_size, report.tree_root
            ));
        }
        t
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
