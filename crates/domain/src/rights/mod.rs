//! 信用权益保护 — credit rights: objections (异议申诉), credit repair (信用修复), error
//! tolerance (容错纠错) and mitigation (从轻/免于惩戒).
//!
//! Pure rules: the workflows as state machines with working-day deadlines, the repair rules of
//! 国家发展改革委令第58号 (2023) and 第36号 (2025) as data (`data/rights/rules.toml`) chosen by
//! the filing date, and repair eligibility. Who may take a step is the server's business
//! (permissions and jurisdiction); what a step does to the record or list entry is returned as
//! an [`Effect`] for the store to apply atomically with the application.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::{CalendarError, WorkCalendar};
use crate::catalog::Severity;
use crate::dates::add_months;
use crate::records::RecordStatus;

/// The shipped rules file.
pub const DEFAULT_RULES_TOML: &str = include_str!("../../../../data/rights/rules.toml");

mod application;
mod eligibility;
mod errors;
mod evidence;
mod rules;
#[cfg(test)]
mod tests;
mod tracking;
mod workflow;

pub use application::*;
pub use eligibility::*;
pub use errors::*;
pub use evidence::*;
pub use rules::*;
pub use tracking::*;
pub use workflow::*;
