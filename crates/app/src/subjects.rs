//! Subjects: the sealed ID number, opened only for entitled roles, with a stated purpose,
//! and query-logged (查询留痕).

use chengxin_access::Permission;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

#[derive(Serialize, ToSchema)]
pub struct IdentityView {
    pub subject_id: Uuid,
    pub id_number: String,
}

impl std::fmt::Debug for IdentityView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityView")
            .field("subject_id", &self.subject_id)
            .finish_non_exhaustive()
    }
}

/// Open a person's ID number. Needs a purpose (at least two characters),
/// `personal_data_decrypt` and the subject within the caller's jurisdiction; every call is
/// logged with its purpose, refused ones too.
pub async fn open_identity(
    app: &App,
    caller: &Caller,
    id: Uuid,
    purpose: &str,
) -> AppResult<IdentityView> {
    let purpose = purpose.trim();
    if purpose.chars().count() < 2 {
        return Err(chengxin_access::AccessError::PurposeRequired.into());
    }
    let subject = app.store.subject(id).await?.ok_or(AppError::NotFound)?;
    let region = subject.region.clone().unwrap_or_else(|| "000000".into());
    let mut e = caller.audit("query", "identity_open", "ok");
    e.target = Some(id.to_string());
    e.detail = serde_json::json!({"purpose": purpose, "subject": id, "returned": 0});
    if let Err(err) = caller.require_at(Permission::PersonalDataDecrypt, &region) {
        e.outcome = "denied".into();
        app.store.audit(&[e]).await?;
        return Err(err.concealing_item());
    }
    let (Some(sealed), Some(hash)) = (app.store.subject_identity(id).await?, subject.id_hash)
    else {
        return Err(AppError::NotFound);
    };
    let number = app
        .pii
        .open_bound(&sealed, &hash)
        .map_err(|err| AppError::Access(err.into()))?;
    e.detail["returned"] = serde_json::json!(1);
    app.store.audit(&[e]).await?;
    Ok(IdentityView {
        subject_id: id,
        id_number: number,
    })
}

/// Whether the public portal may show a subject at all (issue 16 point 1): a body always (its
/// existence is public); a person — a civil servant, another natural person — only through
/// public information about it: a record published to everyone, or an active entry on a public
/// list. A person with none is answered exactly like an unknown subject.
pub async fn shown_publicly(
    store: &dyn chengxin_store::Store,
    subject: &chengxin_domain::subjects::Subject,
) -> AppResult<bool> {
    if !subject.kind.is_person() {
        return Ok(true);
    }
    let records = store.records_of_subject(subject.id).await?;
    if records.iter().any(crate::records::is_public) {
        return Ok(true);
    }
    let joint =
        chengxin_domain::lists::JointCatalog::default_checked().map_err(AppError::unavailable)?;
    Ok(store
        .list_entries(&chengxin_store::ListEntryFilter {
            subject_id: Some(subject.id),
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .iter()
        .any(|e| {
            matches!(e.status.as_str(), "publicity" | "effective")
                && joint
                    .list(&e.list_code)
                    .is_some_and(|l| l.disclosure == chengxin_domain::catalog::Disclosure::Public)
        }))
}
