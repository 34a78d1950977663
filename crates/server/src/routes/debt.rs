//! 地方政府债务 (issue 20): import positions (CSV/XLSX, amounts in 万元), list them, one region's
//! history, the ratio and level per region for a year, and the levels in force. Thin: the rules
//! are `chengxin_app::debt`.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_access::Permission as P;
use chengxin_app::debt::{self as svc, DebtHistory, DebtImportReport, DebtListParams, DebtPage};
use chengxin_domain::debt::RiskLevels;
use serde::Deserialize;
use utoipa::IntoParams;

use super::input::query_error;
use super::staff::{file_input, FileParams};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// Who reads debt positions: the credit office, supervisors and evaluators (their regions).
pub const READERS: &[P] = svc::READERS;

/// Import debt positions from a CSV or XLSX file: columns 地区代码 (or 地区), 年度,
/// 一般债务余额(万元), 专项债务余额(万元), 隐性债务余额(万元) (optional), 综合财力(万元). Good rows
/// are stored, bad rows listed with their codes; a file with no good row is refused
/// (`debt_rows_rejected`). A level change between years warns the credit offices of the region
/// and its parent.
#[utoipa::path(post, path = "/api/v1/debt/import", tag = "debt",
    params(FileParams), security(("bearer" = [])),
    responses((status = 200, body = DebtImportReport), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<FileParams>, QueryRejection>,
    body: Body,
) -> ApiResult<Json<DebtImportReport>> {
    let input = file_input(body, q).await?;
    let source = match &input {
        chengxin_app::staff::StaffInput::File {
            file_name: Some(n), ..
        } => n.clone(),
        _ => "上传文件".to_string(),
    };
    Ok(Json(svc::import(&state, &caller, input, &source).await?))
}

/// Positions within the caller's region, by region and year (keyset pages: `after` = the
/// previous page's `next`).
#[utoipa::path(get, path = "/api/v1/debt/positions", tag = "debt", params(DebtListParams),
    security(("bearer" = [])),
    responses((status = 200, body = DebtPage), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<DebtListParams>, QueryRejection>,
) -> ApiResult<Json<DebtPage>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(svc::list(&state, &caller, &q).await?))
}

/// One region's years with their ratios, levels and level changes. A region outside the
/// caller's is "not found".
#[utoipa::path(get, path = "/api/v1/debt/regions/{code}", tag = "debt",
    params(("code" = String, Path, description = "GB/T 2260 region code")), security(("bearer" = [])),
    responses((status = 200, body = DebtHistory), (status = 404, body = crate::error::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<DebtHistory>> {
    Ok(Json(svc::history(&state, &caller, &code).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The year (e.g. 2025).
    pub year: i32,
}

/// The debt ratio and risk level of every region within the caller's for a year (the
/// evaluation source).
#[utoipa::path(get, path = "/api/v1/debt/ratios", tag = "debt", params(YearParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<svc::RegionDebtRatio>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn ratios(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<YearParams>, QueryRejection>,
) -> ApiResult<Json<Vec<svc::RegionDebtRatio>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        svc::region_ratios(&state, &caller, q.year)
            .await?
            .into_values()
            .collect(),
    ))
}

/// The risk levels in force (thresholds in percent of the ratio, their basis and version).
#[utoipa::path(get, path = "/api/v1/debt/levels", tag = "debt", security(("bearer" = [])),
    responses((status = 200, body = Object)))]
pub async fn levels() -> ApiResult<Json<RiskLevels>> {
    Ok(Json(svc::levels()?.clone()))
}
