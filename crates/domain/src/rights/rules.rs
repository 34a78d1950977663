//! The credit-rights rules as data (`data/rights/rules.toml`): objection, evidence and repair rules.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRules {
    pub source: String,
    /// The credit office accepts or refuses within this many working days.
    pub accept_working_days: u32,
    /// The source department checks within this many working days of acceptance.
    pub check_working_days: u32,
    /// The credit office answers the objector within this many working days of the check.
    pub answer_working_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRules {
    pub max_files: usize,
    pub max_file_bytes: u64,
    /// All the evidence of one application together (a quota against filling the database
    /// through one filing); 30 MiB unless the rules say otherwise.
    #[serde(default = "default_max_total_bytes")]
    pub max_total_bytes: u64,
    pub types: Vec<FileKind>,
}

fn default_max_total_bytes() -> u64 {
    30 * 1024 * 1024
}

/// A level of 失信信息 under the repair rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Whether such information is published at all.
    pub published: bool,
    /// Minimum publication period in months; repair may be applied for from its end.
    pub min_months: u32,
    /// Publication ends automatically after this many months.
    pub max_months: u32,
    pub repairable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    /// 轻微.
    pub minor: Level,
    /// 一般 (较重 counts as 一般: the national rules know three levels).
    pub general: Level,
    /// 严重.
    pub serious: Level,
}

impl Levels {
    pub fn of(&self, s: Severity) -> Level {
        match s {
            Severity::Minor => self.minor,
            Severity::General | Severity::Major => self.general,
            Severity::Severe => self.serious,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub code: String,
    pub label: String,
    pub required: bool,
}

/// One version of the national repair rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepairRules {
    pub id: String,
    pub title: String,
    pub effective_from: NaiveDate,
    pub levels: Levels,
    pub accept_working_days: u32,
    pub review_working_days: u32,
    pub share_working_days: u32,
    pub bar_months_after_false_materials: u32,
    pub materials: Vec<Material>,
}

impl RepairRules {
    /// The first day repair may be applied for: the end of the minimum publication period.
    pub fn earliest_repair(&self, decision: NaiveDate, severity: Severity) -> NaiveDate {
        add_months(decision, self.levels.of(severity).min_months)
    }

    /// The last day of publication under these rules (`None`: not published at all).
    pub fn publication_end(&self, decision: NaiveDate, severity: Severity) -> Option<NaiveDate> {
        let level = self.levels.of(severity);
        if !level.published && level.max_months == 0 {
            return None;
        }
        add_months(decision, level.max_months).pred_opt()
    }

    pub fn material(&self, code: &str) -> Option<&Material> {
        self.materials.iter().find(|m| m.code == code)
    }
}

/// All credit-rights rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightsRules {
    pub version: String,
    pub objection: ObjectionRules,
    pub evidence: EvidenceRules,
    pub repair: Vec<RepairRules>,
}

static DEFAULT: OnceLock<Result<RightsRules, RightsError>> = OnceLock::new();

impl RightsRules {
    pub fn parse(text: &str) -> Result<Self, RightsError> {
        let mut r: RightsRules =
            toml::from_str(text).map_err(|e| RightsError::Rules(e.message().to_string()))?;
        if r.repair.is_empty() {
            return Err(RightsError::Rules("至少须有一个信用修复规则版本".into()));
        }
        r.repair.sort_by_key(|v| v.effective_from);
        for w in r.repair.windows(2) {
            if w[0].effective_from == w[1].effective_from {
                return Err(RightsError::Rules(format!(
                    "两个版本同日施行：{}",
                    w[0].effective_from
                )));
            }
        }
        for v in &r.repair {
            for (name, l) in [
                ("minor", v.levels.minor),
                ("general", v.levels.general),
                ("serious", v.levels.serious),
            ] {
                if l.min_months > l.max_months {
                    return Err(RightsError::Rules(format!(
                        "{} 的 {name} 最短公示期长于最长公示期",
                        v.id
                    )));
                }
            }
            if !v.materials.iter().any(|m| m.required) {
                return Err(RightsError::Rules(format!("{} 未列出必备材料", v.id)));
            }
        }
        if r.evidence.max_files == 0
            || r.evidence.max_file_bytes == 0
            || r.evidence.types.is_empty()
        {
            return Err(RightsError::Rules("证明材料限制须大于零".into()));
        }
        if r.evidence.max_total_bytes < r.evidence.max_file_bytes {
            return Err(RightsError::Rules(
                "一件申请的证明材料合计上限（max_total_bytes）不得小于单个文件上限".into(),
            ));
        }
        Ok(r)
    }

    /// The shipped rules, parsed once.
    pub fn default_checked() -> Result<&'static RightsRules, RightsError> {
        DEFAULT
            .get_or_init(|| Self::parse(DEFAULT_RULES_TOML))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The repair rules in force on `day`.
    pub fn repair_on(&self, day: NaiveDate) -> Result<&RepairRules, RightsError> {
        self.repair
            .iter()
            .rev()
            .find(|v| v.effective_from <= day)
            .ok_or(RightsError::NoRuleVersion(day))
    }

    pub fn repair_version(&self, id: &str) -> Option<&RepairRules> {
        self.repair.iter().find(|v| v.id == id)
    }
}
