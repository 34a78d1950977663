//! 公务员诚信档案 (Tai'an §二(二)3): one file per civil servant — employment history, the
//! records whose subject is the person (处分, 问责, 考核, commendations), integrity training
//! attended (诚信教育) and the commitments and breaches the person was responsible for (the
//! promisor body's commitments whose promise, milestones or breach fall in the person's periods
//! as its principal; the PPP breaches on a day the person was the stage's responsible person or
//! the government party's principal). Opened only
//! with `personal_data_decrypt` and a stated purpose, query-logged like the identity open; a
//! person out of the caller's jurisdiction is answered exactly like an unknown one (404).

use chengxin_access::Permission;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::codes::id_number;
use chengxin_domain::regions::RegionTable;
use chengxin_domain::staff::training::format_hours;
use chengxin_domain::subjects::Subject;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::responsible::PostHeld;
use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::App;

/// A record concerning the person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileRecord {
    pub id: Uuid,
    pub type_code: String,
    /// The record type's Chinese name (e.g. 政务处分).
    pub type_name: String,
    /// 基础 / 良好 / 失信.
    pub class: String,
    pub doc_no: String,
    pub decision_date: NaiveDate,
    /// The record's state, in Chinese.
    pub status: String,
}

/// One training attended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileTraining {
    pub course: String,
    pub held_on: NaiveDate,
    /// 学时, decimal text (`1.5`).
    pub hours: String,
    pub organiser: String,
}

/// A commitment or breach the person was responsible for: an event of an item that falls in a
/// period the person held (as the promisor's principal, or a PPP stage's responsible person).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileResponsibility {
    /// `承诺` or `PPP 项目`.
    pub kind: String,
    /// The item's number and title.
    pub item_no: String,
    pub title: String,
    /// The body (promisor, government party).
    pub body_name: String,
    /// 承诺作出 / 履行节点到期 / 违约认定 / 失信违约.
    pub event: String,
    pub day: NaiveDate,
    /// The post held that day (主要负责人, or the stage's responsible post).
    pub role: String,
    /// Whether the event is a breach.
    pub breach: bool,
}

/// A civil servant's 诚信档案.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntegrityFile {
    pub person_id: Uuid,
    pub name: String,
    /// Masked ID number.
    pub id_masked: Option<String>,
    /// 任职经历, oldest first.
    pub employments: Vec<PostHeld>,
    /// 处分、问责、考核、表彰 and other records whose subject is the person, newest first.
    pub records: Vec<FileRecord>,
    /// 诚信教育, newest first.
    pub trainings: Vec<FileTraining>,
    /// Total 学时.
    pub training_hours: String,
    /// Commitments and breaches the person was responsible for, by date.
    pub responsibilities: Vec<FileResponsibility>,
}

fn purpose_ok(purpose: &str) -> AppResult<&str> {
    let p = purpose.trim();
    if p.chars().count() < 2 {
        return Err(chengxin_access::AccessError::PurposeRequired.into());
    }
    Ok(p)
}

async fn name_of(app: &App, id: Uuid) -> AppResult<String> {
    Ok(app
        .store
        .subject(id)
        .await?
        .map(|s| s.name)
        .unwrap_or_else(|| "（未知单位）".into()))
}

