//! Records: versioned writes with history (shared with batches and rights decisions) and the
//! record queries.

use async_trait::async_trait;
use chengxin_domain::records::correction::FieldChange;
use chengxin_domain::records::{Record, RecordHistoryEntry, RecordStatus};
use chrono::NaiveDate;
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, DbRow, Head, Tx};
use super::{bad_row, blank, dec, enc, Db, Inner, UuidCol, VISIBLE};
use crate::changelog::{self, now, state_digest};
use crate::error::{Result, StoreError};
use crate::{NewRecord, PublishedFilter, RecordChange, RecordRedaction, RecordStore};

type FieldMap = serde_json::Map<String, serde_json::Value>;

pub(super) fn record_from_row(row: &DbRow) -> Result<Record> {
    let status: String = row.try_get("status")?;
    Ok(Record {
        id: dec(row.try_get("id")?),
        type_code: row.try_get("type_code")?,
        subject_id: row.try_get::<Option<UuidCol>, _>("subject_id")?.map(dec),
        subject_name: row.try_get("subject_name")?,
        doc_no: row.try_get("doc_no")?,
        decision_date: row.try_get("decision_date")?,
        source_dept: row.try_get("source_dept")?,
        batch_id: row.try_get::<Option<UuidCol>, _>("batch_id")?.map(dec),
        fields: row.try_get::<Json<FieldMap>, _>("fields")?.0,
        severity: row.try_get("severity")?,
        status: RecordStatus::parse(&status).ok_or_else(|| bad_row("记录状态", &status))?,
        tolerated: row.try_get("tolerated")?,
        published_at: row.try_get("published_at")?,
        publish_until: row.try_get("publish_until")?,
        content_digest: row.try_get("content_digest")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) fn history_from_row(row: &DbRow) -> Result<RecordHistoryEntry> {
    let status: String = row.try_get("status")?;
    Ok(RecordHistoryEntry {
        record_id: dec(row.try_get("record_id")?),
        version: row.try_get("version")?,
        action: row.try_get("action")?,
        status: RecordStatus::parse(&status).ok_or_else(|| bad_row("记录状态", &status))?,
        fields: row.try_get::<Json<FieldMap>, _>("fields")?.0,
        actor: row.try_get("actor")?,
        note: row.try_get("note")?,
        at: row.try_get("at")?,
        changes: row
            .try_get::<Option<Json<Vec<FieldChange>>>, _>("changes")?
            .map(|c| c.0)
            .unwrap_or_default(),
    })
}

/// Digest of a record's submitted content when the caller gives none.
fn default_content_digest(
    fields: &FieldMap,
    decision_date: NaiveDate,
    severity: &Option<String>,
) -> Result<String> {
    state_digest(
        &serde_json::json!({"fields": fields, "decision_date": decision_date, "severity": severity}),
    )
}

pub(super) fn history_id(record_id: Uuid, version: i64) -> String {
    format!("{record_id}:{version}")
}

/// The creation entry of a record imported by a batch. Such records have no stored history
/// row for version 1: the record row and its batch already say who, when and what, and
/// writing a second copy of every imported row's fields would double the cost of a bulk
/// import. The entry is synthesised when history is read, and written out (see
/// `base_history`) before the record first changes, so no version is ever lost.
pub(super) fn implicit_create(r: &Record, batch_id: Uuid, actor: String) -> RecordHistoryEntry {
    RecordHistoryEntry {
        record_id: r.id,
        version: 1,
        action: "create".into(),
        status: r.status,
        fields: r.fields.clone(),
        actor,
        note: Some(format!("批次 {batch_id}")),
        at: r.created_at,
        changes: Vec::new(),
    }
}

/// For a batch-imported record still at version 1 without a stored creation entry: that
/// entry, to be inserted (and logged) before the record is changed.
pub(super) async fn base_history(
    tx: &mut Tx<'_>,
    old: &Record,
) -> Result<Option<RecordHistoryEntry>> {
    let Some(batch_id) = old.batch_id else {
        return Ok(None);
    };
    if old.version != 1 {
        return Ok(None);
    }
    let stored: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM record_history WHERE record_id = $1 AND version = 1",
    )
    .bind(enc(old.id))
    .fetch_optional(&mut **tx)
    .await?;
    if stored.is_some() {
        return Ok(None);
    }
    let actor: Option<String> =
        sqlx::query_scalar("SELECT submitted_by FROM batches WHERE id = $1")
            .bind(enc(batch_id))
            .fetch_optional(&mut **tx)
            .await?;
    Ok(Some(implicit_create(
        old,
        batch_id,
        actor.unwrap_or_default(),
    )))
}

/// The `changes` column of a history row: NULL when the entry has none.
pub(super) fn changes_column(changes: &[FieldChange]) -> Option<Json<&[FieldChange]>> {
    (!changes.is_empty()).then_some(Json(changes))
}

pub(super) async fn insert_history(
    tx: &mut Tx<'_>,
    head: &mut Head,
    h: &RecordHistoryEntry,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO record_history (record_id, version, action, status, fields, actor, note, at, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(enc(h.record_id))
    .bind(h.version)
    .bind(&h.action)
    .bind(h.status.as_str())
    .bind(Json(&h.fields))
    .bind(&h.actor)
    .bind(&h.note)
    .bind(h.at)
    .bind(changes_column(&h.changes))
    .execute(&mut **tx)
    .await?;
    append(
        tx,
        head,
        &h.actor,
        "record_history",
        &history_id(h.record_id, h.version),
        "create",
        Some(state_digest(h)?),
    )
    .await
}

pub(super) async fn write_record(
    tx: &mut Tx<'_>,
    r: &Record,
    insert: bool,
    expected_version: i64,
) -> Result<()> {
    let sql = if insert {
        "INSERT INTO records (type_code, subject_id, subject_name, doc_no, decision_date, source_dept, batch_id, \
         fields, severity, status, tolerated, published_at, publish_until, version, created_at, updated_at, id, content_digest) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    } else {
        "UPDATE records SET type_code = $1, subject_id = $2, subject_name = $3, doc_no = $4, decision_date = $5, \
         source_dept = $6, batch_id = $7, fields = $8, severity = $9, status = $10, tolerated = $11, \
         published_at = $12, publish_until = $13, version = $14, created_at = $15, updated_at = $16, \
         content_digest = $18 WHERE id = $17 AND version = $19"
    };
    let query = sqlx::query(sql)
        .bind(&r.type_code)
        .bind(r.subject_id.map(enc))
        .bind(&r.subject_name)
        .bind(&r.doc_no)
        .bind(r.decision_date)
        .bind(&r.source_dept)
        .bind(r.batch_id.map(enc))
        .bind(Json(&r.fields))
        .bind(&r.severity)
        .bind(r.status.as_str())
        .bind(r.tolerated)
        .bind(r.published_at)
        .bind(r.publish_until)
        .bind(r.version)
        .bind(r.created_at)
        .bind(r.updated_at)
        .bind(enc(r.id))
        .bind(&r.content_digest);
    let query = if insert {
        query
    } else {
        query.bind(expected_version)
    };
    let done = query.execute(&mut **tx).await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            expected: expected_version,
            current: -1,
        });
    }
    Ok(())
}

