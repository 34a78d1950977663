//! The closed loop (闭环): cases opened for each implementing department when a list entry
//! takes effect, distributed by the credit office of the case's region (or, where configured,
//! by the system the moment they open), signed for, applied and reported back by the department
//! they were sent to, each step against its own working-day deadline; reminded and escalated,
//! lifted when the entry leaves its list; and the feedback rate per department (body) within the
//! caller's region.

use chengxin_access::Permission;
use chengxin_domain::lists::bodies::DepartmentBodies;
use chengxin_domain::lists::{
    distribution_rate, feedback_rate, lift_on_removal, Case, CaseBody, CaseStep, DistributionStats,
    EntryStatus, FeedbackStats, JointCatalog, ListEntry, Reminder, StepParty,
};
use chengxin_store::{AuditEvent, CaseFilter, CaseRow, ListEntryRow, Store};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

/// Who a step done by the platform itself (automatic 分发) is stamped with.
pub const SYSTEM_ACTOR: &str = "system";

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

/// After an entry changed: open its cases when it took effect, lift them when it left
/// (departments as shipped in `data/measures/bodies.toml`; [`follow_entry_with`] for this
/// deployment's).
pub async fn follow_entry(
    store: &dyn Store,
    actor: &str,
    row: &ListEntryRow,
    today: NaiveDate,
) -> AppResult<usize> {
    let bodies = DepartmentBodies::default_checked().map_err(AppError::unavailable)?;
    follow_entry_with(store, bodies, actor, row, today).await
}

/// [`follow_entry`] with the deployment's departments: where the closed loop distributes
/// automatically (`auto_distribute`), each case opened is distributed at once to the nearest
/// department of its role, stamped `system` on `today` — the day it happens, never earlier.
pub async fn follow_entry_with(
    store: &dyn Store,
    bodies: &DepartmentBodies,
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
    // The measure 书面说明原因并限期整改: its rectification item, once per entry.
    crate::work::from_lists::follow_logged(store, actor, row, &entry, today).await?;
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
            let mut cases = cases;
            for c in &mut cases {
                if let Some(e) = c.events.first_mut() {
                    e.by = Some(actor.to_string());
                }
                if joint.closed_loop().auto_distribute {
                    let to = body_for(bodies, &c.department, region.as_deref());
                    *c = c.distribute(to, SYSTEM_ACTOR, today, joint.closed_loop(), cal)?;
                }
            }
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

/// The department a case of `role` in `region` goes to by default (see
/// [`DepartmentBodies::implementing_body`]).
fn body_for(bodies: &DepartmentBodies, role: &str, region: Option<&str>) -> Option<CaseBody> {
    bodies.implementing_body(role, region).map(|b| CaseBody {
        uscc: b.uscc.clone(),
        name: b.name.clone(),
    })
}

/// A case step asked for by a caller.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdvanceRequest {
    /// What was done (实施, 反馈).
    pub note: Option<String>,
    pub expected_version: i64,
    /// 分发 only: the USCC of the department to send the case to — one registered for the
    /// case's role. By default the nearest department of the role that covers the case's region.
    pub body: Option<String>,
}

/// The caller does a case's next step today: 分发 is the credit office's (of the case's region
/// or one above it), 签收, 实施 and 反馈 are the department's the case was sent to. A case out
/// of the caller's reach is not found; a step that is not the caller's is forbidden
/// (`not_your_step`); a stale `expected_version` is a conflict.
pub async fn advance_by(
    app: &crate::App,
    caller: &crate::auth::Caller,
    id: &str,
    req: &AdvanceRequest,
) -> AppResult<CaseRow> {
    let reach = CaseReach::of(app, caller)?;
    let store = app.store.as_ref();
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let cal = &crate::calendar::in_effect(store).await?;
    let row = store
        .case(id)
        .await?
        .filter(|c| reach.sees(c))
        .ok_or(AppError::NotFound)?;
    if row.version != req.expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: req.expected_version,
            current: row.version,
        }
        .into());
    }
    let case = case_of(&row)?;
    let today = app.today();
    let config = joint.closed_loop();
    let bodies = app.department_bodies()?;
    let next = if reach.is_office() {
        // The credit office acts for its own region and those below it.
        caller.require_at(
            Permission::CasesManage,
            row.region.as_deref().unwrap_or("000000"),
        )?;
        match case.step.next() {
            Some(CaseStep::Distributed) if case.lifted_on.is_none() => {
                let to = match req.body.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
                    Some(uscc) => Some(chosen_body(bodies, &case.department, uscc)?),
                    None => body_for(bodies, &case.department, row.region.as_deref()),
                };
                case.distribute(to, &caller.actor, today, config, cal)?
            }
            _ => case.take_step(
                StepParty::CreditOffice,
                &caller.actor,
                today,
                req.note.as_deref(),
                config,
                cal,
            )?,
        }
    } else {
        let mut next = case.take_step(
            StepParty::Department,
            &caller.actor,
            today,
            req.note.as_deref(),
            config,
            cal,
        )?;
        // Sent to the role (no department registered for it then): whoever signs holds it.
        if next.body.is_none() {
            if let Some(b) = caller.body.as_deref() {
                next.body = Some(CaseBody {
                    uscc: b.to_string(),
                    name: bodies
                        .body(b)
                        .map(|x| x.name.clone())
                        .unwrap_or_else(|| b.to_string()),
                });
            }
        }
        next
    };
    let new = row_of(
        row.entry_id,
        &next,
        row.region.clone(),
        row.version + 1,
        row.created_at,
    )?;
    store
        .write_cases(&caller.actor, &[], &[(new.clone(), row.version)])
        .await?;
    Ok(new)
}

