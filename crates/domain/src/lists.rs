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
pub const DEFAULT_LISTS_TOML: &str = include_str!("../../../data/lists/lists.toml");
/// The shipped measures catalog, scenarios and closed-loop deadlines (TOML).
pub const DEFAULT_MEASURES_TOML: &str = include_str!("../../../data/measures/measures.toml");

// ------------------------------------------------------------------------------------------------
// Enumerations
// ------------------------------------------------------------------------------------------------

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

/// Outcome of a check. Ordered: `Pass < Warn < Intercept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 通过 (with a benefit, for red-list incentives).
    Pass,
    /// 提示: proceed, with attention.
    Warn,
    /// 拦截: a hard restriction applies.
    Intercept,
}

impl Verdict {
    /// All verdicts, mildest first.
    pub const ALL: [Verdict; 3] = [Self::Pass, Self::Warn, Self::Intercept];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Intercept => "intercept",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "通过",
            Self::Warn => "提示",
            Self::Intercept => "拦截",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == s)
    }
}

/// Where a list entry is in its procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// 拟列入 — proposed, not yet announced.
    Proposed,
    /// 公示中 — prior notice and publicity window; objections can be raised.
    Publicity,
    /// 已生效 — on the list.
    Effective,
    /// 已移出 — removed; kept with its history.
    Removed,
}

impl EntryStatus {
    /// All statuses.
    pub const ALL: [EntryStatus; 4] = [
        Self::Proposed,
        Self::Publicity,
        Self::Effective,
        Self::Removed,
    ];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Publicity => "publicity",
            Self::Effective => "effective",
            Self::Removed => "removed",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposed => "拟列入",
            Self::Publicity => "公示中",
            Self::Effective => "已生效",
            Self::Removed => "已移出",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Whether the entry is still on (or on its way onto) the list.
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Removed)
    }
}

/// Why an entry left its list (移出原因).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// 有效期届满.
    Expired,
    /// 信用修复.
    Repaired,
    /// 撤销认定 (withdrawn by the recognising body, including a proposal dropped before it took effect).
    Revoked,
    /// 数据源已移出 — an imported entry no longer in its source.
    SourceRemoved,
    /// 异议成立.
    ObjectionUpheld,
}

impl RemovalReason {
    /// All reasons.
    pub const ALL: [RemovalReason; 5] = [
        Self::Expired,
        Self::Repaired,
        Self::Revoked,
        Self::SourceRemoved,
        Self::ObjectionUpheld,
    ];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::Repaired => "repaired",
            Self::Revoked => "revoked",
            Self::SourceRemoved => "source_removed",
            Self::ObjectionUpheld => "objection_upheld",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Expired => "有效期届满",
            Self::Repaired => "信用修复",
            Self::Revoked => "撤销认定",
            Self::SourceRemoved => "数据源已移出",
            Self::ObjectionUpheld => "异议成立",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Whether a person must give a note (the decision or its document) for this removal.
    /// Expiry and source removal are established facts; the others are decisions.
    pub fn needs_note(self) -> bool {
        matches!(self, Self::Repaired | Self::Revoked | Self::ObjectionUpheld)
    }
}

// ------------------------------------------------------------------------------------------------
// Catalog structure (the two TOML files)
// ------------------------------------------------------------------------------------------------

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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListsFile {
    version: String,
    title: String,
    #[serde(default)]
    lists: Vec<ListDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasuresFile {
    version: String,
    title: String,
    closed_loop: ClosedLoopConfig,
    #[serde(default)]
    departments: Vec<Department>,
    #[serde(default)]
    scenarios: Vec<Scenario>,
    #[serde(default)]
    measures: Vec<Measure>,
}

/// Errors loading or using the lists and measures catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListsError {
    /// `lists.toml` is not valid TOML or not its structure.
    #[error("名单定义文件格式错误：{0}")]
    ListsSyntax(String),
    /// `measures.toml` is not valid TOML or not its structure.
    #[error("措施清单文件格式错误：{0}")]
    MeasuresSyntax(String),
    /// A file has an empty version.
    #[error("{file}缺少版本号（version）")]
    MissingVersion {
        /// Which file.
        file: &'static str,
    },
    /// A code is not ASCII snake_case.
    #[error("{what}代码“{code}”不合法：须为小写英文字母、数字和下划线，并以字母开头")]
    InvalidCode {
        /// What it is the code of.
        what: &'static str,
        /// The code.
        code: String,
    },
    /// Two items share a code.
    #[error("{what}代码“{code}”重复")]
    DuplicateCode {
        /// What it is the code of.
        what: &'static str,
        /// The code.
        code: String,
    },
    /// An item has no Chinese name.
    #[error("{what}“{code}”缺少中文名称")]
    MissingChineseName {
        /// What it is.
        what: &'static str,
        /// Its code.
        code: String,
    },
    /// An item refers to something that does not exist.
    #[error("{what}“{code}”引用的{target}“{target_code}”不存在")]
    UnknownReference {
        /// What refers.
        what: &'static str,
        /// Its code.
        code: String,
        /// What is referred to.
        target: &'static str,
        /// The missing code.
        target_code: String,
    },
    /// A list definition is inconsistent.
    #[error("名单“{code}”设置错误：{message}")]
    InvalidList {
        /// The list.
        code: String,
        /// What is wrong.
        message: String,
    },
    /// A measure is inconsistent.
    #[error("措施“{code}”设置错误：{message}")]
    InvalidMeasure {
        /// The measure.
        code: String,
        /// What is wrong.
        message: String,
    },
    /// The closed-loop deadlines are inconsistent.
    #[error("闭环期限设置错误：{0}")]
    InvalidClosedLoop(String),
    /// The record catalog checked against failed to load.
    #[error("信用信息目录不可用：{0}")]
    Catalog(String),
    /// A check names a scenario that does not exist.
    #[error("业务场景“{0}”不存在")]
    UnknownScenario(String),
    /// The departments mapping (`bodies.toml`) is not valid TOML or not its structure.
    #[error("实施部门对照表格式错误：{0}")]
    BodiesSyntax(String),
    /// A department in the mapping is inconsistent.
    #[error("实施部门“{uscc}”设置错误：{message}")]
    InvalidBody {
        /// The department's USCC.
        uscc: String,
        /// What is wrong.
        message: String,
    },
}

