//! Export to the national platform (全国信用信息共享平台, issue 21): which files a day's
//! incremental export holds, their columns, and each row mapped from a record, a list event
//! or a repair decision — pure, so the same day always gives the same rows. The store reads,
//! `app::exchange::national` assembles, signs and writes (docs/EXCHANGE.md).

pub mod columns;
pub mod rows;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;

pub use columns::{
    gov_negative_columns, list_event_columns, record_columns, repair_columns, RECORD_EXTRA_COLUMNS,
};
pub use rows::{
    cell, gov_negative_row, is_gov_negative_type, list_event_row, list_events_on, record_op,
    record_row, repair_label, repair_row, AsOf, ListEvent,
};

/// The catalog types of 双公示 (the national standard's two files).
pub const SHUANG_GONGSHI: [&str; 2] = ["admin_license", "admin_penalty"];

/// The kinds of file of a day's national export, in the manifest's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// 行政许可 (双公示), the national standard's columns.
    AdminLicense,
    /// 行政处罚 (双公示), the national standard's columns.
    AdminPenalty,
    /// 政务失信: negative records about government bodies and institutions.
    GovNegative,
    /// 名单: entries put on (列入) or taken off (移出) a list that day.
    ListEvents,
    /// 信用修复 results decided that day.
    Repairs,
}

impl ExportKind {
    pub const ALL: [ExportKind; 5] = [
        Self::AdminLicense,
        Self::AdminPenalty,
        Self::GovNegative,
        Self::ListEvents,
        Self::Repairs,
    ];

    /// Stable snake_case code, also the file's stem (`admin_license.csv`).
    pub fn code(self) -> &'static str {
        match self {
            Self::AdminLicense => "admin_license",
            Self::AdminPenalty => "admin_penalty",
            Self::GovNegative => "gov_negative",
            Self::ListEvents => "list_events",
            Self::Repairs => "repairs",
        }
    }

    /// Chinese name (the XLSX sheet's name too).
    pub fn label(self) -> &'static str {
        match self {
            Self::AdminLicense => "行政许可",
            Self::AdminPenalty => "行政处罚",
            Self::GovNegative => "政务失信",
            Self::ListEvents => "名单列入移出",
            Self::Repairs => "信用修复",
        }
    }
}

/// The day `date` in China Standard Time as a UTC window `[from, to)`: what changed in it is
/// that day's export.
pub fn day_window(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = date.and_time(NaiveTime::MIN);
    let from = Utc.from_utc_datetime(&midnight) - Duration::hours(8);
    (from, from + Duration::days(1))
}

#[cfg(test)]
mod tests;
