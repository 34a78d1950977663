//! The closed loop (闭环): cases opened for each implementing department when a list entry
//! takes effect, advanced step by step against working-day deadlines, reminded and escalated,
//! lifted when the entry leaves its list; and the per-department feedback rate.

use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::lists::{
    lift_on_removal, Case, EntryStatus, JointCatalog, ListEntry, Reminder,
};
use chengxin_store::{AuditEvent, CaseFilter, CaseRow, ListEntryRow, Store};
use chrono::NaiveDate;

use crate::error::{ApiError, ApiResult};

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::Unavailable(e.to_string())
}

pub fn row_of(
    entry_id: uuid::Uuid,
    c: &Case,
    version: i64,
    created: chrono::DateTime<chrono::Utc>,
) -> ApiResult<CaseRow> {
    Ok(CaseRow {
        id: c.id.clone(),
        entry_id,
        department: c.department.clone(),
        step: c.step.code().to_string(),
        next_due: c.next_due,
        lifted: c.lifted_on.is_some(),
        state: serde_json::to_value(c).map_err(unavailable)?,
        created_at: created,
        updated_at: chengxin_store::changelog::now(),
        version,
    })
}

pub fn case_of(row: &CaseRow) -> ApiResult<Case> {
    serde_json::from_value(row.state.clone()).map_err(unavailable)
}

/// After an entry changed: open its cases when it took effect, lift them when it left.
pub async fn follow_entry(
    store: &dyn Store,
    actor: &str,
    row: &ListEntryRow,
    today: NaiveDate,
) -> ApiResult<usize> {
    let joint = JointCatalog::default_checked().map_err(unavailable)?;
    let cal = WorkCalendar::official_checked().map_err(unavailable)?;
    let entry: ListEntry = serde_json::from_value(row.entry.clone()).map_err(unavailable)?;
    let existing = store
        .cases(&CaseFilter {
            entry_id: Some(row.id),
            ..Default::default()
        })
        .await?;
    let entry_id = row.id.to_string();
    match entry.status {
        EntryStatus::Effective if existing.is_empty() => {
            let cases = match joint.initiate_for_entry(&entry_id, &entry, cal) {
                Ok(c) => c,
                // Deadlines past the shipped calendar cannot be computed (never guessed): the
                // entry stands, and the missing cases are recorded for the office to open once
                // the next year's calendar is loaded.
                Err(e) if e.code() == "calendar_year_not_covered" => {
                    let mut ev = AuditEvent::new(actor, "case", "cases_not_opened", "failed");
                    ev.target = Some(entry_id.clone());
                    ev.detail = serde_json::json!({"code": e.code(), "reason": e.to_string()});
                    store.audit(&[ev]).await?;
                    tracing::warn!(entry = %entry_id, error = %e, "closed-loop cases not opened");
                    return Ok(0);
                }
                Err(e) => return Err(ApiError::bad_request(e.code(), e.to_string())),
            };
            let now = chengxin_store::changelog::now();
            let rows = cases
                .iter()
                .map(|c| row_of(row.id, c, 1, now))
                .collect::<ApiResult<Vec<_>>>()?;
            store.write_cases(actor, &rows, &[]).await?;
            Ok(rows.len())
        }
        EntryStatus::Removed => {
            let cases = existing
                .iter()
                .map(case_of)
                .collect::<ApiResult<Vec<_>>>()?;
            let reason = entry
                .removal_reason
                .unwrap_or(chengxin_domain::lists::RemovalReason::Revoked);
            let (lifted, notices) = lift_on_removal(&cases, &entry_id, reason, today);
            let mut updates = Vec::new();
            for (old, new) in existing.iter().zip(lifted.iter()) {
                if old.lifted != new.lifted_on.is_some() {
                    updates.push((
                        row_of(row.id, new, old.version + 1, old.created_at)?,
                        old.version,
                    ));
                }
            }
            store.write_cases(actor, &[], &updates).await?;
            let events: Vec<AuditEvent> = notices
                .iter()
                .map(|n| {
                    let mut e = AuditEvent::new(actor, "case", "measures_lifted", "ok");
                    e.target = Some(n.case_id.clone());
                    e.detail = serde_json::json!({"department": n.department, "measures": n.measures, "message": n.message});
                    e
                })
                .collect();
            store.audit(&events).await?;
            Ok(updates.len())
        }
        _ => Ok(0),
    }
}

