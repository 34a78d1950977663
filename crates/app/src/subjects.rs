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

/// The most bodies [`gov_bodies_in_reach`] lists (a city has a few thousand).
pub const BODY_CHOICES_MAX: i64 = 5_000;

/// The government bodies (机关, incl. 乡镇/街道) registered within the caller's region, as
/// `(USCC, name)` by name: what a console form offers to pick a promisor, an owner, an issuer or
/// a debtor from by its name (issue 17: bodies are picked from a list, never typed as codes).
/// Bodies without a 统一社会信用代码 cannot be picked and are left out.
pub async fn gov_bodies_in_reach(app: &App, caller: &Caller) -> AppResult<Vec<(String, String)>> {
    let prefix = caller.region_prefix();
    let found = app
        .store
        .list_subjects(&chengxin_store::SubjectFilter {
            kind: Some(chengxin_domain::subjects::SubjectKind::GovBody),
            region_prefix: (!prefix.is_empty()).then_some(prefix),
            limit: BODY_CHOICES_MAX,
            ..Default::default()
        })
        .await?;
    let mut out: Vec<(String, String)> = found
        .into_iter()
        .filter_map(|s| s.uscc.map(|u| (u, s.name)))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}
