//! A region's debt position for one year and its debt ratio.

use serde::{Deserialize, Serialize};

use super::levels::Basis;
use super::DebtError;

/// The figures of one region and year, in 分 (entered as 万元).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// 一般债务余额.
    pub general_fen: i64,
    /// 专项债务余额.
    pub special_fen: i64,
    /// 隐性债务余额, where recorded (`None`: not recorded, not zero).
    pub hidden_fen: Option<i64>,
    /// 综合财力.
    pub capacity_fen: i64,
}

impl Position {
    /// Checks the figures: none negative, capacity above zero.
    pub fn check(&self) -> Result<(), DebtError> {
        if self.general_fen < 0
            || self.special_fen < 0
            || self.hidden_fen.is_some_and(|h| h < 0)
            || self.capacity_fen < 0
        {
            return Err(DebtError::AmountNegative("（负数）".into()));
        }
        if self.capacity_fen == 0 {
            return Err(DebtError::CapacityZero);
        }
        Ok(())
    }

    /// 债务余额 on a basis, in 分.
    pub fn debt_fen(&self, basis: Basis) -> Result<i64, DebtError> {
        let statutory = self
            .general_fen
            .checked_add(self.special_fen)
            .ok_or(DebtError::Overflow)?;
        match basis {
            Basis::Statutory => Ok(statutory),
            Basis::WithHidden => statutory
                .checked_add(self.hidden_fen.unwrap_or(0))
                .ok_or(DebtError::Overflow),
        }
    }

    /// 债务率 = 债务余额 / 综合财力. Zero capacity is an error, never a silent zero.
    pub fn ratio(&self, basis: Basis) -> Result<Ratio, DebtError> {
        self.check()?;
        Ok(Ratio {
            debt_fen: self.debt_fen(basis)?,
            capacity_fen: self.capacity_fen,
        })
    }
}

/// An exact ratio: debt over capacity (capacity > 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub debt_fen: i64,
    pub capacity_fen: i64,
}

impl Ratio {
    /// Whether the ratio is at least `percent` % (exact: debt × 100 ≥ percent × capacity).
    pub fn at_least_percent(&self, percent: u32) -> bool {
        i128::from(self.debt_fen) * 100 >= i128::from(percent) * i128::from(self.capacity_fen)
    }

    /// The ratio in hundredths of a percent (basis points), rounded half up: `12345` = 123.45 %.
    pub fn basis_points(&self) -> i64 {
        let n = i128::from(self.debt_fen) * 10_000;
        let d = i128::from(self.capacity_fen.max(1));
        let v = (2 * n + d) / (2 * d);
        i64::try_from(v).unwrap_or(i64::MAX)
    }

    /// `123.45%`.
    pub fn percent_text(&self) -> String {
        percent_text(self.basis_points())
    }
}

/// Basis points as `123.45%`.
pub fn percent_text(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let a = bp.unsigned_abs();
    format!("{sign}{}.{:02}%", a / 100, a % 100)
}
