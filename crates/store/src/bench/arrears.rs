//! The arrears totals benchmark's fixture (benchmarks only): N ledger rows written straight into
//! a migrated scratch database in multi-row INSERTs, bypassing the change log — 300 bodies in
//! the three demo regions of 常州, due over 36 months, in every state.

use chrono::{Duration, NaiveDate};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;

/// Rows per INSERT statement (21 binds each).
const ROWS: usize = 1000;
/// Bodies the rows are spread over.
pub const BODIES: u64 = 300;
const REGIONS: [&str; 3] = ["320400", "320481", "320412"];
const STATES: [&str; 5] = [
    "confirmed",
    "partly_paid",
    "cleared",
    "reported",
    "rejected",
];

/// A scratch database for the arrears totals benchmark.
pub enum ArrearFixture {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

struct Row {
    id: Uuid,
    n: u64,
    body: String,
    region: &'static str,
    due: NaiveDate,
    state: &'static str,
    amount: i64,
    paid: i64,
}

macro_rules! load_with {
    ($db:ty, $pool:expr, $rows:expr, $enc:expr) => {{
        let mut tx = $pool.begin().await?;
        let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        for part in $rows.chunks(ROWS) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO arrears (id, no, source, contract_no, contract_amount_fen, \
                 debtor_uscc, debtor_name, region, creditor_uscc, creditor_name, creditor_sme, \
                 amount_fen, paid_fen, due_date, due_month, state, reported_by, created_at, \
                 updated_at, version) ",
            );
            q.push_values(part, |mut b, r: &Row| {
                b.push_bind($enc(r.id))
                    .push_bind(format!("QK-BENCH-{:08}", r.n))
                    .push_bind("office")
                    .push_bind(format!("CG-{}", r.n))
                    .push_bind(r.amount)
                    .push_bind(r.body.clone())
                    .push_bind(format!("某单位 {}", &r.body[8..12]))
                    .push_bind(r.region)
                    .push_bind("91320400MA0000001T")
                    .push_bind("某供应商")
                    .push_bind(true)
                    .push_bind(r.amount)
                    .push_bind(r.paid)
                    .push_bind(r.due)
                    .push_bind(r.due.format("%Y-%m").to_string())
                    .push_bind(r.state)
                    .push_bind("bench")
                    .push_bind(epoch)
                    .push_bind(epoch)
                    .push_bind(1i64);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }};
}

impl ArrearFixture {
    pub async fn open(url: &str) -> Result<Self> {
        Ok(if url.starts_with("sqlite:") {
            Self::Sqlite(sqlx::SqlitePool::connect(url).await?)
        } else {
            Self::Pg(sqlx::PgPool::connect(url).await?)
        })
    }

    /// Add ledger rows `from..to`, due over the 36 months before `today`.
    pub async fn load(&self, from: u64, to: u64, today: NaiveDate) -> Result<()> {
        let mut rows = Vec::with_capacity(usize::try_from(to - from).unwrap_or(0));
        for n in from..to {
            let b = n.wrapping_mul(7919) % BODIES;
            let region = REGIONS[usize::try_from(b % 3).unwrap_or(0)];
            // Fictional bodies of the region: `11` + region + a serial (not a valid code; the
            // benchmark reads, it never checks codes).
            let body = format!("11{region}BENCH{b:05}");
            // Every body has arrears in every state.
            let state = STATES[usize::try_from((n / 7) % 5).unwrap_or(0)];
            let amount = 100_000 + i64::try_from(n % 997).unwrap_or(0) * 10_000;
            let paid = match state {
                "cleared" => amount,
                "partly_paid" => amount / 3,
                _ => 0,
            };
            let off = i64::try_from(n.wrapping_mul(104_729) % 1095).unwrap_or(0);
            rows.push(Row {
                id: Uuid::now_v7(),
                n,
                body,
                region,
                due: today - Duration::days(off + 1),
                state,
                amount,
                paid,
            });
        }
        match self {
            Self::Sqlite(p) => load_with!(sqlx::Sqlite, p, rows, |u: Uuid| u.hyphenated()),
            Self::Pg(p) => load_with!(sqlx::Postgres, p, rows, |u: Uuid| u),
        }
        Ok(())
    }

    /// Fill the totals' cells (`arrear_sums`, which the product moves with every write) from
    /// the rows loaded, then refresh the planner's statistics.
    pub async fn analyze(&self) -> Result<()> {
        const SUMS: &str = "INSERT INTO arrear_sums (region, debtor_uscc, due_month, debtor_name, \
             confirmed_count, amount_fen, paid_fen, outstanding_fen, owed_count, reported_count, \
             reported_fen, cleared_count) \
             SELECT region, debtor_uscc, due_month, MAX(debtor_name), \
             SUM(CASE WHEN state IN ('confirmed', 'partly_paid', 'cleared') THEN 1 ELSE 0 END), \
             SUM(CASE WHEN state IN ('confirmed', 'partly_paid', 'cleared') THEN amount_fen ELSE 0 END), \
             SUM(CASE WHEN state IN ('confirmed', 'partly_paid', 'cleared') THEN paid_fen ELSE 0 END), \
             SUM(CASE WHEN state IN ('confirmed', 'partly_paid') THEN amount_fen - paid_fen ELSE 0 END), \
             SUM(CASE WHEN state IN ('confirmed', 'partly_paid') THEN 1 ELSE 0 END), \
             SUM(CASE WHEN state = 'reported' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN state = 'reported' THEN amount_fen ELSE 0 END), \
             SUM(CASE WHEN state = 'cleared' THEN 1 ELSE 0 END) \
             FROM arrears GROUP BY region, debtor_uscc, due_month";
        match self {
            Self::Sqlite(p) => {
                sqlx::query("DELETE FROM arrear_sums").execute(p).await?;
                sqlx::query(SUMS).execute(p).await?;
            }
            Self::Pg(p) => {
                sqlx::query("DELETE FROM arrear_sums").execute(p).await?;
                sqlx::query(SUMS).execute(p).await?;
            }
        }
        match self {
            Self::Sqlite(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
            Self::Pg(p) => {
                sqlx::query("VACUUM ANALYZE arrears").execute(p).await?;
                sqlx::query("VACUUM ANALYZE arrear_sums").execute(p).await?;
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
