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
