//! Work items (督办事项, issue 19): one engine for every supervised item — 人大代表建议,
//! 政协委员提案, 督查 / 审计 / 财政 findings with their 限期整改, the rectification the measure
//! 书面说明原因并限期整改 opens. An item has a type (data: `data/work/types.toml`), an owner
//! body, a region, steps through the type's states with working-day deadlines, attachments
//! (metadata), notes, reminders before a due date and escalation after it, a reopen rule, and
//! an outcome. Pure: dates and the calendar are parameters.

mod deadline;
mod errors;
mod machine;
mod stages;
pub mod tasks;
#[cfg(test)]
mod tests;
mod types;

pub use deadline::{minus_working_days, DeadlineRule, DeadlineUnit};
pub use errors::WorkError;
pub use machine::{check_text, Applied, Step, WorkItem, MAX_TEXT};
pub use stages::{stage_due, stage_on, Stage};
pub use types::{
    ActionDef, Choice, Clock, EscalationLevel, Party, StateDef, TextRule, WorkType, WorkTypes,
};
