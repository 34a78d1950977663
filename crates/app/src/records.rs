//! Record lifecycle: publish, correct, revoke, 容错, expire — checked against the domain rules,
//! then applied atomically (versioned, with history and change-log entries) by the store.

use chengxin_domain::catalog::{Catalog, RecordClass};
use chengxin_domain::records::{Record, RecordAction, RecordStatus};
use chengxin_store::{RecordChange, Store};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

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

/// Apply one lifecycle action to a record.
pub async fn transition(
    store: &dyn Store,
    actor: &str,
    id: Uuid,
    action: RecordAction,
    expected_version: i64,
    note: Option<String>,
    fields: Option<serde_json::Map<String, serde_json::Value>>,
) -> AppResult<Record> {
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
    if action == RecordAction::Correct && fields.is_none() {
        return Err(AppError::invalid(
            "fields_required",
            "更正须提供更正后的字段内容",
        ));
    }
    if action != RecordAction::Correct && fields.is_some() {
        return Err(AppError::invalid(
            "fields_not_allowed",
            "只有“更正”可以修改字段内容",
        ));
    }
    let change = RecordChange {
        id,
        expected_version,
        action: action.as_str().to_string(),
        status: Some(status),
        fields,
        tolerated: (action == RecordAction::Tolerate).then_some(true),
        publish_until: None,
        note,
        content_digest: None,
    };
    Ok(store.change_record(actor, change).await?)
}

/// End the publication of every published record whose period ended before `today`
/// (the record stays, hidden from the public). Returns how many were expired.
pub async fn expire_due(store: &dyn Store, actor: &str, today: NaiveDate) -> AppResult<u64> {
    let mut done = 0u64;
    loop {
        let due = store.records_due_for_expiry(today, 1000).await?;
        if due.is_empty() {
            return Ok(done);
        }
        let mut progressed = false;
        for r in due {
            debug_assert_eq!(r.status, RecordStatus::Published);
            let note = r.publish_until.map(|d| format!("公示期至 {d} 届满"));
            match transition(
                store,
                actor,
                r.id,
                RecordAction::Expire,
                r.version,
                note,
                None,
            )
            .await
            {
                Ok(_) => {
                    done += 1;
                    progressed = true;
                }
                // Someone changed it meanwhile: the next pass sees the new state.
                Err(AppError::Store(chengxin_store::StoreError::Conflict { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        if !progressed {
            return Ok(done);
        }
    }
}