/// The digest of a record's sealed free texts (the `record_text` entity's state).
pub(super) fn texts_digest(sealed: &str) -> Result<String> {
    state_digest(&sealed)
}

/// Keep a record's sealed free texts (`None`: drop them) inside a write transaction. Returns
/// the change-log action and digest to append (`"delete"` without one), or `None` when
/// nothing was there to drop.
pub(super) async fn put_texts(
    tx: &mut Tx<'_>,
    record_id: Uuid,
    sealed: Option<&str>,
) -> Result<Option<(&'static str, Option<String>)>> {
    let dropped = sqlx::query("DELETE FROM record_texts WHERE record_id = $1")
        .bind(enc(record_id))
        .execute(&mut **tx)
        .await?
        .rows_affected()
        > 0;
    match sealed {
        Some(sealed) => {
            sqlx::query("INSERT INTO record_texts (record_id, sealed) VALUES ($1, $2)")
                .bind(enc(record_id))
                .bind(sealed)
                .execute(&mut **tx)
                .await?;
            Ok(Some(("set", Some(texts_digest(sealed)?))))
        }
        None if dropped => Ok(Some(("delete", None))),
        None => Ok(None),
    }
}

/// [`put_texts`], its entry appended to the chain.
async fn put_texts_logged(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    record_id: Uuid,
    sealed: Option<&str>,
) -> Result<()> {
    if let Some((action, digest)) = put_texts(tx, record_id, sealed).await? {
        append(
            tx,
            head,
            actor,
            "record_text",
            &record_id.to_string(),
            action,
            digest,
        )
        .await?;
    }
    Ok(())
}

