//! Check / intercept (核查拦截): a scenario plus up to 10,000 parties → per party a verdict,
//! the matching list entries and records with why each matched, and the measures that apply.
//! Every check gets an id and is query-logged; its outcome can be reported back.

use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use chengxin_access::Permission;
use chengxin_checks::{evaluate, PartyInput, PartyResult, MAX_PARTIES};
use chengxin_domain::lists::{JointCatalog, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::json_error;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::AppState;

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

/// Check parties in a scenario.
#[utoipa::path(post, path = "/api/v1/checks", tag = "checks", request_body = CheckRequest,
    security(("bearer" = [])),
    responses((status = 200, body = CheckResponse), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CheckRequest>, JsonRejection>,
) -> ApiResult<Json<CheckResponse>> {
    let Json(req) = body.map_err(json_error)?;
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
        )
        .into());
    }
    state
        .checks
        .fresh(state.store.as_ref(), Duration::from_millis(500))
        .await?;
    let results = evaluate(
        &state.checks,
        &state.id_hasher,
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
    state.audit_queue.push(e);
    Ok(Json(CheckResponse {
        check_id,
        scenario: scenario.code.clone(),
        scenario_name: scenario.name.clone(),
        intercepted,
        warned,
        results,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OutcomeReport {
    /// What was done, e.g. `disqualified`, `admitted_after_review`.
    pub outcome: String,
    pub note: Option<String>,
}

/// Report back what was done with a check's result (闭环反馈).
#[utoipa::path(post, path = "/api/v1/checks/{id}/outcome", tag = "checks", request_body = OutcomeReport,
    params(("id" = String, Path, description = "Check id")), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<OutcomeReport>, JsonRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| AppError::invalid("invalid_id", format!("“{id}”不是合法的编号")))?;
    let Json(req) = body.map_err(json_error)?;
    if req.outcome.trim().is_empty() {
        return Err(AppError::invalid("outcome_required", "须填写处理结果").into());
    }
    state.audit_queue.flush(state.store.as_ref()).await?;
    let known = !state
        .store
        .audit_events(&chengxin_store::AuditFilter {
            action: Some("check".into()),
            kind: Some("query".into()),
            target: Some(id.to_string()),
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .is_empty();
    if !known {
        return Err(AppError::NotFound.into());
    }
    caller.require(Permission::ChecksRun)?;
    let mut e = caller.audit("query", "check_outcome", "ok");
    e.target = Some(id.to_string());
    e.detail = serde_json::json!({"outcome": req.outcome.trim(), "note": req.note});
    state.store.audit(&[e]).await?;
    Ok(Json(serde_json::json!({"check_id": id, "recorded": true})))
}
