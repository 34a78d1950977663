//! 守信联合激励和失信联合惩戒 — lists, the measures catalog, checks and the closed loop.
//!
//! - **Lists** (名单) are data (`data/lists/lists.toml`): 红名单, 严重失信主体名单, 重点关注名单,
//!   the court's 失信被执行人名单 (bulk-imported) and any list a deployment defines. A
//!   [`ListEntry`] records the standard applied, the basis, the recognising department and the
//!   evidence, and goes through proposed → publicity (objections can be raised) → effective →
//!   removed, each step checked by [`ListEntry::apply`] and kept in its history.
//! - **Measures** (措施清单) and **business scenarios** (业务场景) are data too
//!   (`data/measures/measures.toml`): each measure says who implements it, on what basis, which
//!   lists and record severities it applies to, and what verdict it implies in each scenario.
//! - [`JointCatalog::assess`] turns a party's hits (list entries and negative records) in one
//!   scenario into a [`Verdict`] (pass < warn < intercept) and the measures that apply, each with
//!   a Chinese reason. 容错 records never count; an entry still in publicity gives at most `warn`.
//! - The **closed loop** (闭环): [`JointCatalog::initiate_cases`] opens one [`Case`] per
//!   implementing department, [`Case::advance`] walks 发起 → 分发 → 签收 → 实施 → 反馈 with
//!   working-day deadlines, [`ClosedLoopConfig::reminder`] says when to remind or escalate,
//!   [`lift_on_removal`] lifts the measures when an entry leaves its list, and [`feedback_rate`]
//!   reports each department's feedback rate.
//! - [`refresh`] diffs an imported list (失信被执行人) against a fresh copy of its source.
//!
//! Nothing here does I/O or reads the clock: today's date and the calendar are parameters.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::OnceLock;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkCalendar};
use crate::catalog::{Catalog, Disclosure, RecordClass, Severity};

/// The shipped list definitions (TOML).
pub const DEFAULT_LISTS_TOML: &str = include_str!("../../../../data/lists/lists.toml");
/// The shipped measures catalog, scenarios and closed-loop deadlines (TOML).
pub const DEFAULT_MEASURES_TOML: &str = include_str!("../../../../data/measures/measures.toml");

mod assess;
mod cases;
mod defs;
mod entry;
mod joint;
mod recount;
mod refresh;

pub use assess::*;
pub use cases::*;
pub use defs::*;
pub use entry::*;
pub use joint::*;
pub use refresh::*;

pub mod bodies;

#[cfg(test)]
mod tests;
