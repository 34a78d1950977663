//! 地方政府债务 (issue 20): one debt position per region and year (amounts in 分; the files give
//! 万元), the current version and every version before it. An import writes a file's rows in
//! one transaction with the level-change notifications the use case built: a row equal to the
//! stored one writes nothing; a changed one is a new version. Every write is change-logged
//! (`debt_position`, `debt_position_version`) and covered by verify.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::NotificationRow;

/// One region-year's figures to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtPut {
    pub region: String,
    pub year: i32,
    pub general_fen: i64,
    pub special_fen: i64,
    pub hidden_fen: Option<i64>,
    pub capacity_fen: i64,
    /// Where the figures come from (the file's name, `API`, `演示数据`).
    pub source: String,
}

/// A stored position (its current version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtPositionRow {
    pub id: Uuid,
    pub region: String,
    pub year: i32,
    pub general_fen: i64,
    pub special_fen: i64,
    pub hidden_fen: Option<i64>,
    pub capacity_fen: i64,
    pub source: String,
    pub updated_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// One version of a position's figures (the current one included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtVersionRow {
    pub id: Uuid,
    pub position_id: Uuid,
    pub version: i64,
    pub general_fen: i64,
    pub special_fen: i64,
    pub hidden_fen: Option<i64>,
    pub capacity_fen: i64,
    pub source: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtPutCounts {
    pub created: u64,
    /// Rows whose figures changed: a new version each.
    pub updated: u64,
    pub unchanged: u64,
    /// Notifications stored (those already sent are skipped).
    pub notified: u64,
}

/// Which positions to list: within a region (code prefix), optionally one year, in
/// `(region, year)` order after the keyset cursor.
#[derive(Debug, Clone, Default)]
pub struct DebtFilter {
    pub region_prefix: Option<String>,
    pub year: Option<i32>,
    /// The last `(region, year)` of the previous page.
    pub after: Option<(String, i32)>,
    pub limit: i64,
}

/// Debt positions.
#[async_trait]
pub trait DebtStore: Send + Sync {
    /// Store a file's rows and the notifications they raise, in one transaction. At most one
    /// row per region and year (a repeat is refused with `Invalid`).
    async fn put_debt_positions(
        &self,
        actor: &str,
        rows: &[DebtPut],
        notifications: &[NotificationRow],
    ) -> Result<DebtPutCounts>;
    /// A page of positions (keyset: `(region, year)` ascending).
    async fn debt_positions(&self, f: &DebtFilter) -> Result<Vec<DebtPositionRow>>;
    /// Every position of these regions, by region and year.
    async fn debt_positions_of(&self, regions: &[String]) -> Result<Vec<DebtPositionRow>>;
    /// The versions of one region-year, oldest first.
    async fn debt_versions(&self, region: &str, year: i32) -> Result<Vec<DebtVersionRow>>;
}
