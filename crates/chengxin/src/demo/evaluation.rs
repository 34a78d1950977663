//! Demo evaluation (issue 20): the third-party satisfaction figures of `data/demo/
//! evaluation_third_party.csv` imported for last month, and the two months before last and last
//! computed from the demo city's own data (last month's run published), once (only while the
//! store has no evaluation run).

use anyhow::{anyhow, Context, Result};
use chengxin_domain::evaluation::{Period, PeriodKind};
use chengxin_store::{EvalImportRow, Store};
use chrono::NaiveDate;

const DATA: &str = include_str!("../../../../data/demo/evaluation_third_party.csv");

pub async fn seed(store: &dyn Store, today: NaiveDate) -> Result<usize> {
    if !store.eval_runs(None, 1).await?.is_empty() {
        return Ok(0);
    }
    let last = Period::containing(PeriodKind::Month, today).previous();
    let text = DATA.replace("{period}", &last.to_string());
    let table = chengxin_domain::regions::RegionTable::national();
    let rows = chengxin_app::evaluation::parse_figures(
        text.into_bytes(),
        "evaluation_third_party.csv",
        &|t| table.get(t).is_some(),
    )
    .map_err(|e| anyhow!("{e}"))?;
    let now = chengxin_store::clock::now();
    let rows: Vec<EvalImportRow> = rows
        .into_iter()
        .map(|r| EvalImportRow {
            id: uuid::Uuid::now_v7(),
            indicator: r.indicator,
            target: r.target,
            period: r.period,
            value: r.value,
            provider: r.provider,
            file_name: "evaluation_third_party.csv".into(),
            row_no: i32::try_from(r.row).unwrap_or(0),
            imported_by: "demo".into(),
            imported_at: now,
            version: 1,
        })
        .collect();
    store.put_eval_imports("demo", &rows).await?;
    let mut runs = 0;
    for p in [last.previous(), last] {
        let run = chengxin_app::evaluation::run_period(store, "demo", p, today, "演示数据".into())
            .await
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("计算 {p} 失败"))?;
        if p == last {
            store
                .publish_eval_run("demo", run.id, run.version, now)
                .await?;
        }
        runs += 1;
    }
    Ok(runs)
}
