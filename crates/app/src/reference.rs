//! Reference data: the catalog loaded into this instance and the validation of codes.

use chengxin_domain::codes;
use chengxin_domain::regions::RegionTable;

use crate::error::{AppError, AppResult};
use crate::App;

/// Most codes validated in one call.
pub const MAX_CODES: usize = 1000;

/// The catalog types loaded into this instance, with their full definitions.
pub async fn catalog(app: &App) -> AppResult<Vec<serde_json::Value>> {
    let types = app.store.catalog_types().await?;
    Ok(types.into_iter().map(|t| t.definition).collect())
}

/// One catalog type's definition by code.
pub async fn catalog_type(app: &App, code: &str) -> AppResult<serde_json::Value> {
    let types = app.store.catalog_types().await?;
    types
        .into_iter()
        .find(|t| t.code == code)
        .map(|t| t.definition)
        .ok_or(AppError::NotFound)
}

/// Validate 1–[`MAX_CODES`] USCCs and ID numbers as of today; ID numbers come back masked.
pub fn validate_codes(list: &[String]) -> AppResult<Vec<codes::CodeReport>> {
    if list.is_empty() || list.len() > MAX_CODES {
        return Err(AppError::invalid(
            "invalid_code_count",
            "codes 须包含 1 至 1000 个代码",
        ));
    }
    let today = chengxin_store::clock::today_in_china();
    let regions = RegionTable::national();
    Ok(list
        .iter()
        .map(|c| codes::classify(c, regions, today))
        .collect())
}
