//! The check benchmark's PostgreSQL side (benchmarks only): the pgbench baseline of exact-key
//! look-ups, and the count of checks that reached the query log.

use sqlx::PgPool;

use crate::error::Result;

/// `bench_lookup (k, id, uscc)`: every subject with a USCC, numbered from 1 in id order, `k`
/// its primary key — what [`pgbench_lookup_script`] looks up.
pub async fn create_lookup_table(url: &str) -> Result<()> {
    let pool = PgPool::connect(url).await?;
    for sql in [
        "CREATE TABLE bench_lookup AS SELECT row_number() OVER (ORDER BY id) AS k, id, uscc FROM subjects WHERE uscc IS NOT NULL",
        "ALTER TABLE bench_lookup ADD PRIMARY KEY (k)",
        "ANALYZE bench_lookup",
    ] {
        sqlx::query(sql).execute(&pool).await?;
    }
    pool.close().await;
    Ok(())
}

/// A pgbench custom script: one indexed look-up of a random key in `1..=keys`.
pub fn pgbench_lookup_script(keys: usize) -> String {
    format!("\\set k random(1, {keys})\nSELECT id FROM bench_lookup WHERE k = :k;\n")
}

/// How many checks the query log holds (counted in SQL, no read cap).
pub async fn count_logged_checks(url: &str) -> Result<u64> {
    let pool = PgPool::connect(url).await?;
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE kind = 'query' AND action = 'check'",
    )
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    Ok(u64::try_from(logged).unwrap_or(0))
}
