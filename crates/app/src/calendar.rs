//! Working days on the official calendar (statutory holidays and 调休 included).

use chengxin_domain::calendar::WorkCalendar;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

/// Most working days [`add`] counts.
pub const MAX_ADD: u32 = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct AddResult {
    pub date: NaiveDate,
    pub n: u32,
    /// The n-th working day after `date`.
    pub result: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BetweenResult {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Working days d with from < d <= to (negative when `to` is before `from`).
    pub working_days: i64,
}

fn calendar() -> AppResult<&'static WorkCalendar> {
    WorkCalendar::official_checked()
        .map_err(|e| AppError::unavailable(format!("工作日历数据不可用：{e}")))
}

/// The n-th working day after `date` (`n` at most [`MAX_ADD`]).
pub fn add(date: NaiveDate, n: u32) -> AppResult<AddResult> {
    if n > MAX_ADD {
        return Err(AppError::invalid("invalid_query", "n 不能超过 1000"));
    }
    let result = calendar()?.add_working_days(date, n)?;
    Ok(AddResult { date, n, result })
}

/// Working days d with `from` < d <= `to`.
pub fn between(from: NaiveDate, to: NaiveDate) -> AppResult<BetweenResult> {
    let working_days = calendar()?.working_days_between(from, to)?;
    Ok(BetweenResult {
        from,
        to,
        working_days,
    })
}
