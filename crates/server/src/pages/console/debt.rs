//! 地方政府债务 (issue 20): `/console/debt` — the tile map of the regions coloured by risk level
//! for a year, a region's trend of the debt ratio over the years (or every mapped region's),
//! the ranking of the year, the positions (keyset pages) and the import form listing the rows
//! that were not imported. Reads go through `chengxin_app::debt` (jurisdiction there); the form
//! posts the file to `/api/v1/debt/import`.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::Permission as P;
use chengxin_app::debt::{self, DebtListParams, DebtPositionView};
use chengxin_domain::debt::{template_headers, RiskLevel};
use chengxin_domain::regions::tiles::{self, TileLayout};
use chengxin_domain::regions::RegionTable;
use maud::{html, Markup};
use serde::Deserialize;

use super::{api_error_page, enc, gate, msg_box, render};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::charts::{self, Bar, LegendItem, Series, Threshold, TileValue};
use crate::pages::script;
use crate::AppState;

const IMPORT_JS: &str = r#"
(function () {
  const btn = document.getElementById("debt-import");
  if (!btn) return;
  btn.addEventListener("click", async function () {
    const input = document.getElementById("debt-file");
    const msg = document.getElementById("debt-msg");
    const list = document.getElementById("debt-problems");
    const file = input.files && input.files[0];
    list.hidden = true; list.innerHTML = "";
    if (!file) { cx.message(msg, "err", "请选择要上传的文件"); input.focus(); return; }
    btn.disabled = true;
    cx.message(msg, "info", "正在上传并校验 " + file.name + " …");
    const r = await cx.upload("/api/v1/debt/import?file_name=" + encodeURIComponent(file.name), file, function () {});
    btn.disabled = false;
    const ps = (r.data && r.data.problems) || [];
    ps.forEach(function (p) {
      const li = document.createElement("li");
      li.textContent = (p.title || p.column ? "【" + (p.title || p.column) + "】" : "") + p.message + "（" + p.code + "）";
      list.appendChild(li);
    });
    list.hidden = ps.length === 0;
    if (!r.ok) { cx.message(msg, "err", "未导入：" + cx.error(r.data)); return; }
    const d = r.data;
    let text = "导入完成：共 " + d.rows + " 行，新增 " + d.created + " 条，更新 " + d.updated + " 条，未变 "
      + d.unchanged + " 条，未导入 " + d.rejected + " 行。";
    if (d.level_changes.length) {
      text += " 风险等级变化：" + d.level_changes.map(function (c) { return c.region_name + " " + c.year + " 年 " + c.text; }).join("；")
        + "（已通知信用办 " + d.notified + " 条）。";
    }
    cx.message(msg, d.rejected ? "info" : "ok", text);
  });
})();
"#;

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub struct DebtQuery {
    /// A region whose trend to show (and whose map, when it has one).
    pub region: Option<String>,
    pub year: Option<String>,
    /// The keyset cursor of the positions table.
    pub after: Option<String>,
}

fn may(c: &Caller) -> bool {
    debt::READERS.iter().any(|p| c.has(*p))
}

/// The map to draw: the asked region's own layout, else the caller's region's, else its parent's,
/// else the first shipped one.
fn layout_for(caller: &Caller, region: Option<&str>) -> Option<&'static TileLayout> {
    let own = caller.scope.region.as_str().to_string();
    let parent_of = |c: &str| {
        RegionTable::national()
            .get(c)
            .and_then(|r| r.parent.clone())
    };
    let mut tries: Vec<String> = Vec::new();
    if let Some(r) = region {
        tries.push(r.to_string());
        if let Some(p) = parent_of(r) {
            tries.push(p);
        }
    }
    tries.push(own.clone());
    if let Some(p) = parent_of(&own) {
        tries.push(p);
    }
    tries
        .iter()
        .find_map(|c| tiles::layout_of(c))
        .or_else(|| tiles::shipped().ok().and_then(|l| l.first()))
}

fn level_of(v: &DebtPositionView) -> Option<RiskLevel> {
    RiskLevel::parse(&v.level)
}

fn level_tag(v: &DebtPositionView) -> Markup {
    let class = match level_of(v) {
        Some(RiskLevel::Green) => "tag ok",
        _ => "tag warn",
    };
    html! { span class=(class) data-level=(v.level) { (v.level_label) } }
}

