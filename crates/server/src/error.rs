//! API errors: one enum, mapped to a status code and a JSON body `{code, message}` in one
//! `IntoResponse`. `code` is stable snake_case for machines; `message` is Chinese for people.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
pub use chengxin_app::{AppError, AppResult};
use chengxin_domain::error::ErrorKind;
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
    /// The problem of each field, when the input was refused field by field (e.g.
    /// `correction_invalid`); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<chengxin_app::FieldProblem>,
}

/// An [`AppError`] answered over HTTP: the one place errors become statuses.
///
/// The status follows the error's [`ErrorKind`], with these code-specific exceptions (kept so
/// every status stays what it was):
/// - `account_locked` (a locked account) → 423 Locked (its kind is `Forbidden`);
/// - `invalid_data` (the store refused the data) → 422 Unprocessable Entity (kind `Invalid`).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(pub AppError);

impl ApiError {
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    pub fn status(&self) -> StatusCode {
        match self.0.code() {
            "account_locked" => return StatusCode::LOCKED,
            "invalid_data" if !matches!(self.0, AppError::Invalid { .. }) => {
                return StatusCode::UNPROCESSABLE_ENTITY
            }
            _ => {}
        }
        match self.0.kind() {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
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
            // An ID number the caller typed is never echoed back in clear.
            chengxin_domain::codes::id_number::mask_in_text(&self.to_string()).into_owned()
        };
        let body = ErrorBody {
            code: self.code().to_string(),
            message,
            problems: self.0.problems().to_vec(),
        };
        let mut response = (status, Json(body)).into_response();
        // A limit answer says when to come back.
        if let Some(secs) = self.0.retry_after_secs() {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(e.into())
    }
}

impl From<chengxin_access::AccessError> for ApiError {
    fn from(e: chengxin_access::AccessError) -> Self {
        ApiError(e.into())
    }
}

impl From<chengxin_checks::CheckError> for ApiError {
    fn from(e: chengxin_checks::CheckError) -> Self {
        ApiError(e.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
