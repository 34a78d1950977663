//! Records: reading one with its history (non-public ones with a purpose, query-logged), the
//! lifecycle (publish, correct, revoke, 容错, expire — checked against the domain rules, then
//! applied atomically, versioned, with history and change-log entries, by the store; a
//! correction changes the fields it names only, see [`correct`]), and the manual-linking
//! queue.

use chengxin_access::Permission;
use chengxin_domain::catalog::{Catalog, RecordClass};
use chengxin_domain::codes::id_number;
use chengxin_domain::records::{Record, RecordAction, RecordHistoryEntry, RecordStatus};
use chengxin_store::{LinkRequest, RecordChange, Store};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
pub use crate::authority::record_regions;
use crate::error::{AppError, AppResult};
use crate::App;

mod correction;
pub use correction::{correct, correction_change, correction_form, CorrectionForm, Edit, Patch};

/// Whether records of this type are 失信 (negative) records.
pub fn is_negative(type_code: &str) -> bool {
    Catalog::default_checked()
        .ok()
        .and_then(|c| c.get(type_code))
        .is_some_and(|t| t.class == RecordClass::Negative)
}

/// Whether records of this type are published to everyone (社会公开).
pub fn is_public_type(type_code: &str) -> bool {
    Catalog::default_checked()
        .ok()
        .and_then(|c| c.get(type_code))
        .is_some_and(|t| t.disclosure == chengxin_domain::catalog::Disclosure::Public)
}

/// Whether a record is shown to the public: published, of a 社会公开 type.
pub fn is_public(r: &Record) -> bool {
    r.status == RecordStatus::Published && is_public_type(&r.type_code)
}

/// Apply one lifecycle action that changes no content (publish, revoke, tolerate, expire) to
/// a record. A correction names the fields it changes: [`correct`].
pub async fn transition(
    store: &dyn Store,
    actor: &str,
    id: Uuid,
    action: RecordAction,
    expected_version: i64,
    note: Option<String>,
) -> AppResult<Record> {
    transition_with(store, actor, id, action, expected_version, note, None).await
}

/// [`transition`] with a note typed by a person: an ID number in it is stored masked, the
/// note as given sealed with the record's free texts (`crate::free_text`).
pub async fn transition_typed(
    store: &dyn Store,
    cipher: &chengxin_access::PiiCipher,
    actor: &str,
    id: Uuid,
    action: RecordAction,
    expected_version: i64,
    note: Option<String>,
) -> AppResult<Record> {
    let (note, clear) = crate::free_text::mask_note(note);
    let texts_sealed = match clear {
        Some(clear) => {
            let current = store.record(id).await?.ok_or(AppError::NotFound)?;
            crate::free_text::kept(store, cipher, &current)
                .await?
                .after(
                    &[],
                    &Default::default(),
                    Some((expected_version + 1, &clear)),
                )?
        }
        None => None,
    };
    transition_with(
        store,
        actor,
        id,
        action,
        expected_version,
        note,
        texts_sealed,
    )
    .await
}

/// [`transition`], with the record's sealed free texts when the change alters them (a note
/// typed with an ID number: see [`RecordChange::texts_sealed`]).
async fn transition_with(
    store: &dyn Store,
    actor: &str,
    id: Uuid,
    action: RecordAction,
    expected_version: i64,
    note: Option<String>,
    texts_sealed: Option<Option<String>>,
) -> AppResult<Record> {
    if action == RecordAction::Correct {
        return Err(AppError::invalid(
            "fields_required",
            "更正须指明要更正的字段及其更正后的内容",
        ));
    }
    let current = store.record(id).await?.ok_or(AppError::NotFound)?;
    if current.version != expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: expected_version,
            current: current.version,
        }
        .into());
    }
    let status = action.apply(
        current.status,
        is_negative(&current.type_code),
        current.tolerated,
        note.as_deref(),
    )?;
    let change = RecordChange {
        id,
        expected_version,
        action: action.as_str().to_string(),
        status: Some(status),
        tolerated: (action == RecordAction::Tolerate).then_some(true),
        note,
        texts_sealed,
        ..Default::default()
    };
    Ok(store.change_record(actor, change).await?)
}

