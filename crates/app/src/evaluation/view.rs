//! Reading runs: the list, the run a period shows (its published run, else its latest), the
//! ranking of a level with the change against the previous period and the same period last
//! year, its XLSX export, publication, and warnings — all within the caller's reach.

use std::collections::HashMap;

use chengxin_access::Permission;
use chengxin_domain::evaluation::{Period, TargetKind};
use chengxin_store::{EvalRunRow, EvalScoreFilter, EvalScoreRow, EvalWarningRow, Store};
use serde::Serialize;
use uuid::Uuid;

use super::{reads, require_read};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

pub async fn list_runs(
    app: &App,
    caller: &Caller,
    period: Option<&str>,
) -> AppResult<Vec<EvalRunRow>> {
    require_read(caller)?;
    if let Some(p) = period {
        p.parse::<Period>()?;
    }
    Ok(app.store.eval_runs(period, 200).await?)
}

/// The run a period shows: its latest published run, else its latest run.
pub async fn run_of(store: &dyn Store, period: &str) -> AppResult<Option<EvalRunRow>> {
    let runs = store.eval_runs(Some(period), 1000).await?;
    Ok(runs
        .iter()
        .filter(|r| r.published)
        .max_by_key(|r| r.run_version)
        .or_else(|| runs.iter().max_by_key(|r| r.run_version))
        .cloned())
}

/// A run by id, or the one a period shows.
pub(crate) async fn pick_run(
    store: &dyn Store,
    run: Option<Uuid>,
    period: Option<&str>,
) -> AppResult<EvalRunRow> {
    match (run, period) {
        (Some(id), _) => store.eval_run(id).await?.ok_or(AppError::NotFound),
        (None, Some(p)) => {
            let p: Period = p.parse()?;
            run_of(store, &p.to_string())
                .await?
                .ok_or(AppError::NotFound)
        }
        (None, None) => Err(AppError::invalid(
            "period_required",
            "请指定评价期间（如 2026-11）或评价批次",
        )),
    }
}

