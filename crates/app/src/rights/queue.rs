//! Who sees which application: the credit office within its jurisdiction (complaints at its
//! own desk) — the region of the department whose data it is, by its code (a list entry's
//! recognising body, a record's submitter, and a record's deciding authority too) — or that
//! department itself; the queue of those waiting for a step, and one application.

use chengxin_access::Permission;
use chengxin_domain::rights::{self, AppKind};
use chengxin_store::{ApplicationFilter, ApplicationRow, Store};
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
/// The region a complaint is answered in: the body complained about's.
pub fn complaint_region(row: &ApplicationRow) -> &str {
    row.body
        .get("region")
        .and_then(|r| r.as_str())
        .unwrap_or("000000")
}

/// The department of an application when it is given by its code (统一社会信用代码).
fn department_code(department: &str) -> Option<&str> {
    let d = department.trim();
    (d.len() == 18 && d.is_ascii() && uscc_region(d) != chengxin_access::jurisdiction::NATIONAL)
        .then_some(d)
}

/// Whether the caller handles an application as the credit office: complaints at its desk;
/// otherwise the credit office of the region of the department whose data it is (the record's
/// submitter or the entry's recognising body), or — for a record — of its deciding
/// authority's region; for a list entry kept without its recognising body's code, of the
/// entry's region as far as it can be told (its subject's). Nothing readable: national only.
pub async fn is_office(
    store: &dyn Store,
    caller: &Caller,
    row: &ApplicationRow,
) -> AppResult<bool> {
    // Complaints go to the credit office's desk, not to a department's region.
    // Complaints go to the credit office's desk of the region of the body complained about:
    // its own, the regions above it (which read it) — never a sibling region's.
    if row.kind == "complaint" {
        return Ok(caller.reaches_in_line(
            Permission::ComplaintsHandle,
            complaint_region(row),
            None,
        ));
    }
    let p = handle_permission(&row.kind);
    if !caller.has(p) {
        return Ok(false);
    }
    let code = department_code(&row.department);
    if code.is_some_and(|c| caller.reaches(p, &uscc_region(c))) {
        return Ok(true);
    }
    let id = Uuid::parse_str(&row.target_id).ok();
    let more = match (row.target_kind.as_str(), id) {
        ("record", Some(id)) => match store.record(id).await? {
            Some(r) => crate::authority::record_regions(&r),
            None => Vec::new(),
        },
        ("list_entry", Some(id)) if code.is_none() => match store.list_entry(id).await? {
            Some(e) => match (e.region, e.subject_id) {
                (Some(r), _) => vec![r],
                (None, Some(s)) => store
                    .subject(s)
                    .await?
                    .and_then(|s| s.region)
                    .into_iter()
                    .collect(),
                (None, None) => Vec::new(),
            },
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    Ok(caller.reaches_any(p, &more))
}

/// Whether the caller may see (and work on) an application: the credit office (see
/// [`is_office`]), or the department whose data it is.
async fn may_see(store: &dyn Store, caller: &Caller, row: &ApplicationRow) -> AppResult<bool> {
    if row.kind != "complaint"
        && caller
            .body
            .as_deref()
            .is_some_and(|b| b.eq_ignore_ascii_case(&row.department))
    {
        return Ok(true);
    }
    is_office(store, caller, row).await
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
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if may_see(app.store.as_ref(), caller, &r).await? {
            out.push(r);
        }
    }
    Ok(out)
}

/// One application the caller may see; not found otherwise.
pub async fn application(app: &App, caller: &Caller, id: Uuid) -> AppResult<ApplicationRow> {
    let row = app.store.application(id).await?.ok_or(AppError::NotFound)?;
    if !may_see(app.store.as_ref(), caller, &row).await? {
        return Err(AppError::NotFound);
    }
    Ok(row)
}
