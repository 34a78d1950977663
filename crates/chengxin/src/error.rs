//! The CLI's error type: a stable code, printed as `错误[code]：message`, and its exit status.

use chengxin_store::StoreError;

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

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::new(e.code(), e.to_string())
    }
}

impl From<chengxin_app::AppError> for CliError {
    fn from(e: chengxin_app::AppError) -> Self {
        CliError::new(e.code(), e.to_string())
    }
}

impl From<chengxin_store::backup::BackupError> for CliError {
    fn from(e: chengxin_store::backup::BackupError) -> Self {
        CliError::new(e.code, e.message)
    }
}

/// A use case's error as a CLI error (same code and message).
pub(crate) fn app_err(e: chengxin_app::AppError) -> CliError {
    e.into()
}
