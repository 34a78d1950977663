//! A subject's public commitments (信用承诺, 公开承诺) as rows of its credit report (issue 18:
//! "an enterprise's 信用承诺 shows in its archive and credit report"): the commitments published
//! on the portal (承诺公示) whose promisor is the subject, with their fulfilment as of the day.

use chengxin_store::{CommitmentFilter, Store};
use chrono::NaiveDate;

use super::kinds;
use super::view::state_of;
use crate::error::AppResult;

/// The most commitments a report lists (the report keeps fewer rows and says so).
const MAX: i64 = 500;

/// The report's header row.
pub const REPORT_HEADERS: [&str; 6] = [
    "承诺类别",
    "承诺事项",
    "承诺编号",
    "承诺日期",
    "相对方",
    "履行状态",
];

/// One row per public commitment of the promisor `uscc`, newest first.
pub async fn report_rows(
    store: &dyn Store,
    uscc: &str,
    today: NaiveDate,
) -> AppResult<Vec<Vec<String>>> {
    let rows = store
        .commitments(&CommitmentFilter {
            public_only: true,
            promisor_uscc: Some(uscc.trim().to_ascii_uppercase()),
            limit: MAX,
            ..Default::default()
        })
        .await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|c| c.id).collect();
    let milestones = store.milestones(&ids).await?;
    let kinds = kinds()?;
    let mut out = Vec::with_capacity(rows.len());
    for c in &rows {
        let ms: Vec<_> = milestones
            .iter()
            .filter(|m| m.commitment_id == c.id)
            .cloned()
            .collect();
        out.push(vec![
            kinds.name_of(&c.kind).to_string(),
            c.title.clone(),
            c.no.clone(),
            c.promised_on.format("%Y-%m-%d").to_string(),
            c.counterparty_name.clone(),
            state_of(&ms, today)?.label().to_string(),
        ]);
    }
    Ok(out)
}
