//! Loaded years of the official calendar: one row per year, each write change-logged as
//! `calendar_year` with the digest of the row as stored.

use async_trait::async_trait;
use chengxin_domain::calendar::{CalendarError, CalendarYear};
use sqlx::types::Json;
use sqlx::Row;

use super::kernel::{append, begin_write, commit, DbRow};
use super::Inner;
use crate::changelog::{now, state_digest};
use crate::error::{Result, StoreError};
use crate::{CalendarPut, CalendarStore, CalendarYearRow};

pub(super) fn calendar_year_from_row(r: &DbRow) -> Result<CalendarYearRow> {
    Ok(CalendarYearRow {
        year: r.try_get("year")?,
        document: r.try_get::<Json<serde_json::Value>, _>("document")?.0,
        source: r.try_get("source")?,
        loaded_by: r.try_get("loaded_by")?,
        loaded_at: r.try_get("loaded_at")?,
    })
}

#[async_trait]
impl CalendarStore for Inner {
    async fn calendar_years(&self) -> Result<Vec<CalendarYearRow>> {
        let rows = sqlx::query("SELECT * FROM calendar_years ORDER BY year")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(calendar_year_from_row).collect()
    }

    async fn put_calendar_years(
        &self,
        actor: &str,
        source: &str,
        years: &[CalendarYear],
        replace: bool,
    ) -> Result<CalendarPut> {
        let source = source.trim();
        if source.is_empty() {
            return Err(StoreError::Invalid("日历数据的来源文件名不能为空".into()));
        }
        let mut years: Vec<&CalendarYear> = years.iter().collect();
        years.sort_by_key(|y| y.year);
        let mut put = CalendarPut::default();
        let (mut tx, mut head) = begin_write(self).await?;
        for y in years {
            let document = y.to_document();
            let old: Option<Json<serde_json::Value>> =
                sqlx::query_scalar("SELECT document FROM calendar_years WHERE year = $1")
                    .bind(y.year)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (sql, action) = match old {
                Some(Json(old)) if old == document => {
                    put.unchanged.push(y.year);
                    continue;
                }
                Some(_) if !replace => {
                    return Err(CalendarError::YearAlreadyCovered { year: y.year }.into());
                }
                Some(_) => {
                    put.replaced.push(y.year);
                    (
                        "UPDATE calendar_years SET document = $2, source = $3, loaded_by = $4, \
                         loaded_at = $5 WHERE year = $1",
                        "update",
                    )
                }
                None => {
                    put.created.push(y.year);
                    (
                        "INSERT INTO calendar_years (year, document, source, loaded_by, loaded_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                        "create",
                    )
                }
            };
            let row = CalendarYearRow {
                year: y.year,
                document,
                source: source.to_string(),
                loaded_by: actor.to_string(),
                loaded_at: now(),
            };
            sqlx::query(sql)
                .bind(row.year)
                .bind(Json(&row.document))
                .bind(&row.source)
                .bind(&row.loaded_by)
                .bind(row.loaded_at)
                .execute(&mut *tx)
                .await?;
            append(
                &mut tx,
                &mut head,
                actor,
                "calendar_year",
                &row.year.to_string(),
                action,
                Some(state_digest(&row)?),
            )
            .await?;
        }
        commit(tx, head).await?;
        Ok(put)
    }
}
