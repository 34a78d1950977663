//! PPP projects (政府和社会资本合作, issue 18, 苏 2023 §三(二)) and government bodies listed as
//! 失信被执行人 (专项治理 清零): the five stages in order (识别 → 准备 → 采购 → 执行 → 移交), the
//! government-side responsible person of each stage with from–to dates (one at a time per
//! stage), the stage in effect on a day (for a breach and its 责任回溯), the 失信 record a PPP
//! breach becomes (through the commitments' breach → record path), and the state of a
//! 失信被执行人 case (未履行 → 部分履行 → 已履行 | 已撤销). Pure: dates are parameters.

mod breach;
mod debtor;
mod errors;
mod periods;
mod stage;
#[cfg(test)]
mod tests;

pub use breach::{ppp_breach_record, PppBreachFacts, PPP_BREACH_TYPE};
pub use debtor::{check_debtor_step, DebtorState, DEBTOR_COLUMNS};
pub use errors::PppError;
pub use periods::{check_period, holders_on, overlap, StagePeriod};
pub use stage::{check_advance, stage_on, Stage, StageStart};
