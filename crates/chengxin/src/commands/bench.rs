//! `chengxin bench import|checks|search|responsibility|commitments|work-items|arrears|merkle|evaluation`: the benchmarks (see
//! BENCHMARKS.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub(crate) enum BenchOp {
    /// Parse/validate and end-to-end import throughput against raw-backend baselines.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long, default_value_t = 10)]
        bad_per_mille: u32,
        /// Working folder for the generated file and databases.
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL for the PostgreSQL half (omit to skip it).
        #[arg(long)]
        pg: Option<String>,
        /// Beside each import, file a complaint every this many milliseconds and report their
        /// latencies (0: import alone).
        #[arg(long, default_value_t = 100)]
        small_writes_ms: u64,
    },
    /// Subject search: the CJK gram index against the LIKE scan, p50/p99 of 1-, 2-, 3-character
    /// and full-name queries, SQLite and (with --pg) PostgreSQL.
    Search {
        #[arg(long, default_value_t = 1_000_000)]
        subjects: u64,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: std::path::PathBuf,
        /// PostgreSQL URL for the PostgreSQL half (a fresh schema is created and dropped).
        #[arg(long)]
        pg: Option<String>,
        /// Index queries of each kind.
        #[arg(long, default_value_t = 200)]
        queries: usize,
        /// LIKE scans of each kind (the baseline is slow).
        #[arg(long, default_value_t = 5)]
        like_runs: usize,
    },
    /// The check engine: index build, in-process and HTTP throughput, against pgbench.
    Checks {
        #[arg(long, default_value_t = 200_000)]
        subjects: u64,
        /// Write the subjects and their list entries straight into the tables with COPY
        /// (every subject listed) instead of importing a generated file: the way to 10M.
        #[arg(long)]
        direct: bool,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL (a fresh schema is created and dropped).
        #[arg(long)]
        pg: String,
        /// Seconds for pgbench and the HTTP load.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// 责任回溯 (issue 18): N employment periods, 1,000 random questions (body, day, post),
    /// p50/p99 of the indexed read and the whole use case, SQLite and (with --pg) PostgreSQL.
    Responsibility {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL (a fresh schema is created and dropped).
        #[arg(long)]
        pg: Option<String>,
        #[arg(long, default_value_t = 1_000)]
        questions: usize,
    },
    /// The commitments' daily reminder/overdue sweep over N milestones, SQLite and (with --pg)
    /// PostgreSQL.
    Commitments {
        #[arg(long, default_value_t = 1_000_000)]
        milestones: u64,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL (a fresh schema is created and dropped).
        #[arg(long)]
        pg: Option<String>,
    },
    /// Work items (督办事项, issue 19): the queues' first page and the daily deadline sweep
    /// over N items, SQLite and (with --pg) PostgreSQL.
    WorkItems {
        #[arg(long, default_value_t = 1_000_000)]
        items: u64,
        /// Rows of the 12345 hotline export imported first (twice: the second is idempotent);
        /// 0: none.
        #[arg(long, default_value_t = 100_000)]
        hotline: u64,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL (a fresh schema is created and dropped).
        #[arg(long)]
        pg: Option<String>,
    },
    /// The arrears ledger's totals per body, region and month over N ledger rows, SQLite and
    /// (with --pg) PostgreSQL.
    Arrears {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL (a fresh schema is created and dropped).
        #[arg(long)]
        pg: Option<String>,
        /// Timed runs of the totals.
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// The change log as a Merkle tree (issue 21): N chained entries, `verify` from the
    /// database (entries/s), the first tree sync, inclusion and consistency proof latency,
    /// SQLite and (with --pg) PostgreSQL.
    Merkle {
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL (a fresh schema is created and dropped).
        #[arg(long)]
        pg: Option<String>,
        /// Proofs of each kind timed.
        #[arg(long, default_value_t = 1_000)]
        proofs: usize,
    },
    /// 逐级归集 county → city on loopback: records/s with every page's proofs checked.
    Feed {
        #[arg(long, default_value_t = 100_000)]
        records: u64,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// The county's database on PostgreSQL (an empty database) instead of a SQLite file.
        #[arg(long)]
        pg: Option<String>,
        /// The city's database on PostgreSQL (another empty database).
        #[arg(long)]
        pg_city: Option<String>,
    },
    /// 政务诚信评价 (issue 20): a full evaluation of N bodies and their regions for P monthly
    /// periods from K records per body, the peak memory, and one indicator of one body explained
    /// down to its records (p50/p99), SQLite and (with --pg) PostgreSQL.
    Evaluation {
        #[arg(long, default_value_t = 95_000)]
        bodies: u64,
        /// Records per body (95,000 × 105 ≈ 10 M).
        #[arg(long, default_value_t = 105)]
        per_body: u64,
        #[arg(long, default_value_t = 36)]
        periods: u32,
        /// Evaluate only the last N of the periods (0: all); the records still span all.
        #[arg(long, default_value_t = 0)]
        evaluate: u32,
        /// Townships per county (13 prefectures × 10 counties of them).
        #[arg(long, default_value_t = 37)]
        townships: u32,
        #[arg(long, default_value_t = 200)]
        explains: usize,
        #[arg(long, default_value = "./chengxin-data/bench")]
        dir: PathBuf,
        /// PostgreSQL URL (a fresh schema is created and dropped).
        #[arg(long)]
        pg: Option<String>,
        /// Skip the SQLite half (to read PostgreSQL's peak memory alone).
        #[arg(long)]
        no_sqlite: bool,
    },
}

pub(crate) async fn run(op: &BenchOp) -> anyhow::Result<ExitCode> {
    match op {
        BenchOp::Feed {
            records,
            dir,
            pg,
            pg_city,
        } => {
            std::fs::create_dir_all(dir)?;
            let id = uuid::Uuid::now_v7().simple().to_string();
            let sqlite = |who: &str| {
                format!(
                    "sqlite://{}",
                    dir.join(format!("feed-{who}-{id}.db")).display()
                )
            };
            let county = pg.clone().unwrap_or_else(|| sqlite("county"));
            let city = pg_city.clone().unwrap_or_else(|| sqlite("city"));
            let report = crate::bench_feed::run(*records, dir, &county, &city).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        BenchOp::Import {
            rows,
            bad_per_mille,
            dir,
            pg,
            small_writes_ms,
        } => {
            let report = crate::bench::import_bench(
                *rows,
                *bad_per_mille,
                dir,
                pg.as_deref(),
                std::time::Duration::from_millis(*small_writes_ms),
            )
            .await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(if report.counts_ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        BenchOp::Search {
            subjects,
            dir,
            pg,
            queries,
            like_runs,
        } => {
            let report =
                crate::bench_search::run(*subjects, dir, pg.as_deref(), *queries, *like_runs)
                    .await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        BenchOp::Checks {
            subjects,
            direct,
            dir,
            pg,
            seconds,
        } => {
            let report = crate::bench_checks::run(*subjects, *direct, dir, pg, *seconds).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        BenchOp::Responsibility {
            rows,
            dir,
            pg,
            questions,
        } => {
            let report =
                crate::bench_responsibility::run(*rows, dir, pg.as_deref(), *questions).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        BenchOp::Commitments {
            milestones,
            dir,
            pg,
        } => {
            let report = crate::bench_commitments::run(*milestones, dir, pg.as_deref()).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        BenchOp::WorkItems {
            items,
            hotline,
            dir,
            pg,
        } => {
            let report = crate::bench_work_items::run(*items, *hotline, dir, pg.as_deref()).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        BenchOp::Arrears {
            rows,
            dir,
            pg,
            runs,
        } => {
            let report = crate::bench_arrears::run(*rows, dir, pg.as_deref(), *runs).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        BenchOp::Merkle {
            entries,
            dir,
            pg,
            proofs,
        } => {
            let report = crate::bench_merkle::run(*entries, dir, pg.as_deref(), *proofs).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        BenchOp::Evaluation {
            bodies,
            per_body,
            periods,
            evaluate,
            townships,
            explains,
            dir,
            pg,
            no_sqlite,
        } => {
            let sizes = crate::bench_evaluation::Sizes {
                bodies: *bodies,
                per_body: *per_body,
                periods: *periods,
                evaluate: *evaluate,
                townships: *townships,
                explains: *explains,
            };
            let report =
                crate::bench_evaluation::run(sizes, dir, pg.as_deref(), !*no_sqlite).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
