//! Importing debt positions from a CSV/XLSX file (or the API's rows): every row checked
//! (`chengxin_domain::debt::columns`: region, year, amounts), the region within the importer's
//! jurisdiction, then the good rows written in one transaction with the level-change warnings
//! they raise; the bad rows listed by row with their codes. A file with no good row is refused
//! as a whole (`debt_rows_rejected`). The same file sent again writes nothing; a changed row is
//! a new version of its position.

use std::collections::{BTreeMap, HashMap, HashSet};

use chengxin_access::Permission;
use chengxin_domain::debt::{
    self, find_columns, level_changes, parse_row, LevelChange, Position, RiskLevel, RiskLevels,
};
use chengxin_domain::intake::RowIssue;
use chengxin_domain::regions::RegionTable;
use chengxin_store::{DebtPut, NotificationRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::{levels, region_name};
use crate::auth::Caller;
use crate::error::{AppError, AppResult, FieldProblem};
use crate::notify::{self, Notice, To};
use crate::staff::import::read_input;
use crate::staff::within_region;
use crate::App;

/// What is imported: a file as uploaded, or a table (the API's rows, by column title).
pub type DebtInput = crate::staff::StaffInput;

/// Most problems listed in one answer (the count says how many there were).
const MAX_PROBLEMS: usize = 1000;

/// A row that was not imported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowProblem {
    pub row: u64,
    /// The column's title, when the problem is one column's.
    pub column: Option<String>,
    pub code: String,
    /// Chinese message, naming the row.
    pub message: String,
}

/// A level change the import brought about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelChangeView {
    pub region: String,
    pub region_name: String,
    pub year: i32,
    pub from: String,
    pub to: String,
    /// `绿色 → 黄色`.
    pub text: String,
    /// Whether the risk rose.
    pub worse: bool,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DebtImportReport {
    /// Data rows read.
    pub rows: u64,
    pub created: u64,
    /// Rows whose figures changed (a new version each).
    pub updated: u64,
    pub unchanged: u64,
    /// Rows not imported (see `problems`).
    pub rejected: u64,
    pub problems: Vec<RowProblem>,
    /// Level changes this import brought about.
    pub level_changes: Vec<LevelChangeView>,
    /// Warnings stored in the credit offices' inboxes.
    pub notified: u64,
}

fn problem(row: u64, i: RowIssue) -> RowProblem {
    RowProblem {
        row,
        column: i.column,
        code: i.code.to_string(),
        message: format!("第 {row} 行：{}", i.message),
    }
}

fn row_issue(column: &str, code: &'static str, message: String) -> RowIssue {
    RowIssue {
        column: Some(column.into()),
        code,
        message,
    }
}

fn rejected(problems: Vec<RowProblem>) -> AppError {
    let first = problems
        .first()
        .map(|p| p.message.clone())
        .unwrap_or_default();
    AppError::InvalidFields {
        code: "debt_rows_rejected",
        message: format!(
            "{} 处错误，没有可导入的行（没有写入任何数据），请改正后重新提交。{first}",
            problems.len()
        ),
        problems: problems
            .into_iter()
            .take(MAX_PROBLEMS)
            .map(|p| FieldProblem {
                field: Some(format!("第{}行", p.row)),
                title: p.column,
                code: p.code,
                message: p.message,
            })
            .collect(),
    }
}

/// The levels by year of one region's positions.
fn levels_by_year(l: &RiskLevels, years: &BTreeMap<i32, Position>) -> Vec<(i32, RiskLevel)> {
    years
        .iter()
        .filter_map(|(y, p)| p.ratio(l.basis).ok().map(|r| (*y, l.level_of(&r))))
        .collect()
}

/// The credit offices told of a region's change: its own and its parent's.
fn offices(region: &str) -> Vec<To> {
    let mut to = vec![To::Office(region.to_string())];
    if let Some(parent) = RegionTable::national()
        .get(region)
        .and_then(|r| r.parent.clone())
    {
        to.push(To::Office(parent));
    }
    to
}

fn change_view(region: &str, c: &LevelChange) -> LevelChangeView {
    LevelChangeView {
        region: region.to_string(),
        region_name: region_name(region),
        year: c.year,
        from: c.from.as_str().into(),
        to: c.to.as_str().into(),
        text: format!("{} → {}", c.from.label(), c.to.label()),
        worse: c.worse(),
    }
}

fn notice(region: &str, c: &LevelChange, levels: &RiskLevels) -> Notice {
    let name = region_name(region);
    let verb = if c.worse() { "上升" } else { "下降" };
    Notice {
        to: offices(region),
        region: region.to_string(),
        topic: "debt_level_change",
        title: format!(
            "{name} {} 年度债务风险等级{verb}：{} → {}",
            c.year,
            c.from.label(),
            c.to.label()
        ),
        body: format!(
            "{name} {} 年度债务率所在风险等级由{}（{}）变为{}（{}），按{}口径计算（债务率 = 债务余额 / 综合财力 × 100%，等级标准版本 {}）。",
            c.year,
            c.from.label(),
            levels.band_label(c.from),
            c.to.label(),
            levels.band_label(c.to),
            levels.basis.label(),
            levels.version,
        ),
        link: Some(format!("/console/debt?region={region}")),
        once: Some(format!(
            "debt_level:{region}:{}:{}:{}",
            c.year,
            c.from.as_str(),
            c.to.as_str()
        )),
    }
}

