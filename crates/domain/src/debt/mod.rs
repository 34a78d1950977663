//! 地方政府债务 (issue 20): a region's debt position for a year — 一般债务余额, 专项债务余额,
//! 隐性债务余额 where recorded, 综合财力 — the debt ratio (债务率 = 债务余额 / 综合财力 × 100%),
//! the risk level it falls in (红橙黄绿, thresholds as data: `data/debt/risk_levels.toml`), and
//! the level changes between years.
//!
//! Units: the files give amounts in 万元 (up to six decimals, i.e. down to the 分); they are held
//! as integer 分 ([`amount`]), never floats. The ratio is compared with the thresholds exactly
//! (integer cross-multiplication) and shown in hundredths of a percent.

pub mod amount;
pub mod columns;
pub mod errors;
pub mod levels;
pub mod position;

#[cfg(test)]
mod tests;

pub use amount::{fen_to_wan, fen_to_wan_exact, parse_wan};
pub use columns::{find_columns, parse_row, template_headers, DebtColumnsError, DebtRow, COLUMNS};
pub use errors::DebtError;
pub use levels::{level_changes, Basis, LevelBand, LevelChange, RiskLevel, RiskLevels};
pub use position::{percent_text, Position, Ratio};

/// Most rows in one import file.
pub const MAX_IMPORT_ROWS: usize = 50_000;
