//! The work-item benchmark's fixture (benchmarks only): items and their owner/issuer parties
//! written straight into a migrated scratch database in multi-row INSERTs, bypassing the change
//! log, each item marked as yesterday's sweep left it (the stage sent, the next look) — so the
//! timed queue pages and sweep do what a real day does.

use chrono::NaiveDate;
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;

/// Rows per INSERT statement (at most 24 binds each).
const ROWS: usize = 1000;

/// One item as the fixture writes it.
#[derive(Debug, Clone)]
pub struct BenchWorkItem {
    pub id: Uuid,
    pub n: u64,
    pub kind: &'static str,
    pub state: &'static str,
    pub owner: String,
    pub region: String,
    pub issuer: Option<String>,
    pub opened_on: NaiveDate,
    pub deadline: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub remind_stage: i32,
    pub next_remind_on: Option<NaiveDate>,
}

/// A scratch database for the work-item benchmark.
pub enum WorkFixture {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

macro_rules! load_with {
    ($db:ty, $pool:expr, $items:expr, $enc:expr) => {{
        let mut tx = $pool.begin().await?;
        let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        for part in $items.chunks(ROWS) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO work_items (id, no, kind, title, owner_uscc, owner_name, region, \
                 issuer_uscc, issuer_name, content, required, state, opened_on, deadline, due_on, \
                 reopens, closed_on, remind_stage, next_remind_on, created_by, created_at, \
                 updated_at, version) ",
            );
            q.push_values(part, |mut b, i: &BenchWorkItem| {
                b.push_bind($enc(i.id))
                    .push_bind(format!("SJ-BENCH-{:09}", i.n))
                    .push_bind(i.kind)
                    .push_bind(format!("发现问题 {}", i.n))
                    .push_bind(i.owner.clone())
                    .push_bind("某局")
                    .push_bind(i.region.clone())
                    .push_bind(i.issuer.clone())
                    .push_bind("审计局")
                    .push_bind("问题")
                    .push_bind("限期整改")
                    .push_bind(i.state)
                    .push_bind(i.opened_on)
                    .push_bind(i.deadline)
                    .push_bind(i.due_on)
                    .push_bind(0i32)
                    .push_bind(i.closed_on)
                    .push_bind(i.remind_stage)
                    .push_bind(i.next_remind_on)
                    .push_bind("bench")
                    .push_bind(epoch)
                    .push_bind(epoch)
                    .push_bind(1i64);
            });
            q.build().execute(&mut *tx).await?;
        }
        let mut parties: Vec<(Uuid, String, &'static str)> = Vec::new();
        for i in $items.iter() {
            parties.push((i.id, i.owner.clone(), "owner"));
            if let Some(s) = &i.issuer {
                parties.push((i.id, s.clone(), "issuer"));
            }
        }
        for part in parties.chunks(ROWS) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO work_item_parties (item_id, body_uscc, body_name, party) ",
            );
            q.push_values(part, |mut b, (id, body, party)| {
                b.push_bind($enc(*id))
                    .push_bind(body.clone())
                    .push_bind("某单位")
                    .push_bind(*party);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }};
}

impl WorkFixture {
    pub async fn open(url: &str) -> Result<Self> {
        Ok(if url.starts_with("sqlite:") {
            Self::Sqlite(sqlx::SqlitePool::connect(url).await?)
        } else {
            Self::Pg(sqlx::PgPool::connect(url).await?)
        })
    }

    /// Write these items (and their owner and issuer parties).
    pub async fn load(&self, items: &[BenchWorkItem]) -> Result<()> {
        match self {
            Self::Sqlite(p) => load_with!(sqlx::Sqlite, p, items, |u: Uuid| u.hyphenated()),
            Self::Pg(p) => load_with!(sqlx::Postgres, p, items, |u: Uuid| u),
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
                sqlx::query("VACUUM ANALYZE work_items").execute(p).await?;
                sqlx::query("VACUUM ANALYZE work_item_parties")
                    .execute(p)
                    .await?;
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
