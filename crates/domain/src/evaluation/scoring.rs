//! Scoring methods: how an indicator's value becomes points (0 … the indicator's weight).
//!
//! - `thresholds`: `steps = [[95, 1.0], [85, 0.8], [60, 0.5]]` — the share of the weight of the
//!   first step whose threshold the value reaches (steps from high to low), else 0;
//! - `linear`: `zero = 60, full = 100` — 0 points at `zero`, full points at `full`, linear in
//!   between and clamped (`zero > full` when lower values are better);
//! - `rank`: `better = "higher"` or `"lower"` — by rank among the targets of the same level and
//!   period: first gets the full weight, last 0, linear in between (ties share the better rank,
//!   a single target gets the full weight);
//! - `deduction`: `per_event = 2, cap = 10` — the value counts events; each deducts `per_event`
//!   points, at most `cap` (≤ the weight) in all.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scoring {
    Thresholds { steps: Vec<(f64, f64)> },
    Linear { zero: f64, full: f64 },
    Rank { better: String },
    Deduction { per_event: f64, cap: f64 },
}

impl Scoring {
    /// Check against the indicator's weight; the reason in Chinese.
    pub fn check(&self, weight: f64) -> Result<(), String> {
        match self {
            Self::Thresholds { steps } => {
                if steps.is_empty() {
                    return Err("thresholds 至少需要一个门槛".into());
                }
                if steps
                    .iter()
                    .any(|(t, s)| !t.is_finite() || !(0.0..=1.0).contains(s))
                {
                    return Err("门槛的得分比例须在 0 到 1 之间".into());
                }
                if steps.windows(2).any(|w| w[0].0 <= w[1].0) {
                    return Err("门槛须从高到低排列".into());
                }
                Ok(())
            }
            Self::Linear { zero, full } => {
                if !zero.is_finite() || !full.is_finite() || (zero - full).abs() < 1e-12 {
                    return Err("linear 的 zero 与 full 须为不同的数值".into());
                }
                Ok(())
            }
            Self::Rank { better } => match better.as_str() {
                "higher" | "lower" => Ok(()),
                _ => Err("rank 的 better 须为 higher 或 lower".into()),
            },
            Self::Deduction { per_event, cap } => {
                if *per_event <= 0.0 || !per_event.is_finite() {
                    return Err("deduction 的 per_event 须大于零".into());
                }
                if *cap <= 0.0 || *cap > weight + 1e-9 {
                    return Err(format!(
                        "deduction 的 cap 须大于零且不超过指标权重 {weight}"
                    ));
                }
                Ok(())
            }
        }
    }

    pub fn is_rank(&self) -> bool {
        matches!(self, Self::Rank { .. })
    }

    /// Points for `value` out of `weight`; `rank_share` is the share from the rank (only for
    /// `rank`, computed with [`rank_shares`]). Always within `[0, weight]`.
    pub fn points(&self, weight: f64, value: f64, rank_share: Option<f64>) -> f64 {
        let p = match self {
            Self::Thresholds { steps } => {
                weight
                    * steps
                        .iter()
                        .find(|(t, _)| value >= *t)
                        .map(|(_, s)| *s)
                        .unwrap_or(0.0)
            }
            Self::Linear { zero, full } => {
                let share = (value - zero) / (full - zero);
                weight * share.clamp(0.0, 1.0)
            }
            Self::Rank { .. } => weight * rank_share.unwrap_or(1.0).clamp(0.0, 1.0),
            Self::Deduction { per_event, cap } => weight - (per_event * value.max(0.0)).min(*cap),
        };
        round2(p.clamp(0.0, weight)).clamp(0.0, weight)
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Thresholds { steps } => {
                let parts: Vec<String> = steps
                    .iter()
                    .map(|(t, s)| format!("≥{t} 得 {}%", round2(s * 100.0)))
                    .collect();
                format!("分档计分：{}，其余 0 分", parts.join("，"))
            }
            Self::Linear { zero, full } => {
                format!("线性计分：{zero} 为 0 分，{full} 为满分，之间按比例")
            }
            Self::Rank { better } => format!(
                "排名计分：同级中{}者得满分，末位 0 分",
                if better == "lower" {
                    "数值越低"
                } else {
                    "数值越高"
                }
            ),
            Self::Deduction { per_event, cap } => {
                format!("扣分制：每项扣 {per_event} 分，最多扣 {cap} 分")
            }
        }
    }
}

/// Round to hundredths (scores are stored and shown to two decimals).
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Rank shares for `values` (`higher` better unless `lower`): 1 for the best, 0 for the worst,
/// linear by rank in between; equal values share the better rank; one value gets 1.
pub fn rank_shares(values: &[f64], lower_is_better: bool) -> Vec<f64> {
    let n = values.len();
    if n <= 1 {
        return vec![1.0; n];
    }
    let keyed: Vec<f64> = if lower_is_better {
        values.iter().map(|v| -v).collect()
    } else {
        values.to_vec()
    };
    ranks(&keyed)
        .into_iter()
        .map(|r| 1.0 - (r - 1) as f64 / (n - 1) as f64)
        .collect()
}

/// Standard competition ranks (1, 2, 2, 4 …) of `scores`, higher first; O(n log n).
pub fn ranks(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
    let mut out = vec![0; scores.len()];
    let mut prev: Option<(f64, usize)> = None;
    for (pos, i) in order.into_iter().enumerate() {
        let r = match prev {
            Some((s, r)) if s == scores[i] => r,
            _ => pos + 1,
        };
        out[i] = r;
        prev = Some((scores[i], r));
    }
    out
}

/// The z-score of `value` against `history` (at least 3 values, non-zero spread), else `None`.
pub fn z_score(value: f64, history: &[f64]) -> Option<f64> {
    if history.len() < 3 {
        return None;
    }
    let n = history.len() as f64;
    let mean = history.iter().sum::<f64>() / n;
    let var = history.iter().map(|h| (h - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let sd = var.sqrt();
    (sd > 1e-9).then(|| (value - mean) / sd)
}
