//! Reading debt positions within the caller's jurisdiction: a page of positions (keyset), one
//! region's history with its level changes, and the ratio and level per region for a year —
//! the evaluation engine's source ([`ratios`]).

use std::collections::BTreeMap;

use chengxin_access::Region;
use chengxin_domain::debt::{fen_to_wan, level_changes, percent_text, RiskLevel};
use chengxin_store::{DebtFilter, DebtPositionRow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{levels, rate, rate_with_hidden, region_name, require_reader};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::staff::within_region;
use crate::App;

/// A position as shown: amounts in 万元 (two decimals), the ratio and its level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DebtPositionView {
    pub region: String,
    pub region_name: String,
    pub year: i32,
    /// 一般债务余额 (万元).
    pub general_wan: String,
    /// 专项债务余额 (万元).
    pub special_wan: String,
    /// 隐性债务余额 (万元), where recorded.
    pub hidden_wan: Option<String>,
    /// 综合财力 (万元).
    pub capacity_wan: String,
    /// 债务率 in hundredths of a percent on the levels' basis (`12345` = 123.45%).
    pub ratio_bp: i64,
    /// `123.45%`.
    pub ratio: String,
    /// The ratio with hidden debt, where recorded.
    pub ratio_with_hidden: Option<String>,
    /// `green`, `yellow`, `orange`, `red`.
    pub level: String,
    /// 绿色 / 黄色 / 橙色 / 红色.
    pub level_label: String,
    pub version: i64,
    pub source: String,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn view(r: &DebtPositionRow) -> AppResult<DebtPositionView> {
    let l = levels()?;
    let Some((bp, level)) = rate(l, r) else {
        return Err(AppError::invalid(
            "debt_capacity_zero",
            format!(
                "{} {} 年度综合财力为零，无法计算债务率",
                region_name(&r.region),
                r.year
            ),
        ));
    };
    Ok(DebtPositionView {
        region: r.region.clone(),
        region_name: region_name(&r.region),
        year: r.year,
        general_wan: fen_to_wan(r.general_fen),
        special_wan: fen_to_wan(r.special_fen),
        hidden_wan: r.hidden_fen.map(fen_to_wan),
        capacity_wan: fen_to_wan(r.capacity_fen),
        ratio_bp: bp,
        ratio: percent_text(bp),
        ratio_with_hidden: rate_with_hidden(r).map(percent_text),
        level: level.as_str().into(),
        level_label: level.label().into(),
        version: r.version,
        source: r.source.clone(),
        updated_at: r.updated_at,
    })
}

/// Which positions to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct DebtListParams {
    /// One year only.
    pub year: Option<i32>,
    /// Within this region (GB/T 2260 code, itself within the caller's).
    pub region: Option<String>,
    /// The cursor of the next page (`next` of the previous answer).
    pub after: Option<String>,
    /// Rows per page (1–500, default 100).
    pub limit: Option<i64>,
}

/// A page of positions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DebtPage {
    pub items: Vec<DebtPositionView>,
    /// The cursor of the next page, if any.
    pub next: Option<String>,
}

/// The prefix of a region the caller reaches (the caller's own when none is asked); a region
/// outside it is "not found".
fn region_scope(caller: &Caller, region: Option<&str>) -> AppResult<String> {
    match region.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(caller.region_prefix()),
        Some(r) => {
            if Region::parse(r).is_err() || !within_region(caller, r) {
                return Err(AppError::NotFound);
            }
            Ok(crate::auth::region_prefix(r))
        }
    }
}

fn parse_cursor(s: &str) -> AppResult<(String, i32)> {
    let bad = || AppError::invalid("debt_cursor_invalid", "翻页参数 after 无效");
    let (r, y) = s.split_once(':').ok_or_else(bad)?;
    if r.is_empty() || !r.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    Ok((r.to_string(), y.parse().map_err(|_| bad())?))
}

