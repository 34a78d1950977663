//! The applicant's side, without logging in: an application found by its tracking number shows
//! its progress; with the access code (shown once at filing) also the answer and the notices to
//! the applicant, and it takes evidence files and a withdrawal.

use chengxin_domain::rights::{self, AppAction, Party};
use chengxin_store::ApplicationRow;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::evidence::attach_evidence;
use super::steps::apply_step;
use super::{app_of, random};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// A fresh access code (shown to the applicant once) and its stored hash.
pub(crate) fn new_access_code() -> (String, String) {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let code: String = random::<12>()
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    let hash = access_hash(&code);
    (code, hash)
}

pub fn access_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().to_ascii_uppercase().as_bytes()))
}

/// Whether `code` opens the application (constant-time comparison of the hashes).
pub fn access_ok(row: &ApplicationRow, code: Option<&str>) -> bool {
    match (&row.access_hash, code) {
        (Some(h), Some(c)) => {
            let given = access_hash(c);
            h.len() == given.len()
                && h.bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }
        _ => false,
    }
}

/// The application with this tracking number; not found for anything that is not one.
async fn by_tracking(app: &App, no: &str) -> AppResult<ApplicationRow> {
    if !rights::is_tracking_no(no) {
        return Err(AppError::NotFound);
    }
    app.store
        .application_by_tracking(no)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingView {
    #[schema(value_type = Object)]
    pub tracking: rights::Tracking,
    /// Only with the access code: the answer and what the applicant was told.
    #[schema(value_type = Option<Object>)]
    pub applicant_view: Option<serde_json::Value>,
}

/// An application's progress by tracking number; with the right access code also the answer,
/// the evidence list and the notices to the applicant.
pub async fn track(app: &App, no: &str, access_code: Option<&str>) -> AppResult<TrackingView> {
    let row = by_tracking(app, no).await?;
    let application = app_of(&row)?;
    let applicant_view = if access_ok(&row, access_code) {
        let notices: Vec<&rights::Notice> = application
            .notices
            .iter()
            .filter(|n| n.to == Party::Applicant)
            .collect();
        Some(serde_json::json!({
            "subject_name": application.subject_name,
            "reasons": application.reasons,
            "finding": application.finding,
            "decision": application.decision.as_ref().map(|d| serde_json::json!({
                "outcome": d.outcome, "reasons": d.reasons, "grounds": d.grounds, "at": d.at,
            })),
            "evidence": application.evidence.iter().map(|e| serde_json::json!({
                "name": e.name, "size": e.size, "material": e.material,
            })).collect::<Vec<_>>(),
            "notices": notices,
            "version": row.version,
        }))
    } else {
        None
    };
    Ok(TrackingView {
        tracking: application.tracking(),
        applicant_view,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceParams {
    /// File name with its extension (.pdf, .jpg, .png, .ofd).
    pub name: String,
    /// Repair material category (`payment_proof`, `rectification_proof` …).
    pub material: Option<String>,
}

/// Add an evidence file to an open application found by tracking number; needs the access
/// code.
pub async fn add_evidence(
    app: &App,
    caller: &Caller,
    no: &str,
    access_code: Option<&str>,
    q: &EvidenceParams,
    bytes: &[u8],
) -> AppResult<TrackingView> {
    let row = by_tracking(app, no).await?;
    if !access_ok(&row, access_code) {
        return Err(AppError::forbidden(
            "access_code_invalid",
            "查询码不正确，不能补充材料",
        ));
    }
    let new = attach_evidence(
        app,
        &caller.actor,
        &row,
        &q.name,
        q.material.as_deref(),
        bytes,
    )
    .await?;
    Ok(TrackingView {
        tracking: app_of(&new)?.tracking(),
        applicant_view: None,
    })
}

/// Withdraw an application that is not decided yet (needs the access code).
pub async fn withdraw(
    app: &App,
    caller: &Caller,
    no: &str,
    access_code: Option<&str>,
) -> AppResult<TrackingView> {
    let row = by_tracking(app, no).await?;
    if !access_ok(&row, access_code) {
        return Err(AppError::forbidden(
            "access_code_invalid",
            "查询码不正确，不能撤回",
        ));
    }
    let new = apply_step(app, &caller.actor, &row, row.version, AppAction::Withdraw).await?;
    Ok(TrackingView {
        tracking: app_of(&new)?.tracking(),
        applicant_view: None,
    })
}
