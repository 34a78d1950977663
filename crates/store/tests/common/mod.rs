//! Test harness: a fresh, migrated store per test on each backend.
//!
//! SQLite: a new file in a temp dir. PostgreSQL: a new schema in the database named by
//! `CHENGXIN_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`). An unreachable
//! PostgreSQL fails the test loudly; it is skipped only when `CHENGXIN_TEST_SKIP_PG=1` is set
//! explicitly and `CI` is not.
#![allow(dead_code)]

use std::str::FromStr;
use std::sync::Arc;

use chengxin_domain::catalog::Catalog;
use chengxin_store::postgres::PgStore;
use chengxin_store::sqlite::SqliteStore;
use chengxin_store::{LogSigner, Store};
use sqlx::postgres::PgConnectOptions;
use sqlx::Executor;

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool, String),
}

pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub raw: Raw,
    pub signer: Arc<LogSigner>,
    pub dir: std::path::PathBuf,
}

impl TestDb {
    /// Run plain SQL behind the platform's back.
    pub async fn exec(&self, sql: &str) {
        match &self.raw {
            Raw::Sqlite(p) => {
                p.execute(sql).await.unwrap();
            }
            Raw::Pg(p, _) => {
                p.execute(sql).await.unwrap();
            }
        }
    }

    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        match &self.raw {
            Raw::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Raw::Pg(p, _) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    pub async fn cleanup(self) {
        if let Raw::Pg(pool, schema) = &self.raw {
            let _ = pool
                .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                .await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("chengxin-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn pg_url() -> String {
    std::env::var("CHENGXIN_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_string())
}

fn pg_skippable() -> bool {
    std::env::var("CHENGXIN_TEST_SKIP_PG").as_deref() == Ok("1") && std::env::var("CI").is_err()
}

pub async fn sqlite() -> TestDb {
    let dir = temp_dir();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let store = SqliteStore::open(&url).await.unwrap();
    let raw = Raw::Sqlite(store.pool().clone());
    finish(Arc::new(store), raw, dir).await
}

/// `None` only when PostgreSQL is explicitly allowed to be skipped.
pub async fn postgres() -> Option<TestDb> {
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
    let schema = format!("cx_test_{}", uuid::Uuid::now_v7().simple());
    admin
        .execute(format!("CREATE SCHEMA {schema}").as_str())
        .await
        .unwrap();
    let opts = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let store = PgStore::open_with(opts).await.unwrap();
    let raw = Raw::Pg(store.pool().clone(), schema);
    Some(finish(Arc::new(store), raw, temp_dir()).await)
}

async fn finish(store: Arc<dyn Store>, raw: Raw, dir: std::path::PathBuf) -> TestDb {
    let signer = Arc::new(LogSigner::generate());
    let catalog = Catalog::default_checked().unwrap();
    store.migrate(catalog, &signer, "test").await.unwrap();
    TestDb {
        store,
        raw,
        signer,
        dir,
    }
}

/// Define one test per backend from one async body taking a `TestDb`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::common::sqlite().await;
                ($body)(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::common::postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}
