//! Credit reports (信用报告): issuing a subject's report (staff for subjects in their
//! jurisdiction, a subject account for itself), downloading the issued PDF, and the portal's
//! 报告验真 (open: by report number and 验证码, or by uploading the PDF).

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chengxin_access::Permission;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::json_error;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::AppState;
use chengxin_app::credit_reports::{self as svc, Verification};

/// Who may issue (and download) reports: staff holding `reports_issue` within their
/// jurisdiction, or a subject account holding `credit_report_own` for its own body.
pub const ISSUERS: &[Permission] = &[Permission::ReportsIssue, Permission::CreditReportOwn];

#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueRequest {
    /// The subject the report is about.
    pub subject_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedReport {
    /// 报告编号, `XYBG-YYYYMMDD-XXXXXXXX`.
    pub report_no: String,
    /// 验证码, `XXXX-XXXX-XXXX-XXXX`: with the number, anyone can verify the report.
    pub verification_code: String,
    /// 出具时间 (China time).
    #[schema(value_type = String)]
    pub issued_at: DateTime<FixedOffset>,
    pub subject_id: Uuid,
    /// Where to download the PDF.
    pub pdf_url: String,
}

fn pdf_url(report_no: &str) -> String {
    format!("/api/v1/credit-reports/{report_no}/pdf")
}

/// Issue a credit report on a subject as of now: its currently published 行政许可, 行政处罚
/// and other 失信 records and its public list memberships, signed and rendered as a PDF.
/// Staff need `reports_issue` for the subject's region; a subject account
/// (`credit_report_own`) only for its own body. Every issue is audited.
#[utoipa::path(post, path = "/api/v1/credit-reports", tag = "credit_reports",
    request_body = IssueRequest, security(("bearer" = [])),
    responses((status = 201, body = IssuedReport), (status = 400, body = crate::error::ErrorBody),
              (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<IssueRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<IssuedReport>)> {
    let Json(req) = body.map_err(json_error)?;
    let issued = svc::issue_for(&state, &caller, req.subject_id).await?;
    let report = &issued.signed.report;
    Ok((
        StatusCode::CREATED,
        Json(IssuedReport {
            pdf_url: pdf_url(&report.report_no),
            report_no: report.report_no.clone(),
            verification_code: issued.signed.verification_code.clone(),
            issued_at: report.issued_at,
            subject_id: issued.row.subject_id,
        }),
    ))
}

/// Download an issued report's PDF, exactly as issued. Same rule as issuing: staff within
/// the subject's region, or the subject's own account. Audited.
#[utoipa::path(get, path = "/api/v1/credit-reports/{report_no}/pdf", tag = "credit_reports",
    params(("report_no" = String, Path, description = "报告编号")), security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
              (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path(report_no): Path<String>,
) -> ApiResult<Response> {
    let row = svc::download(&state, &caller, &report_no).await?;
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{}.pdf\"", row.report_no))
            .map_err(AppError::unavailable)?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        row.pdf,
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyRequest {
    /// 报告编号.
    pub report_no: String,
    /// 验证码 as typed (case, hyphens and spaces do not matter).
    pub code: String,
}

/// Largest JSON body of a verification by number and code.
const MAX_JSON_BYTES: usize = 64 * 1024;

/// 报告验真 (open): either JSON `{report_no, code}`, or the report's PDF as the raw body with
/// `Content-Type: application/pdf` (at most 16 MiB). Answers 200 with `valid: true` and what
/// the report says, or `valid: false` with a stable `code` (`report_unknown`,
/// `report_tampered`, `report_signature_invalid`, `report_payload_missing`, …) and a Chinese
/// `reason`. An unknown number and a wrong code get the same answer.
#[utoipa::path(post, path = "/api/v1/credit-reports/verify", tag = "credit_reports",
    request_body(content(
        (VerifyRequest = "application/json"),
        (Vec<u8> = "application/pdf")
    )),
    responses((status = 200, body = Verification), (status = 400, body = crate::error::ErrorBody),
              (status = 413, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Verification>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let too_large = |max: usize| {
        AppError::invalid(
            "payload_too_large",
            format!("请求体过大（最多 {} KiB）", max / 1024),
        )
    };
    match content_type.as_str() {
        "application/pdf" => {
            let bytes = axum::body::to_bytes(body, svc::MAX_PDF_BYTES)
                .await
                .map_err(|_| too_large(svc::MAX_PDF_BYTES))?;
            Ok(Json(svc::verify_upload(&state, &bytes).await?))
        }
        "application/json" => {
            let bytes = axum::body::to_bytes(body, MAX_JSON_BYTES)
                .await
                .map_err(|_| too_large(MAX_JSON_BYTES))?;
            let req: VerifyRequest = serde_json::from_slice(&bytes).map_err(|e| {
                AppError::invalid("invalid_json", format!("请求体错误：{e}"))
            })?;
            Ok(Json(
                svc::verify_code(&state, &req.report_no, &req.code).await?,
            ))
        }
        _ => Err(AppError::invalid(
            "unsupported_media_type",
            "请以 JSON（报告编号和验证码，Content-Type: application/json）或 PDF 文件（Content-Type: application/pdf）提交",
        ).into()),
    }
}
