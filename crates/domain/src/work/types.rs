//! Work-item types as data (`data/work/types.toml`, compiled in), checked when loaded: codes
//! unique and snake_case, every state an action names exists, escalation levels strictly
//! increasing, the initial state not final, a type with no default deadline requires one per
//! item. A broken file is `work_types_invalid` with what is wrong.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{DeadlineRule, WorkError};

const SHIPPED: &str = include_str!("../../../../data/work/types.toml");
static DEFAULT: OnceLock<Result<WorkTypes, WorkError>> = OnceLock::new();

/// Who takes a step: the owner body (主办/整改单位), a co-handling body (协办单位), or the
/// issuing body (交办/督查/审计/财政部门 — the region's credit office may act for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Owner,
    Co,
    Issuer,
    /// The credit office of the item's region (escalations only; it may act for the issuer).
    Office,
}

impl Party {
    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "主办/整改单位",
            Self::Co => "协办单位",
            Self::Issuer => "交办/验收单位",
            Self::Office => "信用办",
        }
    }
}

/// Whether a step's text is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TextRule {
    Required,
    #[default]
    Optional,
}

/// A state's deadline: the item's own, or a rule counted from entering the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Clock {
    /// `"item"`.
    Item(ItemClock),
    Rule(DeadlineRule),
}

