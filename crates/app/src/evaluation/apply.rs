//! Applying results (Jiangsu 2023 §二(四)): the check scenarios 改革试点, 项目投资, 专项资金安排,
//! 评优评先, 绩效考核 show a body's or region's current grade — its total in the latest
//! published run of the newest period that has one (else of the newest run, marked 未发布) —
//! and the measure 扣减政务诚信得分 (`appraisal_deduction`) deducts [`DEDUCTION_POINTS`] per
//! applicable list entry or record of the body from that total, never below zero: the
//! performance appraisal uses the deducted score; the stored evaluation is not changed.

use chengxin_store::{EvalScoreFilter, Store};
use serde::Serialize;

use crate::error::AppResult;

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
