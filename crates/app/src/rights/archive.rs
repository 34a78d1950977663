//! The two archives that show the outcome of credit rights: a subject's public archive (the
//! portal's view) and the subject's own full archive with history and applications.

use chengxin_domain::records::Record;
use chengxin_store::{ApplicationFilter, Store};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::app_of;
use super::target::own_subject;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchiveRecord {
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    pub status_label: String,
    /// 异议处理中 while an objection is open; 容错 when recognised as tolerable error.
    pub annotations: Vec<String>,
}

async fn archive_record(app: &App, r: &Record) -> AppResult<ArchiveRecord> {
    let mut annotations = Vec::new();
    if objection_pending(app.store.as_ref(), r.id).await? {
        annotations.push("异议处理中".to_string());
    }
    if r.tolerated {
        annotations.push("容错纠错（不计入失信）".to_string());
    }
    Ok(ArchiveRecord {
        record: crate::records::shown(r)?,
        status_label: r.status.label().into(),
        annotations,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Archive {
    pub subject_id: Uuid,
    pub name: String,
    pub records: Vec<ArchiveRecord>,
    #[schema(value_type = Vec<Object>)]
    pub list_entries: Vec<serde_json::Value>,
    /// The subject's own archive only: its applications and decisions.
    #[schema(value_type = Vec<Object>)]
    pub applications: Vec<serde_json::Value>,
}

/// A subject's public archive: records published to everyone and within their publication
/// period, marked 异议处理中 where an objection is open, and its active public list entries.
/// A person with none of these is not found.
pub async fn public_archive(app: &App, id: Uuid) -> AppResult<Archive> {
    let subject = app.store.subject(id).await?.ok_or(AppError::NotFound)?;
    let mut records = Vec::new();
    for r in app.store.records_of_subject(id).await? {
        if crate::records::is_public(&r) {
            records.push(archive_record(app, &r).await?);
        }
    }
    let joint =
        chengxin_domain::lists::JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let list_entries = app
        .store
        .list_entries(&chengxin_store::ListEntryFilter {
            subject_id: Some(id),
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|e| matches!(e.status.as_str(), "publicity" | "effective"))
        .filter(|e| {
            joint
                .list(&e.list_code)
                .is_some_and(|l| l.disclosure == chengxin_domain::catalog::Disclosure::Public)
        })
        .map(|e| serde_json::json!({"id": e.id, "list_code": e.list_code, "status": e.status}))
        .collect::<Vec<_>>();
    // A person appears on the portal only through public information about it: one with
    // none is not found, like an unknown id (issue 16 point 1).
    if subject.kind.is_person() && records.is_empty() && list_entries.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(Archive {
        subject_id: id,
        name: subject.name,
        records,
        list_entries,
        applications: Vec::new(),
    })
}

/// The caller's own full archive (信用主体): every record whatever its status, with its
/// history, its list entries and its applications. Invalid for an account that acts for no
/// subject.
pub async fn own_archive(app: &App, caller: &Caller) -> AppResult<Archive> {
    let Some(id) = own_subject(app, caller).await? else {
        return Err(AppError::invalid(
            "no_subject",
            "当前账号未关联信用主体（账号所属单位须为主体的统一社会信用代码）",
        ));
    };
    let subject = app.store.subject(id).await?.ok_or(AppError::NotFound)?;
    let mut records = Vec::new();
    for r in app.store.records_of_subject(id).await? {
        let mut a = archive_record(app, &r).await?;
        let history = app.store.record_history(r.id).await?;
        a.record["history"] = history
            .iter()
            .map(|h| crate::records::shown_history(&r, h))
            .collect::<AppResult<Vec<_>>>()?
            .into();
        records.push(a);
    }
    let list_entries = app
        .store
        .list_entries(&chengxin_store::ListEntryFilter {
            subject_id: Some(id),
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|e| serde_json::json!({"id": e.id, "list_code": e.list_code, "status": e.status, "entry": e.entry}))
        .collect();
    let applications = app
        .store
        .applications(&ApplicationFilter {
            subject_id: Some(id),
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        // A complaint about the subject is the credit office's and its complainant's, not
        // the subject's to read.
        .filter(|a| a.kind != "complaint")
        .map(|a| a.body)
        .collect();
    Ok(Archive {
        subject_id: id,
        name: subject.name,
        records,
        list_entries,
        applications,
    })
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
