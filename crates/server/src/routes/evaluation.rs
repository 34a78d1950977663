//! 政务诚信监测评价 (issue 20): runs (compute, list, publish), rankings per level (JSON and
//! XLSX), a target's explanation, warnings, imported figures, the event sweep, the indicator
//! system and a target's current grade. Thin: the rules are `chengxin_app::evaluation`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use chengxin_access::Permission as P;
use chengxin_app::evaluation::{
    self as svc, ComputeRequest, Explanation, ImportOutcome, RankingView,
};
use chengxin_store::{EvalRunRow, EvalWarningRow};
use serde::Deserialize;
use uuid::Uuid;

use super::input::{json_error, parse_id, query_error};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// Who reads results: the office's reports readers and those who run evaluations.
pub const READERS: &[P] = &[P::ReportsRead, P::EvaluationsRun];

/// Which run: by id, or the one a period shows (its published run, else its latest).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunParams {
    /// `2026-11`, `2026-Q3`, `2026`.
    pub period: Option<String>,
    pub run: Option<String>,
    /// The level: `province`, `prefecture`, `county`, `township`, `body`.
    pub kind: Option<String>,
    /// One indicator of the explanation.
    pub indicator: Option<String>,
}

fn run_id(p: &RunParams) -> ApiResult<Option<Uuid>> {
    Ok(match p.run.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_id(s)?),
        None => None,
    })
}

/// Compute a period for every body and region (a new run version of the period).
#[utoipa::path(post, path = "/api/v1/evaluation/runs", tag = "evaluation", request_body = ComputeRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn compute(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ComputeRequest>, JsonRejection>,
) -> ApiResult<Json<EvalRunRow>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::compute_period(&state, &caller, req).await?))
}

/// Runs, newest first (of one period if given).
#[utoipa::path(get, path = "/api/v1/evaluation/runs", tag = "evaluation", params(RunParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn runs(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<RunParams>, QueryRejection>,
) -> ApiResult<Json<Vec<EvalRunRow>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        svc::list_runs(&state, &caller, q.period.as_deref()).await?,
    ))
}

/// The run's version as read (optimistic concurrency).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PublishRequest {
    pub version: i64,
}

/// Publish a run: it never changes afterwards (a recomputation is a new version).
#[utoipa::path(post, path = "/api/v1/evaluation/runs/{id}/publish", tag = "evaluation",
    params(("id" = uuid::Uuid, Path, description = "评价批次 id")),
    request_body = PublishRequest, security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<PublishRequest>, JsonRejection>,
) -> ApiResult<Json<EvalRunRow>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::publish(&state, &caller, id, req.version).await?))
}

/// The ranking of one level within the caller's reach, with the change against the previous
/// period and the same period last year.
#[utoipa::path(get, path = "/api/v1/evaluation/ranking", tag = "evaluation", params(RunParams),
    security(("bearer" = [])),
    responses((status = 200, body = RankingView), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn ranking(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<RunParams>, QueryRejection>,
) -> ApiResult<Json<RankingView>> {
    let Query(q) = q.map_err(query_error)?;
    let run = run_id(&q)?;
    let kind = q.kind.as_deref().unwrap_or("county");
    Ok(Json(
        svc::ranking(&state, &caller, run, q.period.as_deref(), kind).await?,
    ))
}

/// The ranking as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/evaluation/ranking.xlsx", tag = "evaluation", params(RunParams),
    security(("bearer" = [])),
    responses((status = 200, description = "XLSX"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn ranking_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<RunParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(query_error)?;
    let run = run_id(&q)?;
    let kind = q.kind.as_deref().unwrap_or("county");
    let v = svc::ranking(&state, &caller, run, q.period.as_deref(), kind).await?;
    let (name, bytes) = svc::ranking_xlsx(&v)?;
    Ok(super::work::xlsx_response(&name, bytes))
}

/// A target's total explained: dimensions, indicators, source values, items with links.
#[utoipa::path(get, path = "/api/v1/evaluation/targets/{target}", tag = "evaluation",
    params(("target" = String, Path, description = "评价对象：地区代码（GB/T 2260）或机关的统一社会信用代码"), RunParams),
    security(("bearer" = [])),
    responses((status = 200, body = Explanation), (status = 404, body = crate::error::ErrorBody)))]
pub async fn explain(
    State(state): State<AppState>,
    caller: Caller,
    Path(target): Path<String>,
    q: Result<Query<RunParams>, QueryRejection>,
) -> ApiResult<Json<Explanation>> {
    let Query(q) = q.map_err(query_error)?;
    let run = run_id(&q)?;
    Ok(Json(
        svc::explain(
            &state,
            &caller,
            run,
            q.period.as_deref(),
            &target,
            q.indicator.as_deref(),
        )
        .await?,
    ))
}

