//! Credit rights over HTTP: objections and repair applications, their queues and steps,
//! evidence files, the public tracking page, tolerance and mitigation decisions, and the two
//! archives that show their outcome (the public one and the subject's own).

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chengxin_access::Permission;
use chengxin_domain::rights::{
    self, AppAction, AppKind, Finding, MitigationGround, MitigationKind, Party, RejectGround,
    Target,
};
use chengxin_store::{ApplicationFilter, ApplicationRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{uscc_region, Caller};
use crate::error::{ApiResult, AppError, AppResult};
use crate::AppState;
use chengxin_app::rights as svc;

use super::input::{json_error, parse_id, query_error};

fn target_of(kind: &str, id: &str) -> ApiResult<Target> {
    let id = parse_id(id)?;
    match kind {
        "record" => Ok(Target::Record(id)),
        "list_entry" => Ok(Target::ListEntry(id)),
        other => Err(AppError::invalid(
            "invalid_target_kind",
            format!("异议/修复对象类型“{other}”无效（record 或 list_entry）"),
        )
        .into()),
    }
}

/// The subject the caller acts for (a subject account's body is its USCC).
async fn own_subject(state: &AppState, caller: &Caller) -> ApiResult<Option<Uuid>> {
    match caller.body.as_deref() {
        Some(b) => Ok(state.store.subject_by_uscc(b).await?.map(|s| s.id)),
        None => Ok(None),
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

fn filed(row: &ApplicationRow, code: String) -> (StatusCode, Json<Filed>) {
    (
        StatusCode::CREATED,
        Json(Filed {
            id: row.id,
            tracking_no: row.tracking_no.clone(),
            access_code: code,
            state: row.state.clone(),
            due: row.due,
            version: row.version,
        }),
    )
}

/// File an objection (异议申诉). Anyone may object to public information; a subject may
/// object to its own information whatever its disclosure. Answers 404 for anything the caller
/// cannot see.
#[utoipa::path(post, path = "/api/v1/objections", tag = "rights", request_body = ObjectionRequest,
    security((), ("bearer" = [])),
    responses((status = 201, body = Filed), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_objection(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ObjectionRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Filed>)> {
    let Json(req) = body.map_err(json_error)?;
    let target = target_of(&req.target_kind, &req.target_id)?;
    let loaded = svc::load_target(state.store.as_ref(), target).await?;
    let own = own_subject(&state, &caller).await?;
    let is_subject = own.is_some() && own == loaded.subject_id;
    if !loaded.public && !is_subject {
        return Err(AppError::NotFound.into());
    }
    let (row, code) = svc::file(
        &state,
        &caller.actor,
        &loaded,
        svc::Filing {
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

/// File a complaint or report (投诉举报) — e.g. a body breaking a promise or a contract, or
/// information that should be public and is not. Anyone may file; the credit office handles it
/// and answers; the complainant follows it by tracking number.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "rights", request_body = ComplaintRequest,
    security((), ("bearer" = [])),
    responses((status = 201, body = Filed), (status = 400, body = crate::error::ErrorBody)))]
pub async fn file_complaint(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ComplaintRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Filed>)> {
    let Json(req) = body.map_err(json_error)?;
    let mut loaded = svc::load_target(state.store.as_ref(), Target::General).await?;
    if let Some(about) = req
        .about
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        if about.chars().count() > 200 {
            return Err(AppError::invalid("about_too_long", "投诉对象不得超过 200 字").into());
        }
        loaded.subject_name = about.to_string();
    }
    let (row, code) = svc::file(
        &state,
        &caller.actor,
        &loaded,
        svc::Filing {
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

/// Apply for credit repair (信用修复) of one's own information. Refused before the minimum
/// publication period, without the commitment, or while barred after false materials.
#[utoipa::path(post, path = "/api/v1/repairs", tag = "rights", request_body = RepairRequest,
    security(("bearer" = [])),
    responses((status = 201, body = Filed), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn file_repair(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<RepairRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Filed>)> {
    let Json(req) = body.map_err(json_error)?;
    let target = target_of(&req.target_kind, &req.target_id)?;
    let loaded = svc::load_target(state.store.as_ref(), target).await?;
    let own = own_subject(&state, &caller).await?;
    if own.is_none() || own != loaded.subject_id {
        if !loaded.public {
            return Err(AppError::NotFound.into());
        }
        return Err(
            AppError::forbidden("not_own_subject", "只能为本主体的失信信息申请信用修复").into(),
        );
    }
    let (row, code) = svc::file(
        &state,
        &caller.actor,
        &loaded,
        svc::Filing {
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

fn access_code(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-access-code").and_then(|v| v.to_str().ok())
}

async fn by_tracking(state: &AppState, no: &str) -> ApiResult<ApplicationRow> {
    if !rights::is_tracking_no(no) {
        return Err(AppError::NotFound.into());
    }
    state
        .store
        .application_by_tracking(no)
        .await?
        .ok_or(AppError::NotFound.into())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingView {
    #[schema(value_type = Object)]
    pub tracking: rights::Tracking,
    /// Only with the access code: the answer and what the applicant was told.
    #[schema(value_type = Option<Object>)]
    pub applicant_view: Option<serde_json::Value>,
}

/// Look up an application by tracking number, without logging in: its progress only. With
/// the access code (header `X-Access-Code`), also the answer and the notices to the applicant.
#[utoipa::path(get, path = "/api/v1/track/{tracking_no}", tag = "rights",
    params(("tracking_no" = String, Path, description = "Tracking number")), security(()),
    responses((status = 200, body = TrackingView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn track(
    State(state): State<AppState>,
    Path(no): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<TrackingView>> {
    let row = by_tracking(&state, &no).await?;
    let app = svc::app_of(&row)?;
    let applicant_view = if svc::access_ok(&row, access_code(&headers)) {
        let notices: Vec<&rights::Notice> = app
            .notices
            .iter()
            .filter(|n| n.to == Party::Applicant)
            .collect();
        Some(serde_json::json!({
            "subject_name": app.subject_name,
            "reasons": app.reasons,
            "finding": app.finding,
            "decision": app.decision.as_ref().map(|d| serde_json::json!({
                "outcome": d.outcome, "reasons": d.reasons, "grounds": d.grounds, "at": d.at,
            })),
            "evidence": app.evidence.iter().map(|e| serde_json::json!({
                "name": e.name, "size": e.size, "material": e.material,
            })).collect::<Vec<_>>(),
            "notices": notices,
            "version": row.version,
        }))
    } else {
        None
    };
    Ok(Json(TrackingView {
        tracking: app.tracking(),
        applicant_view,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceParams {
    /// File name with its extension (.pdf, .jpg, .png, .ofd).
    pub name: String,
    /// Repair material category (`payment_proof`, `rectification_proof` …).
    pub material: Option<String>,
}

/// Add an evidence file (raw body, at most the configured size) to an open application; needs
/// the access code. The type is recognised by content: a renamed file is refused.
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/evidence", tag = "rights",
    params(("tracking_no" = String, Path, description = "Tracking number"), EvidenceParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(()),
    responses((status = 200, body = TrackingView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(no): Path<String>,
    q: Result<Query<EvidenceParams>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<TrackingView>> {
    let Query(q) = q.map_err(query_error)?;
    let row = by_tracking(&state, &no).await?;
    if !svc::access_ok(&row, access_code(&headers)) {
        return Err(
            AppError::forbidden("access_code_invalid", "查询码不正确，不能补充材料").into(),
        );
    }
    let new = svc::add_evidence(
        &state,
        &caller.actor,
        &row,
        &q.name,
        q.material.as_deref(),
        &body,
    )
    .await?;
    let app = svc::app_of(&new)?;
    Ok(Json(TrackingView {
        tracking: app.tracking(),
        applicant_view: None,
    }))
}

/// Withdraw an application that is not decided yet (needs the access code).
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/withdraw", tag = "rights",
    params(("tracking_no" = String, Path, description = "Tracking number")), security(()),
    responses((status = 200, body = TrackingView), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(no): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<TrackingView>> {
    let row = by_tracking(&state, &no).await?;
    if !svc::access_ok(&row, access_code(&headers)) {
        return Err(AppError::forbidden("access_code_invalid", "查询码不正确，不能撤回").into());
    }
    let new = svc::act(
        &state,
        &caller.actor,
        &row,
        row.version,
        AppAction::Withdraw,
    )
    .await?;
    Ok(Json(TrackingView {
        tracking: svc::app_of(&new)?.tracking(),
        applicant_view: None,
    }))
}

fn handle_permission(kind: &str) -> Permission {
    match kind {
        "repair" => Permission::RepairHandle,
        "complaint" => Permission::ComplaintsHandle,
        _ => Permission::ObjectionsHandle,
    }
}

/// Whether the caller may see (and work on) an application: the credit office within its
/// jurisdiction, or the department whose data it is.
fn may_see(caller: &Caller, row: &ApplicationRow) -> bool {
    // Complaints go to the credit office's desk, not to a department's region.
    if row.kind == "complaint" {
        return caller.has(Permission::ComplaintsHandle);
    }
    caller.reaches(handle_permission(&row.kind), &uscc_region(&row.department))
        || caller
            .body
            .as_deref()
            .is_some_and(|b| b.eq_ignore_ascii_case(&row.department))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// objection, repair, tolerance, mitigation
    pub kind: Option<String>,
    pub state: Option<String>,
    /// Only those waiting for a step (default true).
    pub open: Option<bool>,
}

/// The queue: applications the caller handles (the credit office in its jurisdiction, or a
/// department's own), with who acts next and the deadline.
#[utoipa::path(get, path = "/api/v1/applications", tag = "rights", params(QueueParams),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = crate::error::ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> ApiResult<Json<Vec<ApplicationRow>>> {
    let Query(q) = q.map_err(query_error)?;
    if let Some(k) = &q.kind {
        if AppKind::parse(k).is_none() {
            return Err(AppError::invalid("invalid_kind", format!("未知的申请类型“{k}”")).into());
        }
    }
    if let Some(s) = &q.state {
        if rights::AppState::parse(s).is_none() {
            return Err(AppError::invalid("invalid_state", format!("未知的状态“{s}”")).into());
        }
    }
    let staff = caller.has(Permission::ObjectionsHandle)
        || caller.has(Permission::RepairHandle)
        || caller.has(Permission::ComplaintsHandle);
    let department = if staff { None } else { caller.body.clone() };
    if !staff && department.is_none() {
        // Neither the credit office nor a department: nothing is theirs to handle.
        return Ok(Json(Vec::new()));
    }
    let rows = state
        .store
        .applications(&ApplicationFilter {
            kind: q.kind,
            state: q.state,
            department,
            open_only: q.open.unwrap_or(true),
            limit: Some(1000),
            ..Default::default()
        })
        .await?;
    Ok(Json(
        rows.into_iter().filter(|r| may_see(&caller, r)).collect(),
    ))
}

async fn visible(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ApplicationRow> {
    let id = parse_id(id)?;
    let row = state
        .store
        .application(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_see(caller, &row) {
        return Err(AppError::NotFound.into());
    }
    Ok(row)
}

/// One application with its steps, notices, decision and evidence list.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "rights",
    params(("id" = String, Path, description = "Application id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationRow>> {
    Ok(Json(visible(&state, &caller, &id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StepRequest {
    /// accept, refuse, check, answer, approve, reject, share, revoke_repair
    pub action: String,
    pub expected_version: i64,
    /// Reasons (required for every decision).
    pub reasons: Option<String>,
    /// check: correct, revoke, keep
    pub finding: Option<String>,
    /// check with `correct`: the corrected fields.
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// reject: period_not_reached, obligations_unmet, false_materials, not_repairable, other
    pub grounds: Option<Vec<String>>,
}

fn parse_step(req: StepRequest) -> ApiResult<AppAction> {
    let reasons = req.reasons.unwrap_or_default();
    Ok(match req.action.as_str() {
        "accept" => AppAction::Accept,
        "refuse" => AppAction::Refuse { reasons },
        "check" => AppAction::Check {
            finding: match req.finding.as_deref() {
                Some("correct") => Finding::Correct,
                Some("revoke") => Finding::Revoke,
                Some("keep") => Finding::Keep,
                _ => {
                    return Err(AppError::invalid(
                        "finding_required",
                        "核查须给出结论（correct 更正、revoke 撤销、keep 维持）",
                    )
                    .into())
                }
            },
            reasons,
            fields: req.fields,
        },
        "answer" => AppAction::Answer { reasons },
        "approve" => AppAction::Approve { reasons },
        "reject" => AppAction::Reject {
            grounds: req
                .grounds
                .unwrap_or_default()
                .iter()
                .map(|g| {
                    serde_json::from_value::<RejectGround>(serde_json::Value::String(g.clone()))
                        .map_err(|_| {
                            AppError::invalid("invalid_ground", format!("未知的理由类别“{g}”"))
                        })
                })
                .collect::<AppResult<Vec<_>>>()?,
            reasons,
        },
        "share" => AppAction::Share {
            recipients: Vec::new(),
        },
        "revoke_repair" => AppAction::RevokeRepair { reasons },
        other => {
            return Err(AppError::invalid("unknown_action", format!("未知的操作“{other}”")).into())
        }
    })
}

/// Take the next step. The credit office accepts, refuses, answers, shares and revokes; the
/// department whose data it is (or the credit office for it) checks objections and decides
/// repairs (谁认定、谁修复). A stale `expected_version` answers 409: of two simultaneous
/// decisions one wins.
#[utoipa::path(post, path = "/api/v1/applications/{id}/actions", tag = "rights", request_body = StepRequest,
    params(("id" = String, Path, description = "Application id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<StepRequest>, JsonRejection>,
) -> ApiResult<Json<ApplicationRow>> {
    let Json(req) = body.map_err(json_error)?;
    let row = visible(&state, &caller, &id).await?;
    let expected = req.expected_version;
    let action = parse_step(req)?;
    let app = svc::app_of(&row)?;
    let office = if row.kind == "complaint" {
        caller.has(Permission::ComplaintsHandle)
    } else {
        caller.reaches(handle_permission(&row.kind), &uscc_region(&row.department))
    };
    let allowed = match action.party(&app) {
        Party::CreditOffice => office,
        Party::Department(d) => {
            office
                || caller
                    .body
                    .as_deref()
                    .is_some_and(|b| b.eq_ignore_ascii_case(&d))
                    && (caller.has(Permission::RecordsCorrect)
                        || caller.has(Permission::ListsManage))
        }
        Party::Applicant => false,
    };
    if !allowed {
        return Err(AppError::forbidden(
            "not_your_step",
            format!("“{}”不由您办理", action.label()),
        )
        .into());
    }
    Ok(Json(
        svc::act(&state, &caller.actor, &row, expected, action).await?,
    ))
}

/// Download an evidence file of an application the caller handles.
#[utoipa::path(get, path = "/api/v1/applications/{id}/evidence/{file_id}", tag = "rights",
    params(("id" = String, Path, description = "Application id"), ("file_id" = String, Path, description = "File id")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, file_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let row = visible(&state, &caller, &id).await?;
    let file_id = parse_id(&file_id)?;
    let f = state
        .store
        .evidence_file(file_id)
        .await?
        .filter(|f| f.application_id == row.id)
        .ok_or(AppError::NotFound)?;
    let mime = serde_json::from_value::<rights::FileKind>(serde_json::Value::String(f.kind))
        .map(|k| k.mime())
        .unwrap_or("application/octet-stream");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"evidence-{}\"", f.id.simple()),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".into(),
            ),
        ],
        f.content,
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ToleranceRequest {
    /// 认定依据 (the rule or decision it rests on).
    pub basis: String,
    /// 批准人.
    pub approver: String,
    pub reasons: String,
    pub expected_version: i64,
}

/// Recognise a body's lapse as tolerable error (容错纠错): the record is kept, marked, and no
/// longer counted as 失信 (checks, reports, ratings).
#[utoipa::path(post, path = "/api/v1/records/{id}/tolerance", tag = "rights", request_body = ToleranceRequest,
    params(("id" = String, Path, description = "Record id")), security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn tolerance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ToleranceRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ApplicationRow>)> {
    let Json(req) = body.map_err(json_error)?;
    let id = parse_id(&id)?;
    let record = state.store.record(id).await?.ok_or(AppError::NotFound)?;
    caller.require_at(
        Permission::RecordsTransition,
        &uscc_region(&record.source_dept),
    )?;
    let row = svc::tolerate(
        &state,
        &caller.actor,
        &record,
        req.expected_version,
        svc::DecisionInput {
            basis: req.basis,
            approver: req.approver,
            reasons: req.reasons,
            mitigation: None,
            grounds: Vec::new(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MitigationRequest {
    /// `mitigate` (从轻) or `waive` (免于惩戒).
    pub kind: String,
    /// recovered_losses, eliminated_impact, prevented_harm
    pub grounds: Vec<String>,
    pub basis: String,
    pub approver: String,
    pub reasons: String,
}

/// Decide 从轻 or 免于惩戒 for a list entry's measures because losses were recovered, the impact
/// removed or harm prevented. Waiving lifts the running closed-loop cases.
#[utoipa::path(post, path = "/api/v1/list-entries/{id}/mitigation", tag = "rights", request_body = MitigationRequest,
    params(("id" = String, Path, description = "Entry id")), security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn mitigation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<MitigationRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ApplicationRow>)> {
    let Json(req) = body.map_err(json_error)?;
    let id = parse_id(&id)?;
    let entry = state
        .store
        .list_entry(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let region = match entry.subject_id {
        Some(s) => state
            .store
            .subject(s)
            .await?
            .and_then(|s| s.region)
            .unwrap_or_else(|| "000000".into()),
        None => "000000".into(),
    };
    caller.require_at(Permission::ListsManage, &region)?;
    let kind = match req.kind.as_str() {
        "mitigate" => MitigationKind::Mitigate,
        "waive" => MitigationKind::Waive,
        other => {
            return Err(AppError::invalid(
                "invalid_mitigation_kind",
                format!("“{other}”无效（mitigate 从轻、waive 免于惩戒）"),
            )
            .into())
        }
    };
    let grounds = req
        .grounds
        .iter()
        .map(|g| {
            serde_json::from_value::<MitigationGround>(serde_json::Value::String(g.clone()))
                .map_err(|_| AppError::invalid("invalid_ground", format!("未知的情形“{g}”")))
        })
        .collect::<AppResult<Vec<_>>>()?;
    let row = svc::mitigate(
        &state,
        &caller.actor,
        &entry,
        svc::DecisionInput {
            basis: req.basis,
            approver: req.approver,
            reasons: req.reasons,
            mitigation: Some(kind),
            grounds,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchiveRecord {
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    pub status_label: String,
    /// 异议处理中 while an objection is open; 容错 when recognised as tolerable error.
    pub annotations: Vec<String>,
}

async fn archive_record(
    state: &AppState,
    r: &chengxin_domain::records::Record,
) -> ApiResult<ArchiveRecord> {
    let mut annotations = Vec::new();
    if svc::objection_pending(state.store.as_ref(), r.id).await? {
        annotations.push("异议处理中".to_string());
    }
    if r.tolerated {
        annotations.push("容错纠错（不计入失信）".to_string());
    }
    Ok(ArchiveRecord {
        record: serde_json::to_value(r).map_err(AppError::unavailable)?,
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

/// A subject's public archive (the portal's view): records published to everyone and within
/// their publication period, marked 异议处理中 where an objection is open, and its active
/// public list entries. Repaired, expired and revoked records are not shown.
#[utoipa::path(get, path = "/api/v1/portal/subjects/{id}", tag = "rights",
    params(("id" = String, Path, description = "Subject id")), security(()),
    responses((status = 200, body = Archive), (status = 404, body = crate::error::ErrorBody)))]
pub async fn public_archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Archive>> {
    let id = parse_id(&id)?;
    let subject = state.store.subject(id).await?.ok_or(AppError::NotFound)?;
    let mut records = Vec::new();
    for r in state.store.records_of_subject(id).await? {
        if chengxin_app::records::is_public(&r) {
            records.push(archive_record(&state, &r).await?);
        }
    }
    let joint =
        chengxin_domain::lists::JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let list_entries = state
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
        .collect();
    Ok(Json(Archive {
        subject_id: id,
        name: subject.name,
        records,
        list_entries,
        applications: Vec::new(),
    }))
}

/// The caller's own full archive (信用主体): every record whatever its status — repaired,
/// expired and revoked ones included, with their history — its list entries and its
/// applications.
#[utoipa::path(get, path = "/api/v1/archive", tag = "rights", security(("bearer" = [])),
    responses((status = 200, body = Archive), (status = 403, body = crate::error::ErrorBody)))]
pub async fn own_archive(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Archive>> {
    let Some(id) = own_subject(&state, &caller).await? else {
        return Err(AppError::invalid(
            "no_subject",
            "当前账号未关联信用主体（账号所属单位须为主体的统一社会信用代码）",
        )
        .into());
    };
    let subject = state.store.subject(id).await?.ok_or(AppError::NotFound)?;
    let mut records = Vec::new();
    for r in state.store.records_of_subject(id).await? {
        let mut a = archive_record(&state, &r).await?;
        let history = state.store.record_history(r.id).await?;
        a.record["history"] = serde_json::to_value(history).map_err(AppError::unavailable)?;
        records.push(a);
    }
    let list_entries = state
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
    let applications = state
        .store
        .applications(&ApplicationFilter {
            subject_id: Some(id),
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|a| a.body)
        .collect();
    Ok(Json(Archive {
        subject_id: id,
        name: subject.name,
        records,
        list_entries,
        applications,
    }))
}
