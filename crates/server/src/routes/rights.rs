//! Credit rights over HTTP: objections and repair applications, their queues and steps,
//! evidence files, the public tracking page, tolerance and mitigation decisions, and the two
//! archives that show their outcome (the public one and the subject's own). The use cases are
//! `chengxin_app::rights`; here are the requests, the access-code header, statuses and the
//! evidence download's headers.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chengxin_app::calendar::{mark_due, WithDue};
use chengxin_app::free_text::ApplicationTextsView;
use chengxin_app::rights as svc;
use chengxin_app::rights::{
    Archive, ComplaintRequest, EvidenceParams, Filed, MitigationRequest, ObjectionRequest,
    QueueParams, RepairRequest, StepRequest, ToleranceRequest, TrackingView,
};
use chengxin_store::ApplicationRow;

use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::AppState;

use super::input::{json_error, parse_id, query_error};

/// File an objection (异议申诉). Anyone may object to public information; a subject may
/// object to its own information whatever its disclosure. Answers 404 for anything the caller
/// cannot see.
#[utoipa::path(post, path = "/api/v1/objections", tag = "rights", request_body = ObjectionRequest,
    security((), ("bearer" = [])),
    responses((status = 201, body = Filed), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_objection(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ObjectionRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Filed>)> {
    let Json(req) = body.map_err(json_error)?;
    let target = svc::target_of(&req.target_kind, parse_id(&req.target_id)?)?;
    let filed = svc::file_objection(&state, &caller, target, req).await?;
    Ok((StatusCode::CREATED, Json(filed)))
}

/// File a complaint or report (投诉举报) — e.g. a body breaking a promise or a contract, or
/// information that should be public and is not. Anyone may file; the credit office handles it
/// and answers; the complainant follows it by tracking number.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "rights", request_body = ComplaintRequest,
    security((), ("bearer" = [])),
    responses((status = 201, body = Filed), (status = 400, body = crate::error::ErrorBody)))]
pub async fn file_complaint(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ComplaintRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Filed>)> {
    let Json(req) = body.map_err(json_error)?;
    let filed = svc::file_complaint(&state, &caller, req).await?;
    Ok((StatusCode::CREATED, Json(filed)))
}

