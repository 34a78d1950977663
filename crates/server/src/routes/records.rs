//! Records: read with history, lifecycle transitions, the manual-linking queue, reports.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::Json;
use chengxin_domain::records::RecordAction;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use chengxin_access::Permission;

use crate::auth::{uscc_region, Caller};
use crate::error::{ApiResult, AppError};
use crate::AppState;
use chengxin_app as services;

use super::input::{json_error, parse_id, query_error};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// Why non-public data is looked up (required for non-public records; query-logged).
    pub purpose: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordWithHistory {
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<serde_json::Value>,
    /// 异议处理中 while an objection on it is open (shown to everyone who can see it);
    /// 容错纠错 when recognised as tolerable error.
    pub annotations: Vec<String>,
}

/// A record with its full history.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "records",
    params(("id" = String, Path, description = "Record id (UUID)"), ReadParams),
    security(("bearer" = [])),
    responses((status = 200, body = RecordWithHistory), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    q: Result<Query<ReadParams>, QueryRejection>,
) -> ApiResult<Json<RecordWithHistory>> {
    let id = parse_id(&id)?;
    let Query(q) = q.map_err(query_error)?;
    let record = state.store.record(id).await?.ok_or(AppError::NotFound)?;
    // Published records of a 社会公开 type are public. Anything else (a shared-only type such
    // as 政务处分, or a record not in publication) is non-public data: it needs the permission
    // within the caller's jurisdiction, a stated purpose, and is query-logged.
    if !services::records::is_public(&record) {
        let region = uscc_region(&record.source_dept);
        let mut e = caller.audit("query", "record_read", "ok");
        e.target = Some(id.to_string());
        e.detail =
            serde_json::json!({"purpose": q.purpose, "subject": record.subject_id, "returned": 1});
        if let Err(err) = caller.require_at(Permission::RecordsReadNonpublic, &region) {
            if !caller.is_anonymous() {
                e.outcome = "denied".into();
                e.detail["returned"] = serde_json::json!(0);
                state.store.audit(&[e]).await?;
            }
            // Not revealing that the record exists.
            return Err(match err {
                AppError::Unauthorized { .. } => AppError::NotFound,
                other => other,
            }
            .into());
        }
        if q.purpose
            .as_deref()
            .is_none_or(|p| p.trim().chars().count() < 2)
        {
            return Err(chengxin_access::AccessError::PurposeRequired.into());
        }
        state.store.audit(&[e]).await?;
    }
    let history = state.store.record_history(id).await?;
    let mut annotations = Vec::new();
    if services::rights::objection_pending(state.store.as_ref(), id).await? {
        annotations.push("异议处理中".to_string());
    }
    if record.tolerated {
        annotations.push("容错纠错（不计入失信）".to_string());
    }
    Ok(Json(RecordWithHistory {
        annotations,
        record: serde_json::to_value(&record).map_err(AppError::unavailable)?,
        history: history
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()
            .map_err(AppError::unavailable)?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// publish, correct, revoke, tolerate, expire
    pub action: String,
    /// The version the caller last saw (optimistic concurrency).
    pub expected_version: i64,
    /// Reason / approving note (required for tolerate).
    pub note: Option<String>,
    /// New field values (correct only).
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Apply a lifecycle action to a record. Illegal transitions answer 400 `illegal_transition`;
/// a stale `expected_version` answers 409 `version_conflict`.
#[utoipa::path(post, path = "/api/v1/records/{id}/transitions", tag = "records",
    params(("id" = String, Path, description = "Record id (UUID)")),
    request_body = TransitionRequest, security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<TransitionRequest>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    let action = RecordAction::parse(&req.action).ok_or_else(|| {
        AppError::invalid("unknown_action", format!("未知的操作“{}”", req.action))
    })?;
    if matches!(action, RecordAction::Repair | RecordAction::RevokeRepair) {
        return Err(
            AppError::invalid("use_repair_workflow", "信用修复须通过修复申请流程办理").into(),
        );
    }
    let current = state.store.record(id).await?.ok_or(AppError::NotFound)?;
    caller.require_at(
        Permission::RecordsTransition,
        &uscc_region(&current.source_dept),
    )?;
    let r = services::records::transition(
        state.store.as_ref(),
        &caller.actor,
        id,
        action,
        req.expected_version,
        req.note,
        req.fields,
    )
    .await?;
    Ok(Json(
        serde_json::to_value(&r).map_err(AppError::unavailable)?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelinessParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only this department (USCC).
    pub dept: Option<String>,
}

/// 双公示 timeliness: share of licences and penalties public within 7 working days of the
/// decision, per department, with the late records listed.
#[utoipa::path(get, path = "/api/v1/reports/timeliness", tag = "reports", params(TimelinessParams),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn timeliness(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<TimelinessParams>, QueryRejection>,
) -> ApiResult<Json<chengxin_domain::reports::TimelinessReport>> {
    let Query(q) = q.map_err(query_error)?;
    let today = chengxin_store::clock::now();
    let report = services::reports::timeliness_within(
        state.store.as_ref(),
        q.from,
        q.to,
        q.dept.as_deref(),
        chengxin_domain::reports::china_date(today),
        |dept| caller.reaches(Permission::ReportsRead, &uscc_region(dept)),
    )
    .await?;
    Ok(Json(report))
}

/// Records waiting to be linked to a subject by hand, with suggested candidates.
#[utoipa::path(get, path = "/api/v1/link-queue", tag = "records", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>)))]
pub async fn link_queue(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<chengxin_store::LinkRequest>>> {
    let mut out = Vec::new();
    for l in state.store.link_queue(500).await? {
        if let Some(r) = state.store.record(l.record_id).await? {
            if caller.reaches(Permission::RecordsTransition, &uscc_region(&r.source_dept)) {
                out.push(l);
            }
        }
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkRequestBody {
    pub subject_id: Uuid,
}

/// Link a queued record to a subject.
#[utoipa::path(post, path = "/api/v1/link-queue/{record_id}", tag = "records",
    params(("record_id" = String, Path, description = "Record id")), request_body = LinkRequestBody,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    Path(record_id): Path<String>,
    body: Result<Json<LinkRequestBody>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_id(&record_id)?;
    let Json(req) = body.map_err(json_error)?;
    let current = state.store.record(id).await?.ok_or(AppError::NotFound)?;
    caller.require_at(
        Permission::RecordsTransition,
        &uscc_region(&current.source_dept),
    )?;
    let r = state
        .store
        .link_record(&caller.actor, id, req.subject_id)
        .await?;
    Ok(Json(
        serde_json::to_value(&r).map_err(AppError::unavailable)?,
    ))
}
