//! The test PostgreSQL: `CHENGXIN_TEST_PG` (default [`DEFAULT_PG`]), one fresh schema per test.
//! Unreachable fails the test loudly unless `CHENGXIN_TEST_SKIP_PG=1` is set and `CI` is not.

use sqlx::Executor;

/// The test database when `CHENGXIN_TEST_PG` is not set.
pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The URL of the test PostgreSQL.
pub fn pg_url() -> String {
    std::env::var("CHENGXIN_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_string())
}

/// Skipping PostgreSQL is allowed only when asked for explicitly, and never in CI.
pub fn pg_skippable() -> bool {
    std::env::var("CHENGXIN_TEST_SKIP_PG").as_deref() == Ok("1") && std::env::var("CI").is_err()
}

/// A new schema `<prefix>_<uuid>` on the test PostgreSQL, with the admin pool that made it
/// (to drop it again). `None` only when PostgreSQL may be and is skipped.
pub async fn fresh_schema(prefix: &str) -> Option<(sqlx::PgPool, String)> {
    let url = pg_url();
    let admin = match sqlx::PgPool::connect(&url).await {
        Ok(p) => p,
        Err(e) if pg_skippable() => {
            eprintln!("SKIPPING PostgreSQL test (CHENGXIN_TEST_SKIP_PG=1): {e}");
            return None;
        }
        Err(e) => panic!(
            "PostgreSQL at {url} is unreachable: {e}. Start it, point CHENGXIN_TEST_PG at one, \
             or set CHENGXIN_TEST_SKIP_PG=1 outside CI."
        ),
    };
    let schema = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    admin
        .execute(format!("CREATE SCHEMA {schema}").as_str())
        .await
        .unwrap();
    Some((admin, schema))
}

/// Connect options for the test PostgreSQL with `schema` as the search path.
pub fn options_for(schema: &str) -> sqlx::postgres::PgConnectOptions {
    use std::str::FromStr;
    sqlx::postgres::PgConnectOptions::from_str(&pg_url())
        .unwrap()
        .options([("search_path", schema)])
}

/// A fresh schema as a URL a child process can use (made on a runtime of its own, for
/// synchronous tests); `None` only when PostgreSQL may be and is skipped.
pub fn fresh_schema_url(prefix: &str) -> Option<String> {
    let base = pg_url();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let schema = rt.block_on(async {
        let (admin, schema) = fresh_schema(prefix).await?;
        drop(admin);
        Some(schema)
    })?;
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

/// Temp directory `<prefix>-<uuid>`, created.
pub fn temp_dir(prefix: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
