//! Every point explained: a target's total in a run → each dimension → each indicator (its
//! points, the points lost, the formula and scoring method) → the source values it used (as
//! computed) → the items behind them (records, commitments, arrears, list entries, work items,
//! objections, court cases), each with its link. Items are read again for the run's period as of
//! the run's day; where a correction since then changed a count, the explanation says so.

use std::collections::{BTreeSet, HashMap};

use chengxin_domain::evaluation::{round2, sources, Period, TargetKind};
use serde::Serialize;
use uuid::Uuid;

use super::gather::{counts_for, gather_for};
use super::view::pick_run;
use crate::auth::uscc_region;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// Items shown per indicator (the count says how many there are).
pub const ITEMS_SHOWN: usize = 200;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemLink {
    pub family: String,
    pub family_name: String,
    pub body_uscc: String,
    pub body_name: String,
    pub title: String,
    pub on: chrono::NaiveDate,
    pub tag: String,
    pub link: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InputValue {
    pub name: String,
    pub label: String,
    /// As computed (`None`: no value, e.g. no imported figure).
    pub value: Option<f64>,
    /// As the data stands now, where it differs.
    pub now: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorExplanation {
    pub code: String,
    pub name: String,
    pub dimension: String,
    pub weight: f64,
    pub points: f64,
    pub lost: f64,
    pub value: Option<f64>,
    pub unit: String,
    pub status: String,
    pub note: Option<String>,
    pub formula: String,
    pub scoring: String,
    pub inputs: Vec<InputValue>,
    pub items: Vec<ItemLink>,
    pub items_total: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DimensionLine {
    pub code: String,
    pub name: String,
    pub weight: f64,
    pub points: f64,
    pub lost: f64,
}

/// The measure 扣减政务诚信得分 on a body's total: the total before it, the points deducted and
/// the entries (read again as of the run's day; where they differ from the stored deduction, a
/// note says so).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeductionExplanation {
    pub before: f64,
    pub points: f64,
    pub entries: Vec<super::DeductionEntry>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    pub run_id: Uuid,
    pub period: String,
    pub period_label: String,
    pub run_version: i32,
    pub published: bool,
    pub system_version: String,
    pub target: String,
    pub target_name: String,
    pub target_kind: String,
    pub score: f64,
    pub total: f64,
    pub grade: String,
    pub rank: i32,
    pub rank_of: i32,
    /// How the total is scaled when some indicators were not scored.
    pub scaling: Option<String>,
    pub dimensions: Vec<DimensionLine>,
    pub indicators: Vec<IndicatorExplanation>,
    /// 扣减政务诚信得分 (bodies only, when it applied or applies now).
    pub deduction: Option<DeductionExplanation>,
}

/// Explain a target's total (all indicators, or one).
pub async fn explain(
    app: &App,
    caller: &Caller,
    run: Option<Uuid>,
    period: Option<&str>,
    target: &str,
    indicator: Option<&str>,
) -> AppResult<Explanation> {
    super::require_read(caller)?;
    let store = app.store.as_ref();
    let run = pick_run(store, run, period).await?;
    let score = super::view::score_of(app, caller, run.id, target).await?;
    let system = super::system()?;
    if system.version != run.system_version {
        // Stored points and values stand; formulas shown are of the version in effect.
        tracing::info!(run = %run.id, version = %run.system_version, "explaining a run of another indicator system version");
    }
    let rows = match score.packed.as_deref() {
        Some(text) => super::packed::Packed::parse(text)
            .ok_or_else(|| {
                AppError::invalid("evaluation_packed_unreadable", "评价结果数据无法解读")
            })?
            .items(&system, &score),
        None => store.eval_items(run.id, target).await?,
    };
    if let Some(code) = indicator {
        if !rows.iter().any(|r| r.indicator == code) {
            return Err(AppError::NotFound);
        }
    }
    let p: Period = run.period.parse()?;
    let (from, to) = p.range();
    let wanted: Vec<&chengxin_store::EvalItemRow> = rows
        .iter()
        .filter(|r| indicator.is_none_or(|c| r.indicator == c))
        .collect();
    // The families the wanted indicators draw on.
    let mut families: BTreeSet<&'static str> = BTreeSet::new();
    for r in &wanted {
        if let Some(ind) = system.indicator(&r.indicator) {
            for n in system.values_used(ind) {
                if let Some(v) = sources::value(&n) {
                    if v.family != "imported" {
                        families.insert(v.family);
                    }
                }
            }
        }
    }
    let is_region = score.target_kind != TargetKind::Body.as_str();
    // A body's items: its own records by their indexes, its region alone; a region's: every
    // body's region.
    let regions: HashMap<String, String> = if is_region {
        super::compute::bodies(store)
            .await?
            .into_iter()
            .map(|(u, _, r)| (u, r))
            .collect()
    } else {
        store
            .eval_body(target)
            .await?
            .into_iter()
            .map(|b| {
                let region = b
                    .region
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| uscc_region(&b.uscc));
                (b.uscc, region)
            })
            .collect()
    };
    let fams: Vec<&str> = families.into_iter().collect();
    let only = (!is_region).then_some(target);
    let items = if fams.is_empty() {
        Vec::new()
    } else {
        gather_for(store, &fams, from, to, run.as_of.max(from), &regions, only).await?
    };
    let mine: Vec<_> = items
        .into_iter()
        .filter(|it| counts_for(it, target, is_region))
        .collect();
    let mut indicators = Vec::new();
    for r in wanted {
        let Some(ind) = system.indicator(&r.indicator) else {
            continue;
        };
        let stored: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&r.inputs).unwrap_or_default();
        let used = system.values_used(ind);
        let mut inputs = Vec::new();
        for n in &used {
            let def = sources::value(n);
            let value = stored.get(n).and_then(|v| v.as_f64());
            let now = def.filter(|d| d.family != "imported").and_then(|d| {
                if d.name == sources::DEBT_RATIO {
                    return mine
                        .iter()
                        .find(|it| it.family == "debt")
                        .and_then(|it| it.measure);
                }
                if d.family == "debt" && !mine.iter().any(|it| it.family == "debt") {
                    return None;
                }
                Some(
                    mine.iter()
                        .filter(|it| it.family == d.family && d.tags.contains(&it.tag))
                        .count() as f64,
                )
            });
            inputs.push(InputValue {
                name: n.clone(),
                label: def.map(|d| d.label.to_string()).unwrap_or_default(),
                value,
                now: now.filter(|x| Some(*x) != value),
            });
        }
        let mut list: Vec<ItemLink> = mine
            .iter()
            .filter(|it| {
                used.iter().any(|n| {
                    sources::value(n).is_some_and(|d| {
                        d.family == it.family
                            && (d.tags.contains(&it.tag) || d.name == sources::DEBT_RATIO)
                    })
                })
            })
            .map(|it| {
                let fam = sources::family(it.family);
                ItemLink {
                    family: it.family.to_string(),
                    family_name: fam.map(|f| f.name.to_string()).unwrap_or_default(),
                    body_uscc: it.body_uscc.clone(),
                    body_name: it.body_name.clone(),
                    title: it.title.clone(),
                    on: it.on,
                    tag: it.tag.to_string(),
                    link: fam.and_then(|f| sources::item_link(f.item_kind, &it.item_id)),
                }
            })
            .collect();
        // Items that cost points first: late, severe … before on-time ones.
        list.sort_by_key(|i| {
            (
                matches!(i.tag.as_str(), "on_time" | "kept" | "changed" | "cleared"),
                i.on,
            )
        });
        let items_total = list.len();
        list.truncate(ITEMS_SHOWN);
        indicators.push(IndicatorExplanation {
            code: ind.code.clone(),
            name: ind.name.clone(),
            dimension: ind.dimension.clone(),
            weight: r.weight,
            points: r.points,
            lost: ((r.weight - r.points) * 100.0).round() / 100.0,
            value: r.value,
            unit: ind.unit.clone(),
            status: r.status.clone(),
            note: r.note.clone(),
            formula: ind.formula_text.clone(),
            scoring: ind.scoring.describe(),
            inputs,
            items: list,
            items_total,
        });
    }
    let dims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&score.dimensions).unwrap_or_default();
    let dimensions = system
        .dimensions
        .iter()
        .map(|d| {
            let points = dims.get(&d.code).and_then(|v| v.as_f64()).unwrap_or(0.0);
            DimensionLine {
                code: d.code.clone(),
                name: d.name.clone(),
                weight: d.weight,
                points,
                lost: ((d.weight - points) * 100.0).round() / 100.0,
            }
        })
        .collect();
    let scored: f64 = rows
        .iter()
        .filter(|r| r.status == "ok")
        .map(|r| r.weight)
        .sum();
    let all: f64 = rows.iter().map(|r| r.weight).sum();
    let scaling = (score.unscored > 0 && scored > 0.0).then(|| {
        format!(
            "有 {} 项指标未计分（见下），总分按已计分指标的权重 {scored} 折算为 {} 分制：得分合计 × {} ÷ {scored}（适用指标权重合计 {all}）",
            score.unscored, system.total, system.total
        )
    });
    let deduction = if is_region {
        None
    } else {
        let before = if scored > 0.0 {
            round2(
                rows.iter()
                    .filter(|r| r.status == "ok")
                    .map(|r| r.points)
                    .sum::<f64>()
                    * system.total
                    / scored,
            )
        } else {
            0.0
        };
        let points = round2((before - score.score).max(0.0));
        let on = to.min(run.as_of.max(from));
        let entries = super::apply::deduction_entries(store, on)
            .await?
            .remove(&score.target)
            .unwrap_or_default();
        let now = round2(super::apply::deducted_score(before, entries.len()));
        let note =
            (entries.is_empty() && points > 0.0 || (now - score.score).abs() > 0.005).then(|| {
                format!(
                    "计算时扣减 {points} 分；按现有名单数据应扣减 {} 分（名单条目计算后有变化）",
                    round2(before - now)
                )
            });
        (points > 0.0 || !entries.is_empty()).then_some(DeductionExplanation {
            before,
            points,
            entries,
            note,
        })
    };
    Ok(Explanation {
        deduction,
        run_id: run.id,
        period_label: p.label(),
        period: run.period,
        run_version: run.run_version,
        published: run.published,
        system_version: run.system_version,
        target: score.target,
        target_name: score.target_name,
        target_kind: score.target_kind,
        score: score.score,
        total: system.total,
        grade: score.grade,
        rank: score.rank,
        rank_of: score.rank_of,
        scaling,
        dimensions,
        indicators,
    })
}
