//! Reference data: the catalog, code validation and the working-day calendar.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_domain::codes;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::input::{json_error, query_error};
use crate::error::ApiResult;
use crate::AppState;
use chengxin_app::calendar::{self, AddResult, BetweenResult};
use chengxin_app::reference;

/// The catalog types loaded into this instance, with their full definitions.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog",
    responses((status = 200, description = "Array of record-type definitions", body = Vec<Object>)))]
pub async fn catalog(State(state): State<AppState>) -> ApiResult<Json<Vec<serde_json::Value>>> {
    Ok(Json(reference::catalog(&state).await?))
}

/// One catalog type by code.
#[utoipa::path(get, path = "/api/v1/catalog/{code}", tag = "catalog",
    params(("code" = String, Path, description = "Record-type code, e.g. admin_penalty")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn catalog_type(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(reference::catalog_type(&state, &code).await?))
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
    Ok(Json(reference::validate_codes(&body.codes)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AddParams {
    /// Start date (not counted), `YYYY-MM-DD`.
    pub date: NaiveDate,
    /// Number of working days to add (0–1000).
    pub n: u32,
}

/// The n-th working day after a date, on the official calendar (statutory holidays and
/// make-up working days included).
#[utoipa::path(get, path = "/api/v1/workdays/add", tag = "calendar", params(AddParams),
    responses((status = 200, body = AddResult), (status = 400, body = crate::error::ErrorBody)))]
pub async fn workdays_add(
    State(state): State<AppState>,
    q: Result<Query<AddParams>, QueryRejection>,
) -> ApiResult<Json<AddResult>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        calendar::add(state.store.as_ref(), q.date, q.n).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BetweenParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Working days between two dates on the official calendar.
#[utoipa::path(get, path = "/api/v1/workdays/between", tag = "calendar", params(BetweenParams),
    responses((status = 200, body = BetweenResult), (status = 400, body = crate::error::ErrorBody)))]
pub async fn workdays_between(
    State(state): State<AppState>,
    q: Result<Query<BetweenParams>, QueryRejection>,
) -> ApiResult<Json<BetweenResult>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        calendar::between(state.store.as_ref(), q.from, q.to).await?,
    ))
}