/// Every region the person concerns: its own and those of the bodies it served in.
async fn person_regions(app: &App, s: &Subject) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = s.region.iter().cloned().collect();
    for e in app.store.employments_of(s.id).await? {
        if let Some(b) = app.store.subject(e.body_id).await? {
            if let Some(r) = b
                .region
                .clone()
                .or_else(|| b.uscc.as_deref().map(uscc_region))
            {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    Ok(out)
}

/// The person's file, for a caller already checked.
pub(crate) async fn build(app: &App, person: &Subject) -> AppResult<IntegrityFile> {
    let mut employments = Vec::new();
    for e in app.store.employments_of(person.id).await? {
        employments.push(PostHeld {
            body_id: e.body_id,
            body_name: name_of(app, e.body_id).await?,
            post: e.post.clone(),
            principal: e.principal,
            start_date: e.start_date,
            end_date: e.end_date,
        });
    }
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let mut records: Vec<FileRecord> = app
        .store
        .records_of_subject(person.id)
        .await?
        .into_iter()
        .map(|r| {
            let t = catalog.get(&r.type_code);
            FileRecord {
                id: r.id,
                type_name: t
                    .map(|t| t.name.clone())
                    .unwrap_or_else(|| r.type_code.clone()),
                class: t.map(|t| t.class.label().to_string()).unwrap_or_default(),
                type_code: r.type_code,
                doc_no: r.doc_no,
                decision_date: r.decision_date,
                status: r.status.label().to_string(),
            }
        })
        .collect();
    records.sort_by_key(|r| std::cmp::Reverse(r.decision_date));
    let mut trainings = Vec::new();
    let mut tenths: i64 = 0;
    for t in app.store.trainings_of(person.id).await? {
        tenths += t.hours_tenths;
        trainings.push(FileTraining {
            course: t.course,
            held_on: t.held_on,
            hours: format_hours(u32::try_from(t.hours_tenths).unwrap_or(0)),
            organiser: name_of(app, t.organiser_id).await?,
        });
    }
    let responsibilities = responsibilities(app, person).await?;
    Ok(IntegrityFile {
        person_id: person.id,
        name: person.name.clone(),
        id_masked: person.id_masked.clone(),
        employments,
        records,
        trainings,
        training_hours: format_hours(u32::try_from(tenths).unwrap_or(u32::MAX)),
        responsibilities,
    })
}

/// The commitments and breaches the person was responsible for: each event (a promise, a
/// milestone's due date, a breach) of the promisor body's commitments on a day the person was
/// its principal; each PPP breach on a day the person was the stage's responsible person or
/// the government party's principal.
async fn responsibilities(app: &App, person: &Subject) -> AppResult<Vec<FileResponsibility>> {
    let mut out = Vec::new();
    let periods: Vec<_> = app
        .store
        .employments_of(person.id)
        .await?
        .into_iter()
        .filter(|e| e.principal)
        .collect();
    for e in &periods {
        let Some(body) = app.store.subject(e.body_id).await? else {
            continue;
        };
        let Some(uscc) = body.uscc.clone() else {
            continue;
        };
        let role = format!("{}（主要负责人）", e.post);
        let cs = app
            .store
            .commitments(&chengxin_store::CommitmentFilter {
                promisor_uscc: Some(uscc.clone()),
                limit: 1000,
                ..Default::default()
            })
            .await?;
        let ids: Vec<Uuid> = cs.iter().map(|c| c.id).collect();
        let ms = app.store.milestones(&ids).await?;
        for c in &cs {
            let mut push = |event: String, day: NaiveDate, breach: bool| {
                if e.covers(day) {
                    out.push(FileResponsibility {
                        kind: "承诺".into(),
                        item_no: c.no.clone(),
                        title: c.title.clone(),
                        body_name: body.name.clone(),
                        event,
                        day,
                        role: role.clone(),
                        breach,
                    });
                }
            };
            push("承诺作出".into(), c.promised_on, false);
            for m in ms.iter().filter(|m| m.commitment_id == c.id) {
                push(format!("履行节点“{}”到期", m.title), m.due_date, false);
                if m.state == "breached" {
                    if let Some(d) = m.done_on {
                        push(format!("履行节点“{}”违约认定", m.title), d, true);
                    }
                }
            }
        }
        let projects = app
            .store
            .ppp_projects(&chengxin_store::PppFilter {
                body: Some(uscc.clone()),
                limit: 1000,
                ..Default::default()
            })
            .await?;
        for p in projects.iter().filter(|p| p.gov_uscc == uscc) {
            for b in app.store.ppp_breaches(p.id).await? {
                if e.covers(b.occurred_on) {
                    out.push(ppp_event(p, &b, role.clone()));
                }
            }
        }
    }
    for r in app.store.ppp_responsibles_of(person.id).await? {
        let Some(p) = app.store.ppp_project(r.project_id).await? else {
            continue;
        };
        for b in app.store.ppp_breaches(p.id).await? {
            let within =
                r.from_date <= b.occurred_on && r.to_date.is_none_or(|t| b.occurred_on <= t);
            if b.stage == r.stage && within {
                let stage = chengxin_domain::ppp::Stage::parse(&r.stage)
                    .map(|s| s.label())
                    .unwrap_or("");
                out.push(ppp_event(
                    &p,
                    &b,
                    format!("{}（{stage}阶段政府方责任人）", r.post),
                ));
            }
        }
    }
    out.sort_by(|a, b| (a.day, &a.item_no).cmp(&(b.day, &b.item_no)));
    out.dedup_by(|a, b| a.item_no == b.item_no && a.day == b.day && a.event == b.event);
    Ok(out)
}

fn ppp_event(
    p: &chengxin_store::PppProjectRow,
    b: &chengxin_store::PppBreachRow,
    role: String,
) -> FileResponsibility {
    FileResponsibility {
        kind: "PPP 项目".into(),
        item_no: p.no.clone(),
        title: p.name.clone(),
        body_name: p.gov_name.clone(),
        event: format!("失信违约（{}）", b.doc_no),
        day: b.occurred_on,
        role,
        breach: true,
    }
}

/// Check the caller for a person's file (purpose, permission, jurisdiction), logging the
/// attempt as `action`; the person on success.
pub(crate) async fn admit(
    app: &App,
    caller: &Caller,
    person: Option<Subject>,
    purpose: &str,
    action: &str,
) -> AppResult<(Subject, chengxin_store::AuditEvent)> {
    let purpose = purpose_ok(purpose)?;
    let mut e = caller.audit("query", action, "ok");
    e.target = person.as_ref().map(|s| s.id.to_string());
    e.detail = serde_json::json!({"purpose": purpose, "returned": 0});
    if let Err(err) = caller.require(Permission::PersonalDataDecrypt) {
        if !caller.is_anonymous() {
            e.outcome = "denied".into();
            app.store.audit(&[e]).await?;
        }
        return Err(err);
    }
    let person = match person {
        Some(s) if s.kind.is_person() => s,
        _ => {
            e.outcome = "not_found".into();
            app.store.audit(&[e]).await?;
            return Err(AppError::NotFound);
        }
    };
    e.detail["subject"] = serde_json::json!(person.id);
    let regions = person_regions(app, &person).await?;
    let regions = if regions.is_empty() {
        vec!["000000".to_string()]
    } else {
        regions
    };
    if !caller.reaches_any(Permission::PersonalDataDecrypt, &regions) {
        e.outcome = "denied".into();
        app.store.audit(&[e]).await?;
        return Err(AppError::NotFound);
    }
    Ok((person, e))
}

/// Open a person's 诚信档案 by subject id.
pub async fn open_file(
    app: &App,
    caller: &Caller,
    person_id: Uuid,
    purpose: &str,
) -> AppResult<IntegrityFile> {
    let person = app.store.subject(person_id).await?;
    let (person, mut e) = admit(app, caller, person, purpose, "integrity_file_open").await?;
    let file = build(app, &person).await?;
    e.detail["returned"] = serde_json::json!(1);
    e.detail["sections"] = serde_json::json!({
        "employments": file.employments.len(), "records": file.records.len(),
        "trainings": file.trainings.len(), "responsibilities": file.responsibilities.len(),
    });
    app.store.audit(&[e]).await?;
    Ok(file)
}

/// Open a person's 诚信档案 by the ID number as typed: hashed at once, never kept or echoed.
pub async fn open_file_by_number(
    app: &App,
    caller: &Caller,
    number: &str,
    purpose: &str,
) -> AppResult<IntegrityFile> {
    purpose_ok(purpose)?;
    caller.require(Permission::PersonalDataDecrypt)?;
    let n = number.trim().to_ascii_uppercase();
    if let Err(err) = id_number::parse(&n, RegionTable::national(), app.today()) {
        return Err(AppError::invalid(
            "id_number_invalid",
            format!("身份证号无效：{err}"),
        ));
    }
    let person = app
        .store
        .subject_by_id_hash(&app.id_hasher.hash(&n))
        .await?;
    match person {
        Some(p) => open_file(app, caller, p.id, purpose).await,
        None => {
            admit(app, caller, None, purpose, "integrity_file_open").await?;
            Err(AppError::NotFound)
        }
    }
}
