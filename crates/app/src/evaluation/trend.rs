//! The trend of a ranking's targets (the dashboard's lines): each target's total over the
//! periods up to the one shown — per period the published run, else its latest
//! (`eval_period_totals`), so the line is what the ranking of each period shows.

use std::collections::HashMap;

use chengxin_domain::evaluation::Period;
use serde::Serialize;

use super::{require_read, RankingView};
use crate::auth::Caller;
use crate::error::AppResult;
use crate::App;

/// At most this many periods on one chart.
pub const TREND_PERIODS_MAX: usize = 36;

/// One target's line.
#[derive(Debug, Clone, Serialize)]
pub struct TrendLine {
    pub target: String,
    pub name: String,
    /// One value per period of [`Trend::periods`]; `None` where the period has no score.
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// Oldest first, ending with the ranking's period.
    pub periods: Vec<String>,
    pub lines: Vec<TrendLine>,
}

/// The totals of the ranking's own targets (already within the caller's reach) over the `n`
/// periods ending with its period.
pub async fn trend(app: &App, caller: &Caller, view: &RankingView, n: usize) -> AppResult<Trend> {
    require_read(caller)?;
    let n = n.clamp(1, TREND_PERIODS_MAX);
    let mut p: Period = view.run.period.parse()?;
    let mut periods = vec![p];
    while periods.len() < n {
        p = p.previous();
        periods.push(p);
    }
    periods.reverse();
    let mut totals: Vec<HashMap<String, f64>> = Vec::with_capacity(periods.len());
    for p in &periods {
        totals.push(
            app.store
                .eval_period_totals(&p.to_string())
                .await?
                .into_iter()
                .collect(),
        );
    }
    let lines = view
        .lines
        .iter()
        .map(|l| TrendLine {
            target: l.target.clone(),
            name: l.name.clone(),
            values: totals.iter().map(|t| t.get(&l.target).copied()).collect(),
        })
        .collect();
    Ok(Trend {
        periods: periods.iter().map(|p| p.to_string()).collect(),
        lines,
    })
}
