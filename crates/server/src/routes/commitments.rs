//! Commitments (承诺, issue 18): register, list, read, steps on a milestone, evidence files;
//! the portal's 承诺公示 and the kinds. Thin: the rules are `chengxin_app::commitments`.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chengxin_access::Permission as P;
use chengxin_app::commitments::{
    self as svc, CommitmentRequest, CommitmentStepRequest, CommitmentView, ListParams,
};
use chengxin_domain::commitments::CommitmentKind;
use serde::Deserialize;

use super::input::{json_error, parse_id, query_error};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// Who reaches the commitment routes: the credit office (its region) and departments (their
/// own body's commitments); the handlers decide which applies to the item.
pub const MANAGERS: &[P] = &[P::CommitmentsManage, P::AssignmentsHandle];

/// Register a commitment with its milestones.
#[utoipa::path(post, path = "/api/v1/commitments", tag = "commitments", request_body = CommitmentRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CommitmentRequest>, JsonRejection>,
) -> ApiResult<Json<CommitmentView>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::create(&state, &caller, req).await?))
}

/// The commitments within reach, newest first.
#[utoipa::path(get, path = "/api/v1/commitments", tag = "commitments", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult<Json<Vec<CommitmentView>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(svc::list(&state, &caller, &q).await?))
}

/// One commitment with its milestones, steps and files.
#[utoipa::path(get, path = "/api/v1/commitments/{id}", tag = "commitments",
    params(("id" = String, Path, description = "Commitment id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CommitmentView>> {
    Ok(Json(svc::get(&state, &caller, parse_id(&id)?).await?))
}

/// A step on a milestone: keep, change (lawful change with compensation), notice, explain,
/// decide (the breach becomes a 失信 record).
#[utoipa::path(post, path = "/api/v1/commitments/{id}/steps", tag = "commitments",
    request_body = CommitmentStepRequest,
    params(("id" = String, Path, description = "Commitment id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<CommitmentStepRequest>, JsonRejection>,
) -> ApiResult<Json<CommitmentView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::act(&state, &caller, id, req).await?))
}

/// Query of a file upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// The file's name (its extension must agree with its content).
    pub name: String,
    /// The milestone it proves, if any.
    pub milestone: Option<String>,
}

/// Add an evidence file (PDF, JPEG, PNG or OFD, checked by content).
#[utoipa::path(post, path = "/api/v1/commitments/{id}/files", tag = "commitments",
    params(("id" = String, Path, description = "Commitment id"), FileParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn add_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<FileParams>, QueryRejection>,
    body: Bytes,
) -> ApiResult<Json<CommitmentView>> {
    let id = parse_id(&id)?;
    let Query(q) = q.map_err(query_error)?;
    let milestone = match q.milestone.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Some(parse_id(m)?),
        None => None,
    };
    Ok(Json(
        svc::add_file(&state, &caller, id, &q.name, milestone, &body).await?,
    ))
}

/// Download an evidence file.
#[utoipa::path(get, path = "/api/v1/commitments/{id}/files/{file_id}", tag = "commitments",
    params(("id" = String, Path, description = "Commitment id"), ("file_id" = String, Path, description = "File id")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, file_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (f, bytes) = svc::file(&state, &caller, parse_id(&id)?, parse_id(&file_id)?).await?;
    let mime = match f.kind.as_str() {
        "pdf" => "application/pdf",
        "jpeg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/ofd",
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"commitment-file-{}.{}\"",
                    f.id.simple(),
                    f.kind
                ),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".into(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The kinds of commitment (data).
#[utoipa::path(get, path = "/api/v1/commitment-kinds", tag = "commitments", security(()),
    responses((status = 200, body = Vec<Object>)))]
pub async fn kinds() -> ApiResult<Json<Vec<CommitmentKind>>> {
    Ok(Json(svc::kinds()?.all().to_vec()))
}

/// Query of 承诺公示.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicParams {
    /// Promisor's name contains.
    pub q: Option<String>,
    /// Promisor's USCC.
    pub uscc: Option<String>,
    pub page: Option<i64>,
}

/// 承诺公示: public commitments with their fulfilment status.
#[utoipa::path(get, path = "/api/v1/portal/commitments", tag = "commitments", params(PublicParams),
    security(()), responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn public(
    State(state): State<AppState>,
    q: Result<Query<PublicParams>, QueryRejection>,
) -> ApiResult<Json<Vec<CommitmentView>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        svc::public_list(
            &state,
            q.q.as_deref(),
            q.uscc.as_deref(),
            q.page.unwrap_or(1),
        )
        .await?,
    ))
}