impl ListsError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ListsSyntax(_) => "lists_syntax",
            Self::BodiesSyntax(_) => "bodies_syntax",
            Self::InvalidBody { .. } => "invalid_body",
            Self::MeasuresSyntax(_) => "measures_syntax",
            Self::MissingVersion { .. } => "missing_version",
            Self::InvalidCode { .. } => "invalid_code",
            Self::DuplicateCode { .. } => "duplicate_code",
            Self::MissingChineseName { .. } => "missing_chinese_name",
            Self::UnknownReference { .. } => "unknown_reference",
            Self::InvalidList { .. } => "invalid_list",
            Self::InvalidMeasure { .. } => "invalid_measure",
            Self::InvalidClosedLoop(_) => "invalid_closed_loop",
            Self::Catalog(_) => "catalog_unavailable",
            Self::UnknownScenario(_) => "unknown_scenario",
        }
    }
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn has_chinese(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c))
}

/// Checks codes (valid, unique) and Chinese names of one kind of item.
fn check_items<'a>(
    what: &'static str,
    items: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<HashSet<&'a str>, ListsError> {
    let mut seen = HashSet::new();
    for (code, name) in items {
        if !valid_code(code) {
            return Err(ListsError::InvalidCode {
                what,
                code: code.to_string(),
            });
        }
        if !seen.insert(code) {
            return Err(ListsError::DuplicateCode {
                what,
                code: code.to_string(),
            });
        }
        if !has_chinese(name) {
            return Err(ListsError::MissingChineseName {
                what,
                code: code.to_string(),
            });
        }
    }
    Ok(seen)
}

/// The lists, scenarios, implementing departments, measures and closed-loop deadlines, parsed
/// and cross-checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JointCatalog {
    lists_version: String,
    lists_title: String,
    measures_version: String,
    measures_title: String,
    lists: Vec<ListDef>,
    departments: Vec<Department>,
    scenarios: Vec<Scenario>,
    measures: Vec<Measure>,
    closed_loop: ClosedLoopConfig,
    /// Chinese names of the record types of the catalog checked against (for reasons).
    #[serde(skip)]
    record_type_names: BTreeMap<String, String>,
}

static DEFAULT: OnceLock<Result<JointCatalog, ListsError>> = OnceLock::new();

impl JointCatalog {
    /// Parses and validates both files. With `catalog`, the record types they name
    /// (`catalog_type`, `record_types`) must exist there (negative ones for measures).
    pub fn parse(
        lists_toml: &str,
        measures_toml: &str,
        catalog: Option<&Catalog>,
    ) -> Result<JointCatalog, ListsError> {
        let lf: ListsFile =
            toml::from_str(lists_toml).map_err(|e| ListsError::ListsSyntax(e.to_string()))?;
        let mf: MeasuresFile =
            toml::from_str(measures_toml).map_err(|e| ListsError::MeasuresSyntax(e.to_string()))?;
        if lf.version.trim().is_empty() {
            return Err(ListsError::MissingVersion {
                file: "名单定义"
            });
        }
        if mf.version.trim().is_empty() {
            return Err(ListsError::MissingVersion {
                file: "措施清单"
            });
        }

        let list_codes = check_items(
            "名单",
            lf.lists.iter().map(|l| (l.code.as_str(), l.name.as_str())),
        )?;
        let dept_codes = check_items(
            "实施部门",
            mf.departments
                .iter()
                .map(|d| (d.code.as_str(), d.name.as_str())),
        )?;
        let scenario_codes = check_items(
            "业务场景",
            mf.scenarios
                .iter()
                .map(|s| (s.code.as_str(), s.name.as_str())),
        )?;
        check_items(
            "措施",
            mf.measures
                .iter()
                .map(|m| (m.code.as_str(), m.name.as_str())),
        )?;

        let catalog_type = |what: &'static str, code: &str, t: &str| -> Result<(), ListsError> {
            match catalog {
                Some(c) if c.get(t).is_none() => Err(ListsError::UnknownReference {
                    what,
                    code: code.to_string(),
                    target: "信息类型",
                    target_code: t.to_string(),
                }),
                _ => Ok(()),
            }
        };

