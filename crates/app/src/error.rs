//! The use cases' error: one enum with a stable snake_case `code()` and a [`ErrorKind`] that
//! each front end (HTTP status, CLI message) maps on its own. Messages are Chinese.

use chengxin_access::AccessError;
use chengxin_checks::CheckError;
use chengxin_domain::error::{Coded, ErrorKind};
use chengxin_store::StoreError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is malformed or breaks a rule.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// What the request refers to does not exist (code `not_found`).
    #[error("请求的资源不存在")]
    NotFound,
    /// The caller must log in (or present valid credentials) first.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// An access rule refused (its own code and kind).
    #[error("{0}")]
    Access(#[from] AccessError),
    /// Too many requests (code `rate_limited`).
    #[error("请求过于频繁，请稍后再试")]
    RateLimited,
    /// A limit or quota is reached (kind rate limited): its own code and message, and when
    /// to try again (`Retry-After` over HTTP).
    #[error("{message}")]
    Limited {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// The caller may not do this.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Not now: what it refers to is in a state that does not allow it (yet).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The store failed (its own code and kind).
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Something the use case needs is missing for now (code `unavailable`).
    #[error("服务暂不可用：{0}")]
    Unavailable(String),
    /// A setting the use case needs is not configured in this deployment (kind unavailable,
    /// its own code, e.g. `public_url_missing`).
    #[error("{message}")]
    NotConfigured { code: &'static str, message: String },
    /// The check engine failed (its own code and kind).
    #[error("{0}")]
    Check(#[from] CheckError),
    /// The input breaks rules field by field (an invalid correction): each problem named.
    #[error("{message}")]
    InvalidFields {
        code: &'static str,
        message: String,
        problems: Vec<FieldProblem>,
    },
}

/// One problem of one field of the input, as an error answer lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// English field name (absent for a problem of the whole input).
    pub field: Option<String>,
    /// The field's Chinese title.
    pub title: Option<String>,
    /// Stable snake_case code of the problem.
    pub code: String,
    /// Chinese message.
    pub message: String,
}

impl AppError {
    /// [`AppError::Invalid`].
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            code,
            message: message.into(),
        }
    }

    /// [`AppError::Unavailable`]: something the use case needs failed (shipped data that
    /// does not load, a value that does not encode).
    pub fn unavailable(e: impl std::fmt::Display) -> Self {
        AppError::Unavailable(e.to_string())
    }

    /// [`AppError::Unauthorized`].
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Unauthorized {
            code,
            message: message.into(),
        }
    }

    /// [`AppError::Forbidden`].
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Forbidden {
            code,
            message: message.into(),
        }
    }

    /// The problems by field, for an error that lists them (empty otherwise).
    pub fn problems(&self) -> &[FieldProblem] {
        match self {
            AppError::InvalidFields { problems, .. } => problems,
            _ => &[],
        }
    }

    /// [`AppError::Conflict`].
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// When a refusal for too many requests may be tried again, in whole seconds (at least
    /// one): the `Retry-After` of a 429. `None` for every other error.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::Limited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            AppError::Access(e) => e
                .retry_after_ms()
                .map(|ms| ms.div_ceil(1000).clamp(1, 86_400)),
            AppError::RateLimited => Some(1),
            _ => None,
        }
    }

    /// For an item named by its id (in a path), once the item is found: a refusal because the
    /// item lies outside the caller's reach, or needs a permission the caller lacks, answers
    /// exactly as an unknown id does, so that the answer never tells whether the id exists.
    /// (A caller without the route's own permission is refused before any item is looked
    /// up.) Other refusals — a missing purpose, a wrong state — stay as they are.
    pub fn concealing_item(self) -> Self {
        match self {
            AppError::Access(
                AccessError::OutOfJurisdiction { .. }
                | AccessError::TokenRegionDenied { .. }
                | AccessError::PermissionDenied { .. },
            )
            | AppError::Unauthorized { .. } => AppError::NotFound,
            other => other,
        }
    }

    /// Stable snake_case code, e.g. `not_found`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { code, .. } => code,
            AppError::NotFound => "not_found",
            AppError::Unauthorized { code, .. } => code,
            AppError::Access(e) => e.code(),
            AppError::RateLimited => "rate_limited",
            AppError::Limited { code, .. } => code,
            AppError::Forbidden { code, .. } => code,
            AppError::Conflict { code, .. } => code,
            AppError::Store(e) => e.code(),
            AppError::Unavailable(_) => "unavailable",
            AppError::NotConfigured { code, .. } => code,
            AppError::Check(e) => e.code(),
            AppError::InvalidFields { code, .. } => code,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AppError::Invalid { .. } => ErrorKind::Invalid,
            AppError::NotFound => ErrorKind::NotFound,
            AppError::Unauthorized { .. } => ErrorKind::Unauthenticated,
            AppError::Access(e) => e.kind(),
            AppError::RateLimited | AppError::Limited { .. } => ErrorKind::RateLimited,
            AppError::Forbidden { .. } => ErrorKind::Forbidden,
            AppError::Conflict { .. } => ErrorKind::Conflict,
            AppError::Store(e) => e.kind(),
            AppError::Unavailable(_) | AppError::NotConfigured { .. } => ErrorKind::Unavailable,
            AppError::Check(e) => e.kind(),
            AppError::InvalidFields { .. } => ErrorKind::Invalid,
        }
    }
}

