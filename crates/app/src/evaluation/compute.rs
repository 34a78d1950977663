//! Computing a period: every government body and every region they are in, from the source
//! items and imported figures; ranks within each level; warnings; saved as the period's next
//! run version (a published run stays as it was).

use std::collections::{BTreeMap, HashMap};

use chengxin_access::Permission;
use chengxin_domain::evaluation::{
    rank_shares, ranks, round2, sources, EvalError, IndicatorSystem, Period, TargetKind,
};
use chengxin_store::{EvalRunRow, EvalRunSave, EvalScoreRow, EvalSystemRow, Store};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::gather::{gather, Tagged};
use super::packed::Packed;
use super::warnings::{run_warnings, Totals};
use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::App;

/// What to compute.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ComputeRequest {
    /// `2026-11`, `2026-Q3` or `2026`.
    pub period: String,
    /// Why (a recomputation after a correction, …).
    #[serde(default)]
    pub note: Option<String>,
    /// Read the data as of this day (default today).
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
}

/// One target being computed.
pub(crate) struct Target {
    pub code: String,
    pub kind: TargetKind,
    pub name: String,
    pub region: String,
    pub rank_group: String,
    pub values: Vec<f64>,
}

/// The regions a body's region lies in, smallest first, with their kinds.
fn region_chain(region: &str) -> Vec<(String, TargetKind)> {
    let mut out = Vec::new();
    let r = region.trim();
    if r.len() == 9 && r.bytes().all(|b| b.is_ascii_digit()) {
        out.push((r.to_string(), TargetKind::Township));
    }
    let six = r.get(..6).unwrap_or("");
    if six.len() == 6 && six.bytes().all(|b| b.is_ascii_digit()) && six != "000000" {
        if TargetKind::of_region(six) == Some(TargetKind::County) {
            out.push((six.to_string(), TargetKind::County));
        }
        let pref = format!("{}00", &six[..4]);
        if TargetKind::of_region(&pref) == Some(TargetKind::Prefecture) {
            out.push((pref, TargetKind::Prefecture));
        }
        out.push((format!("{}0000", &six[..2]), TargetKind::Province));
    }
    out
}

fn parent_of(code: &str, kind: TargetKind) -> String {
    match kind {
        TargetKind::Township => code.get(..6).unwrap_or("").to_string(),
        TargetKind::County => format!("{}00", code.get(..4).unwrap_or("")),
        TargetKind::Prefecture => format!("{}0000", code.get(..2).unwrap_or("")),
        TargetKind::Province | TargetKind::Body => String::new(),
    }
}

/// Add up the items per body (values indexed as `sources::VALUES`), and build the targets:
/// each registered body, and every region a body with items or registration is in (its
/// values the sums over those bodies). `counted`: bodies whose values the scan already counted
/// (USCC, region if the body is not registered, values) — the large families of a run over
/// many periods — to which the other families' items are added.
pub(crate) fn targets_from(
    bodies: &[(String, String, String)],
    counted: Vec<(&str, Option<&str>, Vec<f64>)>,
    items: &[Tagged],
) -> Vec<Target> {
    let n = sources::VALUES.len();
    let mut slots: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut per_body: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut region_of: HashMap<&str, &str> = HashMap::new();
    for (uscc, _, region) in bodies {
        region_of.insert(uscc.as_str(), region.as_str());
    }
    for (uscc, region, v) in counted {
        if let Some(r) = region {
            region_of.entry(uscc).or_insert(r);
        }
        per_body.insert(uscc, v);
    }
    for it in items {
        if it.family == "debt" {
            continue;
        }
        let s = slots
            .entry((it.family, it.tag))
            .or_insert_with(|| sources::value_slots(it.family, it.tag));
        let v = per_body
            .entry(it.body_uscc.as_str())
            .or_insert_with(|| vec![0.0; n]);
        for i in s.iter() {
            v[*i] += 1.0;
        }
        region_of
            .entry(it.body_uscc.as_str())
            .or_insert(it.region.as_str());
    }
    let mut regions: BTreeMap<String, (TargetKind, Vec<f64>)> = BTreeMap::new();
    for (uscc, region) in &region_of {
        let v = per_body.get(uscc);
        for (code, kind) in region_chain(region) {
            let acc = &mut regions
                .entry(code)
                .or_insert_with(|| (kind, vec![0.0; n]))
                .1;
            if let Some(v) = v {
                for (a, b) in acc.iter_mut().zip(v) {
                    *a += b;
                }
            }
        }
    }
    set_debt_values(&mut regions, items);
    let table = chengxin_domain::regions::RegionTable::national();
    let mut out = Vec::with_capacity(bodies.len() + regions.len());
    for (code, (kind, values)) in regions {
        let name = table
            .get(&code)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| code.clone());
        out.push(Target {
            rank_group: parent_of(&code, kind),
            region: code.clone(),
            code,
            kind,
            name,
            values,
        });
    }
    for (uscc, name, region) in bodies {
        out.push(Target {
            code: uscc.clone(),
            kind: TargetKind::Body,
            name: name.clone(),
            region: region.clone(),
            rank_group: region.clone(),
            values: no_debt(
                per_body
                    .get(uscc.as_str())
                    .cloned()
                    .unwrap_or_else(|| vec![0.0; n]),
            ),
        });
    }
    out
}

