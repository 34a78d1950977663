//! Evidence files of a commitment (合同文本、兑现凭证、补偿协议、认定文书): type checked by
//! content (PDF, JPEG, PNG, OFD agreeing with the name), size-limited as credit-rights
//! evidence is.

use chengxin_domain::rights::check_evidence;
use chengxin_store::{CommitmentFileRow, CommitmentStepRow};
use chrono::SubsecRound;
use uuid::Uuid;

use super::view::load;
use super::{acts_for, is_office_for, CommitmentView};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// Add an evidence file (the owner, the promisor or the credit office).
pub async fn add_file(
    app: &App,
    caller: &Caller,
    commitment_id: Uuid,
    name: &str,
    milestone_id: Option<Uuid>,
    bytes: &[u8],
) -> AppResult<CommitmentView> {
    let c = load(app, caller, commitment_id).await?;
    if !(acts_for(caller, &c.owner_uscc)
        || acts_for(caller, &c.promisor_uscc)
        || is_office_for(caller, &c))
    {
        return Err(AppError::NotFound);
    }
    if let Some(mid) = milestone_id {
        let ms = app.store.milestones(&[c.id]).await?;
        if !ms.iter().any(|m| m.id == mid) {
            return Err(AppError::invalid(
                "milestone_unknown",
                "该履行节点不属于本承诺",
            ));
        }
    }
    let have = app.store.commitment_files(c.id).await?;
    let rules = &app.rights_rules()?.evidence;
    let kind = check_evidence(rules, name.trim(), bytes, have.len())?;
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let kind = match kind {
        chengxin_domain::rights::FileKind::Pdf => "pdf",
        chengxin_domain::rights::FileKind::Jpeg => "jpeg",
        chengxin_domain::rights::FileKind::Png => "png",
        chengxin_domain::rights::FileKind::Ofd => "ofd",
    };
    let row = CommitmentFileRow {
        id: Uuid::now_v7(),
        commitment_id: c.id,
        milestone_id,
        name: name.trim().to_string(),
        kind: kind.into(),
        size: 0,
        sha256: String::new(),
        uploaded_by: caller.actor.clone(),
        at: now,
    };
    let step = CommitmentStepRow {
        id: Uuid::now_v7(),
        commitment_id: c.id,
        milestone_id,
        action: "file".into(),
        actor: caller.actor.clone(),
        at: now,
        note: row.name.clone(),
    };
    app.store
        .add_commitment_file(&caller.actor, &row, bytes, &step)
        .await?;
    super::get(app, caller, c.id).await
}

/// An evidence file's bytes (for those who may see the commitment).
pub async fn file(
    app: &App,
    caller: &Caller,
    commitment_id: Uuid,
    file_id: Uuid,
) -> AppResult<(CommitmentFileRow, Vec<u8>)> {
    let c = load(app, caller, commitment_id).await?;
    match app.store.commitment_file(file_id).await? {
        Some((f, bytes)) if f.commitment_id == c.id => Ok((f, bytes)),
        _ => Err(AppError::NotFound),
    }
}
