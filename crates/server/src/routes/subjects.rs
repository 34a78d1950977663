//! Subjects: the sealed ID number, opened only for entitled roles, with a stated purpose,
//! and query-logged (查询留痕).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use chengxin_access::Permission;

use super::input::json_error;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentityRequest {
    /// Why the number is needed (required, recorded in the query log).
    pub purpose: String,
}

#[derive(Serialize, ToSchema)]
pub struct IdentityView {
    pub subject_id: Uuid,
    pub id_number: String,
}

impl std::fmt::Debug for IdentityView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityView")
            .field("subject_id", &self.subject_id)
            .finish_non_exhaustive()
    }
}

/// Open a person's ID number. Needs `personal_data_decrypt` and the subject within the
/// caller's jurisdiction; every call is logged with its purpose.
#[utoipa::path(post, path = "/api/v1/subjects/{id}/identity", tag = "subjects",
    params(("id" = String, Path, description = "Subject id")), request_body = IdentityRequest,
    security(("bearer" = [])),
    responses((status = 200, body = IdentityView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn identity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<IdentityRequest>, JsonRejection>,
) -> ApiResult<Json<IdentityView>> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| AppError::invalid("invalid_id", format!("“{id}”不是合法的编号")))?;
    let Json(req) = body.map_err(json_error)?;
    let purpose = req.purpose.trim();
    if purpose.chars().count() < 2 {
        return Err(chengxin_access::AccessError::PurposeRequired.into());
    }
    let subject = state.store.subject(id).await?.ok_or(AppError::NotFound)?;
    let region = subject.region.clone().unwrap_or_else(|| "000000".into());
    let mut e = caller.audit("query", "identity_open", "ok");
    e.target = Some(id.to_string());
    e.detail = serde_json::json!({"purpose": purpose, "subject": id, "returned": 0});
    if let Err(err) = caller.require_at(Permission::PersonalDataDecrypt, &region) {
        e.outcome = "denied".into();
        state.store.audit(&[e]).await?;
        return Err(err.into());
    }
    let (Some(sealed), Some(hash)) = (state.store.subject_identity(id).await?, subject.id_hash)
    else {
        return Err(AppError::NotFound.into());
    };
    let number = state
        .pii
        .open_bound(&sealed, &hash)
        .map_err(|err| AppError::Access(err.into()))?;
    e.detail["returned"] = serde_json::json!(1);
    state.store.audit(&[e]).await?;
    Ok(Json(IdentityView {
        subject_id: id,
        id_number: number,
    }))
}
