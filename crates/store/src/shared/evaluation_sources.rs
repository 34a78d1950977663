//! The named source queries of the evaluation: per item of a government body, for a period.
//! Each reads its concern's own table through an existing index (records by type and date,
//! milestones, arrears, list entries, work items, applications, court cases).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::Row;

use super::kernel::DbRow;
use super::{dec, Db, Inner, UuidCol, VISIBLE};
use crate::error::Result;
use chengxin_domain::records::Record;

use crate::{BodyListEntry, BodyTarget, EvaluationSourceStore, SourceItem};

fn item(r: &DbRow) -> Result<SourceItem> {
    Ok(SourceItem {
        body_uscc: r
            .try_get::<Option<String>, _>("body_uscc")?
            .unwrap_or_default(),
        body_name: r.try_get("body_name")?,
        region: r.try_get("region")?,
        item_id: dec(r.try_get::<UuidCol, _>("item_id")?),
        title: r.try_get("title")?,
        on: r.try_get("on_day")?,
        done_on: r.try_get("done_on")?,
        state: r.try_get::<Option<String>, _>("state")?.unwrap_or_default(),
    })
}

/// 政务失信 records of government bodies decided in `[$1, $2]` ($3: not tolerated).
const DISHONESTY: &str = "SELECT s.uscc AS body_uscc, s.name AS body_name, s.region AS region, \
     r.id AS item_id, r.doc_no AS title, r.decision_date AS on_day, \
     r.decision_date AS done_on, r.severity AS state \
     FROM records r JOIN subjects s ON s.id = r.subject_id \
     WHERE r.decision_date >= $1 AND r.decision_date <= $2 AND s.kind = 'gov_body' \
     AND r.severity IS NOT NULL AND r.tolerated = $3 AND r.status <> 'revoked' \
     AND s.uscc IS NOT NULL AND (r.batch_id IS NULL OR r.batch_id NOT IN \
     (SELECT id FROM batches WHERE state IN ('importing', 'failing')))";

/// China midnight of `day` as UTC (timestamps are compared in UTC).
fn china_start(day: NaiveDate) -> DateTime<Utc> {
    let t = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    t - chrono::Duration::hours(8)
}

