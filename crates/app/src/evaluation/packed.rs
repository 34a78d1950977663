//! A target's indicator results packed into its score row (runs since migration 0042): the
//! source values its indicators used, the imported figures, and per applicable indicator its
//! value, points, weight and status (with the reason where not scored). One row per target and
//! period instead of one per indicator; the explanation unpacks the same results the total was
//! made of, so an explanation always adds up to the score.

use std::collections::BTreeMap;

use chengxin_domain::evaluation::{sources, IndicatorSystem};
use chengxin_store::{EvalItemRow, EvalScoreRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One indicator's result: code, value (two decimals; `None` when not scored), points, weight,
/// status (`ok`, `no_data`, `error`).
pub(crate) type PackedIndicator = (String, Option<f64>, f64, f64, String);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Packed {
    /// Source values used by the indicators, by name. A zero count is left out; a value that
    /// is missing (a region without a debt position) is left out, a debt value present is
    /// always kept (so an absent debt value reads as missing, an absent count as zero).
    #[serde(rename = "s", default)]
    pub values: BTreeMap<String, f64>,
    /// Imported figures of the target, by indicator.
    #[serde(rename = "m", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub imported: BTreeMap<String, f64>,
    /// The applicable indicators, in the system's order.
    #[serde(rename = "i", default)]
    pub indicators: Vec<PackedIndicator>,
    /// Why an indicator was not scored, by indicator.
    #[serde(rename = "n", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, String>,
}

fn is_debt(name: &str) -> bool {
    sources::value(name).is_some_and(|v| v.family == "debt")
}

impl Packed {
    /// Keep source value `name` (as computed; NaN = missing).
    pub fn keep_value(&mut self, name: &str, v: f64) {
        if v.is_nan() || (v == 0.0 && !is_debt(name)) {
            return;
        }
        self.values.insert(name.to_string(), v);
    }

    /// A source value as computed (`None`: missing, or a name that is no source value).
    pub fn value(&self, name: &str, indicator: &str) -> Option<f64> {
        if name == "imported" {
            return self.imported.get(indicator).copied();
        }
        sources::value_index(name)?;
        match self.values.get(name) {
            Some(v) => Some(*v),
            None if is_debt(name) => None,
            None => Some(0.0),
        }
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The indicator results as rows (as `evaluation_items` held them), for the explanation.
    pub fn items(&self, system: &IndicatorSystem, score: &EvalScoreRow) -> Vec<EvalItemRow> {
        let mut out: Vec<EvalItemRow> = self
            .indicators
            .iter()
            .map(|(code, value, points, weight, status)| {
                let ind = system.indicator(code);
                let inputs: serde_json::Map<String, serde_json::Value> = ind
                    .map(|ind| system.values_used(ind))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| {
                        let v = self.value(&n, code);
                        (n, serde_json::json!(v))
                    })
                    .collect();
                EvalItemRow {
                    id: Uuid::nil(),
                    run_id: score.run_id,
                    target: score.target.clone(),
                    indicator: code.clone(),
                    dimension: ind.map(|i| i.dimension.clone()).unwrap_or_default(),
                    value: *value,
                    points: *points,
                    weight: *weight,
                    status: status.clone(),
                    note: self.notes.get(code).cloned(),
                    inputs: serde_json::Value::Object(inputs).to_string(),
                }
            })
            .collect();
        out.sort_by(|a, b| a.indicator.cmp(&b.indicator));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_counts_are_left_out_and_read_back_as_zero_missing_debt_as_missing() {
        let mut p = Packed::default();
        p.keep_value("gongshi_on_time", 0.0);
        p.keep_value("gongshi_late", 3.0);
        p.keep_value(sources::DEBT_RATIO, f64::NAN);
        p.imported.insert("L9".into(), 88.5);
        let back = Packed::parse(&p.to_text()).unwrap_or_default();
        assert_eq!(back, p);
        assert_eq!(back.value("gongshi_on_time", "L1"), Some(0.0));
        assert_eq!(back.value("gongshi_late", "L1"), Some(3.0));
        assert_eq!(back.value(sources::DEBT_RATIO, "L1"), None);
        assert_eq!(back.value("imported", "L9"), Some(88.5));
        assert_eq!(back.value("imported", "L1"), None);
        assert_eq!(back.value("no_such_value", "L1"), None);
        let mut d = Packed::default();
        d.keep_value(sources::DEBT_RATIO, 0.0);
        assert_eq!(d.value(sources::DEBT_RATIO, "L1"), Some(0.0));
    }
}
