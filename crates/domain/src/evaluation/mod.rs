//! 政务诚信监测评价 (issue 20): the indicator system as data, its safe formula language, the
//! scoring methods, evaluation periods and the sources indicators draw on. Pure: the app
//! computes sources from the store and calls these rules; dates are parameters.

mod errors;
pub mod formula;
mod period;
mod scoring;
pub mod sources;
mod system;
#[cfg(test)]
mod tests;

pub use errors::EvalError;
pub use period::{Period, PeriodKind};
pub use scoring::{rank_shares, ranks, round2, z_score, Scoring};
pub use system::{Derived, Dimension, Grade, Indicator, IndicatorSystem, TargetKind, DEFAULT_TOML};
