//! PPP projects: the project with its first stage, the move to the next stage, the stages'
//! responsible persons (persons resolved like employment history's, the one-at-a-time rule
//! checked inside the transaction), and a breach with the body's 失信 record — each write with
//! its change-log entries in the same transaction.

use async_trait::async_trait;
use chengxin_domain::ppp::{overlap, PppError, Stage, StagePeriod};
use chengxin_domain::records::Record;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{begin_write, commit, entry, DbRow, PendingLog, Tx};
use super::notifications::insert_notifications_tx;
use super::records::create_record_tx;
use super::staff::Persons;
use super::{dec, enc, escape_like, Db, Inner};
use crate::changelog::{micros, now, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    NewRecord, NotificationRow, PppBreachRow, PppFilter, PppProjectRow, PppResponsiblePut,
    PppResponsibleRow, PppStageRow, PppStore,
};

pub(super) fn project_from_row(r: &DbRow) -> Result<PppProjectRow> {
    Ok(PppProjectRow {
        id: dec(r.try_get("id")?),
        no: r.try_get("no")?,
        name: r.try_get("name")?,
        gov_uscc: r.try_get("gov_uscc")?,
        gov_name: r.try_get("gov_name")?,
        gov_subject_id: dec(r.try_get("gov_subject_id")?),
        implementing_uscc: r.try_get("implementing_uscc")?,
        implementing_name: r.try_get("implementing_name")?,
        private_uscc: r.try_get("private_uscc")?,
        private_name: r.try_get("private_name")?,
        contract_no: r.try_get("contract_no")?,
        amount_fen: r.try_get("amount_fen")?,
        region: r.try_get("region")?,
        stage: r.try_get("stage")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn stage_from_row(r: &DbRow) -> Result<PppStageRow> {
    Ok(PppStageRow {
        id: dec(r.try_get("id")?),
        project_id: dec(r.try_get("project_id")?),
        stage: r.try_get("stage")?,
        started_on: r.try_get("started_on")?,
        note: r.try_get("note")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
    })
}

pub(super) fn responsible_from_row(r: &DbRow) -> Result<PppResponsibleRow> {
    Ok(PppResponsibleRow {
        id: dec(r.try_get("id")?),
        project_id: dec(r.try_get("project_id")?),
        stage: r.try_get("stage")?,
        person_id: dec(r.try_get("person_id")?),
        post: r.try_get("post")?,
        from_date: r.try_get("from_date")?,
        to_date: r.try_get("to_date")?,
        at: r.try_get("at")?,
    })
}

pub(super) fn breach_from_row(r: &DbRow) -> Result<PppBreachRow> {
    Ok(PppBreachRow {
        id: dec(r.try_get("id")?),
        project_id: dec(r.try_get("project_id")?),
        stage: r.try_get("stage")?,
        occurred_on: r.try_get("occurred_on")?,
        finding: r.try_get("finding")?,
        doc_no: r.try_get("doc_no")?,
        amount_fen: r.try_get("amount_fen")?,
        record_id: dec(r.try_get("record_id")?),
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
    })
}

async fn insert_stage(tx: &mut Tx<'_>, log: &mut PendingLog, s: &PppStageRow) -> Result<()> {
    let s = PppStageRow {
        at: micros(s.at),
        ..s.clone()
    };
    sqlx::query(
        "INSERT INTO ppp_stages (id, project_id, stage, started_on, note, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(enc(s.id))
    .bind(enc(s.project_id))
    .bind(&s.stage)
    .bind(s.started_on)
    .bind(&s.note)
    .bind(&s.actor)
    .bind(s.at)
    .execute(&mut **tx)
    .await?;
    log.push(entry(
        "ppp_stage",
        s.id.to_string(),
        "create",
        state_digest(&s)?,
    ));
    Ok(())
}

fn stage_of(code: &str) -> Result<Stage> {
    Stage::parse(code).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Add a responsible person's period inside the transaction: an open period of the stage that
/// began earlier ends the day before (a change of person); any other overlap refuses.
async fn put_responsible(
    tx: &mut Tx<'_>,
    log: &mut PendingLog,
    persons: &mut Persons,
    project_id: Uuid,
    r: &PppResponsiblePut,
) -> Result<PppResponsibleRow> {
    let stage = stage_of(&r.stage)?;
    if r.post.trim().is_empty() {
        return Err(StoreError::Invalid("责任人职务不能为空".into()));
    }
    if r.to_date.is_some_and(|t| t < r.from_date) {
        return Err(StoreError::Invalid(
            PppError::PeriodEndBeforeStart {
                from: r.from_date,
                to: r.to_date.unwrap_or(r.from_date),
            }
            .to_string(),
        ));
    }
    let person_id = persons.resolve(tx, log, &r.person).await?;
    let rows = sqlx::query(
        "SELECT * FROM ppp_responsibles WHERE project_id = $1 AND stage = $2 ORDER BY from_date, id",
    )
    .bind(enc(project_id))
    .bind(stage.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let mut stored: Vec<PppResponsibleRow> = rows
        .iter()
        .map(responsible_from_row)
        .collect::<Result<_>>()?;
    if let Some(prev) = r.from_date.pred_opt() {
        for s in stored
            .iter_mut()
            .filter(|s| s.to_date.is_none() && s.from_date < r.from_date)
        {
            s.to_date = Some(prev);
            sqlx::query("UPDATE ppp_responsibles SET to_date = $1 WHERE id = $2")
                .bind(prev)
                .bind(enc(s.id))
                .execute(&mut **tx)
                .await?;
            log.push(entry(
                "ppp_responsible",
                s.id.to_string(),
                "update",
                state_digest(&*s)?,
            ));
        }
    }
    let periods: Vec<StagePeriod> = stored
        .iter()
        .map(|s| StagePeriod {
            stage,
            person: s.person_id.to_string(),
            from: s.from_date,
            to: s.to_date,
        })
        .collect();
    let new = StagePeriod {
        stage,
        person: person_id.to_string(),
        from: r.from_date,
        to: r.to_date,
    };
    if let Some(o) = overlap(&new, &periods) {
        return Err(StoreError::Duplicate(
            PppError::ResponsibleOverlap {
                stage: stage.label(),
                other_from: o.from,
            }
            .to_string(),
        ));
    }
    let row = PppResponsibleRow {
        id: Uuid::now_v7(),
        project_id,
        stage: stage.as_str().into(),
        person_id,
        post: r.post.trim().to_string(),
        from_date: r.from_date,
        to_date: r.to_date,
        at: micros(now()),
    };
    sqlx::query(
        "INSERT INTO ppp_responsibles (id, project_id, stage, person_id, post, from_date, \
         to_date, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(enc(row.id))
    .bind(enc(row.project_id))
    .bind(&row.stage)
    .bind(enc(row.person_id))
    .bind(&row.post)
    .bind(row.from_date)
    .bind(row.to_date)
    .bind(row.at)
    .execute(&mut **tx)
    .await?;
    log.push(entry(
        "ppp_responsible",
        row.id.to_string(),
        "create",
        state_digest(&row)?,
    ));
    Ok(row)
}

async fn project_in(tx: &mut Tx<'_>, id: Uuid) -> Result<PppProjectRow> {
    let row = sqlx::query("SELECT * FROM ppp_projects WHERE id = $1")
        .bind(enc(id))
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "ppp_project",
            id: id.to_string(),
        })?;
    project_from_row(&row)
}

#[async_trait]
impl PppStore for Inner {
    async fn create_ppp_project(
        &self,
        actor: &str,
        p: &PppProjectRow,
        first: &PppStageRow,
        responsible: Option<&PppResponsiblePut>,
    ) -> Result<()> {
        if p.name.trim().is_empty() || p.no.trim().is_empty() || p.gov_uscc.trim().is_empty() {
            return Err(StoreError::Invalid(
                "项目的编号、名称和政府方不能为空".into(),
            ));
        }
        if p.amount_fen.is_some_and(|a| a < 0) {
            return Err(StoreError::Invalid("金额不能为负数".into()));
        }
        if first.project_id != p.id || first.stage != p.stage {
            return Err(StoreError::Invalid("项目阶段不属于该项目".into()));
        }
        let p = PppProjectRow {
            created_at: micros(p.created_at),
            updated_at: micros(p.updated_at),
            ..p.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        sqlx::query(
            "INSERT INTO ppp_projects (id, no, name, gov_uscc, gov_name, gov_subject_id, \
             implementing_uscc, implementing_name, private_uscc, private_name, contract_no, \
             amount_fen, region, stage, created_by, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(enc(p.id))
        .bind(&p.no)
        .bind(&p.name)
        .bind(&p.gov_uscc)
        .bind(&p.gov_name)
        .bind(enc(p.gov_subject_id))
        .bind(&p.implementing_uscc)
        .bind(&p.implementing_name)
        .bind(&p.private_uscc)
        .bind(&p.private_name)
        .bind(&p.contract_no)
        .bind(p.amount_fen)
        .bind(&p.region)
        .bind(&p.stage)
        .bind(&p.created_by)
        .bind(p.created_at)
        .bind(p.updated_at)
        .bind(p.version)
        .execute(&mut *tx)
        .await?;
        log.push(entry(
            "ppp_project",
            p.id.to_string(),
            "create",
            state_digest(&p)?,
        ));
        insert_stage(&mut tx, &mut log, first).await?;
        if let Some(r) = responsible {
            let mut persons = Persons::default();
            put_responsible(&mut tx, &mut log, &mut persons, p.id, r).await?;
        }
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await
    }

    async fn ppp_project(&self, id: Uuid) -> Result<Option<PppProjectRow>> {
        sqlx::query("SELECT * FROM ppp_projects WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(project_from_row)
            .transpose()
    }

    async fn ppp_projects(&self, f: &PppFilter) -> Result<Vec<PppProjectRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM ppp_projects WHERE 1 = 1");
        if let Some(p) = f.region_prefix.as_deref().filter(|p| !p.is_empty()) {
            q.push(" AND region LIKE ")
                .push_bind(format!("{}%", escape_like(p)))
                .push(" ESCAPE '\\'");
        }
        if let Some(b) = &f.body {
            q.push(" AND (gov_uscc = ")
                .push_bind(b.clone())
                .push(" OR implementing_uscc = ")
                .push_bind(b.clone())
                .push(")");
        }
        if let Some(n) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            q.push(" AND name LIKE ")
                .push_bind(format!("%{}%", escape_like(n)))
                .push(" ESCAPE '\\'");
        }
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(1000) };
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(f.offset.max(0));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(project_from_row).collect()
    }

    async fn ppp_stages(&self, project_id: Uuid) -> Result<Vec<PppStageRow>> {
        let rows =
            sqlx::query("SELECT * FROM ppp_stages WHERE project_id = $1 ORDER BY started_on, at")
                .bind(enc(project_id))
                .fetch_all(&self.pool)
                .await?;
        let mut out: Vec<PppStageRow> = rows.iter().map(stage_from_row).collect::<Result<_>>()?;
        out.sort_by_key(|s| Stage::parse(&s.stage).ok());
        Ok(out)
    }

    async fn ppp_responsibles(&self, project_id: Uuid) -> Result<Vec<PppResponsibleRow>> {
        let rows = sqlx::query(
            "SELECT * FROM ppp_responsibles WHERE project_id = $1 ORDER BY from_date, id",
        )
        .bind(enc(project_id))
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<PppResponsibleRow> = rows
            .iter()
            .map(responsible_from_row)
            .collect::<Result<_>>()?;
        out.sort_by_key(|r| (Stage::parse(&r.stage).ok(), r.from_date));
        Ok(out)
    }

    async fn advance_ppp_stage(
        &self,
        actor: &str,
        project_id: Uuid,
        expected_version: i64,
        stage: &PppStageRow,
        responsible: Option<&PppResponsiblePut>,
    ) -> Result<()> {
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        let t = micros(now());
        let done = sqlx::query(
            "UPDATE ppp_projects SET stage = $1, updated_at = $2, version = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(&stage.stage)
        .bind(t)
        .bind(expected_version + 1)
        .bind(enc(project_id))
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: -1,
            });
        }
        let p = project_in(&mut tx, project_id).await?;
        log.push(entry(
            "ppp_project",
            p.id.to_string(),
            "update",
            state_digest(&p)?,
        ));
        insert_stage(&mut tx, &mut log, stage).await?;
        if let Some(r) = responsible {
            let mut persons = Persons::default();
            put_responsible(&mut tx, &mut log, &mut persons, project_id, r).await?;
        }
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await
    }

    async fn add_ppp_responsible(
        &self,
        actor: &str,
        project_id: Uuid,
        r: &PppResponsiblePut,
    ) -> Result<PppResponsibleRow> {
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        project_in(&mut tx, project_id).await?;
        let mut persons = Persons::default();
        let row = put_responsible(&mut tx, &mut log, &mut persons, project_id, r).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(row)
    }

    async fn record_ppp_breach(
        &self,
        actor: &str,
        b: &PppBreachRow,
        record: NewRecord,
        notifications: &[NotificationRow],
    ) -> Result<Record> {
        if b.amount_fen.is_some_and(|a| a < 0) {
            return Err(StoreError::Invalid("金额不能为负数".into()));
        }
        let (mut tx, mut head) = begin_write(self).await?;
        project_in(&mut tx, b.project_id).await?;
        let rec = create_record_tx(&mut tx, &mut head, actor, record).await?;
        let b = PppBreachRow {
            record_id: rec.id,
            at: micros(b.at),
            ..b.clone()
        };
        sqlx::query(
            "INSERT INTO ppp_breaches (id, project_id, stage, occurred_on, finding, doc_no, \
             amount_fen, record_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(enc(b.id))
        .bind(enc(b.project_id))
        .bind(&b.stage)
        .bind(b.occurred_on)
        .bind(&b.finding)
        .bind(&b.doc_no)
        .bind(b.amount_fen)
        .bind(enc(b.record_id))
        .bind(&b.actor)
        .bind(b.at)
        .execute(&mut *tx)
        .await?;
        let mut log = PendingLog::default();
        log.push(entry(
            "ppp_breach",
            b.id.to_string(),
            "create",
            state_digest(&b)?,
        ));
        insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(rec)
    }

    async fn ppp_breaches(&self, project_id: Uuid) -> Result<Vec<PppBreachRow>> {
        let rows = sqlx::query(
            "SELECT * FROM ppp_breaches WHERE project_id = $1 ORDER BY occurred_on, id",
        )
        .bind(enc(project_id))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(breach_from_row).collect()
    }

    async fn ppp_responsibles_of(&self, person_id: Uuid) -> Result<Vec<PppResponsibleRow>> {
        let rows = sqlx::query(
            "SELECT * FROM ppp_responsibles WHERE person_id = $1 ORDER BY from_date, id",
        )
        .bind(enc(person_id))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(responsible_from_row).collect()
    }
}