/// The slots of the family `debt` (its values are a region's own, not sums).
fn debt_slots() -> Vec<usize> {
    sources::VALUES
        .iter()
        .enumerate()
        .filter(|(_, v)| v.family == "debt")
        .map(|(i, _)| i)
        .collect()
}

/// A target without a debt position: its debt values are missing (NaN), not zero.
fn no_debt(mut values: Vec<f64>) -> Vec<f64> {
    for i in debt_slots() {
        values[i] = f64::NAN;
    }
    values
}

/// Each region's debt values from its own position (`debt_ratio` its ratio in percent, the
/// level's count 1); missing for a region without one.
fn set_debt_values(regions: &mut BTreeMap<String, (TargetKind, Vec<f64>)>, items: &[Tagged]) {
    let slots = debt_slots();
    for (_, values) in regions.values_mut() {
        for i in &slots {
            values[*i] = f64::NAN;
        }
    }
    let ratio = sources::value_index(sources::DEBT_RATIO);
    for it in items.iter().filter(|it| it.family == "debt") {
        let Some((_, values)) = regions.get_mut(&it.region) else {
            continue;
        };
        for i in &slots {
            values[*i] = 0.0;
        }
        if let (Some(r), Some(m)) = (ratio, it.measure) {
            values[r] = m;
        }
        for i in sources::value_slots("debt", it.tag) {
            values[i] = 1.0;
        }
    }
}

/// Whether a missing value leaves the indicator unscored for lack of data (an imported
/// figure not imported, a region without a debt position) rather than an error.
fn no_data(name: &str) -> bool {
    name == "imported" || sources::value(name).is_some_and(|v| v.family == "debt")
}

/// The computed rows of a period (before saving): one score per target, its indicator
/// results packed into it.
pub(crate) struct Computed {
    pub scores: Vec<EvalScoreRow>,
}