fn legend() -> Vec<LegendItem> {
    let levels = debt::levels().ok();
    RiskLevel::ALL
        .iter()
        .map(|l| LegendItem {
            colour: l.colour().into(),
            label: format!(
                "{} {}",
                l.label(),
                levels.map(|x| x.band_label(*l)).unwrap_or_default()
            ),
        })
        .collect()
}

fn bp_value(bp: i64) -> f64 {
    bp as f64 / 100.0
}

/// `/console/debt`.
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<DebtQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, may).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let region = q.region.as_deref().map(str::trim).filter(|r| !r.is_empty());
    // Every position within reach (a city's few dozen region-years), for the year list.
    let all = match debt::list(
        &state,
        &caller,
        &DebtListParams {
            limit: Some(500),
            ..Default::default()
        },
    )
    .await
    {
        Ok(p) => p.items,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let mut years: Vec<i32> = all.iter().map(|p| p.year).collect();
    years.sort_unstable();
    years.dedup();
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .or_else(|| years.last().copied());
    let history = match region {
        Some(r) => match debt::history(&state, &caller, r).await {
            Ok(h) => Some(h),
            Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
        },
        None => None,
    };
    let page = match debt::list(
        &state,
        &caller,
        &DebtListParams {
            year: None,
            region: region.map(str::to_string),
            after: q.after.clone(),
            limit: Some(50),
        },
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return api_error_page(&caller, &v, &ApiError::from(e)),
    };
    let of_year: Vec<&DebtPositionView> = all.iter().filter(|p| Some(p.year) == year).collect();
    let layout = layout_for(&caller, region);
    let year_q = year.map(|y| format!("&year={y}")).unwrap_or_default();
    let map = layout.map(|l| {
        let values: HashMap<String, TileValue> = of_year
            .iter()
            .map(|p| {
                (
                    p.region.clone(),
                    TileValue {
                        text: format!("{} {}", p.ratio, p.level_label),
                        colour: level_of(p)
                            .map(|l| l.colour().to_string())
                            .unwrap_or_else(|| "#e0e0e0".into()),
                        href: Some(format!("/console/debt?region={}{year_q}", enc(&p.region))),
                    },
                )
            })
            .collect();
        let title = format!(
            "{} {} 年度债务风险等级",
            l.title,
            year.map(|y| y.to_string()).unwrap_or_default()
        );
        charts::tile_map("debt-map", &title, l, &values, &legend())
    });
    // The trend: the asked region's ratio, or every mapped region's.
    let trend = {
        let periods: Vec<String> = years.iter().map(|y| y.to_string()).collect();
        let series: Vec<Series> = match &history {
            Some(h) => vec![Series {
                name: h.region_name.clone(),
                values: years
                    .iter()
                    .map(|y| {
                        h.years
                            .iter()
                            .find(|p| p.year == *y)
                            .map(|p| bp_value(p.ratio_bp))
                    })
                    .collect(),
            }],
            None => {
                let mut regions: Vec<String> = all.iter().map(|p| p.region.clone()).collect();
                regions.dedup();
                if let Some(l) = layout {
                    regions.retain(|r| l.tiles.iter().any(|t| &t.code == r));
                }
                regions
                    .iter()
                    .map(|r| Series {
                        name: debt::region_name(r),
                        values: years
                            .iter()
                            .map(|y| {
                                all.iter()
                                    .find(|p| &p.region == r && p.year == *y)
                                    .map(|p| bp_value(p.ratio_bp))
                            })
                            .collect(),
                    })
                    .collect()
            }
        };
        let thresholds: Vec<Threshold> = debt::levels()
            .map(|l| {
                l.levels
                    .iter()
                    .filter(|b| b.from_percent > 0)
                    .map(|b| Threshold {
                        value: f64::from(b.from_percent),
                        label: format!("{} {}%", b.level.label(), b.from_percent),
                        colour: b.level.colour().into(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let title = match &history {
            Some(h) => format!("{} 债务率走势", h.region_name),
            None => "各地区债务率走势".to_string(),
        };
        charts::trend("debt-trend", &title, &periods, &series, &thresholds, "%")
    };
    let ranking = {
        let mut rows = of_year.clone();
        rows.sort_by_key(|p| std::cmp::Reverse(p.ratio_bp));
        let items: Vec<Bar> = rows
            .iter()
            .map(|p| Bar {
                label: p.region_name.clone(),
                value: bp_value(p.ratio_bp),
                text: p.ratio.clone(),
                colour: level_of(p).map(|l| l.colour().to_string()),
                href: Some(format!("/console/debt?region={}{year_q}", enc(&p.region))),
            })
            .collect();
        charts::bars(
            "debt-ranking",
            &format!(
                "{} 年度债务率排名（由高到低）",
                year.map(|y| y.to_string()).unwrap_or_default()
            ),
            &items,
        )
    };
    let basis = debt::levels().map(|l| l.basis.label()).unwrap_or("");
    let body = html! {
        p.lead { "债务率 = 债务余额 ÷ 综合财力 × 100%（口径：" (basis) "）。金额单位：万元。风险等级标准见 /api/v1/debt/levels 与文档 DEBT.md。" }
        form.filters method="get" action="/console/debt" {
            label for="debt-year" { "年度" }
            select #debt-year name="year" {
                @for y in years.iter().rev() {
                    option value=(y) selected[Some(*y) == year] { (y) }
                }
            }
            @if let Some(r) = region { input type="hidden" name="region" value=(r); }
            button type="submit" { "查看" }
            @if region.is_some() { " " a href="/console/debt" { "全部地区" } }
        }
        @if all.is_empty() {
            p.empty #debt-empty { "本地区尚无债务数据。" }
        }
        div.grid.two {
            section.card #debt-map-card {
                h2 { "风险等级分布图" }
                @match &map {
                    Some(m) => { (m) }
                    None => { p.hint { "本地区没有配置区划示意图。" } }
                }
            }
            section.card #debt-trend-card {
                h2 { "债务率走势" }
                (trend)
            }
        }
        section.card #debt-ranking-card {
            h2 { "债务率排名" }
            (ranking)
        }
        @if let Some(h) = &history {
            section.card #debt-changes {
                h2 { (h.region_name) " 风险等级变化" }
                @if h.changes.is_empty() { p.hint { "各年度风险等级未发生变化。" } }
                ul { @for c in &h.changes {
                    li { (c.year) " 年：" (c.text) @if c.worse { " " span.tag.warn { "上升" } } }
                } }
            }
        }
        section.card {
            h2 { "债务数据" }
            div.table-wrap { table #debt-positions {
                thead { tr {
                    th { "地区" } th { "年度" } th { "一般债务余额" } th { "专项债务余额" }
                    th { "隐性债务余额" } th { "综合财力" } th { "债务率" } th { "含隐性债务" }
                    th { "风险等级" } th { "版本" }
                } }
                tbody {
                    @if page.items.is_empty() { tr { td colspan="10" { "无数据" } } }
                    @for p in &page.items {
                        tr data-region=(p.region) data-year=(p.year) {
                            td data-label="地区" { a href=(format!("/console/debt?region={}", enc(&p.region))) { (p.region_name) } }
                            td data-label="年度" { (p.year) }
                            td data-label="一般债务余额" { (p.general_wan) }
                            td data-label="专项债务余额" { (p.special_wan) }
                            td data-label="隐性债务余额" { (p.hidden_wan.as_deref().unwrap_or("未填报")) }
                            td data-label="综合财力" { (p.capacity_wan) }
                            td data-label="债务率" { (p.ratio) }
                            td data-label="含隐性债务" { (p.ratio_with_hidden.as_deref().unwrap_or("—")) }
                            td data-label="风险等级" { (level_tag(p)) }
                            td data-label="版本" { (p.version) }
                        }
                    }
                }
            } }
            @if let Some(next) = &page.next {
                p { a #debt-next href=(format!("/console/debt?after={}{}{}",
                    enc(next),
                    region.map(|r| format!("&region={}", enc(r))).unwrap_or_default(),
                    year_q)) { "下一页" } }
            }
        }
        @if caller.has(P::CommitmentsManage) {
            section.card #debt-import-card {
                h2 { "导入债务数据" }
                p.hint { "CSV（UTF-8 或 GB18030）或 XLSX 文件，表头：" (template_headers().join("、"))
                    "。金额以万元为单位；隐性债务余额未掌握的留空（不按零处理）；综合财力须大于零。只能导入本地区及下辖地区的数据；有错的行逐行列出、不导入，其余行照常导入；重复导入相同数据不会产生新版本。" }
                label for="debt-file" { "选择文件" }
                input #debt-file type="file" accept=".csv,.xlsx,.txt";
                button #debt-import type="button" { "上传并导入" }
                (msg_box("debt-msg"))
                ul.problems #debt-problems hidden {}
            }
            (script(IMPORT_JS))
        }
    };
    render(&caller, &v, "地方政府债务", "/console/debt", body)
}
