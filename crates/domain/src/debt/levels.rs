//! Risk levels (红橙黄绿) as data (`data/debt/risk_levels.toml`, compiled in and checked at
//! start-up): bands of the debt ratio in percent, from 0 % upwards, ordered green → yellow →
//! orange → red, each band starting where the one before ends (no gaps, no overlaps), the last
//! one open-ended. And the level changes between a region's years.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::position::Ratio;
use super::DebtError;

const SHIPPED: &str = include_str!("../../../../data/debt/risk_levels.toml");
static DEFAULT: OnceLock<Result<RiskLevels, DebtError>> = OnceLock::new();

/// A risk level, from the lowest to the highest risk (the order is the severity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Green,
    Yellow,
    Orange,
    Red,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Green,
        RiskLevel::Yellow,
        RiskLevel::Orange,
        RiskLevel::Red,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Green => "green",
            RiskLevel::Yellow => "yellow",
            RiskLevel::Orange => "orange",
            RiskLevel::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }

    /// 绿色 / 黄色 / 橙色 / 红色.
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Green => "绿色",
            RiskLevel::Yellow => "黄色",
            RiskLevel::Orange => "橙色",
            RiskLevel::Red => "红色",
        }
    }

    /// The colour a chart fills the level with (readable with dark text).
    pub fn colour(self) -> &'static str {
        match self {
            RiskLevel::Green => "#7fc97f",
            RiskLevel::Yellow => "#f4d35e",
            RiskLevel::Orange => "#f49d4a",
            RiskLevel::Red => "#e15759",
        }
    }
}

/// Which debt enters the ratio that decides the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// 一般债务余额 + 专项债务余额 (法定债务).
    Statutory,
    /// The statutory debt plus 隐性债务余额 where recorded.
    WithHidden,
}

impl Basis {
    pub fn label(self) -> &'static str {
        match self {
            Basis::Statutory => "法定债务（一般债务 + 专项债务）",
            Basis::WithHidden => "法定债务加隐性债务",
        }
    }
}

/// One band: ratios `from_percent ≤ r < to_percent` (no upper bound for the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelBand {
    pub level: RiskLevel,
    pub from_percent: u32,
    #[serde(default)]
    pub to_percent: Option<u32>,
}

/// The bands in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskLevels {
    pub version: String,
    pub basis: Basis,
    pub levels: Vec<LevelBand>,
}

impl RiskLevels {
    /// Parse and check a levels file: four bands green, yellow, orange, red in this order, the
    /// first from 0 %, each from where the previous one ends, each non-empty, the last open.
    pub fn parse(text: &str) -> Result<Self, DebtError> {
        let t: RiskLevels = toml::from_str(text).map_err(|e| DebtError::Levels(e.to_string()))?;
        t.check()?;
        Ok(t)
    }

    fn check(&self) -> Result<(), DebtError> {
        let err = |m: String| Err(DebtError::Levels(m));
        if self.version.trim().is_empty() {
            return err("须注明版本（version）".into());
        }
        let got: Vec<RiskLevel> = self.levels.iter().map(|b| b.level).collect();
        if got != RiskLevel::ALL {
            return err(
                "须依次定义绿色、黄色、橙色、红色四个等级（green、yellow、orange、red）".into(),
            );
        }
        let mut expect_from = 0u32;
        for (i, b) in self.levels.iter().enumerate() {
            if b.from_percent != expect_from {
                return err(format!(
                    "{}等级的下限 {}% 应为 {}%（等级之间不能有空档或重叠）",
                    b.level.label(),
                    b.from_percent,
                    expect_from
                ));
            }
            let last = i + 1 == self.levels.len();
            match (b.to_percent, last) {
                (Some(_), true) => {
                    return err(format!("最高等级（{}）不能设上限", b.level.label()))
                }
                (None, false) => return err(format!("{}等级须设上限", b.level.label())),
                (Some(to), false) if to <= b.from_percent => {
                    return err(format!(
                        "{}等级的上限 {}% 须大于下限 {}%",
                        b.level.label(),
                        to,
                        b.from_percent
                    ))
                }
                (Some(to), false) => expect_from = to,
                (None, true) => {}
            }
        }
        Ok(())
    }

    /// The shipped levels (checked once).
    pub fn shipped() -> Result<&'static RiskLevels, DebtError> {
        DEFAULT
            .get_or_init(|| RiskLevels::parse(SHIPPED))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The level of a ratio: the highest band whose lower bound the ratio reaches (exact).
    pub fn level_of(&self, ratio: &Ratio) -> RiskLevel {
        self.levels
            .iter()
            .rev()
            .find(|b| ratio.at_least_percent(b.from_percent))
            .map(|b| b.level)
            .unwrap_or(RiskLevel::Green)
    }

    /// `120%–200%`, `≥300%`: a band as shown in a legend.
    pub fn band_label(&self, level: RiskLevel) -> String {
        match self.levels.iter().find(|b| b.level == level) {
            Some(LevelBand {
                from_percent,
                to_percent: Some(to),
                ..
            }) => format!("{from_percent}%–{to}%"),
            Some(b) => format!("≥{}%", b.from_percent),
            None => String::new(),
        }
    }
}

/// A region's level moving from one year to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LevelChange {
    pub year: i32,
    pub from: RiskLevel,
    pub to: RiskLevel,
}

impl LevelChange {
    /// Whether the risk rose.
    pub fn worse(&self) -> bool {
        self.to > self.from
    }
}

/// The changes of level along a region's years (`(year, level)` in any order): one per pair
/// of consecutive recorded years whose levels differ. A gap in the years compares with the
/// last year recorded before it.
pub fn level_changes(years: &[(i32, RiskLevel)]) -> Vec<LevelChange> {
    let mut v = years.to_vec();
    v.sort_by_key(|(y, _)| *y);
    v.dedup_by_key(|(y, _)| *y);
    v.windows(2)
        .filter(|w| w[0].1 != w[1].1)
        .map(|w| LevelChange {
            year: w[1].0,
            from: w[0].1,
            to: w[1].1,
        })
        .collect()
}