/// Score every target (pure: the targets and imported figures in, the rows out).
pub(crate) fn score_targets(
    system: &IndicatorSystem,
    period: Period,
    run_id: Uuid,
    targets: &[Target],
    imports: &HashMap<(String, String), f64>,
    deductions: &HashMap<String, usize>,
) -> Computed {
    let kind = period.kind();
    // Formula values per (target, indicator).
    let mut values: Vec<Vec<Option<Result<f64, EvalError>>>> = Vec::with_capacity(targets.len());
    let used: Vec<Vec<(String, Option<usize>)>> = system
        .indicators
        .iter()
        .map(|i| {
            system
                .values_used(i)
                .into_iter()
                .map(|n| {
                    let idx = sources::value_index(&n);
                    (n, idx)
                })
                .collect()
        })
        .collect();
    for t in targets {
        let mut row = Vec::with_capacity(system.indicators.len());
        for ind in &system.indicators {
            if !ind.applies(kind, t.kind) {
                row.push(None);
                continue;
            }
            let get = |n: &str| -> Option<f64> {
                if n == "imported" {
                    imports.get(&(ind.code.clone(), t.code.clone())).copied()
                } else {
                    sources::value_index(n)
                        .map(|i| t.values[i])
                        .filter(|v| !v.is_nan())
                }
            };
            row.push(Some(system.indicator_value(ind, &get)));
        }
        values.push(row);
    }
    // Rank shares per rank indicator and target kind.
    let mut shares: HashMap<(usize, usize), f64> = HashMap::new();
    for (k, ind) in system.indicators.iter().enumerate() {
        let chengxin_domain::evaluation::Scoring::Rank { better } = &ind.scoring else {
            continue;
        };
        for tk in TargetKind::ALL {
            let members: Vec<(usize, f64)> = targets
                .iter()
                .enumerate()
                .filter(|(_, t)| t.kind == tk)
                .filter_map(|(ti, _)| match &values[ti][k] {
                    Some(Ok(v)) => Some((ti, *v)),
                    _ => None,
                })
                .collect();
            let vals: Vec<f64> = members.iter().map(|(_, v)| *v).collect();
            for ((ti, _), s) in members.iter().zip(rank_shares(&vals, better == "lower")) {
                shares.insert((*ti, k), s);
            }
        }
    }
    // The source values some indicator uses (packed with each target).
    let kept: Vec<(String, usize)> = {
        let mut names: std::collections::BTreeSet<(String, usize)> = Default::default();
        for u in &used {
            for (n, idx) in u {
                if let Some(i) = idx.filter(|_| n != "imported") {
                    names.insert((n.clone(), i));
                }
            }
        }
        names.into_iter().collect()
    };
    let mut scores = Vec::with_capacity(targets.len());
    for (ti, t) in targets.iter().enumerate() {
        let mut dims: BTreeMap<String, f64> = BTreeMap::new();
        let mut points_sum = 0.0;
        let mut weight_sum = 0.0;
        let mut unscored = 0;
        let mut packed = Packed::default();
        for (n, i) in &kept {
            packed.keep_value(n, t.values[*i]);
        }
        for (k, ind) in system.indicators.iter().enumerate() {
            let Some(res) = &values[ti][k] else {
                continue;
            };
            let (value, points, status, note) = match res {
                Ok(v) => {
                    let p = ind
                        .scoring
                        .points(ind.weight, *v, shares.get(&(ti, k)).copied());
                    points_sum += p;
                    weight_sum += ind.weight;
                    *dims.entry(ind.dimension.clone()).or_default() += p;
                    (Some(round2(*v)), p, "ok", None)
                }
                Err(EvalError::MissingValue { name, .. }) if no_data(name) => {
                    unscored += 1;
                    let why = if name == "imported" {
                        format!("{}未导入本期数值，不计入总分", t.name)
                    } else {
                        format!("{}未录入本年度及以前年度的债务数据，不计入总分", t.name)
                    };
                    (None, 0.0, "no_data", Some(why))
                }
                Err(e) => {
                    unscored += 1;
                    (None, 0.0, "error", Some(e.to_string()))
                }
            };
            if used[k].iter().any(|(n, _)| n == "imported") {
                if let Some(v) = imports.get(&(ind.code.clone(), t.code.clone())) {
                    packed.imported.insert(ind.code.clone(), *v);
                }
            }
            if let Some(note) = note {
                packed.notes.insert(ind.code.clone(), note);
            }
            packed.indicators.push((
                ind.code.clone(),
                value,
                points,
                ind.weight,
                status.to_string(),
            ));
        }
        let mut score = if weight_sum > 0.0 {
            round2(points_sum * system.total / weight_sum)
        } else {
            0.0
        };
        // 扣减政务诚信得分: a body's entries in effect deduct from its total.
        if t.kind == TargetKind::Body {
            if let Some(n) = deductions.get(&t.code).filter(|n| **n > 0) {
                score = super::apply::deducted_score(score, *n);
            }
        }
        let dims: serde_json::Map<String, serde_json::Value> = dims
            .into_iter()
            .map(|(k, v)| (k, serde_json::json!(round2(v))))
            .collect();
        scores.push(EvalScoreRow {
            id: Uuid::now_v7(),
            run_id,
            target: t.code.clone(),
            target_kind: t.kind.as_str().into(),
            target_name: t.name.clone(),
            region: t.region.clone(),
            rank_group: t.rank_group.clone(),
            score,
            grade: system.grade(score),
            rank: 0,
            rank_of: 0,
            dimensions: serde_json::Value::Object(dims).to_string(),
            unscored,
            packed: Some(packed.to_text()),
        });
    }
    // Ranks within each level (target kind).
    for tk in TargetKind::ALL {
        let idx: Vec<usize> = (0..scores.len())
            .filter(|i| scores[*i].target_kind == tk.as_str())
            .collect();
        let vals: Vec<f64> = idx.iter().map(|i| scores[*i].score).collect();
        let n = idx.len() as i32;
        for (i, r) in idx.iter().zip(ranks(&vals)) {
            scores[*i].rank = r as i32;
            scores[*i].rank_of = n;
        }
    }
    Computed { scores }
}

/// Bodies as `(uscc, name, region)`.
pub(crate) async fn bodies(store: &dyn Store) -> AppResult<Vec<(String, String, String)>> {
    Ok(store
        .eval_bodies()
        .await?
        .into_iter()
        .map(|b| {
            let region = b
                .region
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| uscc_region(&b.uscc));
            (b.uscc, b.name, region)
        })
        .collect())
}

/// Imported figures of a period by (indicator, target).
pub(crate) async fn imports_of(
    store: &dyn Store,
    period: Period,
) -> AppResult<HashMap<(String, String), f64>> {
    Ok(store
        .eval_imports(&period.to_string())
        .await?
        .into_iter()
        .map(|r| ((r.indicator, r.target), r.value))
        .collect())
}

