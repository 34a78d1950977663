//! 政务诚信评价 (issue 20): `/portal/evaluation` — the published rankings, per level and period
//! (only periods with a published run are offered; a recomputation not yet published never
//! shows), names not codes, and the tile map of the ranked regions coloured by grade.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chengxin_app::evaluation::{public_ranking, PublicRanking};
use chengxin_domain::evaluation::TargetKind;
use chengxin_domain::regions::tiles::{self, TileLayout};
use maud::{html, Markup};
use serde::Deserialize;

use super::{portal_error, portal_page, unavailable};
use crate::auth::Caller;
use crate::pages::charts::tile_map::{tile_map, LegendItem, TileValue};
use crate::pages::visitor;
use crate::AppState;

/// Query of the page.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub period: Option<String>,
    pub kind: Option<String>,
}

/// The levels the portal offers, in order.
const KINDS: [TargetKind; 4] = [
    TargetKind::Prefecture,
    TargetKind::County,
    TargetKind::Township,
    TargetKind::Body,
];

/// Colours by grade (优秀, 良好, 合格, 不合格), readable with dark text.
fn grade_colour(grade: &str) -> &'static str {
    match grade {
        "优秀" => "#7bc47f",
        "良好" => "#b8e07a",
        "合格" => "#f4d35e",
        _ => "#f28b82",
    }
}

/// The shipped layout holding most of the ranked regions, if any.
fn layout_for(r: &PublicRanking) -> Option<&'static TileLayout> {
    let codes: std::collections::HashSet<&str> =
        r.lines.iter().map(|l| l.target.as_str()).collect();
    tiles::shipped()
        .ok()?
        .iter()
        .map(|l| {
            let n = l
                .tiles
                .iter()
                .filter(|t| codes.contains(t.code.as_str()))
                .count();
            (n, l)
        })
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, l)| l)
}

fn map(r: &PublicRanking) -> Markup {
    let Some(layout) = layout_for(r) else {
        return html! {};
    };
    let values: HashMap<String, TileValue> = r
        .lines
        .iter()
        .map(|l| {
            (
                l.target.clone(),
                TileValue {
                    text: format!("{:.2} 分 · 第 {} 名", l.score, l.rank),
                    colour: grade_colour(&l.grade).into(),
                    href: None,
                },
            )
        })
        .collect();
    let legend: Vec<LegendItem> = ["优秀", "良好", "合格", "不合格"]
        .iter()
        .map(|g| LegendItem {
            colour: grade_colour(g).into(),
            label: (*g).into(),
        })
        .collect();
    html! {
        section.card #pe-map {
            h2 { (layout.title) "政务诚信评价示意图" }
            (tile_map("pe-tiles", &format!("{}（按等次着色）", r.period_label), layout, &values, &legend))
            p.hint { "示意图按行政区划相对位置排列，不代表实际边界。" }
        }
    }
}

/// `/portal/evaluation`.
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<Params>, QueryRejection>,
) -> Response {
    let v = visitor(&state, &caller).await;
    let p = q.map(|Query(q)| q).unwrap_or_default();
    let kind = p
        .kind
        .as_deref()
        .filter(|k| KINDS.iter().any(|x| x.as_str() == *k))
        .unwrap_or("county")
        .to_string();
    let ranking = match public_ranking(state.store.as_ref(), p.period.as_deref(), &kind).await {
        Ok(r) => r,
        Err(chengxin_app::error::AppError::Invalid { message, .. }) => {
            return portal_error(&v, StatusCode::BAD_REQUEST, "政务诚信评价", &message)
        }
        Err(e) => return unavailable(&v, e),
    };
    // The chooser offers the published periods (of the asked period's list when it has none).
    let periods = match &ranking {
        Some(r) => r.periods.clone(),
        None => match public_ranking(state.store.as_ref(), None, &kind).await {
            Ok(Some(r)) => r.periods,
            _ => Vec::new(),
        },
    };
    let chosen = ranking
        .as_ref()
        .map(|r| r.period.clone())
        .unwrap_or_default();
    portal_page(
        &v,
        "政务诚信评价",
        "/portal/evaluation",
        html! {
            p.lead { "政务诚信监测评价结果由信用主管部门审定后发布。此处仅公开已发布的评价结果：各地区、各部门的得分、等次和同级排名。" }
            @if periods.is_empty() {
                div.notice.info #pe-none { "暂无已发布的政务诚信评价结果。" }
            } @else {
                form.search method="get" action="/portal/evaluation" {
                    label for="pe-period" { "评价期间" }
                    select #pe-period name="period" {
                        @for pp in &periods {
                            option value=(pp.period) selected[pp.period == chosen] { (pp.label) }
                        }
                    }
                    label for="pe-kind" { "层级" }
                    select #pe-kind name="kind" {
                        @for k in KINDS {
                            option value=(k.as_str()) selected[k.as_str() == kind] { (k.label()) }
                        }
                    }
                    button type="submit" { "查看" }
                }
            }
            @match &ranking {
                None => @if !periods.is_empty() {
                    div.notice.info #pe-unpublished { "所选期间暂无已发布的评价结果。" }
                },
                Some(r) => {
                    section.card {
                        h2 #pe-title { (r.period_label) " · " (r.kind_label) "排名" }
                        p.hint {
                            "第 " (r.run_version) " 版"
                            @if let Some(at) = r.published_at { "，" ((at + chrono::Duration::hours(8)).format("%Y-%m-%d")) " 发布" }
                        }
                        @if r.lines.is_empty() { p.hint { "本层级暂无评价对象。" } }
                        @else {
                            div.table-wrap { table #pe-ranking {
                                thead { tr { th scope="col" { "名次" } th scope="col" { "评价对象" } th scope="col" { "得分" } th scope="col" { "等次" } } }
                                tbody { @for l in &r.lines { tr {
                                    td data-label="名次" { (l.rank) " / " (l.rank_of) }
                                    td data-label="评价对象" { (l.name) }
                                    td data-label="得分" { (format!("{:.2}", l.score)) }
                                    td data-label="等次" { (l.grade) }
                                } } }
                            } }
                        }
                    }
                    (map(r))
                }
            }
        },
    )
}
