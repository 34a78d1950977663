//! A trend line chart: periods along the bottom, one line per series (gaps where a period has
//! no value), optional horizontal threshold lines (e.g. the risk levels' bounds), a legend.

use maud::{html, Markup};

use super::{nice_step, num, PALETTE};

/// One line: a name and a value per period (`None`: no value that period).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A horizontal reference line.
#[derive(Debug, Clone)]
pub struct Threshold {
    pub value: f64,
    pub label: String,
    pub colour: String,
}

const W: f64 = 640.0;
const H: f64 = 280.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// The chart. `unit` follows each value in tooltips and the axis (`%`).
pub fn trend(
    id: &str,
    title: &str,
    periods: &[String],
    series: &[Series],
    thresholds: &[Threshold],
    unit: &str,
) -> Markup {
    let finite = |v: &Option<f64>| v.filter(|x| x.is_finite());
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().filter_map(finite))
        .chain(thresholds.iter().map(|t| t.value).filter(|v| v.is_finite()))
        .fold(0.0f64, f64::max);
    let step = nice_step(max);
    let top = (max / step).ceil().max(1.0) * step;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let n = periods.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| TOP + plot_h * (1.0 - (v / top).clamp(0.0, 1.0));
    let ticks: Vec<f64> = (0..=((top / step).round() as i64))
        .map(|k| k as f64 * step)
        .collect();
    let legend_h = 22.0 * series.len().div_ceil(4) as f64;
    let height = H + legend_h;
    let desc: String = series
        .iter()
        .map(|s| {
            let pts: Vec<String> = periods
                .iter()
                .zip(&s.values)
                .map(|(p, v)| match finite(v) {
                    Some(v) => format!("{p} {}{unit}", num_text(v)),
                    None => format!("{p} 无数据"),
                })
                .collect();
            format!("{}：{}", s.name, pts.join("，"))
        })
        .collect::<Vec<_>>()
        .join("；");
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg.chart.trend id=(id) xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {} {}", num(W), num(height))) width=(num(W)) height=(num(height))
            aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (if desc.is_empty() { "无数据".to_string() } else { desc.clone() }) }
            @for t in &ticks {
                line x1=(num(LEFT)) x2=(num(W - RIGHT)) y1=(num(y(*t))) y2=(num(y(*t)))
                    stroke="#e3e3e3" stroke-width="1" {}
                text x=(num(LEFT - 6.0)) y=(num(y(*t) + 4.0)) text-anchor="end" font-size="11"
                    fill="#444444" { (num_text(*t)) (unit) }
            }
            @for (i, p) in periods.iter().enumerate() {
                text x=(num(x(i))) y=(num(H - BOTTOM + 18.0)) text-anchor="middle" font-size="11"
                    fill="#444444" { (p) }
            }
            @for t in thresholds.iter().filter(|t| t.value.is_finite()) {
                g.threshold {
                    title { (t.label) }
                    line x1=(num(LEFT)) x2=(num(W - RIGHT)) y1=(num(y(t.value))) y2=(num(y(t.value)))
                        stroke=(t.colour) stroke-width="1.5" stroke-dasharray="6 4" {}
                    text x=(num(W - RIGHT - 2.0)) y=(num(y(t.value) - 4.0)) text-anchor="end"
                        font-size="10" fill="#444444" { (t.label) }
                }
            }
            @for (k, s) in series.iter().enumerate() {
                @let colour = PALETTE[k % PALETTE.len()];
                @let segments = segments(&s.values);
                g.series data-series=(s.name) {
                    @for seg in &segments {
                        @if seg.len() > 1 {
                            polyline fill="none" stroke=(colour) stroke-width="2.5"
                                points=(seg.iter().map(|(i, v)| format!("{},{}", num(x(*i)), num(y(*v)))).collect::<Vec<_>>().join(" ")) {}
                        }
                    }
                    @for (i, v) in s.values.iter().enumerate() {
                        @if let (Some(v), Some(p)) = (finite(v), periods.get(i)) {
                            circle cx=(num(x(i))) cy=(num(y(v))) r="4" fill=(colour) {
                                title { (s.name) " " (p) "：" (num_text(v)) (unit) }
                            }
                        }
                    }
                }
            }
            @for (k, s) in series.iter().enumerate() {
                @let lx = LEFT + (k % 4) as f64 * 150.0;
                @let ly = H + 4.0 + (k / 4) as f64 * 22.0;
                g.legend {
                    rect x=(num(lx)) y=(num(ly)) width="14" height="4" fill=(PALETTE[k % PALETTE.len()]) {}
                    text x=(num(lx + 20.0)) y=(num(ly + 6.0)) font-size="12" fill="#1a1a1a" { (s.name) }
                }
            }
        }
    }
}

/// A value as text: up to two decimals, trailing zeros dropped.
pub(crate) fn num_text(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The runs of consecutive finite values: `(period index, value)`.
fn segments(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out = vec![];
    let mut cur = vec![];
    for (i, v) in values.iter().enumerate() {
        match v.filter(|x| x.is_finite()) {
            Some(v) => cur.push((i, v)),
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::check::well_formed;
    use super::*;

    #[test]
    fn lines_with_gaps_and_no_nan() {
        let periods: Vec<String> = (2021..=2025).map(|y| y.to_string()).collect();
        let series = [
            Series {
                name: "武进区 <a&b>".into(),
                values: vec![Some(110.0), Some(118.5), None, Some(f64::NAN), Some(135.0)],
            },
            Series {
                name: "天宁区".into(),
                values: vec![Some(f64::INFINITY); 5],
            },
        ];
        let th = [Threshold {
            value: 120.0,
            label: "黄色 120%".into(),
            colour: "#f4d35e".into(),
        }];
        let svg = trend("t", "债务率", &periods, &series, &th, "%").into_string();
        well_formed(&svg);
        assert!(svg.contains("武进区 &lt;a&amp;b&gt;"));
        assert_eq!(svg.matches("<polyline").count(), 1, "one run of two points");
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("2023 无数据"));
    }

    #[test]
    fn empty_chart() {
        let svg = trend("e", "空", &[], &[], &[], "").into_string();
        well_formed(&svg);
        assert!(svg.contains("无数据"));
    }
}
