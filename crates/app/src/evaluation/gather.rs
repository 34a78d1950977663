//! Reading a period's items from the store's named source queries and tagging each (the
//! domain's rules: the 双公示 deadline in working days, deadlines, commitment states).

use std::collections::HashMap;

use chengxin_domain::commitments::is_government_uscc;
use chengxin_domain::evaluation::sources;
use chengxin_domain::reports::{china_date, SHUANG_GONGSHI_DEADLINE};
use chengxin_store::{SourceItem, Store};
use chrono::NaiveDate;

use crate::auth::uscc_region;
use crate::error::{AppError, AppResult};
use crate::reports::SHUANG_GONGSHI_TYPES;

/// Work item kinds of the family `rectification`.
pub const RECTIFICATION_KINDS: [&str; 4] = [
    "inspection_finding",
    "audit_finding",
    "finance_finding",
    "list_rectification",
];
/// Work item kinds of the family `proposals`.
pub const PROPOSAL_KINDS: [&str; 2] = ["npc_suggestion", "cppcc_proposal"];

/// One item with its family and tag.
#[derive(Debug, Clone)]
pub(crate) struct Tagged {
    pub family: &'static str,
    pub body_uscc: String,
    pub body_name: String,
    /// The body's region (6 or 9 digits).
    pub region: String,
    pub item_id: String,
    pub title: String,
    pub on: NaiveDate,
    pub tag: &'static str,
    /// A measured value the item carries besides being counted (a debt position's ratio in
    /// percent, the value `debt_ratio`); `None` for the counted families.
    pub measure: Option<f64>,
}

fn tagged(family: &'static str, it: SourceItem, tag: &'static str) -> Tagged {
    let region = it
        .region
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| uscc_region(&it.body_uscc));
    Tagged {
        family,
        body_uscc: it.body_uscc,
        body_name: it.body_name,
        region,
        item_id: it.item_id.to_string(),
        title: it.title,
        on: it.on,
        tag,
        measure: None,
    }
}

pub(crate) fn severity_tag(s: &str) -> Option<&'static str> {
    match s {
        "minor" => Some("minor"),
        "general" => Some("general"),
        "major" => Some("major"),
        "severe" => Some("severe"),
        _ => None,
    }
}

/// The items of `families` (all when empty) for the period `[from, to]`, as of `as_of`.
/// `regions`: the stored region of each body (by USCC), used where a query has none.
pub(crate) async fn gather(
    store: &dyn Store,
    families: &[&str],
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    regions: &HashMap<String, String>,
) -> AppResult<Vec<Tagged>> {
    gather_for(store, families, from, to, as_of, regions, None).await
}

