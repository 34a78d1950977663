//! Credit rights (信用权益保护): filing objections and repair applications, each step of their
//! workflows, tolerance (容错) and mitigation (从轻/免于惩戒) decisions, and the public
//! tracking view. The rules are the domain's (`chengxin_domain::rights`); here they meet the
//! store: each step is written with its effect on the record or list entry in one
//! transaction, and a stale version is a 409 conflict.

use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::catalog::Severity;
use chengxin_domain::lists::{EntryAction, EntryStatus, JointCatalog, ListEntry, RemovalReason};
use chengxin_domain::records::{Record, RecordAction, RecordStatus};
use chengxin_domain::rights::{
    self, AppAction, AppKind, Application, Effect, MitigationGround, MitigationKind, RightsRules,
    StepContext, Target, TargetFacts,
};
use chengxin_store::{
    ApplicationFilter, ApplicationRow, CaseFilter, EvidenceFile, ListEntryRow, RecordChange, Store,
    TargetChange,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::App;

pub fn rules() -> AppResult<&'static RightsRules> {
    RightsRules::default_checked().map_err(AppError::unavailable)
}

fn calendar() -> AppResult<&'static WorkCalendar> {
    WorkCalendar::official_checked().map_err(AppError::unavailable)
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// A fresh access code (shown to the applicant once) and its stored hash.
fn access_code() -> (String, String) {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let code: String = random::<12>()
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    let hash = access_hash(&code);
    (code, hash)
}

pub fn access_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().to_ascii_uppercase().as_bytes()))
}

/// Whether `code` opens the application (constant-time comparison of the hashes).
pub fn access_ok(row: &ApplicationRow, code: Option<&str>) -> bool {
    match (&row.access_hash, code) {
        (Some(h), Some(c)) => {
            let given = access_hash(c);
            h.len() == given.len()
                && h.bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }
        _ => false,
    }
}

/// The application a stored row holds (the conversion is the check engine's, which reads
/// mitigation decisions from the same rows).
pub fn app_of(row: &ApplicationRow) -> AppResult<Application> {
    chengxin_checks::app_of(row).map_err(AppError::unavailable)
}

