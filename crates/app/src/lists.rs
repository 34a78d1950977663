//! Lists (名单): proposing an entry and moving it through publicity, effect and removal;
//! refreshing an imported list (the court's 失信被执行人名单) from a fresh copy of its
//! source — new parties are added, parties no longer in the source are removed with reason
//! `source_removed` and history, the rest is left as it is.

use chengxin_access::{Permission, PiiCipher};
use chengxin_domain::codes::{id_number, uscc};
use chengxin_domain::lists::{
    refresh, EntryAction, EntryStatus, JointCatalog, ListEntry, Proposal, RemovalReason,
};
use chengxin_domain::regions::RegionTable;
use chengxin_domain::subjects::{IdHasher, SubjectKind};
use chengxin_store::{ListEntryFilter, ListEntryRow, NewSubject, Store};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// The court's list, as configured in `data/lists/lists.toml`.
pub const COURT_LIST: &str = "court_dishonest_debtor";

/// One row of the source.
#[derive(Debug, Clone, Default)]
pub struct SourceRow {
    pub row: u64,
    pub name: String,
    pub uscc: Option<String>,
    pub id_number: Option<String>,
    /// 案号.
    pub case_no: String,
}

#[derive(Debug, Default, Serialize)]
pub struct RefreshReport {
    pub list: String,
    pub source_rows: usize,
    pub added: usize,
    pub kept: usize,
    pub removed: usize,
    pub subjects_created: usize,
    /// `(row, reason)` of rows that could not be used.
    pub rejected: Vec<(u64, String)>,
}

