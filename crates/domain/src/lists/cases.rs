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

    /// Who does this step: the initiating credit office starts and distributes a case (发起,
    /// 分发); the implementing department signs for it, applies the measures and reports back.
    pub fn party(self) -> StepParty {
        match self {
            Self::Initiated | Self::Distributed => StepParty::CreditOffice,
            Self::Signed | Self::Applied | Self::Reported => StepParty::Department,
        }
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

/// Who does a step of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepParty {
    /// The credit office of the case's region (发起、分发), or the system on its behalf.
    CreditOffice,
    /// The implementing department the case was distributed to (签收、实施、反馈).
    Department,
}

impl StepParty {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::CreditOffice => "发起案件的信用办",
            Self::Department => "承办的实施部门",
        }
    }
}

/// The implementing department (a body of the deployment) a case was distributed to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CaseBody {
    /// 统一社会信用代码.
    pub uscc: String,
    /// Its name.
    pub name: String,
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
    /// The step is another party's (分发 is the credit office's, 签收/实施/反馈 the department's).
    #[error("“{}”环节由{}办理", .step.label(), .party.label())]
    NotYourStep {
        /// The step asked for.
        step: CaseStep,
        /// Whose step it is.
        party: StepParty,
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
            Self::NotYourStep { .. } => "not_your_step",
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
    /// Who did it (`account:<name>`, `token:<prefix>`, `system` for an automatic step), stamped
    /// when it was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl CaseEvent {
    /// Whether the step was done by its due day.
    pub fn on_time(&self) -> bool {
        self.due.is_none_or(|d| self.on <= d)
    }

    /// Whether the step was done after its due day.
    pub fn late(&self) -> bool {
        !self.on_time()
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
    /// The department (body) it was distributed to; `None` before 分发, or when no department
    /// of the deployment is registered for the role (every department of the role then sees it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<CaseBody>,
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
            by: None,
        });
        next.step = step;
        next.next_due = match step.next() {
            Some(s) => Some(config.due_after(s, on, calendar)?),
            None => None,
        };
        Ok(next)
    }

    /// The case after `party` did its next step on `on`, stamped with who did it (`by`).
    /// A step that is not `party`'s is refused ([`CaseError::NotYourStep`]).
    pub fn take_step(
        &self,
        party: StepParty,
        by: &str,
        on: NaiveDate,
        note: Option<&str>,
        config: &ClosedLoopConfig,
        calendar: &WorkCalendar,
    ) -> Result<Case, CaseError> {
        if let Some(d) = self.lifted_on {
            return Err(CaseError::Lifted(d));
        }
        let step = self.step.next().ok_or(CaseError::Complete)?;
        if step.party() != party {
            return Err(CaseError::NotYourStep {
                step,
                party: step.party(),
            });
        }
        let mut next = self.advance(on, note, config, calendar)?;
        if let Some(e) = next.events.last_mut() {
            e.by = Some(by.to_string());
        }
        Ok(next)
    }

    /// 分发: the credit office (or the system for it, `by = "system"`) sends the case to `to`
    /// on `on` — the day it really happens; its lateness counts against the 分发 deadline.
    pub fn distribute(
        &self,
        to: Option<CaseBody>,
        by: &str,
        on: NaiveDate,
        config: &ClosedLoopConfig,
        calendar: &WorkCalendar,
    ) -> Result<Case, CaseError> {
        let mut next = self.take_step(StepParty::CreditOffice, by, on, None, config, calendar)?;
        next.body = to;
        Ok(next)
    }

    /// Whether the case has been distributed (分发 done).
    pub fn is_distributed(&self) -> bool {
        self.step >= CaseStep::Distributed
    }

    /// The steps of `party` that were late on `today`: done after their due day, or still to
    /// do and past it. Each step is judged against its own deadline (counted from the day
    /// the previous step was really done), so a fast last step never hides a late one.
    pub fn late_steps(&self, party: StepParty, today: NaiveDate) -> Vec<CaseStep> {
        let mut out: Vec<CaseStep> = self
            .events
            .iter()
            .filter(|e| e.step.party() == party && e.late())
            .map(|e| e.step)
            .collect();
        if let Some(pending) = self.step.next() {
            if pending.party() == party && self.is_overdue(today) {
                out.push(pending);
            }
        }
        out
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
                body: None,
                measures,
                trigger,
                step: CaseStep::Initiated,
                events: vec![CaseEvent {
                    step: CaseStep::Initiated,
                    on: start,
                    due: None,
                    note: None,
                    by: None,
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

/// A department's feedback statistics. Each of its steps (签收, 实施, 反馈) is judged against
/// its own deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeedbackStats {
    /// Cases distributed to it whose feedback was given, or that are overdue at one of its
    /// steps today.
    pub due: u32,
    /// Of those, reported back.
    pub reported: u32,
    /// Of those, reported back with every one of its steps done by its due day.
    pub on_time: u32,
    /// Of all its cases (running ones too), those whose 签收 was late: done after its due
    /// day, or still to do and past it.
    pub signed_late: u32,
    /// Of all its cases, those whose 实施 was late.
    pub applied_late: u32,
    /// Of all its cases, those whose 反馈 was late.
    pub reported_late: u32,
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

/// The feedback of one implementing department (a body; or a role with no registered body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentFeedback {
    /// The body's USCC; `None` for cases distributed to a role no department is registered for.
    pub uscc: Option<String>,
    /// The body's name (the role code when there is no body).
    pub name: String,
    /// The roles it received cases in.
    pub roles: Vec<String>,
    pub stats: FeedbackStats,
}

/// The credit office's own step, 分发, judged against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DistributionStats {
    /// Cases distributed, or overdue for distribution today.
    pub due: u32,
    /// Of those, distributed.
    pub done: u32,
    /// Of those, distributed by the due day.
    pub on_time: u32,
}

impl DistributionStats {
    /// 按时分发率 (`None` when nothing is due).
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.due > 0).then(|| f64::from(self.on_time) / f64::from(self.due))
    }
}

