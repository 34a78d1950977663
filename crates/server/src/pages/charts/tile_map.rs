//! A tile map: one square per region at its schematic cell (`data/regions/tiles.toml`), filled
//! with its value's colour, named, its value written under the name, a link to the region's
//! page, a `<title>` tooltip; a legend below; and the whole map described in `<desc>`.

use std::collections::HashMap;

use chengxin_domain::regions::tiles::TileLayout;
use chengxin_domain::regions::RegionTable;
use maud::{html, Markup};

use super::num;

/// A region's value on the map.
#[derive(Debug, Clone)]
pub struct TileValue {
    /// What is written on the tile (`123.45%`, `黄色`).
    pub text: String,
    /// The fill colour (`#f4d35e`).
    pub colour: String,
    /// Where the tile leads.
    pub href: Option<String>,
}

/// A legend entry.
#[derive(Debug, Clone)]
pub struct LegendItem {
    pub colour: String,
    pub label: String,
}

const CELL: f64 = 96.0;
const GAP: f64 = 6.0;
const NO_DATA: &str = "#e0e0e0";

/// The map of `layout` (the region names from the national table), `values` by region code,
/// regions without a value grey with "无数据".
pub fn tile_map(
    id: &str,
    title: &str,
    layout: &TileLayout,
    values: &HashMap<String, TileValue>,
    legend: &[LegendItem],
) -> Markup {
    let regions = RegionTable::national();
    let cols = layout.tiles.iter().map(|t| t.col).max().unwrap_or(0) as f64 + 1.0;
    let rows = layout.tiles.iter().map(|t| t.row).max().unwrap_or(0) as f64 + 1.0;
    let width = (cols * (CELL + GAP) + GAP).max(320.0);
    // Legend entries left to right, wrapping at the map's width.
    let mut places = Vec::with_capacity(legend.len());
    let (mut lx, mut line) = (GAP, 0.0f64);
    for l in legend {
        let w = 28.0 + 12.0 * l.label.chars().count() as f64;
        if lx > GAP && lx + w > width {
            lx = GAP;
            line += 1.0;
        }
        places.push((lx, line));
        lx += w;
    }
    let legend_h = if legend.is_empty() {
        0.0
    } else {
        24.0 * (line + 1.0) + 6.0
    };
    let height = rows * (CELL + GAP) + GAP + legend_h;
    let name = |code: &str| {
        regions
            .get(code)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let desc: String = layout
        .tiles
        .iter()
        .map(|t| {
            let v = values
                .get(&t.code)
                .map(|v| v.text.as_str())
                .unwrap_or("无数据");
            format!("{}：{}", name(&t.code), v)
        })
        .collect::<Vec<_>>()
        .join("；");
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg.chart.tile-map id=(id) xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {} {}", num(width), num(height)))
            width=(num(width)) height=(num(height))
            aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (desc) }
            @for t in &layout.tiles {
                @let x = GAP + t.col as f64 * (CELL + GAP);
                @let y = GAP + t.row as f64 * (CELL + GAP);
                @let v = values.get(&t.code);
                @let n = name(&t.code);
                @let text = v.map(|v| v.text.clone()).unwrap_or_else(|| "无数据".into());
                @let fill = v.map(|v| v.colour.clone()).unwrap_or_else(|| NO_DATA.into());
                @let tile = html! {
                    g.tile data-region=(t.code) {
                        title { (n) "：" (text) }
                        rect x=(num(x)) y=(num(y)) width=(num(CELL)) height=(num(CELL)) rx="6"
                            fill=(fill) stroke="#ffffff" stroke-width="2" {}
                        text x=(num(x + CELL / 2.0)) y=(num(y + CELL / 2.0 - 4.0))
                            text-anchor="middle" font-size="14" fill="#1a1a1a" { (n) }
                        text x=(num(x + CELL / 2.0)) y=(num(y + CELL / 2.0 + 16.0))
                            text-anchor="middle" font-size="12" fill="#1a1a1a" { (text) }
                    }
                };
                @match v.and_then(|v| v.href.as_deref()) {
                    Some(href) => { a href=(href) { (tile) } }
                    None => { (tile) }
                }
            }
            @for (l, (x, line)) in legend.iter().zip(places.iter().copied()) {
                @let y = rows * (CELL + GAP) + GAP + 6.0 + line * 24.0;
                g.legend {
                    rect x=(num(x)) y=(num(y)) width="14" height="14" fill=(l.colour) {}
                    text x=(num(x + 20.0)) y=(num(y + 12.0)) font-size="12" fill="#1a1a1a" { (l.label) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::well_formed;
    use super::*;
    use chengxin_domain::regions::tiles::{layout_of, Tile};

    #[test]
    fn map_of_the_demo_city() {
        let layout = layout_of("320400").unwrap();
        let mut values = HashMap::new();
        values.insert(
            "320412".to_string(),
            TileValue {
                text: "135.20% <黄色> & \"x\"".into(),
                colour: "#f4d35e".into(),
                href: Some("/console/debt?region=320412&year=2025".into()),
            },
        );
        let legend = [LegendItem {
            colour: "#7fc97f".into(),
            label: "绿色 <120%".into(),
        }];
        let svg = tile_map("m", "常州市 <债务>", layout, &values, &legend).into_string();
        well_formed(&svg);
        assert!(svg.contains("武进区"));
        assert!(svg.contains("&lt;黄色&gt; &amp; &quot;x&quot;"), "{svg}");
        assert!(svg.contains("href=\"/console/debt?region=320412&amp;year=2025\""));
        assert!(svg.contains("无数据"), "regions without a value say so");
        assert!(svg.contains("<desc"));
        assert_eq!(svg.matches("<g class=\"tile\"").count(), 6);
    }

    #[test]
    fn empty_layout_is_still_an_svg() {
        let l = TileLayout {
            parent: "320400".into(),
            title: "t".into(),
            tiles: vec![Tile {
                code: "999999".into(),
                col: 0,
                row: 0,
            }],
        };
        let svg = tile_map("e", "t", &l, &HashMap::new(), &[]).into_string();
        well_formed(&svg);
        assert!(svg.contains("999999"));
    }
}
