//! Whether a repair may be applied for, and which materials are still missing.

use super::*;

/// What the subject of an application looks like when it is filed or decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFacts {
    pub decision_date: NaiveDate,
    /// `None` for a record that is not 失信 (no severity).
    pub severity: Option<Severity>,
    /// Records only; list entries pass `None`.
    pub status: Option<RecordStatus>,
    /// For list entries: whether still on the list.
    pub active: bool,
    /// List entries: the months before removal may be applied for, by the list's own rules
    /// (谁认定、谁修复); records use the repair rules.
    pub list_min_months: Option<u32>,
}

/// Whether a repair may be applied for / approved on `today`.
pub fn repair_eligibility(
    rules: &RepairRules,
    facts: &TargetFacts,
    today: NaiveDate,
    barred_until: Option<NaiveDate>,
) -> Result<(), RightsError> {
    if let Some(until) = barred_until {
        if today <= until {
            return Err(RightsError::Barred { until });
        }
    }
    match facts.status {
        Some(RecordStatus::Published | RecordStatus::Expired) => {}
        Some(s) => return Err(RightsError::NotRepairableStatus(s)),
        None if !facts.active => {
            return Err(RightsError::NotRepairableStatus(RecordStatus::Revoked))
        }
        None => {}
    }
    let earliest = match (facts.list_min_months, facts.severity) {
        (Some(m), _) => add_months(facts.decision_date, m),
        (None, Some(sev)) => {
            if !rules.levels.of(sev).repairable {
                return Err(RightsError::NotRepairable);
            }
            rules.earliest_repair(facts.decision_date, sev)
        }
        (None, None) => return Err(RightsError::NotNegative),
    };
    if today < earliest {
        return Err(RightsError::PeriodNotReached { earliest });
    }
    Ok(())
}

/// Materials still missing from a repair application (labels), given the declared categories.
pub fn missing_materials(rules: &RepairRules, declared: &[String]) -> Vec<String> {
    rules
        .materials
        .iter()
        .filter(|m| m.required && !declared.iter().any(|d| d == &m.code))
        .map(|m| m.label.clone())
        .collect()
}
