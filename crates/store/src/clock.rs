//! The one place that reads the wall clock. `clippy.toml` forbids `Utc::now`, `Local::now` and
//! `SystemTime::now` everywhere else, so every "now" and every "today" in the product come from
//! here and agree with each other (the domain takes time as a parameter).

use chrono::{DateTime, NaiveDate, Utc};

/// The current time, in UTC.
#[allow(clippy::disallowed_methods)]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Today in China Standard Time: the day deadlines, publication periods and report numbers are
/// counted in, whatever the server's own time zone.
pub fn today_in_china() -> NaiveDate {
    chengxin_domain::reports::china_date(now())
}
