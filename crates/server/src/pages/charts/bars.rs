//! A horizontal bar chart (a ranking): one bar per item in the order given, its value written
//! at its end, a link where it has one, a `<title>` tooltip.

use maud::{html, Markup};

use super::{num, PALETTE};

/// One bar.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The value as written (`123.45%`).
    pub text: String,
    /// The fill colour (the palette's first when `None`).
    pub colour: Option<String>,
    pub href: Option<String>,
}

const W: f64 = 640.0;
const LABEL_W: f64 = 150.0;
const VALUE_W: f64 = 90.0;
const ROW: f64 = 26.0;

pub fn bars(id: &str, title: &str, items: &[Bar]) -> Markup {
    let max = items
        .iter()
        .map(|b| b.value)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let plot_w = W - LABEL_W - VALUE_W;
    let len = |v: f64| {
        if !v.is_finite() || max <= 0.0 {
            0.0
        } else {
            plot_w * (v / max).clamp(0.0, 1.0)
        }
    };
    let height = (items.len().max(1) as f64) * ROW + 8.0;
    let desc: String = items
        .iter()
        .enumerate()
        .map(|(i, b)| format!("第{}名 {}：{}", i + 1, b.label, b.text))
        .collect::<Vec<_>>()
        .join("；");
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg.chart.bars id=(id) xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {} {}", num(W), num(height))) width=(num(W)) height=(num(height))
            aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (if desc.is_empty() { "无数据".to_string() } else { desc.clone() }) }
            @for (i, b) in items.iter().enumerate() {
                @let y = 4.0 + i as f64 * ROW;
                @let w = len(b.value);
                @let colour = b.colour.clone().unwrap_or_else(|| PALETTE[0].to_string());
                @let bar = html! {
                    g.bar {
                        title { (b.label) "：" (b.text) }
                        text x=(num(LABEL_W - 8.0)) y=(num(y + ROW / 2.0 + 4.0)) text-anchor="end"
                            font-size="12" fill="#1a1a1a" { (b.label) }
                        rect x=(num(LABEL_W)) y=(num(y + 3.0)) width=(num(w)) height=(num(ROW - 8.0))
                            fill=(colour) {}
                        text x=(num(LABEL_W + w + 6.0)) y=(num(y + ROW / 2.0 + 4.0)) font-size="12"
                            fill="#1a1a1a" { (b.text) }
                    }
                };
                @match &b.href {
                    Some(h) => { a href=(h) { (bar) } }
                    None => { (bar) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::well_formed;
    use super::*;

    #[test]
    fn ranking_bars() {
        let items = vec![
            Bar {
                label: "武进区<script>".into(),
                value: 135.2,
                text: "135.20%".into(),
                colour: Some("#f4d35e".into()),
                href: Some("/console/debt?region=320412".into()),
            },
            Bar {
                label: "天宁区".into(),
                value: f64::NAN,
                text: "—".into(),
                colour: None,
                href: None,
            },
        ];
        let svg = bars("b", "排名", &items).into_string();
        well_formed(&svg);
        assert!(svg.contains("武进区&lt;script&gt;"));
        assert!(!svg.contains("<script"));
        assert!(svg.contains("第1名"));
        assert!(svg.contains("width=\"0\""), "a NaN value draws no bar");
    }
}
