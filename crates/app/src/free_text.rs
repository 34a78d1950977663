//! Free text that held ID numbers (a 居民身份证号 typed into 违法事实, a name, a note): stored
//! masked by the one masker at intake (`chengxin_domain::records::free_text`), the text as
//! given sealed beside the record (`RecordStore::record_texts`, bound to the record's source
//! key) and opened only for `personal_data_decrypt` holders within the record's regions, with
//! a purpose, query-logged — like a subject's sealed ID number.
//!
//! Applications (objections, complaints, repairs, decisions) keep theirs sealed inside the
//! application ([`keep_application_texts`], opened by [`open_application`]).
//!
//! Records and applications stored before intake masked free text are repaired once per
//! database ([`repair`], at `migrate` and at the start of `serve`): each record and history
//! entry whose free text holds an ID number is rewritten masked, its clear text sealed, one
//! logged change per record with a history entry saying why; each such application likewise,
//! as its next version.

use std::collections::BTreeMap;

use chengxin_access::{Permission, PiiCipher};
use chengxin_domain::catalog::{Catalog, RecordType};
use chengxin_domain::records::free_text::{self, ClearTexts};
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::rights::{AppKind, AppState};
use chengxin_store::{ApplicationFilter, RecordRedaction, Store};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// What the sealed texts of a record are bound to: its source key (known at intake before the
/// record has an id, and never changed), so a sealed value copied to another record does not
/// open there.
fn context(source_dept: &str, type_code: &str, doc_no: &str) -> String {
    format!("record-texts:{source_dept}:{type_code}:{doc_no}")
}

fn seal_error(e: impl Into<chengxin_access::AccessError>) -> AppError {
    AppError::Access(e.into())
}

/// The clear texts sealed for the record with this source key (`None` when there are none).
pub fn seal(
    cipher: &PiiCipher,
    source_dept: &str,
    type_code: &str,
    doc_no: &str,
    texts: &ClearTexts,
) -> AppResult<Option<String>> {
    if texts.is_empty() {
        return Ok(None);
    }
    let json = serde_json::to_string(texts).map_err(AppError::unavailable)?;
    cipher
        .seal_bound(&json, &context(source_dept, type_code, doc_no))
        .map(Some)
        .map_err(seal_error)
}

/// Open a record's sealed texts (for the application's own use: a change that alters them, or
/// the gate of [`open`]).
fn unseal(cipher: &PiiCipher, r: &Record, sealed: &str) -> AppResult<ClearTexts> {
    let json = cipher
        .open_bound(sealed, &context(&r.source_dept, &r.type_code, &r.doc_no))
        .map_err(seal_error)?;
    serde_json::from_str(&json).map_err(AppError::unavailable)
}

/// What is kept of a record's free texts as given, opened for a change that alters them
/// (never shown to anyone).
pub struct KeptTexts<'a> {
    cipher: &'a PiiCipher,
    record: &'a Record,
    texts: ClearTexts,
    existed: bool,
}

/// The record's kept texts, for a change.
pub async fn kept<'a>(
    store: &dyn Store,
    cipher: &'a PiiCipher,
    record: &'a Record,
) -> AppResult<KeptTexts<'a>> {
    let (texts, existed) = match store.record_texts(record.id).await? {
        Some(sealed) => (unseal(cipher, record, &sealed)?, true),
        None => (ClearTexts::default(), false),
    };
    Ok(KeptTexts {
        cipher,
        record,
        texts,
        existed,
    })
}

impl KeptTexts<'_> {
    /// The record's sealed texts after a change: the free-text fields in `changed` take their
    /// new clear texts from `clear` (or lose the old one), and a note typed with the change
    /// that held an ID number is kept under `history.<version>.note`. `None` when nothing
    /// kept changes; `Some(None)` when nothing is kept any more.
    pub fn after(
        mut self,
        changed: &[String],
        clear: &ClearTexts,
        note: Option<(i64, &str)>,
    ) -> AppResult<Option<Option<String>>> {
        let before = self.texts.clone();
        self.texts.replace(changed, clear);
        if let Some((version, text)) = note {
            self.texts.insert(format!("history.{version}.note"), text);
        }
        if self.texts == before {
            return Ok(None);
        }
        if self.texts.is_empty() {
            return Ok(self.existed.then_some(None));
        }
        let r = self.record;
        Ok(Some(seal(
            self.cipher,
            &r.source_dept,
            &r.type_code,
            &r.doc_no,
            &self.texts,
        )?))
    }
}

