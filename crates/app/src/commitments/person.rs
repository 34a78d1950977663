//! A natural person as the promisor of a 信用承诺 (告知承诺, issue 18): found by the keyed hash
//! of the ID number, or registered now as a natural-person subject (masked number, region of
//! first registration, the number sealed for those entitled to open it through the subject's
//! identity view, with a purpose and query-logged). The number in clear lives only in memory
//! here: it is never written to the commitment, a page, an export, a log line or the change log.

use chengxin_domain::codes::id_number::IdNumber;
use chengxin_domain::commitments::CommitmentError;
use chengxin_domain::subjects::{Subject, SubjectKind};
use chengxin_store::NewSubject;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// The person's subject (registered now if new: then `name` is needed).
pub(crate) async fn subject(
    app: &App,
    caller: &Caller,
    id: &IdNumber,
    name: Option<String>,
) -> AppResult<Subject> {
    let hash = app.id_hasher.hash(id.number());
    if let Some(s) = app.store.subject_by_id_hash(&hash).await? {
        return Ok(s);
    }
    let name = name.ok_or(CommitmentError::Required(
        "承诺人姓名（该自然人尚未登记为信用主体）",
    ))?;
    let sealed = app
        .pii
        .seal_bound(id.number(), &hash)
        .map_err(|e| AppError::Access(e.into()))?;
    let s = app
        .store
        .create_subject(
            &caller.actor,
            NewSubject {
                kind: Some(SubjectKind::Individual),
                name,
                uscc: None,
                id_hash: Some(hash),
                id_masked: Some(id.masked()),
                region: id.number().get(0..6).map(String::from),
                parent_id: None,
                former_names: Vec::new(),
            },
        )
        .await?;
    app.store
        .set_subject_identity(&caller.actor, s.id, &sealed)
        .await?;
    Ok(s)
}
