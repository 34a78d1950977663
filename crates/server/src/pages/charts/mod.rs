//! Shared charts: server-rendered SVG (maud), no external assets, no script — a tile map of
//! regions ([`tile_map`]), a trend line chart ([`trend`]) and a horizontal bar chart
//! ([`bars`]). Every chart carries a `<title>` and a `<desc>` (screen readers), each mark a
//! `<title>` tooltip; names are escaped by maud; values that are not finite numbers are left
//! out, never drawn as NaN. Colours come from the caller (a legend says what they mean).

pub mod bars;
pub mod tile_map;
pub mod trend;

pub use bars::{bars, Bar};
pub use tile_map::{tile_map, LegendItem, TileValue};
pub use trend::{trend, Series, Threshold};

/// A coordinate as written into the SVG: one decimal, never NaN or infinite (0 instead).
pub(crate) fn num(v: f64) -> String {
    if v.is_finite() {
        let r = (v * 10.0).round() / 10.0;
        if r == r.trunc() {
            format!("{}", r as i64)
        } else {
            format!("{r:.1}")
        }
    } else {
        "0".into()
    }
}

/// A palette for series and bars (readable on white, distinguishable in grey too).
pub const PALETTE: [&str; 8] = [
    "#1f5fa8", "#d1495b", "#2e8b57", "#edae49", "#6a4c93", "#00798c", "#8d6a38", "#555555",
];

/// A step for an axis from 0 to `max`: 1, 2 or 5 × 10ⁿ, about five ticks.
pub(crate) fn nice_step(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    let m = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

#[cfg(test)]
pub(crate) mod check {
    /// A small well-formedness check of an SVG fragment: tags balance, attributes quoted, no
    /// raw `<` or `&` in text, no NaN/inf.
    pub fn well_formed(svg: &str) {
        assert!(!svg.contains("NaN"), "NaN in {svg}");
        assert!(!svg.contains("inf"), "inf in {svg}");
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find(['<', '&']) {
            let text = &rest[..i];
            assert!(!text.contains('>'), "raw > in text: {text}");
            rest = &rest[i..];
            if rest.starts_with('&') {
                let end = rest.find(';').expect("entity ends");
                let ent = &rest[..=end];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&ent),
                    "entity {ent}"
                );
                rest = &rest[end + 1..];
                continue;
            }
            let end = rest.find('>').expect("tag ends");
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            assert!(!tag.contains('<'), "< inside tag {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unquoted {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().expect("close without open");
                assert_eq!(open, name, "mismatched close");
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().unwrap_or("").to_string();
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
    }
}
