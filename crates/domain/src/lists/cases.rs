//! The closed loop (闭环): cases per implementing department, their steps, deadlines, reminders,
//! lifting on removal and feedback rates.

use super::*;

/// A step of a joint reward/punishment case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStep {
    /// 发起.
    Initiated,
    /// 定向分发 to the implementing department.
    Distributed,
    /// 签收/响应.
    Signed,
    /// 实施.
    Applied,
    /// 反馈.
    Reported,
}

impl CaseStep {
    /// All steps, in order.
    pub const ALL: [CaseStep; 5] = [
        Self::Initiated,
        Self::Distributed,
        Self::Signed,
        Self::Applied,
        Self::Reported,
    ];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Initiated => "initiated",
            Self::Distributed => "distributed",
            Self::Signed => "signed",
            Self::Applied => "applied",
            Self::Reported => "reported",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Initiated => "发起",
            Self::Distributed => "分发",
            Self::Signed => "签收",
            Self::Applied => "实施",
            Self::Reported => "反馈",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The step after this one.
    pub fn next(self) -> Option<CaseStep> {
        match self {
            Self::Initiated => Some(Self::Distributed),
            Self::Distributed => Some(Self::Signed),
            Self::Signed => Some(Self::Applied),
            Self::Applied => Some(Self::Reported),
            Self::Reported => None,
        }
    }
}

/// How a case was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseTrigger {
    /// 自动发起 when an entry takes effect.
    Automatic,
    /// 手工发起 by the credit office.
    Manual,
}

/// The planned due date of every step of a case started on `initiated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDates {
    /// Day started.
    pub initiated: NaiveDate,
    /// 分发 due.
    pub distributed: NaiveDate,
    /// 签收 due.
    pub signed: NaiveDate,
    /// 实施 due.
    pub applied: NaiveDate,
    /// 反馈 due.
    pub reported: NaiveDate,
}

impl DueDates {
    /// The due date of `step`.
    pub fn get(&self, step: CaseStep) -> NaiveDate {
        match step {
            CaseStep::Initiated => self.initiated,
            CaseStep::Distributed => self.distributed,
            CaseStep::Signed => self.signed,
            CaseStep::Applied => self.applied,
            CaseStep::Reported => self.reported,
        }
    }
}

/// Whether `step`, not done yet, is overdue on `today` (past its due day).
pub fn overdue(step: CaseStep, due: &DueDates, today: NaiveDate) -> bool {
    today > due.get(step)
}

/// What to do about a pending step's deadline today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reminder {
    /// Nothing yet.
    None,
    /// 即将到期: due within the reminder window.
    Upcoming {
        /// Working days left, the due day included.
        working_days_left: u32,
    },
    /// 今日到期.
    DueToday,
    /// 已逾期: remind every working day.
    Overdue {
        /// Working days since the due day.
        working_days_late: u32,
    },
    /// 逾期督办: overdue beyond the escalation threshold; the credit office is told.
    Escalate {
        /// Working days since the due day.
        working_days_late: u32,
    },
}

impl Reminder {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Upcoming { .. } => "upcoming",
            Self::DueToday => "due_today",
            Self::Overdue { .. } => "overdue",
            Self::Escalate { .. } => "escalate",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "无需提醒",
            Self::Upcoming { .. } => "即将到期",
            Self::DueToday => "今日到期",
            Self::Overdue { .. } => "已逾期",
            Self::Escalate { .. } => "逾期督办",
        }
    }
}

impl ClosedLoopConfig {
    /// Working days allowed for `step`, from the day the previous step was done
    /// (`Initiated`: 0).
    pub fn working_days(&self, step: CaseStep) -> u32 {
        match step {
            CaseStep::Initiated => 0,
            CaseStep::Distributed => self.distribute_working_days,
            CaseStep::Signed => self.sign_working_days,
            CaseStep::Applied => self.apply_working_days,
            CaseStep::Reported => self.report_working_days,
        }
    }

