//! Who sees which application: the credit office within its jurisdiction (complaints at its
//! own desk), or the department whose data it is; the queue of those waiting for a step, and
//! one application.

use chengxin_access::Permission;
use chengxin_domain::rights::{self, AppKind};
use chengxin_store::{ApplicationFilter, ApplicationRow};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::App;

/// The permission of the credit office's desk for an application kind.
pub(super) fn handle_permission(kind: &str) -> Permission {
    match kind {
        "repair" => Permission::RepairHandle,
        "complaint" => Permission::ComplaintsHandle,
        _ => Permission::ObjectionsHandle,
    }
}

/// The region a complaint belongs to: the region of the body complained about (`000000` for
/// one filed before complaints were placed).
pub(super) fn complaint_region(row: &ApplicationRow) -> &str {
    row.body
        .get("region")
        .and_then(|r| r.as_str())
        .unwrap_or("000000")
}

/// Whether the caller may see (and work on) an application: the credit office within its
/// jurisdiction, or the department whose data it is.
fn may_see(caller: &Caller, row: &ApplicationRow) -> bool {
    // Complaints go to the credit office's desk of the region of the body complained about:
    // its own, the regions above it (which read it) — never a sibling region's.
    if row.kind == "complaint" {
        return caller.reaches_in_line(Permission::ComplaintsHandle, complaint_region(row), None);
    }
    caller.reaches(handle_permission(&row.kind), &uscc_region(&row.department))
        || caller
            .body
            .as_deref()
            .is_some_and(|b| b.eq_ignore_ascii_case(&row.department))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// objection, repair, tolerance, mitigation
    pub kind: Option<String>,
    pub state: Option<String>,
    /// Only those waiting for a step (default true).
    pub open: Option<bool>,
}

/// The applications the caller handles (the credit office in its jurisdiction, or a
/// department's own), at most 1,000.
pub async fn queue(app: &App, caller: &Caller, q: QueueParams) -> AppResult<Vec<ApplicationRow>> {
    if let Some(k) = &q.kind {
        if AppKind::parse(k).is_none() {
            return Err(AppError::invalid(
                "invalid_kind",
                format!("未知的申请类型“{k}”"),
            ));
        }
    }
    if let Some(s) = &q.state {
        if rights::AppState::parse(s).is_none() {
            return Err(AppError::invalid(
                "invalid_state",
                format!("未知的状态“{s}”"),
            ));
        }
    }
    let staff = caller.has(Permission::ObjectionsHandle)
        || caller.has(Permission::RepairHandle)
        || caller.has(Permission::ComplaintsHandle);
    let department = if staff { None } else { caller.body.clone() };
    if !staff && department.is_none() {
        // Neither the credit office nor a department: nothing is theirs to handle.
        return Ok(Vec::new());
    }
    let rows = app
        .store
        .applications(&ApplicationFilter {
            kind: q.kind,
            state: q.state,
            department,
            open_only: q.open.unwrap_or(true),
            limit: Some(1000),
            ..Default::default()
        })
        .await?;
    Ok(rows.into_iter().filter(|r| may_see(caller, r)).collect())
}

/// One application the caller may see; not found otherwise.
pub async fn application(app: &App, caller: &Caller, id: Uuid) -> AppResult<ApplicationRow> {
    let row = app.store.application(id).await?.ok_or(AppError::NotFound)?;
    if !may_see(caller, &row) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}
