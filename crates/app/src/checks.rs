//! Check / intercept (核查拦截): a scenario plus up to 10,000 parties → per party a verdict,
//! the matching list entries and records with why each matched, and the measures that apply.
//! Every check gets an id and is query-logged; its outcome can be reported back.

use std::time::Duration;

use chengxin_access::Permission;
use chengxin_checks::{evaluate, PartyInput, PartyResult, MAX_PARTIES};
use chengxin_domain::lists::{JointCatalog, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckRequest {
    /// Scenario code, e.g. `government_procurement` (see `data/measures/measures.toml`).
    pub scenario: String,
    pub parties: Vec<PartyInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    pub check_id: Uuid,
    pub scenario: String,
    pub scenario_name: String,
    pub intercepted: usize,
    pub warned: usize,
    pub results: Vec<PartyResult>,
}

/// Check parties in a scenario against an index at most half a second behind the store.
/// The check is query-logged through the buffered writer (one transaction per flush).
pub async fn check(app: &App, caller: &Caller, req: CheckRequest) -> AppResult<CheckResponse> {
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let scenario = joint.scenario(&req.scenario).ok_or_else(|| {
        AppError::invalid(
            "unknown_scenario",
            format!("未知的核查场景“{}”", req.scenario),
        )
    })?;
    if req.parties.is_empty() || req.parties.len() > MAX_PARTIES {
        return Err(AppError::invalid(
            "party_count",
            format!(
                "每次核查 1 至 {MAX_PARTIES} 个对象，本次 {} 个",
                req.parties.len()
            ),
        ));
    }
    app.checks
        .fresh(app.store.as_ref(), Duration::from_millis(500))
        .await?;
    let results = evaluate(
        &app.checks,
        &app.id_hasher,
        joint,
        &scenario.code,
        req.parties,
    )?;
    let intercepted = results
        .iter()
        .filter(|r| r.verdict == Verdict::Intercept.code())
        .count();
    let warned = results
        .iter()
        .filter(|r| r.verdict == Verdict::Warn.code())
        .count();
    let check_id = Uuid::now_v7();
    let mut e = caller.audit("query", "check", "ok");
    e.target = Some(check_id.to_string());
    e.detail = serde_json::json!({
        "scenario": scenario.code,
        "parties": results.len(),
        "intercepted": intercepted,
        "warned": warned,
        "matched_subjects": results.iter().flat_map(|r| r.matches.iter().map(|m| m.subject_id)).collect::<Vec<_>>(),
    });
    // Query-logged through the buffered writer: one transaction per flush, not per check.
    app.audit_queue.push(e);
    Ok(CheckResponse {
        check_id,
        scenario: scenario.code.clone(),
        scenario_name: scenario.name.clone(),
        intercepted,
        warned,
        results,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OutcomeReport {
    /// What was done, e.g. `disqualified`, `admitted_after_review`.
    pub outcome: String,
    pub note: Option<String>,
}

/// Record what was done with a check's result (闭环反馈): the check must be one the caller ran
/// (its query-log event names the caller), the outcome given; the report is query-logged.
pub async fn outcome(app: &App, caller: &Caller, id: Uuid, req: &OutcomeReport) -> AppResult<()> {
    if req.outcome.trim().is_empty() {
        return Err(AppError::invalid("outcome_required", "须填写处理结果"));
    }
    app.audit_queue.flush(app.store.as_ref()).await?;
    // Only whoever ran the check reports what was done with it: another caller's check (a
    // sibling region's platform, say) is not found.
    let mine = app
        .store
        .audit_events(&chengxin_store::AuditFilter {
            action: Some("check".into()),
            kind: Some("query".into()),
            target: Some(id.to_string()),
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .iter()
        .any(|e| e.actor == caller.actor);
    if !mine {
        return Err(AppError::NotFound);
    }
    caller.require(Permission::ChecksRun)?;
    let mut e = caller.audit("query", "check_outcome", "ok");
    e.target = Some(id.to_string());
    e.detail = serde_json::json!({"outcome": req.outcome.trim(), "note": req.note});
    app.store.audit(&[e]).await?;
    Ok(())
}
