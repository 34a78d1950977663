//! Batch import (报送批次), compiled once per backend like `common.rs`.
//!
//! A batch writes in one transaction holding the change-log head: rows go in with multi-row
//! INSERTs (a few hundred per statement), every created or changed entity still gets its own
//! chained log entry, and dropping the writer without `commit` rolls it all back.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chengxin_domain::records::{Record, RecordAction, RecordHistoryEntry, RecordStatus};
use chengxin_domain::subjects::Subject;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::common::{
    begin_write, commit, entry, record_from_row, subject_from_row, Head, PendingLog, Tx,
};
use super::{dec, enc, Db, FORMER_NAMES_TEXT};
use crate::changelog::{now, state_digest};
use crate::error::{Result, StoreError};
use crate::{Batch, BatchWriter, ImportRow, LinkCandidate, NewBatch, RejectedRow, RowOutcome};

/// Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535
/// bind-parameter limits for the widest table (records, 18 columns).
const CHUNK: usize = 500;

pub(crate) struct Writer {
    tx: Option<Tx>,
    head: Head,
    actor: String,
    batch: Batch,
    published_at: DateTime<Utc>,
    seen: HashSet<String>,
}

pub(crate) async fn begin(pool: &sqlx::Pool<Db>, actor: &str, b: NewBatch) -> Result<Writer> {
    let (mut tx, head) = begin_write(pool).await?;
    for stmt in super::BATCH_SETUP {
        sqlx::query(stmt).execute(&mut *tx).await?;
    }
    let known: Option<String> =
        sqlx::query_scalar("SELECT code FROM catalog_types WHERE code = $1")
            .bind(&b.type_code)
            .fetch_optional(&mut *tx)
            .await?;
    if known.is_none() {
        return Err(StoreError::NotFound {
            entity: "信息类型",
            id: b.type_code,
        });
    }
    let t = now();
    let batch = Batch {
        id: Uuid::now_v7(),
        type_code: b.type_code,
        source_dept: b.source_dept,
        file_name: b.file_name,
        file_sha256: b.file_sha256,
        format: b.format,
        encoding: b.encoding,
        submitted_by: actor.to_string(),
        submitted_at: t,
        total: 0,
        created: 0,
        corrected: 0,
        duplicates: 0,
        rejected: 0,
        queued: 0,
        subjects_created: 0,
        unknown_columns: Vec::new(),
        headers: b.headers,
    };
    // The row exists from the start so rejected rows can reference it; its final state is
    // written (and logged) at commit.
    write_batch_row(&mut tx, &batch, true).await?;
    Ok(Writer {
        tx: Some(tx),
        head,
        actor: actor.to_string(),
        batch,
        published_at: b.published_at.unwrap_or(t),
        seen: HashSet::new(),
    })
}

async fn write_batch_row(tx: &mut Tx, b: &Batch, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO batches (type_code, source_dept, file_name, file_sha256, format, encoding, submitted_by, \
         submitted_at, total, created, corrected, duplicates, rejected, queued, subjects_created, unknown_columns, id, headers) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
    } else {
        "UPDATE batches SET type_code = $1, source_dept = $2, file_name = $3, file_sha256 = $4, format = $5, \
         encoding = $6, submitted_by = $7, submitted_at = $8, total = $9, created = $10, corrected = $11, \
         duplicates = $12, rejected = $13, queued = $14, subjects_created = $15, unknown_columns = $16, headers = $18 \
         WHERE id = $17"
    };
    sqlx::query(sql)
        .bind(&b.type_code)
        .bind(&b.source_dept)
        .bind(&b.file_name)
        .bind(&b.file_sha256)
        .bind(&b.format)
        .bind(&b.encoding)
        .bind(&b.submitted_by)
        .bind(b.submitted_at)
        .bind(b.total)
        .bind(b.created)
        .bind(b.corrected)
        .bind(b.duplicates)
        .bind(b.rejected)
        .bind(b.queued)
        .bind(b.subjects_created)
        .bind(Json(&b.unknown_columns))
        .bind(enc(b.id))
        .bind(Json(&b.headers))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) fn batch_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Batch> {
    Ok(Batch {
        id: dec(row.try_get("id")?),
        type_code: row.try_get("type_code")?,
        source_dept: row.try_get("source_dept")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        format: row.try_get("format")?,
        encoding: row.try_get("encoding")?,
        submitted_by: row.try_get("submitted_by")?,
        submitted_at: row.try_get("submitted_at")?,
        total: row.try_get("total")?,
        created: row.try_get("created")?,
        corrected: row.try_get("corrected")?,
        duplicates: row.try_get("duplicates")?,
        rejected: row.try_get("rejected")?,
        queued: row.try_get("queued")?,
        subjects_created: row.try_get("subjects_created")?,
        unknown_columns: row.try_get::<Json<Vec<String>>, _>("unknown_columns")?.0,
        headers: row.try_get::<Json<Vec<String>>, _>("headers")?.0,
    })
}

