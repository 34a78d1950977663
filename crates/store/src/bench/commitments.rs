//! The commitment sweep benchmark's fixture (benchmarks only): commitments and their
//! milestones written straight into a migrated scratch database in multi-row INSERTs,
//! bypassing the change log, each milestone marked as yesterday's sweep left it (the stage
//! sent, the next look) — so the timed sweep does what a real day does.

use chengxin_domain::commitments::{next_remind_on, stage_due};
use chrono::{Duration, NaiveDate};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;

/// Rows per INSERT statement (at most 23 binds each).
const ROWS: usize = 1000;
/// Milestones per commitment.
pub const PER_COMMITMENT: u64 = 10;
/// A government body of 常州 (fictional, valid USCC).
const PROMISOR: &str = "11320400MB00000002";

/// A scratch database for the commitment sweep benchmark.
pub enum CommitmentFixture {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

struct Ms {
    id: Uuid,
    commitment: Uuid,
    seq: i32,
    due: NaiveDate,
    stage: i32,
    next: Option<NaiveDate>,
}

macro_rules! load_with {
    ($db:ty, $pool:expr, $cs:expr, $ms:expr, $enc:expr) => {{
        let mut tx = $pool.begin().await?;
        let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        for part in $cs.chunks(ROWS) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO commitments (id, no, kind, title, promisor_uscc, promisor_name, \
                 owner_uscc, region, counterparty_name, content, legal_basis, promised_on, public, \
                 created_by, created_at, updated_at, version) ",
            );
            q.push_values(part, |mut b, (id, n, promised): &(Uuid, u64, NaiveDate)| {
                b.push_bind($enc(*id))
                    .push_bind(format!("CN-BENCH-{n:08}"))
                    .push_bind("investment_agreement")
                    .push_bind(format!("招商引资协议 {n}"))
                    .push_bind(PROMISOR)
                    .push_bind("常州市某局")
                    .push_bind(PROMISOR)
                    .push_bind("320400")
                    .push_bind("某投资有限公司")
                    .push_bind("按协议兑现政策")
                    .push_bind("投资协议书")
                    .push_bind(*promised)
                    .push_bind(false)
                    .push_bind("bench")
                    .push_bind(epoch)
                    .push_bind(epoch)
                    .push_bind(1i64);
            });
            q.build().execute(&mut *tx).await?;
        }
        for part in $ms.chunks(ROWS) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO commitment_milestones (id, commitment_id, seq, title, due_date, state, \
                 breach_stage, remind_before, reminded_stage, next_remind_on, updated_at, version) ",
            );
            q.push_values(part, |mut b, m: &Ms| {
                b.push_bind($enc(m.id))
                    .push_bind($enc(m.commitment))
                    .push_bind(m.seq)
                    .push_bind(format!("节点 {}", m.seq))
                    .push_bind(m.due)
                    .push_bind("pending")
                    .push_bind("none")
                    .push_bind(30i32)
                    .push_bind(m.stage)
                    .push_bind(m.next)
                    .push_bind(epoch)
                    .push_bind(1i64);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }};
}

impl CommitmentFixture {
    pub async fn open(url: &str) -> Result<Self> {
        Ok(if url.starts_with("sqlite:") {
            Self::Sqlite(sqlx::SqlitePool::connect(url).await?)
        } else {
            Self::Pg(sqlx::PgPool::connect(url).await?)
        })
    }

    /// Add commitments `from..to` (numbers), each with [`PER_COMMITMENT`] milestones due over
    /// the 1,000 days around `today`, marked as yesterday's sweep left them.
    pub async fn load(&self, from: u64, to: u64, today: NaiveDate) -> Result<()> {
        let yesterday = today - Duration::days(1);
        let mut cs = Vec::new();
        let mut ms = Vec::new();
        for n in from..to {
            let id = Uuid::now_v7();
            let promised = today - Duration::days(400);
            cs.push((id, n, promised));
            for s in 0..PER_COMMITMENT {
                let k = n * PER_COMMITMENT + s;
                // Spread over [-399, +600] days, deterministically.
                let off = i64::try_from(k.wrapping_mul(7919) % 1000).unwrap_or(0) - 399;
                let due = today + Duration::days(off);
                let stage = stage_due(due, 30, 0, yesterday).map_or(0, |st| st.number());
                ms.push(Ms {
                    id: Uuid::now_v7(),
                    commitment: id,
                    seq: i32::try_from(s + 1).unwrap_or(1),
                    due,
                    stage,
                    next: next_remind_on(due, 30, stage),
                });
            }
        }
        match self {
            Self::Sqlite(p) => load_with!(sqlx::Sqlite, p, cs, ms, |u: Uuid| u.hyphenated()),
            Self::Pg(p) => load_with!(sqlx::Postgres, p, cs, ms, |u: Uuid| u),
        }
        Ok(())
    }

    /// Refresh the planner's statistics after the load.
    pub async fn analyze(&self) -> Result<()> {
        match self {
            Self::Sqlite(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
            Self::Pg(p) => {
                sqlx::query("VACUUM ANALYZE commitment_milestones")
                    .execute(p)
                    .await?;
                sqlx::query("VACUUM ANALYZE commitments").execute(p).await?;
            }
        }
        Ok(())
    }

    pub async fn close(self) {
        match self {
            Self::Sqlite(p) => p.close().await,
            Self::Pg(p) => p.close().await,
        }
    }
}
