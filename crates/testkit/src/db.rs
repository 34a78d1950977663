//! A fresh, migrated store per test on each backend, with raw SQL access behind its back.
//!
//! SQLite: a new file in a temp dir. PostgreSQL: a new schema (see [`crate::pg`]).

use std::sync::Arc;

use chengxin_domain::catalog::Catalog;
use chengxin_store::postgres::PgStore;
use chengxin_store::sqlite::SqliteStore;
use chengxin_store::{LogSigner, Store};
use sqlx::Executor;

use crate::pg;

/// The raw pool under a [`TestDb`].
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool, String),
}

/// A fresh, migrated store.
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

    /// Another store over the same database, as a process started after this one sees it
    /// (e.g. after a crash): it shares no in-process state with `store`.
    pub async fn reopen(&self) -> Arc<dyn Store> {
        match &self.raw {
            Raw::Sqlite(_) => Arc::new(
                SqliteStore::open(&format!("sqlite://{}", self.dir.join("t.db").display()))
                    .await
                    .unwrap(),
            ),
            Raw::Pg(_, schema) => {
                Arc::new(PgStore::open_with(pg::options_for(schema)).await.unwrap())
            }
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

/// A fresh store over SQLite.
pub async fn sqlite() -> TestDb {
    let dir = pg::temp_dir("chengxin-test");
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let store = SqliteStore::open(&url).await.unwrap();
    let raw = Raw::Sqlite(store.pool().clone());
    finish(Arc::new(store), raw, dir).await
}

/// `None` only when PostgreSQL is explicitly allowed to be skipped.
pub async fn postgres() -> Option<TestDb> {
    let (_admin, schema) = pg::fresh_schema("cx_test").await?;
    let store = PgStore::open_with(pg::options_for(&schema)).await.unwrap();
    let raw = Raw::Pg(store.pool().clone(), schema);
    Some(finish(Arc::new(store), raw, pg::temp_dir("chengxin-test")).await)
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

impl crate::Fixture for TestDb {
    async fn sqlite() -> Self {
        sqlite().await
    }

    async fn postgres() -> Option<Self> {
        postgres().await
    }
}
