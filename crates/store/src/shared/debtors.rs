//! 失信被执行人 cases of government bodies: the case with its first note, progress notes with
//! the state they leave, and the register's counts per region — each write with its change-log
//! entries and notifications in the same transaction.

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{begin_write, commit, entry, DbRow, PendingLog, Tx};
use super::notifications::insert_notifications_tx;
use super::{dec, enc, escape_like, Db, Inner};
use crate::changelog::{micros, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    DebtorCaseRow, DebtorCount, DebtorFilter, DebtorNoteRow, DebtorStore, NotificationRow,
};

/// States in which a case is cleared (清零).
const CLEARED: &str = "('performed', 'revoked')";

pub(super) fn case_from_row(r: &DbRow) -> Result<DebtorCaseRow> {
    Ok(DebtorCaseRow {
        id: dec(r.try_get("id")?),
        case_no: r.try_get("case_no")?,
        court: r.try_get("court")?,
        body_uscc: r.try_get("body_uscc")?,
        body_name: r.try_get("body_name")?,
        body_subject_id: dec(r.try_get("body_subject_id")?),
        region: r.try_get("region")?,
        amount_fen: r.try_get("amount_fen")?,
        listed_on: r.try_get("listed_on")?,
        state: r.try_get("state")?,
        cleared_on: r.try_get("cleared_on")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn note_from_row(r: &DbRow) -> Result<DebtorNoteRow> {
    Ok(DebtorNoteRow {
        id: dec(r.try_get("id")?),
        case_id: dec(r.try_get("case_id")?),
        state: r.try_get("state")?,
        on_date: r.try_get("on_date")?,
        note: r.try_get("note")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
    })
}

async fn insert_note(tx: &mut Tx<'_>, log: &mut PendingLog, n: &DebtorNoteRow) -> Result<()> {
    let n = DebtorNoteRow {
        at: micros(n.at),
        ..n.clone()
    };
    sqlx::query(
        "INSERT INTO debtor_case_notes (id, case_id, state, on_date, note, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(enc(n.id))
    .bind(enc(n.case_id))
    .bind(&n.state)
    .bind(n.on_date)
    .bind(&n.note)
    .bind(&n.actor)
    .bind(n.at)
    .execute(&mut **tx)
    .await?;
    log.push(entry(
        "debtor_case_note",
        n.id.to_string(),
        "create",
        state_digest(&n)?,
    ));
    Ok(())
}

#[async_trait]
impl DebtorStore for Inner {
    async fn create_debtor_case(
        &self,
        actor: &str,
        c: &DebtorCaseRow,
        note: &DebtorNoteRow,
        notifications: &[NotificationRow],
    ) -> Result<()> {
        self.create_debtor_cases(actor, &[(c.clone(), note.clone())], notifications)
            .await
    }

    async fn create_debtor_cases(
        &self,
        actor: &str,
        cases: &[(DebtorCaseRow, DebtorNoteRow)],
        notifications: &[NotificationRow],
    ) -> Result<()> {
        for (c, note) in cases {
            if c.amount_fen < 0 {
                return Err(StoreError::Invalid("金额不能为负数".into()));
            }
            if c.case_no.trim().is_empty() || c.court.trim().is_empty() || note.case_id != c.id {
                return Err(StoreError::Invalid("案号和执行法院不能为空".into()));
            }
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        for (c, note) in cases {
            let c = DebtorCaseRow {
                created_at: micros(c.created_at),
                updated_at: micros(c.updated_at),
                ..c.clone()
            };
            let known: Option<String> =
                sqlx::query_scalar("SELECT case_no FROM debtor_cases WHERE case_no = $1")
                    .bind(&c.case_no)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_some() {
                return Err(StoreError::Duplicate(format!("案号 {} 已登记", c.case_no)));
            }
            sqlx::query(
                "INSERT INTO debtor_cases (id, case_no, court, body_uscc, body_name, \
                 body_subject_id, region, amount_fen, listed_on, state, cleared_on, created_by, \
                 created_at, updated_at, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(enc(c.id))
            .bind(&c.case_no)
            .bind(&c.court)
            .bind(&c.body_uscc)
            .bind(&c.body_name)
            .bind(enc(c.body_subject_id))
            .bind(&c.region)
            .bind(c.amount_fen)
            .bind(c.listed_on)
            .bind(&c.state)
            .bind(c.cleared_on)
            .bind(&c.created_by)
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind(c.version)
            .execute(&mut *tx)
            .await?;
            log.push(entry(
                "debtor_case",
                c.id.to_string(),
                "create",
                state_digest(&c)?,
            ));
            insert_note(&mut tx, &mut log, note).await?;
        }
        insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await
    }

    async fn debtor_case(&self, id: Uuid) -> Result<Option<DebtorCaseRow>> {
        sqlx::query("SELECT * FROM debtor_cases WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(case_from_row)
            .transpose()
    }

    async fn debtor_cases(&self, f: &DebtorFilter) -> Result<Vec<DebtorCaseRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM debtor_cases WHERE 1 = 1");
        if let Some(p) = f.region_prefix.as_deref().filter(|p| !p.is_empty()) {
            q.push(" AND region LIKE ")
                .push_bind(format!("{}%", escape_like(p)))
                .push(" ESCAPE '\\'");
        }
        if let Some(b) = &f.body {
            q.push(" AND body_uscc = ").push_bind(b.clone());
        }
        if f.open_only {
            q.push(format!(" AND state NOT IN {CLEARED}"));
        }
        let limit = if f.limit <= 0 { 100 } else { f.limit.min(1000) };
        q.push(" ORDER BY listed_on DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(f.offset.max(0));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(case_from_row).collect()
    }

    async fn change_debtor_case(
        &self,
        actor: &str,
        c: &DebtorCaseRow,
        expected_version: i64,
        note: &DebtorNoteRow,
        notifications: &[NotificationRow],
    ) -> Result<()> {
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        let done = sqlx::query(
            "UPDATE debtor_cases SET state = $1, cleared_on = $2, updated_at = $3, version = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(&c.state)
        .bind(c.cleared_on)
        .bind(micros(c.updated_at))
        .bind(expected_version + 1)
        .bind(enc(c.id))
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: -1,
            });
        }
        let row = sqlx::query("SELECT * FROM debtor_cases WHERE id = $1")
            .bind(enc(c.id))
            .fetch_one(&mut *tx)
            .await?;
        let stored = case_from_row(&row)?;
        log.push(entry(
            "debtor_case",
            stored.id.to_string(),
            "update",
            state_digest(&stored)?,
        ));
        insert_note(&mut tx, &mut log, note).await?;
        insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await
    }

    async fn debtor_notes(&self, case_id: Uuid) -> Result<Vec<DebtorNoteRow>> {
        let rows =
            sqlx::query("SELECT * FROM debtor_case_notes WHERE case_id = $1 ORDER BY at, id")
                .bind(enc(case_id))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(note_from_row).collect()
    }

    async fn debtor_counts(&self, region_prefix: &str) -> Result<Vec<DebtorCount>> {
        let sql = format!(
            "SELECT region, \
             CAST(SUM(CASE WHEN state NOT IN {CLEARED} THEN 1 ELSE 0 END) AS BIGINT) AS open_count, \
             CAST(SUM(CASE WHEN state IN {CLEARED} THEN 1 ELSE 0 END) AS BIGINT) AS cleared_count, \
             CAST(SUM(CASE WHEN state NOT IN {CLEARED} THEN amount_fen ELSE 0 END) AS BIGINT) \
             AS open_amount \
             FROM debtor_cases WHERE region LIKE $1 ESCAPE '\\' GROUP BY region ORDER BY region"
        );
        let rows = sqlx::query(&sql)
            .bind(format!("{}%", escape_like(region_prefix)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| -> Result<DebtorCount> {
                Ok(DebtorCount {
                    region: r.try_get("region")?,
                    open: r.try_get::<Option<i64>, _>("open_count")?.unwrap_or(0),
                    cleared: r.try_get::<Option<i64>, _>("cleared_count")?.unwrap_or(0),
                    open_amount_fen: r.try_get::<Option<i64>, _>("open_amount")?.unwrap_or(0),
                })
            })
            .collect()
    }
}
