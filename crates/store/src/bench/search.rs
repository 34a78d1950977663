//! The search benchmark's fixture (benchmarks only): subjects and their search index rows
//! (the same derivation as the product, `chengxin_domain::names`) written straight into a
//! migrated scratch database in large multi-row INSERTs, bypassing the change log; and the
//! baseline the index replaces, `name LIKE '%…%' ORDER BY name LIMIT 50`.

use chengxin_domain::names::{subject_grams, subject_search_text};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::error::Result;

/// Rows per INSERT statement (three binds at most each).
const ROWS: usize = 5000;

/// A scratch database for the search benchmark.
pub enum SearchFixture {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

macro_rules! load_with {
    ($db:ty, $pool:expr, $subjects:expr, $enc:expr) => {{
        let mut tx = $pool.begin().await?;
        for part in $subjects.chunks(ROWS / 4) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO subjects (id, kind, name, region, former_names, created_at, updated_at, version) ",
            );
            q.push_values(part, |mut b, (id, name)| {
                b.push_bind($enc(*id))
                    .push_bind("enterprise")
                    .push_bind(name.clone())
                    .push_bind("320402")
                    .push_bind(sqlx::types::Json(Vec::<String>::new()))
                    .push_bind(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
                    .push_bind(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
                    .push_bind(1i64);
            });
            q.build().execute(&mut *tx).await?;
            let mut q = QueryBuilder::<$db>::new("INSERT INTO subject_search (subject_id, folded) ");
            q.push_values(part, |mut b, (id, name)| {
                b.push_bind($enc(*id))
                    .push_bind(subject_search_text([name.as_str()]));
            });
            q.build().execute(&mut *tx).await?;
            let grams: Vec<(String, Uuid)> = part
                .iter()
                .flat_map(|(id, name)| {
                    subject_grams([name.as_str()]).into_iter().map(move |g| (g, *id))
                })
                .collect();
            for gpart in grams.chunks(ROWS) {
                let mut q =
                    QueryBuilder::<$db>::new("INSERT INTO subject_grams (gram, subject_id, person) ");
                q.push_values(gpart, |mut b, (g, id)| {
                    b.push_bind(g.clone()).push_bind($enc(*id)).push_bind(false);
                });
                q.build().execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
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

    /// Add enterprises with these ids and names, indexed.
    pub async fn load(&self, subjects: &[(Uuid, String)]) -> Result<()> {
        match self {
            Self::Sqlite(p) => load_with!(sqlx::Sqlite, p, subjects, |u: Uuid| u.hyphenated()),
            Self::Pg(p) => load_with!(sqlx::Postgres, p, subjects, |u: Uuid| u),
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
