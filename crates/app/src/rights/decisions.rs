//! Decisions taken without an application: tolerance (容错纠错) of a record, and mitigation
//! (从轻) or waiver (免于惩戒) of a list entry's measures.

use chengxin_access::Permission;
use chengxin_domain::records::{Record, RecordAction};
use chengxin_domain::rights::{
    self, AppKind, MitigationGround, MitigationKind, StepContext, Target,
};
use chengxin_store::{ApplicationRow, CaseFilter, ListEntryRow, RecordChange, TargetChange};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::target::load_target;
use super::{random, row_of};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

pub struct DecisionInput {
    pub basis: String,
    pub approver: String,
    pub reasons: String,
    pub mitigation: Option<MitigationKind>,
    pub grounds: Vec<MitigationGround>,
}

impl DecisionInput {
    /// The typed texts as stored: ID numbers masked; the texts as given returned, to be
    /// sealed into the decision (`crate::free_text`).
    fn mask(&mut self) -> chengxin_domain::records::free_text::ClearTexts {
        let mut clear = chengxin_domain::records::free_text::ClearTexts::default();
        self.basis = clear.mask("basis", &self.basis);
        self.approver = clear.mask("approver", &self.approver);
        self.reasons = clear.mask("reasons", &self.reasons);
        clear
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ToleranceRequest {
    /// 认定依据 (the rule or decision it rests on).
    pub basis: String,
    /// 批准人.
    pub approver: String,
    pub reasons: String,
    pub expected_version: i64,
}

/// The caller recognises a record's lapse as tolerable error: it needs the right to change
/// records within the source department's or the deciding authority's region.
pub async fn tolerance(
    app: &App,
    caller: &Caller,
    record_id: Uuid,
    req: ToleranceRequest,
) -> AppResult<ApplicationRow> {
    let record = app
        .store
        .record(record_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller
        .require_at_any(
            Permission::RecordsTransition,
            &crate::authority::record_regions(&record),
        )
        .map_err(AppError::concealing_item)?;
    tolerate(
        app,
        &caller.actor,
        &record,
        req.expected_version,
        DecisionInput {
            basis: req.basis,
            approver: req.approver,
            reasons: req.reasons,
            mitigation: None,
            grounds: Vec::new(),
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MitigationRequest {
    /// `mitigate` (从轻) or `waive` (免于惩戒).
    pub kind: String,
    /// recovered_losses, eliminated_impact, prevented_harm
    pub grounds: Vec<String>,
    pub basis: String,
    pub approver: String,
    pub reasons: String,
}

/// The caller decides 从轻 or 免于惩戒 for a list entry: it needs the right to manage lists
/// within the subject's region.
pub async fn mitigation(
    app: &App,
    caller: &Caller,
    entry_id: Uuid,
    req: MitigationRequest,
) -> AppResult<ApplicationRow> {
    let entry = app
        .store
        .list_entry(entry_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let region = match entry.subject_id {
        Some(s) => app
            .store
            .subject(s)
            .await?
            .and_then(|s| s.region)
            .unwrap_or_else(|| "000000".into()),
        None => "000000".into(),
    };
    caller
        .require_at(Permission::ListsManage, &region)
        .map_err(AppError::concealing_item)?;
    let kind = match req.kind.as_str() {
        "mitigate" => MitigationKind::Mitigate,
        "waive" => MitigationKind::Waive,
        other => {
            return Err(AppError::invalid(
                "invalid_mitigation_kind",
                format!("“{other}”无效（mitigate 从轻、waive 免于惩戒）"),
            ))
        }
    };
    let grounds = req
        .grounds
        .iter()
        .map(|g| {
            serde_json::from_value::<MitigationGround>(serde_json::Value::String(g.clone()))
                .map_err(|_| AppError::invalid("invalid_ground", format!("未知的情形“{g}”")))
        })
        .collect::<AppResult<Vec<_>>>()?;
    mitigate(
        app,
        &caller.actor,
        &entry,
        DecisionInput {
            basis: req.basis,
            approver: req.approver,
            reasons: req.reasons,
            mitigation: Some(kind),
            grounds,
        },
    )
    .await
}

/// Record a 容错纠错 decision on a record: kept, no longer counted as 失信.
pub async fn tolerate(
    app: &App,
    actor: &str,
    record: &Record,
    expected_version: i64,
    mut input: DecisionInput,
) -> AppResult<ApplicationRow> {
    let clear = input.mask();
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
        calendar: &crate::calendar::in_effect(app.store.as_ref()).await?,
        today,
        now: chengxin_store::changelog::now(),
        actor,
        facts: None,
    };
    let mut decision = rights::decide(
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
    crate::free_text::keep_application_texts(&app.pii, &mut decision, &clear)?;
    let note = decision
        .steps
        .last()
        .and_then(|s| s.note.clone())
        .unwrap_or_default();
    RecordAction::Tolerate.apply(
        record.status,
        crate::records::is_negative(&record.type_code),
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
        ..Default::default()
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
    mut input: DecisionInput,
) -> AppResult<ApplicationRow> {
    let clear = input.mask();
    let loaded = load_target(app.store.as_ref(), Target::ListEntry(entry_row.id)).await?;
    let today = app.today();
    let ctx = StepContext {
        rules: app.rights_rules()?,
        calendar: &crate::calendar::in_effect(app.store.as_ref()).await?,
        today,
        now: chengxin_store::changelog::now(),
        actor,
        facts: None,
    };
    let kind = input.mitigation;
    let mut decision = rights::decide(
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
    crate::free_text::keep_application_texts(&app.pii, &mut decision, &clear)?;
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
            let mut case = crate::cases::case_of(c)?;
            case.lifted_on = Some(today);
            case.next_due = None;
            updates.push((
                crate::cases::row_of(
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
