//! The closed loop (闭环): cases opened for each implementing department when a list entry
//! takes effect, advanced step by step against working-day deadlines, reminded and escalated,
//! lifted when the entry leaves its list; and the per-department feedback rate.

use chengxin_domain::lists::{
    lift_on_removal, Case, EntryStatus, JointCatalog, ListEntry, Reminder,
};
use chengxin_store::{AuditEvent, CaseFilter, CaseRow, ListEntryRow, Store};
use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

/// The region a case belongs to: its subject's (where the measures bite), else — for an
/// entry about no stored subject — the recognising department's when that is given as a USCC
/// (its division code, characters 3–8).
pub async fn case_region(
    store: &dyn Store,
    row: &ListEntryRow,
    entry: &ListEntry,
) -> AppResult<Option<String>> {
    if let Some(id) = row.subject_id {
        if let Some(r) = store.subject(id).await?.and_then(|s| s.region) {
            return Ok(Some(r));
        }
    }
    if let Some(r) = entry.recognising_region() {
        return Ok(Some(r.to_string()));
    }
    let by = entry.recognised_by.trim();
    Ok((by.len() == 18)
        .then(|| by.get(2..8))
        .flatten()
        .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
        .map(String::from))
}

pub fn row_of(
    entry_id: uuid::Uuid,
    c: &Case,
    region: Option<String>,
    version: i64,
    created: chrono::DateTime<chrono::Utc>,
) -> AppResult<CaseRow> {
    Ok(CaseRow {
        id: c.id.clone(),
        entry_id,
        department: c.department.clone(),
        region,
        step: c.step.code().to_string(),
        next_due: c.next_due,
        lifted: c.lifted_on.is_some(),
        state: serde_json::to_value(c).map_err(AppError::unavailable)?,
        created_at: created,
        updated_at: chengxin_store::changelog::now(),
        version,
    })
}

pub fn case_of(row: &CaseRow) -> AppResult<Case> {
    serde_json::from_value(row.state.clone()).map_err(AppError::unavailable)
}

