//! Definitions read from the two TOML files: lists, departments, scenarios, measures and the
//! closed-loop deadlines (plus the list and measure kinds).

use super::*;

/// What a list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 守信激励 (红名单).
    Reward,
    /// 失信惩戒 (黑名单/严重失信主体名单, 失信被执行人).
    Punishment,
    /// 重点关注.
    Watch,
}

impl ListKind {
    /// All kinds.
    pub const ALL: [ListKind; 3] = [Self::Reward, Self::Punishment, Self::Watch];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Reward => "reward",
            Self::Punishment => "punishment",
            Self::Watch => "watch",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Reward => "守信激励",
            Self::Punishment => "失信惩戒",
            Self::Watch => "重点关注",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Whether a measure rewards or punishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 激励措施.
    Incentive,
    /// 惩戒措施.
    Punishment,
}

impl MeasureKind {
    /// All kinds.
    pub const ALL: [MeasureKind; 2] = [Self::Incentive, Self::Punishment];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Incentive => "incentive",
            Self::Punishment => "punishment",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Incentive => "激励",
            Self::Punishment => "惩戒",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// One list definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListDef {
    /// Stable snake_case code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// What the list is for.
    pub kind: ListKind,
    /// Who may see its entries.
    pub disclosure: Disclosure,
    /// 依据 (informative).
    pub basis: String,
    /// Default 认定部门.
    pub recognised_by: String,
    /// Default 认定标准.
    pub standard: String,
    /// Prior notice and publicity window in working days; 0 = none.
    pub publicity_working_days: u32,
    /// Whether objections can be raised during the window.
    pub objections_allowed: bool,
    /// Validity in calendar months from the day the entry takes effect; `None` = no fixed term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_months: Option<u32>,
    /// Whether the recognising body may set an entry's own end date.
    #[serde(default)]
    pub validity_per_entry: bool,
    /// Entries come from an external source by bulk import and refresh.
    #[serde(default)]
    pub imported: bool,
    /// The external source (required when `imported`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The catalog record type the entries mirror.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_type: Option<String>,
}

impl ListDef {
    /// The last day of the publicity window that starts on `start` (`start` itself not counted),
    /// or `None` when the list has no window.
    pub fn publicity_until(
        &self,
        start: NaiveDate,
        calendar: &WorkCalendar,
    ) -> Result<Option<NaiveDate>, CalendarError> {
        if self.publicity_working_days == 0 {
            return Ok(None);
        }
        calendar
            .add_working_days(start, self.publicity_working_days)
            .map(Some)
    }

    /// The last day (inclusive) an entry taking effect on `from` stays on the list by the
    /// list's validity period: `from + validity_months − 1 day`; `Ok(None)` without a fixed term.
    pub fn effective_until(&self, from: NaiveDate) -> Result<Option<NaiveDate>, EntryError> {
        match self.validity_months {
            None => Ok(None),
            Some(m) => from
                .checked_add_months(Months::new(m))
                .and_then(|d| d.checked_sub_days(Days::new(1)))
                .map(Some)
                .ok_or(EntryError::DateOutOfRange),
        }
    }
}

/// An implementing-department role (实施部门); a deployment maps it to concrete departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Stable snake_case code.
    pub code: String,
    /// Chinese name.
    pub name: String,
}

/// A business scenario (业务场景) in which measures are checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable snake_case code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Where the scenario comes from (informative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

/// The verdict a measure implies in one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRule {
    /// Scenario code.
    pub code: String,
    /// Verdict there.
    pub verdict: Verdict,
}

/// One measure of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Stable snake_case code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Incentive or punishment.
    pub kind: MeasureKind,
    /// Implementing-department roles (codes of [`Department`]).
    pub departments: Vec<String>,
    /// Description of the implementing department.
    pub implementer: String,
    /// Legal basis: the seed document and clause.
    pub basis: String,
    /// Lists it applies to.
    #[serde(default)]
    pub lists: Vec<String>,
    /// Negative-record severities it applies to.
    #[serde(default)]
    pub severities: Vec<Severity>,
    /// Only these catalog record types (empty = any negative type).
    #[serde(default)]
    pub record_types: Vec<String>,
    /// Where it is checked, with the verdict it implies.
    #[serde(default)]
    pub scenarios: Vec<ScenarioRule>,
}

impl Measure {
    /// The verdict this measure implies in `scenario`, if it is checked there.
    pub fn verdict_in(&self, scenario: &str) -> Option<Verdict> {
        self.scenarios
            .iter()
            .find(|r| r.code == scenario)
            .map(|r| r.verdict)
    }

    /// Whether it applies to entries of `list`.
    pub fn applies_to_list(&self, list: &str) -> bool {
        self.lists.iter().any(|l| l == list)
    }

    /// Whether it applies to a (counted, not tolerated) negative record.
    pub fn applies_to_record(&self, type_code: &str, severity: Severity) -> bool {
        self.kind == MeasureKind::Punishment
            && self.severities.contains(&severity)
            && (self.record_types.is_empty() || self.record_types.iter().any(|t| t == type_code))
    }
}

/// Deadlines of the closed loop, in working days from the day the previous step was done, and
/// the reminder rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosedLoopConfig {
    /// 发起 → 分发.
    pub distribute_working_days: u32,
    /// 分发 → 签收.
    pub sign_working_days: u32,
    /// 签收 → 实施.
    pub apply_working_days: u32,
    /// 实施 → 反馈.
    pub report_working_days: u32,
    /// Remind this many working days before a step is due (and on and after the due day).
    pub remind_before_working_days: u32,
    /// Escalate when overdue by more than this many working days.
    pub escalate_after_working_days: u32,
    /// 分发 done by the system as soon as a case is opened (stamped `system`, on the day it
    /// happens) instead of by the credit office; off unless set.
    #[serde(default)]
    pub auto_distribute: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListsFile {
    pub(super) version: String,
    pub(super) title: String,
    #[serde(default)]
    pub(super) lists: Vec<ListDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MeasuresFile {
    pub(super) version: String,
    pub(super) title: String,
    pub(super) closed_loop: ClosedLoopConfig,
    #[serde(default)]
    pub(super) departments: Vec<Department>,
    #[serde(default)]
    pub(super) scenarios: Vec<Scenario>,
    #[serde(default)]
    pub(super) measures: Vec<Measure>,
}