impl Coded for AppError {
    fn code(&self) -> &'static str {
        AppError::code(self)
    }

    fn kind(&self) -> ErrorKind {
        AppError::kind(self)
    }
}

/// A domain rule that refuses the input: answered as invalid input with the rule's own code
/// and message (400 over HTTP, whatever the rule's kind — as the API always has).
macro_rules! refused_by_rule {
    ($($ty:ty),* $(,)?) => {
        $(impl From<$ty> for AppError {
            fn from(e: $ty) -> Self {
                AppError::Invalid {
                    code: e.code(),
                    message: e.to_string(),
                }
            }
        })*
    };
}

refused_by_rule!(
    chengxin_domain::calendar::CalendarError,
    chengxin_domain::catalog::CatalogError,
    chengxin_domain::catalog::FieldError,
    chengxin_domain::codes::CodeError,
    chengxin_domain::intake::MappingError,
    chengxin_domain::lists::EntryError,
    chengxin_domain::lists::ListsError,
    chengxin_domain::records::TransitionError,
    chengxin_domain::regions::RegionError,
    chengxin_domain::rights::RightsError,
);

/// A refused correction: its code and message, with the problem of each field.
impl From<chengxin_domain::records::correction::CorrectionError> for AppError {
    fn from(e: chengxin_domain::records::correction::CorrectionError) -> Self {
        AppError::InvalidFields {
            code: e.code(),
            message: e.to_string(),
            problems: e
                .issues()
                .iter()
                .map(|i| FieldProblem {
                    field: i.field.clone(),
                    title: i.title.clone(),
                    code: i.code.to_string(),
                    message: i.message.clone(),
                })
                .collect(),
        }
    }
}

/// A case step refused by the closed loop's rules: 400 with the rule's code, except a step
/// that is another party's (`not_your_step`: 分发 is the credit office's, 签收/实施/反馈 the
/// department's), which is forbidden.
impl From<chengxin_domain::lists::CaseError> for AppError {
    fn from(e: chengxin_domain::lists::CaseError) -> Self {
        match e {
            chengxin_domain::lists::CaseError::NotYourStep { .. } => AppError::Forbidden {
                code: e.code(),
                message: e.to_string(),
            },
            e => AppError::Invalid {
                code: e.code(),
                message: e.to_string(),
            },
        }
    }
}

/// Results of the use cases.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes clients see are stable (one was once turned into `AppError::unavailable` by
    /// a rename and no test noticed).
    #[test]
    fn codes_and_kinds() {
        let e = AppError::unavailable("日历数据不可用");
        assert_eq!(
            (e.code(), e.kind()),
            ("unavailable", ErrorKind::Unavailable)
        );
        assert_eq!(e.to_string(), "服务暂不可用：日历数据不可用");
        assert_eq!(AppError::NotFound.code(), "not_found");
        assert_eq!(AppError::RateLimited.code(), "rate_limited");
        let rule: AppError = chengxin_domain::calendar::CalendarError::YearNotCovered {
            year: 2031,
            first: 2018,
            last: 2026,
        }
        .into();
        assert_eq!(
            (rule.code(), rule.kind()),
            ("calendar_year_not_covered", ErrorKind::Invalid)
        );
    }
}
