//! Batch import (报送批次). Records stored without a subject are queued for linking by hand
//! (`links.rs`).
//!
//! A batch writes in one transaction holding the change-log head: rows go in with multi-row
//! INSERTs (a few hundred per statement; COPY on PostgreSQL, see the backend's `bulk`), every
//! created or changed entity still gets its own chained log entry, and dropping the writer
//! without `commit` rolls it all back.

use super::kernel::commit;
use super::links::{self, write_link};
use super::records::{base_history, history_id, record_from_row, write_record};
use super::subjects::{identity_digest, subject_from_row};
use async_trait::async_trait;
use chengxin_domain::records::{Record, RecordAction, RecordHistoryEntry, RecordStatus};
use chengxin_domain::subjects::Subject;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::value::RawValue;
use sqlx::types::Json;
use sqlx::{QueryBuilder, Row};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

use super::kernel::{begin_write, entry, Head, PendingLog, Tx};
use super::{dec, enc, Db, Inner, FORMER_NAMES_TEXT};
use crate::changelog::{now, state_digest};
use crate::error::{Result, StoreError};
use crate::{
    Batch, BatchStore, BatchWriter, ImportRow, LinkCandidate, LinkRequest, NewBatch, RejectedRow,
    RowOutcome,
};

/// Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535
/// bind-parameter limits for the widest table (records, 18 columns).
pub(crate) const CHUNK: usize = 500;

pub(crate) struct Writer {
    tx: Option<Tx>,
    head: Head,
    actor: String,
    batch: Batch,
    published_at: DateTime<Utc>,
    /// Source keys seen so far in this file, as 128-bit digests: a million-row file must not
    /// hold a million key strings (collisions at 2^-128 odds are not a practical concern).
    seen: HashSet<u128>,
    /// Whether the department had records of this type before the batch began. If not, every
    /// earlier row of this batch is caught by `seen`, so no existing-key look-up is needed.
    had_records: bool,
    /// Change-log groups written so far (numbers the next group's id).
    groups: u64,
}

