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
            region: None,
        },
    )
    .await?;
    Ok(filed(&row, code))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ComplaintRequest {
    /// Who or what the complaint is about (a body's name, optional).
    pub about: Option<String>,
    /// 统一社会信用代码 of the body complained about (optional): places the complaint in that
    /// body's region.
    pub about_uscc: Option<String>,
    /// Region (GB/T 2260 code) of the body complained about, when its code is not given: the
    /// credit offices of that region (and those above it) handle the complaint. Without it the
    /// complaint is placed by `about_uscc`, else by `about` when exactly one known body bears
    /// that name; one of the three is required.
    pub region: Option<String>,
    /// What happened (至少 2 字).
    pub reasons: String,
    pub applicant_name: String,
    /// Phone or e-mail for the answer (sealed; never shown in clear).
    pub contact: Option<String>,
}

/// Where a complaint belongs: the region of the body complained about — by its USCC (the
/// stored body's region, else the code's division), by the region the complainant chose, or by
/// its name when exactly one known body bears it. Unplaced, it is refused: no credit office
/// could be told it is theirs.
async fn complaint_region(app: &App, req: &ComplaintRequest) -> AppResult<String> {
    let regions = chengxin_domain::regions::RegionTable::national();
    if let Some(code) = req
        .about_uscc
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let parsed = chengxin_domain::codes::uscc::parse(code, regions)?;
        let code = parsed.code.as_str();
        let stored = app
            .store
            .subject_by_uscc(code)
            .await?
            .and_then(|s| s.region);
        return Ok(stored.unwrap_or_else(|| crate::auth::uscc_region(code)));
    }
    if let Some(r) = req
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        return Ok(chengxin_access::Region::parse_known(r, regions)?
            .as_str()
            .to_string());
    }
    if let Some(about) = req
        .about
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        let named: Vec<_> = app
            .store
            .list_subjects(&chengxin_store::SubjectFilter {
                name_exact: Some(about.to_string()),
                limit: 50,
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|s| s.name.trim() == about)
            .collect();
        if let [only] = named.as_slice() {
            if let Some(r) = &only.region {
                return Ok(r.clone());
            }
        }
    }
    Err(AppError::invalid(
        "complaint_region_required",
        "请填写被投诉单位的统一社会信用代码或选择其所在地区，以便转交当地信用办办理",
    ))
}

/// The regions a complainant chooses from on the portal: those of this deployment's
/// departments (`bodies.toml`) and the current divisions directly below them, as
/// `(code, full name)` in code order.
pub fn complaint_regions(app: &App) -> AppResult<Vec<(String, String)>> {
    let table = chengxin_domain::regions::RegionTable::national();
    let mut codes = std::collections::BTreeSet::new();
    for b in app.department_bodies()?.bodies() {
        let r = crate::auth::uscc_region(&b.uscc);
        if table.get(&r).is_none() {
            continue;
        }
        codes.extend(
            table
                .children(&r)
                .into_iter()
                .filter(|c| c.current && !c.is_summary())
                .map(|c| c.code.clone()),
        );
        codes.insert(r);
    }
    Ok(codes
        .into_iter()
        .filter_map(|c| table.full_name(&c).map(|n| (c, n)))
        .collect())
}

/// File a complaint or report. Anyone may file; the credit offices of the region of the body
/// complained about (and those above it) handle it.
pub async fn file_complaint(app: &App, caller: &Caller, req: ComplaintRequest) -> AppResult<Filed> {
    let mut loaded = load_target(app.store.as_ref(), Target::General).await?;
    let region = complaint_region(app, &req).await?;
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
            region: Some(region),
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
            region: None,
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
    /// The region it belongs to where its department does not say (a complaint's).
    pub region: Option<String>,
}

/// File an objection or repair application. Returns the stored row and the one-time access
/// code.
pub async fn file(
    app: &App,
    actor: &str,
    loaded: &Loaded,
    f: Filing,
) -> AppResult<(ApplicationRow, String)> {
    // ID numbers typed into the reasons or the name are stored masked, the text as given
    // sealed into the application (`crate::free_text`).
    let mut clear = chengxin_domain::records::free_text::ClearTexts::default();
    let name = clear.mask("applicant_name", f.applicant_name.trim());
    let name = name.as_str();
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
    let mut application = rights::file(
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
            reasons: clear.mask("reasons", &f.reasons),
            commitment: f.commitment,
            tracking_no: rights::tracking_no(f.kind, today, random::<8>()),
            facts: &loaded.facts,
            barred_until: barred,
        },
        &ctx,
    )
    .map_err(AppError::from)?;
    application.region = f.region;
    crate::free_text::keep_application_texts(&app.pii, &mut application, &clear)?;
    let (code, hash) = new_access_code();
    let row = row_of(&application, Some(hash), 1, now)?;
    app.store
        .write_application(actor, &row, None, TargetChange::None)
        .await?;
    Ok((row, code))
}
