//! 更正 of a record: only the fields named change; the corrected record is checked against its
//! catalog type like an imported row (the domain's `records::correction`), and the history
//! entry keeps each changed field before and after. Used by the record's own correction and by
//! an objection's `check … correct` step alike.

use chengxin_access::PiiCipher;
use chengxin_domain::catalog::{Catalog, RecordType};
use chengxin_domain::records::correction::{self, FormField};
use chengxin_domain::records::{Record, RecordAction};
use chengxin_domain::regions::RegionTable;
use chengxin_store::{RecordChange, Store};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::free_text::{kept, mask_note, KeptTexts};

/// The patch of a correction: field name → new value (`null` clears an optional field).
pub type Patch = serde_json::Map<String, serde_json::Value>;

fn record_type(type_code: &str) -> AppResult<&'static RecordType> {
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    catalog.get(type_code).ok_or_else(|| {
        AppError::invalid(
            "unknown_type",
            format!("信息类型“{type_code}”不在信用信息目录中，不能更正"),
        )
    })
}

/// The change that corrects `record` with `patch` (checked: the record's status allows a
/// correction, the patch names fields of its type other than its identifiers, the result
/// passes the type's rules and changes something). `today` bounds the decision date. ID
/// numbers given in free text (the note included) are stored masked, their text as given
/// sealed with what `kept` (the record's) holds.
pub fn correction_change(
    record: &Record,
    patch: &Patch,
    note: Option<String>,
    today: NaiveDate,
    kept: KeptTexts<'_>,
) -> AppResult<RecordChange> {
    let status = RecordAction::Correct.apply(
        record.status,
        super::is_negative(&record.type_code),
        record.tolerated,
        note.as_deref(),
    )?;
    let rt = record_type(&record.type_code)?;
    let c = correction::correct(rt, record, patch, RegionTable::national(), today)?;
    let (note, clear_note) = mask_note(note);
    let texts_sealed = kept.after(
        &c.text_fields,
        &c.clear_texts,
        clear_note.as_deref().map(|n| (record.version + 1, n)),
    )?;
    Ok(RecordChange {
        id: record.id,
        expected_version: record.version,
        action: RecordAction::Correct.as_str().into(),
        status: Some(status),
        fields: Some(c.fields),
        publish_until: c.publish_until,
        note,
        subject_name: (c.subject_name != record.subject_name).then_some(c.subject_name),
        decision_date: (c.decision_date != record.decision_date).then_some(c.decision_date),
        changes: c.changes,
        texts_sealed,
        ..Default::default()
    })
}

/// What a correction gives: the fields it changes and its note.
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a> {
    pub patch: &'a Patch,
    pub note: Option<&'a str>,
}

/// Correct a record (the caller's right to has been checked): the fields of the edit's patch
/// only, at `expected_version`. Refused with `correction_*` codes; nothing changes then.
/// `cipher` seals free text given with ID numbers.
pub async fn correct(
    store: &dyn Store,
    cipher: &PiiCipher,
    actor: &str,
    id: Uuid,
    expected_version: i64,
    edit: Edit<'_>,
    today: NaiveDate,
) -> AppResult<Record> {
    let (patch, note) = (edit.patch, edit.note.map(String::from));
    let current = store.record(id).await?.ok_or(AppError::NotFound)?;
    if current.version != expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: expected_version,
            current: current.version,
        }
        .into());
    }
    let kept = kept(store, cipher, &current).await?;
    let change = correction_change(&current, patch, note, today, kept)?;
    Ok(store.change_record(actor, change).await?)
}

/// What a correction form shows: the record's type and each of its fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CorrectionForm {
    /// The type's Chinese name.
    pub type_name: String,
    /// Every field of the type, in catalog order, with its current value.
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FormField>,
}

/// The correction form of a record the caller already reads.
pub fn correction_form(record: &Record) -> AppResult<CorrectionForm> {
    let rt = record_type(&record.type_code)?;
    Ok(CorrectionForm {
        type_name: rt.name.clone(),
        fields: correction::form(rt, record),
    })
}
