//! 地方政府债务 (issue 20): importing debt positions per region and year (CSV/XLSX with Chinese
//! titles, amounts in 万元; [`import`]), the debt ratio and risk level of each, warnings to the
//! credit offices when a region's level changes between years (through [`crate::notify`]), the
//! positions and a region's history within the caller's jurisdiction ([`view`]), and the
//! function the evaluation engine calls ([`ratios`]: debt ratio and level per region for a
//! year).
//!
//! Who: the credit office (`commitments_manage`) imports for regions within its own; it, the
//! supervisor and the evaluators (`reports_read`, `evaluations_run`) read within theirs. A
//! region outside the caller's is "not found" (concealment), never "forbidden".

pub mod import;
pub mod view;

pub use import::{import, DebtImportReport, DebtInput, LevelChangeView, RowProblem};
pub use view::{
    history, list, ratios, region_ratios, DebtHistory, DebtListParams, DebtPage, DebtPositionView,
    RegionDebtRatio,
};

use chengxin_access::Permission;
use chengxin_domain::debt::{Basis, Position, RiskLevel, RiskLevels};
use chengxin_domain::regions::RegionTable;
use chengxin_store::DebtPositionRow;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// Who reads debt positions.
pub const READERS: &[Permission] = &[
    Permission::CommitmentsManage,
    Permission::ReportsRead,
    Permission::EvaluationsRun,
];

/// The risk levels in force (the shipped data, checked).
pub fn levels() -> AppResult<&'static RiskLevels> {
    RiskLevels::shipped().map_err(AppError::unavailable)
}

fn position(r: &DebtPositionRow) -> Position {
    Position {
        general_fen: r.general_fen,
        special_fen: r.special_fen,
        hidden_fen: r.hidden_fen,
        capacity_fen: r.capacity_fen,
    }
}

/// The ratio (basis points) and level of a stored position on the levels' basis; `None` for a
/// position whose capacity is not above zero (the store refuses those; never a silent zero).
pub(crate) fn rate(levels: &RiskLevels, r: &DebtPositionRow) -> Option<(i64, RiskLevel)> {
    let ratio = position(r).ratio(levels.basis).ok()?;
    Some((ratio.basis_points(), levels.level_of(&ratio)))
}

pub(crate) fn rate_with_hidden(r: &DebtPositionRow) -> Option<i64> {
    r.hidden_fen?;
    position(r)
        .ratio(Basis::WithHidden)
        .ok()
        .map(|x| x.basis_points())
}

/// A region's name as shown: `常州市武进区` (the full name below the province), else the code.
pub fn region_name(code: &str) -> String {
    let t = RegionTable::national();
    match t.chain(code).as_slice() {
        [] => code.to_string(),
        [one] => one.name.clone(),
        chain => chain[1..]
            .iter()
            .filter(|r| !r.is_summary())
            .map(|r| r.name.as_str())
            .collect(),
    }
}

/// Whether the caller reads debt data at all.
pub(crate) fn require_reader(caller: &Caller) -> AppResult<()> {
    caller.require_any(READERS)
}
