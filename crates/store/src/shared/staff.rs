//! 任职与诚信档案 (issue 18): a personnel file's periods or training records in one
//! transaction, and the indexed read of 责任回溯.

use std::collections::HashMap;

use async_trait::async_trait;
use chengxin_domain::staff::employment::Period;
use chengxin_domain::subjects::{Employment, Subject, SubjectKind};
use chrono::NaiveDate;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{begin_write, commit, entry, DbRow, Head, PendingLog, Tx};
use super::subjects::{employment_from_row, identity_digest, subject_from_row, write_subject};
use super::{dec, enc, Inner};
use crate::changelog::{now, state_digest};
use crate::error::{Result, StoreError};
use crate::{EmploymentPut, PersonPut, StaffImportCounts, StaffStore, TrainingPut, TrainingRow};

pub(super) fn training_from_row(row: &DbRow) -> Result<TrainingRow> {
    Ok(TrainingRow {
        id: dec(row.try_get("id")?),
        person_id: dec(row.try_get("person_id")?),
        course: row.try_get("course")?,
        held_on: row.try_get("held_on")?,
        hours_tenths: row.try_get("hours_tenths")?,
        organiser_id: dec(row.try_get("organiser_id")?),
        created_at: row.try_get("created_at")?,
    })
}

/// The persons of one file, found or created once each.
#[derive(Default)]
pub(super) struct Persons {
    by_hash: HashMap<String, Uuid>,
    pub(super) created: u64,
}

impl Persons {
    pub(super) async fn resolve(
        &mut self,
        tx: &mut Tx<'_>,
        log: &mut PendingLog,
        p: &PersonPut,
    ) -> Result<Uuid> {
        if let Some(id) = self.by_hash.get(&p.id_hash) {
            return Ok(*id);
        }
        let row = sqlx::query("SELECT * FROM subjects WHERE id_hash = $1")
            .bind(&p.id_hash)
            .fetch_optional(&mut **tx)
            .await?;
        let id = match row {
            Some(r) => {
                let s = subject_from_row(&r)?;
                if !s.kind.is_person() {
                    return Err(StoreError::Invalid("该身份证号对应的主体不是自然人".into()));
                }
                s.id
            }
            None => {
                let t = now();
                let s = Subject {
                    id: Uuid::now_v7(),
                    kind: SubjectKind::CivilServant,
                    name: p.name.trim().to_string(),
                    uscc: None,
                    id_hash: Some(p.id_hash.clone()),
                    id_masked: Some(p.id_masked.clone()),
                    region: p.region.clone(),
                    parent_id: None,
                    former_names: vec![],
                    created_at: t,
                    updated_at: t,
                    version: 1,
                };
                write_subject(tx, &s, true).await?;
                super::search::insert(tx, &[super::search::Indexed::of(&s)]).await?;
                log.push(entry(
                    "subject",
                    s.id.to_string(),
                    "create",
                    state_digest(&s)?,
                ));
                self.created += 1;
                s.id
            }
        };
        let sealed: Option<String> =
            sqlx::query_scalar("SELECT sealed FROM subject_identities WHERE subject_id = $1")
                .bind(enc(id))
                .fetch_optional(&mut **tx)
                .await?;
        if sealed.is_none() {
            sqlx::query("INSERT INTO subject_identities (subject_id, sealed) VALUES ($1, $2)")
                .bind(enc(id))
                .bind(&p.sealed)
                .execute(&mut **tx)
                .await?;
            log.push(entry(
                "subject_identity",
                id.to_string(),
                "set",
                identity_digest(&p.sealed)?,
            ));
        }
        self.by_hash.insert(p.id_hash.clone(), id);
        Ok(id)
    }
}

fn period_of(e: &Employment) -> Period {
    Period {
        person: e.person_id.to_string(),
        body: e.body_id.to_string(),
        post: e.post.clone(),
        principal: e.principal,
        start: e.start_date,
        end: e.end_date,
    }
}

async fn finish(mut tx: Tx<'_>, mut head: Head, mut log: PendingLog, actor: &str) -> Result<()> {
    log.flush(&mut tx, &mut head, actor).await?;
    commit(tx, head).await
}

