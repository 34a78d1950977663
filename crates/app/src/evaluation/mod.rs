//! 政务诚信监测评价 (issue 20): compute a period for every government body and every region
//! they are in, from the platform's own data plus imported figures, with the indicator system
//! as data (`data/evaluation/indicators.toml`); rankings within each level; changes against
//! the previous period and the same period last year; the explanation of every point down to
//! the items; warnings (threshold, sudden drop, z-score over history, and events: a body newly a
//! 失信被执行人, a breached government commitment) through the notification inbox; and the
//! current grade for the check scenarios and the measure 扣减政务诚信得分.
//!
//! **A region's score** comes from its own bodies' data: each source value of a region is the
//! sum of that value over the government bodies within it (by the body's region), and the
//! region's formulas and scoring run on those sums — a region's rate is the pooled rate of
//! its bodies, not the mean of their rates or scores. Imported figures are per target.
//!
//! **Unscored indicators**: an indicator with no data for a target (no imported figure) or
//! whose formula fails (a division by zero) is shown as such with the reason, and the total is
//! scaled to the weights that were scored: total = Σ points × 满分 / Σ weights scored.
//!
//! Reach: `EvaluationsRun` computes, imports and publishes; `ReportsRead` reads, within the
//! caller's region and below (a sibling's target is "not found").

mod apply;
mod compute;
mod explain;
mod gather;
mod imports;
mod packed;
mod public;
mod report;
mod scan;
mod trend;
mod view;
mod warnings;

pub use apply::{
    current_grade, deducted_score, deduction_entries, CurrentGrade, DeductionEntry,
    DEDUCTION_MEASURE, DEDUCTION_POINTS,
};
pub use compute::{compute_period, run as run_period, run_periods, ComputeRequest};
pub use explain::{explain, Explanation, IndicatorExplanation, ItemLink};
pub use imports::{import_figures, parse_figures, FigureRow, ImportOutcome};
pub use public::{public_ranking, PublicLine, PublicRanking, PublishedPeriod};
pub use report::{target_report, EvaluationReport};
pub use trend::{trend, Trend, TrendLine, TREND_PERIODS_MAX};
pub use view::{
    list_runs, publish, ranking, ranking_xlsx, run_of, score_of, warnings_for, RankingLine,
    RankingView,
};
pub use warnings::{event_sweep, sweep as sweep_events, DROP_POINTS, Z_LIMIT};

use std::sync::{Arc, OnceLock};

use chengxin_access::Permission;
use chengxin_domain::evaluation::{EvalError, IndicatorSystem};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

impl From<EvalError> for AppError {
    fn from(e: EvalError) -> Self {
        AppError::invalid(e.code(), e.to_string())
    }
}

static INSTALLED: OnceLock<Arc<IndicatorSystem>> = OnceLock::new();

/// Install this deployment's indicator system (at start-up, before serving); the shipped
/// default otherwise.
pub fn install_system(s: IndicatorSystem) -> bool {
    INSTALLED.set(Arc::new(s)).is_ok()
}

/// The indicator system in effect.
pub fn system() -> AppResult<Arc<IndicatorSystem>> {
    if let Some(s) = INSTALLED.get() {
        return Ok(s.clone());
    }
    static DEFAULT: OnceLock<Result<Arc<IndicatorSystem>, EvalError>> = OnceLock::new();
    DEFAULT
        .get_or_init(|| IndicatorSystem::default_system().map(Arc::new))
        .clone()
        .map_err(AppError::from)
}

/// Whether the caller may read evaluation results of `region` (its region and below).
pub(crate) fn reads(caller: &Caller, region: &str) -> bool {
    caller.reaches(Permission::ReportsRead, region)
        || caller.reaches(Permission::EvaluationsRun, region)
}

pub(crate) fn require_read(caller: &Caller) -> AppResult<()> {
    caller.require_any(&[Permission::ReportsRead, Permission::EvaluationsRun])
}
