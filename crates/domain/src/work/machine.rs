//! An item's course through its type's states: opening (the deadline: the type's default or
//! the item's own), a step (who may take it is the caller's business: [`super::ActionDef::by`]),
//! the current step's due date (the state's clock), the reopen limit and the outcome.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::types::{Clock, TextRule};
use super::{WorkError, WorkType};
use crate::calendar::WorkCalendar;

/// The longest text a step, a note or an item field takes.
pub const MAX_TEXT: usize = 4000;

/// Where an item stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItem {
    pub kind: String,
    pub state: String,
    pub opened_on: NaiveDate,
    /// The item's own deadline (交办期限 / 整改期限); a reopen sets a new one.
    pub deadline: NaiveDate,
    /// The current step's due date (`None`: no clock runs in this state).
    pub due_on: Option<NaiveDate>,
    /// Times taken up again.
    pub reopens: u32,
    /// The outcome once final (a choice's code, or the closing action's `outcome`).
    pub outcome: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

/// A step asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step<'a> {
    pub action: &'a str,
    pub choice: Option<&'a str>,
    pub text: &'a str,
    /// Attachments given with the step.
    pub attachments: usize,
    /// The day it was done.
    pub on: NaiveDate,
}

/// The item after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub item: WorkItem,
    /// The state changed (the reminders start over for the new due date).
    pub moved: bool,
}

fn state_due(
    t: &WorkType,
    state: &str,
    deadline: NaiveDate,
    entered: NaiveDate,
    cal: &WorkCalendar,
) -> Result<Option<NaiveDate>, WorkError> {
    match t.state(state).and_then(|s| s.clock) {
        None => Ok(None),
        Some(Clock::Item(_)) => Ok(Some(deadline)),
        Some(Clock::Rule(r)) => r.due_from(entered, cal).map(Some),
    }
}

/// A text within bounds (`what` names it in the refusal).
pub fn check_text(text: &str, rule: TextRule, what: &'static str) -> Result<(), WorkError> {
    let t = text.trim();
    if rule == TextRule::Required && t.is_empty() {
        return Err(WorkError::Required(what));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(WorkError::TooLong(what, MAX_TEXT));
    }
    Ok(())
}

impl WorkItem {
    /// A new item of type `t` opened on `opened_on`: its deadline is `deadline` if given (it
    /// must be given for a type that sets it per item, and not be before the opening), else the
    /// type's default.
    pub fn open(
        t: &WorkType,
        opened_on: NaiveDate,
        deadline: Option<NaiveDate>,
        cal: &WorkCalendar,
    ) -> Result<Self, WorkError> {
        let deadline = match (deadline, t.deadline) {
            (Some(d), _) => {
                if d < opened_on {
                    return Err(WorkError::DeadlineBeforeOpen {
                        due: d,
                        opened: opened_on,
                    });
                }
                d
            }
            (None, Some(rule)) if !t.deadline_required => rule.due_from(opened_on, cal)?,
            (None, _) => return Err(WorkError::DeadlineRequired),
        };
        let due_on = state_due(t, &t.initial, deadline, opened_on, cal)?;
        Ok(Self {
            kind: t.code.clone(),
            state: t.initial.clone(),
            opened_on,
            deadline,
            due_on,
            reopens: 0,
            outcome: None,
            closed_on: None,
        })
    }

    pub fn is_final(&self, t: &WorkType) -> bool {
        t.state(&self.state).is_some_and(|s| s.is_final)
    }

    /// Whether the current step is past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due_on.is_some_and(|d| d < today)
    }

    /// The item after `step`, or why not.
    pub fn apply(
        &self,
        t: &WorkType,
        step: &Step<'_>,
        today: NaiveDate,
        cal: &WorkCalendar,
    ) -> Result<Applied, WorkError> {
        let a = t.action(step.action)?;
        if step.on > today {
            return Err(WorkError::DateInFuture {
                date: step.on,
                today,
            });
        }
        if step.on < self.opened_on {
            return Err(WorkError::DateBeforeOpen {
                date: step.on,
                opened: self.opened_on,
            });
        }
        if !a.from.contains(&self.state) {
            return Err(WorkError::IllegalStep {
                state: t.state_name(&self.state).to_string(),
                action: a.name.clone(),
            });
        }
        if a.reopen && self.reopens >= t.max_reopens {
            return Err(WorkError::ReopenLimit(self.reopens));
        }
        check_text(step.text, a.text, "办理情况说明")?;
        if a.evidence && step.attachments == 0 {
            return Err(WorkError::EvidenceRequired);
        }
        let (to, outcome) = if a.choices.is_empty() {
            if step.choice.is_some_and(|c| !c.trim().is_empty()) {
                return Err(WorkError::UnknownChoice(
                    step.choice.unwrap_or_default().to_string(),
                ));
            }
            (
                a.to.clone().unwrap_or_else(|| self.state.clone()),
                a.outcome.clone(),
            )
        } else {
            let Some(code) = step.choice.map(str::trim).filter(|c| !c.is_empty()) else {
                return Err(WorkError::ChoiceRequired {
                    action: a.name.clone(),
                    choices: a
                        .choices
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                });
            };
            let c = a
                .choices
                .iter()
                .find(|c| c.code == code)
                .ok_or_else(|| WorkError::UnknownChoice(code.to_string()))?;
            (c.to.clone(), Some(c.code.clone()))
        };
        let mut next = self.clone();
        let moved = to != self.state;
        if a.reopen {
            next.reopens += 1;
            if let Some(rule) = a.deadline {
                next.deadline = rule.due_from(step.on, cal)?;
            }
            next.outcome = None;
        }
        if moved || a.reopen {
            next.due_on = state_due(t, &to, next.deadline, step.on, cal)?;
        }
        next.state = to;
        if next.is_final(t) {
            next.due_on = None;
            next.closed_on = Some(step.on);
            next.outcome = outcome.or_else(|| Some(a.code.clone()));
        } else if outcome.is_some() {
            // A choice that does not close (不满意): kept until the item closes or reopens.
            next.outcome = outcome;
        }
        Ok(Applied {
            item: next,
            moved: moved || a.reopen,
        })
    }
}