        for l in &lf.lists {
            let bad = |message: &str| ListsError::InvalidList {
                code: l.code.clone(),
                message: message.to_string(),
            };
            if l.basis.trim().is_empty()
                || l.recognised_by.trim().is_empty()
                || l.standard.trim().is_empty()
            {
                return Err(bad("须填写依据、认定部门和认定标准"));
            }
            if l.imported {
                if l.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    return Err(bad("外部导入的名单须注明数据来源（source）"));
                }
                if l.publicity_working_days > 0 {
                    return Err(bad("外部导入的名单由来源机关认定，不设公示期"));
                }
            }
            if l.objections_allowed && l.publicity_working_days == 0 {
                return Err(bad("未设公示期的名单不能在公示期内受理异议"));
            }
            if l.validity_months == Some(0) {
                return Err(bad("有效期（validity_months）须大于0"));
            }
            if let Some(t) = &l.catalog_type {
                catalog_type("名单", &l.code, t)?;
            }
        }

        let list_kind = |code: &str| lf.lists.iter().find(|l| l.code == code).map(|l| l.kind);
        for m in &mf.measures {
            let bad = |message: &str| ListsError::InvalidMeasure {
                code: m.code.clone(),
                message: message.to_string(),
            };
            let unknown = |target: &'static str, t: &str| ListsError::UnknownReference {
                what: "措施",
                code: m.code.clone(),
                target,
                target_code: t.to_string(),
            };
            if m.implementer.trim().is_empty() || m.basis.trim().is_empty() {
                return Err(bad("须填写实施部门说明和依据"));
            }
            if m.departments.is_empty() {
                return Err(bad("须指定至少一个实施部门"));
            }
            for d in &m.departments {
                if !dept_codes.contains(d.as_str()) {
                    return Err(unknown("实施部门", d));
                }
            }
            for l in &m.lists {
                if !list_codes.contains(l.as_str()) {
                    return Err(unknown("名单", l));
                }
            }
            let mut seen = HashSet::new();
            for r in &m.scenarios {
                if !scenario_codes.contains(r.code.as_str()) {
                    return Err(unknown("业务场景", &r.code));
                }
                if !seen.insert(r.code.as_str()) {
                    return Err(bad(&format!("业务场景“{}”重复", r.code)));
                }
            }
            if m.lists.is_empty() && m.severities.is_empty() {
                return Err(bad("须指定适用的名单或失信程度"));
            }
            match m.kind {
                MeasureKind::Incentive => {
                    if !m.severities.is_empty() || !m.record_types.is_empty() {
                        return Err(bad("激励措施不能适用于失信记录"));
                    }
                    if m.lists
                        .iter()
                        .any(|l| list_kind(l) != Some(ListKind::Reward))
                    {
                        return Err(bad("激励措施只能适用于守信激励类名单"));
                    }
                    if m.scenarios.iter().any(|r| r.verdict != Verdict::Pass) {
                        return Err(bad("激励措施在业务场景中的结论只能是“通过”"));
                    }
                }
                MeasureKind::Punishment => {
                    if m.lists
                        .iter()
                        .any(|l| list_kind(l) == Some(ListKind::Reward))
                    {
                        return Err(bad("惩戒措施不能适用于守信激励类名单"));
                    }
                    if m.scenarios.iter().any(|r| r.verdict == Verdict::Pass) {
                        return Err(bad("惩戒措施在业务场景中的结论须为“提示”或“拦截”"));
                    }
                }
            }
            for t in &m.record_types {
                if m.severities.is_empty() {
                    return Err(bad("指定信息类型时须同时指定失信程度"));
                }
                catalog_type("措施", &m.code, t)?;
                if let Some(rt) = catalog.and_then(|c| c.get(t)) {
                    if rt.class != RecordClass::Negative {
                        return Err(bad(&format!("信息类型“{t}”不是失信类")));
                    }
                }
            }
        }

        let cl = &mf.closed_loop;
        if [
            cl.distribute_working_days,
            cl.sign_working_days,
            cl.apply_working_days,
            cl.report_working_days,
        ]
        .contains(&0)
        {
            return Err(ListsError::InvalidClosedLoop(
                "每个环节的期限须至少为1个工作日".to_string(),
            ));
        }

        let record_type_names = catalog
            .map(|c| {
                c.types()
                    .iter()
                    .map(|t| (t.code.clone(), t.name.clone()))
                    .collect()
            })
            .unwrap_or_default();

        Ok(JointCatalog {
            lists_version: lf.version.trim().to_string(),
            lists_title: lf.title,
            measures_version: mf.version.trim().to_string(),
            measures_title: mf.title,
            lists: lf.lists,
            departments: mf.departments,
            scenarios: mf.scenarios,
            measures: mf.measures,
            closed_loop: mf.closed_loop,
            record_type_names,
        })
    }

    /// Parses the shipped files afresh, checked against the shipped record catalog.
    pub fn default_catalog() -> Result<JointCatalog, ListsError> {
        let catalog = Catalog::default_checked().map_err(|e| ListsError::Catalog(e.to_string()))?;
        Self::parse(DEFAULT_LISTS_TOML, DEFAULT_MEASURES_TOML, Some(catalog))
    }

    /// The shipped lists and measures, parsed once and shared.
    pub fn default_checked() -> Result<&'static JointCatalog, ListsError> {
        DEFAULT
            .get_or_init(Self::default_catalog)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Version of the lists file.
    pub fn lists_version(&self) -> &str {
        &self.lists_version
    }

    /// Title of the lists file.
    pub fn lists_title(&self) -> &str {
        &self.lists_title
    }

    /// Version of the measures file.
    pub fn measures_version(&self) -> &str {
        &self.measures_version
    }

    /// Title of the measures file.
    pub fn measures_title(&self) -> &str {
        &self.measures_title
    }

    /// All lists, in file order.
    pub fn lists(&self) -> &[ListDef] {
        &self.lists
    }

    /// The list with this code.
    pub fn list(&self, code: &str) -> Option<&ListDef> {
        self.lists.iter().find(|l| l.code == code)
    }

    /// All implementing-department roles.
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    /// The department role with this code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    /// All scenarios.
    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }

    /// The scenario with this code.
    pub fn scenario(&self, code: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.code == code)
    }

    /// All measures, in file order.
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    /// The measure with this code.
    pub fn measure(&self, code: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.code == code)
    }

    /// The measures that apply to entries of `list`, in file order.
    pub fn measures_for_list<'a>(&'a self, list: &'a str) -> impl Iterator<Item = &'a Measure> {
        self.measures
            .iter()
            .filter(move |m| m.applies_to_list(list))
    }

    /// Closed-loop deadlines and reminder rule.
    pub fn closed_loop(&self) -> &ClosedLoopConfig {
        &self.closed_loop
    }

    fn record_type_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.record_type_names
            .get(code)
            .map(String::as_str)
            .unwrap_or(code)
    }

    /// Which department roles implement which measures for an entry of `list`: department
    /// code → measure codes (file order), departments in code order.
    pub fn distribution(&self, list: &str) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in self.measures_for_list(list) {
            for d in &m.departments {
                out.entry(d.clone()).or_default().push(m.code.clone());
            }
        }
        out
    }
}