/// Warnings within the caller's reach, newest first.
#[utoipa::path(get, path = "/api/v1/evaluation/warnings", tag = "evaluation",
    security(("bearer" = [])), responses((status = 200, body = Vec<Object>)))]
pub async fn warnings(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<EvalWarningRow>>> {
    Ok(Json(svc::warnings_for(&state, &caller).await?))
}

/// Import figures (columns 指标代码, 评价对象代码, 期间, 数值, 提供单位) from CSV or XLSX: all rows
/// or none, each problem with its row.
#[utoipa::path(post, path = "/api/v1/evaluation/imports", tag = "evaluation",
    params(super::staff::FileParams), security(("bearer" = [])),
    responses((status = 200, body = ImportOutcome), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<super::staff::FileParams>, QueryRejection>,
    body: axum::body::Body,
) -> ApiResult<Json<ImportOutcome>> {
    let (bytes, name) = match super::staff::file_input(body, q).await? {
        chengxin_app::staff::StaffInput::File { bytes, file_name } => (bytes, file_name),
        _ => (Vec::new(), None),
    };
    let name = name.unwrap_or_else(|| "import.csv".into());
    Ok(Json(
        svc::import_figures(&state, &caller, bytes, &name).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SinceParams {
    /// Events on or after this day (default: 7 days ago).
    pub since: Option<chrono::NaiveDate>,
}

/// Warn at once on events: bodies newly listed as 失信被执行人, breached government commitments.
#[utoipa::path(post, path = "/api/v1/evaluation/events", tag = "evaluation", params(SinceParams),
    security(("bearer" = [])), responses((status = 200, body = Object)))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<SinceParams>, QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Query(q) = q.map_err(query_error)?;
    let since = q
        .since
        .unwrap_or_else(|| state.today() - chrono::Duration::days(7));
    let raised = svc::event_sweep(&state, &caller, since).await?;
    Ok(Json(serde_json::json!({ "raised": raised })))
}

/// The indicator system in effect (version, dimensions, indicators, formulas, scoring).
#[utoipa::path(get, path = "/api/v1/evaluation/indicators", tag = "evaluation",
    security(("bearer" = [])), responses((status = 200, body = Object)))]
pub async fn indicators(caller: Caller) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(READERS)?;
    let s = svc::system()?;
    Ok(Json(serde_json::to_value(s.as_ref()).unwrap_or_default()))
}

/// A body's or region's current grade (the check scenarios 改革试点, 项目投资, 专项资金安排,
/// 评优评先, 绩效考核).
#[utoipa::path(get, path = "/api/v1/evaluation/grades/{target}", tag = "evaluation",
    params(("target" = String, Path, description = "评价对象：地区代码（GB/T 2260）或机关的统一社会信用代码")),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn grade(
    State(state): State<AppState>,
    caller: Caller,
    Path(target): Path<String>,
) -> ApiResult<Json<svc::CurrentGrade>> {
    caller.require_any(&[P::ReportsRead, P::EvaluationsRun, P::ChecksRun])?;
    let region = if target.bytes().all(|b| b.is_ascii_digit()) {
        target.clone()
    } else {
        chengxin_app::auth::uscc_region(&target)
    };
    if !(caller.reaches(P::ReportsRead, &region)
        || caller.reaches(P::EvaluationsRun, &region)
        || caller.reaches(P::ChecksRun, &region))
    {
        return Err(chengxin_app::error::AppError::NotFound.into());
    }
    svc::current_grade(state.store.as_ref(), &target)
        .await?
        .map(Json)
        .ok_or_else(|| chengxin_app::error::AppError::NotFound.into())
}

/// The signed PDF report of a target (a region or a body) in a run: total, grade, rank, the
/// change against the previous period and last year, dimensions, indicators, the deduction —
/// signed like a credit report (the signed payload embedded). Within the caller's reach.
#[utoipa::path(get, path = "/api/v1/evaluation/runs/{id}/targets/{target}/report.pdf", tag = "evaluation",
    params(("id" = String, Path, description = "评价批次"),
           ("target" = String, Path, description = "评价对象：地区代码（GB/T 2260）或机关的统一社会信用代码")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn report_pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, target)): Path<(String, String)>,
) -> ApiResult<Response> {
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    let id = parse_id(&id)?;
    let r = svc::target_report(&state, &caller, id, &target).await?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}.pdf\"; filename*=UTF-8''{}",
        r.signed.report.report_no,
        crate::pages::portal::enc(&r.file_name)
    ))
    .map_err(chengxin_app::AppError::unavailable)?;
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
        r.pdf,
    )
        .into_response())
}