pub fn row_of(
    app: &Application,
    access_hash: Option<String>,
    version: i64,
    created_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<ApplicationRow> {
    Ok(ApplicationRow {
        id: app.id,
        tracking_no: app.tracking_no.clone(),
        kind: app.kind.code().into(),
        target_kind: app.target.kind().into(),
        target_id: app.target.id().to_string(),
        subject_id: app.subject_id,
        department: app.department.clone(),
        state: app.state.code().into(),
        due: app.due,
        body: serde_json::to_value(app).map_err(AppError::unavailable)?,
        access_hash,
        created_at,
        updated_at: chengxin_store::changelog::now(),
        version,
    })
}

fn severity_of(r: &Record) -> Option<Severity> {
    r.severity.as_deref().and_then(Severity::parse)
}

/// The target as it stands: what it is about, whose data it is, and the facts repair rules
/// look at.
pub struct Loaded {
    pub target: Target,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    pub department: String,
    pub facts: TargetFacts,
    pub public: bool,
    pub record: Option<Record>,
    pub entry: Option<(ListEntryRow, ListEntry)>,
}

pub async fn load_target(store: &dyn Store, target: Target) -> AppResult<Loaded> {
    match target {
        // A complaint: handled by the credit office, about no particular record.
        Target::General => Ok(Loaded {
            target,
            subject_id: None,
            subject_name: String::new(),
            department: COMPLAINTS_DESK.into(),
            facts: TargetFacts {
                decision_date: chrono::NaiveDate::MIN,
                severity: None,
                status: None,
                active: false,
                list_min_months: None,
            },
            public: true,
            record: None,
            entry: None,
        }),
        Target::Record(id) => {
            let r = store.record(id).await?.ok_or(AppError::NotFound)?;
            let public = super::records::is_public(&r);
            Ok(Loaded {
                target,
                subject_id: r.subject_id,
                subject_name: r.subject_name.clone(),
                department: r.source_dept.clone(),
                facts: TargetFacts {
                    decision_date: r.decision_date,
                    severity: if r.tolerated { None } else { severity_of(&r) },
                    status: Some(r.status),
                    active: true,
                    list_min_months: None,
                },
                public,
                record: Some(r),
                entry: None,
            })
        }
        Target::ListEntry(id) => {
            let row = store.list_entry(id).await?.ok_or(AppError::NotFound)?;
            let entry: ListEntry =
                serde_json::from_value(row.entry.clone()).map_err(AppError::unavailable)?;
            let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
            let list = joint.list(&entry.list).ok_or(AppError::NotFound)?;
            let active = matches!(
                entry.status,
                EntryStatus::Publicity | EntryStatus::Effective
            );
            let public = active && list.disclosure == chengxin_domain::catalog::Disclosure::Public;
            // A 严重失信主体名单 entry is repaired like 严重 information, counted from the day it
            // took effect; the recognising body decides (谁认定、谁修复).
            let decided = entry.effective_from.unwrap_or(entry.proposed_on);
            Ok(Loaded {
                target,
                subject_id: row.subject_id,
                subject_name: entry.subject_name.clone(),
                department: entry.recognised_by.clone(),
                facts: TargetFacts {
                    decision_date: decided,
                    severity: Some(Severity::Severe),
                    status: None,
                    active,
                    list_min_months: None,
                },
                public,
                record: None,
                entry: Some((row, entry)),
            })
        }
    }
}

/// The `department` of complaints: the credit office's own desk (not a USCC).
pub const COMPLAINTS_DESK: &str = "credit_office";

/// The latest bar from a repair of this subject revoked for false materials.
async fn barred_until(
    store: &dyn Store,
    subject_id: Option<Uuid>,
) -> AppResult<Option<chrono::NaiveDate>> {
    let Some(s) = subject_id else {
        return Ok(None);
    };
    let rows = store
        .applications(&ApplicationFilter {
            kind: Some("repair".into()),
            state: Some("revoked".into()),
            subject_id: Some(s),
            ..Default::default()
        })
        .await?;
    let mut bar = None;
    for r in &rows {
        bar = bar.max(app_of(r)?.bars_until);
    }
    Ok(bar)
}

pub struct Filing {
    pub kind: AppKind,
    pub target: Target,
    pub reasons: String,
    pub applicant_name: String,
    pub contact: Option<String>,
    pub commitment: bool,
    pub is_subject: bool,
    pub account: Option<String>,
}

/// File an objection or repair application. Returns the stored row and the one-time access
/// code.
pub async fn file(
    app: &App,
    actor: &str,
    loaded: &Loaded,
    f: Filing,
) -> AppResult<(ApplicationRow, String)> {
    let name = f.applicant_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "applicant_name_required",
            "须填写申请人名称（不超过 100 字）",
        ));
    }
    if f.reasons.chars().count() > 5000 {
        return Err(AppError::invalid(
            "reasons_too_long",
            "理由不得超过 5000 字",
        ));
    }
    let contact_sealed = match f.contact.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => {
            if c.chars().count() > 100 {
                return Err(AppError::invalid(
                    "contact_too_long",
                    "联系方式不得超过 100 字",
                ));
            }
            Some(
                app.pii
                    .seal_bound(c, "application_contact")
                    .map_err(AppError::unavailable)?,
            )
        }
        _ => None,
    };
    let today = app.today();
    let now = chengxin_store::changelog::now();
    let ctx = StepContext {
        rules: app.rights_rules()?,
        calendar: calendar()?,
        today,
        now,
        actor,
        facts: Some(&loaded.facts),
    };
    let barred = if f.kind == AppKind::Repair {
        barred_until(app.store.as_ref(), loaded.subject_id).await?
    } else {
        None
    };
    let application = rights::file(
        rights::NewApplication {
            kind: f.kind,
            target: loaded.target,
            subject_id: loaded.subject_id,
            subject_name: loaded.subject_name.clone(),
            department: loaded.department.clone(),
            applicant: rights::Applicant {
                name: name.to_string(),
                is_subject: f.is_subject,
                account: f.account,
                contact_sealed,
            },
            reasons: f.reasons,
            commitment: f.commitment,
            tracking_no: rights::tracking_no(f.kind, today, random::<8>()),
            facts: &loaded.facts,
            barred_until: barred,
        },
        &ctx,
    )
    .map_err(AppError::from)?;
    let (code, hash) = access_code();
    let row = row_of(&application, Some(hash), 1, now)?;
    app.store
        .write_application(actor, &row, None, TargetChange::None)
        .await?;
    Ok((row, code))
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

/// Take one step on an application (the caller's right to take it is checked by the route).
/// Returns the new row.
pub async fn act(
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
    let loaded = load_target(app.store.as_ref(), application.target).await?;
    if let AppAction::Share { recipients } = &mut action {
        *recipients = share_recipients(app.store.as_ref(), &application).await?;
    }
    let today = app.today();
    let ctx = StepContext {
        rules: app.rights_rules()?,
        calendar: calendar()?,
        today,
        now: chengxin_store::changelog::now(),
        actor,
        facts: Some(&loaded.facts),
    };
    let effect = application.apply(&action, &ctx).map_err(AppError::from)?;
    let note = format!("{}（{}）", action.label(), application.tracking_no);
    let change = effect_change(&loaded, effect, note, today)?;
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
        super::cases::follow_entry(app.store.as_ref(), actor, &e, today).await?;
    }
    // The check engine sees the outcome at once.
    app.checks.catch_up(app.store.as_ref()).await?;
    Ok(new)
}