// ------------------------------------------------------------------------------------------------
// Checking a party in a scenario
// ------------------------------------------------------------------------------------------------

/// Something found about a party that a check weighs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "hit", rename_all = "snake_case")]
pub enum Hit {
    /// An entry on a list.
    ListEntry {
        /// List code.
        list: String,
        /// The entry's status.
        status: EntryStatus,
        /// A 从轻/免于惩戒 decision taken on this entry, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mitigation: Option<EntryMitigation>,
    },
    /// A negative record.
    Record {
        /// Catalog type code.
        type_code: String,
        /// Its severity.
        severity: Severity,
        /// 容错纠错: kept, never counted as 失信.
        tolerated: bool,
    },
}

/// A 从轻/免于惩戒 decision on a list entry, as a check weighs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryMitigation {
    /// 免于惩戒 (`true`) or 从轻惩戒 (`false`).
    pub waived: bool,
    /// The decision's number (e.g. `CJ20261123…`).
    pub decision: String,
}

/// A measure that applies in a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedMeasure {
    /// Measure code.
    pub code: String,
    /// Measure name.
    pub name: String,
    /// Incentive or punishment.
    pub kind: MeasureKind,
    /// The verdict it implies here (after capping entries still in publicity).
    pub verdict: Verdict,
    /// Implementing-department roles.
    pub departments: Vec<String>,
    /// Legal basis.
    pub basis: String,
    /// Indexes of the hits that triggered it.
    pub hits: Vec<usize>,
    /// Why, in Chinese (one clause per hit, joined with `；`).
    pub reason: String,
}

/// A hit that triggered nothing, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredHit {
    /// Index of the hit.
    pub hit: usize,
    /// Why, in Chinese.
    pub reason: String,
}

/// An incentive that would apply but is withheld because the party has a 失信 or watch hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithheldMeasure {
    /// Measure code.
    pub code: String,
    /// Measure name.
    pub name: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// The outcome of checking one party in one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Scenario code.
    pub scenario: String,
    /// Scenario name.
    pub scenario_name: String,
    /// The overall verdict: the strictest of the measures that apply (pass when none).
    pub verdict: Verdict,
    /// The measures that apply, in catalog order.
    pub measures: Vec<AppliedMeasure>,
    /// Incentives withheld.
    pub withheld: Vec<WithheldMeasure>,
    /// Hits that triggered nothing here.
    pub ignored: Vec<IgnoredHit>,
}

impl Assessment {
    /// A one-line Chinese summary, e.g. `政府采购：拦截（限制参与政府采购和招标投标）`.
    pub fn summary(&self) -> String {
        let names: Vec<&str> = self
            .measures
            .iter()
            .filter(|m| m.verdict == self.verdict)
            .map(|m| m.name.as_str())
            .collect();
        if names.is_empty() {
            format!(
                "{}：{}（无适用措施）",
                self.scenario_name,
                self.verdict.label()
            )
        } else {
            format!(
                "{}：{}（{}）",
                self.scenario_name,
                self.verdict.label(),
                names.join("、")
            )
        }
    }
}

fn verdict_phrase(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "可享受该激励措施",
        Verdict::Warn => "予以提示",
        Verdict::Intercept => "予以拦截",
    }
}

