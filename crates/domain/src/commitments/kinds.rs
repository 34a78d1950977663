//! Kinds of commitment, as data (`data/commitments/kinds.toml`, compiled in).

use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::CommitmentError;
use crate::calendar::WorkCalendar;

const SHIPPED: &str = include_str!("../../../../data/commitments/kinds.toml");
static DEFAULT: OnceLock<Result<CommitmentKinds, CommitmentError>> = OnceLock::new();

/// Who may make a commitment of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromisorKind {
    /// A government body (USCC 登记管理部门 1).
    GovBody,
    /// An enterprise or organisation (信用承诺 in 告知承诺 approvals).
    Enterprise,
    /// An enterprise or organisation by USCC, or a natural person by 居民身份证号 (信用承诺 in
    /// 告知承诺 approvals, which persons make too).
    EnterpriseOrPerson,
}

impl PromisorKind {
    /// Whether a natural person may be the promisor.
    pub fn admits_persons(self) -> bool {
        matches!(self, Self::EnterpriseOrPerson)
    }

    /// Whether the promisor is a government body (else the approving body registers it).
    pub fn is_government(self) -> bool {
        matches!(self, Self::GovBody)
    }
}

/// How a default due date is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    WorkingDays,
    CalendarDays,
}

/// The default due date of a milestone: `days` after the promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRule {
    pub unit: DeadlineUnit,
    pub days: u32,
}

impl DeadlineRule {
    /// The due date counted from `promised` on the calendar in effect (a working-day count
    /// past the covered years is Monday–Friday: the calendar given is the lenient one).
    pub fn due_from(
        &self,
        promised: NaiveDate,
        cal: &WorkCalendar,
    ) -> Result<NaiveDate, CommitmentError> {
        match self.unit {
            DeadlineUnit::CalendarDays => Ok(promised + Duration::days(i64::from(self.days))),
            DeadlineUnit::WorkingDays => cal
                .add_working_days(promised, self.days)
                .map_err(|e| CommitmentError::Calendar(e.to_string())),
        }
    }
}

/// One kind of commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentKind {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub basis: String,
    pub promisor: PromisorKind,
    pub public: bool,
    pub deadline: DeadlineRule,
    /// Calendar days before a due date the reminder goes out.
    pub remind_before: u32,
    /// Catalog type code of the 失信 record a recognised breach becomes.
    pub breach_type: String,
}

#[derive(Debug, Deserialize)]
struct Doc {
    version: String,
    kinds: Vec<CommitmentKind>,
}

/// The kinds in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentKinds {
    pub version: String,
    kinds: Vec<CommitmentKind>,
}

impl CommitmentKinds {
    /// Parse and check a kinds file: codes snake_case and unique, names present.
    pub fn parse(text: &str) -> Result<Self, CommitmentError> {
        let doc: Doc = toml::from_str(text).map_err(|e| CommitmentError::Kinds(e.to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for k in &doc.kinds {
            let ok = !k.code.is_empty()
                && k.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok || !seen.insert(k.code.clone()) {
                return Err(CommitmentError::Kinds(format!(
                    "类别代码“{}”无效或重复",
                    k.code
                )));
            }
            if k.name.trim().is_empty() || k.breach_type.trim().is_empty() {
                return Err(CommitmentError::Kinds(format!(
                    "类别“{}”缺少名称或失信信息类型",
                    k.code
                )));
            }
        }
        if doc.kinds.is_empty() {
            return Err(CommitmentError::Kinds("没有任何承诺类别".into()));
        }
        Ok(Self {
            version: doc.version,
            kinds: doc.kinds,
        })
    }

    /// The shipped kinds, parsed once.
    pub fn shipped() -> Result<&'static CommitmentKinds, CommitmentError> {
        DEFAULT
            .get_or_init(|| Self::parse(SHIPPED))
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn all(&self) -> &[CommitmentKind] {
        &self.kinds
    }

    /// A kind by code (`commitment_kind_unknown` otherwise).
    pub fn get(&self, code: &str) -> Result<&CommitmentKind, CommitmentError> {
        self.kinds
            .iter()
            .find(|k| k.code == code)
            .ok_or_else(|| CommitmentError::UnknownKind(code.to_string()))
    }

    /// The Chinese name of a kind (the code itself if unknown).
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.kinds
            .iter()
            .find(|k| k.code == code)
            .map_or(code, |k| k.name.as_str())
    }
}