/// End the publication of every published record whose period ended before `today`
/// (the record stays, hidden from the public). Returns how many were expired.
pub async fn expire_due(store: &dyn Store, actor: &str, today: NaiveDate) -> AppResult<u64> {
    let mut done = 0u64;
    // Records that could not be expired: recorded once, then left for the next run — one bad
    // record never stops the job.
    let mut failed: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    loop {
        let due = store.records_due_for_expiry(today, 1000).await?;
        if due.iter().all(|r| failed.contains(&r.id)) {
            return Ok(done);
        }
        let mut progressed = false;
        for r in due {
            if failed.contains(&r.id) {
                continue;
            }
            debug_assert_eq!(r.status, RecordStatus::Published);
            let note = r.publish_until.map(|d| format!("公示期至 {d} 届满"));
            match transition(store, actor, r.id, RecordAction::Expire, r.version, note).await {
                Ok(_) => {
                    done += 1;
                    progressed = true;
                }
                // Someone changed it meanwhile: the next pass sees the new state.
                Err(AppError::Store(chengxin_store::StoreError::Conflict { .. })) => {}
                // The store itself is failing: stop this run, the next one retries.
                Err(e @ AppError::Store(_)) => return Err(e),
                Err(err) => {
                    tracing::warn!(target: crate::LOG_TARGET, record = %r.id, error = %err, "record not expired");
                    let mut e = chengxin_store::AuditEvent::new(
                        actor,
                        "record",
                        "record_expiry_failed",
                        "failed",
                    );
                    e.target = Some(r.id.to_string());
                    e.detail = serde_json::json!({"code": err.code(), "reason": err.to_string()});
                    store.audit(&[e]).await?;
                    failed.insert(r.id);
                }
            }
        }
        if !progressed {
            return Ok(done);
        }
    }
}

/// A record as it leaves the application in JSON. Its free text is stored masked (intake,
/// `crate::free_text`); its document number — the record's source key, kept as submitted like
/// a USCC — is masked here, by the same one masker the pages use, should it hold an ID
/// number, so JSON and pages show the same.
pub fn shown(r: &Record) -> AppResult<serde_json::Value> {
    let mut v = serde_json::to_value(r).map_err(AppError::unavailable)?;
    mask_doc_no(&mut v, &r.type_code, &r.doc_no);
    Ok(v)
}

/// A history entry of `r` as it leaves the application in JSON (see [`shown`]).
pub fn shown_history(r: &Record, h: &RecordHistoryEntry) -> AppResult<serde_json::Value> {
    let mut v = serde_json::to_value(h).map_err(AppError::unavailable)?;
    mask_doc_no(&mut v, &r.type_code, &r.doc_no);
    Ok(v)
}

