//! Work items (督办事项, issue 19): open, the queues, one item, a step, the XLSX export and the
//! types. Thin: the rules are `chengxin_app::work`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chengxin_access::Permission as P;
use chengxin_app::work::{self as svc, ItemView, OpenRequest, QueuePage, QueueParams, StepRequest};
use chengxin_domain::work::WorkType;

use super::input::{json_error, parse_id, query_error};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// Who reaches the work-item routes: the credit office (its region) and bodies (the items they
/// own, co-handle or issued); the handlers decide which applies to the item.
pub const HANDLERS: &[P] = &[P::SupervisionManage, P::AssignmentsHandle];

/// Open an item.
#[utoipa::path(post, path = "/api/v1/work-items", tag = "work-items", request_body = OpenRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<OpenRequest>, JsonRejection>,
) -> ApiResult<Json<ItemView>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::open(&state, &caller, req).await?))
}

/// A queue (`mine`, `unit`, `region`), newest first, paged by key (`before`).
#[utoipa::path(get, path = "/api/v1/work-items", tag = "work-items", params(QueueParams),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> ApiResult<Json<QueuePage>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(svc::queue(&state, &caller, &q).await?))
}

/// A queue as XLSX (formula-neutralised text).
#[utoipa::path(get, path = "/api/v1/work-items.xlsx", tag = "work-items", params(QueueParams),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
              (status = 400, body = crate::error::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(query_error)?;
    let (name, bytes) = svc::export(&state, &caller, &q).await?;
    Ok(xlsx_response(&name, bytes))
}

/// An XLSX download (the name percent-encoded in `filename*`).
pub fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"work-items.xlsx\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"work-items.xlsx\""));
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// One item with its timeline, attachments and the caller's next steps.
#[utoipa::path(get, path = "/api/v1/work-items/{id}", tag = "work-items",
    params(("id" = String, Path, description = "Work item id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ItemView>> {
    Ok(Json(svc::get(&state, &caller, parse_id(&id)?).await?))
}

/// A step (an action of the item's type, or `note`).
#[utoipa::path(post, path = "/api/v1/work-items/{id}/steps", tag = "work-items",
    request_body = StepRequest,
    params(("id" = String, Path, description = "Work item id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<StepRequest>, JsonRejection>,
) -> ApiResult<Json<ItemView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::act(&state, &caller, id, req).await?))
}

/// The work-item types (data).
#[utoipa::path(get, path = "/api/v1/work-item-types", tag = "work-items", security(()),
    responses((status = 200, body = Vec<Object>)))]
pub async fn types() -> ApiResult<Json<Vec<WorkType>>> {
    Ok(Json(svc::types()?.all().to_vec()))
}

/// The file name of an upload.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The file's name (`.csv` or `.xlsx`; the content decides).
    pub name: Option<String>,
}

/// Import a 12345 hotline work-order export (CSV or XLSX) as complaint items: idempotent by
/// 工单编号; each refused row with its code.
#[utoipa::path(post, path = "/api/v1/work-items/hotline", tag = "work-items",
    params(UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, body = svc::hotline::HotlineReport),
              (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn import_hotline(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<UploadParams>, QueryRejection>,
    body: axum::body::Body,
) -> ApiResult<Json<svc::hotline::HotlineReport>> {
    let Query(q) = q.map_err(query_error)?;
    // Over the limit: refused as it streams in, before anything is read.
    let max = svc::hotline::MAX_FILE_BYTES;
    let bytes = axum::body::to_bytes(body, max).await.map_err(|_| {
        crate::error::AppError::invalid(
            "payload_too_large",
            format!("文件过大（最多 {} MiB）", max / 1024 / 1024),
        )
    })?;
    Ok(Json(
        svc::hotline::import(&state, &caller, bytes.to_vec(), q.name.as_deref()).await?,
    ))
}

/// A quarter (`2026Q4`; the current one when absent).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuarterParams {
    pub quarter: Option<String>,
}

/// 重点任务分工: the overview of a quarter per task and per unit.
#[utoipa::path(get, path = "/api/v1/work-tasks", tag = "work-items", params(QuarterParams),
    security(("bearer" = [])),
    responses((status = 200, body = svc::tasks::TaskOverview),
              (status = 400, body = crate::error::ErrorBody)))]
pub async fn task_overview(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<QuarterParams>, QueryRejection>,
) -> ApiResult<Json<svc::tasks::TaskOverview>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        svc::tasks::overview(&state, &caller, q.quarter.as_deref()).await?,
    ))
}

/// 重点任务分工: the overview as XLSX (formula-neutralised text).
#[utoipa::path(get, path = "/api/v1/work-tasks.xlsx", tag = "work-items", params(QuarterParams),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
              (status = 400, body = crate::error::ErrorBody)))]
pub async fn task_export(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<QuarterParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(query_error)?;
    let (name, bytes) = svc::tasks::export(&state, &caller, q.quarter.as_deref()).await?;
    Ok(xlsx_response(&name, bytes))
}

/// 重点任务分工: a unit's quarterly progress report.
#[utoipa::path(post, path = "/api/v1/work-tasks/reports", tag = "work-items",
    request_body = svc::tasks::ReportRequest, security(("bearer" = [])),
    responses((status = 200, body = svc::tasks::UnitLine),
              (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn task_report(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<svc::tasks::ReportRequest>, JsonRejection>,
) -> ApiResult<Json<svc::tasks::UnitLine>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::tasks::report(&state, &caller, req).await?))
}

/// Why the complainant's contact is opened.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RevealRequest {
    /// The purpose (at least two characters), written to the audit log.
    pub purpose: String,
}

/// Open the complainant's sealed name and contact of an item (portal complaint or 12345
/// ticket): `personal_data_decrypt` in the item's region and a purpose; audited.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/complainant", tag = "work-items",
    request_body = RevealRequest,
    params(("id" = String, Path, description = "Work item id")), security(("bearer" = [])),
    responses((status = 200, body = svc::ComplainantView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn reveal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<RevealRequest>, JsonRejection>,
) -> ApiResult<Json<svc::ComplainantView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::reveal(&state, &caller, id, &req.purpose).await?))
}

/// 重点任务分工: the overview as a PDF for the leadership group.
#[utoipa::path(get, path = "/api/v1/work-tasks.pdf", tag = "work-items", params(QuarterParams),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
              (status = 400, body = crate::error::ErrorBody)))]
pub async fn task_pdf(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<QuarterParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(query_error)?;
    let (name, bytes) = svc::task_export_pdf(&state, &caller, q.quarter.as_deref()).await?;
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"work-tasks.pdf\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"work-tasks.pdf\""));
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// An attachment's bytes (evidence uploaded with a portal complaint), for callers who reach
/// the item.
#[utoipa::path(get, path = "/api/v1/work-items/{id}/files/{file_id}", tag = "work-items",
    params(("id" = String, Path, description = "Work item id"),
           ("file_id" = String, Path, description = "Attachment id")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, file_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let f = svc::file(&state, &caller, parse_id(&id)?, parse_id(&file_id)?).await?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"evidence-{}.{}\"",
        f.id.simple(),
        f.extension
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(f.mime)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        f.content,
    )
        .into_response())
}
