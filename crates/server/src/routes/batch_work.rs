//! A department clerk's daily work (issue 17): the templates of the types the department may
//! submit, the pre-check of a file before it is imported and its confirmation, and the
//! history of the department's batches.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::query_error;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::AppState;
use chengxin_app::batch_history::{self, HistoryPage};
use chengxin_app::batches::{self, Submission, Upload};
use chengxin_app::imports::ImportSummary;
use chengxin_app::precheck::{self, Precheck};
use chengxin_app::templates::{self, TypeOffer};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeptParams {
    /// USCC of the submitting department (default: the caller's own body).
    pub dept: Option<String>,
}

/// The department a request names, or the caller's own body.
fn dept_of(caller: &Caller, dept: Option<String>) -> String {
    dept.or_else(|| caller.body.clone()).unwrap_or_default()
}

/// The types offered to a department.
#[derive(Debug, Serialize, ToSchema)]
pub struct Offers {
    /// The department (none: a caller without a body that named none; every type).
    pub dept: Option<String>,
    pub types: Vec<TypeOffer>,
}

/// The record types the department may submit (its 报送范围), each with a template.
#[utoipa::path(get, path = "/api/v1/batches/templates", tag = "batches", params(DeptParams),
    security(("bearer" = [])),
    responses((status = 200, body = Offers), (status = 403, body = crate::error::ErrorBody)))]
pub async fn offers(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<DeptParams>, QueryRejection>,
) -> ApiResult<Json<Offers>> {
    let Query(q) = q.map_err(query_error)?;
    let (dept, types) = templates::offered(&state, &caller, q.dept.as_deref())?;
    Ok(Json(Offers { dept, types }))
}

/// The XLSX template of a type: the first sheet has the type's column titles (required ones
/// in red), the second (填写说明) explains each column. A type outside the department's
/// 报送范围 is refused (`type_not_in_scope`).
#[utoipa::path(get, path = "/api/v1/batches/templates/{type_code}", tag = "batches",
    params(("type_code" = String, Path, description = "Catalog type code"), DeptParams),
    security(("bearer" = [])),
    responses((status = 200, description = "XLSX file"), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn template(
    State(state): State<AppState>,
    caller: Caller,
    Path(type_code): Path<String>,
    q: Result<Query<DeptParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(query_error)?;
    let (name, bytes) = templates::template(&state, &caller, q.dept.as_deref(), &type_code).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"template-{}.xlsx\"; filename*=UTF-8''{}",
                    type_code.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', ""),
                    utf8_percent(&name)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// RFC 5987 percent-encoding of a file name.
fn utf8_percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PrecheckParams {
    /// Catalog type code, e.g. `admin_penalty`.
    #[serde(rename = "type")]
    pub type_code: String,
    /// USCC of the submitting department (default: the caller's own body).
    pub dept: Option<String>,
    /// Original file name (helps tell CSV from XLSX).
    pub file_name: Option<String>,
    /// XLSX sheet to read (default: the first).
    pub sheet: Option<String>,
}

/// 预检: validate a file exactly as the import would, without storing anything, and say what
/// importing it would do (added, corrected with the changed columns, unchanged, rejected with
/// reasons — ID numbers masked — and new subjects). The file waits two hours for
/// `POST /api/v1/batches/precheck/{id}/confirm` by the same account.
#[utoipa::path(post, path = "/api/v1/batches/precheck", tag = "batches", params(PrecheckParams),
    request_body(content = super::batches::UploadBody, content_type = "application/octet-stream",
        description = "The file as submitted: CSV (UTF-8 or GB18030), XLSX or JSON Lines"),
    security(("bearer" = [])),
    responses((status = 200, body = Precheck), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn precheck(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<PrecheckParams>, QueryRejection>,
    body: Body,
) -> ApiResult<Json<Precheck>> {
    let Query(q) = q.map_err(query_error)?;
    let dept = batches::submitting_dept(&caller, &dept_of(&caller, q.dept))?;
    let mut upload = Upload::begin(&state).await?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::invalid("upload_incomplete", format!("上传中断，未能预检：{e}"))
        })?;
        upload.write(&chunk).await?;
    }
    let what = Submission {
        type_code: q.type_code,
        dept,
        file_name: q.file_name,
        sheet: q.sheet,
    };
    Ok(Json(
        precheck::precheck(&state, &caller, upload, what).await?,
    ))
}

/// Confirm a pre-check: import the file that was pre-checked (once, by the account that
/// uploaded it, within two hours; otherwise 404). Answers as `POST /api/v1/batches`.
#[utoipa::path(post, path = "/api/v1/batches/precheck/{id}/confirm", tag = "batches",
    params(("id" = String, Path, description = "The pre-check's id")), security(("bearer" = [])),
    responses((status = 200, body = Object, description = "Batch summary"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ImportSummary>> {
    Ok(Json(precheck::confirm(&state, &caller, &id).await?))
}

/// Who reads batch histories: a department (its own), a credit office (its region's).
pub const HISTORY_READERS: &[chengxin_access::Permission] = &[
    chengxin_access::Permission::RecordsSubmit,
    chengxin_access::Permission::RecordsReadNonpublic,
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Page, from 1.
    pub page: Option<i64>,
}

/// 我的报送批次: the batches of the caller's body (a credit office without a body: of its
/// region's departments), newest first, 20 a page, with what each published.
#[utoipa::path(get, path = "/api/v1/batches/history", tag = "batches", params(HistoryParams),
    security(("bearer" = [])),
    responses((status = 200, body = HistoryPage), (status = 403, body = crate::error::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<HistoryParams>, QueryRejection>,
) -> ApiResult<Json<HistoryPage>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        batch_history::history(&state, &caller, q.page.unwrap_or(1)).await?,
    ))
}
