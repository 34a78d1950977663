//! Applying results (Jiangsu 2023 §二(四)): the check scenarios 改革试点, 项目投资, 专项资金安排,
//! 评优评先, 绩效考核 show a body's or region's current grade — its total in the latest
//! published run of the newest period that has one (else of the newest run, marked 未发布) —
//! and the measure 扣减政务诚信得分 (`appraisal_deduction`) acts on the score: when a list entry
//! to which the measure applies (an entry on one of its lists, `data/measures/measures.toml`)
//! is in effect for a government body at the period's end (or the run's day, if earlier), the
//! body's total in that period's run is reduced by [`DEDUCTION_POINTS`] per entry, never below
//! zero ([`deducted_score`]), before grades and ranks; the explanation shows the deduction with
//! a link to each entry ([`deduction_entries`]).

use std::collections::HashMap;

use chengxin_domain::lists::{JointCatalog, ListEntry};
use chengxin_store::{EvalScoreFilter, Store};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Points deducted per applicable entry by the measure 扣减政务诚信得分.
pub const DEDUCTION_POINTS: f64 = 5.0;

/// A target's current evaluation for the check scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CurrentGrade {
    pub target: String,
    pub period: String,
    pub run_version: i32,
    pub published: bool,
    pub score: f64,
    pub grade: String,
    pub rank: i32,
    pub rank_of: i32,
}

/// The current grade of a body (USCC) or region (code), if it was ever evaluated.
pub async fn current_grade(store: &dyn Store, target: &str) -> AppResult<Option<CurrentGrade>> {
    let runs = store.eval_runs(None, 200).await?;
    let mut published: Vec<_> = runs.iter().filter(|r| r.published).collect();
    published.sort_by(|a, b| (&b.period, b.run_version).cmp(&(&a.period, a.run_version)));
    let mut all: Vec<_> = runs.iter().collect();
    all.sort_by(|a, b| (&b.period, b.run_version).cmp(&(&a.period, a.run_version)));
    for run in published.into_iter().chain(all) {
        let s = store
            .eval_scores(
                run.id,
                &EvalScoreFilter {
                    target: Some(target.to_string()),
                    ..Default::default()
                },
            )
            .await?;
        if let Some(s) = s.into_iter().next() {
            return Ok(Some(CurrentGrade {
                target: target.to_string(),
                period: run.period.clone(),
                run_version: run.run_version,
                published: run.published,
                score: s.score,
                grade: s.grade,
                rank: s.rank,
                rank_of: s.rank_of,
            }));
        }
    }
    Ok(None)
}

/// The score after the measure 扣减政务诚信得分 for `entries` applicable entries.
pub fn deducted_score(score: f64, entries: usize) -> f64 {
    let d = DEDUCTION_POINTS * entries as f64;
    (((score - d).max(0.0)) * 100.0).round() / 100.0
}

/// The measure whose entries deduct from a body's score.
pub const DEDUCTION_MEASURE: &str = "appraisal_deduction";

/// One list entry for which the measure 扣减政务诚信得分 reduced a body's score.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DeductionEntry {
    pub entry_id: Uuid,
    pub list_code: String,
    pub list_name: String,
    pub effective_from: Option<NaiveDate>,
    /// Points deducted for it ([`DEDUCTION_POINTS`]).
    pub points: f64,
    /// The entry's console page.
    pub link: String,
}

/// The entries to which the measure applies, in effect on `on`, per body (USCC): taken effect
/// by then and not removed or expired by then.
pub async fn deduction_entries(
    store: &dyn Store,
    on: NaiveDate,
) -> AppResult<HashMap<String, Vec<DeductionEntry>>> {
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let Some(measure) = joint.measure(DEDUCTION_MEASURE) else {
        return Ok(HashMap::new());
    };
    let mut out: HashMap<String, Vec<DeductionEntry>> = HashMap::new();
    for row in store.eval_body_entries(&measure.lists).await? {
        let Ok(e) = serde_json::from_value::<ListEntry>(row.entry.entry.clone()) else {
            tracing::warn!(entry = %row.entry.id, "a list entry that does not read as an entry");
            continue;
        };
        let Some(from) = e.effective_from else {
            continue;
        };
        let in_effect = from <= on
            && e.removed_on.is_none_or(|r| r > on)
            && e.effective_until.is_none_or(|u| u >= on);
        if !in_effect {
            continue;
        }
        out.entry(row.body_uscc).or_default().push(DeductionEntry {
            entry_id: row.entry.id,
            list_name: joint
                .list(&row.entry.list_code)
                .map(|l| l.name.clone())
                .unwrap_or_else(|| row.entry.list_code.clone()),
            list_code: row.entry.list_code,
            effective_from: Some(from),
            points: DEDUCTION_POINTS,
            link: format!("/console/lists/{}", row.entry.id),
        });
    }
    Ok(out)
}
