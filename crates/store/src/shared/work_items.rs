//! Work items: the item, the bodies concerned, its events and attachments' descriptions, and
//! the sweep's marks — each write with its change-log entries in the same transaction.

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{begin_write, commit, entry, DbRow, PendingLog, Tx};
use super::notifications::insert_notifications_tx;
use super::records::create_record_tx;
use super::{dec, enc, escape_like, Db, Inner};
use crate::changelog::{micros, now, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    HotlineImport, HotlineTicketRow, NotificationRow, PublicFilingRow, TaskReportRow, WorkChange,
    WorkContentRow, WorkEventRow, WorkFileRow, WorkFilter, WorkItemRow, WorkItemStore, WorkMark,
    WorkPartyRow,
};

pub(super) fn ticket_from_row(r: &DbRow) -> Result<HotlineTicketRow> {
    Ok(HotlineTicketRow {
        ticket_no: r.try_get("ticket_no")?,
        item_id: dec(r.try_get("item_id")?),
        digest: r.try_get("digest")?,
        called_at: r.try_get("called_at")?,
        category: r.try_get("category")?,
        handling_unit: r.try_get("handling_unit")?,
        concluded_at: r.try_get("concluded_at")?,
        satisfaction: r.try_get("satisfaction")?,
        contact_sealed: r.try_get("contact_sealed")?,
        imported_by: r.try_get("imported_by")?,
        imported_at: r.try_get("imported_at")?,
    })
}

pub(super) fn filing_from_row(r: &DbRow) -> Result<PublicFilingRow> {
    Ok(PublicFilingRow {
        item_id: dec(r.try_get("item_id")?),
        access_hash: r.try_get("access_hash")?,
        name_sealed: r.try_get("name_sealed")?,
        contact_sealed: r.try_get("contact_sealed")?,
        account: r.try_get("account")?,
        filed_at: r.try_get("filed_at")?,
    })
}

pub(super) fn content_from_row(r: &DbRow) -> Result<WorkContentRow> {
    Ok(WorkContentRow {
        file_id: dec(r.try_get("file_id")?),
        item_id: dec(r.try_get("item_id")?),
        kind: r.try_get("kind")?,
        content: r.try_get("content")?,
    })
}

/// What the change log holds of an attachment's bytes: its kind, size and SHA-256.
#[derive(serde::Serialize)]
struct ContentState<'a> {
    file_id: Uuid,
    item_id: Uuid,
    kind: &'a str,
    size: usize,
    sha256: String,
}

pub(super) fn content_digest(c: &WorkContentRow) -> Result<String> {
    use sha2::Digest;
    state_digest(&ContentState {
        file_id: c.file_id,
        item_id: c.item_id,
        kind: &c.kind,
        size: c.content.len(),
        sha256: hex::encode(sha2::Sha256::digest(&c.content)),
    })
}

pub(super) fn task_report_from_row(r: &DbRow) -> Result<TaskReportRow> {
    Ok(TaskReportRow {
        id: dec(r.try_get("id")?),
        task_code: r.try_get("task_code")?,
        quarter: r.try_get("quarter")?,
        unit_uscc: r.try_get("unit_uscc")?,
        unit_name: r.try_get("unit_name")?,
        region: r.try_get("region")?,
        text: r.try_get("text")?,
        files: r.try_get("files")?,
        reported_by: r.try_get("reported_by")?,
        on_date: r.try_get("on_date")?,
        at: r.try_get("at")?,
    })
}