impl JointCatalog {
    /// Checks one party's hits in `scenario`: the verdict and the measures that apply, each
    /// with its reason.
    ///
    /// - Effective entries trigger the measures of their list checked in the scenario.
    /// - An entry still in publicity triggers punishment measures at most as `warn` and no
    ///   incentive; proposed and removed entries trigger nothing.
    /// - A negative record triggers the punishment measures of its severity (and type, where a
    ///   measure names types); a tolerated (容错) record never counts (江苏2023 §二(二)).
    /// - Incentives are withheld when any punishment or watch measure applies.
    pub fn assess(&self, scenario: &str, hits: &[Hit]) -> Result<Assessment, ListsError> {
        let sc = self
            .scenario(scenario)
            .ok_or_else(|| ListsError::UnknownScenario(scenario.to_string()))?;
        // Per measure (catalog order): (verdict, hit indexes, reasons).
        type Found = Option<(Verdict, Vec<usize>, Vec<String>)>;
        let mut found: Vec<Found> = vec![None; self.measures.len()];
        let mut ignored = Vec::new();
        let mut add = |mi: usize, hit: usize, v: Verdict, reason: String| {
            let slot = found[mi].get_or_insert_with(|| (v, Vec::new(), Vec::new()));
            slot.0 = slot.0.max(v);
            slot.1.push(hit);
            slot.2.push(reason);
        };

        for (i, hit) in hits.iter().enumerate() {
            let mut matched = false;
            match hit {
                Hit::ListEntry {
                    list,
                    status,
                    mitigation,
                } => {
                    let Some(def) = self.list(list) else {
                        ignored.push(IgnoredHit {
                            hit: i,
                            reason: format!("未知名单“{list}”，未予比对"),
                        });
                        continue;
                    };
                    match status {
                        EntryStatus::Proposed => {
                            ignored.push(IgnoredHit {
                                hit: i,
                                reason: format!("{}拟列入，尚未公示、未生效", def.name),
                            });
                            continue;
                        }
                        EntryStatus::Removed => {
                            ignored.push(IgnoredHit {
                                hit: i,
                                reason: format!("已从{}移出，不再适用相关措施", def.name),
                            });
                            continue;
                        }
                        EntryStatus::Publicity | EntryStatus::Effective => {}
                    }
                    let in_publicity = *status == EntryStatus::Publicity;
                    for (mi, m) in self.measures.iter().enumerate() {
                        if !m.applies_to_list(list) {
                            continue;
                        }
                        let Some(v) = m.verdict_in(scenario) else {
                            continue;
                        };
                        if in_publicity && m.kind == MeasureKind::Incentive {
                            continue;
                        }
                        // 免于惩戒: the punishment is not applied to this party; the check
                        // still tells the caller, so at most a warning. 从轻惩戒: the measures
                        // stand (the deciding department sets how much lighter), noted.
                        let (v, reason) = if let (Some(mg), MeasureKind::Punishment) =
                            (mitigation, m.kind)
                        {
                            if mg.waived {
                                let capped = v.min(Verdict::Warn);
                                (
                                    capped,
                                    format!(
                                        "已列入{}，但已作出免于惩戒决定（{}），{}中不予拦截，{}",
                                        def.name,
                                        mg.decision,
                                        sc.name,
                                        verdict_phrase(capped)
                                    ),
                                )
                            } else {
                                (
                                    v,
                                    format!(
                                        "已列入{}（已作出从轻惩戒决定 {}），{}中{}",
                                        def.name,
                                        mg.decision,
                                        sc.name,
                                        verdict_phrase(v)
                                    ),
                                )
                            }
                        } else if in_publicity {
                            let capped = v.min(Verdict::Warn);
                            let note = if capped < v {
                                "（公示期内尚未生效，至多提示）"
                            } else {
                                "（公示期内尚未生效）"
                            };
                            (
                                capped,
                                format!(
                                    "{}认定公示中{}，{}中{}",
                                    def.name,
                                    note,
                                    sc.name,
                                    verdict_phrase(capped)
                                ),
                            )
                        } else {
                            (
                                v,
                                format!("已列入{}，{}中{}", def.name, sc.name, verdict_phrase(v)),
                            )
                        };
                        add(mi, i, v, reason);
                        matched = true;
                    }
                    if !matched {
                        let reason = if in_publicity && def.kind == ListKind::Reward {
                            format!("{}认定公示中，尚未生效，暂不享受激励措施", def.name)
                        } else {
                            format!("{}在{}中无适用措施", def.name, sc.name)
                        };
                        ignored.push(IgnoredHit { hit: i, reason });
                    }
                }
                Hit::Record {
                    type_code,
                    severity,
                    tolerated,
                } => {
                    let tname = self.record_type_name(type_code);
                    if *tolerated {
                        ignored.push(IgnoredHit {
                            hit: i,
                            reason: format!(
                                "失信记录“{tname}”已认定为容错纠错情形，不计入失信（江苏2023 §二(二)）"
                            ),
                        });
                        continue;
                    }
                    for (mi, m) in self.measures.iter().enumerate() {
                        if !m.applies_to_record(type_code, *severity) {
                            continue;
                        }
                        let Some(v) = m.verdict_in(scenario) else {
                            continue;
                        };
                        add(
                            mi,
                            i,
                            v,
                            format!(
                                "存在{}失信记录“{tname}”，{}中{}",
                                severity.label(),
                                sc.name,
                                verdict_phrase(v)
                            ),
                        );
                        matched = true;
                    }
                    if !matched {
                        ignored.push(IgnoredHit {
                            hit: i,
                            reason: format!(
                                "{}失信记录“{tname}”在{}中无适用措施",
                                severity.label(),
                                sc.name
                            ),
                        });
                    }
                }
            }
        }

        let mut measures: Vec<AppliedMeasure> = self
            .measures
            .iter()
            .zip(found)
            .filter_map(|(m, f)| {
                f.map(|(verdict, hits, reasons)| AppliedMeasure {
                    code: m.code.clone(),
                    name: m.name.clone(),
                    kind: m.kind,
                    verdict,
                    departments: m.departments.clone(),
                    basis: m.basis.clone(),
                    hits,
                    reason: reasons.join("；"),
                })
            })
            .collect();

        let worst = measures
            .iter()
            .filter(|m| m.kind == MeasureKind::Punishment)
            .map(|m| m.verdict)
            .max();
        let mut withheld = Vec::new();
        if let Some(worst) = worst {
            measures.retain(|m| {
                if m.kind == MeasureKind::Incentive {
                    withheld.push(WithheldMeasure {
                        code: m.code.clone(),
                        name: m.name.clone(),
                        reason: format!(
                            "存在失信惩戒或重点关注信息（{}中{}），守信激励措施暂不适用",
                            sc.name,
                            worst.label()
                        ),
                    });
                    false
                } else {
                    true
                }
            });
        }

        Ok(Assessment {
            scenario: sc.code.clone(),
            scenario_name: sc.name.clone(),
            verdict: worst.unwrap_or(Verdict::Pass),
            measures,
            withheld,
            ignored,
        })
    }
}

// ------------------------------------------------------------------------------------------------
// List entries and their procedure
// ------------------------------------------------------------------------------------------------

/// A step of an entry's procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EntryAction {
    /// 公示 — start the prior notice and publicity window.
    StartPublicity,
    /// 提出异议 — an objection raised during publicity.
    RaiseObjection,
    /// 异议不成立 — an objection answered and dismissed.
    DismissObjection,
    /// 生效 — the entry takes effect; `until` sets its own end date where the list allows it.
    TakeEffect {
        /// The entry's own last day on the list.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<NaiveDate>,
    },
    /// 移出.
    Remove {
        /// Why.
        reason: RemovalReason,
    },
}

