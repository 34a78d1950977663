//! The set-based read of a run over many periods: the two families that grow with the
//! platform's records (双公示 timeliness, 政务失信 records) are read once for the whole span of
//! the run — one streamed query each, nothing kept per record — and counted per body and
//! period with the same tags `gather` gives them (the 双公示 deadline in working days from the
//! calendar, pending/late as of each period's day). The other families are small (commitments,
//! arrears, work items, objections, court cases, debt positions) and are gathered per period.

use std::collections::HashMap;

use chengxin_domain::evaluation::{sources, Period};
use chengxin_domain::reports::{china_date, SHUANG_GONGSHI_DEADLINE};
use chengxin_store::Store;
use chrono::NaiveDate;

use super::gather::severity_tag;
use crate::auth::uscc_region;
use crate::error::{AppError, AppResult};
use crate::reports::SHUANG_GONGSHI_TYPES;

/// The families gathered per period (everything but the scanned ones).
pub(crate) const GATHERED: [&str; 8] = [
    "commitments",
    "arrears",
    "lists",
    "rectification",
    "proposals",
    "objections",
    "debtors",
    "debt",
];

/// The (family, tag) pairs counted by the scan, in counter order.
const TAGS: [(&str, &str); 7] = [
    ("gongshi", "on_time"),
    ("gongshi", "late"),
    ("gongshi", "pending"),
    ("dishonesty", "minor"),
    ("dishonesty", "general"),
    ("dishonesty", "major"),
    ("dishonesty", "severe"),
];

fn tag_index(family: &str, tag: &str) -> usize {
    TAGS.iter()
        .position(|(f, t)| *f == family && *t == tag)
        .unwrap_or(0)
}

/// Counts per body (USCC) and period.
#[derive(Debug, Default)]
pub(crate) struct Scanned {
    periods: usize,
    counts: HashMap<String, Vec<[u32; TAGS.len()]>>,
    /// The region of a body not registered (first seen), as `gather` would give it.
    regions: HashMap<String, String>,
}

impl Scanned {
    fn add(&mut self, body: &str, period: usize, tag: usize) {
        let row = match self.counts.get_mut(body) {
            Some(r) => r,
            None => self
                .counts
                .entry(body.to_string())
                .or_insert_with(|| vec![[0; TAGS.len()]; self.periods]),
        };
        row[period][tag] += 1;
    }

    /// The bodies with items in period `p`: (USCC, region if not registered, values indexed
    /// as `sources::VALUES`).
    pub fn values_of(&self, p: usize) -> Vec<(&str, Option<&str>, Vec<f64>)> {
        let slots: Vec<Vec<usize>> = TAGS
            .iter()
            .map(|(f, t)| sources::value_slots(f, t))
            .collect();
        let n = sources::VALUES.len();
        let mut out = Vec::new();
        for (body, per) in &self.counts {
            let c = &per[p];
            if c.iter().all(|x| *x == 0) {
                continue;
            }
            let mut v = vec![0.0; n];
            for (k, count) in c.iter().enumerate() {
                for i in &slots[k] {
                    v[*i] += f64::from(*count);
                }
            }
            out.push((body.as_str(), self.regions.get(body).map(String::as_str), v));
        }
        out
    }
}

/// Read the scanned families for `periods` (as of `as_of`, each period as of the later of it
/// and its start, as a single run would), counting per body and period. `regions`: the
/// registered bodies' regions.
pub(crate) async fn scan(
    store: &dyn Store,
    periods: &[Period],
    as_of: NaiveDate,
    regions: &HashMap<String, String>,
) -> AppResult<Scanned> {
    let mut out = Scanned {
        periods: periods.len(),
        ..Default::default()
    };
    let Some(first) = periods.iter().map(|p| p.range().0).min() else {
        return Ok(out);
    };
    let last = periods.iter().map(|p| p.range().1).max().unwrap_or(first);
    // For each day of the span, the periods it lies in.
    let days = usize::try_from((last - first).num_days() + 1).unwrap_or(0);
    let mut on_day: Vec<Vec<usize>> = vec![Vec::new(); days];
    for (i, p) in periods.iter().enumerate() {
        let (from, to) = p.range();
        let a = usize::try_from((from - first).num_days()).unwrap_or(0);
        let b = usize::try_from((to - first).num_days()).unwrap_or(0);
        for d in on_day.iter_mut().take(b + 1).skip(a) {
            d.push(i);
        }
    }
    let day_of = |d: NaiveDate| usize::try_from((d - first).num_days()).ok();
    let as_of_p: Vec<NaiveDate> = periods.iter().map(|p| as_of.max(p.range().0)).collect();

    let cal = crate::calendar::in_effect(store).await?;
    let types: Vec<String> = SHUANG_GONGSHI_TYPES.iter().map(|s| s.to_string()).collect();
    let mut deadlines: HashMap<NaiveDate, NaiveDate> = HashMap::new();
    let mut fault: Option<AppError> = None;
    {
        let out = &mut out;
        let mut sink =
            |dept: &str, decided: NaiveDate, published: Option<chrono::DateTime<chrono::Utc>>| {
                let deadline = match deadlines.get(&decided) {
                    Some(d) => *d,
                    None => match cal.add_working_days(decided, SHUANG_GONGSHI_DEADLINE) {
                        Ok(d) => {
                            deadlines.insert(decided, d);
                            d
                        }
                        Err(e) => {
                            fault.get_or_insert(AppError::from(e));
                            return;
                        }
                    },
                };
                let published = published.map(china_date);
                let Some(ps) = day_of(decided).and_then(|d| on_day.get(d)) else {
                    return;
                };
                for p in ps {
                    let tag = match published {
                        Some(x) if x <= deadline => "on_time",
                        Some(_) => "late",
                        None if as_of_p[*p] > deadline => "late",
                        None => "pending",
                    };
                    out.add(dept, *p, tag_index("gongshi", tag));
                }
                if !regions.contains_key(dept) && !out.regions.contains_key(dept) {
                    out.regions.insert(dept.to_string(), uscc_region(dept));
                }
            };
        store
            .eval_gongshi_scan(&types, first, last, &mut sink)
            .await?;
    }
    if let Some(e) = fault {
        return Err(e);
    }
    {
        let out = &mut out;
        let mut sink = |uscc: &str, region: Option<&str>, decided: NaiveDate, severity: &str| {
            let Some(tag) = severity_tag(severity) else {
                return;
            };
            let Some(ps) = day_of(decided).and_then(|d| on_day.get(d)) else {
                return;
            };
            for p in ps {
                out.add(uscc, *p, tag_index("dishonesty", tag));
            }
            if !regions.contains_key(uscc) && !out.regions.contains_key(uscc) {
                let r = region
                    .filter(|r| !r.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| uscc_region(uscc));
                out.regions.insert(uscc.to_string(), r);
            }
        };
        store.eval_dishonesty_scan(first, last, &mut sink).await?;
    }
    Ok(out)
}
