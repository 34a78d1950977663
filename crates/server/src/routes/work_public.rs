//! Portal complaints on the work-item engine (投诉举报, issue 19 part three): filing without
//! logging in, 办件查询 by number (with the access code: the timeline and the reply), the
//! complainant's evidence and rating. Thin: the rules are `chengxin_app::work::public`.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chengxin_app::work::public as svc;
use chengxin_app::work::{PublicComplaintRequest, PublicFiled, PublicRating, PublicTrack};

use super::input::{json_error, query_error};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// The complainant's access code, sent in the `X-Access-Code` header.
fn access_code(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-access-code").and_then(|v| v.to_str().ok())
}

/// File a complaint (投诉举报) about a body: it becomes a complaint work item of that body's
/// region. Answers the number and, once, the access code.
#[utoipa::path(post, path = "/api/v1/portal/complaints", tag = "work-items",
    request_body = PublicComplaintRequest, security((), ("bearer" = [])),
    responses((status = 201, body = PublicFiled), (status = 400, body = crate::error::ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<PublicComplaintRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<PublicFiled>)> {
    let Json(req) = body.map_err(json_error)?;
    Ok((
        StatusCode::CREATED,
        Json(svc::file(&state, &caller, req).await?),
    ))
}

/// 办件查询 of a portal complaint: its progress; with the access code (`X-Access-Code`) the
/// public-safe timeline, the reply and what the complainant may do.
#[utoipa::path(get, path = "/api/v1/portal/complaints/{no}", tag = "work-items",
    params(("no" = String, Path, description = "The complaint's number (查询编号)")), security(()),
    responses((status = 200, body = PublicTrack), (status = 404, body = crate::error::ErrorBody)))]
pub async fn track(
    State(state): State<AppState>,
    Path(no): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<PublicTrack>> {
    Ok(Json(svc::track(&state, &no, access_code(&headers)).await?))
}

/// The complainant rates the reply (满意 / 基本满意 / 不满意); 不满意 reopens it once.
#[utoipa::path(post, path = "/api/v1/portal/complaints/{no}/rating", tag = "work-items",
    request_body = PublicRating,
    params(("no" = String, Path, description = "The complaint's number (查询编号)")), security(()),
    responses((status = 200, body = PublicTrack), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: Caller,
    Path(no): Path<String>,
    headers: HeaderMap,
    body: Result<Json<PublicRating>, JsonRejection>,
) -> ApiResult<Json<PublicTrack>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        svc::rate(&state, &caller, &no, access_code(&headers), req).await?,
    ))
}

/// The evidence file's name.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceName {
    /// The file's name (PDF, JPEG, PNG or OFD; the content decides).
    pub name: Option<String>,
}

/// The complainant adds an evidence file (raw body) while the complaint is handled.
#[utoipa::path(post, path = "/api/v1/portal/complaints/{no}/evidence", tag = "work-items",
    params(("no" = String, Path, description = "The complaint's number (查询编号)"), EvidenceName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(()),
    responses((status = 200, body = PublicTrack), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(no): Path<String>,
    q: Result<Query<EvidenceName>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<PublicTrack>> {
    let Query(q) = q.map_err(query_error)?;
    let name = q.name.unwrap_or_default();
    Ok(Json(
        svc::add_evidence(&state, &caller, &no, access_code(&headers), &name, &body).await?,
    ))
}
