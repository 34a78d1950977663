//! The search benchmark's fixture (benchmarks only): subjects written straight into a
//! migrated scratch database in large multi-row INSERTs, bypassing the change log, as the new
//! subjects of one published batch — then indexed by the product's own indexer
//! (`Store::index_published_subjects`), which is timed; and the baseline the index replaces,
//! `name LIKE '%…%' ORDER BY name LIMIT 50`.

use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;

/// Rows per INSERT statement (eight binds each).
const ROWS: usize = 1000;

/// A scratch database for the search benchmark.
pub enum SearchFixture {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

macro_rules! load_with {
    ($db:ty, $pool:expr, $batch:expr, $subjects:expr, $enc:expr) => {{
        let mut tx = $pool.begin().await?;
        for part in $subjects.chunks(ROWS) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO subjects (id, kind, name, region, former_names, created_at, updated_at, version, batch_id) ",
            );
            q.push_values(part, |mut b, (id, name, kind)| {
                b.push_bind($enc(*id))
                    .push_bind(*kind)
                    .push_bind(name.clone())
                    .push_bind("320402")
                    .push_bind(sqlx::types::Json(Vec::<String>::new()))
                    .push_bind(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
                    .push_bind(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
                    .push_bind(1i64)
                    .push_bind($enc($batch));
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }};
}

macro_rules! queue_with {
    ($pool:expr, $batch:expr, $n:expr, $enc:expr) => {{
        sqlx::query(
            "INSERT INTO search_pending (batch_id, after_id, remaining) VALUES ($1, NULL, $2)",
        )
        .bind($enc($batch))
        .bind($n)
        .execute($pool)
        .await?;
    }};
}

impl SearchFixture {
    pub async fn open(url: &str) -> Result<Self> {
        Ok(if url.starts_with("sqlite:") {
            Self::Sqlite(sqlx::SqlitePool::connect(url).await?)
        } else {
            Self::Pg(sqlx::PgPool::connect(url).await?)
        })
    }

    /// Add subjects with these ids, names and kinds (`enterprise`, `individual` …), as new
    /// subjects of the (published) batch `batch`; not yet indexed.
    pub async fn load(&self, batch: Uuid, subjects: &[(Uuid, String, &'static str)]) -> Result<()> {
        match self {
            Self::Sqlite(p) => {
                load_with!(sqlx::Sqlite, p, batch, subjects, |u: Uuid| u.hyphenated())
            }
            Self::Pg(p) => load_with!(sqlx::Postgres, p, batch, subjects, |u: Uuid| u),
        }
        Ok(())
    }

    /// Queue the `n` subjects of `batch` for the indexer, as publishing the batch does.
    pub async fn queue(&self, batch: Uuid, n: i64) -> Result<()> {
        match self {
            Self::Sqlite(p) => queue_with!(p, batch, n, |u: Uuid| u.hyphenated()),
            Self::Pg(p) => queue_with!(p, batch, n, |u: Uuid| u),
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
                sqlx::query("VACUUM ANALYZE subjects").execute(p).await?;
                sqlx::query("VACUUM ANALYZE subject_grams")
                    .execute(p)
                    .await?;
                sqlx::query("VACUUM ANALYZE subject_search")
                    .execute(p)
                    .await?;
                sqlx::query("VACUUM ANALYZE gram_counts").execute(p).await?;
            }
        }
        Ok(())
    }

    /// The baseline: the LIKE scan the portal ran before the index; the rows it returned.
    pub async fn like_scan(&self, text: &str) -> Result<usize> {
        let sql = "SELECT * FROM subjects WHERE name LIKE $1 ORDER BY name LIMIT 50";
        let pat = format!("%{text}%");
        Ok(match self {
            Self::Sqlite(p) => sqlx::query(sql).bind(pat).fetch_all(p).await?.len(),
            Self::Pg(p) => sqlx::query(sql).bind(pat).fetch_all(p).await?.len(),
        })
    }

    pub async fn close(self) {
        match self {
            Self::Sqlite(p) => p.close().await,
            Self::Pg(p) => p.close().await,
        }
    }
}
