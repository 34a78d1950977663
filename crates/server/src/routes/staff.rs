//! 任职与诚信档案 (issue 18): importing employment history and integrity-training records
//! (a CSV/XLSX file or rows as JSON), 责任回溯 for a body on a day, and the civil servant's
//! 诚信档案 (JSON, or a signed PDF). ID numbers come in only in request bodies, never in a URL.

use axum::body::Body;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::input::{json_error, parse_id, query_error};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::AppState;
use chengxin_app::staff::{self, IntegrityFile, Responsibility, StaffImportReport, StaffInput};

/// Largest personnel file accepted (50,000 rows fit easily).
const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// The file's name (its extension tells CSV from XLSX when the content does not).
    pub file_name: Option<String>,
}

pub(crate) async fn file_input(
    body: Body,
    q: Result<Query<FileParams>, QueryRejection>,
) -> ApiResult<StaffInput> {
    let Query(q) = q.map_err(query_error)?;
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| {
            AppError::invalid(
                "payload_too_large",
                format!("文件过大（最多 {} MiB）", MAX_FILE_BYTES / 1024 / 1024),
            )
        })?;
    Ok(StaffInput::File {
        bytes: bytes.to_vec(),
        file_name: q.file_name,
    })
}

/// Import employment history from a CSV or XLSX file (columns 身份证号, 姓名,
/// 单位统一社会信用代码, 单位名称, 职务/岗位, 是否主要负责人, 任职起始日期, 任职终止日期). All rows
/// or none: any wrong row refuses the file (`staff_rows_rejected`, each problem by row).
#[utoipa::path(post, path = "/api/v1/employments/import", tag = "staff",
    params(FileParams), security(("bearer" = [])),
    responses((status = 200, body = StaffImportReport), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn import_employment_file(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<FileParams>, QueryRejection>,
    body: Body,
) -> ApiResult<Json<StaffImportReport>> {
    let input = file_input(body, q).await?;
    Ok(Json(
        staff::import_employments(&state, &caller, input).await?,
    ))
}

/// One employment period as JSON.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmploymentJson {
    pub id_number: String,
    pub name: String,
    pub body_uscc: String,
    pub body_name: String,
    pub post: String,
    #[serde(default)]
    pub principal: bool,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// `YYYY-MM-DD`; absent while in post.
    pub end_date: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmploymentRows {
    pub rows: Vec<EmploymentJson>,
}

/// Import employment history sent as JSON rows: the same checks as a file.
#[utoipa::path(post, path = "/api/v1/employments", tag = "staff",
    request_body = EmploymentRows, security(("bearer" = [])),
    responses((status = 200, body = StaffImportReport), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn import_employment_rows(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<EmploymentRows>, JsonRejection>,
) -> ApiResult<Json<StaffImportReport>> {
    let Json(req) = body.map_err(json_error)?;
    let headers = chengxin_domain::staff::employment::template_headers()
        .into_iter()
        .map(String::from)
        .collect();
    let rows = req
        .rows
        .into_iter()
        .map(|r| {
            vec![
                r.id_number,
                r.name,
                r.body_uscc,
                r.body_name,
                r.post,
                if r.principal { "是" } else { "否" }.to_string(),
                r.start_date,
                r.end_date.unwrap_or_default(),
            ]
        })
        .collect();
    let input = StaffInput::Table { headers, rows };
    Ok(Json(
        staff::import_employments(&state, &caller, input).await?,
    ))
}

/// Import integrity-training records (诚信教育) from a CSV or XLSX file (columns 身份证号,
/// 姓名, 课程名称, 培训日期, 学时, 主办单位统一社会信用代码). All rows or none.
#[utoipa::path(post, path = "/api/v1/trainings/import", tag = "staff",
    params(FileParams), security(("bearer" = [])),
    responses((status = 200, body = StaffImportReport), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn import_training_file(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<FileParams>, QueryRejection>,
    body: Body,
) -> ApiResult<Json<StaffImportReport>> {
    let input = file_input(body, q).await?;
    Ok(Json(staff::import_trainings(&state, &caller, input).await?))
}

/// One training record as JSON.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TrainingJson {
    pub id_number: String,
    pub name: String,
    pub course: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// 学时 as decimal text (`1.5`), at most one decimal.
    pub hours: String,
    pub organiser_uscc: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TrainingRows {
    pub rows: Vec<TrainingJson>,
}

/// Import integrity-training records sent as JSON rows.
#[utoipa::path(post, path = "/api/v1/trainings", tag = "staff",
    request_body = TrainingRows, security(("bearer" = [])),
    responses((status = 200, body = StaffImportReport), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn import_training_rows(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<TrainingRows>, JsonRejection>,
) -> ApiResult<Json<StaffImportReport>> {
    let Json(req) = body.map_err(json_error)?;
    let headers = chengxin_domain::staff::training::template_headers()
        .into_iter()
        .map(String::from)
        .collect();
    let rows = req
        .rows
        .into_iter()
        .map(|r| {
            vec![
                r.id_number,
                r.name,
                r.course,
                r.date,
                r.hours,
                r.organiser_uscc,
            ]
        })
        .collect();
    let input = StaffInput::Table { headers, rows };
    Ok(Json(staff::import_trainings(&state, &caller, input).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResponsibleParams {
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    /// A post to name besides the principal (e.g. 分管副主任).
    pub post: Option<String>,
}

pub(crate) fn parse_day(s: &str) -> Result<NaiveDate, AppError> {
    chengxin_domain::staff::parse_day(s).ok_or_else(|| {
        AppError::invalid(
            "invalid_date",
            format!("“{s}”不是有效日期（应如 2023-03-15）"),
        )
    })
}

/// 责任回溯: who was responsible for a body on a day — its principal and the holders of
/// `post`, with where each is now. Needs `records_read_nonpublic` for the body's region (404
/// otherwise, like an unknown body). Query-logged.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/responsible", tag = "staff",
    params(("id" = String, Path, description = "The body's subject id"), ResponsibleParams),
    security(("bearer" = [])),
    responses((status = 200, body = Responsibility), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn responsible(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<ResponsibleParams>, QueryRejection>,
) -> ApiResult<Json<Responsibility>> {
    let id = parse_id(&id)?;
    let Query(q) = q.map_err(query_error)?;
    let day = parse_day(&q.day)?;
    Ok(Json(
        staff::lookup(&state, &caller, id, day, q.post.as_deref()).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FileLookup {
    /// The person's ID number as typed: hashed at once, never stored or echoed.
    pub id_number: String,
    /// Why the file is opened (required, in the query log).
    pub purpose: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FilePurpose {
    pub purpose: String,
}

/// Open a civil servant's 诚信档案 by ID number. Needs `personal_data_decrypt` and a
/// purpose; a person out of the caller's jurisdiction is 404 like an unknown one.
#[utoipa::path(post, path = "/api/v1/integrity-files/lookup", tag = "staff",
    request_body = FileLookup, security(("bearer" = [])),
    responses((status = 200, body = IntegrityFile), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_lookup(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<FileLookup>, JsonRejection>,
) -> ApiResult<Json<IntegrityFile>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        staff::open_file_by_number(&state, &caller, &req.id_number, &req.purpose).await?,
    ))
}

/// Open a civil servant's 诚信档案 by subject id (same rules as the look-up).
#[utoipa::path(post, path = "/api/v1/integrity-files/{id}", tag = "staff",
    params(("id" = String, Path, description = "The person's subject id")),
    request_body = FilePurpose, security(("bearer" = [])),
    responses((status = 200, body = IntegrityFile), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_open(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<FilePurpose>, JsonRejection>,
) -> ApiResult<Json<IntegrityFile>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        staff::open_file(&state, &caller, id, &req.purpose).await?,
    ))
}

/// The 诚信档案 as a signed PDF (for 录用/调任/评优 checks), kept and verifiable like a credit
/// report (报告验真); its number and 验证码 in the `x-report-no` and `x-verification-code`
/// headers.
#[utoipa::path(post, path = "/api/v1/integrity-files/{id}/pdf", tag = "staff",
    params(("id" = String, Path, description = "The person's subject id")),
    request_body = FilePurpose, security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<FilePurpose>, JsonRejection>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    let issued = staff::issue_file_pdf(&state, &caller, id, &req.purpose).await?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}.pdf\"",
        issued.report_no
    ))
    .map_err(AppError::unavailable)?;
    let no = HeaderValue::from_str(&issued.report_no).map_err(AppError::unavailable)?;
    let code = HeaderValue::from_str(&issued.verification_code).map_err(AppError::unavailable)?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::HeaderName::from_static("x-report-no"), no),
            (header::HeaderName::from_static("x-verification-code"), code),
        ],
        issued.pdf,
    )
        .into_response())
}
