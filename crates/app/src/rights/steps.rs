//! The steps of an application: who may take which (the credit office accepts, refuses,
//! answers, shares and revokes; the department whose data it is checks objections and decides
//! repairs — 谁认定、谁修复), and each step written with its effect on the record or list entry
//! in one transaction.

use chengxin_access::Permission;
use chengxin_domain::lists::{EntryAction, JointCatalog, RemovalReason};
use chengxin_domain::records::{Record, RecordAction, RecordStatus};
use chengxin_domain::rights::{
    AppAction, Application, Effect, Finding, Party, RejectGround, StepContext, Target,
};
use chengxin_store::{ApplicationRow, CaseFilter, RecordChange, Store, TargetChange};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::queue::{application, complaint_region, is_office};
use super::target::{load_target, Loaded};
use super::{app_of, row_of};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;
use chengxin_domain::calendar::WorkCalendar;

#[derive(Debug, Deserialize, ToSchema)]
pub struct StepRequest {
    /// accept, refuse, check, answer, approve, reject, share, revoke_repair; assign (a
    /// complaint, to the department named in `department`)
    pub action: String,
    pub expected_version: i64,
    /// Reasons (required for every decision).
    pub reasons: Option<String>,
    /// check: correct, revoke, keep
    pub finding: Option<String>,
    /// check with `correct`: the fields to correct, by English field name, with their new
    /// values (`null` clears an optional field); fields not named stay as they are, and the
    /// corrected record must pass its catalog type's rules — as for a record's own correction
    /// (`correction_invalid`, `correction_identity_field`, …).
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// reject: period_not_reached, obligations_unmet, false_materials, not_repairable, other
    pub grounds: Option<Vec<String>>,
    /// assign: the 统一社会信用代码 of a department registered in `bodies.toml`, in line with
    /// the caller's region (its own, below or above — never a sibling's).
    #[serde(default)]
    pub department: Option<String>,
}

fn parse_step(req: StepRequest) -> AppResult<AppAction> {
    let reasons = req.reasons.unwrap_or_default();
    Ok(match req.action.as_str() {
        "accept" => AppAction::Accept,
        "refuse" => AppAction::Refuse { reasons },
        "check" => AppAction::Check {
            finding: match req.finding.as_deref() {
                Some("correct") => Finding::Correct,
                Some("revoke") => Finding::Revoke,
                Some("keep") => Finding::Keep,
                _ => {
                    return Err(AppError::invalid(
                        "finding_required",
                        "核查须给出结论（correct 更正、revoke 撤销、keep 维持）",
                    ))
                }
            },
            reasons,
            fields: req.fields,
        },
        "answer" => AppAction::Answer { reasons },
        "assign" => AppAction::Assign {
            department: req
                .department
                .map(|d| d.trim().to_ascii_uppercase())
                .filter(|d| !d.is_empty())
                .ok_or_else(|| AppError::invalid("department_required", "转办须选择承办部门"))?,
            department_name: String::new(),
            reasons,
        },
        "approve" => AppAction::Approve { reasons },
        "reject" => AppAction::Reject {
            grounds: req
                .grounds
                .unwrap_or_default()
                .iter()
                .map(|g| {
                    serde_json::from_value::<RejectGround>(serde_json::Value::String(g.clone()))
                        .map_err(|_| {
                            AppError::invalid("invalid_ground", format!("未知的理由类别“{g}”"))
                        })
                })
                .collect::<AppResult<Vec<_>>>()?,
            reasons,
        },
        "share" => AppAction::Share {
            recipients: Vec::new(),
        },
        "revoke_repair" => AppAction::RevokeRepair { reasons },
        other => {
            return Err(AppError::invalid(
                "unknown_action",
                format!("未知的操作“{other}”"),
            ))
        }
    })
}

