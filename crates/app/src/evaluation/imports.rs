//! Imported figures (a department's own figures, third-party evaluations — 第三方评价, Jiangsu
//! §四(三)) from CSV or XLSX: columns 指标代码, 评价对象代码 (a region code or a body's USCC),
//! 期间, 数值, and optionally 提供单位. Every row is checked — an unknown indicator, target or
//! period, a value that is not a number, wrong columns — and a file with any bad row is refused
//! as a whole, each problem with its row; nothing is written then.

use std::collections::HashSet;

use chengxin_access::Permission;
use chengxin_domain::evaluation::Period;
use chengxin_ingest::read::{open_bytes, ReadOptions};
use chengxin_ingest::ReadIssue;
use chengxin_store::EvalImportRow;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// The columns of an import file (the first four required).
pub const COLUMNS: [&str; 5] = ["指标代码", "评价对象代码", "期间", "数值", "提供单位"];

/// One parsed row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureRow {
    pub row: u64,
    pub indicator: String,
    pub target: String,
    pub period: String,
    pub value: f64,
    pub provider: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub written: usize,
    pub file_name: String,
}

/// Parse and check a file: `known_target` says whether a target code exists. Errors name
/// their rows.
pub fn parse_figures(
    bytes: Vec<u8>,
    file_name: &str,
    known_target: &dyn Fn(&str) -> bool,
) -> AppResult<Vec<FigureRow>> {
    let system = super::system()?;
    let table = open_bytes(bytes, Some(file_name), &ReadOptions::default())
        .map_err(|e| AppError::invalid(e.code, e.message))?;
    let col = |name: &str| table.headers.iter().position(|h| h.trim() == name);
    let missing: Vec<&str> = COLUMNS[..4]
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "import_columns_invalid",
            format!(
                "文件缺少列：{}（应有列：{}；实际为：{}）",
                missing.join("、"),
                COLUMNS.join("、"),
                table.headers.join("、")
            ),
        ));
    }
    let (ci, ct, cp, cv) = (
        col(COLUMNS[0]).unwrap_or(0),
        col(COLUMNS[1]).unwrap_or(0),
        col(COLUMNS[2]).unwrap_or(0),
        col(COLUMNS[3]).unwrap_or(0),
    );
    let cprov = col(COLUMNS[4]);
    let mut rows = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for r in table {
        let r = match r {
            Ok(r) => r,
            Err(ReadIssue::Row(e)) => {
                problems.push(format!("第 {} 行：{}", e.row, e.message));
                continue;
            }
            Err(ReadIssue::Fatal(e)) => return Err(AppError::invalid(e.code, e.message)),
        };
        let cell = |i: usize| {
            r.cells
                .get(i)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let (ind, target, period, value) = (cell(ci), cell(ct), cell(cp), cell(cv));
        if ind.is_empty() && target.is_empty() && period.is_empty() && value.is_empty() {
            continue;
        }
        let at = format!("第 {} 行", r.row);
        let Some(indicator) = system.indicator(&ind) else {
            problems.push(format!("{at}：未知的指标代码“{ind}”"));
            continue;
        };
        if !system.values_used(indicator).contains("imported") {
            problems.push(format!(
                "{at}：指标“{ind} {}”的数据来自平台数据，不接受导入",
                indicator.name
            ));
            continue;
        }
        let p: Period = match period.parse() {
            Ok(p) => p,
            Err(e) => {
                problems.push(format!("{at}：{e}"));
                continue;
            }
        };
        if !indicator.periods.contains(&p.kind()) {
            problems.push(format!("{at}：指标“{ind}”不按{}评价", p.kind().label()));
            continue;
        }
        if !known_target(&target) {
            problems.push(format!(
                "{at}：评价对象“{target}”不存在：应为行政区划代码或已登记的政府部门统一社会信用代码"
            ));
            continue;
        }
        let v: f64 = match value.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                problems.push(format!("{at}：数值“{value}”不是有效的数字"));
                continue;
            }
        };
        if !seen.insert((ind.clone(), target.clone(), p.to_string())) {
            problems.push(format!("{at}：与前面的行重复（同一指标、对象和期间）"));
            continue;
        }
        rows.push(FigureRow {
            row: r.row,
            indicator: ind,
            target,
            period: p.to_string(),
            value: v,
            provider: cprov.map(cell).unwrap_or_default(),
        });
    }
    if !problems.is_empty() {
        let shown: Vec<String> = problems.iter().take(20).cloned().collect();
        let more = if problems.len() > 20 {
            format!("（另有 {} 处问题）", problems.len() - 20)
        } else {
            String::new()
        };
        return Err(AppError::invalid(
            "import_rows_invalid",
            format!(
                "文件有 {} 处问题，未导入：{}{more}",
                problems.len(),
                shown.join("；")
            ),
        ));
    }
    if rows.is_empty() {
        return Err(AppError::invalid("import_empty", "文件没有数据行"));
    }
    Ok(rows)
}

/// Import a file of figures (all rows or none).
pub async fn import_figures(
    app: &App,
    caller: &Caller,
    bytes: Vec<u8>,
    file_name: &str,
) -> AppResult<ImportOutcome> {
    caller.require(Permission::EvaluationsRun)?;
    let bodies: HashSet<String> = super::compute::bodies(app.store.as_ref())
        .await?
        .into_iter()
        .map(|(u, _, _)| u)
        .collect();
    let table = chengxin_domain::regions::RegionTable::national();
    let known = |t: &str| bodies.contains(t) || table.get(t).is_some();
    let rows = parse_figures(bytes, file_name, &known)?;
    // Only targets within the caller's reach.
    for r in &rows {
        let region = if r.target.bytes().all(|b| b.is_ascii_digit()) {
            r.target.clone()
        } else {
            crate::auth::uscc_region(&r.target)
        };
        if !caller.reaches(Permission::EvaluationsRun, &region) {
            return Err(AppError::invalid(
                "import_target_out_of_reach",
                format!("第 {} 行：评价对象“{}”不在本级管辖范围内", r.row, r.target),
            ));
        }
    }
    let now = chengxin_store::clock::now();
    let store_rows: Vec<EvalImportRow> = rows
        .iter()
        .map(|r| EvalImportRow {
            id: Uuid::now_v7(),
            indicator: r.indicator.clone(),
            target: r.target.clone(),
            period: r.period.clone(),
            value: r.value,
            provider: r.provider.clone(),
            file_name: file_name.chars().take(200).collect(),
            row_no: i32::try_from(r.row).unwrap_or(i32::MAX),
            imported_by: caller.actor.clone(),
            imported_at: now,
            version: 1,
        })
        .collect();
    let written = app
        .store
        .put_eval_imports(&caller.actor, &store_rows)
        .await?;
    Ok(ImportOutcome {
        written,
        file_name: file_name.to_string(),
    })
}