/// Compute a period and save it as its next run version (see the module's notes).
pub async fn compute_period(
    app: &App,
    caller: &Caller,
    req: ComputeRequest,
) -> AppResult<EvalRunRow> {
    caller.require(Permission::EvaluationsRun)?;
    require_whole_deployment(app, caller).await?;
    let period: Period = req.period.parse()?;
    let today = app.today();
    let as_of = req.as_of.unwrap_or(today).min(today);
    if period.range().0 > as_of {
        return Err(AppError::conflict(
            "period_not_started",
            format!("{}尚未开始，不能评价", period.label()),
        ));
    }
    let note = req.note.unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(AppError::invalid(
            "note_too_long",
            "说明过长（最多 500 字）",
        ));
    }
    run(app.store.as_ref(), &caller.actor, period, as_of, note).await
}

/// A run scores every body and region of the deployment, so computing or publishing one is for
/// a caller whose jurisdiction covers them all (the deployment's own credit office or
/// supervisor), never for the office of one of its counties.
pub(crate) async fn require_whole_deployment(app: &App, caller: &Caller) -> AppResult<()> {
    let prefix = caller.region_prefix();
    let bodies = app.store.eval_bodies().await?;
    let outside = bodies
        .iter()
        .filter_map(|b| b.region.as_deref())
        .any(|r| !r.starts_with(&prefix));
    if outside {
        return Err(AppError::forbidden(
            "evaluation_scope_partial",
            "评价覆盖本平台全部地区和部门，须由覆盖全部地区的信用办或督查评价人员计算、发布",
        ));
    }
    Ok(())
}

/// Compute and save (also used by the demo).
pub async fn run(
    store: &dyn Store,
    actor: &str,
    period: Period,
    as_of: NaiveDate,
    note: String,
) -> AppResult<EvalRunRow> {
    run_periods(store, actor, &[period], as_of, note)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Compute and save several periods in one go (a full evaluation; the benchmark), each as its
/// period's next run version, in the order given (a period's warnings compare with the totals
/// of the periods saved before it): the bodies and the large source families are read once
/// for all the periods (`scan`), the rest per period; scored in memory; each period saved in
/// one transaction, its scores with their indicator results packed, covered by one change-log
/// entry.
pub async fn run_periods(
    store: &dyn Store,
    actor: &str,
    periods: &[Period],
    as_of: NaiveDate,
    note: String,
) -> AppResult<Vec<EvalRunRow>> {
    let system = super::system()?;
    let now = chengxin_store::clock::now();
    store
        .put_eval_system(
            actor,
            &EvalSystemRow {
                version: system.version.clone(),
                name: system.name.clone(),
                digest: system.digest.clone(),
                text: system.text.clone(),
                loaded_by: actor.to_string(),
                loaded_at: now,
            },
        )
        .await?;
    let bodies = bodies(store).await?;
    let regions: HashMap<String, String> = bodies
        .iter()
        .map(|(u, _, r)| (u.clone(), r.clone()))
        .collect();
    let scanned = super::scan::scan(store, periods, as_of, &regions).await?;
    let mut totals = Totals::default();
    let mut out = Vec::with_capacity(periods.len());
    for (pi, period) in periods.iter().enumerate() {
        let period = *period;
        let (from, to) = period.range();
        let items = gather(
            store,
            &super::scan::GATHERED,
            from,
            to,
            as_of.max(from),
            &regions,
        )
        .await?;
        let targets = targets_from(&bodies, scanned.values_of(pi), &items);
        drop(items);
        let imports = imports_of(store, period).await?;
        let run_id = Uuid::now_v7();
        let deductions: HashMap<String, usize> =
            super::apply::deduction_entries(store, to.min(as_of.max(from)))
                .await?
                .into_iter()
                .map(|(body, entries)| (body, entries.len()))
                .collect();
        let computed = score_targets(&system, period, run_id, &targets, &imports, &deductions);
        drop(targets);
        let (warnings, notifications) =
            run_warnings(store, &system, period, &computed.scores, now, &mut totals).await?;
        let period_totals: HashMap<String, f64> = computed
            .scores
            .iter()
            .map(|s| (s.target.clone(), s.score))
            .collect();
        let run = EvalRunRow {
            id: run_id,
            period: period.to_string(),
            period_kind: period.kind().as_str().into(),
            system_version: system.version.clone(),
            run_version: 0,
            published: false,
            published_at: None,
            published_by: None,
            as_of,
            note: note.clone(),
            targets: computed.scores.len() as i64,
            created_by: actor.to_string(),
            created_at: now,
            version: 1,
        };
        let saved = store
            .save_eval_run(
                actor,
                EvalRunSave {
                    run,
                    scores: computed.scores,
                    items: Vec::new(),
                    warnings,
                    notifications,
                },
            )
            .await?;
        totals.saved(store, &saved.period, period_totals).await?;
        out.push(saved);
    }
    Ok(out)
}