/// Advance a case by its next step (签收, 实施, 反馈) on `today`.
pub async fn advance(
    store: &dyn Store,
    reach: &CaseReach,
    actor: &str,
    id: &str,
    note: Option<&str>,
    expected_version: i64,
    today: NaiveDate,
) -> ApiResult<CaseRow> {
    let joint = JointCatalog::default_checked().map_err(unavailable)?;
    let cal = WorkCalendar::official_checked().map_err(unavailable)?;
    // Another role's case is not found, as if it did not exist.
    let row = store
        .case(id)
        .await?
        .filter(|c| reach.covers(&c.department))
        .ok_or(ApiError::NotFound)?;
    if row.version != expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: expected_version,
            current: row.version,
        }
        .into());
    }
    let case = case_of(&row)?;
    let next = case
        .advance(today, note, joint.closed_loop(), cal)
        .map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    let new = row_of(row.entry_id, &next, row.version + 1, row.created_at)?;
    store
        .write_cases(actor, &[], &[(new.clone(), row.version)])
        .await?;
    Ok(new)
}

/// Today's reminders and escalations for running cases, recorded as audit events (the
/// console shows them; departments get them as notices).
pub async fn remind(store: &dyn Store, today: NaiveDate) -> ApiResult<Vec<(String, Reminder)>> {
    let joint = JointCatalog::default_checked().map_err(unavailable)?;
    let cal = WorkCalendar::official_checked().map_err(unavailable)?;
    let open = store
        .cases(&CaseFilter {
            open_only: true,
            limit: Some(1_000_000),
            ..Default::default()
        })
        .await?;
    let mut out = Vec::new();
    let mut events = Vec::new();
    for row in &open {
        let case = case_of(row)?;
        let r = case
            .reminder(joint.closed_loop(), today, cal)
            .map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
        if r == Reminder::None {
            continue;
        }
        let action = if matches!(r, Reminder::Escalate { .. }) {
            "case_escalated"
        } else {
            "case_reminder"
        };
        let mut e = AuditEvent::new("system:closed-loop", "case", action, "ok");
        e.target = Some(row.id.clone());
        e.detail = serde_json::json!({"department": row.department, "step": row.step, "due": row.next_due, "reminder": r});
        events.push(e);
        out.push((row.id.clone(), r));
    }
    store.audit(&events).await?;
    Ok(out)
}

/// 反馈率 per implementing department.
pub async fn feedback(store: &dyn Store, today: NaiveDate) -> ApiResult<serde_json::Value> {
    let rows = store
        .cases(&CaseFilter {
            limit: Some(1_000_000),
            ..Default::default()
        })
        .await?;
    let cases = rows.iter().map(case_of).collect::<ApiResult<Vec<_>>>()?;
    let stats = chengxin_domain::lists::feedback_rate(&cases, today);
    Ok(serde_json::json!(stats
        .iter()
        .map(|(dept, s)| serde_json::json!({
            "department": dept, "due": s.due, "reported": s.reported, "on_time": s.on_time,
            "rate": s.rate(), "on_time_rate": s.on_time_rate(),
        }))
        .collect::<Vec<_>>()))
}

/// Whose cases a caller may see and handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseReach {
    /// The credit office (发起和分发): every department's.
    All,
    /// An implementing department: the roles its body acts in (`bodies.toml`); none if its
    /// body is not listed there.
    Roles(Vec<String>),
}

impl CaseReach {
    pub fn of(app: &crate::App, caller: &crate::auth::Caller) -> ApiResult<Self> {
        if caller.has(chengxin_access::Permission::CasesManage) {
            return Ok(Self::All);
        }
        let roles = match caller.body.as_deref() {
            Some(b) => app.department_bodies()?.roles_of(b).to_vec(),
            None => Vec::new(),
        };
        Ok(Self::Roles(roles))
    }

    pub fn covers(&self, department: &str) -> bool {
        match self {
            Self::All => true,
            Self::Roles(r) => r.iter().any(|x| x == department),
        }
    }

    /// The cases matching `filter` that this reach covers (one query per role).
    pub async fn cases(&self, store: &dyn Store, filter: &CaseFilter) -> ApiResult<Vec<CaseRow>> {
        match self {
            Self::All => Ok(store.cases(filter).await?),
            Self::Roles(roles) => {
                let mut out = Vec::new();
                for r in roles {
                    if filter.department.as_ref().is_some_and(|d| d != r) {
                        continue;
                    }
                    let f = CaseFilter {
                        department: Some(r.clone()),
                        ..filter.clone()
                    };
                    out.extend(store.cases(&f).await?);
                }
                Ok(out)
            }
        }
    }
}
