//! The indicator system as data (`data/evaluation/indicators.toml`, versioned, replaceable per
//! deployment): dimensions with weights, derived values, indicators with weight, period kinds,
//! target population, source, formula and scoring method. Loading parses every formula and
//! checks the whole file; each problem is refused with its line ([`EvalError`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::errors::EvalError;
use super::formula::{self, Expr, Ty};
use super::period::PeriodKind;
use super::scoring::Scoring;
use super::sources;

/// The default indicator system for 政务诚信, shipped with the platform.
pub const DEFAULT_TOML: &str = include_str!("../../../../data/evaluation/indicators.toml");

/// Who an indicator scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Province,
    Prefecture,
    County,
    Township,
    /// A government body (机关, by its USCC).
    Body,
}

impl TargetKind {
    pub const ALL: [TargetKind; 5] = [
        Self::Province,
        Self::Prefecture,
        Self::County,
        Self::Township,
        Self::Body,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Prefecture => "prefecture",
            Self::County => "county",
            Self::Township => "township",
            Self::Body => "body",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Province => "省级",
            Self::Prefecture => "市级",
            Self::County => "县级",
            Self::Township => "乡镇（街道）",
            Self::Body => "政府部门",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind of a region code by its shape (6 digits: province `xx0000`, prefecture
    /// `xxxx00`, county; 9 digits: township), `None` for anything else (a body's USCC).
    pub fn of_region(code: &str) -> Option<Self> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match code.len() {
            6 if code.ends_with("0000") => Some(Self::Province),
            6 if code.ends_with("00") => Some(Self::Prefecture),
            6 => Some(Self::County),
            9 => Some(Self::Township),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dimension {
    pub code: String,
    pub name: String,
    pub weight: f64,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derived {
    pub name: String,
    pub label: String,
    pub formula_text: String,
    #[serde(skip)]
    pub formula: Expr,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub dimension: String,
    /// Full points.
    pub weight: f64,
    pub periods: Vec<PeriodKind>,
    pub targets: Vec<TargetKind>,
    /// The source family whose items explain it.
    pub source: String,
    pub formula_text: String,
    #[serde(skip)]
    pub formula: Expr,
    pub scoring: Scoring,
    pub unit: String,
    pub note: String,
    pub line: usize,
}

impl Indicator {
    pub fn applies(&self, kind: PeriodKind, target: TargetKind) -> bool {
        self.periods.contains(&kind) && self.targets.contains(&target)
    }
}

/// A grade (等次) from a minimum score (on the system's total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    pub name: String,
    pub min: f64,
}

/// A loaded, checked indicator system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSystem {
    pub version: String,
    pub name: String,
    /// The declared total (满分).
    pub total: f64,
    pub grades: Vec<Grade>,
    pub dimensions: Vec<Dimension>,
    pub derived: Vec<Derived>,
    pub indicators: Vec<Indicator>,
    /// SHA-256 of the file's text.
    pub digest: String,
    /// The file's text, as loaded (kept with each run's system version).
    #[serde(skip)]
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystem {
    version: String,
    name: String,
    total: Spanned<f64>,
    #[serde(default)]
    grades: Vec<Grade>,
    dimensions: Vec<RawDimension>,
    #[serde(default)]
    derived: Vec<RawDerived>,
    indicators: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDimension {
    code: Spanned<String>,
    name: String,
    weight: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDerived {
    name: Spanned<String>,
    #[serde(default)]
    label: String,
    formula: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: Spanned<String>,
    name: String,
    dimension: String,
    weight: f64,
    periods: Vec<String>,
    targets: Vec<String>,
    source: String,
    formula: Spanned<String>,
    scoring: Spanned<Scoring>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    note: String,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(1)
}

const EPS: f64 = 1e-6;

fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase() || f == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl IndicatorSystem {
    /// The shipped default system.
    pub fn default_system() -> Result<Self, EvalError> {
        Self::parse(DEFAULT_TOML)
    }

    /// Parse and check an indicator file.
    pub fn parse(text: &str) -> Result<Self, EvalError> {
        let raw: RawSystem = toml::from_str(text).map_err(|e| EvalError::FileInvalid {
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            reason: e.message().to_string(),
        })?;
        let total_line = line_of(text, raw.total.span().start);
        let total = *raw.total.get_ref();
        if raw.version.trim().is_empty() {
            return Err(EvalError::FileInvalid {
                line: 1,
                reason: "缺少版本号 version".into(),
            });
        }
        if total <= 0.0 {
            return Err(EvalError::FileInvalid {
                line: total_line,
                reason: "满分 total 须大于零".into(),
            });
        }
        // Dimensions.
        let mut dimensions = Vec::new();
        let mut seen = BTreeSet::new();
        for d in raw.dimensions {
            let line = line_of(text, d.code.span().start);
            let code = d.code.into_inner();
            if !seen.insert(code.clone()) {
                return Err(EvalError::Duplicate { line, code });
            }
            if d.weight <= 0.0 {
                return Err(EvalError::WeightsMismatch {
                    line,
                    what: format!("维度“{}”", d.name),
                    declared: d.weight,
                    sum: d.weight,
                });
            }
            dimensions.push(Dimension {
                code,
                name: d.name,
                weight: d.weight,
                line,
            });
        }
        let dim_sum: f64 = dimensions.iter().map(|d| d.weight).sum();
        if (dim_sum - total).abs() > EPS {
            return Err(EvalError::WeightsMismatch {
                line: total_line,
                what: "各维度".into(),
                declared: total,
                sum: round6(dim_sum),
            });
        }
        // Derived values: names first (so formulas may refer to later ones), then formulas.
        let mut derived = Vec::new();
        let mut derived_names = BTreeSet::new();
        for d in &raw.derived {
            let line = line_of(text, d.name.span().start);
            let name = d.name.get_ref().clone();
            if !is_name(&name) || sources::value(&name).is_some() {
                return Err(EvalError::FileInvalid {
                    line,
                    reason: format!(
                        "派生值名称“{name}”无效：须为小写字母、数字和下划线，且不能与数据来源同名"
                    ),
                });
            }
            if !derived_names.insert(name.clone()) {
                return Err(EvalError::Duplicate { line, code: name });
            }
        }
        let known = |n: &str| sources::value(n).is_some() || derived_names.contains(n);
        for d in raw.derived {
            let line = line_of(text, d.formula.span().start);
            let formula_text = d.formula.get_ref().clone();
            let formula = parse_checked(&formula_text, line, &known)?;
            derived.push(Derived {
                name: d.name.into_inner(),
                label: d.label,
                formula_text,
                formula,
                line,
            });
        }
        check_cycles(&derived)?;
        // Indicators.
        let mut indicators = Vec::new();
        let mut codes = BTreeSet::new();
        let mut per_dim: BTreeMap<String, f64> = BTreeMap::new();
        for i in raw.indicators {
            let line = line_of(text, i.code.span().start);
            let code = i.code.get_ref().clone();
            if code.trim().is_empty() {
                return Err(EvalError::FileInvalid {
                    line,
                    reason: "指标代码不能为空".into(),
                });
            }
            if !codes.insert(code.clone()) {
                return Err(EvalError::Duplicate { line, code });
            }
            if !dimensions.iter().any(|d| d.code == i.dimension) {
                return Err(EvalError::UnknownDimension {
                    line,
                    code: i.dimension,
                });
            }
            if i.weight <= 0.0 {
                return Err(EvalError::WeightsMismatch {
                    line,
                    what: format!("指标“{}”", i.name),
                    declared: i.weight,
                    sum: i.weight,
                });
            }
            *per_dim.entry(i.dimension.clone()).or_default() += i.weight;
            let mut periods = Vec::new();
            for p in &i.periods {
                periods.push(
                    PeriodKind::parse(p).ok_or_else(|| EvalError::PeriodKindInvalid {
                        line,
                        kind: p.clone(),
                    })?,
                );
            }
            let mut targets = Vec::new();
            for t in &i.targets {
                targets.push(
                    TargetKind::parse(t).ok_or_else(|| EvalError::TargetInvalid {
                        line,
                        target: t.clone(),
                    })?,
                );
            }
            if periods.is_empty() || targets.is_empty() {
                return Err(EvalError::FileInvalid {
                    line,
                    reason: "periods 与 targets 至少各填一项".into(),
                });
            }
            if sources::family(&i.source).is_none() {
                return Err(EvalError::UnknownFamily {
                    line,
                    name: i.source,
                });
            }
            let fline = line_of(text, i.formula.span().start);
            let formula_text = i.formula.get_ref().clone();
            let formula = parse_checked(&formula_text, fline, &known)?;
            let sline = line_of(text, i.scoring.span().start);
            let scoring = i.scoring.into_inner();
            scoring
                .check(i.weight)
                .map_err(|reason| EvalError::ScoringInvalid {
                    line: sline,
                    reason,
                })?;
            indicators.push(Indicator {
                code,
                name: i.name,
                dimension: i.dimension,
                weight: i.weight,
                periods,
                targets,
                source: i.source,
                formula_text,
                formula,
                scoring,
                unit: i.unit,
                note: i.note,
                line,
            });
        }
        for d in &dimensions {
            let sum = per_dim.get(&d.code).copied().unwrap_or(0.0);
            if (sum - d.weight).abs() > EPS {
                return Err(EvalError::WeightsMismatch {
                    line: d.line,
                    what: format!("维度“{}”下各指标", d.name),
                    declared: d.weight,
                    sum: round6(sum),
                });
            }
        }
        let mut grades = raw.grades;
        if grades.is_empty() {
            grades = vec![
                Grade {
                    name: "优秀".into(),
                    min: total * 0.9,
                },
                Grade {
                    name: "良好".into(),
                    min: total * 0.8,
                },
                Grade {
                    name: "合格".into(),
                    min: total * 0.6,
                },
            ];
        }
        grades.sort_by(|a, b| b.min.total_cmp(&a.min));
        Ok(Self {
            version: raw.version,
            name: raw.name,
            total,
            grades,
            dimensions,
            derived,
            indicators,
            digest: hex::encode(Sha256::digest(text.as_bytes())),
            text: text.to_string(),
        })
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn dimension(&self, code: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.code == code)
    }

    /// The grade of a score (on the total): the first grade whose minimum it reaches,
    /// else 不合格.
    pub fn grade(&self, score: f64) -> String {
        self.grades
            .iter()
            .find(|g| score + EPS >= g.min)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| "不合格".into())
    }

    /// The source values an indicator's formula uses, directly or through derived values.
    pub fn values_used(&self, ind: &Indicator) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stack: Vec<String> = ind.formula.names().into_iter().collect();
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            match self.derived.iter().find(|d| d.name == n) {
                Some(d) => stack.extend(d.formula.names()),
                None => {
                    out.insert(n);
                }
            }
        }
        // A debt indicator shows the ratio its level was decided on, whether or not its
        // formula reads it.
        if ind.source == "debt" {
            out.insert(sources::DEBT_RATIO.to_string());
        }
        out
    }

    /// The value of an indicator's formula, looking source values up with `get`.
    pub fn indicator_value(
        &self,
        ind: &Indicator,
        get: &dyn Fn(&str) -> Option<f64>,
    ) -> Result<f64, EvalError> {
        let v = self.eval(&ind.formula, &ind.code, get, 0)?;
        if !v.is_finite() {
            return Err(EvalError::NotFinite {
                indicator: ind.code.clone(),
            });
        }
        Ok(v)
    }

    fn eval(
        &self,
        e: &Expr,
        code: &str,
        get: &dyn Fn(&str) -> Option<f64>,
        depth: usize,
    ) -> Result<f64, EvalError> {
        // Derived values were checked free of cycles at load; the depth guard is belt and braces.
        // A derived value's own fault (a division by zero inside it) is reported as such.
        let fault: std::cell::RefCell<Option<EvalError>> = std::cell::RefCell::new(None);
        let lookup = |n: &str| -> Option<f64> {
            match self.derived.iter().find(|d| d.name == n) {
                Some(d) if depth < 32 => match self.eval(&d.formula, code, get, depth + 1) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        fault.borrow_mut().get_or_insert(e);
                        None
                    }
                },
                Some(_) => None,
                None => get(n),
            }
        };
        let r = e.eval(&lookup);
        if let Some(e) = fault.into_inner() {
            if r.is_err() {
                return Err(e);
            }
        }
        r.map_err(|f| match f {
            formula::EvalFault::DivisionByZero(expr) => EvalError::DivisionByZero {
                indicator: code.to_string(),
                expr,
            },
            formula::EvalFault::Missing(name) => EvalError::MissingValue {
                indicator: code.to_string(),
                name,
            },
        })
    }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn parse_checked(text: &str, line: usize, known: &dyn Fn(&str) -> bool) -> Result<Expr, EvalError> {
    let e = formula::parse(text).map_err(|s| EvalError::FormulaSyntax {
        line,
        col: s.col,
        reason: s.reason,
    })?;
    if let Some(n) = e.names().into_iter().find(|n| !known(n)) {
        return Err(EvalError::UnknownSource { line, name: n });
    }
    match e.check() {
        Ok(Ty::Num) => Ok(e),
        Ok(Ty::Bool) => Err(EvalError::FormulaType {
            line,
            reason: "公式的结果应为数值，而不是条件".into(),
        }),
        Err(reason) => Err(EvalError::FormulaType { line, reason }),
    }
}

/// Refuse derived values that refer to themselves, directly or through others.
fn check_cycles(derived: &[Derived]) -> Result<(), EvalError> {
    let by_name: BTreeMap<&str, &Derived> = derived.iter().map(|d| (d.name.as_str(), d)).collect();
    // 0 = unseen, 1 = on the path, 2 = done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        n: &'a str,
        by_name: &BTreeMap<&'a str, &'a Derived>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Result<(), EvalError> {
        match state.get(n).copied().unwrap_or(0) {
            2 => return Ok(()),
            1 => {
                let start = path.iter().position(|p| *p == n).unwrap_or(0);
                let mut cycle: Vec<&str> = path[start..].to_vec();
                cycle.push(n);
                let line = by_name.get(n).map(|d| d.line).unwrap_or(1);
                return Err(EvalError::Circular {
                    line,
                    cycle: cycle.join(" → "),
                });
            }
            _ => {}
        }
        let Some(d) = by_name.get(n) else {
            return Ok(());
        };
        state.insert(n, 1);
        path.push(n);
        for m in d.formula.names() {
            if let Some((k, _)) = by_name.get_key_value(m.as_str()) {
                visit(k, by_name, state, path)?;
            }
        }
        path.pop();
        state.insert(n, 2);
        Ok(())
    }
    for d in derived {
        visit(d.name.as_str(), &by_name, &mut state, &mut Vec::new())?;
    }
    Ok(())
}
