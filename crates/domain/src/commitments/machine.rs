//! The milestone state machine: 履行中 → 已兑现 | 逾期 → (依法变更并补偿 | 违约认定), the breach
//! procedure (通知 → 说明 → 认定) on an overdue milestone, and the commitment's state derived
//! from its milestones. Pure: `today` is a parameter.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CommitmentError;

/// Working days the promisor has to explain itself after the notice (告知后 10 个工作日).
pub const EXPLANATION_WORKING_DAYS: u32 = 10;

/// A milestone's state. `Overdue` is never stored: a `Pending` milestone past its due date is
/// overdue ([`Milestone::effective`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// 履行中.
    Pending,
    /// 逾期 (derived).
    Overdue,
    /// 已兑现.
    Kept,
    /// 依法变更并补偿.
    Changed,
    /// 违约认定.
    Breached,
}

impl MilestoneState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Overdue => "overdue",
            Self::Kept => "kept",
            Self::Changed => "changed",
            Self::Breached => "breached",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "overdue" => Self::Overdue,
            "kept" => Self::Kept,
            "changed" => Self::Changed,
            "breached" => Self::Breached,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "履行中",
            Self::Overdue => "逾期",
            Self::Kept => "已兑现",
            Self::Changed => "依法变更并补偿",
            Self::Breached => "违约认定",
        }
    }

    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Kept | Self::Changed | Self::Breached)
    }
}

/// Where the breach procedure of an overdue milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BreachStage {
    #[default]
    None,
    /// 已通知: the promisor was told and asked to explain.
    Noticed,
    /// 已说明: the promisor explained itself.
    Explained,
    /// 已认定.
    Decided,
}

impl BreachStage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Noticed => "noticed",
            Self::Explained => "explained",
            Self::Decided => "decided",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "none" => Self::None,
            "noticed" => Self::Noticed,
            "explained" => Self::Explained,
            "decided" => Self::Decided,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::None => "未启动",
            Self::Noticed => "已通知，待说明",
            Self::Explained => "已说明，待认定",
            Self::Decided => "已认定",
        }
    }
}

/// Why a commitment may lawfully change (调整补偿机制, 苏 2023 §三(四)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeGround {
    /// 国家利益.
    NationalInterest,
    /// 公共利益.
    PublicInterest,
    /// 法定事由.
    Statutory,
}

impl ChangeGround {
    pub const ALL: [ChangeGround; 3] = [
        Self::NationalInterest,
        Self::PublicInterest,
        Self::Statutory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NationalInterest => "national_interest",
            Self::PublicInterest => "public_interest",
            Self::Statutory => "statutory",
        }
    }

    pub fn parse(s: &str) -> Result<Self, CommitmentError> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or(CommitmentError::UnknownGround)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NationalInterest => "国家利益",
            Self::PublicInterest => "公共利益",
            Self::Statutory => "法定事由",
        }
    }
}

/// One milestone (履行节点) of a commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub due: NaiveDate,
    /// Stored state: never `Overdue`.
    pub state: MilestoneState,
    pub done_on: Option<NaiveDate>,
    pub breach_stage: BreachStage,
    /// The last day of the promisor's explanation (set by the notice).
    pub explain_due: Option<NaiveDate>,
}

/// A step on a milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 兑现: kept on `on` (at or before the due date).
    Keep { on: NaiveDate },
    /// 依法变更并补偿: needs the legal basis and the compensation record.
    Change {
        on: NaiveDate,
        ground: ChangeGround,
        basis: String,
        compensation: String,
    },
    /// 违约告知: the promisor is told and has until `explain_due` to explain.
    Notice {
        on: NaiveDate,
        explain_due: NaiveDate,
    },
    /// 情况说明 by the promisor.
    Explain { on: NaiveDate, text: String },
    /// 违约认定.
    Decide { on: NaiveDate, finding: String },
}

impl Step {
    pub fn action(&self) -> &'static str {
        match self {
            Self::Keep { .. } => "keep",
            Self::Change { .. } => "change",
            Self::Notice { .. } => "notice",
            Self::Explain { .. } => "explain",
            Self::Decide { .. } => "decide",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Keep { .. } => "确认兑现",
            Self::Change { .. } => "依法变更并补偿",
            Self::Notice { .. } => "违约告知",
            Self::Explain { .. } => "情况说明",
            Self::Decide { .. } => "违约认定",
        }
    }

    fn on(&self) -> NaiveDate {
        match self {
            Self::Keep { on }
            | Self::Change { on, .. }
            | Self::Notice { on, .. }
            | Self::Explain { on, .. }
            | Self::Decide { on, .. } => *on,
        }
    }
}

fn required(text: &str, what: &'static str) -> Result<(), CommitmentError> {
    if text.trim().is_empty() {
        Err(CommitmentError::Required(what))
    } else {
        Ok(())
    }
}

