//! Evaluating parties (核查): each party given is validated and normalised, looked up in the
//! index and assessed in the scenario — a verdict, its matches with why, and the measures.

use chengxin_domain::codes::{id_number, uscc};
use chengxin_domain::lists::{Assessment, JointCatalog};
use chengxin_domain::regions::RegionTable;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{CheckError, CheckResult};
use crate::found::{Audience, Found, PartyQuery};
use crate::index::CheckIndex;

/// At most this many parties per check.
pub const MAX_PARTIES: usize = 10_000;
/// Longest name accepted (characters).
const MAX_NAME: usize = 200;

#[derive(Debug, Deserialize, ToSchema)]
pub struct PartyInput {
    /// 统一社会信用代码.
    pub uscc: Option<String>,
    /// 居民身份证号码 (hashed at once; never stored or echoed in clear).
    pub id_number: Option<String>,
    /// Name (fuzzy, explained matching).
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyResult {
    pub index: usize,
    /// The party as given, ID number masked.
    #[schema(value_type = Object)]
    pub input: serde_json::Value,
    /// `pass`, `warn` or `intercept`.
    pub verdict: String,
    pub verdict_label: String,
    pub matches: Vec<Found>,
    #[schema(value_type = Object)]
    pub assessment: Option<Assessment>,
    /// A party that could not be checked (bad code, over-long name …).
    #[schema(value_type = Object)]
    pub error: Option<serde_json::Value>,
}

fn bad_party(index: usize, input: serde_json::Value, code: &str, message: String) -> PartyResult {
    PartyResult {
        index,
        input,
        verdict: "error".into(),
        verdict_label: "无法核查".into(),
        matches: Vec::new(),
        assessment: None,
        error: Some(serde_json::json!({"code": code, "message": message})),
    }
}

/// Check parties against the index in a scenario (shared by the API and `chengxin check`),
/// reporting — and assessing on — only what `audience` may see: an external platform gets
/// public information, and a person with nothing it may see answers exactly like an unknown
/// ID number.
pub fn evaluate(
    index: &CheckIndex,
    hasher: &chengxin_domain::subjects::IdHasher,
    joint: &JointCatalog,
    scenario: &str,
    parties: Vec<PartyInput>,
    audience: Audience,
) -> CheckResult<Vec<PartyResult>> {
    let regions = RegionTable::national();
    let today = chengxin_store::clock::today_in_china();
    let mut results = Vec::with_capacity(parties.len());
    for (index_no, p) in parties.into_iter().enumerate() {
        let input = serde_json::json!({
            "uscc": p.uscc,
            "id_number": p.id_number.as_deref().map(id_number::mask),
            "name": p.name,
        });
        let mut q = PartyQuery {
            audience,
            ..Default::default()
        };
        if let Some(u) = p.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            let u = u.to_ascii_uppercase();
            if let Err(e) = uscc::parse(&u, regions) {
                results.push(bad_party(
                    index_no,
                    input,
                    "invalid_uscc",
                    format!("统一社会信用代码无效：{e}"),
                ));
                continue;
            }
            q.uscc = Some(u);
        }
        if let Some(i) = p
            .id_number
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
        {
            let i = i.to_ascii_uppercase();
            if let Err(e) = id_number::parse(&i, regions, today) {
                results.push(bad_party(
                    index_no,
                    input,
                    "invalid_id_number",
                    format!("居民身份证号码无效：{e}"),
                ));
                continue;
            }
            q.id_hash = Some(hasher.hash(&i));
        }
        if let Some(n) = p.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            if n.chars().count() > MAX_NAME {
                results.push(bad_party(
                    index_no,
                    input,
                    "name_too_long",
                    format!("名称超过 {MAX_NAME} 个字符"),
                ));
                continue;
            }
            q.name = Some(n.to_string());
        }
        if q.uscc.is_none() && q.id_hash.is_none() && q.name.is_none() {
            results.push(bad_party(
                index_no,
                input,
                "party_empty",
                "须提供统一社会信用代码、身份证号码或名称之一".into(),
            ));
            continue;
        }
        let matches = index.lookup(&q)?;
        let hits: Vec<_> = matches.iter().flat_map(Found::hits).collect();
        let assessment = joint
            .assess(scenario, &hits)
            .map_err(|e| CheckError::Unavailable(e.to_string()))?;
        results.push(PartyResult {
            index: index_no,
            input,
            verdict: assessment.verdict.code().to_string(),
            verdict_label: assessment.verdict.label().to_string(),
            matches,
            assessment: Some(assessment),
            error: None,
        });
    }
    Ok(results)
}