#[async_trait]
impl StaffStore for Inner {
    async fn put_employments(
        &self,
        actor: &str,
        rows: &[EmploymentPut],
    ) -> Result<StaffImportCounts> {
        let mut counts = StaffImportCounts::default();
        let (mut tx, head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        let mut persons = Persons::default();
        let mut touched: Vec<Uuid> = Vec::new();
        let mut written: Vec<Uuid> = Vec::new();
        for r in rows {
            let person_id = persons.resolve(&mut tx, &mut log, &r.person).await?;
            let post = r.post.trim().to_string();
            if post.is_empty() {
                return Err(StoreError::Invalid("职务不能为空".into()));
            }
            if r.end_date.is_some_and(|e| e < r.start_date) {
                return Err(StoreError::Invalid("任职终止日期早于任职起始日期".into()));
            }
            let found = sqlx::query(
                "SELECT * FROM employments WHERE person_id = $1 AND body_id = $2 AND post = $3 \
                 AND start_date = $4",
            )
            .bind(enc(person_id))
            .bind(enc(r.body_id))
            .bind(&post)
            .bind(r.start_date)
            .fetch_optional(&mut *tx)
            .await?;
            let (emp, action) = match found {
                Some(row) => {
                    let mut e = employment_from_row(&row)?;
                    if e.end_date == r.end_date && e.principal == r.principal {
                        counts.unchanged += 1;
                        continue;
                    }
                    e.end_date = r.end_date;
                    e.principal = r.principal;
                    sqlx::query(
                        "UPDATE employments SET end_date = $1, principal = $2 WHERE id = $3",
                    )
                    .bind(e.end_date)
                    .bind(e.principal)
                    .bind(enc(e.id))
                    .execute(&mut *tx)
                    .await?;
                    counts.updated += 1;
                    (e, "update")
                }
                None => {
                    let e = Employment {
                        id: Uuid::now_v7(),
                        person_id,
                        body_id: r.body_id,
                        post,
                        principal: r.principal,
                        start_date: r.start_date,
                        end_date: r.end_date,
                        created_at: now(),
                    };
                    sqlx::query(
                        "INSERT INTO employments (id, person_id, body_id, post, principal, start_date, \
                         end_date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(enc(e.id))
                    .bind(enc(e.person_id))
                    .bind(enc(e.body_id))
                    .bind(&e.post)
                    .bind(e.principal)
                    .bind(e.start_date)
                    .bind(e.end_date)
                    .bind(e.created_at)
                    .execute(&mut *tx)
                    .await?;
                    counts.created += 1;
                    (e, "create")
                }
            };
            log.push(entry(
                "employment",
                emp.id.to_string(),
                action,
                state_digest(&emp)?,
            ));
            if !touched.contains(&emp.body_id) {
                touched.push(emp.body_id);
            }
            written.push(emp.id);
        }
        // The overlap rule once more, inside the transaction: a file checked against what was
        // stored a moment ago may meet another import's periods.
        for body in &touched {
            let rows = sqlx::query("SELECT * FROM employments WHERE body_id = $1")
                .bind(enc(*body))
                .fetch_all(&mut *tx)
                .await?;
            let all: Vec<Employment> = rows
                .iter()
                .map(employment_from_row)
                .collect::<Result<_>>()?;
            for e in all.iter().filter(|e| written.contains(&e.id)) {
                let p = period_of(e);
                if let Some(c) = all
                    .iter()
                    .filter(|o| o.id != e.id)
                    .find_map(|o| p.conflict(&period_of(o)))
                {
                    return Err(StoreError::Duplicate(c.message("已登记的任职记录")));
                }
            }
        }
        counts.persons_created = persons.created;
        finish(tx, head, log, actor).await?;
        Ok(counts)
    }

    async fn employments_at_bodies(&self, body_ids: &[Uuid]) -> Result<Vec<Employment>> {
        let mut out = Vec::new();
        for b in body_ids {
            let rows =
                sqlx::query("SELECT * FROM employments WHERE body_id = $1 ORDER BY start_date, id")
                    .bind(enc(*b))
                    .fetch_all(&self.pool)
                    .await?;
            for r in &rows {
                out.push(employment_from_row(r)?);
            }
        }
        Ok(out)
    }

    async fn responsible_at(
        &self,
        body_id: Uuid,
        day: NaiveDate,
        post: Option<&str>,
    ) -> Result<Vec<Employment>> {
        // The index `employments_body_day (body_id, start_date, end_date, principal, post)`
        // answers the range and filters before any row is read.
        let post = post.map(str::trim).filter(|p| !p.is_empty());
        let rows = sqlx::query(
            "SELECT * FROM employments WHERE body_id = $1 AND start_date <= $2 \
             AND (end_date IS NULL OR end_date >= $2) AND (principal = $3 OR post = $4) \
             ORDER BY start_date, id",
        )
        .bind(enc(body_id))
        .bind(day)
        .bind(true)
        .bind(post.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(employment_from_row).collect()
    }

    async fn persons_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Subject>> {
        let mut out = Vec::new();
        for part in ids.chunks(500) {
            let mut q =
                sqlx::QueryBuilder::<super::Db>::new("SELECT * FROM subjects WHERE id IN (");
            let mut list = q.separated(", ");
            for id in part {
                list.push_bind(enc(*id));
            }
            q.push(")");
            for r in q.build().fetch_all(&self.pool).await? {
                out.push(subject_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn posts_on(
        &self,
        person_ids: &[Uuid],
        day: NaiveDate,
    ) -> Result<Vec<(Employment, String)>> {
        let mut out = Vec::new();
        for part in person_ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::<super::Db>::new(
                "SELECT e.*, s.name AS body_name FROM employments e JOIN subjects s ON s.id = e.body_id \
                 WHERE e.start_date <= ",
            );
            q.push_bind(day);
            q.push(" AND (e.end_date IS NULL OR e.end_date >= ");
            q.push_bind(day);
            q.push(") AND e.person_id IN (");
            let mut list = q.separated(", ");
            for id in part {
                list.push_bind(enc(*id));
            }
            q.push(") ORDER BY e.start_date, e.id");
            for r in q.build().fetch_all(&self.pool).await? {
                out.push((employment_from_row(&r)?, r.try_get("body_name")?));
            }
        }
        Ok(out)
    }

    async fn put_trainings(&self, actor: &str, rows: &[TrainingPut]) -> Result<StaffImportCounts> {
        let mut counts = StaffImportCounts::default();
        let (mut tx, head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        let mut persons = Persons::default();
        for r in rows {
            let person_id = persons.resolve(&mut tx, &mut log, &r.person).await?;
            let course = r.course.trim().to_string();
            if course.is_empty() || r.hours_tenths <= 0 {
                return Err(StoreError::Invalid("培训课程和学时不能为空".into()));
            }
            let found = sqlx::query(
                "SELECT * FROM trainings WHERE person_id = $1 AND course = $2 AND held_on = $3",
            )
            .bind(enc(person_id))
            .bind(&course)
            .bind(r.held_on)
            .fetch_optional(&mut *tx)
            .await?;
            let (t, action) = match found {
                Some(row) => {
                    let mut t = training_from_row(&row)?;
                    if t.hours_tenths == r.hours_tenths && t.organiser_id == r.organiser_id {
                        counts.unchanged += 1;
                        continue;
                    }
                    t.hours_tenths = r.hours_tenths;
                    t.organiser_id = r.organiser_id;
                    sqlx::query(
                        "UPDATE trainings SET hours_tenths = $1, organiser_id = $2 WHERE id = $3",
                    )
                    .bind(t.hours_tenths)
                    .bind(enc(t.organiser_id))
                    .bind(enc(t.id))
                    .execute(&mut *tx)
                    .await?;
                    counts.updated += 1;
                    (t, "update")
                }
                None => {
                    let t = TrainingRow {
                        id: Uuid::now_v7(),
                        person_id,
                        course,
                        held_on: r.held_on,
                        hours_tenths: r.hours_tenths,
                        organiser_id: r.organiser_id,
                        created_at: now(),
                    };
                    sqlx::query(
                        "INSERT INTO trainings (id, person_id, course, held_on, hours_tenths, organiser_id, \
                         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(enc(t.id))
                    .bind(enc(t.person_id))
                    .bind(&t.course)
                    .bind(t.held_on)
                    .bind(t.hours_tenths)
                    .bind(enc(t.organiser_id))
                    .bind(t.created_at)
                    .execute(&mut *tx)
                    .await?;
                    counts.created += 1;
                    (t, "create")
                }
            };
            log.push(entry(
                "training",
                t.id.to_string(),
                action,
                state_digest(&t)?,
            ));
        }
        counts.persons_created = persons.created;
        finish(tx, head, log, actor).await?;
        Ok(counts)
    }

    async fn trainings_of(&self, person_id: Uuid) -> Result<Vec<TrainingRow>> {
        let rows =
            sqlx::query("SELECT * FROM trainings WHERE person_id = $1 ORDER BY held_on DESC, id")
                .bind(enc(person_id))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(training_from_row).collect()
    }
}
