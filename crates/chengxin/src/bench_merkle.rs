//! `chengxin bench merkle` (issue 21): the change log as a Merkle tree at N entries, on SQLite
//! and (with `--pg`) PostgreSQL.
//!
//! 1. a migrated scratch database gets N genuine chained entries (`store::bench`, straight
//!    into `change_log`: as if N entities had been created and deleted);
//! 2. `verify` from the database, timed twice (entries/s: chain, leaves, tree root, checkpoints
//!    and the latest state of every entity; the fixture has no rows, so the covered tables'
//!    digests cost nothing here);
//! 3. the first `merkle_sync` (every complete subtree stored) and a signed head;
//! 4. inclusion proofs of random entries in that head, and consistency proofs from random
//!    older sizes, each built by the store (the product's path: O(log n) stored nodes) and
//!    checked as a client checks it: p50, p99, max.

use std::path::Path;
use std::time::Instant;

use chengxin_domain::merkle;
use chengxin_store::bench::{sqlite_append_log, PgBench, ScratchFile, ScratchSchema};
use chengxin_store::LogSigner;
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Latency {
    pub runs: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn latency(mut ms: Vec<f64>) -> Latency {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        ms.get(((ms.len() as f64 * q) as usize).min(ms.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Latency {
        runs: ms.len(),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: ms.last().copied().unwrap_or_default(),
    }
}

#[derive(Debug, Default, Serialize)]
pub struct BackendReport {
    pub backend: String,
    /// Entries in the log (the fixture's and the migration's).
    pub entries: u64,
    pub build_seconds: f64,
    /// Each timed run of `verify`.
    pub verify_seconds: Vec<f64>,
    /// Entries per second of the best run.
    pub verify_entries_per_s: f64,
    pub first_sync_seconds: f64,
    pub sync_leaves_per_s: f64,
    pub inclusion: Latency,
    pub consistency: Latency,
    /// Hashes in the longest inclusion / consistency proof seen.
    pub inclusion_path_max: usize,
    pub consistency_path_max: usize,
    /// Bytes on disk: the SQLite file, or PostgreSQL's change_log and merkle_nodes.
    pub bytes: Vec<(String, i64)>,
}

#[derive(Debug, Default, Serialize)]
pub struct MerkleReport {
    pub backends: Vec<BackendReport>,
}

/// xorshift64: reproducible picks without a dependency.
struct Picks(u64);

impl Picks {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

async fn one_backend(
    url: &str,
    backend: &str,
    entries: u64,
    proofs: usize,
    append: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<BackendReport> {
    let store = chengxin_store::open(url).await?;
    let catalog =
        chengxin_domain::catalog::Catalog::default_checked().map_err(|e| anyhow::anyhow!("{e}"))?;
    let signer = LogSigner::generate();
    store.migrate(catalog, &signer, "bench").await?;
    let mut report = BackendReport {
        backend: backend.into(),
        ..Default::default()
    };
    let t = Instant::now();
    append.await?;
    report.build_seconds = t.elapsed().as_secs_f64();
    eprintln!(
        "  {backend}: {entries} entries written in {:.1} s",
        report.build_seconds
    );
    let key = signer.verifying_key();
    let mut best = f64::MAX;
    let mut tree_root = String::new();
    for _ in 0..2 {
        let t = Instant::now();
        let r = store.verify(&[key]).await?;
        let secs = t.elapsed().as_secs_f64();
        if !r.ok {
            anyhow::bail!("verify found problems: {:?}", r.problems.first());
        }
        report.entries = r.entries as u64;
        tree_root = r.tree_root.clone();
        report.verify_seconds.push(secs);
        best = best.min(secs);
        eprintln!(
            "  {backend}: verify {} entries in {secs:.2} s = {:.0} entries/s",
            r.entries,
            r.entries as f64 / secs
        );
    }
    report.verify_entries_per_s = report.entries as f64 / best;
    let t = Instant::now();
    let size = store.merkle_sync().await?;
    report.first_sync_seconds = t.elapsed().as_secs_f64();
    report.sync_leaves_per_s = size as f64 / report.first_sync_seconds;
    eprintln!(
        "  {backend}: first sync of {size} leaves in {:.1} s",
        report.first_sync_seconds
    );
    let head = store
        .sign_tree_head(&signer, "bench.chengxin.local/log")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no head signed"))?;
    // The root `verify` grew from the entries is the root of the stored subtrees.
    let root: String = head.root.iter().map(|b| format!("{b:02x}")).collect();
    if root != tree_root {
        anyhow::bail!("verify's tree root differs from the stored subtrees' root");
    }
    let mut picks = Picks(0x9E37_79B9_7F4A_7C15);
    let mut ms = Vec::with_capacity(proofs);
    for _ in 0..proofs {
        let seq = 1 + picks.below(size) as i64;
        let t = Instant::now();
        let p = store.inclusion_proof(seq, head.size).await?;
        merkle::verify_inclusion(&p.leaf_hash, p.leaf_index, p.tree_size, &p.path, &head.root)
            .map_err(|e| anyhow::anyhow!("inclusion proof of {seq} refused: {e}"))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        report.inclusion_path_max = report.inclusion_path_max.max(p.path.len());
    }
    report.inclusion = latency(ms);
    let mut ms = Vec::with_capacity(proofs);
    for _ in 0..proofs {
        let old = 1 + picks.below(size - 1);
        let t = Instant::now();
        let p = store.consistency_proof(old, head.size).await?;
        merkle::verify_consistency(old, head.size, &p.old_root, &head.root, &p.proof)
            .map_err(|e| anyhow::anyhow!("consistency proof from {old} refused: {e}"))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        report.consistency_path_max = report.consistency_path_max.max(p.proof.len());
    }
    report.consistency = latency(ms);
    eprintln!(
        "  {backend}: inclusion p50 {:.3} ms p99 {:.3} ms; consistency p50 {:.3} ms p99 {:.3} ms",
        report.inclusion.p50_ms,
        report.inclusion.p99_ms,
        report.consistency.p50_ms,
        report.consistency.p99_ms
    );
    store.close().await;
    Ok(report)
}

pub async fn run(
    entries: u64,
    dir: &Path,
    pg: Option<&str>,
    proofs: usize,
) -> anyhow::Result<MerkleReport> {
    let mut report = MerkleReport::default();
    let file = ScratchFile::create(dir, "merkle.db")?;
    let url = file.url();
    let path = file.path().to_path_buf();
    let append = async move {
        tokio::task::spawn_blocking(move || sqlite_append_log(&path, entries)).await??;
        Ok(())
    };
    let mut r = one_backend(url, "sqlite", entries, proofs, append).await?;
    let mut bytes = 0;
    for suffix in ["", "-wal"] {
        bytes += std::fs::metadata(format!("{}{suffix}", file.path().display()))
            .map(|m| m.len() as i64)
            .unwrap_or(0);
    }
    r.bytes.push(("sqlite_file".into(), bytes));
    report.backends.push(r);
    drop(file);
    if let Some(pg) = pg {
        let scratch = ScratchSchema::create(pg).await?;
        let result = async {
            let bench = PgBench::connect(scratch.url()).await?;
            let append = async {
                bench.append_log(entries).await?;
                Ok(())
            };
            let mut r = one_backend(scratch.url(), "postgres", entries, proofs, append).await?;
            let (log, nodes) = bench.log_bytes().await?;
            r.bytes.push(("change_log".into(), log));
            r.bytes.push(("merkle_nodes".into(), nodes));
            bench.close().await;
            anyhow::Ok(r)
        }
        .await;
        scratch.drop_schema().await;
        report.backends.push(result?);
    }
    Ok(report)
}