pub(crate) fn reject_from_row(row: &<Db as sqlx::Database>::Row) -> Result<RejectedRow> {
    Ok(RejectedRow {
        row: u64::try_from(row.try_get::<i64, _>("row_no")?).unwrap_or(0),
        cells: row.try_get::<Json<Vec<String>>, _>("cells")?.0,
        reasons: row.try_get::<Json<Vec<String>>, _>("reasons")?.0,
    })
}

/// The state of a `batch_reject` entity, for its log digest.
#[derive(serde::Serialize)]
pub(crate) struct RejectState<'a> {
    pub batch_id: Uuid,
    pub row: &'a RejectedRow,
}

pub(crate) fn reject_id(batch: Uuid, row: u64) -> String {
    format!("{batch}:{row}")
}

impl Writer {
    fn tx(&mut self) -> Result<&mut Tx> {
        self.tx
            .as_mut()
            .ok_or_else(|| StoreError::Invalid("批次已提交".into()))
    }

    /// Look up existing subjects for a set of keys in chunks.
    async fn subjects_by(
        &mut self,
        column: &str,
        keys: &[String],
    ) -> Result<HashMap<String, Uuid>> {
        let mut found = HashMap::new();
        for part in keys.chunks(CHUNK) {
            let mut q = QueryBuilder::<Db>::new(format!(
                "SELECT id, {column} AS k FROM subjects WHERE {column} IN ("
            ));
            let mut sep = q.separated(", ");
            for k in part {
                sep.push_bind(k.as_str());
            }
            q.push(")");
            let rows = q.build().fetch_all(&mut **self.tx()?).await?;
            for r in rows {
                found.insert(r.try_get::<String, _>("k")?, dec(r.try_get("id")?));
            }
        }
        Ok(found)
    }

    async fn existing_records(&mut self, doc_nos: &[&str]) -> Result<HashMap<String, Record>> {
        let mut found = HashMap::new();
        let (dept, ty) = (self.batch.source_dept.clone(), self.batch.type_code.clone());
        for part in doc_nos.chunks(CHUNK) {
            let mut q = QueryBuilder::<Db>::new("SELECT * FROM records WHERE source_dept = ");
            q.push_bind(dept.as_str())
                .push(" AND type_code = ")
                .push_bind(ty.as_str());
            q.push(" AND doc_no IN (");
            let mut sep = q.separated(", ");
            for d in part {
                sep.push_bind(*d);
            }
            q.push(")");
            let rows = q.build().fetch_all(&mut **self.tx()?).await?;
            for r in rows {
                let rec = record_from_row(&r)?;
                found.insert(rec.doc_no.clone(), rec);
            }
        }
        Ok(found)
    }

    async fn candidates(&mut self, name: &str) -> Result<Vec<LinkCandidate>> {
        let prefix: String = name.chars().take(4).collect();
        let sql = format!(
            "SELECT * FROM subjects WHERE name = $1 OR {FORMER_NAMES_TEXT} LIKE $2 OR name LIKE $3 ORDER BY name LIMIT 5"
        );
        let rows = sqlx::query(&sql)
            .bind(name)
            .bind(format!("%\"{name}\"%"))
            .bind(format!("{prefix}%"))
            .fetch_all(&mut **self.tx()?)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let s = subject_from_row(&r)?;
            let reason = if s.name == name {
                "名称完全一致"
            } else if s.former_names.iter().any(|f| f == name) {
                "与曾用名一致"
            } else {
                "名称前缀相同"
            };
            out.push(LinkCandidate {
                subject_id: s.id,
                name: s.name,
                reason: reason.into(),
            });
        }
        Ok(out)
    }
}