pub(super) fn item_from_row(r: &DbRow) -> Result<WorkItemRow> {
    Ok(WorkItemRow {
        id: dec(r.try_get("id")?),
        no: r.try_get("no")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        ref_no: r.try_get("ref_no")?,
        proposer: r.try_get("proposer")?,
        owner_uscc: r.try_get("owner_uscc")?,
        owner_name: r.try_get("owner_name")?,
        region: r.try_get("region")?,
        issuer_uscc: r.try_get("issuer_uscc")?,
        issuer_name: r.try_get("issuer_name")?,
        content: r.try_get("content")?,
        required: r.try_get("required")?,
        state: r.try_get("state")?,
        opened_on: r.try_get("opened_on")?,
        deadline: r.try_get("deadline")?,
        due_on: r.try_get("due_on")?,
        reopens: r.try_get("reopens")?,
        outcome: r.try_get("outcome")?,
        closed_on: r.try_get("closed_on")?,
        remind_stage: r.try_get("remind_stage")?,
        next_remind_on: r.try_get("next_remind_on")?,
        handler: r.try_get("handler")?,
        source: r.try_get("source")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn party_from_row(r: &DbRow) -> Result<WorkPartyRow> {
    Ok(WorkPartyRow {
        item_id: dec(r.try_get("item_id")?),
        body_uscc: r.try_get("body_uscc")?,
        body_name: r.try_get("body_name")?,
        party: r.try_get("party")?,
    })
}

/// A party's change-log id: item, party, body.
pub(super) fn party_id(r: &DbRow) -> Result<String> {
    let p = party_from_row(r)?;
    Ok(format!("{}:{}:{}", p.item_id, p.party, p.body_uscc))
}

pub(super) fn event_from_row(r: &DbRow) -> Result<WorkEventRow> {
    Ok(WorkEventRow {
        id: dec(r.try_get("id")?),
        item_id: dec(r.try_get("item_id")?),
        action: r.try_get("action")?,
        choice: r.try_get("choice")?,
        from_state: r.try_get("from_state")?,
        to_state: r.try_get("to_state")?,
        party: r.try_get("party")?,
        actor: r.try_get("actor")?,
        on_date: r.try_get("on_date")?,
        at: r.try_get("at")?,
        text: r.try_get("text")?,
    })
}

pub(super) fn file_from_row(r: &DbRow) -> Result<WorkFileRow> {
    Ok(WorkFileRow {
        id: dec(r.try_get("id")?),
        item_id: dec(r.try_get("item_id")?),
        event_id: dec(r.try_get("event_id")?),
        name: r.try_get("name")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        at: r.try_get("at")?,
    })
}

fn check_item(i: &WorkItemRow, parties: &[WorkPartyRow]) -> Result<()> {
    if i.no.trim().is_empty()
        || i.title.trim().is_empty()
        || i.owner_uscc.trim().is_empty()
        || i.kind.trim().is_empty()
    {
        return Err(StoreError::Invalid(
            "督办事项的编号、类型、标题和主办单位不能为空".into(),
        ));
    }
    if i.deadline < i.opened_on {
        return Err(StoreError::Invalid("期限早于交办日期".into()));
    }
    if parties.iter().any(|p| p.item_id != i.id) {
        return Err(StoreError::Invalid("相关单位不属于该事项".into()));
    }
    Ok(())
}

async fn item_in(tx: &mut Tx<'_>, id: Uuid) -> Result<WorkItemRow> {
    let row = sqlx::query("SELECT * FROM work_items WHERE id = $1")
        .bind(enc(id))
        .fetch_one(&mut **tx)
        .await?;
    item_from_row(&row)
}

async fn insert_event(tx: &mut Tx<'_>, log: &mut PendingLog, e: &WorkEventRow) -> Result<()> {
    let e = WorkEventRow {
        at: micros(e.at),
        ..e.clone()
    };
    sqlx::query(
        "INSERT INTO work_item_events (id, item_id, action, choice, from_state, to_state, party, \
         actor, on_date, at, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(enc(e.id))
    .bind(enc(e.item_id))
    .bind(&e.action)
    .bind(&e.choice)
    .bind(&e.from_state)
    .bind(&e.to_state)
    .bind(&e.party)
    .bind(&e.actor)
    .bind(e.on_date)
    .bind(e.at)
    .bind(&e.text)
    .execute(&mut **tx)
    .await?;
    log.push(entry(
        "work_item_event",
        e.id.to_string(),
        "create",
        state_digest(&e)?,
    ));
    Ok(())
}

async fn insert_files(tx: &mut Tx<'_>, log: &mut PendingLog, files: &[WorkFileRow]) -> Result<()> {
    for f in files {
        let f = WorkFileRow {
            at: micros(f.at),
            ..f.clone()
        };
        sqlx::query(
            "INSERT INTO work_item_files (id, item_id, event_id, name, size, sha256, \
             uploaded_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(enc(f.id))
        .bind(enc(f.item_id))
        .bind(enc(f.event_id))
        .bind(&f.name)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(&f.uploaded_by)
        .bind(f.at)
        .execute(&mut **tx)
        .await?;
        log.push(entry(
            "work_item_file",
            f.id.to_string(),
            "create",
            state_digest(&f)?,
        ));
    }
    Ok(())
}

/// Insert an item and its parties (with their log entries).
async fn insert_item(
    tx: &mut Tx<'_>,
    log: &mut PendingLog,
    i: &WorkItemRow,
    parties: &[WorkPartyRow],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO work_items (id, no, kind, title, ref_no, proposer, owner_uscc, \
         owner_name, region, issuer_uscc, issuer_name, content, required, state, opened_on, \
         deadline, due_on, reopens, outcome, closed_on, remind_stage, next_remind_on, \
         handler, source, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)",
    )
    .bind(enc(i.id))
    .bind(&i.no)
    .bind(&i.kind)
    .bind(&i.title)
    .bind(&i.ref_no)
    .bind(&i.proposer)
    .bind(&i.owner_uscc)
    .bind(&i.owner_name)
    .bind(&i.region)
    .bind(&i.issuer_uscc)
    .bind(&i.issuer_name)
    .bind(&i.content)
    .bind(&i.required)
    .bind(&i.state)
    .bind(i.opened_on)
    .bind(i.deadline)
    .bind(i.due_on)
    .bind(i.reopens)
    .bind(&i.outcome)
    .bind(i.closed_on)
    .bind(i.remind_stage)
    .bind(i.next_remind_on)
    .bind(&i.handler)
    .bind(&i.source)
    .bind(&i.created_by)
    .bind(i.created_at)
    .bind(i.updated_at)
    .bind(i.version)
    .execute(&mut **tx)
    .await?;
    let stored = item_in(tx, i.id).await?;
    log.push(entry(
        "work_item",
        i.id.to_string(),
        "create",
        state_digest(&stored)?,
    ));
    for p in parties {
        sqlx::query(
            "INSERT INTO work_item_parties (item_id, body_uscc, body_name, party) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(enc(p.item_id))
        .bind(&p.body_uscc)
        .bind(&p.body_name)
        .bind(&p.party)
        .execute(&mut **tx)
        .await?;
        log.push(entry(
            "work_item_party",
            format!("{}:{}:{}", p.item_id, p.party, p.body_uscc),
            "create",
            state_digest(p)?,
        ));
    }
    Ok(())
}

async fn by_ids(db: &Inner, ids: &[Uuid]) -> Result<Vec<WorkItemRow>> {
    let mut out = Vec::new();
    for part in ids.chunks(500) {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM work_items WHERE id IN (");
        let mut sep = q.separated(", ");
        for id in part {
            sep.push_bind(enc(*id));
        }
        q.push(")");
        for r in q.build().fetch_all(&db.pool).await? {
            out.push(item_from_row(&r)?);
        }
    }
    Ok(out)
}

#[async_trait]
impl WorkItemStore for Inner {
    async fn create_work_item(
        &self,
        actor: &str,
        item: &WorkItemRow,
        parties: &[WorkPartyRow],
        event: &WorkEventRow,
        notifications: &[NotificationRow],
    ) -> Result<bool> {
        check_item(item, parties)?;
        let i = WorkItemRow {
            created_at: micros(item.created_at),
            updated_at: micros(item.updated_at),
            ..item.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        if let Some(src) = &i.source {
            let taken = sqlx::query("SELECT id FROM work_items WHERE source = $1")
                .bind(src)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        let mut log = PendingLog::default();
        insert_item(&mut tx, &mut log, &i, parties).await?;
        insert_event(&mut tx, &mut log, event).await?;
        insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(true)
    }

    async fn work_item(&self, id: Uuid) -> Result<Option<WorkItemRow>> {
        let row = sqlx::query("SELECT * FROM work_items WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(item_from_row).transpose()
    }

    async fn work_item_by_no(&self, no: &str) -> Result<Option<WorkItemRow>> {
        let row = sqlx::query("SELECT * FROM work_items WHERE no = $1")
            .bind(no)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(item_from_row).transpose()
    }

    async fn work_item_by_source(&self, source: &str) -> Result<Option<WorkItemRow>> {
        let row = sqlx::query("SELECT * FROM work_items WHERE source = $1")
            .bind(source)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(item_from_row).transpose()
    }

    async fn work_items(&self, f: &WorkFilter) -> Result<Vec<WorkItemRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM work_items WHERE 1 = 1");
        if let Some(p) = f.region_prefix.as_deref().filter(|p| !p.is_empty()) {
            q.push(" AND region LIKE ")
                .push_bind(format!("{}%", escape_like(p)))
                .push(" ESCAPE '\\'");
        }
        if let Some(b) = &f.body {
            q.push(" AND id IN (SELECT item_id FROM work_item_parties WHERE body_uscc = ")
                .push_bind(b.clone());
            if let Some(before) = f.before {
                q.push(" AND item_id < ").push_bind(enc(before));
            }
            q.push(")");
        }
        if let Some(h) = &f.handler {
            q.push(" AND handler = ").push_bind(h.clone());
        }
        if let Some(k) = &f.kind {
            q.push(" AND kind = ").push_bind(k.clone());
        }
        if let Some(s) = &f.state {
            q.push(" AND state = ").push_bind(s.clone());
        }
        if f.open_only {
            q.push(" AND closed_on IS NULL");
        }
        if let Some(day) = f.overdue_on {
            q.push(" AND closed_on IS NULL AND due_on < ")
                .push_bind(day);
        }
        if let Some(before) = f.before {
            q.push(" AND id < ").push_bind(enc(before));
        }
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(5000) };
        q.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(item_from_row).collect()
    }

    async fn work_items_by_id(&self, ids: &[Uuid]) -> Result<Vec<WorkItemRow>> {
        by_ids(self, ids).await
    }

    async fn work_parties(&self, item_ids: &[Uuid]) -> Result<Vec<WorkPartyRow>> {
        let mut out = Vec::new();
        for part in item_ids.chunks(500) {
            let mut q =
                sqlx::QueryBuilder::<Db>::new("SELECT * FROM work_item_parties WHERE item_id IN (");
            let mut sep = q.separated(", ");
            for id in part {
                sep.push_bind(enc(*id));
            }
            q.push(") ORDER BY item_id, party, body_uscc");
            for r in q.build().fetch_all(&self.pool).await? {
                out.push(party_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn work_events(&self, item_id: Uuid) -> Result<Vec<WorkEventRow>> {
        let rows = sqlx::query("SELECT * FROM work_item_events WHERE item_id = $1 ORDER BY at, id")
            .bind(enc(item_id))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(event_from_row).collect()
    }

    async fn work_files(&self, item_id: Uuid) -> Result<Vec<WorkFileRow>> {
        let rows = sqlx::query("SELECT * FROM work_item_files WHERE item_id = $1 ORDER BY at, id")
            .bind(enc(item_id))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(file_from_row).collect()
    }

    async fn change_work_item(&self, actor: &str, ch: WorkChange) -> Result<()> {
        let i = ch.item;
        let (mut tx, mut head) = begin_write(self).await?;
        let done = sqlx::query(
            "UPDATE work_items SET state = $1, deadline = $2, due_on = $3, reopens = $4, \
             outcome = $5, closed_on = $6, remind_stage = $7, next_remind_on = $8, handler = $9, \
             updated_at = $10, version = $11 WHERE id = $12 AND version = $13",
        )
        .bind(&i.state)
        .bind(i.deadline)
        .bind(i.due_on)
        .bind(i.reopens)
        .bind(&i.outcome)
        .bind(i.closed_on)
        .bind(i.remind_stage)
        .bind(i.next_remind_on)
        .bind(&i.handler)
        .bind(micros(i.updated_at))
        .bind(ch.expected_version + 1)
        .bind(enc(i.id))
        .bind(ch.expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: ch.expected_version,
                current: -1,
            });
        }
        let mut log = PendingLog::default();
        let stored = item_in(&mut tx, i.id).await?;
        log.push(entry(
            "work_item",
            i.id.to_string(),
            "update",
            state_digest(&stored)?,
        ));
        insert_event(&mut tx, &mut log, &ch.event).await?;
        insert_files(&mut tx, &mut log, &ch.files).await?;
        for c in &ch.contents {
            sqlx::query(
                "INSERT INTO work_item_contents (file_id, item_id, kind, content) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(enc(c.file_id))
            .bind(enc(c.item_id))
            .bind(&c.kind)
            .bind(&c.content)
            .execute(&mut *tx)
            .await?;
            log.push(entry(
                "work_item_content",
                c.file_id.to_string(),
                "create",
                content_digest(c)?,
            ));
        }
        if let Some(a) = &ch.arrear {
            super::arrears::enter_one_tx(&mut tx, &mut log, a).await?;
        }
        insert_notifications_tx(&mut tx, &mut log, &ch.notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        if let Some(r) = ch.record {
            create_record_tx(&mut tx, &mut head, actor, r).await?;
        }
        commit(tx, head).await
    }

    async fn work_items_to_remind(
        &self,
        today: chrono::NaiveDate,
        limit: i64,
    ) -> Result<Vec<WorkItemRow>> {
        let rows = sqlx::query(
            "SELECT * FROM work_items WHERE next_remind_on IS NOT NULL AND next_remind_on <= $1 \
             ORDER BY next_remind_on, id LIMIT $2",
        )
        .bind(today)
        .bind(limit.clamp(1, 100_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_from_row).collect()
    }

    async fn mark_work_reminded(
        &self,
        actor: &str,
        marks: &[WorkMark],
        notifications: &[NotificationRow],
    ) -> Result<usize> {
        if marks.is_empty() && notifications.is_empty() {
            return Ok(0);
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        for m in marks {
            sqlx::query(
                "UPDATE work_items SET remind_stage = $1, next_remind_on = $2 WHERE id = $3",
            )
            .bind(m.stage)
            .bind(m.next_remind_on)
            .bind(enc(m.item_id))
            .execute(&mut *tx)
            .await?;
        }
        for part in marks.chunks(500) {
            let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM work_items WHERE id IN (");
            let mut sep = q.separated(", ");
            for m in part {
                sep.push_bind(enc(m.item_id));
            }
            q.push(")");
            for r in q.build().fetch_all(&mut *tx).await? {
                let it = item_from_row(&r)?;
                log.push(entry(
                    "work_item",
                    it.id.to_string(),
                    "remind",
                    state_digest(&it)?,
                ));
            }
        }
        let stored = insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        let group = format!("work-sweep:{}", now().format("%Y%m%dT%H%M%S%.6f"));
        log.flush_grouped(&mut tx, &mut head, actor, &group).await?;
        commit(tx, head).await?;
        Ok(stored.len())
    }

    async fn hotline_tickets(&self, ticket_nos: &[String]) -> Result<Vec<HotlineTicketRow>> {
        let mut out = Vec::new();
        for part in ticket_nos.chunks(500) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT * FROM work_hotline_tickets WHERE ticket_no IN (",
            );
            let mut sep = q.separated(", ");
            for n in part {
                sep.push_bind(n.as_str());
            }
            q.push(")");
            for r in q.build().fetch_all(&self.pool).await? {
                out.push(ticket_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn hotline_ticket_of(&self, item_id: Uuid) -> Result<Option<HotlineTicketRow>> {
        let row = sqlx::query("SELECT * FROM work_hotline_tickets WHERE item_id = $1")
            .bind(enc(item_id))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(ticket_from_row).transpose()
    }

    async fn import_hotline(&self, actor: &str, rows: &[HotlineImport]) -> Result<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        for r in rows {
            check_item(&r.item, &r.parties)?;
        }
        let items: Vec<WorkItemRow> = rows
            .iter()
            .map(|r| WorkItemRow {
                created_at: micros(r.item.created_at),
                updated_at: micros(r.item.updated_at),
                ..r.item.clone()
            })
            .collect();
        let tickets: Vec<HotlineTicketRow> = rows
            .iter()
            .map(|r| HotlineTicketRow {
                imported_at: micros(r.ticket.imported_at),
                ..r.ticket.clone()
            })
            .collect();
        let parties: Vec<&WorkPartyRow> = rows.iter().flat_map(|r| r.parties.iter()).collect();
        // No `open` event row: the ticket row records when and how the item came in, and the
        // timeline shows it from there (`app::work::hotline::opened`).
        let mut log = PendingLog::default();
        for i in &items {
            log.push(entry(
                "work_item",
                i.id.to_string(),
                "create",
                state_digest(i)?,
            ));
        }
        for p in &parties {
            log.push(entry(
                "work_item_party",
                format!("{}:{}:{}", p.item_id, p.party, p.body_uscc),
                "create",
                state_digest(*p)?,
            ));
        }
        for t in &tickets {
            log.push(entry(
                "work_hotline_ticket",
                t.ticket_no.clone(),
                "create",
                state_digest(t)?,
            ));
        }
        let (mut tx, mut head) = begin_write(self).await?;
        super::bulk::work_items::insert_items(&mut tx, &items).await?;
        super::bulk::work_items::insert_parties(&mut tx, &parties).await?;
        super::bulk::work_items::insert_tickets(&mut tx, &tickets).await?;
        let group = format!(
            "hotline-import:{}:{}",
            now().format("%Y%m%dT%H%M%S%.6f"),
            items[0].id
        );
        log.flush_grouped(&mut tx, &mut head, actor, &group).await?;
        commit(tx, head).await?;
        Ok(items.len())
    }

    async fn create_task_report(
        &self,
        actor: &str,
        r: &TaskReportRow,
        notifications: &[NotificationRow],
    ) -> Result<bool> {
        let r = TaskReportRow {
            at: micros(r.at),
            ..r.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        let taken = sqlx::query(
            "SELECT id FROM work_task_reports WHERE task_code = $1 AND quarter = $2 \
             AND unit_uscc = $3",
        )
        .bind(&r.task_code)
        .bind(&r.quarter)
        .bind(&r.unit_uscc)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO work_task_reports (id, task_code, quarter, unit_uscc, unit_name, region, \
             text, files, reported_by, on_date, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(enc(r.id))
        .bind(&r.task_code)
        .bind(&r.quarter)
        .bind(&r.unit_uscc)
        .bind(&r.unit_name)
        .bind(&r.region)
        .bind(&r.text)
        .bind(&r.files)
        .bind(&r.reported_by)
        .bind(r.on_date)
        .bind(r.at)
        .execute(&mut *tx)
        .await?;
        let mut log = PendingLog::default();
        log.push(entry(
            "work_task_report",
            r.id.to_string(),
            "create",
            state_digest(&r)?,
        ));
        insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(true)
    }

    async fn task_reports(&self, quarter: Option<&str>) -> Result<Vec<TaskReportRow>> {
        let rows = match quarter {
            Some(q) => {
                sqlx::query(
                    "SELECT * FROM work_task_reports WHERE quarter = $1 \
                     ORDER BY task_code, unit_uscc",
                )
                .bind(q)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(
                    "SELECT * FROM work_task_reports ORDER BY quarter, task_code, unit_uscc",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(task_report_from_row).collect()
    }

    async fn create_public_complaint(
        &self,
        actor: &str,
        item: &WorkItemRow,
        parties: &[WorkPartyRow],
        event: &WorkEventRow,
        notifications: &[NotificationRow],
        filing: &PublicFilingRow,
    ) -> Result<()> {
        check_item(item, parties)?;
        let i = WorkItemRow {
            created_at: micros(item.created_at),
            updated_at: micros(item.updated_at),
            ..item.clone()
        };
        let f = PublicFilingRow {
            filed_at: micros(filing.filed_at),
            ..filing.clone()
        };
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        insert_item(&mut tx, &mut log, &i, parties).await?;
        sqlx::query(
            "INSERT INTO work_public_filings (item_id, access_hash, name_sealed, contact_sealed, \
             account, filed_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(enc(f.item_id))
        .bind(&f.access_hash)
        .bind(&f.name_sealed)
        .bind(&f.contact_sealed)
        .bind(&f.account)
        .bind(f.filed_at)
        .execute(&mut *tx)
        .await?;
        log.push(entry(
            "work_public_filing",
            f.item_id.to_string(),
            "create",
            state_digest(&f)?,
        ));
        insert_event(&mut tx, &mut log, event).await?;
        insert_notifications_tx(&mut tx, &mut log, notifications).await?;
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await
    }

    async fn public_filing(&self, item_id: Uuid) -> Result<Option<PublicFilingRow>> {
        let row = sqlx::query("SELECT * FROM work_public_filings WHERE item_id = $1")
            .bind(enc(item_id))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(filing_from_row).transpose()
    }

    async fn work_content(&self, file_id: Uuid) -> Result<Option<WorkContentRow>> {
        let row = sqlx::query("SELECT * FROM work_item_contents WHERE file_id = $1")
            .bind(enc(file_id))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(content_from_row).transpose()
    }
}
