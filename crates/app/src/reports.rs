//! Reports over stored records.

use chengxin_access::Permission;
use chengxin_domain::reports::{self, PublicationFact, TimelinessReport};
use chengxin_store::Store;
use chrono::NaiveDate;

use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::App;

/// The 双公示 types whose timeliness is measured.
pub const SHUANG_GONGSHI_TYPES: [&str; 2] = ["admin_license", "admin_penalty"];

pub async fn timeliness(
    store: &dyn Store,
    from: NaiveDate,
    to: NaiveDate,
    dept: Option<&str>,
    as_of: NaiveDate,
) -> AppResult<TimelinessReport> {
    timeliness_within(store, from, to, dept, as_of, |_| true).await
}

/// [`timeliness`] over the departments `within` accepts (the caller's jurisdiction): the
/// totals then count only what the caller may see.
pub async fn timeliness_within(
    store: &dyn Store,
    from: NaiveDate,
    to: NaiveDate,
    dept: Option<&str>,
    as_of: NaiveDate,
    within: impl Fn(&str) -> bool,
) -> AppResult<TimelinessReport> {
    if to < from {
        return Err(AppError::invalid("invalid_period", "结束日期早于开始日期"));
    }
    let types: Vec<String> = SHUANG_GONGSHI_TYPES.iter().map(|s| s.to_string()).collect();
    let records = store.records_decided(&types, from, to).await?;
    let facts: Vec<PublicationFact> = records
        .into_iter()
        .filter(|r| dept.is_none_or(|d| r.source_dept == d) && within(&r.source_dept))
        .map(|r| PublicationFact {
            record_id: r.id.to_string(),
            type_code: r.type_code,
            doc_no: r.doc_no,
            source_dept: r.source_dept,
            decision_date: r.decision_date,
            published_on: r.published_at.map(reports::china_date),
        })
        .collect();
    let cal = &crate::calendar::in_effect(store).await?;
    reports::timeliness(
        &facts,
        cal,
        reports::SHUANG_GONGSHI_DEADLINE,
        from,
        to,
        as_of,
    )
    .map_err(AppError::from)
}

/// [`timeliness`] as of today over the departments within the caller's reach for
/// `reports_read`.
pub async fn timeliness_for(
    app: &App,
    caller: &Caller,
    from: NaiveDate,
    to: NaiveDate,
    dept: Option<&str>,
) -> AppResult<TimelinessReport> {
    let today = reports::china_date(chengxin_store::clock::now());
    timeliness_within(app.store.as_ref(), from, to, dept, today, |dept| {
        caller.reaches(Permission::ReportsRead, &uscc_region(dept))
    })
    .await
}

/// 归集量: records collected per department and month (the month of the decision), within the
/// caller's reach for `reports_read`.
#[derive(Debug, Clone, Default)]
pub struct Volume {
    /// `YYYY-MM`, oldest first.
    pub months: Vec<String>,
    /// `(department USCC, count per month)`, by USCC.
    pub departments: Vec<(String, Vec<u64>)>,
    /// Count per month over every department.
    pub totals: Vec<u64>,
}

/// The first day of the month `n` months before `first` (a first of a month).
fn months_back(first: NaiveDate, n: u32) -> NaiveDate {
    first
        .checked_sub_months(chrono::Months::new(n))
        .unwrap_or(first)
}

/// [`Volume`] over the `months` months ending with the month that starts on `last_first`.
pub async fn volume_for(
    app: &App,
    caller: &Caller,
    last_first: NaiveDate,
    months: u32,
) -> AppResult<Volume> {
    caller.require(Permission::ReportsRead)?;
    let months = months.clamp(1, 36);
    let first = months_back(last_first, months - 1);
    let end = last_first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(last_first);
    let labels: Vec<String> = (0..months)
        .map(|i| {
            months_back(last_first, months - 1 - i)
                .format("%Y-%m")
                .to_string()
        })
        .collect();
    let types: Vec<String> = chengxin_domain::catalog::Catalog::default_checked()
        .map_err(AppError::unavailable)?
        .types()
        .iter()
        .map(|t| t.code.clone())
        .collect();
    let records = app.store.records_decided(&types, first, end).await?;
    let mut by_dept: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    let mut totals = vec![0u64; labels.len()];
    for r in records {
        if !caller.reaches(Permission::ReportsRead, &uscc_region(&r.source_dept)) {
            continue;
        }
        let m = r.decision_date.format("%Y-%m").to_string();
        let Some(i) = labels.iter().position(|l| *l == m) else {
            continue;
        };
        let row = by_dept
            .entry(r.source_dept.clone())
            .or_insert_with(|| vec![0; labels.len()]);
        row[i] += 1;
        totals[i] += 1;
    }
    Ok(Volume {
        months: labels,
        departments: by_dept.into_iter().collect(),
        totals,
    })
}
