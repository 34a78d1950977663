//! The portal's rankings (issue 20: "results can be published on the portal, as the office
//! decides"): **published runs only** — a period without a published run is not shown at all,
//! and a period's shown run is its latest published version (a recomputation not yet published
//! never appears). No caller: the portal is public; the lines carry names, totals, grades and
//! ranks, nothing of the explanation.

use chengxin_domain::evaluation::{Period, TargetKind};
use chengxin_store::{EvalRunRow, EvalScoreFilter, Store};
use serde::Serialize;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicLine {
    pub rank: i32,
    pub rank_of: i32,
    pub target: String,
    pub name: String,
    pub score: f64,
    pub grade: String,
}

/// A published period (for the period chooser).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublishedPeriod {
    pub period: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicRanking {
    pub period: String,
    pub period_label: String,
    pub kind: String,
    pub kind_label: String,
    pub run_version: i32,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub lines: Vec<PublicLine>,
    /// Every published period, newest first.
    pub periods: Vec<PublishedPeriod>,
}

/// The latest published run of each period, newest period first.
async fn published_runs(store: &dyn Store) -> AppResult<Vec<EvalRunRow>> {
    let mut runs: Vec<EvalRunRow> = store
        .eval_runs(None, 1000)
        .await?
        .into_iter()
        .filter(|r| r.published)
        .collect();
    runs.sort_by(|a, b| (&b.period, b.run_version).cmp(&(&a.period, a.run_version)));
    runs.dedup_by(|b, a| a.period == b.period);
    Ok(runs)
}

/// The published ranking of a level for `period` (default: the newest published period);
/// `None` when nothing is published (or not for that period).
pub async fn public_ranking(
    store: &dyn Store,
    period: Option<&str>,
    kind: &str,
) -> AppResult<Option<PublicRanking>> {
    let tk = TargetKind::parse(kind).ok_or_else(|| {
        AppError::invalid(
            "target_kind_invalid",
            format!("评价层级“{kind}”无效：可填 province、prefecture、county、township、body"),
        )
    })?;
    let wanted = match period.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(p.parse::<Period>()?.to_string()),
        None => None,
    };
    let runs = published_runs(store).await?;
    let periods = runs
        .iter()
        .map(|r| PublishedPeriod {
            period: r.period.clone(),
            label: r
                .period
                .parse::<Period>()
                .map(|p| p.label())
                .unwrap_or_else(|_| r.period.clone()),
        })
        .collect();
    let run = match &wanted {
        Some(p) => runs.iter().find(|r| &r.period == p),
        None => runs.first(),
    };
    let Some(run) = run else {
        return Ok(None);
    };
    let scores = store
        .eval_scores(
            run.id,
            &EvalScoreFilter {
                target_kind: Some(tk.as_str().into()),
                ..Default::default()
            },
        )
        .await?;
    let mut lines: Vec<PublicLine> = scores
        .into_iter()
        .map(|s| PublicLine {
            rank: s.rank,
            rank_of: s.rank_of,
            target: s.target,
            name: s.target_name,
            score: s.score,
            grade: s.grade,
        })
        .collect();
    lines.sort_by(|a, b| (a.rank, &a.target).cmp(&(b.rank, &b.target)));
    Ok(Some(PublicRanking {
        period_label: run
            .period
            .parse::<Period>()
            .map(|p| p.label())
            .unwrap_or_else(|_| run.period.clone()),
        period: run.period.clone(),
        kind: tk.as_str().into(),
        kind_label: tk.label().into(),
        run_version: run.run_version,
        published_at: run.published_at,
        lines,
        periods,
    }))
}