/// A note typed by staff with a change, as stored (ID numbers masked), and its text as given
/// when it held any.
pub fn mask_note(note: Option<String>) -> (Option<String>, Option<String>) {
    match note {
        None => (None, None),
        Some(n) => {
            let mut clear = ClearTexts::default();
            let masked = clear.mask("note", &n);
            let kept = clear.get("note").is_some().then_some(n);
            (Some(masked), kept)
        }
    }
}

/// A record's free texts in clear, by where they stand (a field name, or a path into the
/// record's history such as `history.3.note`).
#[derive(Serialize, ToSchema)]
pub struct RecordTextsView {
    pub record_id: Uuid,
    pub texts: BTreeMap<String, String>,
}

impl std::fmt::Debug for RecordTextsView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordTextsView")
            .field("record_id", &self.record_id)
            .field("paths", &self.texts.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Open a record's free texts as given. Needs a purpose (at least two characters) and
/// `personal_data_decrypt` for one of the record's regions (its submitting department's, its
/// deciding authority's); every call is query-logged with its purpose, refused ones too. A
/// record without kept texts answers an empty set.
pub async fn open(
    app: &App,
    caller: &Caller,
    id: Uuid,
    purpose: &str,
) -> AppResult<RecordTextsView> {
    let purpose = purpose.trim();
    if purpose.chars().count() < 2 {
        return Err(chengxin_access::AccessError::PurposeRequired.into());
    }
    let record = app.store.record(id).await?.ok_or(AppError::NotFound)?;
    let mut e = caller.audit("query", "record_texts_open", "ok");
    e.target = Some(id.to_string());
    e.detail = serde_json::json!({"purpose": purpose, "subject": record.subject_id, "returned": 0});
    let regions = crate::records::record_regions(&record);
    if let Err(err) = caller.require_at_any(Permission::PersonalDataDecrypt, &regions) {
        e.outcome = "denied".into();
        app.store.audit(&[e]).await?;
        return Err(err.concealing_item());
    }
    let texts = match app.store.record_texts(id).await? {
        Some(sealed) => unseal(&app.pii, &record, &sealed)?,
        None => ClearTexts::default(),
    };
    e.detail["returned"] = serde_json::json!(texts.len());
    app.store.audit(&[e]).await?;
    Ok(RecordTextsView {
        record_id: id,
        texts: texts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
}

/// The actor of the repair's changes.
pub const ACTOR: &str = "system:free-text";

/// The action of the repair's changes and of its history entries.
pub const ACTION: &str = "mask_free_text";

/// The note of the history entry each repaired record gets.
pub const NOTE: &str = "自由文本中的身份证号码已遮蔽；原文已密封保存，仅限有个人信息解密权限的人员说明用途后查看（查询留痕）";

/// The meta key set once a full pass is done (later starts skip the scan).
pub const DONE_KEY: &str = "free_text_masked";

/// Mask the ID numbers in every stored record's free text and history, and in every
/// application's, keeping the clear texts sealed. Runs once per database: a full pass sets
/// [`DONE_KEY`], later calls return 0. Returns how many records and applications were
/// repaired; the pass is also an audit event.
pub async fn repair(store: &dyn Store, cipher: &PiiCipher) -> AppResult<usize> {
    if store.meta(DONE_KEY).await?.as_deref() == Some("1") {
        return Ok(0);
    }
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let codes: Vec<String> = store
        .catalog_types()
        .await?
        .into_iter()
        .map(|t| t.code)
        .collect();
    let mut done = 0;
    for status in [
        RecordStatus::Submitted,
        RecordStatus::Published,
        RecordStatus::Revoked,
        RecordStatus::Expired,
        RecordStatus::Repaired,
    ] {
        let mut after = None;
        loop {
            let page = store.records_in_status(&codes, status, after, 1000).await?;
            after = page.last().map(|r| r.id);
            for r in &page {
                let rt = catalog.get(&r.type_code);
                let repaired = match redact(store, cipher, rt, r).await {
                    // Changed meanwhile: once more, as it is now.
                    Err(AppError::Store(chengxin_store::StoreError::Conflict { .. })) => {
                        match store.record(r.id).await? {
                            Some(now) => redact(store, cipher, rt, &now).await?,
                            None => false,
                        }
                    }
                    other => other?,
                };
                done += usize::from(repaired);
            }
            if page.len() < 1000 {
                break;
            }
        }
    }
    // Applications (objections, complaints, repairs, decisions): by kind and state, each part
    // read whole (at most 100,000 rows, far above any deployment's count).
    let mut applications = 0;
    for kind in AppKind::ALL {
        for state in AppState::ALL {
            let rows = store
                .applications(&ApplicationFilter {
                    kind: Some(kind.code().into()),
                    state: Some(state.code().into()),
                    limit: Some(100_000),
                    ..Default::default()
                })
                .await?;
            for row in &rows {
                let repaired = match redact_application(store, cipher, row).await {
                    Err(AppError::Store(chengxin_store::StoreError::Conflict { .. })) => {
                        match store.application(row.id).await? {
                            Some(now) => redact_application(store, cipher, &now).await?,
                            None => false,
                        }
                    }
                    other => other?,
                };
                applications += usize::from(repaired);
            }
        }
    }
    if done + applications > 0 {
        let mut e = chengxin_store::AuditEvent::new(ACTOR, "privacy", ACTION, "ok");
        e.detail = serde_json::json!({"records": done, "applications": applications});
        store.audit(&[e]).await?;
    }
    store.set_meta(ACTOR, DONE_KEY, "1").await?;
    Ok(done + applications)
}

/// Mask one application's free texts (reasons, the applicant's name, step notes, the
/// decision's reasons, notices), the texts as given sealed into it; `false` when none held an
/// ID number.
async fn redact_application(
    store: &dyn Store,
    cipher: &PiiCipher,
    row: &chengxin_store::ApplicationRow,
) -> AppResult<bool> {
    let mut a = crate::rights::app_of(row)?;
    let mut clear = ClearTexts::default();
    a.reasons = clear.mask("reasons", &a.reasons);
    if let Some(applicant) = &mut a.applicant {
        applicant.name = clear.mask("applicant_name", &applicant.name);
    }
    for (i, step) in a.steps.iter_mut().enumerate() {
        if let Some(note) = &mut step.note {
            *note = clear.mask(&format!("steps.{}.note", i + 1), note);
        }
    }
    if let Some(d) = &mut a.decision {
        d.reasons = clear.mask("decision.reasons", &d.reasons);
    }
    for (i, n) in a.notices.iter_mut().enumerate() {
        n.text = clear.mask(&format!("notices.{}.text", i + 1), &n.text);
    }
    if clear.is_empty() {
        return Ok(false);
    }
    keep_application_texts(cipher, &mut a, &clear)?;
    let new = crate::rights::row_of(&a, row.access_hash.clone(), row.version + 1, row.created_at)?;
    store
        .write_application(
            ACTOR,
            &new,
            Some(row.version),
            chengxin_store::TargetChange::None,
        )
        .await?;
    Ok(true)
}

/// Mask one record's free text and stored history; `false` when nothing held an ID number.
async fn redact(
    store: &dyn Store,
    cipher: &PiiCipher,
    rt: Option<&RecordType>,
    r: &Record,
) -> AppResult<bool> {
    let mut clear = ClearTexts::default();
    let mut fields = r.fields.clone();
    let mut changed = free_text::mask_fields(rt, &r.doc_no, &mut fields, "", &mut clear);
    let name_field = rt.map_or("subject_name", |t| t.subject.name_field.as_str());
    let subject_name = clear.mask(name_field, &r.subject_name);
    changed |= subject_name != r.subject_name;
    // A batch-imported record never changed has no stored history: its creation entry is
    // the record itself.
    let mut history = Vec::new();
    if r.version > 1 || r.batch_id.is_none() {
        for mut h in store.record_history(r.id).await? {
            let p = format!("history.{}.", h.version);
            let mut hit = free_text::mask_fields(
                rt,
                &r.doc_no,
                &mut h.fields,
                &format!("{p}fields."),
                &mut clear,
            );
            if let Some(note) = &mut h.note {
                let masked = clear.mask(&format!("{p}note"), note);
                if masked != *note {
                    *note = masked;
                    hit = true;
                }
            }
            for c in &mut h.changes {
                if rt.is_some_and(|t| !free_text::is_free_text(t, &c.field)) {
                    continue;
                }
                for (side, v) in [("before", &mut c.before), ("after", &mut c.after)] {
                    if let Some(v) = v {
                        hit |= clear.mask_value(&format!("{p}changes.{}.{side}", c.field), v);
                    }
                }
            }
            if hit {
                history.push(h);
            }
        }
    }
    if !changed && history.is_empty() {
        return Ok(false);
    }
    // Texts kept already (a correction since) stay kept.
    let mut all = kept(store, cipher, r).await?.texts;
    for (path, text) in clear.iter() {
        all.insert(path, text);
    }
    let Some(sealed) = seal(cipher, &r.source_dept, &r.type_code, &r.doc_no, &all)? else {
        return Ok(false);
    };
    store
        .redact_record(
            ACTOR,
            RecordRedaction {
                id: r.id,
                expected_version: r.version,
                fields,
                subject_name,
                history,
                texts_sealed: sealed,
                action: ACTION.into(),
                note: NOTE.into(),
            },
        )
        .await?;
    Ok(true)
}

/// What an application's sealed texts are bound to: its id.
fn application_context(id: Uuid) -> String {
    format!("application-texts:{id}")
}

/// An application's free texts (the filing's reasons and applicant's name, a step's reasons)
/// are stored masked ([`ClearTexts::mask`]); the texts as given go into the application,
/// sealed: `clear` joins what it keeps already (nothing to do when `clear` is empty).
pub fn keep_application_texts(
    cipher: &PiiCipher,
    application: &mut chengxin_domain::rights::Application,
    clear: &ClearTexts,
) -> AppResult<()> {
    if clear.is_empty() {
        return Ok(());
    }
    let context = application_context(application.id);
    let mut all = match &application.texts_sealed {
        Some(sealed) => {
            let json = cipher.open_bound(sealed, &context).map_err(seal_error)?;
            serde_json::from_str(&json).map_err(AppError::unavailable)?
        }
        None => ClearTexts::default(),
    };
    for (path, text) in clear.iter() {
        all.insert(path, text);
    }
    let json = serde_json::to_string(&all).map_err(AppError::unavailable)?;
    application.texts_sealed = Some(cipher.seal_bound(&json, &context).map_err(seal_error)?);
    Ok(())
}

/// An application's free texts in clear, by where they stand (`reasons`, `applicant_name`,
/// `steps.3.reasons`).
#[derive(Serialize, ToSchema)]
pub struct ApplicationTextsView {
    pub application_id: Uuid,
    pub texts: BTreeMap<String, String>,
}

impl std::fmt::Debug for ApplicationTextsView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationTextsView")
            .field("application_id", &self.application_id)
            .field("paths", &self.texts.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Open an application's free texts as given: the caller must see the application (the
/// credit office in line with it, the department whose data it is) and hold
/// `personal_data_decrypt`, and state a purpose (at least two characters); every call is
/// query-logged with its purpose, refused ones too.
pub async fn open_application(
    app: &App,
    caller: &Caller,
    id: Uuid,
    purpose: &str,
) -> AppResult<ApplicationTextsView> {
    let purpose = purpose.trim();
    if purpose.chars().count() < 2 {
        return Err(chengxin_access::AccessError::PurposeRequired.into());
    }
    let mut e = caller.audit("query", "application_texts_open", "ok");
    e.target = Some(id.to_string());
    e.detail = serde_json::json!({"purpose": purpose, "returned": 0});
    let row = match crate::rights::application(app, caller, id).await {
        Ok(row) => row,
        Err(err) => {
            e.outcome = "denied".into();
            app.store.audit(&[e]).await?;
            return Err(err);
        }
    };
    if let Err(err) = caller.require(Permission::PersonalDataDecrypt) {
        e.outcome = "denied".into();
        app.store.audit(&[e]).await?;
        return Err(err);
    }
    let texts = match row.body.get("texts_sealed").and_then(|v| v.as_str()) {
        Some(sealed) => {
            let json = app
                .pii
                .open_bound(sealed, &application_context(id))
                .map_err(seal_error)?;
            serde_json::from_str(&json).map_err(AppError::unavailable)?
        }
        None => ClearTexts::default(),
    };
    e.detail["returned"] = serde_json::json!(texts.len());
    e.detail["subject"] = serde_json::json!(row.subject_id);
    app.store.audit(&[e]).await?;
    Ok(ApplicationTextsView {
        application_id: id,
        texts: texts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
}
