//! `chengxin gen-records`: a deterministic 行政处罚 CSV for tests and benchmarks.

use std::path::Path;
use std::process::ExitCode;

use crate::error::CliError;

pub(crate) fn run(
    rows: u64,
    bad_per_mille: u32,
    seed: u64,
    output: &Path,
) -> anyhow::Result<ExitCode> {
    let f = std::fs::File::create(output)
        .map_err(|e| CliError::new("io_error", format!("无法创建 {}：{e}", output.display())))?;
    let summary = chengxin_ingest::gen::gen_penalty_csv(
        std::io::BufWriter::new(f),
        rows,
        bad_per_mille,
        seed,
    )
    .map_err(|e| CliError::new("io_error", format!("写入失败：{e}")))?;
    println!(
        "{}",
        serde_json::json!({"rows": summary.rows, "good": summary.good, "bad": summary.bad, "output": output})
    );
    Ok(ExitCode::SUCCESS)
}