/// [`gather`], of one body only when `body` is given (the explanation of a body's points):
/// the families over the records read the body's own by their indexes (the others are small
/// and filtered by the caller).
pub(crate) async fn gather_for(
    store: &dyn Store,
    families: &[&str],
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    regions: &HashMap<String, String>,
    body: Option<&str>,
) -> AppResult<Vec<Tagged>> {
    let want = |f: &str| families.is_empty() || families.contains(&f);
    let mut out = Vec::new();
    if want("gongshi") {
        let cal = crate::calendar::in_effect(store).await?;
        let types: Vec<String> = SHUANG_GONGSHI_TYPES.iter().map(|s| s.to_string()).collect();
        let records = match body {
            Some(b) => store.eval_gongshi_of(&types, from, to, b).await?,
            None => store.records_decided(&types, from, to).await?,
        };
        for r in records {
            let deadline = cal
                .add_working_days(r.decision_date, SHUANG_GONGSHI_DEADLINE)
                .map_err(AppError::from)?;
            let published = r.published_at.map(china_date);
            let tag = match published {
                Some(p) if p <= deadline => "on_time",
                Some(_) => "late",
                None if as_of > deadline => "late",
                None => "pending",
            };
            let region = regions
                .get(&r.source_dept)
                .cloned()
                .unwrap_or_else(|| uscc_region(&r.source_dept));
            out.push(Tagged {
                family: "gongshi",
                body_name: r.source_dept.clone(),
                body_uscc: r.source_dept,
                region,
                item_id: r.id.to_string(),
                title: r.doc_no,
                on: r.decision_date,
                tag,
                measure: None,
            });
        }
    }
    if want("dishonesty") {
        let found = match body {
            Some(b) => store.eval_dishonesty_of(from, to, b).await?,
            None => store.eval_dishonesty(from, to).await?,
        };
        for it in found {
            if let Some(tag) = severity_tag(&it.state) {
                out.push(tagged("dishonesty", it, tag));
            }
        }
    }
    if want("commitments") {
        for it in store.eval_commitments(from, to).await? {
            if !is_government_uscc(&it.body_uscc) {
                continue;
            }
            let tag = sources::commitment_tag(&it.state, it.on, as_of);
            out.push(tagged("commitments", it, tag));
        }
    }
    if want("arrears") {
        for it in store.eval_arrears(from, to).await? {
            let tag = if it.state == "cleared" {
                "cleared"
            } else {
                "owed"
            };
            out.push(tagged("arrears", it, tag));
        }
    }
    if want("lists") {
        for it in store.eval_list_entries(from, to).await? {
            out.push(tagged("lists", it, "entered"));
        }
    }
    if want("rectification") {
        for it in store
            .eval_work_items(&RECTIFICATION_KINDS, from, to)
            .await?
        {
            let tag = sources::deadline_tag(it.on, it.done_on, as_of);
            out.push(tagged("rectification", it, tag));
        }
    }
    if want("proposals") {
        for it in store.eval_work_items(&PROPOSAL_KINDS, from, to).await? {
            let tag = sources::deadline_tag(it.on, it.done_on, as_of);
            out.push(tagged("proposals", it, tag));
        }
    }
    if want("objections") {
        for it in store.eval_objections(from, to).await? {
            let tag = sources::deadline_tag(it.on, it.done_on, as_of);
            out.push(tagged("objections", it, tag));
        }
    }
    if want("debtors") {
        for it in store.eval_debtor_cases(to).await? {
            out.push(tagged("debtors", it, "open"));
        }
    }
    if want("debt") {
        out.extend(debt_items(store, to).await?);
    }
    // Items of bodies registered with a region use it.
    for t in &mut out {
        if t.family == "debt" {
            continue;
        }
        if let Some(r) = regions.get(&t.body_uscc) {
            t.region = r.clone();
        }
    }
    Ok(out)
}

/// The family `debt`: each region's own position of the newest year up to the period's (its
/// item id the region code, for the link to the region's debt page), tagged with its risk level,
/// the ratio as the item's measure. A position whose ratio cannot be computed (capacity not
/// above zero: the store refuses those) is left out, never a silent zero.
async fn debt_items(store: &dyn Store, to: NaiveDate) -> AppResult<Vec<Tagged>> {
    use chrono::Datelike;
    let levels = crate::debt::levels()?;
    let mut out = Vec::new();
    for r in store.eval_debt_positions(to.year()).await? {
        let Some((bp, level)) = crate::debt::rate(levels, &r) else {
            continue;
        };
        let tag = match level.as_str() {
            "red" => "red",
            "orange" => "orange",
            "yellow" => "yellow",
            _ => "green",
        };
        let name = crate::debt::region_name(&r.region);
        out.push(Tagged {
            family: "debt",
            body_uscc: String::new(),
            body_name: name.clone(),
            region: r.region.clone(),
            item_id: r.region.clone(),
            title: format!(
                "{name} {} 年债务率 {}（{}，{}）",
                r.year,
                chengxin_domain::debt::percent_text(bp),
                level.label(),
                levels.basis.label()
            ),
            on: NaiveDate::from_ymd_opt(r.year, 12, 31).unwrap_or(to),
            tag,
            measure: Some(bp as f64 / 100.0),
        });
    }
    Ok(out)
}

/// Whether an item counts for `target`: a body's own items; for a region, its bodies' items —
/// except a debt position, which is the region's own (a city's ratio is not its districts').
pub(crate) fn counts_for(it: &Tagged, target: &str, is_region: bool) -> bool {
    if it.family == "debt" {
        return is_region && it.region == target;
    }
    if is_region {
        within(&it.region, target)
    } else {
        it.body_uscc == target
    }
}

/// Whether a body's region `body_region` lies within the region target `target`.
pub(crate) fn within(body_region: &str, target: &str) -> bool {
    let prefix = crate::auth::region_prefix(target);
    if target.len() == 9 {
        return body_region == target;
    }
    body_region.starts_with(&prefix)
}