impl EntryAction {
    /// Stable snake_case code (`remove_<reason>` for removals).
    pub fn code(self) -> &'static str {
        match self {
            Self::StartPublicity => "start_publicity",
            Self::RaiseObjection => "raise_objection",
            Self::DismissObjection => "dismiss_objection",
            Self::TakeEffect { .. } => "take_effect",
            Self::Remove { reason } => match reason {
                RemovalReason::Expired => "remove_expired",
                RemovalReason::Repaired => "remove_repaired",
                RemovalReason::Revoked => "remove_revoked",
                RemovalReason::SourceRemoved => "remove_source_removed",
                RemovalReason::ObjectionUpheld => "remove_objection_upheld",
            },
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::StartPublicity => "公示",
            Self::RaiseObjection => "提出异议",
            Self::DismissObjection => "异议不成立",
            Self::TakeEffect { .. } => "生效",
            Self::Remove { reason } => match reason {
                RemovalReason::Expired => "移出（有效期届满）",
                RemovalReason::Repaired => "移出（信用修复）",
                RemovalReason::Revoked => "移出（撤销认定）",
                RemovalReason::SourceRemoved => "移出（数据源已移出）",
                RemovalReason::ObjectionUpheld => "移出（异议成立）",
            },
        }
    }
}

/// Why a step of an entry's procedure is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// The action is not possible from the entry's status.
    #[error("名单条目当前状态为“{}”，不能执行“{action}”", .from.label())]
    Illegal {
        /// Current status.
        from: EntryStatus,
        /// The action's label.
        action: &'static str,
    },
    /// The list given is not the entry's list.
    #[error("名单条目属于“{entry_list}”，不属于“{given}”")]
    ListMismatch {
        /// The entry's list.
        entry_list: String,
        /// The list given.
        given: String,
    },
    /// A required field of a proposal is empty.
    #[error("认定须填写{0}")]
    MissingField(&'static str),
    /// An imported list's entries are not proposed by hand.
    #[error("该名单由外部数据源导入，不能手工认定")]
    ImportedList,
    /// Only imported lists take imports and source removals.
    #[error("该名单不是外部导入的名单")]
    NotImported,
    /// The list requires publicity before an entry takes effect.
    #[error("该名单须经公示后方能生效")]
    PublicityRequired,
    /// The list has no publicity window.
    #[error("该名单不设公示期")]
    NoPublicity,
    /// The publicity window is not over yet.
    #[error("公示期至{until}，期满后方能生效")]
    PublicityNotOver {
        /// Last day of the window.
        until: NaiveDate,
    },
    /// Objections may only be raised within the window.
    #[error("公示期已于{until}届满，不能在公示期内提出异议")]
    PublicityOver {
        /// Last day of the window.
        until: NaiveDate,
    },
    /// Objections are still pending.
    #[error("尚有{count}件异议未处理，不能生效")]
    ObjectionPending {
        /// How many.
        count: u32,
    },
    /// The list takes no objections during publicity.
    #[error("该名单公示期内不受理异议")]
    ObjectionsNotAllowed,
    /// No objection to answer.
    #[error("该名单条目没有待处理的异议")]
    NoPendingObjection,
    /// The entry's validity has not run out.
    #[error("{}", match .until { Some(d) => format!("有效期至{d}，尚未届满"), None => "该名单条目无固定有效期，不能因期满移出".to_string() })]
    NotExpired {
        /// The entry's last day, if any.
        until: Option<NaiveDate>,
    },
    /// The list's validity is set for all entries.
    #[error("该名单的有效期统一规定，不能单独设定")]
    ValidityFixed,
    /// An entry's own end date lies before it takes effect.
    #[error("有效期截止日{until}早于生效日{from}")]
    BadValidity {
        /// Effective from.
        from: NaiveDate,
        /// Given end date.
        until: NaiveDate,
    },
    /// The decision needs a note (its reasons or document).
    #[error("“{0}”须填写理由或决定文书")]
    ReasonRequired(&'static str),
    /// The date lies before the entry's last step.
    #[error("操作日期{date}早于上一步骤日期{last}")]
    DateBeforeLast {
        /// Date given.
        date: NaiveDate,
        /// Date of the last step.
        last: NaiveDate,
    },
    /// A date computation left the supported range.
    #[error("日期超出可计算范围")]
    DateOutOfRange,
    /// The working-day calendar cannot answer.
    #[error("{0}")]
    Calendar(#[from] CalendarError),
}

impl EntryError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Illegal { .. } => "illegal_entry_transition",
            Self::ListMismatch { .. } => "list_mismatch",
            Self::MissingField(_) => "missing_field",
            Self::ImportedList => "imported_list",
            Self::NotImported => "not_imported",
            Self::PublicityRequired => "publicity_required",
            Self::NoPublicity => "no_publicity",
            Self::PublicityNotOver { .. } => "publicity_not_over",
            Self::PublicityOver { .. } => "publicity_over",
            Self::ObjectionPending { .. } => "objection_pending",
            Self::ObjectionsNotAllowed => "objections_not_allowed",
            Self::NoPendingObjection => "no_pending_objection",
            Self::NotExpired { .. } => "not_expired",
            Self::ValidityFixed => "validity_fixed",
            Self::BadValidity { .. } => "bad_validity",
            Self::ReasonRequired(_) => "reason_required",
            Self::DateBeforeLast { .. } => "date_before_last",
            Self::DateOutOfRange => "date_out_of_range",
            Self::Calendar(e) => e.code(),
        }
    }
}

/// What the recognising department submits to propose an entry (认定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The subject's key (subject id, USCC, or ID-number hash: the store decides).
    pub subject_key: String,
    /// The subject's name as recognised.
    pub subject_name: String,
    /// 认定标准 applied.
    pub standard: String,
    /// 依据 (document and clause).
    pub basis: String,
    /// 认定部门.
    pub recognised_by: String,
    /// Evidence: record ids, document numbers.
    pub evidence: Vec<String>,
}

