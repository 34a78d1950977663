//! Filing: objections (异议申诉), complaints (投诉举报) and repair applications (信用修复) —
//! who may file for what, and the stored application with its tracking number and one-time
//! access code.

use chengxin_domain::rights::{self, AppKind, StepContext, Target};
use chengxin_store::{ApplicationFilter, ApplicationRow, Store, TargetChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::target::{load_target, own_subject, Loaded};
use super::tracking::new_access_code;
use super::{app_of, random, row_of};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// The target of an objection or repair from its kind (`record` or `list_entry`) and id.
pub fn target_of(kind: &str, id: Uuid) -> AppResult<Target> {
    match kind {
        "record" => Ok(Target::Record(id)),
        "list_entry" => Ok(Target::ListEntry(id)),
        other => Err(AppError::invalid(
            "invalid_target_kind",
            format!("异议/修复对象类型“{other}”无效（record 或 list_entry）"),
        )),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ObjectionRequest {
    /// `record` or `list_entry`.
    pub target_kind: String,
    pub target_id: String,
    /// Why the information is wrong (至少 2 字).
    pub reasons: String,
    /// Name of the objector (person or body).
    pub applicant_name: String,
    /// Phone or e-mail for the answer (sealed; never shown in clear).
    pub contact: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Filed {
    pub id: Uuid,
    /// Public tracking number (查询编号).
    pub tracking_no: String,
    /// Shown once: with the tracking number it opens the applicant's view, adds evidence and
    /// withdraws the application.
    pub access_code: String,
    pub state: String,
    pub due: Option<chrono::NaiveDate>,
    pub version: i64,
}

fn filed(row: &ApplicationRow, code: String) -> Filed {
    Filed {
        id: row.id,
        tracking_no: row.tracking_no.clone(),
        access_code: code,
        state: row.state.clone(),
        due: row.due,
        version: row.version,
    }
}

/// File an objection. Anyone may object to public information; a subject may object to its
/// own information whatever its disclosure. Not found for anything the caller cannot see.
pub async fn file_objection(
    app: &App,
    caller: &Caller,
    target: Target,
    req: ObjectionRequest,
) -> AppResult<Filed> {
    let loaded = load_target(app.store.as_ref(), target).await?;
    let own = own_subject(app, caller).await?;
    let is_subject = own.is_some() && own == loaded.subject_id;
    if !loaded.public && !is_subject {
        return Err(AppError::NotFound);
    }
    let (row, code) = file(
        app,
        &caller.actor,
        &loaded,
        Filing {
            kind: AppKind::Objection,
            target,
            reasons: req.reasons,
            applicant_name: req.applicant_name,
            contact: req.contact,
            commitment: false,
            is_subject,
            account: (!caller.is_anonymous()).then(|| caller.actor.clone()),
        },
    )
    .await?;
    Ok(filed(&row, code))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ComplaintRequest {
    /// Who or what the complaint is about (a body's name, optional).
    pub about: Option<String>,
    /// What happened (至少 2 字).
    pub reasons: String,
    pub applicant_name: String,
    /// Phone or e-mail for the answer (sealed; never shown in clear).
    pub contact: Option<String>,
}

/// File a complaint or report. Anyone may file; the credit office handles it.
pub async fn file_complaint(app: &App, caller: &Caller, req: ComplaintRequest) -> AppResult<Filed> {
    let mut loaded = load_target(app.store.as_ref(), Target::General).await?;
    if let Some(about) = req
        .about
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        if about.chars().count() > 200 {
            return Err(AppError::invalid(
                "about_too_long",
                "投诉对象不得超过 200 字",
            ));
        }
        loaded.subject_name = about.to_string();
    }
    let (row, code) = file(
        app,
        &caller.actor,
        &loaded,
        Filing {
            kind: AppKind::Complaint,
            target: Target::General,
            reasons: req.reasons,
            applicant_name: req.applicant_name,
            contact: req.contact,
            commitment: false,
            is_subject: false,
            account: (!caller.is_anonymous()).then(|| caller.actor.clone()),
        },
    )
    .await?;
    Ok(filed(&row, code))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RepairRequest {
    /// `record` or `list_entry`.
    pub target_kind: String,
    pub target_id: String,
    /// How the conduct was corrected and the obligations fulfilled.
    pub reasons: String,
    /// Applicant (the body's name; defaults to the subject's name).
    pub applicant_name: Option<String>,
    pub contact: Option<String>,
    /// The public credit commitment (信用承诺) is made.
    pub commitment: bool,
}

/// Apply for repair of one's own information: only the subject itself (its account's body is
/// its USCC); someone else's public information is forbidden, hidden information not found.
pub async fn file_repair(
    app: &App,
    caller: &Caller,
    target: Target,
    req: RepairRequest,
) -> AppResult<Filed> {
    let loaded = load_target(app.store.as_ref(), target).await?;
    let own = own_subject(app, caller).await?;
    if own.is_none() || own != loaded.subject_id {
        if !loaded.public {
            return Err(AppError::NotFound);
        }
        return Err(AppError::forbidden(
            "not_own_subject",
            "只能为本主体的失信信息申请信用修复",
        ));
    }
    let (row, code) = file(
        app,
        &caller.actor,
        &loaded,
        Filing {
            kind: AppKind::Repair,
            target,
            reasons: req.reasons,
            applicant_name: req
                .applicant_name
                .unwrap_or_else(|| loaded.subject_name.clone()),
            contact: req.contact,
            commitment: req.commitment,
            is_subject: true,
            account: Some(caller.actor.clone()),
        },
    )
    .await?;
    Ok(filed(&row, code))
}

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
        calendar: &crate::calendar::in_effect(app.store.as_ref()).await?,
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
    let (code, hash) = new_access_code();
    let row = row_of(&application, Some(hash), 1, now)?;
    app.store
        .write_application(actor, &row, None, TargetChange::None)
        .await?;
    Ok((row, code))
}