/// Change a record inside a write transaction: versioned, with history and change-log
/// entries. Shared by `change_record` and writes that change a record together with
/// something else (an application decided on it).
pub(super) async fn change_record_tx(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    c: RecordChange,
) -> Result<Record> {
    let row = sqlx::query(&format!(
        "SELECT * FROM records WHERE id = $1 AND {VISIBLE}"
    ))
    .bind(enc(c.id))
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        entity: "记录",
        id: c.id.to_string(),
    })?;
    let mut r = record_from_row(&row)?;
    if r.version != c.expected_version {
        return Err(StoreError::Conflict {
            expected: c.expected_version,
            current: r.version,
        });
    }
    let base = base_history(tx, &r).await?;
    let t = now();
    if let Some(status) = c.status {
        if status == RecordStatus::Published && r.status != RecordStatus::Published {
            r.published_at = Some(t);
        }
        r.status = status;
    }
    if let Some(name) = c.subject_name {
        r.subject_name = name;
    }
    if let Some(date) = c.decision_date {
        r.decision_date = date;
    }
    if let Some(fields) = c.fields {
        r.fields = fields;
        r.content_digest = match c.content_digest {
            Some(d) => d,
            None => default_content_digest(&r.fields, r.decision_date, &r.severity)?,
        };
    }
    if let Some(tol) = c.tolerated {
        r.tolerated = tol;
    }
    if let Some(until) = c.publish_until {
        r.publish_until = until;
    }
    let expected = r.version;
    r.version += 1;
    r.updated_at = t;
    write_record(tx, &r, false, expected).await?;
    append(
        tx,
        head,
        actor,
        "record",
        &r.id.to_string(),
        &c.action,
        Some(state_digest(&r)?),
    )
    .await?;
    if let Some(b) = base {
        insert_history(tx, head, &b).await?;
    }
    let h = RecordHistoryEntry {
        record_id: r.id,
        version: r.version,
        action: c.action,
        status: r.status,
        fields: r.fields.clone(),
        actor: actor.to_string(),
        note: c.note,
        at: t,
        changes: c.changes,
    };
    insert_history(tx, head, &h).await?;
    if let Some(texts) = c.texts_sealed {
        put_texts_logged(tx, head, actor, r.id, texts.as_deref()).await?;
    }
    Ok(r)
}

/// Rewrite a stored history entry in place (a redaction), logged.
async fn rewrite_history(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    action: &str,
    h: &RecordHistoryEntry,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE record_history SET fields = $1, note = $2, changes = $3          WHERE record_id = $4 AND version = $5",
    )
    .bind(Json(&h.fields))
    .bind(&h.note)
    .bind(changes_column(&h.changes))
    .bind(enc(h.record_id))
    .bind(h.version)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::NotFound {
            entity: "记录历史",
            id: history_id(h.record_id, h.version),
        });
    }
    append(
        tx,
        head,
        actor,
        "record_history",
        &history_id(h.record_id, h.version),
        action,
        Some(state_digest(h)?),
    )
    .await
}

/// ` WHERE status = 'published' …` for [`PublishedFilter`].
fn push_published_filter(q: &mut sqlx::QueryBuilder<'_, Db>, f: &PublishedFilter) {
    q.push(" WHERE status = 'published' AND ").push(VISIBLE);
    if !f.type_codes.is_empty() {
        q.push(" AND type_code IN (");
        let mut sep = q.separated(", ");
        for t in &f.type_codes {
            sep.push_bind(t.clone());
        }
        q.push(")");
    }
    if let Some(d) = &f.source_dept {
        q.push(" AND source_dept = ").push_bind(d.clone());
    }
    if let Some(d) = f.decided_from {
        q.push(" AND decision_date >= ").push_bind(d);
    }
    if let Some(d) = f.decided_to {
        q.push(" AND decision_date <= ").push_bind(d);
    }
    if f.exclude_tolerated {
        q.push(" AND tolerated = ").push_bind(false);
    }
    if !f.subject_kinds.is_empty() {
        q.push(" AND subject_id IN (SELECT id FROM subjects WHERE kind IN (");
        let mut sep = q.separated(", ");
        for k in &f.subject_kinds {
            sep.push_bind(k.as_str());
        }
        q.push("))");
    }
}