/// The literal `"item"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemClock {
    Item,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    pub code: String,
    pub name: String,
    #[serde(default, rename = "final")]
    pub is_final: bool,
    #[serde(default)]
    pub actor: Option<Party>,
    #[serde(default)]
    pub clock: Option<Clock>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub code: String,
    pub name: String,
    pub to: String,
    /// Picking it creates a 失信 record of this catalog type about the owner body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    pub code: String,
    pub name: String,
    pub by: Party,
    pub from: Vec<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub text: TextRule,
    #[serde(default)]
    pub evidence: bool,
    #[serde(default)]
    pub reopen: bool,
    #[serde(default)]
    pub deadline: Option<DeadlineRule>,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationLevel {
    pub after_working_days: u32,
    pub name: String,
    pub to: Vec<Party>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkType {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub basis: String,
    pub prefix: String,
    #[serde(default)]
    pub number_label: Option<String>,
    pub owner_label: String,
    pub issuer_label: String,
    #[serde(default)]
    pub proposer: bool,
    #[serde(default)]
    pub deadline: Option<DeadlineRule>,
    #[serde(default)]
    pub deadline_required: bool,
    #[serde(default)]
    pub remind_before_working_days: u32,
    #[serde(default)]
    pub escalation: Vec<EscalationLevel>,
    #[serde(default = "one")]
    pub max_reopens: u32,
    /// The measure (`data/measures/measures.toml`) that opens an item of this type when a list
    /// entry carrying it takes effect for a government body.
    #[serde(default)]
    pub opened_by_measure: Option<String>,
    pub initial: String,
    pub states: Vec<StateDef>,
    pub actions: Vec<ActionDef>,
}

impl WorkType {
    pub fn state(&self, code: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.code == code)
    }

    /// A state's name (the code itself if unknown).
    pub fn state_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.state(code).map_or(code, |s| s.name.as_str())
    }

    pub fn action(&self, code: &str) -> Result<&ActionDef, WorkError> {
        self.actions
            .iter()
            .find(|a| a.code == code)
            .ok_or_else(|| WorkError::UnknownAction {
                kind: self.name.clone(),
                action: code.to_string(),
            })
    }

    /// The actions possible in `state`, in file order.
    pub fn actions_in<'a>(&'a self, state: &'a str) -> impl Iterator<Item = &'a ActionDef> + 'a {
        self.actions
            .iter()
            .filter(move |a| a.from.iter().any(|f| f == state))
    }

    /// The outcome's name: a choice's, else the code.
    pub fn outcome_name<'a>(&'a self, code: &'a str) -> &'a str {
        if code == "rectified" {
            return "已整改销号";
        }
        self.actions
            .iter()
            .flat_map(|a| a.choices.iter())
            .find(|c| c.code == code)
            .map_or(code, |c| c.name.as_str())
    }

    fn check(&self) -> Result<(), String> {
        let snake = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        let me = &self.code;
        if !snake(me) {
            return Err(format!("类型代码“{me}”须为小写字母、数字和下划线"));
        }
        if self.name.trim().is_empty() || self.owner_label.trim().is_empty() {
            return Err(format!("类型“{me}”缺少名称"));
        }
        if !(2..=3).contains(&self.prefix.len())
            || !self.prefix.bytes().all(|b| b.is_ascii_uppercase())
        {
            return Err(format!("类型“{me}”的编号前缀须为两到三个大写字母"));
        }
        if self.deadline.is_none() && !self.deadline_required {
            return Err(format!(
                "类型“{me}”既无默认期限（deadline），也未要求逐项设定（deadline_required）"
            ));
        }
        if self.opened_by_measure.is_some() && (self.deadline.is_none() || self.deadline_required) {
            return Err(format!(
                "类型“{me}”由措施自动发起，须有默认期限且不要求逐项设定"
            ));
        }
        let mut states = BTreeSet::new();
        for s in &self.states {
            if !snake(&s.code) || !states.insert(s.code.as_str()) {
                return Err(format!("类型“{me}”的状态“{}”无效或重复", s.code));
            }
            if s.is_final && s.clock.is_some() {
                return Err(format!("类型“{me}”的终结状态“{}”不能有期限", s.code));
            }
        }
        match self.state(&self.initial) {
            None => return Err(format!("类型“{me}”的初始状态“{}”不存在", self.initial)),
            Some(s) if s.is_final => return Err(format!("类型“{me}”的初始状态不能是终结状态")),
            _ => {}
        }
        if !self.states.iter().any(|s| s.is_final) {
            return Err(format!("类型“{me}”没有终结状态"));
        }
        let mut actions = BTreeSet::new();
        for a in &self.actions {
            if !snake(&a.code) || !actions.insert(a.code.as_str()) || a.code == "note" {
                return Err(format!("类型“{me}”的步骤“{}”无效或重复", a.code));
            }
            if a.from.is_empty() {
                return Err(format!("类型“{me}”的步骤“{}”没有适用状态", a.code));
            }
            let mut targets: Vec<&str> = a.from.iter().map(String::as_str).collect();
            targets.extend(a.to.as_deref());
            targets.extend(a.choices.iter().map(|c| c.to.as_str()));
            if let Some(bad) = targets.iter().find(|t| !states.contains(**t)) {
                return Err(format!(
                    "类型“{me}”的步骤“{}”引用了不存在的状态“{bad}”",
                    a.code
                ));
            }
            if a.from
                .iter()
                .any(|f| self.state(f).is_some_and(|s| s.is_final))
            {
                return Err(format!("类型“{me}”的步骤“{}”不能从终结状态出发", a.code));
            }
            if a.to.is_some() && !a.choices.is_empty() {
                return Err(format!(
                    "类型“{me}”的步骤“{}”不能同时有 to 和 choices",
                    a.code
                ));
            }
            if a.reopen && a.to.is_none() {
                return Err(format!("类型“{me}”的重新办理步骤“{}”须有 to", a.code));
            }
            if a.by == Party::Office {
                return Err(format!(
                    "类型“{me}”的步骤“{}”的 by 须为 owner、co 或 issuer",
                    a.code
                ));
            }
        }
        let mut last = 0;
        for level in &self.escalation {
            if level.after_working_days <= last {
                return Err(format!(
                    "类型“{me}”的督办级别须按 after_working_days 严格递增且不小于 1"
                ));
            }
            last = level.after_working_days;
            if level.to.is_empty() || level.name.trim().is_empty() {
                return Err(format!("类型“{me}”的督办级别缺少名称或接收方"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    version: String,
    types: Vec<WorkType>,
}

/// The types in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkTypes {
    pub version: String,
    types: Vec<WorkType>,
}

impl WorkTypes {
    /// Parse and check a types file.
    pub fn parse(text: &str) -> Result<Self, WorkError> {
        let doc: Doc = toml::from_str(text).map_err(|e| WorkError::Types(e.to_string()))?;
        if doc.types.is_empty() {
            return Err(WorkError::Types("没有任何事项类型".into()));
        }
        let mut codes = BTreeSet::new();
        let mut prefixes = BTreeSet::new();
        for t in &doc.types {
            t.check().map_err(WorkError::Types)?;
            if !codes.insert(t.code.as_str()) {
                return Err(WorkError::Types(format!("类型代码“{}”重复", t.code)));
            }
            if !prefixes.insert(t.prefix.as_str()) {
                return Err(WorkError::Types(format!("编号前缀“{}”重复", t.prefix)));
            }
        }
        Ok(Self {
            version: doc.version,
            types: doc.types,
        })
    }

    /// The shipped types, parsed once.
    pub fn shipped() -> Result<&'static WorkTypes, WorkError> {
        DEFAULT
            .get_or_init(|| Self::parse(SHIPPED))
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn all(&self) -> &[WorkType] {
        &self.types
    }

    /// A type by code (`work_type_unknown` otherwise).
    pub fn get(&self, code: &str) -> Result<&WorkType, WorkError> {
        self.types
            .iter()
            .find(|t| t.code == code)
            .ok_or_else(|| WorkError::UnknownType(code.to_string()))
    }

    /// The types opened automatically by `measure`.
    pub fn opened_by(&self, measure: &str) -> Vec<&WorkType> {
        self.types
            .iter()
            .filter(|t| t.opened_by_measure.as_deref() == Some(measure))
            .collect()
    }

    /// The Chinese name of a type (the code itself if unknown).
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.types
            .iter()
            .find(|t| t.code == code)
            .map_or(code, |t| t.name.as_str())
    }
}
