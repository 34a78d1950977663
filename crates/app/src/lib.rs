//! Chengxin's use cases and background jobs, free of any protocol: the HTTP server and the
//! command line both call into this crate and map [`AppError`] to their own answers.
//!
//! Every use case takes the [`App`] context (or the store it holds) and, where rights matter,
//! the [`auth::Caller`]; it checks the domain's rules, then calls the store.

pub mod accounts;
pub mod arrears;
pub mod audit;
pub mod audit_queue;
pub mod auth;
pub mod authority;
pub mod batch_history;
pub mod batches;
pub mod calendar;
pub mod cases;
pub mod checks;
pub mod commitments;
pub mod context;
pub mod credit_reports;
pub mod debt;
pub mod entry_rule;
pub mod error;
pub mod evaluation;
pub mod exchange;
pub mod feed;
pub mod flood;
pub mod free_text;
pub mod health;
pub mod imports;
pub mod jobs;
pub mod lists;
pub mod notify;
pub mod portal_pages;
pub mod ppp;
pub mod precheck;
pub mod records;
pub mod reference;
pub mod reports;
pub mod rights;
pub mod session;
pub mod site;
pub mod staff;
pub mod subjects;
pub mod templates;
pub mod tree_log;
pub mod work;

pub use context::{App, REPORT_VERIFY_PATH};
pub use error::{AppError, AppResult, FieldProblem};
pub use site::SiteIdentity;

/// The `tracing` target of the application's own events (background jobs).
pub const LOG_TARGET: &str = "chengxin";
