//! Interim API authentication: one configured department token (`CHENGXIN_API_TOKEN`), until
//! accounts and per-department tokens exist. Secure by default: with no token configured,
//! every protected route answers 403.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::AppState;

/// The caller, authenticated by the configured token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Recorded as the actor of every change the caller makes.
    pub actor: String,
}

/// Compare digests, so the comparison time does not depend on how much of the token matched.
fn same_secret(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(expected) = state.api_token.as_deref() else {
            return Err(ApiError::Forbidden {
                code: "api_token_not_configured",
                message: "服务器未配置接口令牌（CHENGXIN_API_TOKEN），受保护的接口已关闭".into(),
            });
        };
        let given = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match given {
            Some(t) if same_secret(t, expected) => Ok(Caller {
                actor: "api:dept-token".into(),
            }),
            Some(_) => Err(ApiError::Unauthorized("接口令牌无效".into())),
            None => Err(ApiError::Unauthorized(
                "缺少接口令牌：请在 Authorization 头中提供 Bearer 令牌".into(),
            )),
        }
    }
}
