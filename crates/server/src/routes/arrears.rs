//! Government as purchaser and payer (政府采购, 拖欠账款; issue 18): procurement contracts and
//! their milestones, the arrears ledger (register, report from the portal, steps, totals) and
//! the payment terms in force. Thin: the rules are `chengxin_app::arrears`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_access::Permission as P;
use chengxin_app::arrears::{
    self as svc, ArrearListParams, ArrearRequest, ArrearStepRequest, ArrearView, ContractRequest,
    ContractView, MilestoneDone, TotalsView,
};
use chengxin_domain::arrears::PaymentTerms;
use serde::Deserialize;

use super::input::{json_error, parse_id, query_error};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// Who reaches the contract routes and acts on arrears: the credit office (its region) and
/// bodies (their own); the handlers decide which applies to the item.
pub const MANAGERS: &[P] = &[P::CommitmentsManage, P::AssignmentsHandle];
/// Who reads the ledger: those, and an enterprise (its subject account) for what it is owed.
pub const READERS: &[P] = &[
    P::CommitmentsManage,
    P::AssignmentsHandle,
    P::ArchiveReadOwn,
];

/// Register a procurement contract with its delivery, acceptance and payment milestones.
#[utoipa::path(post, path = "/api/v1/procurement/contracts", tag = "arrears", request_body = ContractRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn create_contract(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ContractRequest>, JsonRejection>,
) -> ApiResult<Json<ContractView>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::create_contract(&state, &caller, req).await?))
}

/// Page of a list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    pub page: Option<i64>,
}

/// The contracts within reach, newest first.
#[utoipa::path(get, path = "/api/v1/procurement/contracts", tag = "arrears", params(PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list_contracts(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<PageParams>, QueryRejection>,
) -> ApiResult<Json<Vec<ContractView>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(
        svc::list_contracts(&state, &caller, q.page.unwrap_or(1)).await?,
    ))
}

/// One contract with its milestones.
#[utoipa::path(get, path = "/api/v1/procurement/contracts/{id}", tag = "arrears",
    params(("id" = String, Path, description = "Contract id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_contract(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ContractView>> {
    Ok(Json(
        svc::get_contract(&state, &caller, parse_id(&id)?).await?,
    ))
}

/// Mark a milestone (delivery, acceptance, payment) done.
#[utoipa::path(post, path = "/api/v1/procurement/contracts/{id}/milestones", tag = "arrears",
    request_body = MilestoneDone,
    params(("id" = String, Path, description = "Contract id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn complete_milestone(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<MilestoneDone>, JsonRejection>,
) -> ApiResult<Json<ContractView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(
        svc::complete_milestone(&state, &caller, id, req).await?,
    ))
}

/// The payment terms in force (《保障中小企业款项支付条例》) and the arrears rules (data).
#[utoipa::path(get, path = "/api/v1/procurement/payment-terms", tag = "arrears", security(()),
    responses((status = 200, body = Object)))]
pub async fn payment_terms() -> ApiResult<Json<PaymentTerms>> {
    Ok(Json(svc::terms()?.clone()))
}

/// The credit office registers an arrear of a body of its region (enters confirmed).
#[utoipa::path(post, path = "/api/v1/arrears", tag = "arrears", request_body = ArrearRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ArrearRequest>, JsonRejection>,
) -> ApiResult<Json<ArrearView>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::register(&state, &caller, req).await?))
}

/// 企业反映: an enterprise reports an arrear owed to it (enters 待确认).
#[utoipa::path(post, path = "/api/v1/portal/arrears", tag = "arrears", request_body = ArrearRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ArrearRequest>, JsonRejection>,
) -> ApiResult<Json<ArrearView>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::report(&state, &caller, req).await?))
}

/// The arrears within reach, newest first.
#[utoipa::path(get, path = "/api/v1/arrears", tag = "arrears", params(ArrearListParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ArrearListParams>, QueryRejection>,
) -> ApiResult<Json<Vec<ArrearView>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(svc::list(&state, &caller, &q).await?))
}

/// Query of the totals.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TotalsParams {
    /// One body (USCC) of the credit office's region.
    pub body: Option<String>,
}

/// Totals per body, region and month within reach.
#[utoipa::path(get, path = "/api/v1/arrears/totals", tag = "arrears", params(TotalsParams),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn totals(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<TotalsParams>, QueryRejection>,
) -> ApiResult<Json<TotalsView>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(svc::totals(&state, &caller, q.body.as_deref()).await?))
}

/// One arrear with its history.
#[utoipa::path(get, path = "/api/v1/arrears/{id}", tag = "arrears",
    params(("id" = String, Path, description = "Arrear id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ArrearView>> {
    Ok(Json(svc::get(&state, &caller, parse_id(&id)?).await?))
}

/// A step on an arrear: confirm, reject (不属实, with the reason), pay (partial until
/// cleared), judgment (the credit office).
#[utoipa::path(post, path = "/api/v1/arrears/{id}/steps", tag = "arrears",
    request_body = ArrearStepRequest,
    params(("id" = String, Path, description = "Arrear id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ArrearStepRequest>, JsonRejection>,
) -> ApiResult<Json<ArrearView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::act(&state, &caller, id, req).await?))
}
