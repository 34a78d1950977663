//! Check / intercept (核查拦截): a scenario plus up to 10,000 parties → per party a verdict,
//! the matching list entries and records with why each matched, and the measures that apply.
//! Every check gets an id and is query-logged; its outcome can be reported back.
//!
//! What a check may tell (issue 16 points 1 and 6): only the list entries and records the
//! caller may see ([`audience`]: public information for an external platform, 政务共享 too for
//! government callers holding `records_read_shared`), never that a person exists; a token
//! checks at most its daily quota of parties ([`usage`]); a burst of near-identical ID
//! numbers (a mask being enumerated) is refused and audited.

use std::time::{Duration, Instant};

use chengxin_access::{AccessError, Permission};
use chengxin_checks::{evaluate, Audience, PartyInput, PartyResult, MAX_PARTIES};
use chengxin_domain::lists::{JointCatalog, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Via};
use crate::error::{AppError, AppResult};
use crate::App;

pub mod usage;

/// What the caller may see in a check's results: 政务共享 information with
/// `records_read_shared` (or `records_read_nonpublic`), 授权查询 information with
/// `records_read_nonpublic`; public information otherwise.
pub fn audience(caller: &Caller) -> Audience {
    let nonpublic = caller.has(Permission::RecordsReadNonpublic);
    Audience {
        shared: nonpublic || caller.has(Permission::RecordsReadShared),
        authorised: nonpublic,
    }
}

/// Refuse (and audit) a burst of near-identical ID numbers from this caller: the numbers
/// behind a mask being tried one by one.
async fn refuse_enumeration(app: &App, caller: &Caller, parties: &[PartyInput]) -> AppResult<()> {
    let numbers: Vec<String> = parties
        .iter()
        .filter_map(|p| p.id_number.as_deref())
        .map(|n| n.trim().to_ascii_uppercase())
        .collect();
    if numbers.is_empty() {
        return Ok(());
    }
    let (verdict, settings) = {
        let mut guard = app
            .probes
            .lock()
            .map_err(|_| AppError::Unavailable("核查防枚举记录不可用".into()))?;
        (
            guard.admit(
                &caller.actor,
                numbers.iter().map(String::as_str),
                Instant::now(),
            ),
            guard.settings(),
        )
    };
    let Err(probe) = verdict else {
        return Ok(());
    };
    tracing::warn!(target: crate::LOG_TARGET, actor = %caller.actor, similar = probe.similar,
        pattern = probe.pattern, "ID-number enumeration refused");
    let mut e = caller.audit("query", "id_enumeration_refused", "denied");
    e.detail = serde_json::json!({
        "pattern": probe.pattern,
        "example": probe.masked,
        "similar": probe.similar,
        "id_numbers_in_request": numbers.len(),
        "parties_in_request": parties.len(),
        "window_seconds": settings.window.as_secs(),
        "max_similar": settings.max_similar,
    });
    app.store.audit(&[e]).await?;
    Err(AccessError::IdEnumeration {
        similar: probe.similar,
    }
    .into())
}

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
    /// The scenarios 评优评先, 专项资金安排, 项目投资, 改革试点, 绩效考核: each government
    /// body's current 政务诚信 grade (its latest published evaluation; issue 20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluations: Vec<crate::evaluation::CurrentGrade>,
}

/// The scenarios that show a body's current evaluation grade (Jiangsu 2023 §二(四)).
pub const EVALUATION_SCENARIOS: [&str; 5] = [
    "awards",
    "fiscal_funds",
    "project_investment",
    "reform_pilot",
    "performance_appraisal",
];

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
    refuse_enumeration(app, caller, &req.parties).await?;
    if let Via::Token {
        token_id,
        daily_quota,
    } = &caller.via
    {
        let n = u64::try_from(req.parties.len()).unwrap_or(u64::MAX);
        app.usage
            .take(app.store.as_ref(), *token_id, app.today(), *daily_quota, n)
            .await?;
    }
    app.checks
        .fresh(app.store.as_ref(), Duration::from_millis(500))
        .await?;
    let bodies: Vec<String> = if EVALUATION_SCENARIOS.contains(&scenario.code.as_str()) {
        req.parties
            .iter()
            .filter_map(|p| p.uscc.as_deref())
            .map(|u| u.trim().to_ascii_uppercase())
            .filter(|u| chengxin_domain::commitments::is_government_uscc(u))
            .collect()
    } else {
        Vec::new()
    };
    let mut evaluations = Vec::new();
    for b in &bodies {
        if let Some(g) = crate::evaluation::current_grade(app.store.as_ref(), b).await? {
            if g.published {
                evaluations.push(g);
            }
        }
    }
    let results = evaluate(
        &app.checks,
        &app.id_hasher,
        joint,
        &scenario.code,
        req.parties,
        audience(caller),
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
        evaluations,
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
