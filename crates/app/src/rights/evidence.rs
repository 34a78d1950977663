//! Evidence files: attached to an open application (type by content, size-checked, repair
//! material categories from the rules) and read back by those who handle it.

use chengxin_domain::rights::{self, AppKind};
use chengxin_store::{ApplicationRow, EvidenceFile};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{app_of, row_of};
use crate::error::{AppError, AppResult};
use crate::App;

/// Attach an evidence file to an application that is still open.
pub async fn attach_evidence(
    app: &App,
    actor: &str,
    row: &ApplicationRow,
    name: &str,
    material: Option<&str>,
    bytes: &[u8],
) -> AppResult<ApplicationRow> {
    let mut application = app_of(row)?;
    if application.state.is_final()
        || application.state != rights::AppState::Submitted
            && application.state != rights::AppState::Accepted
    {
        return Err(AppError::invalid(
            "application_closed",
            format!(
                "申请当前状态为“{}”，不能再补充材料",
                application.state.label()
            ),
        ));
    }
    let rules = app.rights_rules()?;
    let kind = rights::check_evidence(&rules.evidence, name, bytes, application.evidence.len())
        .map_err(AppError::from)?;
    let held: u64 = application.evidence.iter().map(|e| e.size).sum();
    rights::check_evidence_total(&rules.evidence, held, bytes.len() as u64)
        .map_err(AppError::from)?;
    within_daily_quota(app, bytes.len() as u64).await?;
    if let Some(m) = material {
        let known = application.kind == AppKind::Repair
            && application
                .repair_rules(rules)
                .map_err(AppError::from)?
                .material(m)
                .is_some();
        if !known {
            return Err(rights::RightsError::UnknownMaterial(m.into()).into());
        }
    }
    let now = chengxin_store::changelog::now();
    let sha256 = hex::encode(Sha256::digest(bytes));
    let file = EvidenceFile {
        id: Uuid::now_v7(),
        application_id: application.id,
        name: name.to_string(),
        kind: serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: sha256.clone(),
        material: material.map(String::from),
        content: bytes.to_vec(),
        created_at: now,
    };
    application.evidence.push(rights::EvidenceRef {
        id: file.id,
        name: file.name.clone(),
        kind,
        size: bytes.len() as u64,
        sha256,
        material: file.material.clone(),
        at: now,
    });
    let new = row_of(
        &application,
        row.access_hash.clone(),
        row.version + 1,
        row.created_at,
    )?;
    app.store
        .add_evidence(actor, &new, row.version, &file)
        .await?;
    Ok(new)
}

/// The platform's daily evidence quota ([`crate::flood::FloodSettings::evidence_bytes_per_day`],
/// days in China time): with this file the evidence stored since midnight stays within it.
/// Two uploads at the same moment may both pass; the overshoot is bounded by the file size
/// limit times the uploads in flight.
async fn within_daily_quota(app: &App, new_bytes: u64) -> AppResult<()> {
    let quota = app.auth.flood.evidence_bytes_per_day;
    let now = chengxin_store::clock::now();
    let today = chengxin_domain::reports::china_date(now);
    let midnight = china_midnight_utc(today);
    let used = app.store.evidence_bytes_since(midnight).await?;
    if u64::try_from(used).unwrap_or(0).saturating_add(new_bytes) <= quota {
        return Ok(());
    }
    let tomorrow = today
        .succ_opt()
        .map(china_midnight_utc)
        .unwrap_or(now + chrono::Duration::days(1));
    let secs = u64::try_from((tomorrow - now).num_seconds())
        .unwrap_or(0)
        .max(1);
    tracing::warn!(target: crate::LOG_TARGET, quota, used, "daily evidence quota reached");
    Err(AppError::Limited {
        code: "evidence_daily_quota",
        message: format!(
            "今日全平台证明材料上传总量已达上限（{} MB），请{}后再试",
            quota / (1024 * 1024),
            crate::flood::wait_zh(secs)
        ),
        retry_after_secs: secs,
    })
}

/// 00:00 China Standard Time (UTC+8, no daylight saving) of `day`, in UTC.
fn china_midnight_utc(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    (day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(8)).and_utc()
}

/// An evidence file to hand out: its id, the MIME type of its recognised kind and its bytes.
pub struct EvidenceDownload {
    pub id: Uuid,
    pub mime: &'static str,
    pub content: Vec<u8>,
}

/// One evidence file of an application the caller may see (found with
/// [`super::application`]); not found when the file belongs to another application.
pub async fn evidence_file(
    app: &App,
    row: &ApplicationRow,
    file_id: Uuid,
) -> AppResult<EvidenceDownload> {
    let f = app
        .store
        .evidence_file(file_id)
        .await?
        .filter(|f| f.application_id == row.id)
        .ok_or(AppError::NotFound)?;
    let mime = serde_json::from_value::<rights::FileKind>(serde_json::Value::String(f.kind))
        .map(|k| k.mime())
        .unwrap_or("application/octet-stream");
    Ok(EvidenceDownload {
        id: f.id,
        mime,
        content: f.content,
    })
}