/// Create a record in a write transaction the caller holds (a commitment's breach decision
/// writes its 失信 record with the decision): the same checks, rows and entries as
/// [`RecordStore::create_record`].
pub(super) async fn create_record_tx(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    r: NewRecord,
) -> Result<Record> {
    if blank(&r.doc_no) {
        return Err(StoreError::Invalid("文书号不能为空".into()));
    }
    if blank(&r.subject_name) {
        return Err(StoreError::Invalid("主体名称不能为空".into()));
    }
    let dup: Option<UuidCol> = sqlx::query_scalar(
        "SELECT id FROM records WHERE source_dept = $1 AND type_code = $2 AND doc_no = $3",
    )
    .bind(&r.source_dept)
    .bind(&r.type_code)
    .bind(&r.doc_no)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = dup {
        return Err(StoreError::Duplicate(format!(
            "部门 {} 的文书号 {} 已有记录 {}",
            r.source_dept,
            r.doc_no,
            dec(id)
        )));
    }
    let t = now();
    let content_digest = match r.content_digest {
        Some(d) => d,
        None => default_content_digest(&r.fields, r.decision_date, &r.severity)?,
    };
    let record = Record {
        id: Uuid::now_v7(),
        type_code: r.type_code,
        subject_id: r.subject_id,
        subject_name: r.subject_name.trim().to_string(),
        doc_no: r.doc_no.trim().to_string(),
        decision_date: r.decision_date,
        source_dept: r.source_dept,
        batch_id: r.batch_id,
        fields: r.fields,
        severity: r.severity,
        status: r.status,
        tolerated: false,
        // A given publication time stands (a record published, then expired, on an older
        // platform); otherwise a record created published is published now.
        published_at: r
            .published_at
            .map(changelog::micros)
            .or((r.status == RecordStatus::Published).then_some(t)),
        publish_until: r.publish_until,
        content_digest,
        version: 1,
        created_at: t,
        updated_at: t,
    };
    write_record(tx, &record, true, 0).await?;
    append(
        tx,
        head,
        actor,
        "record",
        &record.id.to_string(),
        "create",
        Some(state_digest(&record)?),
    )
    .await?;
    let h = RecordHistoryEntry {
        record_id: record.id,
        version: 1,
        action: "create".into(),
        status: record.status,
        fields: record.fields.clone(),
        actor: actor.to_string(),
        note: None,
        at: t,
        changes: Vec::new(),
    };
    insert_history(tx, head, &h).await?;
    Ok(record)
}

#[async_trait]
impl RecordStore for Inner {
    async fn create_record(&self, actor: &str, r: NewRecord) -> Result<Record> {
        let (mut tx, mut head) = begin_write(self).await?;
        let record = create_record_tx(&mut tx, &mut head, actor, r).await?;
        commit(tx, head).await?;
        Ok(record)
    }

    async fn change_record(&self, actor: &str, c: RecordChange) -> Result<Record> {
        let (mut tx, mut head) = begin_write(self).await?;
        let r = change_record_tx(&mut tx, &mut head, actor, c).await?;
        commit(tx, head).await?;
        Ok(r)
    }

    async fn record(&self, id: Uuid) -> Result<Option<Record>> {
        sqlx::query(&format!(
            "SELECT * FROM records WHERE id = $1 AND {VISIBLE}"
        ))
        .bind(enc(id))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(record_from_row)
        .transpose()
    }

    async fn record_history(&self, id: Uuid) -> Result<Vec<RecordHistoryEntry>> {
        let rows =
            sqlx::query("SELECT * FROM record_history WHERE record_id = $1 ORDER BY version")
                .bind(enc(id))
                .fetch_all(&self.pool)
                .await?;
        let mut out = rows
            .iter()
            .map(history_from_row)
            .collect::<Result<Vec<_>>>()?;
        if out.first().map(|h| h.version) != Some(1) {
            if let Some(r) = self.record(id).await? {
                if let (Some(batch_id), 1) = (r.batch_id, r.version) {
                    let actor: Option<String> =
                        sqlx::query_scalar("SELECT submitted_by FROM batches WHERE id = $1")
                            .bind(enc(batch_id))
                            .fetch_optional(&self.pool)
                            .await?;
                    out.insert(0, implicit_create(&r, batch_id, actor.unwrap_or_default()));
                }
            }
        }
        Ok(out)
    }

