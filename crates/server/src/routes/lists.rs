//! Lists (名单): propose an entry, move it through publicity, effect and removal.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use chengxin_access::Permission;
use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::lists::{EntryAction, JointCatalog, ListEntry, Proposal, RemovalReason};
use chengxin_store::ListEntryRow;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::AppState;

use super::input::{json_error, parse_id};

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProposeRequest {
    pub subject_id: Uuid,
    /// 认定标准.
    pub standard: String,
    /// 认定依据.
    pub basis: String,
    /// 认定部门 (USCC of the recognising department).
    pub recognised_by: String,
    /// Evidence: record ids, document numbers.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// Propose an entry on a list (认定): it starts as `proposed`.
#[utoipa::path(post, path = "/api/v1/lists/{code}/entries", tag = "lists", request_body = ProposeRequest,
    params(("code" = String, Path, description = "List code")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Result<Json<ProposeRequest>, JsonRejection>,
) -> ApiResult<Json<ListEntryRow>> {
    let Json(req) = body.map_err(json_error)?;
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let list = joint.list(&code).ok_or(AppError::NotFound)?;
    let subject = state
        .store
        .subject(req.subject_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.require_at(
        Permission::ListsManage,
        subject.region.as_deref().unwrap_or("000000"),
    )?;
    let today = state.today();
    let entry = ListEntry::propose(
        list,
        Proposal {
            subject_key: subject.id.to_string(),
            subject_name: subject.name.clone(),
            standard: req.standard,
            basis: req.basis,
            recognised_by: req.recognised_by,
            evidence: req.evidence,
        },
        today,
    )
    .map_err(AppError::from)?;
    let now = chengxin_store::changelog::now();
    let row = chengxin_app::lists::entry_row(Uuid::now_v7(), subject.id, &entry, 1, now)?;
    state.store.create_list_entry(&caller.actor, &row).await?;
    Ok(Json(row))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryActionRequest {
    /// start_publicity, raise_objection, dismiss_objection, take_effect, remove
    pub action: String,
    /// For `remove`: expired, repaired, revoked, source_removed, objection_upheld.
    pub reason: Option<String>,
    /// For `take_effect`, where the list allows an entry's own end date.
    pub until: Option<NaiveDate>,
    pub note: Option<String>,
    pub expected_version: i64,
}

/// Move an entry through its procedure (dates on the official calendar).
#[utoipa::path(post, path = "/api/v1/list-entries/{id}/actions", tag = "lists", request_body = EntryActionRequest,
    params(("id" = String, Path, description = "Entry id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<EntryActionRequest>, JsonRejection>,
) -> ApiResult<Json<ListEntryRow>> {
    let id = parse_id(&id)?;
    let Json(req) = body.map_err(json_error)?;
    let row = state
        .store
        .list_entry(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let subject_id = row.subject_id.ok_or(AppError::NotFound)?;
    let subject = state
        .store
        .subject(subject_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.require_at(
        Permission::ListsManage,
        subject.region.as_deref().unwrap_or("000000"),
    )?;
    if row.version != req.expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: req.expected_version,
            current: row.version,
        }
        .into());
    }
    let action = match req.action.as_str() {
        "start_publicity" => EntryAction::StartPublicity,
        "raise_objection" => EntryAction::RaiseObjection,
        "dismiss_objection" => EntryAction::DismissObjection,
        "take_effect" => EntryAction::TakeEffect { until: req.until },
        "remove" => EntryAction::Remove {
            reason: req
                .reason
                .as_deref()
                .and_then(RemovalReason::parse)
                .ok_or_else(|| AppError::invalid("reason_required", "移出须注明原因（expired、repaired、revoked、source_removed、objection_upheld）"))?,
        },
        other => {
            return Err(AppError::invalid(
                "unknown_action",
                format!("未知的名单操作“{other}”"),
            ).into())
        }
    };
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let entry: ListEntry =
        serde_json::from_value(row.entry.clone()).map_err(AppError::unavailable)?;
    let list = joint.list(&entry.list).ok_or(AppError::NotFound)?;
    let cal = WorkCalendar::official_checked().map_err(AppError::unavailable)?;
    let today = state.today();
    let next = entry
        .apply(list, action, today, req.note.as_deref(), cal)
        .map_err(AppError::from)?;
    let new =
        chengxin_app::lists::entry_row(row.id, subject_id, &next, row.version + 1, row.created_at)?;
    state
        .store
        .update_list_entry(&caller.actor, &new, row.version)
        .await?;
    // Taking effect opens the closed-loop cases; leaving the list lifts them.
    chengxin_app::cases::follow_entry(state.store.as_ref(), &caller.actor, &new, today).await?;
    Ok(Json(new))
}

/// An entry with its procedure history.
#[utoipa::path(get, path = "/api/v1/list-entries/{id}", tag = "lists",
    params(("id" = String, Path, description = "Entry id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_entry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ListEntryRow>> {
    let id = parse_id(&id)?;
    let row = state
        .store
        .list_entry(id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.require(Permission::RecordsReadShared)?;
    Ok(Json(row))
}
