//! Chengxin's use cases and background jobs, free of any protocol: the HTTP server and the
//! command line both call into this crate and map [`AppError`] to their own answers.

pub mod error;

pub use error::{AppError, AppResult};