fn record_change(
    r: &Record,
    action: RecordAction,
    note: String,
    fields: Option<serde_json::Map<String, serde_json::Value>>,
    status_override: Option<RecordStatus>,
) -> AppResult<TargetChange> {
    let status = action.apply(r.status, true, r.tolerated, Some(&note))?;
    Ok(TargetChange::Record(RecordChange {
        id: r.id,
        expected_version: r.version,
        action: action.as_str().into(),
        status: Some(status_override.unwrap_or(status)),
        fields,
        tolerated: None,
        publish_until: None,
        note: Some(note),
        content_digest: None,
    }))
}

fn effect_change(
    loaded: &Loaded,
    effect: Effect,
    note: String,
    today: chrono::NaiveDate,
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
            calendar()?,
        )?;
        let subject = row.subject_id.ok_or(AppError::NotFound)?;
        let new = super::lists::entry_row(row.id, subject, &next, row.version + 1, row.created_at)?;
        Ok(TargetChange::ListEntry(Box::new(new), row.version))
    };
    match effect {
        Effect::None => Ok(TargetChange::None),
        Effect::CorrectRecord(fields) => {
            record_change(record()?, RecordAction::Correct, note, Some(fields), None)
        }
        Effect::RevokeRecord => record_change(record()?, RecordAction::Revoke, note, None, None),
        Effect::RepairRecord => record_change(record()?, RecordAction::Repair, note, None, None),
        Effect::UnrepairRecord => {
            let r = record()?;
            // Published again while its period lasts; expired when it is over.
            let status = match r.publish_until {
                Some(until) if until < today => RecordStatus::Expired,
                _ => RecordStatus::Published,
            };
            record_change(r, RecordAction::RevokeRepair, note, None, Some(status))
        }
        Effect::RemoveEntryUpheld => entry_removed(RemovalReason::ObjectionUpheld),
        Effect::RemoveEntryRepaired => entry_removed(RemovalReason::Repaired),
    }
}

/// Attach an evidence file to an application that is still open.
pub async fn add_evidence(
    app: &App,
    actor: &str,
    row: &ApplicationRow,
    name: &str,
    material: Option<&str>,
    bytes: &[u8],
) -> AppResult<ApplicationRow> {
    let mut application = app_of(row)?;
    if application.state.is_final()
        || application.state != rights::AppState::Submitted
            && application.state != rights::AppState::Accepted
    {
        return Err(AppError::invalid(
            "application_closed",
            format!(
                "申请当前状态为“{}”，不能再补充材料",
                application.state.label()
            ),
        ));
    }
    let rules = app.rights_rules()?;
    let kind = rights::check_evidence(&rules.evidence, name, bytes, application.evidence.len())
        .map_err(AppError::from)?;
    if let Some(m) = material {
        let known = application.kind == AppKind::Repair
            && application
                .repair_rules(rules)
                .map_err(AppError::from)?
                .material(m)
                .is_some();
        if !known {
            return Err(rights::RightsError::UnknownMaterial(m.into()).into());
        }
    }
    let now = chengxin_store::changelog::now();
    let sha256 = hex::encode(Sha256::digest(bytes));
    let file = EvidenceFile {
        id: Uuid::now_v7(),
        application_id: application.id,
        name: name.to_string(),
        kind: serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: sha256.clone(),
        material: material.map(String::from),
        content: bytes.to_vec(),
        created_at: now,
    };
    application.evidence.push(rights::EvidenceRef {
        id: file.id,
        name: file.name.clone(),
        kind,
        size: bytes.len() as u64,
        sha256,
        material: file.material.clone(),
        at: now,
    });
    let new = row_of(
        &application,
        row.access_hash.clone(),
        row.version + 1,
        row.created_at,
    )?;
    app.store
        .add_evidence(actor, &new, row.version, &file)
        .await?;
    Ok(new)
}

pub struct DecisionInput {
    pub basis: String,
    pub approver: String,
    pub reasons: String,
    pub mitigation: Option<MitigationKind>,
    pub grounds: Vec<MitigationGround>,
}

