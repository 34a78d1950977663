//! Commitments (承诺, 守信践诺, issue 18): kinds as data, amounts in decimal yuan, the
//! milestone state machine (履行中 → 已兑现 | 逾期 → 依法变更并补偿 | 违约认定), the breach
//! procedure (notice → the promisor's explanation → decision), the daily reminder stages, and
//! the 失信 record a recognised breach becomes. Pure: dates are parameters.

mod amount;
mod breach;
mod errors;
mod kinds;
mod machine;
mod promisor;
mod reminders;
#[cfg(test)]
mod tests;

pub use amount::{format_yuan, parse_yuan, yuan_to_wan};
pub use breach::{breach_record, record_from_fields, BreachFacts, BreachRecord};
pub use errors::CommitmentError;
pub use kinds::{CommitmentKind, CommitmentKinds, DeadlineRule, DeadlineUnit, PromisorKind};
pub use machine::{
    commitment_state, BreachStage, ChangeGround, CommitmentState, Milestone, MilestoneState, Step,
    EXPLANATION_WORKING_DAYS,
};
pub use promisor::{check_person_promisor, check_promisor, is_government_uscc};
pub use reminders::{next_remind_on, stage_due, RemindStage};