impl Milestone {
    /// A new milestone, 履行中; its due date not before the promise.
    pub fn new(due: NaiveDate, promised: NaiveDate) -> Result<Self, CommitmentError> {
        if due < promised {
            return Err(CommitmentError::DueBeforePromise { due, promised });
        }
        Ok(Self {
            due,
            state: MilestoneState::Pending,
            done_on: None,
            breach_stage: BreachStage::None,
            explain_due: None,
        })
    }

    /// The state as of `today`: a pending milestone past its due date is overdue.
    pub fn effective(&self, today: NaiveDate) -> MilestoneState {
        match self.state {
            MilestoneState::Pending if self.due < today => MilestoneState::Overdue,
            s => s,
        }
    }

    /// The milestone after `step` on `today`, or why not. `promised` is the commitment's date.
    pub fn apply(
        &self,
        step: &Step,
        promised: NaiveDate,
        today: NaiveDate,
    ) -> Result<Milestone, CommitmentError> {
        let on = step.on();
        if on > today {
            return Err(CommitmentError::DateInFuture { date: on, today });
        }
        if on < promised {
            return Err(CommitmentError::DateBeforePromise { date: on, promised });
        }
        let state = self.effective(today);
        let illegal = || CommitmentError::IllegalStep {
            state: state.label(),
            action: step.label(),
        };
        let mut next = self.clone();
        match step {
            Step::Keep { on } => {
                // Kept on time only (recorded later, perhaps): a milestone not kept by its due
                // date is overdue, and what follows is a lawful change or the breach procedure.
                if !matches!(state, MilestoneState::Pending | MilestoneState::Overdue)
                    || self.breach_stage != BreachStage::None
                    || *on > self.due
                {
                    return Err(illegal());
                }
                next.state = MilestoneState::Kept;
                next.done_on = Some(*on);
            }
            Step::Change {
                on,
                basis,
                compensation,
                ..
            } => {
                if !matches!(state, MilestoneState::Pending | MilestoneState::Overdue) {
                    return Err(illegal());
                }
                required(basis, "变更的法律依据")?;
                required(compensation, "补偿情况")?;
                next.state = MilestoneState::Changed;
                next.done_on = Some(*on);
            }
            Step::Notice { explain_due, .. } => {
                if state != MilestoneState::Overdue || self.breach_stage != BreachStage::None {
                    return Err(illegal());
                }
                next.breach_stage = BreachStage::Noticed;
                next.explain_due = Some(*explain_due);
            }
            Step::Explain { text, .. } => {
                if state != MilestoneState::Overdue || self.breach_stage != BreachStage::Noticed {
                    return Err(illegal());
                }
                required(text, "情况说明")?;
                next.breach_stage = BreachStage::Explained;
            }
            Step::Decide { on, finding } => {
                if state != MilestoneState::Overdue
                    || !matches!(
                        self.breach_stage,
                        BreachStage::Noticed | BreachStage::Explained
                    )
                {
                    return Err(illegal());
                }
                if self.breach_stage == BreachStage::Noticed {
                    if let Some(d) = self.explain_due {
                        if today <= d {
                            return Err(CommitmentError::ExplanationPending(d));
                        }
                    }
                }
                required(finding, "违约情形")?;
                next.state = MilestoneState::Breached;
                next.breach_stage = BreachStage::Decided;
                next.done_on = Some(*on);
            }
        }
        Ok(next)
    }
}

/// A commitment's state, derived from its milestones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentState {
    /// 履行中.
    Performing,
    /// 已兑现.
    Fulfilled,
    /// 逾期.
    Overdue,
    /// 依法变更并补偿 (every milestone kept or lawfully changed, one at least changed).
    ChangedLawfully,
    /// 违约认定.
    Breached,
}

impl CommitmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Performing => "performing",
            Self::Fulfilled => "fulfilled",
            Self::Overdue => "overdue",
            Self::ChangedLawfully => "changed",
            Self::Breached => "breached",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Performing => "履行中",
            Self::Fulfilled => "已兑现",
            Self::Overdue => "逾期",
            Self::ChangedLawfully => "依法变更并补偿",
            Self::Breached => "违约认定",
        }
    }
}

/// The commitment's state from its milestones' states as of `today`.
pub fn commitment_state(milestones: &[Milestone], today: NaiveDate) -> CommitmentState {
    let states: Vec<MilestoneState> = milestones.iter().map(|m| m.effective(today)).collect();
    if states.contains(&MilestoneState::Breached) {
        CommitmentState::Breached
    } else if states.contains(&MilestoneState::Overdue) {
        CommitmentState::Overdue
    } else if states.contains(&MilestoneState::Pending) || states.is_empty() {
        CommitmentState::Performing
    } else if states.contains(&MilestoneState::Changed) {
        CommitmentState::ChangedLawfully
    } else {
        CommitmentState::Fulfilled
    }
}