/// One step in an entry's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryEvent {
    /// Date of the step.
    pub on: NaiveDate,
    /// `propose`, `import` or an [`EntryAction::code`].
    pub action: String,
    /// Status before (`None` at creation).
    pub from: Option<EntryStatus>,
    /// Status after.
    pub to: EntryStatus,
    /// Reasons, decision or document given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An entry on a list, with its procedure's dates and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// List code.
    pub list: String,
    /// The subject's key.
    pub subject_key: String,
    /// The subject's name.
    pub subject_name: String,
    /// 认定标准 applied.
    pub standard: String,
    /// 依据.
    pub basis: String,
    /// 认定部门.
    pub recognised_by: String,
    /// Evidence.
    pub evidence: Vec<String>,
    /// Current status.
    pub status: EntryStatus,
    /// Day proposed (or imported).
    pub proposed_on: NaiveDate,
    /// First day of publicity.
    pub publicity_from: Option<NaiveDate>,
    /// Last day of publicity.
    pub publicity_until: Option<NaiveDate>,
    /// Objections raised and not yet answered.
    pub objections_pending: u32,
    /// Day it took effect.
    pub effective_from: Option<NaiveDate>,
    /// Last day on the list (`None`: until removed).
    pub effective_until: Option<NaiveDate>,
    /// Day removed.
    pub removed_on: Option<NaiveDate>,
    /// Why removed.
    pub removal_reason: Option<RemovalReason>,
    /// Every step, oldest first.
    pub history: Vec<EntryEvent>,
}

fn clean_note(note: Option<&str>) -> Option<String> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

impl ListEntry {
    /// A recognising department proposes an entry (status `proposed`).
    pub fn propose(
        list: &ListDef,
        proposal: Proposal,
        today: NaiveDate,
    ) -> Result<ListEntry, EntryError> {
        if list.imported {
            return Err(EntryError::ImportedList);
        }
        for (value, field) in [
            (&proposal.subject_key, "主体标识"),
            (&proposal.subject_name, "主体名称"),
            (&proposal.standard, "认定标准"),
            (&proposal.basis, "认定依据"),
            (&proposal.recognised_by, "认定部门"),
        ] {
            if value.trim().is_empty() {
                return Err(EntryError::MissingField(field));
            }
        }
        Ok(ListEntry {
            list: list.code.clone(),
            subject_key: proposal.subject_key,
            subject_name: proposal.subject_name,
            standard: proposal.standard,
            basis: proposal.basis,
            recognised_by: proposal.recognised_by,
            evidence: proposal.evidence,
            status: EntryStatus::Proposed,
            proposed_on: today,
            publicity_from: None,
            publicity_until: None,
            objections_pending: 0,
            effective_from: None,
            effective_until: None,
            removed_on: None,
            removal_reason: None,
            history: vec![EntryEvent {
                on: today,
                action: "propose".to_string(),
                from: None,
                to: EntryStatus::Proposed,
                note: None,
            }],
        })
    }

    /// An entry imported from an imported list's source: effective at once, recognised by the
    /// source (e.g. the court), `source_ref` kept as evidence (e.g. the 案号).
    pub fn import(
        list: &ListDef,
        subject_key: &str,
        subject_name: &str,
        source_ref: &str,
        today: NaiveDate,
    ) -> Result<ListEntry, EntryError> {
        if !list.imported {
            return Err(EntryError::NotImported);
        }
        if subject_key.trim().is_empty() {
            return Err(EntryError::MissingField("主体标识"));
        }
        Ok(ListEntry {
            list: list.code.clone(),
            subject_key: subject_key.to_string(),
            subject_name: subject_name.to_string(),
            standard: list.standard.clone(),
            basis: list.basis.clone(),
            recognised_by: list.recognised_by.clone(),
            evidence: vec![source_ref.to_string()],
            status: EntryStatus::Effective,
            proposed_on: today,
            publicity_from: None,
            publicity_until: None,
            objections_pending: 0,
            effective_from: Some(today),
            effective_until: list.effective_until(today)?,
            removed_on: None,
            removal_reason: None,
            history: vec![EntryEvent {
                on: today,
                action: "import".to_string(),
                from: None,
                to: EntryStatus::Effective,
                note: list.source.clone(),
            }],
        })
    }

