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
use chengxin_domain::subjects::Subject;
use chengxin_store::StoreError;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::json_error;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, AppResult};
use crate::AppState;
use chengxin_app::credit_reports::{self as svc, IssueSettings, Verification};

/// Who may issue (and download) reports: staff holding `reports_issue` within their
/// jurisdiction, or a subject account holding `credit_report_own` for its own body.
pub const ISSUERS: &[Permission] = &[Permission::ReportsIssue, Permission::CreditReportOwn];

fn no_key() -> AppError {
    AppError::Unavailable("未配置信用报告签名密钥".into())
}

/// The caller's own body is the subject (USCC compared as printed, ignoring case).
fn is_own(caller: &Caller, subject: &Subject) -> bool {
    match (&caller.body, &subject.uscc) {
        (Some(body), Some(uscc)) => {
            let (b, u) = (body.trim(), uscc.trim());
            !b.is_empty() && b.eq_ignore_ascii_case(u)
        }
        _ => false,
    }
}

fn not_own() -> AppError {
    AppError::forbidden("not_own_subject", "只能出具或下载本主体的信用报告")
}

/// Whether the caller may issue a report on `subject` (or download one issued on it).
pub(crate) fn may_issue(caller: &Caller, subject: &Subject) -> AppResult<()> {
    if caller.has(Permission::ReportsIssue) {
        let region = subject.region.as_deref().unwrap_or("000000");
        return caller.require_at(Permission::ReportsIssue, region);
    }
    if caller.has(Permission::CreditReportOwn) {
        return if is_own(caller, subject) {
            Ok(())
        } else {
            Err(not_own())
        };
    }
    caller.require(Permission::ReportsIssue)
}

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
    let staff = caller.has(Permission::ReportsIssue);
    let mut e = caller.audit("query", "credit_report_issue", "ok");
    e.target = Some(req.subject_id.to_string());
    e.detail = serde_json::json!({"subject": req.subject_id});
    let subject = match state.store.subject(req.subject_id).await? {
        Some(s) => s,
        // A subject account learns nothing about other subjects, not even whether they exist.
        None if !staff => {
            e.outcome = "denied".into();
            state.store.audit(&[e]).await?;
            return Err(not_own().into());
        }
        None => return Err(AppError::NotFound.into()),
    };
    if let Err(err) = may_issue(&caller, &subject) {
        if !caller.is_anonymous() {
            e.outcome = "denied".into();
            state.store.audit(&[e]).await?;
        }
        return Err(err.into());
    }
    let key = state.report_key.as_ref().ok_or_else(no_key)?;
    let settings = IssueSettings {
        key,
        issuer: &state.report_issuer,
        verify_url: &state.report_verify_url,
    };
    let issued = match svc::issue(
        state.store.as_ref(),
        &settings,
        &caller.actor,
        &subject,
        state.today(),
    )
    .await
    {
        Ok(i) => i,
        Err(err) => {
            e.outcome = "failed".into();
            e.detail["error"] = serde_json::json!(err.code());
            state.store.audit(&[e]).await?;
            return Err(err.into());
        }
    };
    let report = &issued.signed.report;
    e.detail = serde_json::json!({
        "subject": subject.id,
        "report_no": report.report_no,
        "content_sha256": issued.row.content_sha256,
        "pdf_sha256": issued.row.pdf_sha256,
        "sections": report.sections.iter()
            .map(|s| serde_json::json!({"title": s.title, "rows": s.table.rows.len()}))
            .collect::<Vec<_>>(),
    });
    state.store.audit(&[e]).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedReport {
            pdf_url: pdf_url(&report.report_no),
            report_no: report.report_no.clone(),
            verification_code: issued.signed.verification_code.clone(),
            issued_at: report.issued_at,
            subject_id: subject.id,
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
    let no = svc::clean_report_no(&report_no).ok_or(AppError::NotFound)?;
    let row = state
        .store
        .credit_report(&no)
        .await?
        .ok_or(AppError::NotFound)?;
    let subject = state
        .store
        .subject(row.subject_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut e = caller.audit("query", "credit_report_download", "ok");
    e.target = Some(row.report_no.clone());
    e.detail = serde_json::json!({"subject": subject.id, "report_no": row.report_no});
    if let Err(err) = may_issue(&caller, &subject) {
        e.outcome = "denied".into();
        state.store.audit(&[e]).await?;
        return Err(err.into());
    }
    state.store.audit(&[e]).await?;
    // Never hand out a PDF that is not the one issued (a file edited in the database).
    if hex::encode(Sha256::digest(&row.pdf)) != row.pdf_sha256 {
        return Err(StoreError::Corrupt(format!(
            "信用报告 {} 的 PDF 与登记的摘要不符",
            row.report_no
        ))
        .into());
    }
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{}.pdf\"", row.report_no))
            .map_err(|err| AppError::Unavailable(err.to_string()))?;
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
            let key = state
                .report_key
                .as_ref()
                .map(|k| k.verifying_key())
                .ok_or_else(no_key)?;
            Ok(Json(
                svc::verify_pdf(state.store.as_ref(), &key, &bytes).await?,
            ))
        }
        "application/json" => {
            let bytes = axum::body::to_bytes(body, MAX_JSON_BYTES)
                .await
                .map_err(|_| too_large(MAX_JSON_BYTES))?;
            let req: VerifyRequest = serde_json::from_slice(&bytes).map_err(|e| {
                AppError::invalid("invalid_json", format!("请求体错误：{e}"))
            })?;
            let key = state.report_key.as_ref().map(|k| k.verifying_key());
            Ok(Json(
                svc::verify_by_code(state.store.as_ref(), key.as_ref(), &req.report_no, &req.code)
                    .await?,
            ))
        }
        _ => Err(AppError::invalid(
            "unsupported_media_type",
            "请以 JSON（报告编号和验证码，Content-Type: application/json）或 PDF 文件（Content-Type: application/pdf）提交",
        ).into()),
    }
}
