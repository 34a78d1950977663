//! Demo local government debt for 常州 (`data/demo/debt.toml`, fictional figures): the city and
//! its six districts over the last five years, imported through the same use case as the
//! console (so the level change of 武进区 warns the offices), as the city's credit office, once
//! (only while the store has no debt position at all).

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use chengxin_access::jurisdiction::{Region, Scope};
use chengxin_access::Role;
use chengxin_app::auth::{Caller, Via};
use chengxin_app::debt::DebtInput;
use chengxin_domain::subjects::IdHasher;
use chengxin_store::{DebtFilter, Store};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

const DATA: &str = include_str!("../../../../data/demo/debt.toml");

#[derive(Deserialize)]
struct File {
    regions: Vec<DemoRegion>,
}

#[derive(Deserialize)]
struct DemoRegion {
    code: String,
    general: Vec<i64>,
    special: Vec<i64>,
    #[serde(default)]
    hidden: Option<Vec<i64>>,
    capacity: Vec<i64>,
}

/// The demo file as a table (the template's titles), years counted back from `today`'s.
pub fn table(today: NaiveDate) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let data: File = toml::from_str(DATA).context("演示债务数据无法解读")?;
    let headers = chengxin_domain::debt::template_headers()
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for r in &data.regions {
        let n = r.capacity.len();
        if r.general.len() != n
            || r.special.len() != n
            || r.hidden.as_ref().is_some_and(|h| h.len() != n)
        {
            return Err(anyhow!("演示债务数据中 {} 的年度数不一致", r.code));
        }
        for i in 0..n {
            let year = today.year() - (n - i) as i32;
            rows.push(vec![
                r.code.clone(),
                String::new(),
                year.to_string(),
                r.general[i].to_string(),
                r.special[i].to_string(),
                r.hidden
                    .as_ref()
                    .map(|h| h[i].to_string())
                    .unwrap_or_default(),
                r.capacity[i].to_string(),
            ]);
        }
    }
    Ok((headers, rows))
}

/// Import the demo positions; returns how many rows were stored.
pub async fn seed(store: Arc<dyn Store>, hasher: IdHasher, today: NaiveDate) -> Result<u64> {
    let existing = store
        .debt_positions(&DebtFilter {
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(0);
    }
    let (headers, rows) = table(today)?;
    let mut app = chengxin_app::App::new(
        store.clone(),
        hasher,
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    );
    app.today = Some(today);
    let region = Region::parse("320400").map_err(|e| anyhow!("{e}"))?;
    let office = Caller {
        actor: "demo".into(),
        via: Via::Anonymous,
        roles: vec![Role::CreditOffice],
        scope: Scope { region, body: None },
        body: None,
        token_permissions: None,
        ip: None,
        must_change_password: false,
    };
    let report = chengxin_app::debt::import(
        &app,
        &office,
        DebtInput::Table { headers, rows },
        "演示数据",
    )
    .await
    .map_err(|e| anyhow!("演示债务数据导入失败：{e}"))?;
    if report.rejected > 0 {
        return Err(anyhow!(
            "演示债务数据有 {} 行未导入：{:?}",
            report.rejected,
            report.problems.first().map(|p| p.message.clone())
        ));
    }
    Ok(report.created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chengxin_domain::catalog::Catalog;
    use chengxin_store::LogSigner;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    #[test]
    fn five_years_of_seven_regions() {
        let (headers, rows) = table(today()).unwrap();
        assert_eq!(headers.len(), 7);
        assert_eq!(rows.len(), 35);
        assert!(rows
            .iter()
            .all(|r| (2021..=2025).contains(&r[2].parse::<i32>().unwrap())));
    }

    #[tokio::test]
    async fn seeds_once_with_one_level_change() {
        let dir =
            std::env::temp_dir().join(format!("chengxin-debt-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("demo.db").display());
        let store = chengxin_store::open(&url).await.unwrap();
        store
            .migrate(
                Catalog::default_checked().unwrap(),
                &LogSigner::generate(),
                "test",
            )
            .await
            .unwrap();
        let hasher = IdHasher::new([9; 32]);
        assert_eq!(
            seed(store.clone(), hasher.clone(), today()).await.unwrap(),
            35
        );
        assert_eq!(seed(store.clone(), hasher, today()).await.unwrap(), 0);
        let inbox = store
            .inbox(&[("office".to_string(), "320412".to_string())], false, 10)
            .await
            .unwrap();
        assert_eq!(inbox.len(), 1, "{inbox:?}");
        assert!(
            inbox[0].title.contains("2025 年度债务风险等级上升"),
            "{}",
            inbox[0].title
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