    /// The due date of `step` when the previous step was done on `previous_done_on`.
    pub fn due_after(
        &self,
        step: CaseStep,
        previous_done_on: NaiveDate,
        calendar: &WorkCalendar,
    ) -> Result<NaiveDate, CalendarError> {
        calendar.add_working_days(previous_done_on, self.working_days(step))
    }

    /// The planned due dates of a case started on `start`, every step done on its due day.
    pub fn due_dates(
        &self,
        start: NaiveDate,
        calendar: &WorkCalendar,
    ) -> Result<DueDates, CalendarError> {
        let distributed = self.due_after(CaseStep::Distributed, start, calendar)?;
        let signed = self.due_after(CaseStep::Signed, distributed, calendar)?;
        let applied = self.due_after(CaseStep::Applied, signed, calendar)?;
        let reported = self.due_after(CaseStep::Reported, applied, calendar)?;
        Ok(DueDates {
            initiated: start,
            distributed,
            signed,
            applied,
            reported,
        })
    }

    /// The reminder for a pending step due on `due`: `remind_before_working_days` working days
    /// before, on the day, every working day after, and escalation once more than
    /// `escalate_after_working_days` working days late.
    pub fn reminder(
        &self,
        due: NaiveDate,
        today: NaiveDate,
        calendar: &WorkCalendar,
    ) -> Result<Reminder, CalendarError> {
        if today == due {
            return Ok(Reminder::DueToday);
        }
        if today < due {
            let left = calendar.working_days_between(today, due)?;
            let left = u32::try_from(left).unwrap_or(u32::MAX);
            return Ok(if left <= self.remind_before_working_days {
                Reminder::Upcoming {
                    working_days_left: left,
                }
            } else {
                Reminder::None
            });
        }
        let late = calendar.working_days_between(due, today)?;
        let late = u32::try_from(late).unwrap_or(u32::MAX);
        Ok(if late > self.escalate_after_working_days {
            Reminder::Escalate {
                working_days_late: late,
            }
        } else {
            Reminder::Overdue {
                working_days_late: late,
            }
        })
    }
}

/// Why a case step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// No list with that code.
    #[error("名单“{0}”不存在")]
    UnknownList(String),
    /// No measure applies to the list: nothing to distribute.
    #[error("名单“{0}”没有适用的联合奖惩措施")]
    NoMeasures(String),
    /// Automatic initiation needs an effective entry.
    #[error("名单条目当前状态为“{}”，生效后方能自动发起联合奖惩", .0.label())]
    EntryNotEffective(EntryStatus),
    /// Every step is done.
    #[error("该案件已反馈办结")]
    Complete,
    /// The measures were lifted.
    #[error("该案件的措施已于{0}解除")]
    Lifted(NaiveDate),
    /// The date lies before the previous step.
    #[error("办理日期{date}早于上一环节日期{last}")]
    DateBeforePrevious {
        /// Date given.
        date: NaiveDate,
        /// Date of the previous step.
        last: NaiveDate,
    },
    /// The working-day calendar cannot answer.
    #[error("{0}")]
    Calendar(#[from] CalendarError),
}

impl CaseError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownList(_) => "unknown_list",
            Self::NoMeasures(_) => "no_measures",
            Self::EntryNotEffective(_) => "entry_not_effective",
            Self::Complete => "case_complete",
            Self::Lifted(_) => "case_lifted",
            Self::DateBeforePrevious { .. } => "date_before_previous",
            Self::Calendar(e) => e.code(),
        }
    }
}

/// One step done in a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// The step.
    pub step: CaseStep,
    /// Day done.
    pub on: NaiveDate,
    /// Its due day (`None` for initiation).
    pub due: Option<NaiveDate>,
    /// Note (e.g. what was applied, the feedback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CaseEvent {
    /// Whether the step was done by its due day.
    pub fn on_time(&self) -> bool {
        self.due.is_none_or(|d| self.on <= d)
    }
}