/// A page of the positions within the caller's region, by region and year.
pub async fn list(app: &App, caller: &Caller, p: &DebtListParams) -> AppResult<DebtPage> {
    require_reader(caller)?;
    let prefix = region_scope(caller, p.region.as_deref())?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::invalid(
            "debt_limit_invalid",
            "每页行数 limit 应在 1 到 500 之间",
        ));
    }
    let after = p.after.as_deref().map(parse_cursor).transpose()?;
    let rows = app
        .store
        .debt_positions(&DebtFilter {
            region_prefix: Some(prefix),
            year: p.year,
            after,
            limit: limit + 1,
        })
        .await?;
    let more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next = if more {
        rows.last().map(|r| format!("{}:{}", r.region, r.year))
    } else {
        None
    };
    Ok(DebtPage {
        items: rows.iter().map(view).collect::<AppResult<_>>()?,
        next,
    })
}

/// One region's years, oldest first, with its level changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DebtHistory {
    pub region: String,
    pub region_name: String,
    pub years: Vec<DebtPositionView>,
    pub changes: Vec<super::LevelChangeView>,
}

/// A region's history. A region outside the caller's (a sibling county) is "not found".
pub async fn history(app: &App, caller: &Caller, region: &str) -> AppResult<DebtHistory> {
    require_reader(caller)?;
    let region = region.trim();
    if Region::parse(region).is_err() || !within_region(caller, region) {
        return Err(AppError::NotFound);
    }
    let rows = app.store.debt_positions_of(&[region.to_string()]).await?;
    let years: Vec<DebtPositionView> = rows.iter().map(view).collect::<AppResult<_>>()?;
    let levels_by_year: Vec<(i32, RiskLevel)> = years
        .iter()
        .filter_map(|v| RiskLevel::parse(&v.level).map(|l| (v.year, l)))
        .collect();
    let changes = level_changes(&levels_by_year)
        .iter()
        .map(|c| super::LevelChangeView {
            region: region.to_string(),
            region_name: region_name(region),
            year: c.year,
            from: c.from.as_str().into(),
            to: c.to.as_str().into(),
            text: format!("{} → {}", c.from.label(), c.to.label()),
            worse: c.worse(),
        })
        .collect();
    Ok(DebtHistory {
        region: region.to_string(),
        region_name: region_name(region),
        years,
        changes,
    })
}

/// The debt ratio and risk level of one region for one year: what the evaluation engine reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RegionDebtRatio {
    pub region: String,
    pub year: i32,
    /// 债务率 in hundredths of a percent on the levels' basis (`12345` = 123.45%).
    pub ratio_bp: i64,
    /// `green`, `yellow`, `orange`, `red`.
    pub level: String,
    /// The levels' version the level was decided with.
    pub levels_version: String,
    /// 债务余额 on the levels' basis and 综合财力, in 分.
    pub debt_fen: i64,
    pub capacity_fen: i64,
}

/// The evaluation engine's source: the ratio and level of every region with a position for
/// `year` within `region_prefix` (GB/T 2260 prefix, `""` for all), by region code. Internal:
/// no caller (the engine runs as the platform); regions whose capacity is not above zero are
/// left out (the store refuses them, so none are expected).
pub async fn ratios(app: &App, year: i32, region_prefix: &str) -> AppResult<Vec<RegionDebtRatio>> {
    let l = levels()?;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let rows = app
            .store
            .debt_positions(&DebtFilter {
                region_prefix: Some(region_prefix.to_string()),
                year: Some(year),
                after: after.clone(),
                limit: 1000,
            })
            .await?;
        for r in &rows {
            let p = super::position(r);
            let Ok(ratio) = p.ratio(l.basis) else {
                continue;
            };
            out.push(RegionDebtRatio {
                region: r.region.clone(),
                year: r.year,
                ratio_bp: ratio.basis_points(),
                level: l.level_of(&ratio).as_str().into(),
                levels_version: l.version.clone(),
                debt_fen: ratio.debt_fen,
                capacity_fen: ratio.capacity_fen,
            });
        }
        match rows.last() {
            Some(r) if rows.len() == 1000 => after = Some((r.region.clone(), r.year)),
            _ => break,
        }
    }
    Ok(out)
}

/// [`ratios`] within the caller's jurisdiction, keyed by region (for pages and the API).
pub async fn region_ratios(
    app: &App,
    caller: &Caller,
    year: i32,
) -> AppResult<BTreeMap<String, RegionDebtRatio>> {
    require_reader(caller)?;
    Ok(ratios(app, year, &caller.region_prefix())
        .await?
        .into_iter()
        .map(|r| (r.region.clone(), r))
        .collect())
}