/// After an entry changed: open its cases when it took effect, lift them when it left.
pub async fn follow_entry(
    store: &dyn Store,
    actor: &str,
    row: &ListEntryRow,
    today: NaiveDate,
) -> AppResult<usize> {
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let cal = &crate::calendar::in_effect(store).await?;
    let entry: ListEntry =
        serde_json::from_value(row.entry.clone()).map_err(AppError::unavailable)?;
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
                Err(e) => return Err(e.into()),
            };
            let now = chengxin_store::changelog::now();
            let region = case_region(store, row, &entry).await?;
            let rows = cases
                .iter()
                .map(|c| row_of(row.id, c, region.clone(), 1, now))
                .collect::<AppResult<Vec<_>>>()?;
            store.write_cases(actor, &rows, &[]).await?;
            Ok(rows.len())
        }
        EntryStatus::Removed => {
            let cases = existing
                .iter()
                .map(case_of)
                .collect::<AppResult<Vec<_>>>()?;
            let reason = entry
                .removal_reason
                .unwrap_or(chengxin_domain::lists::RemovalReason::Revoked);
            let (lifted, notices) = lift_on_removal(&cases, &entry_id, reason, today);
            let mut updates = Vec::new();
            for (old, new) in existing.iter().zip(lifted.iter()) {
                if old.lifted != new.lifted_on.is_some() {
                    updates.push((
                        row_of(
                            row.id,
                            new,
                            old.region.clone(),
                            old.version + 1,
                            old.created_at,
                        )?,
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
) -> AppResult<CaseRow> {
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let cal = &crate::calendar::in_effect(store).await?;
    // Another role's case is not found, as if it did not exist.
    let row = store
        .case(id)
        .await?
        .filter(|c| reach.sees(c))
        .ok_or(AppError::NotFound)?;
    if row.version != expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: expected_version,
            current: row.version,
        }
        .into());
    }
    let case = case_of(&row)?;
    let next = case.advance(today, note, joint.closed_loop(), cal)?;
    let new = row_of(
        row.entry_id,
        &next,
        row.region.clone(),
        row.version + 1,
        row.created_at,
    )?;
    store
        .write_cases(actor, &[], &[(new.clone(), row.version)])
        .await?;
    Ok(new)
}

/// Today's reminders and escalations for running cases, recorded as audit events (the
/// console shows them; departments get them as notices). A case that cannot be judged (a
/// damaged row) is recorded as `case_reminder_failed` and the others go on: one bad item
/// never stops the daily job.
pub async fn remind(store: &dyn Store, today: NaiveDate) -> AppResult<Vec<(String, Reminder)>> {
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let cal = &crate::calendar::in_effect(store).await?;
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
        let judged =
            case_of(row).and_then(|case| Ok(case.reminder(joint.closed_loop(), today, cal)?));
        let r = match judged {
            Ok(r) => r,
            Err(err) => {
                tracing::warn!(target: crate::LOG_TARGET, case = %row.id, error = %err, "closed-loop reminder skipped");
                let mut e = AuditEvent::new(
                    "system:closed-loop",
                    "case",
                    "case_reminder_failed",
                    "failed",
                );
                e.target = Some(row.id.clone());
                e.detail = serde_json::json!({"code": err.code(), "reason": err.to_string()});
                events.push(e);
                continue;
            }
        };
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
pub async fn feedback(store: &dyn Store, today: NaiveDate) -> AppResult<serde_json::Value> {
    let rows = store
        .cases(&CaseFilter {
            limit: Some(1_000_000),
            ..Default::default()
        })
        .await?;
    let cases = rows.iter().map(case_of).collect::<AppResult<Vec<_>>>()?;
    let stats = chengxin_domain::lists::feedback_rate(&cases, today);
    Ok(serde_json::json!(stats
        .iter()
        .map(|(dept, s)| serde_json::json!({
            "department": dept, "due": s.due, "reported": s.reported, "on_time": s.on_time,
            "rate": s.rate(), "on_time_rate": s.on_time_rate(),
        }))
        .collect::<Vec<_>>()))
}

/// Whose cases a caller may see and handle: by department role and by region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReach {
    /// `None` for the credit office (发起和分发): every department's. Otherwise the roles the
    /// caller's body acts in (`bodies.toml`); none if its body is not listed there.
    pub roles: Option<Vec<String>>,
    /// The caller's region. A case belongs to a region ([`case_region`]); the caller sees the
    /// cases of its region and below, and those of the regions above it (a province-wide
    /// case is worked on by every city's departments), never a sibling region's.
    pub region: chengxin_access::Region,
}

impl CaseReach {
    pub fn of(app: &crate::App, caller: &crate::auth::Caller) -> AppResult<Self> {
        let region = caller.scope.region.clone();
        if caller.has(chengxin_access::Permission::CasesManage) {
            return Ok(Self {
                roles: None,
                region,
            });
        }
        let roles = match caller.body.as_deref() {
            Some(b) => app.department_bodies()?.roles_of(b).to_vec(),
            None => Vec::new(),
        };
        Ok(Self {
            roles: Some(roles),
            region,
        })
    }

    /// Reaches nothing (the fallback when the caller's reach cannot be worked out).
    pub fn none(region: chengxin_access::Region) -> Self {
        Self {
            roles: Some(Vec::new()),
            region,
        }
    }

    /// A department whose body is in no implementing role.
    pub fn is_unmapped(&self) -> bool {
        self.roles.as_ref().is_some_and(Vec::is_empty)
    }

    pub fn covers(&self, department: &str) -> bool {
        match &self.roles {
            None => true,
            Some(r) => r.iter().any(|x| x == department),
        }
    }

    /// Whether a case lies in the caller's reach (role and region).
    pub fn sees(&self, row: &CaseRow) -> bool {
        if !self.covers(&row.department) {
            return false;
        }
        match row
            .region
            .as_deref()
            .and_then(|r| chengxin_access::Region::parse(r).ok())
        {
            Some(r) => self.region.contains(&r) || r.contains(&self.region),
            // A case whose recognising department has no readable region: national only.
            None => self.region.is_national(),
        }
    }

    /// The cases matching `filter` that this reach covers (one query per role).
    pub async fn cases(&self, store: &dyn Store, filter: &CaseFilter) -> AppResult<Vec<CaseRow>> {
        let mut out = Vec::new();
        match &self.roles {
            None => out = store.cases(filter).await?,
            Some(roles) => {
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
            }
        }
        out.retain(|c| self.sees(c));
        Ok(out)
    }
}

/// The cases a caller may see ([`CaseReach`]), optionally of one department role and only
/// running ones (`open_only`); most urgent first, finished cases (no next step) last. Asking
/// for a role outside the caller's reach is refused.
pub async fn list(
    app: &crate::App,
    caller: &crate::auth::Caller,
    department: Option<String>,
    open_only: bool,
) -> AppResult<Vec<CaseRow>> {
    let reach = CaseReach::of(app, caller)?;
    if let Some(d) = department.as_deref().filter(|d| !reach.covers(d)) {
        return Err(AppError::forbidden(
            "case_department_forbidden",
            format!("本单位不承担“{d}”角色的联合奖惩措施，不能查看其案件"),
        ));
    }
    let mut rows = reach
        .cases(
            app.store.as_ref(),
            &CaseFilter {
                department,
                open_only,
                limit: Some(10_000),
                ..Default::default()
            },
        )
        .await?;
    rows.sort_by(|a, b| {
        (a.next_due.is_none(), a.next_due, &a.id).cmp(&(b.next_due.is_none(), b.next_due, &b.id))
    });
    Ok(rows)
}

/// [`advance`] for a caller, within its reach, today.
pub async fn advance_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
    id: &str,
    note: Option<&str>,
    expected_version: i64,
) -> AppResult<CaseRow> {
    advance(
        app.store.as_ref(),
        &CaseReach::of(app, caller)?,
        &caller.actor,
        id,
        note,
        expected_version,
        app.today(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chengxin_access::Region;

    fn row(department: &str, region: Option<&str>) -> CaseRow {
        CaseRow {
            id: format!("x/{department}"),
            entry_id: uuid::Uuid::nil(),
            department: department.into(),
            region: region.map(String::from),
            step: "distributed".into(),
            next_due: None,
            lifted: false,
            state: serde_json::Value::Null,
            created_at: chengxin_store::clock::now(),
            updated_at: chengxin_store::clock::now(),
            version: 1,
        }
    }

    fn reach(roles: Option<&[&str]>, region: &str) -> CaseReach {
        CaseReach {
            roles: roles.map(|r| r.iter().map(|s| s.to_string()).collect()),
            region: Region::parse(region).unwrap(),
        }
    }

    #[test]
    fn reach_is_by_role_and_by_region_both_ways_but_never_sideways() {
        let city_office = reach(None, "320400");
        assert!(city_office.sees(&row("finance", Some("320412"))), "below");
        assert!(city_office.sees(&row("finance", Some("320000"))), "above");
        assert!(
            !city_office.sees(&row("finance", Some("320500"))),
            "a sibling city"
        );
        assert!(
            !city_office.sees(&row("finance", None)),
            "no region: national only"
        );
        assert!(reach(None, "000000").sees(&row("finance", None)));
        let county_finance = reach(Some(&["finance"]), "320412");
        assert!(county_finance.sees(&row("finance", Some("320400"))));
        assert!(!county_finance.sees(&row("finance", Some("320411"))));
        assert!(!county_finance.sees(&row("public_resources", Some("320412"))));
        assert!(reach(Some(&[]), "320400").is_unmapped());
    }
}
