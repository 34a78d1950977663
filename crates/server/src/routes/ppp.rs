//! PPP projects and 失信被执行人 cases (issue 18): register a project, move it through its
//! stages, add a stage's responsible person, record a breach (the body's 失信 record) and ask
//! who was responsible on its date; register a 失信被执行人 case of a body, report progress
//! until cleared, and read the register. Thin: the rules are `chengxin_app::ppp`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_app::ppp::{
    self as svc, debtors, AdvanceRequest, BreachRequest, DebtorCaseRequest, DebtorCaseView,
    DebtorListParams, DebtorProgressRequest, DebtorRegister, ListParams, PppResponsibility,
    ProjectRequest, ProjectView, ResponsibleInput,
};

use super::input::{json_error, parse_id, query_error};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

/// Register a PPP project (its first stage, 识别).
#[utoipa::path(post, path = "/api/v1/ppp-projects", tag = "ppp", request_body = ProjectRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ProjectRequest>, JsonRejection>,
) -> ApiResult<Json<ProjectView>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::create(&state, &caller, req).await?))
}

/// The PPP projects within reach, newest first.
#[utoipa::path(get, path = "/api/v1/ppp-projects", tag = "ppp", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult<Json<Vec<ProjectView>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(svc::list(&state, &caller, &q).await?))
}

/// One project with its stages, responsible persons and breaches.
#[utoipa::path(get, path = "/api/v1/ppp-projects/{id}", tag = "ppp",
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(svc::get(&state, &caller, parse_id(&id)?).await?))
}

/// Move the project to its next stage (in order, dated not before the current one).
#[utoipa::path(post, path = "/api/v1/ppp-projects/{id}/stages", tag = "ppp",
    request_body = AdvanceRequest,
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn advance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<AdvanceRequest>, JsonRejection>,
) -> ApiResult<Json<ProjectView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::advance(&state, &caller, id, req).await?))
}

/// Add a stage's government-side responsible person (a change of person ends the previous
/// one's open period the day before).
#[utoipa::path(post, path = "/api/v1/ppp-projects/{id}/responsibles", tag = "ppp",
    request_body = ResponsibleInput,
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn add_responsible(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ResponsibleInput>, JsonRejection>,
) -> ApiResult<Json<ProjectView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::add_responsible(&state, &caller, id, req).await?))
}

/// Record a breach of the government party: it becomes the body's 失信 record.
#[utoipa::path(post, path = "/api/v1/ppp-projects/{id}/breaches", tag = "ppp",
    request_body = BreachRequest,
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn breach(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<BreachRequest>, JsonRejection>,
) -> ApiResult<Json<ProjectView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(svc::record_breach(&state, &caller, id, req).await?))
}

/// 责任回溯 of a breach: the stage's responsible person and the body's principal on its date.
#[utoipa::path(get, path = "/api/v1/ppp-projects/{id}/breaches/{breach_id}/responsible", tag = "ppp",
    params(("id" = String, Path, description = "Project id"), ("breach_id" = String, Path, description = "Breach id")),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn responsible(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, breach_id)): Path<(String, String)>,
) -> ApiResult<Json<PppResponsibility>> {
    Ok(Json(
        svc::responsibility(&state, &caller, parse_id(&id)?, parse_id(&breach_id)?).await?,
    ))
}

/// Register a government body's 失信被执行人 case.
#[utoipa::path(post, path = "/api/v1/debtor-cases", tag = "ppp", request_body = DebtorCaseRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn debtor_create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<DebtorCaseRequest>, JsonRejection>,
) -> ApiResult<Json<DebtorCaseView>> {
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(debtors::create(&state, &caller, req).await?))
}

/// The 失信被执行人 cases within reach.
#[utoipa::path(get, path = "/api/v1/debtor-cases", tag = "ppp", params(DebtorListParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn debtor_list(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<DebtorListParams>, QueryRejection>,
) -> ApiResult<Json<Vec<DebtorCaseView>>> {
    let Query(q) = q.map_err(query_error)?;
    Ok(Json(debtors::list(&state, &caller, &q).await?))
}

/// The register (台账) of the caller's region: not-yet-cleared cases per region.
#[utoipa::path(get, path = "/api/v1/debtor-cases/register", tag = "ppp",
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn debtor_register(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<DebtorRegister>> {
    Ok(Json(debtors::register(&state, &caller).await?))
}

/// One case with its progress notes.
#[utoipa::path(get, path = "/api/v1/debtor-cases/{id}", tag = "ppp",
    params(("id" = String, Path, description = "Case id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn debtor_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DebtorCaseView>> {
    Ok(Json(debtors::get(&state, &caller, parse_id(&id)?).await?))
}

/// A progress note and state (未履行 → 部分履行 → 已履行 | 已撤销).
#[utoipa::path(post, path = "/api/v1/debtor-cases/{id}/progress", tag = "ppp",
    request_body = DebtorProgressRequest,
    params(("id" = String, Path, description = "Case id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn debtor_progress(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<DebtorProgressRequest>, JsonRejection>,
) -> ApiResult<Json<DebtorCaseView>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    Ok(Json(debtors::progress(&state, &caller, id, req).await?))
}

/// Import 失信被执行人 cases from a CSV or XLSX file (columns 案号, 执行法院,
/// 被执行人统一社会信用代码, 被执行人名称, 执行标的（元）, 纳入名单日期). All rows or none: any wrong
/// row refuses the file (`debtor_rows_rejected`, each problem by row).
#[utoipa::path(post, path = "/api/v1/debtor-cases/import", tag = "ppp",
    params(super::staff::FileParams), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn debtor_import(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<super::staff::FileParams>, QueryRejection>,
    body: axum::body::Body,
) -> ApiResult<Json<debtors::DebtorImportReport>> {
    let input = super::staff::file_input(body, q).await?;
    Ok(Json(debtors::import(&state, &caller, input).await?))
}