/// The caller takes the next step on an application it may see. A step that is not the
/// caller's is forbidden; a stale `expected_version` is a conflict.
pub async fn act(
    app: &App,
    caller: &Caller,
    id: Uuid,
    req: StepRequest,
) -> AppResult<ApplicationRow> {
    let row = application(app, caller, id).await?;
    let expected = req.expected_version;
    let mut action = parse_step(req)?;
    // 转办: only to a registered department in line with the caller's region.
    if let AppAction::Assign {
        department,
        department_name,
        ..
    } = &mut action
    {
        let body = app.department_bodies()?.body(department).filter(|_| {
            caller.reaches_in_line(
                Permission::ComplaintsHandle,
                &crate::auth::uscc_region(department),
                None,
            )
        });
        match body {
            Some(b) => *department_name = b.name.clone(),
            None => {
                return Err(AppError::invalid(
                    "department_unknown",
                    "该单位未登记为本辖区（或上级）的部门，不能转办",
                ))
            }
        }
    }
    let current = app_of(&row)?;
    let office = if row.kind == "complaint" {
        // Answered where the body complained about is (or above): a credit office below it
        // reads it but does not answer for its superior.
        caller.reaches(Permission::ComplaintsHandle, complaint_region(&row))
    } else {
        is_office(app.store.as_ref(), caller, &row).await?
    };
    let allowed = match action.party(&current) {
        Party::CreditOffice => office,
        Party::Department(d) => {
            office
                || caller
                    .body
                    .as_deref()
                    .is_some_and(|b| b.eq_ignore_ascii_case(&d))
                    && (caller.has(Permission::RecordsCorrect)
                        || caller.has(Permission::ListsManage))
        }
        Party::Applicant => false,
    };
    if !allowed {
        return Err(AppError::forbidden(
            "not_your_step",
            format!("“{}”不由您办理", action.label()),
        ));
    }
    apply_step(app, &caller.actor, &row, expected, action).await
}

/// The correction form of an objection's `check` step: the target record's fields with their
/// current values (`None` when the objection is not about a record). The caller must see the
/// application; reading a record that is not public is query-logged with the objection as its
/// purpose.
pub async fn check_form(
    app: &App,
    caller: &Caller,
    id: Uuid,
) -> AppResult<Option<crate::records::CorrectionForm>> {
    let row = application(app, caller, id).await?;
    let Target::Record(record_id) = app_of(&row)?.target else {
        return Ok(None);
    };
    let Some(record) = app.store.record(record_id).await? else {
        return Ok(None);
    };
    if !crate::records::is_public(&record) {
        let mut e = caller.audit("query", "record_read", "ok");
        e.target = Some(record_id.to_string());
        e.detail = serde_json::json!({
            "purpose": format!("异议核查（{}）", row.tracking_no),
            "subject": record.subject_id,
            "returned": 1,
        });
        app.store.audit(&[e]).await?;
    }
    crate::records::correction_form(&record).map(Some)
}

/// Who receives a repair result: the source or recognising department, every department with
/// a closed-loop case on the subject's list entries, and the national sharing platform.
async fn share_recipients(store: &dyn Store, a: &Application) -> AppResult<Vec<String>> {
    let mut out = vec![a.department.clone()];
    if let Some(s) = a.subject_id {
        let entries = store
            .list_entries(&chengxin_store::ListEntryFilter {
                subject_id: Some(s),
                limit: Some(1000),
                ..Default::default()
            })
            .await?;
        for e in entries {
            for c in store
                .cases(&CaseFilter {
                    entry_id: Some(e.id),
                    ..Default::default()
                })
                .await?
            {
                out.push(c.department);
            }
        }
    }
    out.push("全国信用信息共享平台".into());
    out.sort();
    out.dedup();
    Ok(out)
}