pub(crate) async fn begin(pool: &sqlx::Pool<Db>, actor: &str, b: NewBatch) -> Result<Writer> {
    let (mut tx, head) = begin_write(pool).await?;
    for stmt in super::batch_setup() {
        sqlx::query(&stmt).execute(&mut *tx).await?;
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
    let had_records: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM records WHERE source_dept = $1 AND type_code = $2 LIMIT 1",
    )
    .bind(&b.source_dept)
    .bind(&b.type_code)
    .fetch_optional(&mut *tx)
    .await?;
    let had_records = had_records.is_some();
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
        published_at: b.published_at.map(crate::changelog::micros).unwrap_or(t),
        seen: HashSet::new(),
        had_records,
        groups: 0,
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

fn key_digest(doc_no: &str) -> u128 {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(doc_no.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    u128::from_le_bytes(b)
}

pub(crate) fn reject_id(batch: Uuid, row: u64) -> String {
    format!("{batch}:{row}")
}

impl Writer {
    fn next_group(&mut self) -> String {
        self.groups += 1;
        format!("batch:{}:{}", self.batch.id, self.groups)
    }

    fn tx(&mut self) -> Result<&mut Tx> {
        self.tx
            .as_mut()
            .ok_or_else(|| StoreError::Invalid("批次已提交".into()))
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
            let rows = q
                .build()
                .persistent(super::LOOKUPS_PERSISTENT)
                .fetch_all(&mut **self.tx()?)
                .await?;
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
            .persistent(super::LOOKUPS_PERSISTENT)
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

/// A new record as the batch writes it: the fields, names and order of
/// `chengxin_domain::records::Record`, so `state_digest` gives the digest `verify` recomputes
/// from the stored row, but borrowing the row's pre-serialised fields instead of copying
/// them (a test pins the two digests together).
#[derive(serde::Serialize)]
pub(crate) struct NewRecordRow<'a> {
    pub id: Uuid,
    pub type_code: &'a str,
    pub subject_id: Option<Uuid>,
    pub subject_name: &'a str,
    pub doc_no: &'a str,
    pub decision_date: NaiveDate,
    pub source_dept: &'a str,
    pub batch_id: Option<Uuid>,
    pub fields: &'a RawValue,
    pub severity: Option<&'a str>,
    pub status: RecordStatus,
    pub tolerated: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub publish_until: Option<NaiveDate>,
    pub content_digest: &'a str,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

async fn insert_history_rows(tx: &mut Tx, rows: &[RecordHistoryEntry]) -> Result<()> {
    for part in rows.chunks(CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO record_history (record_id, version, action, status, fields, actor, note, at, changes) ",
        );
        q.push_values(part, |mut b, h| {
            b.push_bind(enc(h.record_id))
                .push_bind(h.version)
                .push_bind(h.action.as_str())
                .push_bind(h.status.as_str())
                .push_bind(Json(&h.fields))
                .push_bind(h.actor.as_str())
                .push_bind(h.note.as_deref())
                .push_bind(h.at)
                .push_bind(super::records::changes_column(&h.changes));
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
        let group = self.next_group();
        let batch_id = self.batch.id;
        let (type_code, source_dept) =
            (self.batch.type_code.clone(), self.batch.source_dept.clone());
        let mut log = PendingLog::default();
        let mut outcomes: Vec<Option<RowOutcome>> = vec![None; rows.len()];
        // 1. Same source key twice in one file: the later row is refused.
        let mut fresh = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            if self.seen.insert(key_digest(&r.doc_no)) {
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
        let mut by_uscc = super::bulk::subjects_by(self.tx()?, "uscc", &usccs).await?;
        let mut by_hash = super::bulk::subjects_by(self.tx()?, "id_hash", &hashes).await?;
        let mut new_subjects = Vec::new();
        let mut identities: Vec<(Uuid, &str)> = Vec::new();
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
            if let (Some(sealed), Some(_)) = (&r.subject_id_sealed, &s.id_hash) {
                log.push(entry(
                    "subject_identity",
                    s.id.to_string(),
                    "set",
                    identity_digest(sealed)?,
                ));
                identities.push((s.id, sealed.as_str()));
            }
            new_subjects.push(s);
        }
        self.batch.subjects_created += new_subjects.len() as i64;

        let t1 = t0.elapsed();
        // 3. Existing records with the same source keys.
        let doc_nos: Vec<&str> = fresh.iter().map(|&i| rows[i].doc_no.as_str()).collect();
        let existing = if self.had_records {
            self.existing_records(&doc_nos).await?
        } else {
            HashMap::new()
        };

        let mut new_records: Vec<NewRecordRow<'_>> = Vec::new();
        let mut history = Vec::new();
        let mut updates: Vec<(Record, Record)> = Vec::new();
        let mut queued = Vec::new();
        // Sealed free texts of the records written (a corrected record's replace its own).
        let mut texts: Vec<(Uuid, Option<&str>)> = Vec::new();
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
                rec.fields = r.fields.to_map()?;
                rec.decision_date = r.decision_date;
                rec.severity = r.severity.clone();
                rec.publish_until = r.publish_until;
                rec.subject_name = r.subject_name.clone();
                if subject_id.is_some() {
                    rec.subject_id = subject_id;
                }
                rec.batch_id = Some(batch_id);
                rec.content_digest = r.content_digest.clone();
                rec.version += 1;
                rec.updated_at = t;
                outcomes[i] = Some(RowOutcome::Corrected(rec.id));
                texts.push((rec.id, r.texts_sealed.as_deref()));
                self.batch.corrected += 1;
                updates.push((old.clone(), rec));
                continue;
            }
            let rec = NewRecordRow {
                id: Uuid::now_v7(),
                type_code: &type_code,
                subject_id,
                subject_name: &r.subject_name,
                doc_no: &r.doc_no,
                decision_date: r.decision_date,
                source_dept: &source_dept,
                batch_id: Some(batch_id),
                fields: r.fields.raw(),
                severity: r.severity.as_deref(),
                status: r.status,
                tolerated: false,
                published_at: (r.status == RecordStatus::Published).then_some(self.published_at),
                publish_until: r.publish_until,
                content_digest: &r.content_digest,
                version: 1,
                created_at: t,
                updated_at: t,
            };
            if subject_id.is_none() {
                outcomes[i] = Some(RowOutcome::Queued(rec.id));
                self.batch.queued += 1;
                queued.push((rec.id, r.subject_name.clone()));
            } else {
                outcomes[i] = Some(RowOutcome::Created(rec.id));
            }
            self.batch.created += 1;
            if let Some(sealed) = &r.texts_sealed {
                texts.push((rec.id, Some(sealed)));
            }
            new_records.push(rec);
        }
        // New records get no history row of their own: see `records::implicit_create`.
        for rec in &new_records {
            log.push(entry(
                "record",
                rec.id.to_string(),
                "create",
                state_digest(rec)?,
            ));
        }
        for (old, rec) in &updates {
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
                note: Some(format!("批次 {batch_id} 更正")),
                at: t,
                // The file gives the whole row again: every field it changed, before and after.
                changes: chengxin_domain::records::correction::diff(&old.fields, &rec.fields),
            };
            log.push(entry(
                "record_history",
                history_id(rec.id, rec.version),
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
        super::bulk::insert_subjects(tx, &new_subjects).await?;
        for part in identities.chunks(CHUNK) {
            let mut q =
                QueryBuilder::<Db>::new("INSERT INTO subject_identities (subject_id, sealed) ");
            q.push_values(part, |mut b, (id, sealed)| {
                b.push_bind(enc(*id)).push_bind(*sealed);
            });
            q.build().execute(&mut **tx).await?;
        }
        let t3 = t0.elapsed();
        super::bulk::insert_records(tx, &new_records).await?;
        let t4 = t0.elapsed();
        for (old, rec) in &updates {
            if let Some(b) = base_history(tx, old).await? {
                log.push(entry(
                    "record_history",
                    history_id(b.record_id, b.version),
                    "create",
                    state_digest(&b)?,
                ));
                history.push(b);
            }
            write_record(tx, rec, false, old.version).await?;
        }
        insert_history_rows(tx, &history).await?;
        for (id, sealed) in texts {
            if let Some((action, digest)) = super::records::put_texts(tx, id, sealed).await? {
                let digest = digest.unwrap_or_else(|| "-".into());
                log.push(entry("record_text", id.to_string(), action, digest));
            }
        }
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
            write_link(tx, l, true).await?;
            log.push(entry(
                "link_request",
                l.record_id.to_string(),
                "create",
                state_digest(l)?,
            ));
        }
        log.flush_grouped(tx, &mut self.head, &self.actor, &group)
            .await?;
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
        let group = self.next_group();
        let tx = self
            .tx
            .as_mut()
            .ok_or_else(|| StoreError::Invalid("批次已提交".into()))?;
        log.flush_grouped(tx, &mut self.head, &self.actor, &group)
            .await
    }

    async fn commit(mut self: Box<Self>, unknown_columns: Vec<String>) -> Result<Batch> {
        self.batch.unknown_columns = unknown_columns;
        let mut tx = self
            .tx
            .take()
            .ok_or_else(|| StoreError::Invalid("批次已提交".into()))?;
        write_batch_row(&mut tx, &self.batch, false).await?;
        for stmt in super::batch_teardown() {
            sqlx::query(&stmt).execute(&mut *tx).await?;
        }
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

#[async_trait]
impl BatchStore for Inner {
    async fn begin_batch(&self, actor: &str, b: NewBatch) -> Result<Box<dyn BatchWriter>> {
        Ok(Box::new(begin(&self.pool, actor, b).await?))
    }

    async fn batch(&self, id: Uuid) -> Result<Option<Batch>> {
        sqlx::query("SELECT * FROM batches WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(batch_from_row)
            .transpose()
    }

    async fn batch_by_file(
        &self,
        type_code: &str,
        source_dept: &str,
        sha256: &str,
    ) -> Result<Option<Batch>> {
        sqlx::query(
            "SELECT * FROM batches WHERE type_code = $1 AND source_dept = $2 AND file_sha256 = $3 \
             ORDER BY submitted_at LIMIT 1",
        )
        .bind(type_code)
        .bind(source_dept)
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(batch_from_row)
        .transpose()
    }

    async fn batch_rejects(&self, id: Uuid) -> Result<Vec<RejectedRow>> {
        let rows = sqlx::query("SELECT * FROM batch_rejects WHERE batch_id = $1 ORDER BY row_no")
            .bind(enc(id))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(reject_from_row).collect()
    }

    async fn link_queue(&self, limit: i64) -> Result<Vec<LinkRequest>> {
        links::pending(self, limit).await
    }

    async fn link_record(&self, actor: &str, record_id: Uuid, subject_id: Uuid) -> Result<Record> {
        links::link_record(self, actor, record_id, subject_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `verify` digests the stored row as a `Record`; the batch digests a `NewRecordRow`.
    /// They must agree byte for byte, or every imported record would look tampered with.
    #[test]
    fn new_record_row_digests_like_record() {
        let mut fields = serde_json::Map::new();
        fields.insert("penalty_content".into(), "罚款人民币41600元\"引号\"".into());
        fields.insert("fine_amount".into(), "4.16".into());
        fields.insert("count".into(), 3.into());
        let t = now();
        let rec = Record {
            id: Uuid::now_v7(),
            type_code: "admin_penalty".into(),
            subject_id: Some(Uuid::now_v7()),
            subject_name: "常州甲公司".into(),
            doc_no: "罚〔2025〕1号".into(),
            decision_date: NaiveDate::from_ymd_opt(2025, 1, 24).unwrap(),
            source_dept: "11320400MB0000000X".into(),
            batch_id: Some(Uuid::now_v7()),
            fields: fields.clone(),
            severity: Some("general".into()),
            status: RecordStatus::Published,
            tolerated: false,
            published_at: Some(t),
            publish_until: NaiveDate::from_ymd_opt(2026, 1, 24),
            content_digest: "abc".into(),
            version: 1,
            created_at: t,
            updated_at: t,
        };
        let raw = crate::RowFields::new(&fields).unwrap();
        let row = NewRecordRow {
            id: rec.id,
            type_code: &rec.type_code,
            subject_id: rec.subject_id,
            subject_name: &rec.subject_name,
            doc_no: &rec.doc_no,
            decision_date: rec.decision_date,
            source_dept: &rec.source_dept,
            batch_id: rec.batch_id,
            fields: raw.raw(),
            severity: rec.severity.as_deref(),
            status: rec.status,
            tolerated: rec.tolerated,
            published_at: rec.published_at,
            publish_until: rec.publish_until,
            content_digest: &rec.content_digest,
            version: rec.version,
            created_at: rec.created_at,
            updated_at: rec.updated_at,
        };
        assert_eq!(state_digest(&row).unwrap(), state_digest(&rec).unwrap());
        assert_eq!(raw.to_map().unwrap(), fields);
    }
}
