//! The parties of a PPP project or a 失信被执行人 case: a body by USCC, checked to be a
//! government body where the rule asks for one, found among the subjects or registered.

use chengxin_domain::codes::uscc;
use chengxin_domain::ppp::PppError;
use chengxin_domain::regions::RegionTable;
use chengxin_domain::subjects::{Subject, SubjectKind};
use chengxin_store::NewSubject;

use crate::auth::{uscc_region, Caller};
use crate::commitments::text;
use crate::error::{AppError, AppResult};
use crate::App;

/// A USCC, normalised, or `{what}统一社会信用代码无效`.
pub(crate) fn code(raw: &str, what: &str, err: &'static str) -> AppResult<String> {
    uscc::parse(raw.trim(), RegionTable::national())
        .map(|p| p.code)
        .map_err(|e| AppError::invalid(err, format!("{what}统一社会信用代码无效：{e}")))
}

/// Whether the subject kind is a government body or public institution.
fn is_gov_kind(k: SubjectKind) -> bool {
    matches!(k, SubjectKind::GovBody | SubjectKind::Institution)
}

/// A government body by USCC (登记管理部门 1, and not registered as anything else): the
/// registered subject, or registered now under `name`. `not_gov`: the code of the refusal.
pub(crate) async fn gov_body(
    app: &App,
    caller: &Caller,
    raw: &str,
    name: Option<&str>,
    what: &'static str,
    not_gov: &'static str,
) -> AppResult<Subject> {
    let code = code(raw, what, "uscc_invalid")?;
    if !chengxin_domain::commitments::is_government_uscc(&code) {
        return Err(PppError::NotGovernment(code, not_gov).into());
    }
    match app.store.subject_by_uscc(&code).await? {
        Some(s) if is_gov_kind(s.kind) => Ok(s),
        Some(s) => Err(PppError::NotGovernment(s.name, not_gov).into()),
        None => {
            let name = name
                .map(|n| text(n, "单位名称（该单位尚未登记为信用主体）", 200))
                .transpose()?
                .ok_or(chengxin_domain::commitments::CommitmentError::Required(
                    "单位名称（该单位尚未登记为信用主体）",
                ))?;
            let kind = if code.chars().nth(1) == Some('1') {
                SubjectKind::GovBody
            } else {
                SubjectKind::Institution
            };
            Ok(app
                .store
                .create_subject(
                    &caller.actor,
                    NewSubject {
                        kind: Some(kind),
                        name,
                        uscc: Some(code.clone()),
                        id_hash: None,
                        id_masked: None,
                        region: Some(uscc_region(&code)),
                        parent_id: None,
                        former_names: Vec::new(),
                    },
                )
                .await?)
        }
    }
}

/// The region of a body (its own, else from its USCC).
pub(crate) fn region_of(s: &Subject) -> String {
    s.region
        .clone()
        .or_else(|| s.uscc.as_deref().map(uscc_region))
        .unwrap_or_else(|| "000000".into())
}