/// Take one step on an application (the caller's right to take it is checked by [`act`] or,
/// for a withdrawal, by the access code). Returns the new row.
pub async fn apply_step(
    app: &App,
    actor: &str,
    row: &ApplicationRow,
    expected_version: i64,
    mut action: AppAction,
) -> AppResult<ApplicationRow> {
    if row.version != expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: expected_version,
            current: row.version,
        }
        .into());
    }
    let mut application = app_of(row)?;
    // ID numbers typed into the step's reasons are stored masked (in the step, the decision and
    // the notices alike), the text as given sealed into the application.
    let mut clear = chengxin_domain::records::free_text::ClearTexts::default();
    if let Some(reasons) = action.reasons_mut() {
        let path = format!("steps.{}.reasons", application.steps.len() + 1);
        *reasons = clear.mask(&path, reasons);
    }
    let loaded = load_target(app.store.as_ref(), application.target).await?;
    if let AppAction::Share { recipients } = &mut action {
        *recipients = share_recipients(app.store.as_ref(), &application).await?;
    }
    let today = app.today();
    let calendar = crate::calendar::in_effect(app.store.as_ref()).await?;
    let ctx = StepContext {
        rules: app.rights_rules()?,
        calendar: &calendar,
        today,
        now: chengxin_store::changelog::now(),
        actor,
        facts: Some(&loaded.facts),
    };
    let effect = application.apply(&action, &ctx).map_err(AppError::from)?;
    crate::free_text::keep_application_texts(&app.pii, &mut application, &clear)?;
    if let (Effect::CorrectRecord(fields), Some(record)) = (&effect, &loaded.record) {
        crate::authority::check_correction(
            app.store.as_ref(),
            app.delegations()?.as_ref(),
            record,
            fields,
        )
        .await?;
    }
    let note = format!("{}（{}）", action.label(), application.tracking_no);
    // A correction keeps the record's free texts as given sealed: what is kept already, opened.
    let kept = match (&effect, &loaded.record) {
        (Effect::CorrectRecord(_), Some(r)) => {
            Some(crate::free_text::kept(app.store.as_ref(), &app.pii, r).await?)
        }
        _ => None,
    };
    let change = effect_change(&loaded, effect, note, today, &calendar, kept)?;
    let entry_changed = match &change {
        TargetChange::ListEntry(e, _) => Some((**e).clone()),
        _ => None,
    };
    let new = row_of(
        &application,
        row.access_hash.clone(),
        row.version + 1,
        row.created_at,
    )?;
    app.store
        .write_application(actor, &new, Some(row.version), change)
        .await?;
    if let Some(e) = entry_changed {
        // Leaving the list lifts the measures of the closed loop.
        crate::cases::follow_entry_with(
            app.store.as_ref(),
            app.department_bodies()?,
            actor,
            &e,
            today,
        )
        .await?;
    }
    // The check engine sees the outcome at once.
    app.checks.catch_up(app.store.as_ref()).await?;
    Ok(new)
}

fn record_change(
    r: &Record,
    action: RecordAction,
    note: String,
    status_override: Option<RecordStatus>,
) -> AppResult<TargetChange> {
    let status = action.apply(r.status, true, r.tolerated, Some(&note))?;
    Ok(TargetChange::Record(RecordChange {
        id: r.id,
        expected_version: r.version,
        action: action.as_str().into(),
        status: Some(status_override.unwrap_or(status)),
        note: Some(note),
        ..Default::default()
    }))
}

fn effect_change(
    loaded: &Loaded,
    effect: Effect,
    note: String,
    today: chrono::NaiveDate,
    calendar: &WorkCalendar,
    kept: Option<crate::free_text::KeptTexts<'_>>,
) -> AppResult<TargetChange> {
    let record = || loaded.record.as_ref().ok_or(AppError::NotFound);
    let entry_removed = |reason: RemovalReason| -> AppResult<TargetChange> {
        let (row, entry) = loaded.entry.as_ref().ok_or(AppError::NotFound)?;
        let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
        let list = joint.list(&entry.list).ok_or(AppError::NotFound)?;
        let next = entry.apply(
            list,
            EntryAction::Remove { reason },
            today,
            Some(&note),
            calendar,
        )?;
        let subject = row.subject_id.ok_or(AppError::NotFound)?;
        let new = crate::lists::entry_row(row.id, subject, &next, row.version + 1, row.created_at)?;
        Ok(TargetChange::ListEntry(Box::new(new), row.version))
    };
    match effect {
        Effect::None => Ok(TargetChange::None),
        // The fields named only, checked like an import row; the history keeps each change.
        Effect::CorrectRecord(patch) => {
            Ok(TargetChange::Record(crate::records::correction_change(
                record()?,
                &patch,
                Some(note),
                today,
                kept.ok_or(AppError::NotFound)?,
            )?))
        }
        Effect::RevokeRecord => record_change(record()?, RecordAction::Revoke, note, None),
        Effect::RepairRecord => record_change(record()?, RecordAction::Repair, note, None),
        Effect::UnrepairRecord => {
            let r = record()?;
            // Published again while its period lasts; expired when it is over.
            let status = match r.publish_until {
                Some(until) if until < today => RecordStatus::Expired,
                _ => RecordStatus::Published,
            };
            record_change(r, RecordAction::RevokeRepair, note, Some(status))
        }
        Effect::RemoveEntryUpheld => entry_removed(RemovalReason::ObjectionUpheld),
        Effect::RemoveEntryRepaired => entry_removed(RemovalReason::Repaired),
    }
}
