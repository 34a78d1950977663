//! API errors: one enum, mapped to a status code and a JSON body `{code, message}` in one
//! `IntoResponse`. `code` is stable snake_case for machines; `message` is Chinese for people.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chengxin_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`.
    pub code: String,
    /// Human-readable message in Simplified Chinese.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("请求的资源不存在")]
    NotFound,
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    #[error("{0}")]
    Access(#[from] chengxin_access::AccessError),
    #[error("请求过于频繁，请稍后再试")]
    RateLimited,
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("服务暂不可用：{0}")]
    Unavailable(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Unauthorized {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } => code,
            ApiError::NotFound => "not_found",
            ApiError::Unauthorized { code, .. } => code,
            ApiError::Access(e) => e.code(),
            ApiError::RateLimited => "rate_limited",
            ApiError::Forbidden { code, .. } => code,
            ApiError::Store(e) => e.code(),
            ApiError::Unavailable(_) => "unavailable",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Access(e) => {
                StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::FORBIDDEN)
            }
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Store(e) => match e {
                StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                StoreError::Duplicate(_) | StoreError::Conflict { .. } => StatusCode::CONFLICT,
                StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                StoreError::Unreachable(_) | StoreError::NotMigrated => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), error = %self, "request failed");
        }
        // Internal details stay in the log; the client gets the code and a safe message.
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            "服务器内部错误，请稍后重试或联系管理员".to_string()
        } else {
            self.to_string()
        };
        let body = ErrorBody {
            code: self.code().to_string(),
            message,
        };
        (status, Json(body)).into_response()
    }
}

impl From<chengxin_checks::CheckError> for ApiError {
    /// The check engine's errors answer as they did when the engine returned `ApiError`.
    fn from(e: chengxin_checks::CheckError) -> Self {
        match e {
            chengxin_checks::CheckError::Store(e) => ApiError::Store(e),
            chengxin_checks::CheckError::Unavailable(m) => ApiError::Unavailable(m),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
