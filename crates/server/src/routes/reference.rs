//! Reference data: the catalog, code validation and the working-day calendar.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::codes;
use chengxin_domain::regions::RegionTable;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::input::{json_error, query_error};
use crate::error::{ApiResult, AppError, AppResult};
use crate::AppState;

/// The catalog types loaded into this instance, with their full definitions.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog",
    responses((status = 200, description = "Array of record-type definitions", body = Vec<Object>)))]
pub async fn catalog(State(state): State<AppState>) -> ApiResult<Json<Vec<serde_json::Value>>> {
    let types = state.store.catalog_types().await?;
    Ok(Json(types.into_iter().map(|t| t.definition).collect()))
}

/// One catalog type by code.
#[utoipa::path(get, path = "/api/v1/catalog/{code}", tag = "catalog",
    params(("code" = String, Path, description = "Record-type code, e.g. admin_penalty")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn catalog_type(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let types = state.store.catalog_types().await?;
    types
        .into_iter()
        .find(|t| t.code == code)
        .map(|t| Json(t.definition))
        .ok_or(AppError::NotFound.into())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ValidateCodes {
    /// 1–1000 codes (USCC or ID numbers). Sent in the body, never in the URL, so that ID
    /// numbers stay out of access logs.
    pub codes: Vec<String>,
}

/// Validate USCCs and ID numbers. ID numbers come back masked.
#[utoipa::path(post, path = "/api/v1/codes/validate", tag = "codes",
    request_body = ValidateCodes,
    responses((status = 200, description = "One report per code, in order", body = Vec<Object>),
              (status = 400, body = crate::error::ErrorBody)))]
pub async fn validate_codes(
    body: Result<Json<ValidateCodes>, JsonRejection>,
) -> ApiResult<Json<Vec<codes::CodeReport>>> {
    let Json(body) = body.map_err(json_error)?;
    if body.codes.is_empty() || body.codes.len() > 1000 {
        return Err(
            AppError::invalid("invalid_code_count", "codes 须包含 1 至 1000 个代码").into(),
        );
    }
    let today = chengxin_store::clock::today_in_china();
    let regions = RegionTable::national();
    Ok(Json(
        body.codes
            .iter()
            .map(|c| codes::classify(c, regions, today))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddParams {
    /// Start date (not counted), `YYYY-MM-DD`.
    pub date: NaiveDate,
    /// Number of working days to add (0–1000).
    pub n: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddResult {
    pub date: NaiveDate,
    pub n: u32,
    /// The n-th working day after `date`.
    pub result: NaiveDate,
}

fn calendar() -> AppResult<&'static WorkCalendar> {
    WorkCalendar::official_checked()
        .map_err(|e| AppError::Unavailable(format!("工作日历数据不可用：{e}")))
}

/// The n-th working day after a date, on the official calendar (statutory holidays and
/// make-up working days included).
#[utoipa::path(get, path = "/api/v1/workdays/add", tag = "calendar", params(AddParams),
    responses((status = 200, body = AddResult), (status = 400, body = crate::error::ErrorBody)))]
pub async fn workdays_add(
    q: Result<Query<AddParams>, QueryRejection>,
) -> ApiResult<Json<AddResult>> {
    let Query(q) = q.map_err(query_error)?;
    if q.n > 1000 {
        return Err(AppError::invalid("invalid_query", "n 不能超过 1000").into());
    }
    let result = calendar()?
        .add_working_days(q.date, q.n)
        .map_err(AppError::from)?;
    Ok(Json(AddResult {
        date: q.date,
        n: q.n,
        result,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BetweenParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BetweenResult {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Working days d with from < d <= to (negative when `to` is before `from`).
    pub working_days: i64,
}

/// Working days between two dates on the official calendar.
#[utoipa::path(get, path = "/api/v1/workdays/between", tag = "calendar", params(BetweenParams),
    responses((status = 200, body = BetweenResult), (status = 400, body = crate::error::ErrorBody)))]
pub async fn workdays_between(
    q: Result<Query<BetweenParams>, QueryRejection>,
) -> ApiResult<Json<BetweenResult>> {
    let Query(q) = q.map_err(query_error)?;
    let working_days = calendar()?
        .working_days_between(q.from, q.to)
        .map_err(AppError::from)?;
    Ok(Json(BetweenResult {
        from: q.from,
        to: q.to,
        working_days,
    }))
}