    /// The entry after `action` on `today`, or why it is refused.
    ///
    /// - proposed → start_publicity → publicity (lists with a window; it ends
    ///   `publicity_working_days` working days after `today`);
    /// - publicity: raise_objection / dismiss_objection (lists that allow them, within the window);
    /// - publicity → take_effect → effective, after the window and with no objection pending;
    ///   proposed → take_effect only for lists without a window;
    /// - remove: revoked (from proposed, publicity, effective), objection_upheld (publicity with an
    ///   objection pending, or effective), expired (effective, after its last day), repaired
    ///   (effective, not on a reward list), source_removed (imported lists);
    /// - removed entries accept nothing further.
    ///
    /// Revocation, repair and an upheld objection need a note.
    pub fn apply(
        &self,
        list: &ListDef,
        action: EntryAction,
        today: NaiveDate,
        note: Option<&str>,
        calendar: &WorkCalendar,
    ) -> Result<ListEntry, EntryError> {
        use EntryStatus as S;
        if list.code != self.list {
            return Err(EntryError::ListMismatch {
                entry_list: self.list.clone(),
                given: list.code.clone(),
            });
        }
        if let Some(last) = self.history.last().map(|e| e.on) {
            if today < last {
                return Err(EntryError::DateBeforeLast { date: today, last });
            }
        }
        let illegal = || EntryError::Illegal {
            from: self.status,
            action: action.label(),
        };
        let note = clean_note(note);
        let mut next = self.clone();
        match (action, self.status) {
            (EntryAction::StartPublicity, S::Proposed) => {
                let until = list
                    .publicity_until(today, calendar)?
                    .ok_or(EntryError::NoPublicity)?;
                next.status = S::Publicity;
                next.publicity_from = Some(today);
                next.publicity_until = Some(until);
            }
            (EntryAction::RaiseObjection, S::Publicity) => {
                if !list.objections_allowed {
                    return Err(EntryError::ObjectionsNotAllowed);
                }
                if let Some(until) = self.publicity_until.filter(|u| today > *u) {
                    return Err(EntryError::PublicityOver { until });
                }
                if note.is_none() {
                    return Err(EntryError::ReasonRequired(action.label()));
                }
                next.objections_pending += 1;
            }
            (EntryAction::DismissObjection, S::Publicity) => {
                if self.objections_pending == 0 {
                    return Err(EntryError::NoPendingObjection);
                }
                if note.is_none() {
                    return Err(EntryError::ReasonRequired(action.label()));
                }
                next.objections_pending -= 1;
            }
            (EntryAction::TakeEffect { until }, S::Proposed | S::Publicity) => {
                if self.status == S::Proposed && list.publicity_working_days > 0 {
                    return Err(EntryError::PublicityRequired);
                }
                if self.objections_pending > 0 {
                    return Err(EntryError::ObjectionPending {
                        count: self.objections_pending,
                    });
                }
                if let Some(end) = self.publicity_until.filter(|u| today <= *u) {
                    return Err(EntryError::PublicityNotOver { until: end });
                }
                let effective_until = match until {
                    Some(_) if !list.validity_per_entry => return Err(EntryError::ValidityFixed),
                    Some(u) if u < today => {
                        return Err(EntryError::BadValidity {
                            from: today,
                            until: u,
                        })
                    }
                    Some(u) => Some(u),
                    None => list.effective_until(today)?,
                };
                next.status = S::Effective;
                next.effective_from = Some(today);
                next.effective_until = effective_until;
            }
            (EntryAction::Remove { reason }, from) => {
                let allowed = match reason {
                    RemovalReason::Revoked => {
                        matches!(from, S::Proposed | S::Publicity | S::Effective)
                    }
                    RemovalReason::ObjectionUpheld => match from {
                        S::Publicity => {
                            if self.objections_pending == 0 {
                                return Err(EntryError::NoPendingObjection);
                            }
                            true
                        }
                        S::Effective => true,
                        _ => false,
                    },
                    RemovalReason::Expired => {
                        if from == S::Effective {
                            match self.effective_until {
                                Some(u) if today > u => {}
                                until => return Err(EntryError::NotExpired { until }),
                            }
                            true
                        } else {
                            false
                        }
                    }
                    RemovalReason::Repaired => {
                        from == S::Effective && list.kind != ListKind::Reward
                    }
                    RemovalReason::SourceRemoved => {
                        if from == S::Removed {
                            false
                        } else if !list.imported {
                            return Err(EntryError::NotImported);
                        } else {
                            true
                        }
                    }
                };
                if !allowed {
                    return Err(illegal());
                }
                if reason.needs_note() && note.is_none() {
                    return Err(EntryError::ReasonRequired(action.label()));
                }
                next.status = S::Removed;
                next.removed_on = Some(today);
                next.removal_reason = Some(reason);
                next.objections_pending = 0;
            }
            _ => return Err(illegal()),
        }
        next.history.push(EntryEvent {
            on: today,
            action: action.code().to_string(),
            from: Some(self.status),
            to: next.status,
            note,
        });
        Ok(next)
    }

    /// What a scheduled job should do today, if anything: take effect once the publicity window
    /// is over with no objection pending, or remove an effective entry after its last day.
    pub fn due_action(&self, today: NaiveDate) -> Option<EntryAction> {
        match self.status {
            EntryStatus::Publicity
                if self.objections_pending == 0
                    && self.publicity_until.is_some_and(|u| today > u) =>
            {
                Some(EntryAction::TakeEffect { until: None })
            }
            EntryStatus::Effective if self.effective_until.is_some_and(|u| today > u) => {
                Some(EntryAction::Remove {
                    reason: RemovalReason::Expired,
                })
            }
            _ => None,
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Refreshing an imported list
// ------------------------------------------------------------------------------------------------

/// What a refresh of an imported list does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshPlan<K> {
    /// In the source, not active here: import (a new entry; earlier removed entries keep their
    /// history).
    pub add: Vec<K>,
    /// In the source and active here: unchanged.
    pub keep: Vec<K>,
    /// Active here, no longer in the source: remove with reason `source_removed`.
    pub remove: Vec<K>,
}

/// Diffs an imported list against a fresh copy of its source. `existing` holds every entry
/// of the list (removed ones included, a key may occur more than once); `source` the keys the
/// source lists now (duplicates ignored). Each output is sorted and duplicate-free.
pub fn refresh<K: Ord + Clone>(existing: &[(K, EntryStatus)], source: &[K]) -> RefreshPlan<K> {
    let active: BTreeSet<&K> = existing
        .iter()
        .filter(|(_, s)| s.is_active())
        .map(|(k, _)| k)
        .collect();
    let source: BTreeSet<&K> = source.iter().collect();
    RefreshPlan {
        add: source
            .iter()
            .filter(|k| !active.contains(*k))
            .map(|k| (*k).clone())
            .collect(),
        keep: source
            .iter()
            .filter(|k| active.contains(*k))
            .map(|k| (*k).clone())
            .collect(),
        remove: active
            .iter()
            .filter(|k| !source.contains(*k))
            .map(|k| (*k).clone())
            .collect(),
    }
}

// ------------------------------------------------------------------------------------------------
// The closed loop (闭环)
// ------------------------------------------------------------------------------------------------

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

pub mod bodies;

#[cfg(test)]
mod tests;