    async fn count_records(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(&super::count_visible("records"))
            .fetch_one(&self.pool)
            .await?)
    }

    async fn records_decided(
        &self,
        type_codes: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Record>> {
        if type_codes.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT * FROM records WHERE {VISIBLE} AND type_code IN ("
        ));
        let mut sep = q.separated(", ");
        for t in type_codes {
            sep.push_bind(t.as_str());
        }
        q.push(") AND decision_date >= ").push_bind(from);
        q.push(" AND decision_date <= ").push_bind(to);
        q.push(" ORDER BY source_dept, decision_date, doc_no");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn records_due_for_expiry(&self, today: NaiveDate, limit: i64) -> Result<Vec<Record>> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM records WHERE status = 'published' AND publish_until IS NOT NULL \
             AND publish_until < $1 AND {VISIBLE} ORDER BY publish_until, id LIMIT $2"
        ))
        .bind(today)
        .bind(limit.clamp(1, 100_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn records_in_status(
        &self,
        type_codes: &[String],
        status: RecordStatus,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Record>> {
        if type_codes.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT * FROM records WHERE {VISIBLE} AND status = "
        ));
        q.push_bind(status.as_str()).push(" AND type_code IN (");
        let mut sep = q.separated(", ");
        for t in type_codes {
            sep.push_bind(t.clone());
        }
        q.push(")");
        if let Some(a) = after {
            q.push(" AND id > ").push_bind(enc(a));
        }
        q.push(" ORDER BY id LIMIT ")
            .push_bind(limit.clamp(1, 100_000));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn published_records(&self, f: &PublishedFilter) -> Result<Vec<Record>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM records");
        push_published_filter(&mut q, f);
        let limit = if f.limit <= 0 {
            20
        } else {
            f.limit.min(10_000)
        };
        q.push(" ORDER BY decision_date DESC, id DESC LIMIT ")
            .push_bind(limit);
        q.push(" OFFSET ").push_bind(f.offset.max(0));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn count_published_records(&self, f: &PublishedFilter) -> Result<i64> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT COUNT(*) FROM records");
        push_published_filter(&mut q, f);
        Ok(q.build_query_scalar().fetch_one(&self.pool).await?)
    }

    async fn published_record_sources(&self, type_codes: &[String]) -> Result<Vec<(String, i64)>> {
        let f = PublishedFilter {
            type_codes: type_codes.to_vec(),
            ..Default::default()
        };
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT source_dept, COUNT(*) AS n FROM records");
        push_published_filter(&mut q, &f);
        q.push(" GROUP BY source_dept ORDER BY source_dept LIMIT 1000");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("source_dept")?, r.try_get("n")?)))
            .collect()
    }

    async fn record_texts(&self, id: Uuid) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT sealed FROM record_texts WHERE record_id = $1")
                .bind(enc(id))
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn redact_record(&self, actor: &str, c: RecordRedaction) -> Result<Record> {
        let (mut tx, mut head) = begin_write(self).await?;
        let row = sqlx::query("SELECT * FROM records WHERE id = $1")
            .bind(enc(c.id))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "记录",
                id: c.id.to_string(),
            })?;
        let mut r = record_from_row(&row)?;
        if r.version != c.expected_version {
            return Err(StoreError::Conflict {
                expected: c.expected_version,
                current: r.version,
            });
        }
        // A batch-imported record's creation entry, not stored yet, is written masked: its
        // content is the record's, unchanged since.
        if let Some(mut b) = base_history(&mut tx, &r).await? {
            b.fields = c.fields.clone();
            insert_history(&mut tx, &mut head, &b).await?;
        }
        for h in &c.history {
            if h.record_id != r.id || h.version > r.version {
                return Err(StoreError::Invalid(format!(
                    "记录 {} 没有第 {} 版历史",
                    r.id, h.version
                )));
            }
            rewrite_history(&mut tx, &mut head, actor, &c.action, h).await?;
        }
        let t = now();
        let expected = r.version;
        r.fields = c.fields;
        r.subject_name = c.subject_name;
        r.version += 1;
        r.updated_at = t;
        write_record(&mut tx, &r, false, expected).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "record",
            &r.id.to_string(),
            &c.action,
            Some(state_digest(&r)?),
        )
        .await?;
        let h = RecordHistoryEntry {
            record_id: r.id,
            version: r.version,
            action: c.action,
            status: r.status,
            fields: r.fields.clone(),
            actor: actor.to_string(),
            note: Some(c.note),
            at: t,
            changes: Vec::new(),
        };
        insert_history(&mut tx, &mut head, &h).await?;
        put_texts_logged(&mut tx, &mut head, actor, r.id, Some(&c.texts_sealed)).await?;
        commit(tx, head).await?;
        Ok(r)
    }

    async fn records_of_subject(&self, subject_id: Uuid) -> Result<Vec<Record>> {
        sqlx::query(&format!(
            "SELECT * FROM records WHERE subject_id = $1 AND {VISIBLE} ORDER BY id"
        ))
        .bind(enc(subject_id))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(record_from_row)
        .collect()
    }
}
