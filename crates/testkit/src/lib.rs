//! Dev-only test kit of the Chengxin workspace: the one `both_backends!`, fresh stores and
//! PostgreSQL schemas, the HTTP [`TestApp`] and the fixtures shared by the crates' tests.
//!
//! Only ever a `[dev-dependencies]` entry (the architecture test in `crates/chengxin` checks it).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod db;
pub mod pg;
pub mod report_sample;
mod test_app;

use std::future::Future;

pub use pg::DEFAULT_PG;
pub use test_app::{
    assert_log_verifies, blacklist, http_request, import_row, report_key, Cred, TestApp,
    TEST_VERIFY_URL,
};

/// A per-test fixture that can be made on each backend: a fresh SQLite file, or a fresh
/// PostgreSQL schema (`None` only when skipping PostgreSQL was asked for explicitly).
pub trait Fixture: Sized {
    /// A fresh fixture over SQLite.
    fn sqlite() -> impl Future<Output = Self> + Send;
    /// A fresh fixture over PostgreSQL; `None` only with `CHENGXIN_TEST_SKIP_PG=1` outside CI.
    fn postgres() -> impl Future<Output = Option<Self>> + Send;
}

/// Runs `body` on a fresh SQLite fixture.
pub async fn on_sqlite<T, F, Fut>(body: F)
where
    T: Fixture,
    F: FnOnce(T) -> Fut,
    Fut: Future<Output = ()>,
{
    body(T::sqlite().await).await;
}

/// Runs `body` on a fresh PostgreSQL fixture, unless PostgreSQL may be and is skipped.
pub async fn on_postgres<T, F, Fut>(body: F)
where
    T: Fixture,
    F: FnOnce(T) -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(t) = T::postgres().await {
        body(t).await;
    }
}

/// `both_backends!(name, body)`: one test per backend (`name::sqlite`, `name::postgres`).
/// `body` is an async fn or closure taking a [`Fixture`] ([`TestApp`] or [`db::TestDb`]).
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::on_sqlite($body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::on_postgres($body).await;
            }
        }
    };
}
