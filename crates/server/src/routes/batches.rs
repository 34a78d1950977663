//! Batch submission (报送): a department streams a file; the server spools it to disk,
//! imports it in one batch, and offers the rejected rows back as an error report.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::input::{parse_batch_id, query_error};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::AppState;
use chengxin_app::batches::{self, ErrorRows, Submission, Upload};
use chengxin_app::imports::ImportSummary;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmitParams {
    /// Catalog type code, e.g. `admin_penalty`.
    #[serde(rename = "type")]
    pub type_code: String,
    /// USCC of the submitting department.
    pub dept: String,
    /// Original file name (helps tell CSV from XLSX).
    pub file_name: Option<String>,
    /// XLSX sheet to read (default: the first).
    pub sheet: Option<String>,
}

/// The raw bytes of a submitted file (documented as a binary string).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct UploadBody(#[allow(dead_code)] Vec<u8>);

/// Submit a file of records (CSV in UTF-8/GB18030, XLSX, or JSON Lines) as the request body.
/// Row-level problems are rejected and kept for the error report; a file that cannot be read
/// to the end (e.g. a truncated upload) is refused whole.
#[utoipa::path(post, path = "/api/v1/batches", tag = "batches", params(SubmitParams),
    request_body(content = UploadBody, content_type = "application/octet-stream",
        description = "The file as submitted: CSV (UTF-8 or GB18030), XLSX or JSON Lines"),
    security(("bearer" = [])),
    responses((status = 200, body = Object, description = "Batch summary"),
              (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<SubmitParams>, QueryRejection>,
    body: Body,
) -> ApiResult<Json<ImportSummary>> {
    let Query(q) = q.map_err(query_error)?;
    let dept = batches::submitting_dept(&caller, &q.dept)?;
    let mut upload = Upload::begin(&state).await?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::invalid("upload_incomplete", format!("上传中断，整批未入库：{e}"))
        })?;
        upload.write(&chunk).await?;
    }
    let what = Submission {
        type_code: q.type_code,
        dept,
        file_name: q.file_name,
        sheet: q.sheet,
    };
    Ok(Json(upload.import(&state, &caller, what).await?))
}

/// A batch with its counts.
#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "batches",
    params(("id" = String, Path, description = "Batch id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_batch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<chengxin_store::Batch>> {
    let id = parse_batch_id(&id)?;
    Ok(Json(batches::read(&state, &caller, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ErrorsParams {
    /// `csv` (default, UTF-8 with BOM), `xlsx`, or `json`.
    pub format: Option<String>,
    /// Why the rows as submitted are needed, by a caller other than the submitting body who
    /// holds `personal_data_decrypt`: the rows then come in clear and the reading is
    /// query-logged. Without it such a caller gets them masked.
    pub purpose: Option<String>,
}

/// The error report of a batch: the rejected rows with a reason column, ready to fix and
/// resubmit. Cells that Excel would run as formulas are neutralised. The rows go back as
/// submitted to the submitting body only; anyone else gets every ID number masked (header
/// `x-chengxin-masked: true`), unless it holds `personal_data_decrypt` for the batch's region
/// and states a `purpose` (query-logged).
#[utoipa::path(get, path = "/api/v1/batches/{id}/errors", tag = "batches",
    params(("id" = String, Path, description = "Batch id"), ErrorsParams), security(("bearer" = [])),
    responses((status = 200, description = "CSV or XLSX file, or the rows as JSON", body = ErrorRows),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn errors(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<ErrorsParams>, QueryRejection>,
) -> ApiResult<Response> {
    let id = parse_batch_id(&id)?;
    let batch = batches::read(&state, &caller, id).await?;
    let Query(q) = q.map_err(query_error)?;
    let purpose = q.purpose.as_deref();
    let xlsx = match q.format.as_deref() {
        None | Some("csv") => false,
        Some("xlsx") => true,
        Some("json") => {
            let rows = batches::error_rows(&state, &caller, &batch, purpose).await?;
            return Ok(Json(rows).into_response());
        }
        Some(other) => {
            return Err(AppError::invalid(
                "invalid_format",
                format!("不支持的格式“{other}”，可选 csv、xlsx 或 json"),
            )
            .into())
        }
    };
    let (bytes, masked) = batches::error_report(&state, &caller, &batch, purpose, xlsx).await?;
    let (ctype, ext) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"errors-{id}.{ext}\""),
            ),
            (
                header::HeaderName::from_static("x-chengxin-masked"),
                masked.to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