/// Record a 容错纠错 decision on a record: kept, no longer counted as 失信.
pub async fn tolerate(
    app: &App,
    actor: &str,
    record: &Record,
    expected_version: i64,
    input: DecisionInput,
) -> AppResult<ApplicationRow> {
    if record.version != expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: expected_version,
            current: record.version,
        }
        .into());
    }
    let today = app.today();
    let ctx = StepContext {
        rules: app.rights_rules()?,
        calendar: calendar()?,
        today,
        now: chengxin_store::changelog::now(),
        actor,
        facts: None,
    };
    let decision = rights::decide(
        rights::NewDecision {
            kind: AppKind::Tolerance,
            target: Target::Record(record.id),
            subject_id: record.subject_id,
            subject_name: record.subject_name.clone(),
            department: record.source_dept.clone(),
            basis: input.basis,
            approver: input.approver,
            reasons: input.reasons,
            tracking_no: rights::tracking_no(AppKind::Tolerance, today, random::<8>()),
            mitigation: None,
            grounds: Vec::new(),
        },
        &ctx,
    )
    .map_err(AppError::from)?;
    let note = decision
        .steps
        .last()
        .and_then(|s| s.note.clone())
        .unwrap_or_default();
    RecordAction::Tolerate.apply(
        record.status,
        super::records::is_negative(&record.type_code),
        record.tolerated,
        Some(&note),
    )?;
    let change = TargetChange::Record(RecordChange {
        id: record.id,
        expected_version: record.version,
        action: RecordAction::Tolerate.as_str().into(),
        status: None,
        fields: None,
        tolerated: Some(true),
        publish_until: None,
        note: Some(note),
        content_digest: None,
    });
    let row = row_of(&decision, None, 1, ctx.now)?;
    app.store
        .write_application(actor, &row, None, change)
        .await?;
    app.checks.catch_up(app.store.as_ref()).await?;
    Ok(row)
}

/// Record a 从轻/免于惩戒 decision on a list entry. Waiving lifts the entry's running
/// closed-loop cases (the departments are told); mitigating is recorded and told to them.
pub async fn mitigate(
    app: &App,
    actor: &str,
    entry_row: &ListEntryRow,
    input: DecisionInput,
) -> AppResult<ApplicationRow> {
    let loaded = load_target(app.store.as_ref(), Target::ListEntry(entry_row.id)).await?;
    let today = app.today();
    let ctx = StepContext {
        rules: app.rights_rules()?,
        calendar: calendar()?,
        today,
        now: chengxin_store::changelog::now(),
        actor,
        facts: None,
    };
    let kind = input.mitigation;
    let decision = rights::decide(
        rights::NewDecision {
            kind: AppKind::Mitigation,
            target: loaded.target,
            subject_id: loaded.subject_id,
            subject_name: loaded.subject_name.clone(),
            department: loaded.department.clone(),
            basis: input.basis,
            approver: input.approver,
            reasons: input.reasons,
            tracking_no: rights::tracking_no(AppKind::Mitigation, today, random::<8>()),
            mitigation: kind,
            grounds: input.grounds,
        },
        &ctx,
    )
    .map_err(AppError::from)?;
    let row = row_of(&decision, None, 1, ctx.now)?;
    app.store
        .write_application(actor, &row, None, TargetChange::None)
        .await?;
    let cases = app
        .store
        .cases(&CaseFilter {
            entry_id: Some(entry_row.id),
            ..Default::default()
        })
        .await?;
    let mut updates = Vec::new();
    let mut events = Vec::new();
    for c in cases.iter().filter(|c| !c.lifted) {
        let label = kind.map(MitigationKind::label).unwrap_or("从轻惩戒");
        let mut ev = chengxin_store::AuditEvent::new(actor, "case", "measures_mitigated", "ok");
        ev.target = Some(c.id.clone());
        ev.detail = serde_json::json!({
            "department": c.department,
            "decision": decision.tracking_no,
            "message": format!("{label}（{}）：{}", decision.tracking_no, decision.reasons),
        });
        events.push(ev);
        if kind == Some(MitigationKind::Waive) {
            let mut case = super::cases::case_of(c)?;
            case.lifted_on = Some(today);
            case.next_due = None;
            updates.push((
                super::cases::row_of(
                    entry_row.id,
                    &case,
                    c.region.clone(),
                    c.version + 1,
                    c.created_at,
                )?,
                c.version,
            ));
        }
    }
    app.store.write_cases(actor, &[], &updates).await?;
    app.store.audit(&events).await?;
    // Checks see the decision at once (the verdict of a waived entry changes).
    app.checks.catch_up(app.store.as_ref()).await?;
    Ok(row)
}

/// Open objections per target id (for the 异议处理中 marking).
pub async fn objection_pending(store: &dyn Store, target_id: Uuid) -> AppResult<bool> {
    let rows = store
        .applications(&ApplicationFilter {
            kind: Some("objection".into()),
            target_id: Some(target_id.to_string()),
            ..Default::default()
        })
        .await?;
    for r in &rows {
        if app_of(r)?.objection_pending() {
            return Ok(true);
        }
    }
    Ok(false)
}