/// The stored form of a list entry (version and creation time carried over on updates); the
/// recognising body's code and region come from the entry.
pub fn entry_row(
    id: Uuid,
    subject_id: Uuid,
    e: &ListEntry,
    version: i64,
    created_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<ListEntryRow> {
    Ok(ListEntryRow {
        id,
        list_code: e.list.clone(),
        subject_id: Some(subject_id),
        status: e.status.code().to_string(),
        entry: serde_json::to_value(e).map_err(AppError::unavailable)?,
        recognised_by_uscc: e.recognised_by_uscc.clone(),
        region: e.recognising_region().map(String::from),
        created_at,
        updated_at: chengxin_store::changelog::now(),
        version,
    })
}

/// Every entry (of one list, or of all), read page by page in id order.
pub async fn all_entries(
    store: &dyn Store,
    list_code: Option<&str>,
) -> AppResult<Vec<ListEntryRow>> {
    const PAGE: i64 = 10_000;
    let mut out: Vec<ListEntryRow> = Vec::new();
    loop {
        let page = store
            .list_entries(&ListEntryFilter {
                list_code: list_code.map(String::from),
                after: out.last().map(|e| e.id),
                limit: Some(PAGE),
                ..Default::default()
            })
            .await?;
        let n = page.len();
        out.extend(page);
        if n < PAGE as usize {
            return Ok(out);
        }
    }
}

fn subject_id_of(row: &ListEntryRow) -> AppResult<Uuid> {
    row.subject_id.ok_or(AppError::NotFound)
}

/// Refresh an imported list from `rows`. Each addition and removal is its own logged write,
/// so a refresh interrupted half-way can simply be run again (it converges).
pub async fn refresh_imported(
    store: &dyn Store,
    hasher: &IdHasher,
    actor: &str,
    list_code: &str,
    rows: Vec<SourceRow>,
    today: NaiveDate,
) -> AppResult<RefreshReport> {
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let list = joint.list(list_code).ok_or(AppError::NotFound)?;
    if !list.imported {
        return Err(AppError::invalid(
            "not_imported",
            format!("名单“{}”不是从外部数据源导入的", list.name),
        ));
    }
    let cal = &crate::calendar::in_effect(store).await?;
    let regions = RegionTable::national();
    let cipher = PiiCipher::from_id_hasher(hasher);
    let mut report = RefreshReport {
        list: list_code.to_string(),
        source_rows: rows.len(),
        ..Default::default()
    };
    // 1. Resolve every source row to a subject (creating new ones); the key is its id.
    let mut source: Vec<String> = Vec::new();
    let mut about: std::collections::HashMap<String, (String, String)> = Default::default();
    for r in rows {
        let name = r.name.trim().to_string();
        if name.is_empty() {
            report.rejected.push((r.row, "名称为空".into()));
            continue;
        }
        let subject = if let Some(u) = r.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            let u = u.to_ascii_uppercase();
            if let Err(e) = uscc::parse(&u, regions) {
                report
                    .rejected
                    .push((r.row, format!("统一社会信用代码无效：{e}")));
                continue;
            }
            match store.subject_by_uscc(&u).await? {
                Some(s) => s,
                None => {
                    report.subjects_created += 1;
                    store
                        .create_subject(
                            actor,
                            NewSubject {
                                kind: Some(SubjectKind::Enterprise),
                                name: name.clone(),
                                uscc: Some(u.clone()),
                                id_hash: None,
                                id_masked: None,
                                region: u.get(2..8).map(String::from),
                                parent_id: None,
                                former_names: vec![],
                            },
                        )
                        .await?
                }
            }
        } else if let Some(i) = r
            .id_number
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
        {
            let i = i.to_ascii_uppercase();
            if let Err(e) = id_number::parse(&i, regions, today) {
                report
                    .rejected
                    .push((r.row, format!("居民身份证号码无效：{e}")));
                continue;
            }
            let hash = hasher.hash(&i);
            match store.subject_by_id_hash(&hash).await? {
                Some(s) => s,
                None => {
                    report.subjects_created += 1;
                    let s = store
                        .create_subject(
                            actor,
                            NewSubject {
                                kind: Some(SubjectKind::Individual),
                                name: name.clone(),
                                uscc: None,
                                id_hash: Some(hash.clone()),
                                id_masked: Some(id_number::mask(&i)),
                                region: i.get(0..6).map(String::from),
                                parent_id: None,
                                former_names: vec![],
                            },
                        )
                        .await?;
                    let sealed = cipher
                        .seal_bound(&i, &hash)
                        .map_err(|e| AppError::Access(e.into()))?;
                    store.set_subject_identity(actor, s.id, &sealed).await?;
                    s
                }
            }
        } else {
            report
                .rejected
                .push((r.row, "须有统一社会信用代码或居民身份证号码".into()));
            continue;
        };
        let key = subject.id.to_string();
        about.insert(key.clone(), (subject.name.clone(), r.case_no.clone()));
        source.push(key);
    }
    source.sort();
    source.dedup();
    // 2. Diff against the entries kept here.
    let existing_rows = all_entries(store, Some(list_code)).await?;
    let existing: Vec<(String, EntryStatus)> = existing_rows
        .iter()
        .filter_map(|e| Some((e.subject_id?.to_string(), EntryStatus::parse(&e.status)?)))
        .collect();
    let plan = refresh(&existing, &source);
    report.kept = plan.keep.len();
    let now = chengxin_store::changelog::now();
    for key in &plan.add {
        let (name, case_no) = about.get(key).cloned().unwrap_or_default();
        let entry = ListEntry::import(list, key, &name, &case_no, today)?;
        let subject_id = Uuid::parse_str(key).map_err(AppError::unavailable)?;
        let row = entry_row(Uuid::now_v7(), subject_id, &entry, 1, now)?;
        store.create_list_entry(actor, &row).await?;
        super::cases::follow_entry(store, actor, &row, today).await?;
        report.added += 1;
    }
    for key in &plan.remove {
        for row in existing_rows.iter().filter(|e| {
            e.subject_id.map(|s| s.to_string()).as_deref() == Some(key.as_str())
                && EntryStatus::parse(&e.status).is_some_and(|s| s.is_active())
        }) {
            let entry: ListEntry =
                serde_json::from_value(row.entry.clone()).map_err(AppError::unavailable)?;
            let next = entry.apply(
                list,
                EntryAction::Remove {
                    reason: RemovalReason::SourceRemoved,
                },
                today,
                Some("已不在数据源（法院名单）中"),
                cal,
            )?;
            let new = entry_row(
                row.id,
                subject_id_of(row)?,
                &next,
                row.version + 1,
                row.created_at,
            )?;
            store.update_list_entry(actor, &new, row.version).await?;
            super::cases::follow_entry(store, actor, &new, today).await?;
            report.removed += 1;
        }
    }
    Ok(report)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProposeRequest {
    pub subject_id: Uuid,
    /// 认定标准.
    pub standard: String,
    /// 认定依据.
    pub basis: String,
    /// 认定部门: its name, or its 统一社会信用代码 (then the name is looked up).
    pub recognised_by: String,
    /// The recognising department's 统一社会信用代码 when `recognised_by` is its name. The
    /// code is required one way or the other: objections to the entry go to the credit offices
    /// of its region.
    #[serde(default)]
    pub recognised_by_uscc: Option<String>,
    /// Evidence: record ids, document numbers.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// The region a list entry's subject belongs to (national when it has none).
fn subject_region(s: &chengxin_domain::subjects::Subject) -> &str {
    s.region.as_deref().unwrap_or("000000")
}

/// The region an entry belongs to: its recognising body's (谁认定、谁负责 — objections and its
/// procedure are handled there), else, for an entry kept without the body's code (an imported
/// list's, an old one), its subject's.
pub fn entry_region(row: &ListEntryRow, subject: &chengxin_domain::subjects::Subject) -> String {
    row.region
        .clone()
        .unwrap_or_else(|| subject_region(subject).to_string())
}

/// Propose an entry on a list (认定) for a subject: it starts as `proposed`. The recognising
/// body is named by its code (so that objections reach its region's credit offices), lies
/// within the caller's reach for `lists_manage` (the entry belongs to its region, see
/// [`entry_region`]), and — for a caller acting for a body — is that body or one it is
/// authorised for (授权代报).
pub async fn propose(
    app: &App,
    caller: &Caller,
    list_code: &str,
    req: ProposeRequest,
) -> AppResult<ListEntryRow> {
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let list = joint.list(list_code).ok_or(AppError::NotFound)?;
    let subject = app
        .store
        .subject(req.subject_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.require(Permission::ListsManage)?;
    let today = app.today();
    let mut entry = ListEntry::propose(
        list,
        Proposal {
            subject_key: subject.id.to_string(),
            subject_name: subject.name.clone(),
            standard: req.standard,
            basis: req.basis,
            recognised_by: req.recognised_by,
            recognised_by_uscc: req.recognised_by_uscc,
            evidence: req.evidence,
        },
        today,
    )?;
    let Some(code) = entry.recognised_by_uscc.clone() else {
        return Err(AppError::invalid(
            "recognising_body_code_required",
            "认定部门须提供统一社会信用代码（recognised_by 填写代码，或 recognised_by_uscc），异议和联合奖惩闭环据此送达其所在地区的信用办",
        ));
    };
    caller.require_at(Permission::ListsManage, &crate::auth::uscc_region(&code))?;
    let delegations = app.delegations()?;
    crate::authority::require_recognition_standing(
        app.store.as_ref(),
        &delegations,
        caller,
        &code,
        today,
    )
    .await?;
    if let Some(first) = entry.history.last_mut() {
        first.by = Some(caller.actor.clone());
    }
    if entry.recognised_by == code {
        if let Some(name) =
            crate::authority::body_name(app.store.as_ref(), &delegations, &code).await?
        {
            entry.recognised_by = name;
        }
    }
    let now = chengxin_store::changelog::now();
    let row = entry_row(Uuid::now_v7(), subject.id, &entry, 1, now)?;
    app.store.create_list_entry(&caller.actor, &row).await?;
    Ok(row)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryActionRequest {
    /// start_publicity, raise_objection, dismiss_objection, take_effect, remove
    pub action: String,
    /// For `remove`: expired, repaired, revoked, source_removed, objection_upheld.
    pub reason: Option<String>,
    /// For `take_effect`, where the list allows an entry's own end date.
    pub until: Option<NaiveDate>,
    pub note: Option<String>,
    pub expected_version: i64,
}

/// Move an entry through its procedure today (dates on the official calendar), for a caller
/// holding `lists_manage` for its region ([`entry_region`]: the recognising body's). Taking
/// effect opens the closed-loop cases; leaving the list lifts them.
pub async fn act(
    app: &App,
    caller: &Caller,
    id: Uuid,
    req: EntryActionRequest,
) -> AppResult<ListEntryRow> {
    let row = app.store.list_entry(id).await?.ok_or(AppError::NotFound)?;
    let subject_id = row.subject_id.ok_or(AppError::NotFound)?;
    let subject = app
        .store
        .subject(subject_id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller
        .require_at(Permission::ListsManage, &entry_region(&row, &subject))
        .map_err(AppError::concealing_item)?;
    if row.version != req.expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: req.expected_version,
            current: row.version,
        }
        .into());
    }
    let action = match req.action.as_str() {
        "start_publicity" => EntryAction::StartPublicity,
        "raise_objection" => EntryAction::RaiseObjection,
        "dismiss_objection" => EntryAction::DismissObjection,
        "take_effect" => EntryAction::TakeEffect { until: req.until },
        "remove" => EntryAction::Remove {
            reason: req
                .reason
                .as_deref()
                .and_then(RemovalReason::parse)
                .ok_or_else(|| {
                    AppError::invalid(
                        "reason_required",
                        "移出须注明原因（expired、repaired、revoked、source_removed、objection_upheld）",
                    )
                })?,
        },
        other => {
            return Err(AppError::invalid(
                "unknown_action",
                format!("未知的名单操作“{other}”"),
            ))
        }
    };
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let entry: ListEntry =
        serde_json::from_value(row.entry.clone()).map_err(AppError::unavailable)?;
    let list = joint.list(&entry.list).ok_or(AppError::NotFound)?;
    let cal = &crate::calendar::in_effect(app.store.as_ref()).await?;
    let today = app.today();
    let mut next = entry.apply(list, action, today, req.note.as_deref(), cal)?;
    if let Some(step) = next.history.last_mut() {
        step.by = Some(caller.actor.clone());
    }
    let new = entry_row(row.id, subject_id, &next, row.version + 1, row.created_at)?;
    app.store
        .update_list_entry(&caller.actor, &new, row.version)
        .await?;
    crate::cases::follow_entry_with(
        app.store.as_ref(),
        app.department_bodies()?,
        &caller.actor,
        &new,
        today,
    )
    .await?;
    Ok(new)
}

/// An entry with its procedure history (evidence, objections, steps): for a caller holding
/// `records_read_shared` whose jurisdiction is in line with the entry's region — its subject's,
/// else its recogniser's: the caller's own region, one below or one above it, never a
/// sibling's (a department: only the entries it recognised). A stated `purpose` (at least two
/// characters) is required, and every read is query-logged (`list_entry_read`), refusals too.
pub async fn entry(
    app: &App,
    caller: &Caller,
    id: Uuid,
    purpose: Option<&str>,
) -> AppResult<ListEntryRow> {
    let row = app.store.list_entry(id).await?.ok_or(AppError::NotFound)?;
    let entry: ListEntry =
        serde_json::from_value(row.entry.clone()).map_err(AppError::unavailable)?;
    let region = crate::cases::case_region(app.store.as_ref(), &row, &entry)
        .await?
        .unwrap_or_else(|| "000000".to_string());
    let mut e = caller.audit("query", "list_entry_read", "ok");
    e.target = Some(id.to_string());
    e.detail = serde_json::json!({"purpose": purpose, "subject": row.subject_id,
        "list": row.list_code, "returned": 1});
    if let Err(err) = caller.require_in_line(
        Permission::RecordsReadShared,
        &region,
        Some(entry.recognised_by.as_str()),
    ) {
        if !caller.is_anonymous() {
            e.outcome = "denied".into();
            e.detail["returned"] = serde_json::json!(0);
            app.store.audit(&[e]).await?;
        }
        return Err(err.concealing_item());
    }
    if purpose.is_none_or(|p| p.trim().chars().count() < 2) {
        return Err(chengxin_access::AccessError::PurposeRequired.into());
    }
    app.store.audit(&[e]).await?;
    Ok(row)
}
