//! A queue as XLSX (up to 10,000 items, the filters of the page): every cell text,
//! formula-neutralised like every other export.

use uuid::Uuid;

use super::view::{filter_for, summary};
use super::{parties_of, QueueParams};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// Most items one export holds.
pub const MAX_EXPORT: i64 = 10_000;

const HEADERS: [&str; 15] = [
    "事项编号",
    "类型",
    "名称",
    "文号/建议号/提案号",
    "代表/委员",
    "主办/整改单位",
    "交办/督查单位",
    "协办单位",
    "状态",
    "交办日期",
    "期限",
    "当前步骤期限",
    "是否逾期",
    "重新办理次数",
    "办理结果",
];

/// The queue's items as an XLSX workbook, with its file name.
pub async fn export(app: &App, caller: &Caller, p: &QueueParams) -> AppResult<(String, Vec<u8>)> {
    let (queue, mut f) = filter_for(app, caller, p, 1_000)?;
    let today = app.today();
    let mut rows = Vec::new();
    let mut total: i64 = 0;
    loop {
        let page = app.store.work_items(&f).await?;
        let ids: Vec<Uuid> = page.iter().map(|r| r.id).collect();
        let parties = app.store.work_parties(&ids).await?;
        for r in &page {
            if parties_of(caller, r, &parties).is_empty() {
                continue;
            }
            let v = summary(r, &parties, today);
            let co: Vec<String> = v
                .parties
                .iter()
                .filter(|p| p.party == "co")
                .map(|p| p.name.clone())
                .collect();
            rows.push(vec![
                v.no,
                v.kind_name,
                v.title,
                v.ref_no.unwrap_or_default(),
                v.proposer.unwrap_or_default(),
                v.owner_name,
                v.issuer_name,
                co.join("、"),
                v.state_name,
                v.opened_on.to_string(),
                v.deadline.to_string(),
                v.due_on.map(|d| d.to_string()).unwrap_or_default(),
                if v.overdue { "逾期" } else { "" }.to_string(),
                v.reopens.to_string(),
                v.outcome_name.unwrap_or_default(),
            ]);
        }
        total += i64::try_from(page.len()).unwrap_or(0);
        match page.last() {
            Some(last)
                if i64::try_from(page.len()).unwrap_or(0) == f.limit && total < MAX_EXPORT =>
            {
                f.before = Some(last.id);
            }
            _ => break,
        }
    }
    let bytes = chengxin_ingest::report::write_table_xlsx("督办事项", &HEADERS, rows)
        .map_err(AppError::unavailable)?;
    Ok((
        format!("督办事项-{}-{}.xlsx", queue.label(), today.format("%Y%m%d")),
        bytes,
    ))
}