/// A joint reward/punishment case for one implementing department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// `<entry id>/<department>`.
    pub id: String,
    /// The list entry it acts on.
    pub entry_id: String,
    /// Its list.
    pub list: String,
    /// Implementing-department role.
    pub department: String,
    /// Measure codes the department implements.
    pub measures: Vec<String>,
    /// How it was started.
    pub trigger: CaseTrigger,
    /// Last step done.
    pub step: CaseStep,
    /// Steps done, oldest first.
    pub events: Vec<CaseEvent>,
    /// Due date of the next step (`None` once reported or lifted).
    pub next_due: Option<NaiveDate>,
    /// Planned due dates at initiation.
    pub planned: DueDates,
    /// Day the measures were lifted (entry removed).
    pub lifted_on: Option<NaiveDate>,
}

impl Case {
    /// The case after its next step is done on `on`.
    pub fn advance(
        &self,
        on: NaiveDate,
        note: Option<&str>,
        config: &ClosedLoopConfig,
        calendar: &WorkCalendar,
    ) -> Result<Case, CaseError> {
        if let Some(d) = self.lifted_on {
            return Err(CaseError::Lifted(d));
        }
        let step = self.step.next().ok_or(CaseError::Complete)?;
        if let Some(last) = self.events.last().map(|e| e.on) {
            if on < last {
                return Err(CaseError::DateBeforePrevious { date: on, last });
            }
        }
        let mut next = self.clone();
        next.events.push(CaseEvent {
            step,
            on,
            due: self.next_due,
            note: clean_note(note),
        });
        next.step = step;
        next.next_due = match step.next() {
            Some(s) => Some(config.due_after(s, on, calendar)?),
            None => None,
        };
        Ok(next)
    }

    /// The case with its deadlines counted again on `calendar` (after a year's holidays were
    /// loaded: a deadline counted provisionally, Monday–Friday, moves to the real working
    /// day); `None` when nothing moved, or the case is lifted or complete.
    pub fn recount(
        &self,
        config: &ClosedLoopConfig,
        calendar: &WorkCalendar,
    ) -> Result<Option<Case>, CalendarError> {
        if self.lifted_on.is_some() {
            return Ok(None);
        }
        let mut next = self.clone();
        next.planned = config.due_dates(self.planned.initiated, calendar)?;
        if let (Some(step), Some(last)) = (self.step.next(), self.events.last()) {
            if self.next_due.is_some() {
                next.next_due = Some(config.due_after(step, last.on, calendar)?);
            }
        }
        Ok((next != *self).then_some(next))
    }

    /// Whether the next step is overdue on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.lifted_on.is_none() && self.next_due.is_some_and(|d| today > d)
    }

    /// The reminder for the next step today (`None` once reported or lifted).
    pub fn reminder(
        &self,
        config: &ClosedLoopConfig,
        today: NaiveDate,
        calendar: &WorkCalendar,
    ) -> Result<Reminder, CalendarError> {
        match (self.lifted_on, self.next_due) {
            (None, Some(due)) => config.reminder(due, today, calendar),
            _ => Ok(Reminder::None),
        }
    }

    /// The 反馈 event, if reported.
    pub fn report(&self) -> Option<&CaseEvent> {
        self.events.iter().find(|e| e.step == CaseStep::Reported)
    }
}

impl JointCatalog {
    /// Opens one case per implementing department whose measures apply to `list` (发起 on
    /// `start`; 分发 due per the closed-loop deadlines).
    pub fn initiate_cases(
        &self,
        entry_id: &str,
        list: &str,
        trigger: CaseTrigger,
        start: NaiveDate,
        calendar: &WorkCalendar,
    ) -> Result<Vec<Case>, CaseError> {
        if self.list(list).is_none() {
            return Err(CaseError::UnknownList(list.to_string()));
        }
        let distribution = self.distribution(list);
        if distribution.is_empty() {
            return Err(CaseError::NoMeasures(list.to_string()));
        }
        let planned = self.closed_loop.due_dates(start, calendar)?;
        Ok(distribution
            .into_iter()
            .map(|(department, measures)| Case {
                id: format!("{entry_id}/{department}"),
                entry_id: entry_id.to_string(),
                list: list.to_string(),
                department,
                measures,
                trigger,
                step: CaseStep::Initiated,
                events: vec![CaseEvent {
                    step: CaseStep::Initiated,
                    on: start,
                    due: None,
                    note: None,
                }],
                next_due: Some(planned.distributed),
                planned,
                lifted_on: None,
            })
            .collect())
    }