/// Apply for credit repair (信用修复) of one's own information. Refused before the minimum
/// publication period, without the commitment, or while barred after false materials.
#[utoipa::path(post, path = "/api/v1/repairs", tag = "rights", request_body = RepairRequest,
    security(("bearer" = [])),
    responses((status = 201, body = Filed), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_repair(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<RepairRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Filed>)> {
    let Json(req) = body.map_err(json_error)?;
    let target = svc::target_of(&req.target_kind, parse_id(&req.target_id)?)?;
    let filed = svc::file_repair(&state, &caller, target, req).await?;
    Ok((StatusCode::CREATED, Json(filed)))
}

/// The applicant's access code, sent in the `X-Access-Code` header.
fn access_code(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-access-code").and_then(|v| v.to_str().ok())
}

/// Look up an application by tracking number, without logging in: its progress only. With
/// the access code (header `X-Access-Code`), also the answer and the notices to the applicant.
#[utoipa::path(get, path = "/api/v1/track/{tracking_no}", tag = "rights",
    params(("tracking_no" = String, Path, description = "Tracking number")), security(()),
    responses((status = 200, body = TrackingView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn track(
    State(state): State<AppState>,
    Path(no): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<TrackingView>> {
    Ok(Json(svc::track(&state, &no, access_code(&headers)).await?))
}

/// Add an evidence file (raw body, at most the configured size) to an open application; needs
/// the access code. The type is recognised by content: a renamed file is refused.
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/evidence", tag = "rights",
    params(("tracking_no" = String, Path, description = "Tracking number"), EvidenceParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(()),
    responses((status = 200, body = TrackingView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(no): Path<String>,
    q: Result<Query<EvidenceParams>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<TrackingView>> {
    let Query(q) = q.map_err(query_error)?;
    let view = svc::add_evidence(&state, &caller, &no, access_code(&headers), &q, &body).await?;
    Ok(Json(view))
}

/// Withdraw an application that is not decided yet (needs the access code).
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/withdraw", tag = "rights",
    params(("tracking_no" = String, Path, description = "Tracking number")), security(()),
    responses((status = 200, body = TrackingView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(no): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<TrackingView>> {
    let view = svc::withdraw(&state, &caller, &no, access_code(&headers)).await?;
    Ok(Json(view))
}

/// The queue: applications the caller handles (the credit office in its jurisdiction, or a
/// department's own), with who acts next and the deadline.
#[utoipa::path(get, path = "/api/v1/applications", tag = "rights", params(QueueParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> ApiResult<Json<Vec<WithDue<ApplicationRow>>>> {
    let Query(q) = q.map_err(query_error)?;
    let rows = svc::queue(&state, &caller, q).await?;
    Ok(Json(mark_due(state.store.as_ref(), rows, |r| r.due).await?))
}

/// One application with its steps, notices, decision and evidence list.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "rights",
    params(("id" = String, Path, description = "Application id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<WithDue<ApplicationRow>>> {
    let id = parse_id(&id)?;
    let row = svc::application(&state, &caller, id).await?;
    let mut one = mark_due(state.store.as_ref(), vec![row], |r| r.due).await?;
    one.pop().map(Json).ok_or(AppError::NotFound.into())
}

/// An application's free texts as given: ID numbers typed into its reasons (or the
/// applicant's name, a step's reasons) are stored and served masked; this opens the text as
/// given. Needs `personal_data_decrypt` and the application within the caller's reach; every
/// call is logged with its purpose.
#[utoipa::path(post, path = "/api/v1/applications/{id}/free-text", tag = "rights",
    params(("id" = String, Path, description = "Application id")),
    request_body = super::records::FreeTextRequest, security(("bearer" = [])),
    responses((status = 200, body = ApplicationTextsView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn free_text(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<super::records::FreeTextRequest>, JsonRejection>,
) -> ApiResult<Json<ApplicationTextsView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        chengxin_app::free_text::open_application(&state, &caller, id, &req.purpose).await?,
    ))
}

/// Take the next step. The credit office accepts, refuses, answers, shares and revokes; the
/// department whose data it is (or the credit office for it) checks objections and decides
/// repairs (谁认定、谁修复). A stale `expected_version` answers 409: of two simultaneous
/// decisions one wins.
#[utoipa::path(post, path = "/api/v1/applications/{id}/actions", tag = "rights", request_body = StepRequest,
    params(("id" = String, Path, description = "Application id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<StepRequest>, JsonRejection>,
) -> ApiResult<Json<ApplicationRow>> {
    let Json(req) = body.map_err(json_error)?;
    let id = parse_id(&id)?;
    Ok(Json(svc::act(&state, &caller, id, req).await?))
}

/// Download an evidence file of an application the caller handles.
#[utoipa::path(get, path = "/api/v1/applications/{id}/evidence/{file_id}", tag = "rights",
    params(("id" = String, Path, description = "Application id"), ("file_id" = String, Path, description = "File id")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, file_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    // The application first: an application the caller cannot see is not found, whatever the
    // file id.
    let row = svc::application(&state, &caller, parse_id(&id)?).await?;
    let f = svc::evidence_file(&state, &row, parse_id(&file_id)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, f.mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"evidence-{}\"", f.id.simple()),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".into(),
            ),
        ],
        f.content,
    )
        .into_response())
}

/// Recognise a body's lapse as tolerable error (容错纠错): the record is kept, marked, and no
/// longer counted as 失信 (checks, reports, ratings).
#[utoipa::path(post, path = "/api/v1/records/{id}/tolerance", tag = "rights", request_body = ToleranceRequest,
    params(("id" = String, Path, description = "Record id")), security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn tolerance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ToleranceRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ApplicationRow>)> {
    let Json(req) = body.map_err(json_error)?;
    let id = parse_id(&id)?;
    let row = svc::tolerance(&state, &caller, id, req).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Decide 从轻 or 免于惩戒 for a list entry's measures because losses were recovered, the impact
/// removed or harm prevented. Waiving lifts the running closed-loop cases.
#[utoipa::path(post, path = "/api/v1/list-entries/{id}/mitigation", tag = "rights", request_body = MitigationRequest,
    params(("id" = String, Path, description = "Entry id")), security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn mitigation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<MitigationRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ApplicationRow>)> {
    let Json(req) = body.map_err(json_error)?;
    let id = parse_id(&id)?;
    let row = svc::mitigation(&state, &caller, id, req).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// A subject's public archive (the portal's view): records published to everyone and within
/// their publication period, marked 异议处理中 where an objection is open, and its active
/// public list entries. Repaired, expired and revoked records are not shown.
#[utoipa::path(get, path = "/api/v1/portal/subjects/{id}", tag = "rights",
    params(("id" = String, Path, description = "Subject id")), security(()),
    responses((status = 200, body = Archive), (status = 404, body = crate::error::ErrorBody)))]
pub async fn public_archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Archive>> {
    let id = parse_id(&id)?;
    Ok(Json(svc::public_archive(&state, id).await?))
}

/// The caller's own full archive (信用主体): every record whatever its status — repaired,
/// expired and revoked ones included, with their history — its list entries and its
/// applications.
#[utoipa::path(get, path = "/api/v1/archive", tag = "rights", security(("bearer" = [])),
    responses((status = 200, body = Archive), (status = 403, body = crate::error::ErrorBody)))]
pub async fn own_archive(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Archive>> {
    Ok(Json(svc::own_archive(&state, &caller).await?))
}