#[async_trait]
impl EvaluationSourceStore for Inner {
    async fn eval_bodies(&self) -> Result<Vec<BodyTarget>> {
        let rows = sqlx::query(&format!(
            "SELECT id, uscc, name, region FROM subjects WHERE kind = 'gov_body' \
             AND uscc IS NOT NULL AND {VISIBLE} ORDER BY uscc"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BodyTarget {
                    subject_id: dec(r.try_get("id")?),
                    uscc: r.try_get("uscc")?,
                    name: r.try_get("name")?,
                    region: r.try_get("region")?,
                })
            })
            .collect()
    }

    async fn eval_dishonesty(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>> {
        let sql = format!("{DISHONESTY} ORDER BY r.decision_date, r.id");
        let rows = sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .bind(false)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item).collect()
    }

    async fn eval_commitments(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>> {
        let sql = "SELECT c.promisor_uscc AS body_uscc, c.promisor_name AS body_name, \
             c.region AS region, c.id AS item_id, c.title || '：' || m.title AS title, \
             m.due_date AS on_day, m.done_on AS done_on, m.state AS state \
             FROM commitment_milestones m JOIN commitments c ON c.id = m.commitment_id \
             WHERE m.due_date >= $1 AND m.due_date <= $2 ORDER BY m.due_date, m.id";
        let rows = sqlx::query(sql)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item).collect()
    }

    async fn eval_arrears(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>> {
        let sql = "SELECT debtor_uscc AS body_uscc, debtor_name AS body_name, region, \
             id AS item_id, no || ' ' || creditor_name AS title, due_date AS on_day, \
             cleared_on AS done_on, \
             CASE WHEN state = 'cleared' THEN 'cleared' ELSE 'owed' END AS state \
             FROM arrears WHERE (state IN ('confirmed', 'partly_paid') AND due_date <= $2) \
             OR (state = 'cleared' AND cleared_on >= $1 AND cleared_on <= $2) \
             ORDER BY due_date, id";
        let rows = sqlx::query(sql)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item).collect()
    }

    async fn eval_list_entries(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>> {
        let start = china_start(from);
        let end = china_start(to.succ_opt().unwrap_or(to));
        let sql = "SELECT s.uscc AS body_uscc, s.name AS body_name, s.region AS region, \
             e.id AS item_id, e.list_code AS title, $3 AS on_day, \
             CAST(NULL AS DATE) AS done_on, 'entered' AS state \
             FROM list_entries e JOIN subjects s ON s.id = e.subject_id \
             WHERE s.kind = 'gov_body' AND s.uscc IS NOT NULL AND e.created_at >= $1 \
             AND e.created_at < $2 ORDER BY e.created_at, e.id";
        let rows = sqlx::query(sql)
            .bind(start)
            .bind(end)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item).collect()
    }

    async fn eval_work_items(
        &self,
        kinds: &[&str],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SourceItem>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT owner_uscc AS body_uscc, owner_name AS body_name, region, id AS item_id, \
             no || ' ' || title AS title, deadline AS on_day, closed_on AS done_on, state \
             FROM work_items WHERE deadline >= ",
        );
        q.push_bind(from)
            .push(" AND deadline <= ")
            .push_bind(to)
            .push(" AND kind IN (");
        let mut sep = q.separated(", ");
        for k in kinds {
            sep.push_bind(k.to_string());
        }
        q.push(") ORDER BY deadline, id");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(item).collect()
    }

    async fn eval_objections(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceItem>> {
        let rows = sqlx::query(
            "SELECT department, id, tracking_no, due, state, updated_at FROM applications \
             WHERE kind = 'objection' AND due >= $1 AND due <= $2 ORDER BY due, id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                let updated: DateTime<Utc> = r.try_get("updated_at")?;
                let done = matches!(state.as_str(), "answered" | "refused")
                    .then(|| (updated + chrono::Duration::hours(8)).date_naive());
                let dept: String = r.try_get("department")?;
                Ok(SourceItem {
                    body_uscc: dept.clone(),
                    body_name: dept,
                    region: None,
                    item_id: dec(r.try_get("id")?),
                    title: r.try_get("tracking_no")?,
                    on: r.try_get::<Option<NaiveDate>, _>("due")?.unwrap_or(from),
                    done_on: done,
                    state,
                })
            })
            .collect()
    }

    async fn eval_debtor_cases(&self, to: NaiveDate) -> Result<Vec<SourceItem>> {
        let sql = "SELECT body_uscc, body_name, region, id AS item_id, \
             court || ' ' || case_no AS title, listed_on AS on_day, cleared_on AS done_on, \
             'open' AS state FROM debtor_cases \
             WHERE listed_on <= $1 AND (cleared_on IS NULL OR cleared_on > $1) \
             ORDER BY listed_on, id";
        let rows = sqlx::query(sql).bind(to).fetch_all(&self.pool).await?;
        rows.iter().map(item).collect()
    }

    async fn eval_debt_positions(&self, year: i32) -> Result<Vec<crate::DebtPositionRow>> {
        let rows = sqlx::query(
            "SELECT p.* FROM debt_positions p WHERE p.year = (SELECT MAX(q.year) \
             FROM debt_positions q WHERE q.region = p.region AND q.year <= $1) \
             ORDER BY p.region",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(super::debt::position_from_row).collect()
    }

    async fn eval_body_entries(&self, lists: &[String]) -> Result<Vec<BodyListEntry>> {
        if lists.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT e.*, s.uscc AS body_uscc, s.name AS body_name, s.region AS body_region \
             FROM list_entries e JOIN subjects s ON s.id = e.subject_id \
             WHERE s.kind = 'gov_body' AND s.uscc IS NOT NULL \
             AND e.status IN ('effective', 'removed') AND e.list_code IN (",
        );
        let mut sep = q.separated(", ");
        for l in lists {
            sep.push_bind(l.clone());
        }
        q.push(") ORDER BY s.uscc, e.id");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(BodyListEntry {
                    body_uscc: r.try_get("body_uscc")?,
                    body_name: r.try_get("body_name")?,
                    body_region: r.try_get("body_region")?,
                    entry: super::lists::entry_from_row(r)?,
                })
            })
            .collect()
    }

    async fn eval_body(&self, uscc: &str) -> Result<Option<BodyTarget>> {
        let row = sqlx::query(&format!(
            "SELECT id, uscc, name, region FROM subjects WHERE kind = 'gov_body' \
             AND uscc = $1 AND {VISIBLE} ORDER BY id LIMIT 1"
        ))
        .bind(uscc)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(BodyTarget {
                subject_id: dec(r.try_get("id")?),
                uscc: r.try_get("uscc")?,
                name: r.try_get("name")?,
                region: r.try_get("region")?,
            })
        })
        .transpose()
    }

    async fn eval_gongshi_scan(
        &self,
        type_codes: &[String],
        from: NaiveDate,
        to: NaiveDate,
        sink: &mut (dyn for<'x> FnMut(&'x str, NaiveDate, Option<DateTime<Utc>>) + Send),
    ) -> Result<()> {
        if type_codes.is_empty() {
            return Ok(());
        }
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT source_dept, decision_date, published_at FROM records \
             WHERE {VISIBLE} AND type_code IN ("
        ));
        let mut sep = q.separated(", ");
        for t in type_codes {
            sep.push_bind(t.as_str());
        }
        q.push(") AND decision_date >= ").push_bind(from);
        q.push(" AND decision_date <= ").push_bind(to);
        let mut rows = q.build().fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let dept: &str = r.try_get(0)?;
            sink(dept, r.try_get(1)?, r.try_get(2)?);
        }
        Ok(())
    }

    async fn eval_gongshi_of(
        &self,
        type_codes: &[String],
        from: NaiveDate,
        to: NaiveDate,
        dept: &str,
    ) -> Result<Vec<Record>> {
        if type_codes.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM records WHERE source_dept = ");
        q.push_bind(dept.to_string());
        q.push(format!(" AND {VISIBLE} AND type_code IN ("));
        let mut sep = q.separated(", ");
        for t in type_codes {
            sep.push_bind(t.as_str());
        }
        q.push(") AND decision_date >= ").push_bind(from);
        q.push(" AND decision_date <= ").push_bind(to);
        q.push(" ORDER BY source_dept, decision_date, doc_no");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(super::records::record_from_row).collect()
    }

    async fn eval_dishonesty_scan(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        sink: &mut (dyn for<'x> FnMut(&'x str, Option<&'x str>, NaiveDate, &'x str) + Send),
    ) -> Result<()> {
        let sql = "SELECT s.uscc, s.region, r.decision_date, r.severity \
             FROM records r JOIN subjects s ON s.id = r.subject_id \
             WHERE r.decision_date >= $1 AND r.decision_date <= $2 AND s.kind = 'gov_body' \
             AND r.severity IS NOT NULL AND r.tolerated = $3 AND r.status <> 'revoked' \
             AND s.uscc IS NOT NULL AND (r.batch_id IS NULL OR r.batch_id NOT IN \
             (SELECT id FROM batches WHERE state IN ('importing', 'failing')))";
        let mut rows = sqlx::query(sql)
            .bind(from)
            .bind(to)
            .bind(false)
            .fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let uscc: &str = r.try_get(0)?;
            let region: Option<&str> = r.try_get(1)?;
            let severity: &str = r.try_get(3)?;
            sink(uscc, region, r.try_get(2)?, severity);
        }
        Ok(())
    }

    async fn eval_dishonesty_of(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        uscc: &str,
    ) -> Result<Vec<SourceItem>> {
        let sql = format!(
            "{DISHONESTY} AND r.subject_id IN (SELECT id FROM subjects WHERE uscc = $4 \
             AND kind = 'gov_body') ORDER BY r.decision_date, r.id"
        );
        let rows = sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .bind(false)
            .bind(uscc)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item).collect()
    }
}