async fn insert_subjects(tx: &mut Tx, subjects: &[Subject]) -> Result<()> {
    for part in subjects.chunks(CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO subjects (id, kind, name, uscc, id_hash, id_masked, region, parent_id, former_names, created_at, updated_at, version) ",
        );
        q.push_values(part, |mut b, s| {
            b.push_bind(enc(s.id))
                .push_bind(s.kind.as_str())
                .push_bind(s.name.clone())
                .push_bind(s.uscc.clone())
                .push_bind(s.id_hash.clone())
                .push_bind(s.id_masked.clone())
                .push_bind(s.region.clone())
                .push_bind(s.parent_id.map(enc))
                .push_bind(Json(s.former_names.clone()))
                .push_bind(s.created_at)
                .push_bind(s.updated_at)
                .push_bind(s.version);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_records(tx: &mut Tx, records: &[Record]) -> Result<()> {
    for part in records.chunks(CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO records (id, type_code, subject_id, subject_name, doc_no, decision_date, source_dept, batch_id, \
             fields, severity, status, tolerated, published_at, publish_until, content_digest, version, created_at, updated_at) ",
        );
        q.push_values(part, |mut b, r| {
            b.push_bind(enc(r.id))
                .push_bind(r.type_code.as_str())
                .push_bind(r.subject_id.map(enc))
                .push_bind(r.subject_name.as_str())
                .push_bind(r.doc_no.as_str())
                .push_bind(r.decision_date)
                .push_bind(r.source_dept.as_str())
                .push_bind(r.batch_id.map(enc))
                .push_bind(Json(&r.fields))
                .push_bind(r.severity.as_deref())
                .push_bind(r.status.as_str())
                .push_bind(r.tolerated)
                .push_bind(r.published_at)
                .push_bind(r.publish_until)
                .push_bind(r.content_digest.as_str())
                .push_bind(r.version)
                .push_bind(r.created_at)
                .push_bind(r.updated_at);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_history(tx: &mut Tx, rows: &[RecordHistoryEntry]) -> Result<()> {
    for part in rows.chunks(CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO record_history (record_id, version, action, status, fields, actor, note, at) ",
        );
        q.push_values(part, |mut b, h| {
            b.push_bind(enc(h.record_id))
                .push_bind(h.version)
                .push_bind(h.action.as_str())
                .push_bind(h.status.as_str())
                .push_bind(Json(&h.fields))
                .push_bind(h.actor.as_str())
                .push_bind(h.note.as_deref())
                .push_bind(h.at);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

#[async_trait]
impl BatchWriter for Writer {
    fn id(&self) -> Uuid {
        self.batch.id
    }

    async fn write(&mut self, rows: Vec<ImportRow>) -> Result<Vec<RowOutcome>> {
        let t = now();
        let mut log = PendingLog::default();
        let mut outcomes: Vec<Option<RowOutcome>> = vec![None; rows.len()];
        // 1. Same source key twice in one file: the later row is refused.
        let mut fresh = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            if self.seen.insert(r.doc_no.clone()) {
                fresh.push(i);
            } else {
                outcomes[i] = Some(RowOutcome::DuplicateInFile);
            }
        }

        let t0 = std::time::Instant::now();
        // 2. Resolve subjects by USCC / ID-number hash, creating the new ones.
        let usccs: Vec<String> = fresh
            .iter()
            .filter_map(|&i| rows[i].subject_uscc.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let hashes: Vec<String> = fresh
            .iter()
            .filter(|&&i| rows[i].subject_uscc.is_none())
            .filter_map(|&i| rows[i].subject_id_hash.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut by_uscc = self.subjects_by("uscc", &usccs).await?;
        let mut by_hash = self.subjects_by("id_hash", &hashes).await?;
        let mut new_subjects = Vec::new();
        for &i in &fresh {
            let r = &rows[i];
            let missing = match (&r.subject_uscc, &r.subject_id_hash) {
                (Some(u), _) => !by_uscc.contains_key(u),
                (None, Some(h)) => !by_hash.contains_key(h),
                (None, None) => false,
            };
            if !missing {
                continue;
            }
            let s = Subject {
                id: Uuid::now_v7(),
                kind: r.subject_kind,
                name: r.subject_name.clone(),
                uscc: r.subject_uscc.clone(),
                id_hash: if r.subject_uscc.is_some() {
                    None
                } else {
                    r.subject_id_hash.clone()
                },
                id_masked: if r.subject_uscc.is_some() {
                    None
                } else {
                    r.subject_id_masked.clone()
                },
                region: r.subject_region.clone(),
                parent_id: None,
                former_names: Vec::new(),
                created_at: t,
                updated_at: t,
                version: 1,
            };
            match (&s.uscc, &s.id_hash) {
                (Some(u), _) => by_uscc.insert(u.clone(), s.id),
                (None, Some(h)) => by_hash.insert(h.clone(), s.id),
                _ => None,
            };
            log.push(entry(
                "subject",
                s.id.to_string(),
                "create",
                state_digest(&s)?,
            ));
            new_subjects.push(s);
        }
        self.batch.subjects_created += new_subjects.len() as i64;

        let t1 = t0.elapsed();
        // 3. Existing records with the same source keys.
        let doc_nos: Vec<&str> = fresh.iter().map(|&i| rows[i].doc_no.as_str()).collect();
        let existing = self.existing_records(&doc_nos).await?;

        let mut new_records = Vec::new();
        let mut history = Vec::new();
        let mut updates = Vec::new();
        let mut queued = Vec::new();
        for &i in &fresh {
            let r = &rows[i];
            let subject_id = match (&r.subject_uscc, &r.subject_id_hash) {
                (Some(u), _) => by_uscc.get(u).copied(),
                (None, Some(h)) => by_hash.get(h).copied(),
                (None, None) => None,
            };
            if let Some(old) = existing.get(&r.doc_no) {
                if old.content_digest == r.content_digest {
                    outcomes[i] = Some(RowOutcome::Duplicate(old.id));
                    self.batch.duplicates += 1;
                    continue;
                }
                let negative = old.severity.is_some();
                if RecordAction::Correct
                    .apply(old.status, negative, old.tolerated, None)
                    .is_err()
                {
                    outcomes[i] = Some(RowOutcome::NotCorrectable(old.id));
                    continue;
                }
                let mut rec = old.clone();
                rec.fields = r.fields.clone();
                rec.decision_date = r.decision_date;
                rec.severity = r.severity.clone();
                rec.publish_until = r.publish_until;
                rec.subject_name = r.subject_name.clone();
                if subject_id.is_some() {
                    rec.subject_id = subject_id;
                }
                rec.batch_id = Some(self.batch.id);
                rec.content_digest = r.content_digest.clone();
                rec.version += 1;
                rec.updated_at = t;
                outcomes[i] = Some(RowOutcome::Corrected(rec.id));
                self.batch.corrected += 1;
                updates.push((old.version, rec));
                continue;
            }
            let rec = Record {
                id: Uuid::now_v7(),
                type_code: self.batch.type_code.clone(),
                subject_id,
                subject_name: r.subject_name.clone(),
                doc_no: r.doc_no.clone(),
                decision_date: r.decision_date,
                source_dept: self.batch.source_dept.clone(),
                batch_id: Some(self.batch.id),
                fields: r.fields.clone(),
                severity: r.severity.clone(),
                status: r.status,
                tolerated: false,
                published_at: (r.status == RecordStatus::Published).then_some(self.published_at),
                publish_until: r.publish_until,
                content_digest: r.content_digest.clone(),
                version: 1,
                created_at: t,
                updated_at: t,
            };
            if subject_id.is_none() {
                outcomes[i] = Some(RowOutcome::Queued(rec.id));
                self.batch.queued += 1;
                queued.push((rec.id, rec.subject_name.clone()));
            } else {
                outcomes[i] = Some(RowOutcome::Created(rec.id));
            }
            self.batch.created += 1;
            new_records.push(rec);
        }
        for rec in &new_records {
            log.push(entry(
                "record",
                rec.id.to_string(),
                "create",
                state_digest(rec)?,
            ));
            let h = RecordHistoryEntry {
                record_id: rec.id,
                version: 1,
                action: "create".into(),
                status: rec.status,
                fields: rec.fields.clone(),
                actor: self.actor.clone(),
                note: Some(format!("批次 {}", self.batch.id)),
                at: t,
            };
            log.push(entry(
                "record_history",
                format!("{}:1", rec.id),
                "create",
                state_digest(&h)?,
            ));
            history.push(h);
        }
        for (_, rec) in &updates {
            log.push(entry(
                "record",
                rec.id.to_string(),
                "correct",
                state_digest(rec)?,
            ));
            let h = RecordHistoryEntry {
                record_id: rec.id,
                version: rec.version,
                action: "correct".into(),
                status: rec.status,
                fields: rec.fields.clone(),
                actor: self.actor.clone(),
                note: Some(format!("批次 {} 更正", self.batch.id)),
                at: t,
            };
            log.push(entry(
                "record_history",
                format!("{}:{}", rec.id, rec.version),
                "create",
                state_digest(&h)?,
            ));
            history.push(h);
        }

        let t2 = t0.elapsed();
        // 4. Write.
        let tx = self
            .tx
            .as_mut()
            .ok_or_else(|| StoreError::Invalid("批次已提交".into()))?;
        insert_subjects(tx, &new_subjects).await?;
        let t3 = t0.elapsed();
        insert_records(tx, &new_records).await?;
        let t4 = t0.elapsed();
        for (expected, rec) in &updates {
            super::common::write_record(tx, rec, false, *expected).await?;
        }
        insert_history(tx, &history).await?;
        let t5 = t0.elapsed();
        let mut link_rows = Vec::new();
        for (record_id, name) in queued {
            let candidates = self.candidates(&name).await?;
            link_rows.push(crate::LinkRequest {
                record_id,
                subject_name: name,
                candidates,
                status: "pending".into(),
                created_at: t,
            });
        }
        let tx = self
            .tx
            .as_mut()
            .ok_or_else(|| StoreError::Invalid("批次已提交".into()))?;
        for l in &link_rows {
            super::common::write_link(tx, l, true).await?;
            log.push(entry(
                "link_request",
                l.record_id.to_string(),
                "create",
                state_digest(l)?,
            ));
        }
        log.flush(tx, &mut self.head, &self.actor).await?;
        tracing::debug!(?t1, ?t2, ?t3, ?t4, ?t5, t6 = ?t0.elapsed(), rows = rows.len(), "batch write timings");

        let outcomes: Vec<RowOutcome> = outcomes
            .into_iter()
            .map(|o| o.ok_or_else(|| StoreError::Invalid("内部错误：行结果缺失".into())))
            .collect::<Result<_>>()?;
        self.batch.total += outcomes
            .iter()
            .filter(|o| {
                !matches!(
                    o,
                    RowOutcome::DuplicateInFile | RowOutcome::NotCorrectable(_)
                )
            })
            .count() as i64;
        Ok(outcomes)
    }

    async fn reject(&mut self, rows: Vec<RejectedRow>) -> Result<()> {
        self.batch.total += rows.len() as i64;
        self.batch.rejected += rows.len() as i64;
        let batch_id = self.batch.id;
        let mut log = PendingLog::default();
        for r in &rows {
            log.push(entry(
                "batch_reject",
                reject_id(batch_id, r.row),
                "create",
                state_digest(&RejectState { batch_id, row: r })?,
            ));
        }
        let tx = self.tx()?;
        for part in rows.chunks(CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO batch_rejects (batch_id, row_no, cells, reasons) ",
            );
            q.push_values(part, |mut b, r| {
                b.push_bind(enc(batch_id))
                    .push_bind(i64::try_from(r.row).unwrap_or(i64::MAX))
                    .push_bind(Json(&r.cells))
                    .push_bind(Json(&r.reasons));
            });
            q.build().execute(&mut **tx).await?;
        }
        let tx = self
            .tx
            .as_mut()
            .ok_or_else(|| StoreError::Invalid("批次已提交".into()))?;
        log.flush(tx, &mut self.head, &self.actor).await
    }

    async fn commit(mut self: Box<Self>, unknown_columns: Vec<String>) -> Result<Batch> {
        self.batch.unknown_columns = unknown_columns;
        let mut tx = self
            .tx
            .take()
            .ok_or_else(|| StoreError::Invalid("批次已提交".into()))?;
        write_batch_row(&mut tx, &self.batch, false).await?;
        let mut log = PendingLog::default();
        log.push(entry(
            "batch",
            self.batch.id.to_string(),
            "create",
            state_digest(&self.batch)?,
        ));
        let mut head = std::mem::replace(
            &mut self.head,
            Head {
                seq: 0,
                hash: String::new(),
            },
        );
        log.flush(&mut tx, &mut head, &self.actor).await?;
        commit(tx, head).await?;
        Ok(self.batch.clone())
    }
}
