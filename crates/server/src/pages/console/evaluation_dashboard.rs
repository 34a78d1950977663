//! The evaluation dashboard (issue 20) under a level's ranking: the region map coloured by grade
//! (the schematic tile map, `data/regions/tiles.toml`), the scores as bars, each target's total
//! over the last twelve periods, the average share of each dimension's points, and the open
//! warnings of the period — server-rendered SVG, no script, no external asset. The figures are
//! the ranking's own (already within the caller's reach).

use std::collections::HashMap;

use chengxin_app::evaluation as svc;
use chengxin_domain::regions::tiles::{self, TileLayout};
use maud::{html, Markup};

use crate::auth::Caller;
use crate::pages::charts::{self, Bar, LegendItem, Series, TileValue};
use crate::AppState;

/// Periods on the trend chart.
const TREND_PERIODS: usize = 12;
/// Targets drawn as lines (the palette's size: more would be unreadable).
const TREND_LINES: usize = 8;
/// Bars on the score chart.
const SCORE_BARS: usize = 30;
/// Warnings listed.
const WARNINGS_SHOWN: usize = 8;

/// A grade's colour: the best green to the worst red, by the grade's place in the system.
fn grade_colour(grades: &[String], grade: &str) -> String {
    const SCALE: [&str; 4] = ["#2e8b57", "#8cc084", "#edae49", "#d1495b"];
    let i = grades
        .iter()
        .position(|g| g == grade)
        .unwrap_or(grades.len());
    SCALE[i.min(SCALE.len() - 1)].to_string()
}

/// The shipped layout holding most of the ranking's targets (none when no target is a mapped
/// region, e.g. a ranking of departments).
fn layout_for(targets: &[&str]) -> Option<&'static TileLayout> {
    tiles::shipped()
        .ok()?
        .iter()
        .map(|l| {
            let n = l
                .tiles
                .iter()
                .filter(|t| targets.contains(&t.code.as_str()))
                .count();
            (n, l)
        })
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, l)| l)
}

/// The dashboard for one ranking.
pub async fn dashboard(state: &AppState, caller: &Caller, rv: &svc::RankingView) -> Markup {
    let system = svc::system().ok();
    let mut grades: Vec<String> = system
        .as_ref()
        .map(|s| s.grades.iter().map(|g| g.name.clone()).collect())
        .unwrap_or_default();
    grades.push("不合格".into());
    let period = &rv.run.period;
    let targets: Vec<&str> = rv.lines.iter().map(|l| l.target.as_str()).collect();
    let map = layout_for(&targets).map(|layout| {
        let values: HashMap<String, TileValue> = rv
            .lines
            .iter()
            .map(|l| {
                (
                    l.target.clone(),
                    TileValue {
                        text: format!("{:.1} {}", l.score, l.grade),
                        colour: grade_colour(&grades, &l.grade),
                        href: Some(format!(
                            "/console/evaluation/targets/{}?period={period}",
                            l.target
                        )),
                    },
                )
            })
            .collect();
        let legend: Vec<LegendItem> = grades
            .iter()
            .map(|g| LegendItem {
                colour: grade_colour(&grades, g),
                label: g.clone(),
            })
            .collect();
        charts::tile_map(
            "eval-map",
            &format!("{} {}得分与等次", layout.title, rv.kind_label),
            layout,
            &values,
            &legend,
        )
    });
    let bars: Vec<Bar> = rv
        .lines
        .iter()
        .take(SCORE_BARS)
        .map(|l| Bar {
            label: l.name.clone(),
            value: l.score,
            text: format!("{:.2}", l.score),
            colour: Some(grade_colour(&grades, &l.grade)),
            href: Some(format!(
                "/console/evaluation/targets/{}?period={period}",
                l.target
            )),
        })
        .collect();
    // Each dimension's points as a share of its weight, averaged over the ranking's targets.
    let dimensions: Vec<Bar> = system
        .as_ref()
        .map(|s| {
            s.dimensions
                .iter()
                .filter(|d| d.weight > 0.0)
                .map(|d| {
                    let got: Vec<f64> = rv
                        .lines
                        .iter()
                        .filter_map(|l| l.dimensions.get(&d.code).and_then(|x| x.as_f64()))
                        .collect();
                    let share = if got.is_empty() {
                        0.0
                    } else {
                        got.iter().sum::<f64>() / got.len() as f64 / d.weight * 100.0
                    };
                    Bar {
                        label: d.name.clone(),
                        value: share,
                        text: format!("{share:.1}%"),
                        colour: None,
                        href: None,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let trend = svc::trend(state, caller, rv, TREND_PERIODS).await.ok();
    let trend_chart = trend.as_ref().map(|t| {
        let series: Vec<Series> = t
            .lines
            .iter()
            .take(TREND_LINES)
            .map(|l| Series {
                name: l.name.clone(),
                values: l.values.clone(),
            })
            .collect();
        charts::trend(
            "eval-trend",
            &format!("{}得分走势（近 {} 期）", rv.kind_label, t.periods.len()),
            &t.periods,
            &series,
            &[],
            "分",
        )
    });
    let warnings: Vec<_> = svc::warnings_for(state, caller)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|w| &w.period == period && targets.contains(&w.target.as_str()))
        .collect();
    html! {
        div #eval-dashboard {
            div.grid.two {
                @if let Some(m) = &map { section.card #eval-map-card { h2 { "地区得分分布" } (m) } }
                @if let Some(c) = &trend_chart { section.card #eval-trend-card { h2 { "得分走势" } (c) } }
            }
            section.card #eval-bars-card {
                h2 { (rv.kind_label) "得分排名" }
                (charts::bars("eval-bars", &format!("{}得分", rv.kind_label), &bars))
            }
            @if !dimensions.is_empty() {
                section.card #eval-dimension-card {
                    h2 { "各维度平均得分率" }
                    (charts::bars("eval-dimension-bars", "各维度平均得分率", &dimensions))
                }
            }
            section.card #eval-dashboard-warnings-card {
                h2 { "本期预警（" (warnings.len()) " 条）" }
                @if warnings.is_empty() { p.hint #eval-dashboard-no-warnings { "本期本层级没有预警。" } }
                @else {
                    ul #eval-dashboard-warnings {
                        @for w in warnings.iter().take(WARNINGS_SHOWN) {
                            li { a href={ "/console/evaluation/targets/" (w.target) "?period=" (w.period) } { (w.target_name) } "：" (w.message) }
                        }
                    }
                    @if warnings.len() > WARNINGS_SHOWN { p { a href="/console/evaluation/warnings" { "查看全部预警 →" } } }
                }
            }
        }
    }
}