/// The department the credit office named for a case of `role`: one registered for the role.
fn chosen_body(bodies: &DepartmentBodies, role: &str, uscc: &str) -> AppResult<CaseBody> {
    match bodies.body(uscc) {
        Some(b) if b.roles.iter().any(|r| r == role) => Ok(CaseBody {
            uscc: b.uscc.clone(),
            name: b.name.clone(),
        }),
        _ => Err(AppError::invalid(
            "body_not_in_role",
            format!("该单位未登记为本案件实施部门角色“{role}”的承办单位，不能分发给它"),
        )),
    }
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
    let mut notices = Vec::new();
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
        notices.push(reminder_notice(row, action, &r));
        out.push((row.id.clone(), r));
    }
    store.audit(&events).await?;
    // The same reminders through the one notification channel (inbox, webhook), once per
    // case, step, due date and kind.
    crate::notify::send(store, "system:closed-loop", &notices).await?;
    Ok(out)
}

/// A closed-loop reminder as a notice: to the body the case was sent to (if it was) and the
/// credit office of the case's region.
fn reminder_notice(row: &CaseRow, action: &str, r: &Reminder) -> crate::notify::Notice {
    use crate::notify::{Notice, To};
    let mut to = Vec::new();
    if let Some(b) = case_of(row).ok().and_then(|c| c.body) {
        to.push(To::Body(b.uscc));
    }
    let region = row.region.clone().unwrap_or_else(|| "000000".to_string());
    to.push(To::Office(region.clone()));
    let escalated = action == "case_escalated";
    let due = row.next_due.map(|d| d.to_string()).unwrap_or_default();
    let what = match r {
        Reminder::Upcoming { working_days_left } => format!("还剩 {working_days_left} 个工作日"),
        Reminder::DueToday => "今日到期".to_string(),
        Reminder::Overdue { working_days_late } => format!("已逾期 {working_days_late} 个工作日"),
        _ => "已逾期，升级督办".to_string(),
    };
    Notice {
        to,
        region,
        topic: if escalated {
            "case_escalated"
        } else {
            "case_reminder"
        },
        title: format!(
            "{}：联合奖惩案件下一步（期限 {due}）",
            if escalated {
                "逾期督办"
            } else {
                "办理提醒"
            }
        ),
        body: format!(
            "联合奖惩案件（实施部门角色 {}）下一步办理期限 {due}，{what}。",
            row.department
        ),
        link: Some(format!("/console/cases/{}", row.id)),
        once: Some(format!("case:{}:{}:{due}:{what}", row.id, row.step)),
    }
}

/// One implementing department's line of the feedback report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentLine {
    /// The department's USCC (`null`: cases sent to a role no department is registered for).
    pub uscc: Option<String>,
    /// The department's name (the role's name when there is no department).
    pub name: String,
    /// Implementing-department role codes it received cases in.
    pub roles: Vec<String>,
    /// Cases whose feedback was given or is overdue at one of its steps.
    pub due: u32,
    pub reported: u32,
    /// Reported with every step (签收, 实施, 反馈) done by its own deadline.
    pub on_time: u32,
    /// Of all its cases (running ones too), those whose 签收 was late (done late, or still to
    /// do and overdue); likewise 实施 and 反馈.
    pub signed_late: u32,
    pub applied_late: u32,
    pub reported_late: u32,
    /// 反馈率.
    pub rate: Option<f64>,
    /// 按时反馈率.
    pub on_time_rate: Option<f64>,
}

/// The credit office's own step (分发) in the report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistributionLine {
    /// Cases distributed, or overdue for distribution.
    pub due: u32,
    pub done: u32,
    pub on_time: u32,
    /// 按时分发率.
    pub on_time_rate: Option<f64>,
}

/// 反馈率 and timeliness of the closed loop within the caller's reach.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackReport {
    /// The day the figures are for.
    pub as_of: NaiveDate,
    /// The caller's region: the cases of it, of the regions below it and of those above it.
    pub region: String,
    /// Every case counted.
    pub cases: usize,
    pub distribution: DistributionLine,
    /// Per implementing department (body), by name.
    pub departments: Vec<DepartmentLine>,
}

