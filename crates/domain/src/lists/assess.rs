//! Checking a party in a scenario: hits, verdicts, the measures that apply and their reasons.

use super::*;

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
