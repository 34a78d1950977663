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
use tokio::io::AsyncWriteExt;
use utoipa::IntoParams;

use chengxin_access::Permission;

use super::input::query_error;
use crate::auth::{uscc_region, Caller};
use crate::error::{ApiResult, AppError, AppResult};
use crate::AppState;
use chengxin_app::imports::{self, ImportRequest, ImportSummary};

/// Largest accepted upload.
pub const MAX_UPLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;

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

/// Removes the spooled upload however the request ends.
struct Spool(std::path::PathBuf);

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
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
    // A department submits as itself; a caller without a body (e.g. the credit office)
    // submits for departments within its jurisdiction.
    let dept = q.dept.trim().to_ascii_uppercase();
    match caller.body.as_deref() {
        Some(body) if body.eq_ignore_ascii_case(&dept) => {}
        Some(_) => {
            return Err(AppError::forbidden(
                "dept_mismatch",
                "只能以本单位名义报送（dept 须为本单位统一社会信用代码）",
            )
            .into())
        }
        None => caller.require_at(Permission::RecordsSubmit, &uscc_region(&dept))?,
    }
    let dir = state.upload_dir.clone();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Unavailable(format!("无法创建上传目录：{e}")))?;
    let spool = Spool(dir.join(format!("upload-{}", uuid::Uuid::now_v7().simple())));
    let mut file = tokio::fs::File::create(&spool.0)
        .await
        .map_err(|e| AppError::Unavailable(format!("无法写入上传文件：{e}")))?;
    let mut stream = body.into_data_stream();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::invalid("upload_incomplete", format!("上传中断，整批未入库：{e}"))
        })?;
        size += chunk.len() as u64;
        if size > MAX_UPLOAD_BYTES {
            return Err(AppError::invalid("upload_too_large", "上传文件超过 2 GiB 上限").into());
        }
        file.write_all(&chunk)
            .await
            .map_err(|e| AppError::Unavailable(format!("无法写入上传文件：{e}")))?;
    }
    file.flush().await.map_err(AppError::unavailable)?;
    drop(file);
    if size == 0 {
        return Err(AppError::invalid("empty_file", "上传的文件为空").into());
    }
    let summary = imports::import_file(
        state.store.clone(),
        state.id_hasher.clone(),
        spool.0.clone(),
        ImportRequest {
            type_code: q.type_code,
            source_dept: dept,
            file_name: q.file_name,
            sheet: q.sheet,
            published_at: None,
            actor: caller.actor,
            today: chengxin_store::clock::today_in_china(),
        },
    )
    .await?;
    Ok(Json(summary))
}

fn parse_id(s: &str) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(s)
        .map_err(|_| AppError::invalid("invalid_id", format!("“{s}”不是合法的批次编号")))
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
    let id = parse_id(&id)?;
    let batch = state.store.batch(id).await?.ok_or(AppError::NotFound)?;
    may_read_batch(&caller, &batch)?;
    Ok(Json(batch))
}

/// A batch is the submitting department's business, and that of staff who may read
/// non-public records in its region.
fn may_read_batch(caller: &Caller, batch: &chengxin_store::Batch) -> AppResult<()> {
    if caller.body.as_deref() == Some(batch.source_dept.as_str())
        && (caller.has(Permission::RecordsSubmit) || caller.has(Permission::RecordsReadNonpublic))
    {
        return Ok(());
    }
    caller.require_at(
        Permission::RecordsReadNonpublic,
        &uscc_region(&batch.source_dept),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ErrorsParams {
    /// `csv` (default, UTF-8 with BOM) or `xlsx`.
    pub format: Option<String>,
}

/// The error report of a batch: the rejected rows with a reason column, ready to fix and
/// resubmit. Cells that Excel would run as formulas are neutralised.
#[utoipa::path(get, path = "/api/v1/batches/{id}/errors", tag = "batches",
    params(("id" = String, Path, description = "Batch id"), ErrorsParams), security(("bearer" = [])),
    responses((status = 200, description = "CSV or XLSX file"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn errors(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<ErrorsParams>, QueryRejection>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let batch = state.store.batch(id).await?.ok_or(AppError::NotFound)?;
    may_read_batch(&caller, &batch)?;
    let Query(q) = q.map_err(query_error)?;
    let xlsx = match q.format.as_deref() {
        None | Some("csv") => false,
        Some("xlsx") => true,
        Some(other) => {
            return Err(AppError::invalid(
                "invalid_format",
                format!("不支持的格式“{other}”，可选 csv 或 xlsx"),
            )
            .into())
        }
    };
    let bytes = imports::error_report(state.store.as_ref(), &state.pii, id, xlsx).await?;
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
        ],
        bytes,
    )
        .into_response())
}
