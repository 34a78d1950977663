//! **For benchmarks and test fixtures only** — the SQL that `chengxin bench` runs besides the
//! product's own paths, so that every SQL statement of the workspace lives in this crate.
//! Nothing here is used by the server or the other commands, and nothing here writes the
//! change log: what it creates is scratch data, in a scratch schema or a scratch file.
//!
//! - [`ScratchSchema`]: a fresh PostgreSQL schema for one benchmark run, dropped afterwards;
//! - [`sqlite_baseline`], [`PgBench::copy_baseline`]: the import's rows into a bare table, the
//!   raw backend's speed (rusqlite prepared inserts straight on the C API; `COPY`);
//! - [`sqlite_floor`], [`PgBench::schema_floor`]: the schema's floor — the rows an import
//!   stored, copied by the backend alone into empty tables with the same indexes and keys;
//! - [`CheckFixture`]: the check benchmark's `--direct` fixture (up to 10,000,000 subjects, each
//!   with a list entry, written with `COPY`, bypassing the change log);
//! - [`create_lookup_table`], [`pgbench_lookup_script`]: the pgbench baseline of exact-key
//!   look-ups; [`count_logged_checks`]: whether every check reached the query log;
//! - [`ResponsibilityFixture`]: the 责任回溯 benchmark's bodies, persons and employment periods.
//! - [`CommitmentFixture`]: the commitment sweep benchmark's milestones (issue 18).
//! - [`WorkFixture`]: the work-item benchmark's items (issue 19).
//! - [`ArrearFixture`]: the arrears totals benchmark's ledger rows (issue 18).
//! - [`EvaluationFixture`]: the evaluation benchmark's government bodies and records (issue 20).
//! - [`sqlite_append_log`], [`PgBench::append_log`]: the Merkle log benchmark's change-log
//!   entries (issue 21) — the one fixture that writes `change_log`, of a scratch database.

mod arrears;
mod baseline;
mod commitments;
mod evaluation;
mod fixture;
mod floor;
mod lookup;
mod merkle;
mod responsibility;
mod scratch;
mod search;
mod work_items;

pub use arrears::{ArrearFixture, BODIES as ARREAR_BODIES};
pub use baseline::{sqlite_baseline, BareRow};
pub use commitments::{CommitmentFixture, PER_COMMITMENT};
pub use evaluation::{bench_body_uscc, EvaluationFixture};
pub use fixture::{CheckFixture, FixtureEntry, FixtureSubject, LoadedFixture};
pub use floor::sqlite_floor;
pub use lookup::{count_logged_checks, create_lookup_table, pgbench_lookup_script};
pub use merkle::sqlite_append_log;
pub use responsibility::{BenchEmployment, BenchSubject, ResponsibilityFixture};
pub use scratch::{ScratchFile, ScratchSchema};
pub use search::SearchFixture;
pub use work_items::{BenchWorkItem, WorkFixture};

use sqlx::PgPool;

use crate::error::{Result, StoreError};

/// A connection pool on a benchmark's scratch schema (its URL from [`ScratchSchema::url`]),
/// for the PostgreSQL baselines; connecting is kept out of what they time.
pub struct PgBench {
    pool: PgPool,
}

impl PgBench {
    pub async fn connect(url: &str) -> Result<Self> {
        Ok(Self {
            pool: PgPool::connect(url).await?,
        })
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// Escape a value for PostgreSQL's `COPY … FROM STDIN` text format.
fn copy_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A rusqlite error as a store error (the SQLite baselines run on rusqlite, not sqlx).
fn sqlite_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}