pub async fn publish(
    app: &App,
    caller: &Caller,
    id: Uuid,
    expected_version: i64,
) -> AppResult<EvalRunRow> {
    caller.require(Permission::EvaluationsRun)?;
    super::compute::require_whole_deployment(app, caller).await?;
    let run = app.store.eval_run(id).await?.ok_or(AppError::NotFound)?;
    if run.published {
        return Err(AppError::conflict(
            "run_already_published",
            "该评价结果已发布，发布后不再更改；如需更正请重新计算（生成新版本）",
        ));
    }
    Ok(app
        .store
        .publish_eval_run(
            &caller.actor,
            id,
            expected_version,
            chengxin_store::clock::now(),
        )
        .await?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankingLine {
    pub rank: i32,
    pub rank_of: i32,
    pub target: String,
    pub name: String,
    pub region: String,
    pub score: f64,
    pub grade: String,
    /// The previous period's total (its published run, else its latest).
    pub previous: Option<f64>,
    pub change: Option<f64>,
    /// The same period last year.
    pub last_year: Option<f64>,
    pub change_year: Option<f64>,
    /// Points per dimension code.
    #[schema(value_type = Object)]
    pub dimensions: serde_json::Value,
    pub unscored: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankingView {
    #[schema(value_type = Object)]
    pub run: EvalRunRow,
    pub kind: String,
    pub kind_label: String,
    pub lines: Vec<RankingLine>,
}

fn diff(a: f64, b: Option<f64>) -> Option<f64> {
    b.map(|b| ((a - b) * 100.0).round() / 100.0)
}

/// The ranking of one level (target kind) in a run, within the caller's reach.
pub async fn ranking(
    app: &App,
    caller: &Caller,
    run: Option<Uuid>,
    period: Option<&str>,
    kind: &str,
) -> AppResult<RankingView> {
    require_read(caller)?;
    let tk = TargetKind::parse(kind).ok_or_else(|| {
        AppError::invalid(
            "target_kind_invalid",
            format!("评价层级“{kind}”无效：可填 province、prefecture、county、township、body"),
        )
    })?;
    let store = app.store.as_ref();
    let run = pick_run(store, run, period).await?;
    let scores = store
        .eval_scores(
            run.id,
            &EvalScoreFilter {
                target_kind: Some(tk.as_str().into()),
                region_prefix: Some(caller.region_prefix()),
                target: None,
            },
        )
        .await?;
    let p: Period = run.period.parse()?;
    let prev: HashMap<String, f64> = store
        .eval_period_totals(&p.previous().to_string())
        .await?
        .into_iter()
        .collect();
    let last: HashMap<String, f64> = store
        .eval_period_totals(&p.last_year().to_string())
        .await?
        .into_iter()
        .collect();
    let lines = scores
        .into_iter()
        .filter(|s| reads(caller, &s.region))
        .map(|s| line(s, &prev, &last))
        .collect();
    Ok(RankingView {
        run,
        kind: tk.as_str().into(),
        kind_label: tk.label().into(),
        lines,
    })
}

fn line(s: EvalScoreRow, prev: &HashMap<String, f64>, last: &HashMap<String, f64>) -> RankingLine {
    let previous = prev.get(&s.target).copied();
    let last_year = last.get(&s.target).copied();
    RankingLine {
        rank: s.rank,
        rank_of: s.rank_of,
        change: diff(s.score, previous),
        change_year: diff(s.score, last_year),
        previous,
        last_year,
        dimensions: serde_json::from_str(&s.dimensions).unwrap_or(serde_json::Value::Null),
        target: s.target,
        name: s.target_name,
        region: s.region,
        score: s.score,
        grade: s.grade,
        unscored: s.unscored,
    }
}

/// A target's total in a run, if within reach (else not found).
pub async fn score_of(
    app: &App,
    caller: &Caller,
    run_id: Uuid,
    target: &str,
) -> AppResult<EvalScoreRow> {
    require_read(caller)?;
    let s = app
        .store
        .eval_scores(
            run_id,
            &EvalScoreFilter {
                target: Some(target.to_string()),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    if !reads(caller, &s.region) {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// The ranking as an XLSX workbook: (file name, bytes).
pub fn ranking_xlsx(v: &RankingView) -> AppResult<(String, Vec<u8>)> {
    let system = super::system()?;
    let mut headers: Vec<String> = [
        "名次",
        "参评数",
        "评价对象",
        "代码",
        "得分",
        "等次",
        "上期得分",
        "较上期",
        "上年同期",
        "较上年同期",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for d in &system.dimensions {
        headers.push(format!("{}（{}分）", d.name, d.weight));
    }
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_default();
    let rows: Vec<Vec<String>> = v
        .lines
        .iter()
        .map(|l| {
            let mut r = vec![
                l.rank.to_string(),
                l.rank_of.to_string(),
                l.name.clone(),
                l.target.clone(),
                format!("{:.2}", l.score),
                l.grade.clone(),
                opt(l.previous),
                opt(l.change),
                opt(l.last_year),
                opt(l.change_year),
            ];
            for d in &system.dimensions {
                r.push(
                    l.dimensions
                        .get(&d.code)
                        .and_then(|x| x.as_f64())
                        .map(|x| format!("{x:.2}"))
                        .unwrap_or_default(),
                );
            }
            r
        })
        .collect();
    let hdr: Vec<&str> = headers.iter().map(|s| s.as_str()).collect();
    let bytes = chengxin_ingest::report::write_table_xlsx("政务诚信评价排名", &hdr, rows)
        .map_err(AppError::unavailable)?;
    Ok((
        format!(
            "政务诚信评价-{}-{}-第{}版.xlsx",
            v.run.period, v.kind_label, v.run.run_version
        ),
        bytes,
    ))
}

/// Warnings within the caller's reach, newest first.
pub async fn warnings_for(app: &App, caller: &Caller) -> AppResult<Vec<EvalWarningRow>> {
    require_read(caller)?;
    Ok(app
        .store
        .eval_warnings(&caller.region_prefix(), 500)
        .await?
        .into_iter()
        .filter(|w| reads(caller, &w.region))
        .collect())
}
