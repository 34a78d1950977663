//! The 责任回溯 benchmark's fixture (benchmarks only): bodies, persons and employment periods
//! written straight into a migrated scratch database in large multi-row INSERTs, bypassing
//! the change log, so that `chengxin bench responsibility` can time the product's own read
//! (`StaffStore::responsible_at`) over a million periods.

use chrono::NaiveDate;
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;

/// Rows per INSERT statement (at most eight binds each).
const ROWS: usize = 4000;

/// A subject of the fixture: a body (`gov_body`) or a person (`civil_servant`).
#[derive(Debug, Clone)]
pub struct BenchSubject {
    pub id: Uuid,
    pub person: bool,
    pub name: String,
}

/// One employment period of the fixture.
#[derive(Debug, Clone)]
pub struct BenchEmployment {
    pub id: Uuid,
    pub person: Uuid,
    pub body: Uuid,
    pub post: String,
    pub principal: bool,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// A scratch database for the 责任回溯 benchmark.
pub enum ResponsibilityFixture {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

macro_rules! subjects_with {
    ($db:ty, $pool:expr, $rows:expr, $enc:expr) => {{
        let mut tx = $pool.begin().await?;
        for part in $rows.chunks(ROWS / 8) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO subjects (id, kind, name, region, id_masked, former_names, created_at, updated_at, version) ",
            );
            q.push_values(part, |mut b, s: &BenchSubject| {
                b.push_bind($enc(s.id))
                    .push_bind(if s.person { "civil_servant" } else { "gov_body" })
                    .push_bind(s.name.clone())
                    .push_bind("320400")
                    .push_bind(s.person.then(|| "3204**********0000".to_string()))
                    .push_bind(sqlx::types::Json(Vec::<String>::new()))
                    .push_bind(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
                    .push_bind(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
                    .push_bind(1i64);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }};
}

macro_rules! employments_with {
    ($db:ty, $pool:expr, $rows:expr, $enc:expr) => {{
        let mut tx = $pool.begin().await?;
        for part in $rows.chunks(ROWS / 8) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO employments (id, person_id, body_id, post, principal, start_date, end_date, created_at) ",
            );
            q.push_values(part, |mut b, e: &BenchEmployment| {
                b.push_bind($enc(e.id))
                    .push_bind($enc(e.person))
                    .push_bind($enc(e.body))
                    .push_bind(e.post.clone())
                    .push_bind(e.principal)
                    .push_bind(e.start)
                    .push_bind(e.end)
                    .push_bind(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }};
}

impl ResponsibilityFixture {
    pub async fn open(url: &str) -> Result<Self> {
        Ok(if url.starts_with("sqlite:") {
            Self::Sqlite(sqlx::SqlitePool::connect(url).await?)
        } else {
            Self::Pg(sqlx::PgPool::connect(url).await?)
        })
    }

    pub async fn load_subjects(&self, rows: &[BenchSubject]) -> Result<()> {
        match self {
            Self::Sqlite(p) => subjects_with!(sqlx::Sqlite, p, rows, |u: Uuid| u.hyphenated()),
            Self::Pg(p) => subjects_with!(sqlx::Postgres, p, rows, |u: Uuid| u),
        }
        Ok(())
    }

    pub async fn load_employments(&self, rows: &[BenchEmployment]) -> Result<()> {
        match self {
            Self::Sqlite(p) => employments_with!(sqlx::Sqlite, p, rows, |u: Uuid| u.hyphenated()),
            Self::Pg(p) => employments_with!(sqlx::Postgres, p, rows, |u: Uuid| u),
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
                sqlx::query("VACUUM ANALYZE employments").execute(p).await?;
                sqlx::query("VACUUM ANALYZE subjects").execute(p).await?;
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