fn mask_doc_no(v: &mut serde_json::Value, type_code: &str, doc_no: &str) {
    let std::borrow::Cow::Owned(masked) = id_number::mask_in_text(doc_no) else {
        return;
    };
    if v.get("doc_no").is_some() {
        v["doc_no"] = masked.clone().into();
    }
    let key = Catalog::default_checked()
        .ok()
        .and_then(|c| c.get(type_code))
        .map(|t| t.key_field.clone());
    if let Some(field) = key.and_then(|k| v["fields"].get_mut(&k)) {
        if field.as_str() == Some(doc_no) {
            *field = masked.into();
        }
    }
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

/// A record with its full history. Published records of a 社会公开 type are public. Anything
/// else (a shared-only type such as 政务处分, or a record not in publication) is non-public
/// data: it needs the permission within the caller's jurisdiction and a stated
/// `purpose` (at least two characters), and is query-logged (refusals of logged-in callers
/// too); to the public such a record is not found.
pub async fn read(
    app: &App,
    caller: &Caller,
    id: Uuid,
    purpose: Option<&str>,
) -> AppResult<RecordWithHistory> {
    let record = app.store.record(id).await?.ok_or(AppError::NotFound)?;
    if !is_public(&record) {
        let regions = record_regions(&record);
        let mut e = caller.audit("query", "record_read", "ok");
        e.target = Some(id.to_string());
        e.detail =
            serde_json::json!({"purpose": purpose, "subject": record.subject_id, "returned": 1});
        if let Err(err) = caller.require_at_any(Permission::RecordsReadNonpublic, &regions) {
            if !caller.is_anonymous() {
                e.outcome = "denied".into();
                e.detail["returned"] = serde_json::json!(0);
                app.store.audit(&[e]).await?;
            }
            // Not revealing that the record exists.
            return Err(err.concealing_item());
        }
        if purpose.is_none_or(|p| p.trim().chars().count() < 2) {
            return Err(chengxin_access::AccessError::PurposeRequired.into());
        }
        app.store.audit(&[e]).await?;
    }
    let history = app.store.record_history(id).await?;
    let mut annotations = Vec::new();
    if crate::rights::objection_pending(app.store.as_ref(), id).await? {
        annotations.push("异议处理中".to_string());
    }
    if record.tolerated {
        annotations.push("容错纠错（不计入失信）".to_string());
    }
    Ok(RecordWithHistory {
        annotations,
        record: shown(&record)?,
        history: history
            .iter()
            .map(|h| shown_history(&record, h))
            .collect::<AppResult<_>>()?,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// publish, correct, revoke, tolerate, expire
    pub action: String,
    /// The version the caller last saw (optimistic concurrency).
    pub expected_version: i64,
    /// Reason / approving note (required for tolerate).
    pub note: Option<String>,
    /// correct only: the fields to correct, by English field name, with their new values
    /// (text or a number; `null` clears an optional field). Fields not named stay as they
    /// are; the corrected record must pass its catalog type's rules (`correction_invalid`,
    /// with `problems` per field); the document number and the subject's identifiers cannot
    /// be corrected (`correction_identity_field`).
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A lifecycle action asked for by a caller holding `records_transition` for the record's
/// region. Repairs go through the repair workflow, never through here.
pub async fn request_transition(
    app: &App,
    caller: &Caller,
    id: Uuid,
    req: TransitionRequest,
) -> AppResult<Record> {
    let action = RecordAction::parse(&req.action).ok_or_else(|| {
        AppError::invalid("unknown_action", format!("未知的操作“{}”", req.action))
    })?;
    if matches!(action, RecordAction::Repair | RecordAction::RevokeRepair) {
        return Err(AppError::invalid(
            "use_repair_workflow",
            "信用修复须通过修复申请流程办理",
        ));
    }
    let current = app.store.record(id).await?.ok_or(AppError::NotFound)?;
    // The credit office of the deciding authority's region as well as the submitter's.
    caller
        .require_at_any(Permission::RecordsTransition, &record_regions(&current))
        .map_err(AppError::concealing_item)?;
    if let Some(fields) = &req.fields {
        crate::authority::check_correction(
            app.store.as_ref(),
            app.delegations()?.as_ref(),
            &current,
            fields,
        )
        .await?;
    }
    match (action, req.fields) {
        (RecordAction::Correct, Some(patch)) => {
            correct(
                app.store.as_ref(),
                &app.pii,
                &caller.actor,
                id,
                req.expected_version,
                Edit {
                    patch: &patch,
                    note: req.note.as_deref(),
                },
                app.today(),
            )
            .await
        }
        (RecordAction::Correct, None) => Err(AppError::invalid(
            "fields_required",
            "更正须指明要更正的字段及其更正后的内容",
        )),
        (_, Some(_)) => Err(AppError::invalid(
            "fields_not_allowed",
            "只有“更正”可以修改字段内容",
        )),
        (_, None) => {
            transition_typed(
                app.store.as_ref(),
                &app.pii,
                &caller.actor,
                id,
                action,
                req.expected_version,
                req.note,
            )
            .await
        }
    }
}

/// Records waiting to be linked to a subject by hand (at most 500 looked at), with suggested
/// candidates: those of departments in the caller's reach.
pub async fn link_queue(app: &App, caller: &Caller) -> AppResult<Vec<LinkRequest>> {
    let mut out = Vec::new();
    for l in app.store.link_queue(500).await? {
        if let Some(r) = app.store.record(l.record_id).await? {
            if caller.reaches_any(Permission::RecordsTransition, &record_regions(&r)) {
                out.push(l);
            }
        }
    }
    Ok(out)
}

/// Link a queued record to a subject (the record's region within the caller's reach).
pub async fn link(app: &App, caller: &Caller, id: Uuid, subject_id: Uuid) -> AppResult<Record> {
    let current = app.store.record(id).await?.ok_or(AppError::NotFound)?;
    caller
        .require_at_any(Permission::RecordsTransition, &record_regions(&current))
        .map_err(AppError::concealing_item)?;
    Ok(app.store.link_record(&caller.actor, id, subject_id).await?)
}
