//! A complaint's 查实 (or any choice of a type that names a `record_type`) becomes a 失信 record
//! about the body complained of — catalog type 投诉举报查实 — created in the step's own
//! transaction (`WorkChange::record`). Once per item: a complaint taken up again and found 查实
//! a second time does not record twice.

use std::collections::BTreeMap;

use chengxin_domain::catalog::Catalog;
use chengxin_domain::commitments::record_from_fields;
use chengxin_domain::subjects::SubjectKind;
use chengxin_domain::work::Choice;
use chengxin_store::{NewRecord, NewSubject, WorkItemRow};
use chrono::NaiveDate;

use crate::error::{AppError, AppResult};
use crate::App;

/// The record a choice recognises about the item's owner, if the choice names a type and the
/// item has not recorded one already.
pub(crate) async fn record_for(
    app: &App,
    row: &WorkItemRow,
    choice: &Choice,
    text: &str,
    on: NaiveDate,
    today: NaiveDate,
    acting_body: Option<String>,
) -> AppResult<Option<NewRecord>> {
    let Some(type_code) = &choice.record_type else {
        return Ok(None);
    };
    let earlier = app.store.work_events(row.id).await?;
    if earlier
        .iter()
        .any(|e| e.choice.as_deref() == Some(choice.code.as_str()))
    {
        return Ok(None);
    }
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let rt = catalog
        .get(type_code)
        .ok_or_else(|| AppError::unavailable(format!("目录中没有失信信息类型 {type_code}")))?;
    let ticket = app.store.hotline_ticket_of(row.id).await?;
    let ticket_no = row.ref_no.clone().unwrap_or_else(|| row.no.clone());
    let clip = |s: &str, n: usize| s.trim().chars().take(n).collect::<String>();
    let mut raw: BTreeMap<&str, String> = BTreeMap::new();
    raw.insert("ticket_no", clip(&ticket_no, 100));
    raw.insert(
        "channel",
        if ticket.is_some() {
            "hotline_12345"
        } else {
            "other"
        }
        .to_string(),
    );
    raw.insert("subject_name", clip(&row.owner_name, 200));
    raw.insert("subject_uscc", row.owner_uscc.clone());
    raw.insert(
        "received_date",
        row.opened_on.format("%Y-%m-%d").to_string(),
    );
    raw.insert("matter", clip(&row.content, 4000));
    raw.insert("findings", clip(text, 4000));
    raw.insert(
        "handling",
        clip(&format!("{}：{}", choice.name, row.title), 2000),
    );
    raw.insert(
        "handling_unit",
        clip(
            ticket
                .as_ref()
                .map(|t| t.handling_unit.as_str())
                .filter(|u| !u.trim().is_empty())
                .unwrap_or(&row.owner_name),
            200,
        ),
    );
    raw.insert("concluded_date", on.format("%Y-%m-%d").to_string());
    raw.insert("remarks", clip(&format!("督办事项 {}", row.no), 512));
    let br = record_from_fields(rt, &raw, &ticket_no, on, &row.owner_name, None, today)?;
    let subject_id = match app.store.subject_by_uscc(&row.owner_uscc).await? {
        Some(s) => Some(s.id),
        None => Some(
            app.store
                .create_subject(
                    super::sweep::ACTOR,
                    NewSubject {
                        kind: Some(if row.owner_uscc.starts_with("11") {
                            SubjectKind::GovBody
                        } else {
                            SubjectKind::Institution
                        }),
                        name: row.owner_name.clone(),
                        uscc: Some(row.owner_uscc.clone()),
                        id_hash: None,
                        id_masked: None,
                        region: Some(row.region.clone()),
                        parent_id: None,
                        former_names: Vec::new(),
                    },
                )
                .await?
                .id,
        ),
    };
    Ok(Some(NewRecord {
        type_code: br.type_code,
        subject_id,
        subject_name: br.subject_name,
        doc_no: br.doc_no,
        decision_date: br.decision_date,
        source_dept: acting_body
            .or_else(|| row.issuer_uscc.clone())
            .unwrap_or_else(|| row.owner_uscc.clone()),
        batch_id: None,
        fields: br.fields,
        severity: br.severity.map(|s| s.code().to_string()),
        status: br.status,
        publish_until: br.publish_until,
        content_digest: None,
        published_at: None,
    }))
}
