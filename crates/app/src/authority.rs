//! In whose name a department may act, and whose jurisdiction a decision falls under: the
//! deployment's delegations (授权代报), the submitter a file is checked against, and the
//! regions of a record (its submitting department's and its deciding authority's).

use std::sync::{Arc, OnceLock};

use chengxin_domain::authority::{standing, Decision, Delegations, NotAuthorised, Party};
use chengxin_domain::catalog::Catalog;
use chengxin_domain::intake::Submitter;
use chengxin_domain::records::Record;
use chengxin_store::Store;

use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};

static SHIPPED: OnceLock<Arc<Delegations>> = OnceLock::new();

/// The shipped delegations (`data/authority/delegations.toml`), shared.
pub fn shipped_delegations() -> AppResult<Arc<Delegations>> {
    if let Some(d) = SHIPPED.get() {
        return Ok(d.clone());
    }
    let d = Delegations::default_checked().map_err(AppError::unavailable)?;
    Ok(SHIPPED.get_or_init(|| Arc::new(d.clone())).clone())
}

/// A body's name as the platform knows it: its subject's name, else the delegation file's.
pub async fn body_name(
    store: &dyn Store,
    delegations: &Delegations,
    uscc: &str,
) -> AppResult<Option<String>> {
    if let Some(s) = store.subject_by_uscc(uscc).await? {
        return Ok(Some(s.name));
    }
    Ok(delegations.name_of(uscc).map(String::from))
}

/// The submitter every row of a file from `uscc` is checked against.
pub async fn submitter(
    store: &dyn Store,
    delegations: Arc<Delegations>,
    uscc: &str,
) -> AppResult<Submitter> {
    let uscc = uscc.trim().to_ascii_uppercase();
    Ok(Submitter {
        name: body_name(store, &delegations, &uscc).await?,
        uscc,
        delegations,
    })
}

/// The regions whose credit offices a record concerns: its submitting department's and, for a
/// type that names its deciding authority by code, that authority's (when it differs). A
/// credit office covering either may act on it.
pub fn record_regions(r: &Record) -> Vec<String> {
    let mut out = vec![uscc_region(&r.source_dept)];
    let authority = Catalog::default_checked()
        .ok()
        .and_then(|c| c.get(&r.type_code))
        .and_then(|t| t.deciding_authority(&r.fields));
    if let Some((code, _)) = authority {
        let region = uscc_region(&code);
        if !out.contains(&region) && region != "000000" {
            out.push(region);
        }
    }
    out
}

/// A correction may not move a record into another authority's name: when the corrected
/// `fields` name another deciding authority than the record does, it must be one the record's
/// submitting department may act for (as at intake).
pub async fn check_correction(
    store: &dyn Store,
    delegations: &Delegations,
    record: &Record,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> AppResult<()> {
    let Some(rt) = Catalog::default_checked()
        .ok()
        .and_then(|c| c.get(&record.type_code))
    else {
        return Ok(());
    };
    let Some((code, name)) = rt.deciding_authority(fields) else {
        return Ok(());
    };
    if rt
        .deciding_authority(&record.fields)
        .is_some_and(|(old, _)| old == code)
    {
        return Ok(());
    }
    let decision = Decision::Record {
        type_code: &record.type_code,
        decided: record.decision_date,
    };
    if standing(delegations, &record.source_dept, &code, decision).is_some() {
        return Ok(());
    }
    let e = NotAuthorised {
        role: rt.authority_role().to_string(),
        authority: Party { name, code },
        submitter: Party {
            name: body_name(store, delegations, &record.source_dept).await?,
            code: record.source_dept.clone(),
        },
    };
    Err(AppError::forbidden(e.code(), e.to_string()))
}

/// A body recognising a list entry through `caller`: the caller's own body, or one it is
/// authorised for (a delegation not restricted to record types); a caller without a body
/// (a credit office) names bodies within its jurisdiction only — checked by the caller.
pub async fn require_recognition_standing(
    store: &dyn Store,
    delegations: &Delegations,
    caller: &Caller,
    body: &str,
    on: chrono::NaiveDate,
) -> AppResult<()> {
    let Some(own) = caller.body.as_deref() else {
        return Ok(());
    };
    if standing(delegations, own, body, Decision::Recognition { on }).is_some() {
        return Ok(());
    }
    let e = NotAuthorised {
        role: "认定部门".into(),
        authority: Party {
            name: body_name(store, delegations, body).await?,
            code: body.trim().to_ascii_uppercase(),
        },
        submitter: Party {
            name: body_name(store, delegations, own).await?,
            code: own.trim().to_ascii_uppercase(),
        },
    };
    Err(AppError::forbidden(e.code(), e.to_string()))
}

/// A department may submit records of `rt` only within its 报送范围 (the delegation file's
/// `[[scopes]]`; a department not listed submits every type): else `type_not_in_scope`,
/// naming the type and the department.
pub async fn require_in_scope(
    store: &dyn Store,
    delegations: &Delegations,
    dept: &str,
    rt: &chengxin_domain::catalog::RecordType,
) -> AppResult<()> {
    if delegations.may_submit_type(dept, &rt.code) {
        return Ok(());
    }
    let e = chengxin_domain::authority::TypeNotInScope {
        type_name: rt.name.clone(),
        submitter: Party {
            name: body_name(store, delegations, dept).await?,
            code: dept.trim().to_ascii_uppercase(),
        },
    };
    Err(AppError::forbidden(e.code(), e.to_string()))
}
