//! Errors of the check engine: a store failure, or the engine unable to answer (a poisoned
//! lock, a catalogue that does not load). `code()` is stable snake_case; the message Chinese.

use chengxin_store::StoreError;

/// Why a check or an index refresh failed.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The store failed (its own code and message).
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The engine cannot answer now (code `unavailable`).
    #[error("服务暂不可用：{0}")]
    Unavailable(String),
}

impl CheckError {
    /// Stable machine-readable code, e.g. `unavailable`.
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::Store(e) => e.code(),
            CheckError::Unavailable(_) => "unavailable",
        }
    }
}

impl chengxin_domain::error::Coded for CheckError {
    fn code(&self) -> &'static str {
        CheckError::code(self)
    }

    fn kind(&self) -> chengxin_domain::error::ErrorKind {
        match self {
            CheckError::Store(e) => chengxin_domain::error::Coded::kind(e),
            CheckError::Unavailable(_) => chengxin_domain::error::ErrorKind::Unavailable,
        }
    }
}

/// Results of the check engine.
pub type CheckResult<T> = Result<T, CheckError>;
