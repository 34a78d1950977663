//! The CLI's error type: a stable code, printed as `错误[code]：message`, and its exit status.

use chengxin_domain::error::Coded;

/// An error with a stable code, printed as `错误[code]：message`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct CliError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) exit: u8,
}

impl CliError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            exit: 2,
        }
    }
}

/// Every coded error of the layers below (domain rules, store, use cases …) keeps its code and
/// message on the command line.
impl<E: Coded + std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError::new(e.code(), e.to_string())
    }
}

/// A use case's error as a CLI error (same code and message).
pub(crate) fn app_err(e: chengxin_app::AppError) -> CliError {
    e.into()
}
