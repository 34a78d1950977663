//! Throughput of the generator and the CSV reader:
//! `cargo run --release -p chengxin-ingest --example ingest_bench -- [rows]`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a developer's example, not the product

use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use chengxin_ingest::gen::gen_penalty_csv;
use chengxin_ingest::{open_reader, ReadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let path =
        std::env::temp_dir().join(format!("chengxin-ingest-bench-{}.csv", std::process::id()));

    let t = Instant::now();
    gen_penalty_csv(std::io::sink(), rows, 20, 1)?;
    let sink_s = t.elapsed().as_secs_f64();
    println!(
        "generate to io::sink: {:.2} s = {:.0} rows/s",
        sink_s,
        rows as f64 / sink_s
    );

    let t = Instant::now();
    let summary = gen_penalty_csv(BufWriter::new(File::create(&path)?), rows, 20, 1)?;
    let gen_s = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path)?.len();
    println!(
        "generate: {} rows ({} good, {} bad), {:.1} MiB in {:.2} s = {:.0} rows/s",
        summary.rows,
        summary.good,
        summary.bad,
        size as f64 / (1 << 20) as f64,
        gen_s,
        rows as f64 / gen_s
    );

    let t = Instant::now();
    let table = open_reader(
        File::open(&path)?,
        Some("bench.csv"),
        &ReadOptions::default(),
    )?;
    let (mut ok, mut bad, mut bytes) = (0u64, 0u64, 0usize);
    for item in table {
        match item {
            Ok(r) => {
                ok += 1;
                bytes += r.cells.iter().map(String::len).sum::<usize>();
            }
            Err(_) => bad += 1,
        }
    }
    let read_s = t.elapsed().as_secs_f64();
    println!(
        "read csv: {ok} rows ({bad} row errors, {:.1} MiB of cell text) in {:.2} s = {:.0} rows/s, {:.0} MiB/s",
        bytes as f64 / (1 << 20) as f64,
        read_s,
        (ok + bad) as f64 / read_s,
        size as f64 / (1 << 20) as f64 / read_s
    );
    std::fs::remove_file(&path)?;
    Ok(())
}