/// Feedback per implementing department (body) on `today`, in name order. A case counts for
/// the department it was distributed to once it has been reported back or is overdue at one of
/// the department's steps; it is on time only if every one of the department's steps was done
/// by its own deadline. A case not yet distributed owes the department nothing (its lateness is
/// the credit office's, see [`distribution_rate`]); a case lifted before it was reported owes
/// nothing either.
pub fn feedback_rate(cases: &[Case], today: NaiveDate) -> Vec<DepartmentFeedback> {
    let mut out: BTreeMap<(Option<String>, String), DepartmentFeedback> = BTreeMap::new();
    for c in cases {
        if !c.is_distributed() || (c.lifted_on.is_some() && c.report().is_none()) {
            continue;
        }
        let (uscc, name) = match &c.body {
            Some(b) => (Some(b.uscc.clone()), b.name.clone()),
            None => (None, c.department.clone()),
        };
        let key = (uscc.clone(), uscc.clone().unwrap_or_else(|| name.clone()));
        let d = out.entry(key).or_insert_with(|| DepartmentFeedback {
            uscc,
            name,
            roles: Vec::new(),
            stats: FeedbackStats::default(),
        });
        if !d.roles.contains(&c.department) {
            d.roles.push(c.department.clone());
            d.roles.sort();
        }
        let late = c.late_steps(StepParty::Department, today);
        let stats = &mut d.stats;
        for step in &late {
            match step {
                CaseStep::Signed => stats.signed_late += 1,
                CaseStep::Applied => stats.applied_late += 1,
                CaseStep::Reported => stats.reported_late += 1,
                _ => {}
            }
        }
        if c.report().is_some() {
            stats.due += 1;
            stats.reported += 1;
            if late.is_empty() {
                stats.on_time += 1;
            }
        } else if c.is_overdue(today) {
            stats.due += 1;
        }
    }
    let mut v: Vec<DepartmentFeedback> = out.into_values().collect();
    v.sort_by(|a, b| (&a.name, &a.uscc).cmp(&(&b.name, &b.uscc)));
    v
}

/// The credit office's 分发 on `today`: cases distributed (on time or late) and cases overdue
/// for distribution. A case lifted before it was distributed owes nothing.
pub fn distribution_rate(cases: &[Case], today: NaiveDate) -> DistributionStats {
    let mut s = DistributionStats::default();
    for c in cases {
        match c.events.iter().find(|e| e.step == CaseStep::Distributed) {
            Some(e) => {
                s.due += 1;
                s.done += 1;
                if e.on_time() {
                    s.on_time += 1;
                }
            }
            None if c.is_overdue(today) => s.due += 1,
            None => {}
        }
    }
    s
}
