//! Credit rights (信用权益保护): filing objections, complaints and repair applications, the
//! queue and each step of their workflows, evidence files, the public tracking view, tolerance
//! (容错) and mitigation (从轻/免于惩戒) decisions, and the two archives that show their outcome.
//! The rules are the domain's (`chengxin_domain::rights`); here they meet the store: each step
//! is written with its effect on the record or list entry in one transaction, and a stale
//! version is a 409 conflict.
//!
//! One concept per file: [`target`] (what an application is about), [`filing`], [`queue`]
//! (who sees what), [`steps`], [`evidence`], [`tracking`] (the applicant's view by tracking
//! number and access code), [`decisions`] (tolerance and mitigation) and [`archive`].

use chengxin_domain::rights::{Application, RightsRules};
use chengxin_store::ApplicationRow;
use rand::RngCore;

use crate::error::{AppError, AppResult};

pub mod archive;
pub mod decisions;
pub mod evidence;
pub mod filing;
pub mod queue;
pub mod steps;
pub mod target;
pub mod tracking;

pub use archive::{objection_pending, own_archive, public_archive, Archive, ArchiveRecord};
pub use decisions::{
    mitigate, mitigation, tolerance, tolerate, DecisionInput, MitigationRequest, ToleranceRequest,
};
pub use evidence::{attach_evidence, evidence_file, EvidenceDownload};
pub use filing::{
    complaint_regions, file, file_complaint, file_objection, file_repair, target_of,
    ComplaintRequest, Filed, Filing, ObjectionRequest, RepairRequest,
};
pub use queue::{application, complaint_region, is_office, queue, QueueParams};
pub use steps::{act, apply_step, check_form, StepRequest};
pub use target::{load_target, Loaded, COMPLAINTS_DESK};
pub use tracking::{
    access_hash, access_ok, add_evidence, track, withdraw, EvidenceParams, TrackingView,
};

pub fn rules() -> AppResult<&'static RightsRules> {
    RightsRules::default_checked().map_err(AppError::unavailable)
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// The application a stored row holds (the conversion is the check engine's, which reads
/// mitigation decisions from the same rows).
pub fn app_of(row: &ApplicationRow) -> AppResult<Application> {
    chengxin_checks::app_of(row).map_err(AppError::unavailable)
}

pub fn row_of(
    app: &Application,
    access_hash: Option<String>,
    version: i64,
    created_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<ApplicationRow> {
    Ok(ApplicationRow {
        id: app.id,
        tracking_no: app.tracking_no.clone(),
        kind: app.kind.code().into(),
        target_kind: app.target.kind().into(),
        target_id: app.target.id().to_string(),
        subject_id: app.subject_id,
        department: app.department.clone(),
        state: app.state.code().into(),
        due: app.due,
        body: serde_json::to_value(app).map_err(AppError::unavailable)?,
        access_hash,
        created_at,
        updated_at: chengxin_store::changelog::now(),
        version,
    })
}