/// The feedback report for the caller: only the cases in its reach ([`CaseReach`]: its region,
/// those below and those above it, never a sibling's), per implementing department (body).
pub async fn feedback(app: &crate::App, caller: &crate::auth::Caller) -> AppResult<FeedbackReport> {
    let reach = CaseReach::of(app, caller)?;
    let rows = reach
        .cases(
            app.store.as_ref(),
            &CaseFilter {
                limit: Some(1_000_000),
                ..Default::default()
            },
        )
        .await?;
    let cases = rows.iter().map(case_of).collect::<AppResult<Vec<_>>>()?;
    let today = app.today();
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let dist: DistributionStats = distribution_rate(&cases, today);
    let departments = feedback_rate(&cases, today)
        .into_iter()
        .map(|d| {
            let s: FeedbackStats = d.stats;
            let name = match &d.uscc {
                Some(_) => d.name.clone(),
                None => joint
                    .department(&d.name)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| d.name.clone()),
            };
            DepartmentLine {
                uscc: d.uscc,
                name,
                roles: d.roles,
                due: s.due,
                reported: s.reported,
                on_time: s.on_time,
                signed_late: s.signed_late,
                applied_late: s.applied_late,
                reported_late: s.reported_late,
                rate: s.rate(),
                on_time_rate: s.on_time_rate(),
            }
        })
        .collect();
    Ok(FeedbackReport {
        as_of: today,
        region: reach.region.as_str().to_string(),
        cases: cases.len(),
        distribution: DistributionLine {
            due: dist.due,
            done: dist.done,
            on_time: dist.on_time,
            on_time_rate: dist.on_time_rate(),
        },
        departments,
    })
}

/// Whose cases a caller may see and handle: by department role and body, and by region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReach {
    /// `None` for the credit office (发起和分发): every department's. Otherwise the roles the
    /// caller's body acts in (`bodies.toml`); none if its body is not listed there.
    pub roles: Option<Vec<String>>,
    /// The department's body (USCC): once a case is distributed to a department, only that
    /// department of the role sees it.
    pub body: Option<String>,
    /// The caller's region. A case belongs to a region ([`case_region`]); the caller sees the
    /// cases of its region and below, and those of the regions above it (a province-wide
    /// case is worked on by every city's departments), never a sibling region's.
    pub region: chengxin_access::Region,
}

/// The USCC of the department a stored case was distributed to.
fn body_of(row: &CaseRow) -> Option<&str> {
    row.state.get("body")?.get("uscc")?.as_str()
}

impl CaseReach {
    pub fn of(app: &crate::App, caller: &crate::auth::Caller) -> AppResult<Self> {
        let region = caller.scope.region.clone();
        if caller.has(Permission::CasesManage) {
            return Ok(Self {
                roles: None,
                body: None,
                region,
            });
        }
        let roles = match caller.body.as_deref() {
            Some(b) => app.department_bodies()?.roles_of(b).to_vec(),
            None => Vec::new(),
        };
        Ok(Self {
            roles: Some(roles),
            body: caller.body.clone(),
            region,
        })
    }

    /// Reaches nothing (the fallback when the caller's reach cannot be worked out).
    pub fn none(region: chengxin_access::Region) -> Self {
        Self {
            roles: Some(Vec::new()),
            body: None,
            region,
        }
    }

    /// The credit office (it distributes; it sees every department's cases).
    pub fn is_office(&self) -> bool {
        self.roles.is_none()
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

    /// Whether a case lies in the caller's reach: its region in line with the caller's, and
    /// for a department, a case of its role already distributed — to it, or to the role.
    pub fn sees(&self, row: &CaseRow) -> bool {
        if !self.covers(&row.department) {
            return false;
        }
        let in_line = match row
            .region
            .as_deref()
            .and_then(|r| chengxin_access::Region::parse(r).ok())
        {
            Some(r) => self.region.contains(&r) || r.contains(&self.region),
            // A case whose recognising department has no readable region: national only.
            None => self.region.is_national(),
        };
        if !in_line || self.is_office() {
            return in_line;
        }
        let distributed = CaseStep::parse(&row.step).is_some_and(|s| s >= CaseStep::Distributed);
        distributed
            && body_of(row).is_none_or(|b| {
                self.body
                    .as_deref()
                    .is_some_and(|mine| mine.trim().eq_ignore_ascii_case(b))
            })
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
            body: roles.map(|_| "11320400MB0000019Y".to_string()),
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

    #[test]
    fn a_department_sees_a_case_once_distributed_and_only_if_sent_to_it() {
        let finance = reach(Some(&["finance"]), "320400");
        let mut waiting = row("finance", Some("320412"));
        waiting.step = "initiated".into();
        assert!(!finance.sees(&waiting), "not distributed yet");
        assert!(
            reach(None, "320400").sees(&waiting),
            "the credit office distributes it"
        );
        let mut sent = row("finance", Some("320412"));
        sent.state =
            serde_json::json!({"body": {"uscc": "11320400MB0000019Y", "name": "常州市财政局"}});
        assert!(finance.sees(&sent));
        sent.state["body"]["uscc"] = "11320412MB0000000E".into();
        assert!(
            !finance.sees(&sent),
            "sent to another department of the role"
        );
        assert!(
            finance.sees(&row("finance", Some("320412"))),
            "sent to the role"
        );
    }
}