    /// 自动发起: the cases for an entry that has just taken effect (started on its effective day).
    pub fn initiate_for_entry(
        &self,
        entry_id: &str,
        entry: &ListEntry,
        calendar: &WorkCalendar,
    ) -> Result<Vec<Case>, CaseError> {
        match (entry.status, entry.effective_from) {
            (EntryStatus::Effective, Some(from)) => self.initiate_cases(
                entry_id,
                &entry.list,
                CaseTrigger::Automatic,
                from,
                calendar,
            ),
            (status, _) => Err(CaseError::EntryNotEffective(status)),
        }
    }
}

/// Tells a department that the measures it holds for a removed entry are lifted (动态调整).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiftNotice {
    /// Case id.
    pub case_id: String,
    /// Implementing-department role.
    pub department: String,
    /// Measures lifted.
    pub measures: Vec<String>,
    /// How far the case had gone.
    pub step: CaseStep,
    /// Chinese message.
    pub message: String,
}

/// When an entry leaves its list: every case of it not yet lifted is lifted on `on`, and each
/// department holding its measures gets a notice. Returns the updated cases (others unchanged,
/// in input order) and the notices.
pub fn lift_on_removal(
    cases: &[Case],
    entry_id: &str,
    reason: RemovalReason,
    on: NaiveDate,
) -> (Vec<Case>, Vec<LiftNotice>) {
    let mut notices = Vec::new();
    let updated = cases
        .iter()
        .map(|c| {
            if c.entry_id != entry_id || c.lifted_on.is_some() {
                return c.clone();
            }
            let mut c = c.clone();
            c.lifted_on = Some(on);
            c.next_due = None;
            notices.push(LiftNotice {
                case_id: c.id.clone(),
                department: c.department.clone(),
                measures: c.measures.clone(),
                step: c.step,
                message: format!(
                    "名单条目已移出（{}），自{on}起解除相关联合奖惩措施（已办理至“{}”环节）",
                    reason.label(),
                    c.step.label()
                ),
            });
            c
        })
        .collect();
    (updated, notices)
}

/// A department's feedback statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeedbackStats {
    /// Cases distributed to it whose feedback is due by today (or was given).
    pub due: u32,
    /// Of those, reported back.
    pub reported: u32,
    /// Of those, reported back by the due day.
    pub on_time: u32,
}

impl FeedbackStats {
    /// 反馈率: reported / due (`None` when nothing is due).
    pub fn rate(&self) -> Option<f64> {
        (self.due > 0).then(|| f64::from(self.reported) / f64::from(self.due))
    }

    /// 按时反馈率: on time / due (`None` when nothing is due).
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.due > 0).then(|| f64::from(self.on_time) / f64::from(self.due))
    }
}

/// Feedback rate per department on `today`. A case distributed to a department counts once
/// it has been reported back or is overdue at its current step (each step's deadline runs from
/// the actual day of the previous one, so a late distribution is not held against the
/// department). A case lifted before it was reported owes nothing and is left out.
pub fn feedback_rate(cases: &[Case], today: NaiveDate) -> BTreeMap<String, FeedbackStats> {
    let mut out: BTreeMap<String, FeedbackStats> = BTreeMap::new();
    for c in cases {
        if c.step < CaseStep::Distributed {
            continue;
        }
        let stats = out.entry(c.department.clone()).or_default();
        if let Some(r) = c.report() {
            stats.due += 1;
            stats.reported += 1;
            if r.on_time() {
                stats.on_time += 1;
            }
        } else if c.is_overdue(today) {
            stats.due += 1;
        }
    }
    out
}
