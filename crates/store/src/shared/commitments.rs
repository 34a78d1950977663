//! Commitments: the commitment, its milestones, steps and files, the breach decision with its
//! 失信 record, and the sweep's marks — each write with its change-log entries in the same
//! transaction.

use async_trait::async_trait;
use chengxin_domain::records::Record;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, entry, DbRow, Head, PendingLog, Tx};
use super::notifications::insert_notifications_tx;
use super::records::create_record_tx;
use super::{dec, enc, escape_like, Db, Inner, UuidCol};
use crate::changelog::{micros, now, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    CommitmentFileRow, CommitmentFilter, CommitmentRow, CommitmentStepRow, CommitmentStore,
    MilestoneChange, MilestoneRow, NotificationRow, SweepMark,
};

pub(super) fn commitment_from_row(r: &DbRow) -> Result<CommitmentRow> {
    Ok(CommitmentRow {
        id: dec(r.try_get("id")?),
        no: r.try_get("no")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        promisor_uscc: r.try_get("promisor_uscc")?,
        promisor_name: r.try_get("promisor_name")?,
        promisor_subject_id: r
            .try_get::<Option<UuidCol>, _>("promisor_subject_id")?
            .map(dec),
        promisor_id_masked: r.try_get("promisor_id_masked")?,
        owner_uscc: r.try_get("owner_uscc")?,
        region: r.try_get("region")?,
        supervisor_uscc: r.try_get("supervisor_uscc")?,
        counterparty_name: r.try_get("counterparty_name")?,
        counterparty_id: r.try_get("counterparty_id")?,
        content: r.try_get("content")?,
        legal_basis: r.try_get("legal_basis")?,
        amount_fen: r.try_get("amount_fen")?,
        promised_on: r.try_get("promised_on")?,
        public: r.try_get("public")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn milestone_from_row(r: &DbRow) -> Result<MilestoneRow> {
    Ok(MilestoneRow {
        id: dec(r.try_get("id")?),
        commitment_id: dec(r.try_get("commitment_id")?),
        seq: r.try_get("seq")?,
        title: r.try_get("title")?,
        due_date: r.try_get("due_date")?,
        amount_fen: r.try_get("amount_fen")?,
        state: r.try_get("state")?,
        done_on: r.try_get("done_on")?,
        breach_stage: r.try_get("breach_stage")?,
        explain_due: r.try_get("explain_due")?,
        change_ground: r.try_get("change_ground")?,
        change_basis: r.try_get("change_basis")?,
        compensation: r.try_get("compensation")?,
        compensation_fen: r.try_get("compensation_fen")?,
        explanation: r.try_get("explanation")?,
        finding: r.try_get("finding")?,
        finding_doc_no: r.try_get("finding_doc_no")?,
        record_id: r.try_get::<Option<UuidCol>, _>("record_id")?.map(dec),
        remind_before: r.try_get("remind_before")?,
        reminded_stage: r.try_get("reminded_stage")?,
        next_remind_on: r.try_get("next_remind_on")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn step_from_row(r: &DbRow) -> Result<CommitmentStepRow> {
    Ok(CommitmentStepRow {
        id: dec(r.try_get("id")?),
        commitment_id: dec(r.try_get("commitment_id")?),
        milestone_id: r.try_get::<Option<UuidCol>, _>("milestone_id")?.map(dec),
        action: r.try_get("action")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
        note: r.try_get("note")?,
    })
}

/// A file's description with the SHA-256 of its stored bytes (what `verify` recomputes).
pub(super) fn file_from_row(r: &DbRow) -> Result<CommitmentFileRow> {
    let content: Vec<u8> = r.try_get("content")?;
    Ok(CommitmentFileRow {
        id: dec(r.try_get("id")?),
        commitment_id: dec(r.try_get("commitment_id")?),
        milestone_id: r.try_get::<Option<UuidCol>, _>("milestone_id")?.map(dec),
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        size: r.try_get("size")?,
        sha256: hex::encode(Sha256::digest(&content)),
        uploaded_by: r.try_get("uploaded_by")?,
        at: r.try_get("at")?,
    })
}

async fn insert_step(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    s: &CommitmentStepRow,
) -> Result<()> {
    let s = CommitmentStepRow {
        at: micros(s.at),
        ..s.clone()
    };
    sqlx::query(
        "INSERT INTO commitment_steps (id, commitment_id, milestone_id, action, actor, at, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(enc(s.id))
    .bind(enc(s.commitment_id))
    .bind(s.milestone_id.map(enc))
    .bind(&s.action)
    .bind(&s.actor)
    .bind(s.at)
    .bind(&s.note)
    .execute(&mut **tx)
    .await?;
    append(
        tx,
        head,
        actor,
        "commitment_step",
        &s.id.to_string(),
        "create",
        Some(state_digest(&s)?),
    )
    .await
}

async fn insert_milestone(tx: &mut Tx<'_>, m: &MilestoneRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO commitment_milestones (id, commitment_id, seq, title, due_date, amount_fen, \
         state, done_on, breach_stage, explain_due, change_ground, change_basis, compensation, \
         compensation_fen, explanation, finding, finding_doc_no, record_id, remind_before, \
         reminded_stage, next_remind_on, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23)",
    )
    .bind(enc(m.id))
    .bind(enc(m.commitment_id))
    .bind(m.seq)
    .bind(&m.title)
    .bind(m.due_date)
    .bind(m.amount_fen)
    .bind(&m.state)
    .bind(m.done_on)
    .bind(&m.breach_stage)
    .bind(m.explain_due)
    .bind(&m.change_ground)
    .bind(&m.change_basis)
    .bind(&m.compensation)
    .bind(m.compensation_fen)
    .bind(&m.explanation)
    .bind(&m.finding)
    .bind(&m.finding_doc_no)
    .bind(m.record_id.map(enc))
    .bind(m.remind_before)
    .bind(m.reminded_stage)
    .bind(m.next_remind_on)
    .bind(m.updated_at)
    .bind(m.version)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn milestone_in(tx: &mut Tx<'_>, id: Uuid) -> Result<MilestoneRow> {
    let row = sqlx::query("SELECT * FROM commitment_milestones WHERE id = $1")
        .bind(enc(id))
        .fetch_one(&mut **tx)
        .await?;
    milestone_from_row(&row)
}

fn check_commitment(c: &CommitmentRow, ms: &[MilestoneRow]) -> Result<()> {
    if c.title.trim().is_empty() || c.no.trim().is_empty() {
        return Err(StoreError::Invalid(
            "承诺的编号、标题和承诺主体不能为空".into(),
        ));
    }
    // The promisor: a body by USCC, or a natural person by subject and masked number — never
    // both, never the number in clear, and a person's commitment is never public.
    match (&c.promisor_id_masked, c.promisor_uscc.trim().is_empty()) {
        (None, false) => {}
        (Some(m), true) if c.promisor_subject_id.is_some() && m.contains('*') => {
            if c.public {
                return Err(StoreError::Invalid(
                    "自然人作出的信用承诺不在门户公示".into(),
                ));
            }
        }
        _ => {
            return Err(StoreError::Invalid(
                "承诺主体须为一个单位（统一社会信用代码）或一名自然人（已登记的信用主体）".into(),
            ))
        }
    }
    if ms.is_empty()
        || ms
            .iter()
            .any(|m| m.commitment_id != c.id || m.due_date < c.promised_on)
    {
        return Err(StoreError::Invalid(
            "履行节点不属于该承诺或早于承诺日期".into(),
        ));
    }
    if c.amount_fen.is_some_and(|a| a < 0) || ms.iter().any(|m| m.amount_fen.is_some_and(|a| a < 0))
    {
        return Err(StoreError::Invalid("金额不能为负数".into()));
    }
    Ok(())
}

#[async_trait]
impl CommitmentStore for Inner {
    async fn create_commitment(
        &self,
        actor: &str,
        c: &CommitmentRow,
        milestones: &[MilestoneRow],
        step: &CommitmentStepRow,
    ) -> Result<()> {
        check_commitment(c, milestones)?;
        let c = CommitmentRow {
            created_at: micros(c.created_at),
            updated_at: micros(c.updated_at),
            ..c.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        sqlx::query(
            "INSERT INTO commitments (id, no, kind, title, promisor_uscc, promisor_name, \
             promisor_subject_id, owner_uscc, region, supervisor_uscc, counterparty_name, \
             counterparty_id, content, legal_basis, amount_fen, promised_on, public, created_by, \
             created_at, updated_at, version, promisor_id_masked) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22)",
        )
        .bind(enc(c.id))
        .bind(&c.no)
        .bind(&c.kind)
        .bind(&c.title)
        .bind(&c.promisor_uscc)
        .bind(&c.promisor_name)
        .bind(c.promisor_subject_id.map(enc))
        .bind(&c.owner_uscc)
        .bind(&c.region)
        .bind(&c.supervisor_uscc)
        .bind(&c.counterparty_name)
        .bind(&c.counterparty_id)
        .bind(&c.content)
        .bind(&c.legal_basis)
        .bind(c.amount_fen)
        .bind(c.promised_on)
        .bind(c.public)
        .bind(&c.created_by)
        .bind(c.created_at)
        .bind(c.updated_at)
        .bind(c.version)
        .bind(&c.promisor_id_masked)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "commitment",
            &c.id.to_string(),
            "create",
            Some(state_digest(&c)?),
        )
        .await?;
        for m in milestones {
            let m = MilestoneRow {
                updated_at: micros(m.updated_at),
                ..m.clone()
            };
            insert_milestone(&mut tx, &m).await?;
            append(
                &mut tx,
                &mut head,
                actor,
                "commitment_milestone",
                &m.id.to_string(),
                "create",
                Some(state_digest(&m)?),
            )
            .await?;
        }
        insert_step(&mut tx, &mut head, actor, step).await?;
        commit(tx, head).await
    }

    async fn commitment(&self, id: Uuid) -> Result<Option<CommitmentRow>> {
        sqlx::query("SELECT * FROM commitments WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(commitment_from_row)
            .transpose()
    }

    async fn commitments(&self, f: &CommitmentFilter) -> Result<Vec<CommitmentRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM commitments WHERE 1 = 1");
        if let Some(p) = f.region_prefix.as_deref().filter(|p| !p.is_empty()) {
            q.push(" AND region LIKE ")
                .push_bind(format!("{}%", escape_like(p)))
                .push(" ESCAPE '\\'");
        }
        if let Some(b) = &f.body {
            q.push(" AND (owner_uscc = ")
                .push_bind(b.clone())
                .push(" OR promisor_uscc = ")
                .push_bind(b.clone())
                .push(")");
        }
        if f.public_only {
            q.push(" AND public = ").push_bind(true);
        }
        if let Some(n) = f
            .promisor_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            // The promisor's name, the commitment's title, or its number.
            let like = format!("%{}%", escape_like(n));
            q.push(" AND (promisor_name LIKE ")
                .push_bind(like.clone())
                .push(" ESCAPE '\\' OR title LIKE ")
                .push_bind(like)
                .push(" ESCAPE '\\' OR no = ")
                .push_bind(n.to_uppercase())
                .push(")");
        }
        if let Some(u) = &f.promisor_uscc {
            q.push(" AND promisor_uscc = ").push_bind(u.clone());
        }
        if let Some(k) = &f.kind {
            q.push(" AND kind = ").push_bind(k.clone());
        }
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(1000) };
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(f.offset.max(0));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(commitment_from_row).collect()
    }

    async fn commitments_by_id(&self, ids: &[Uuid]) -> Result<Vec<CommitmentRow>> {
        let mut out = Vec::new();
        for part in ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM commitments WHERE id IN (");
            let mut sep = q.separated(", ");
            for id in part {
                sep.push_bind(enc(*id));
            }
            q.push(")");
            for r in q.build().fetch_all(&self.pool).await? {
                out.push(commitment_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn milestones(&self, commitment_ids: &[Uuid]) -> Result<Vec<MilestoneRow>> {
        let mut out = Vec::new();
        for part in commitment_ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT * FROM commitment_milestones WHERE commitment_id IN (",
            );
            let mut sep = q.separated(", ");
            for id in part {
                sep.push_bind(enc(*id));
            }
            q.push(") ORDER BY commitment_id, seq");
            let rows = q.build().fetch_all(&self.pool).await?;
            for r in &rows {
                out.push(milestone_from_row(r)?);
            }
        }
        Ok(out)
    }

    async fn commitment_steps(&self, commitment_id: Uuid) -> Result<Vec<CommitmentStepRow>> {
        let rows =
            sqlx::query("SELECT * FROM commitment_steps WHERE commitment_id = $1 ORDER BY at, id")
                .bind(enc(commitment_id))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(step_from_row).collect()
    }

    async fn change_milestone(&self, actor: &str, ch: MilestoneChange) -> Result<Option<Record>> {
        let m = ch.milestone;
        let (mut tx, mut head) = begin_write(self).await?;
        let record = match ch.record {
            Some(r) => Some(create_record_tx(&mut tx, &mut head, actor, r).await?),
            None => None,
        };
        // The sweep's marks are its own: a step never writes them. A final state ends the
        // reminders.
        let final_state = matches!(m.state.as_str(), "kept" | "changed" | "breached");
        let done = sqlx::query(
            "UPDATE commitment_milestones SET state = $1, done_on = $2, breach_stage = $3, \
             explain_due = $4, change_ground = $5, change_basis = $6, compensation = $7, \
             compensation_fen = $8, explanation = $9, finding = $10, finding_doc_no = $11, \
             record_id = $12, updated_at = $13, version = $14, \
             next_remind_on = CASE WHEN $15 THEN NULL ELSE next_remind_on END \
             WHERE id = $16 AND version = $17",
        )
        .bind(&m.state)
        .bind(m.done_on)
        .bind(&m.breach_stage)
        .bind(m.explain_due)
        .bind(&m.change_ground)
        .bind(&m.change_basis)
        .bind(&m.compensation)
        .bind(m.compensation_fen)
        .bind(&m.explanation)
        .bind(&m.finding)
        .bind(&m.finding_doc_no)
        .bind(record.as_ref().map(|r| enc(r.id)).or(m.record_id.map(enc)))
        .bind(micros(m.updated_at))
        .bind(ch.expected_version + 1)
        .bind(final_state)
        .bind(enc(m.id))
        .bind(ch.expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: ch.expected_version,
                current: -1,
            });
        }
        let stored = milestone_in(&mut tx, m.id).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "commitment_milestone",
            &m.id.to_string(),
            "update",
            Some(state_digest(&stored)?),
        )
        .await?;
        insert_step(&mut tx, &mut head, actor, &ch.step).await?;
        let mut log = PendingLog::default();
        insert_notifications_tx(&mut tx, &mut log, &ch.notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(record)
    }

    async fn add_commitment_file(
        &self,
        actor: &str,
        f: &CommitmentFileRow,
        bytes: &[u8],
        step: &CommitmentStepRow,
    ) -> Result<()> {
        let f = CommitmentFileRow {
            at: micros(f.at),
            sha256: hex::encode(Sha256::digest(bytes)),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            ..f.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        sqlx::query(
            "INSERT INTO commitment_files (id, commitment_id, milestone_id, name, kind, size, \
             sha256, uploaded_by, at, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(enc(f.id))
        .bind(enc(f.commitment_id))
        .bind(f.milestone_id.map(enc))
        .bind(&f.name)
        .bind(&f.kind)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(&f.uploaded_by)
        .bind(f.at)
        .bind(bytes)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "commitment_file",
            &f.id.to_string(),
            "create",
            Some(state_digest(&f)?),
        )
        .await?;
        insert_step(&mut tx, &mut head, actor, step).await?;
        commit(tx, head).await
    }

    async fn commitment_files(&self, commitment_id: Uuid) -> Result<Vec<CommitmentFileRow>> {
        let rows =
            sqlx::query("SELECT * FROM commitment_files WHERE commitment_id = $1 ORDER BY at, id")
                .bind(enc(commitment_id))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(file_from_row).collect()
    }

    async fn commitment_file(&self, id: Uuid) -> Result<Option<(CommitmentFileRow, Vec<u8>)>> {
        let Some(row) = sqlx::query("SELECT * FROM commitment_files WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((file_from_row(&row)?, row.try_get("content")?)))
    }

    async fn milestones_to_remind(
        &self,
        today: chrono::NaiveDate,
        limit: i64,
    ) -> Result<Vec<MilestoneRow>> {
        let rows = sqlx::query(
            "SELECT * FROM commitment_milestones WHERE next_remind_on IS NOT NULL \
             AND next_remind_on <= $1 AND state = 'pending' ORDER BY next_remind_on, id LIMIT $2",
        )
        .bind(today)
        .bind(limit.clamp(1, 100_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(milestone_from_row).collect()
    }

    async fn mark_reminded(
        &self,
        actor: &str,
        marks: &[SweepMark],
        notifications: &[NotificationRow],
    ) -> Result<usize> {
        if marks.is_empty() && notifications.is_empty() {
            return Ok(0);
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        for m in marks {
            sqlx::query(
                "UPDATE commitment_milestones SET reminded_stage = $1, next_remind_on = $2 \
                 WHERE id = $3 AND state = 'pending'",
            )
            .bind(m.stage)
            .bind(m.next_remind_on)
            .bind(enc(m.milestone_id))
            .execute(&mut *tx)
            .await?;
        }
        // Read back what was marked, for its digest.
        for part in marks.chunks(500) {
            let mut q =
                sqlx::QueryBuilder::<Db>::new("SELECT * FROM commitment_milestones WHERE id IN (");
            let mut sep = q.separated(", ");
            for m in part {
                sep.push_bind(enc(m.milestone_id));
            }
            q.push(")");
            for r in q.build().fetch_all(&mut *tx).await? {
                let ms = milestone_from_row(&r)?;
                log.push(entry(
                    "commitment_milestone",
                    ms.id.to_string(),
                    "remind",
                    state_digest(&ms)?,
                ));
            }
        }
        let stored = insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        let group = format!("sweep:{}", now().format("%Y%m%dT%H%M%S%.6f"));
        log.flush_grouped(&mut tx, &mut head, actor, &group).await?;
        commit(tx, head).await?;
        Ok(stored.len())
    }
}