/// Import debt positions. Needs `commitments_manage` (the credit office); every region must
/// lie within the caller's. `source` names the file (or `API`).
pub async fn import(
    app: &App,
    caller: &Caller,
    input: DebtInput,
    source: &str,
) -> AppResult<DebtImportReport> {
    caller.require(Permission::CommitmentsManage)?;
    let levels = levels()?;
    let mut issues: Vec<(u64, RowIssue)> = Vec::new();
    let (headers, rows) = read_input(input, &mut issues)?;
    let cols = find_columns(&headers).map_err(|e| AppError::invalid(e.code(), e.to_string()))?;
    let today = app.today();
    let regions = RegionTable::national();
    let mut seen: HashMap<(String, i32), u64> = HashMap::new();
    let mut good: Vec<debt::DebtRow> = Vec::new();
    for (n, cells) in &rows {
        let r = match parse_row(&cols, *n, cells, regions, today) {
            Ok(r) => r,
            Err(is) => {
                issues.extend(is.into_iter().map(|i| (*n, i)));
                continue;
            }
        };
        if !within_region(caller, &r.region) {
            issues.push((
                *n,
                row_issue(
                    "地区代码",
                    "debt_region_out_of_jurisdiction",
                    format!(
                        "{}（{}）不在本账号的管辖区域内，只能导入本地区及下辖地区的债务数据",
                        region_name(&r.region),
                        r.region
                    ),
                ),
            ));
            continue;
        }
        if let Some(first) = seen.get(&(r.region.clone(), r.year)) {
            issues.push((
                *n,
                row_issue(
                    "年度",
                    "debt_row_duplicate",
                    format!(
                        "{} {} 年度的数据与第 {first} 行重复，一个地区每年只能有一行",
                        region_name(&r.region),
                        r.year
                    ),
                ),
            ));
            continue;
        }
        seen.insert((r.region.clone(), r.year), *n);
        good.push(r);
    }
    let mut problems: Vec<RowProblem> = issues.into_iter().map(|(n, i)| problem(n, i)).collect();
    problems.sort_by_key(|p| p.row);
    let bad_rows = problems.iter().map(|p| p.row).collect::<HashSet<_>>().len() as u64;
    if good.is_empty() {
        if problems.is_empty() {
            return Err(AppError::invalid("debt_file_empty", "文件中没有数据行"));
        }
        return Err(rejected(problems));
    }
    // Level changes: the region's years as stored, then with the file's rows.
    let mut touched: Vec<String> = good.iter().map(|r| r.region.clone()).collect();
    touched.sort();
    touched.dedup();
    let stored = app.store.debt_positions_of(&touched).await?;
    let mut before: HashMap<String, BTreeMap<i32, Position>> = HashMap::new();
    for s in &stored {
        before.entry(s.region.clone()).or_default().insert(
            s.year,
            Position {
                general_fen: s.general_fen,
                special_fen: s.special_fen,
                hidden_fen: s.hidden_fen,
                capacity_fen: s.capacity_fen,
            },
        );
    }
    let mut after = before.clone();
    for r in &good {
        after
            .entry(r.region.clone())
            .or_default()
            .insert(r.year, r.position);
    }
    let mut changes = Vec::new();
    let mut notices = Vec::new();
    for region in &touched {
        let old: HashSet<LevelChange> = before
            .get(region)
            .map(|y| level_changes(&levels_by_year(levels, y)))
            .unwrap_or_default()
            .into_iter()
            .collect();
        let new = after
            .get(region)
            .map(|y| level_changes(&levels_by_year(levels, y)))
            .unwrap_or_default();
        for c in new.iter().filter(|c| !old.contains(c)) {
            changes.push(change_view(region, c));
            notices.push(notice(region, c, levels));
        }
    }
    let rows_out: Vec<NotificationRow> = notify::rows(&notices);
    let source = source.chars().take(200).collect::<String>();
    let puts: Vec<DebtPut> = good
        .iter()
        .map(|r| DebtPut {
            region: r.region.clone(),
            year: r.year,
            general_fen: r.position.general_fen,
            special_fen: r.position.special_fen,
            hidden_fen: r.position.hidden_fen,
            capacity_fen: r.position.capacity_fen,
            source: source.clone(),
        })
        .collect();
    let counts = app
        .store
        .put_debt_positions(&caller.actor, &puts, &rows_out)
        .await?;
    let report = DebtImportReport {
        rows: rows.len() as u64,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        rejected: bad_rows,
        problems: problems.into_iter().take(MAX_PROBLEMS).collect(),
        level_changes: changes,
        notified: counts.notified,
    };
    let mut e = caller.audit("data", "debt_import", "ok");
    e.detail = serde_json::json!({
        "rows": report.rows, "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged, "rejected": report.rejected, "notified": report.notified,
    });
    app.store.audit(&[e]).await?;
    Ok(report)
}
