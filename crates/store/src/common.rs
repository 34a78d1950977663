//! The one implementation of [`Store`], compiled once per backend.
//!
//! This file is included by `sqlite.rs` and `postgres.rs` as a child module (`#[path]`), so
//! `super::Db` is that backend's sqlx database type and `super::Inner` its store struct.
//! Queries use `$n` placeholders, which both drivers accept; column representations that
//! differ (UUIDs as text on SQLite, native on PostgreSQL) go through `super::enc`/`super::dec`.

use std::collections::HashMap;

use async_trait::async_trait;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::records::{Record, RecordHistoryEntry, RecordStatus};
use chengxin_domain::subjects::{Employment, Subject, SubjectKind};
use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::VerifyingKey;
use futures_util::TryStreamExt;
use sqlx::types::Json;
use sqlx::{Row, Transaction};
use uuid::Uuid;

use super::{dec, enc, Db, Inner, UuidCol};
use crate::changelog::{
    self, format_at, now, state_digest, ChainChecker, Checkpoint, LogEntry, LogSigner, VerifyReport,
};
use crate::error::{Result, StoreError};
use crate::prelude::*;
use crate::{
    Account, ApplicationFilter, ApplicationRow, AuditEvent, AuditFilter, Backend, Batch,
    BatchWriter, CaseFilter, CaseRow, CatalogTypeRow, CreditReportRow, EvidenceFile, LinkRequest,
    ListEntryFilter, ListEntryRow, MetaRow, MigrateReport, NewBatch, NewEmployment, NewRecord,
    NewSubject, PublishedFilter, RecordChange, RejectedRow, SessionRow, SubjectFilter,
    SubjectUpdate, TargetChange, TokenRow,
};

type DbRow = <Db as sqlx::Database>::Row;
pub(super) type Tx = Transaction<'static, Db>;

/// The chain head, held (locked) for the duration of a write transaction.
pub(super) struct Head {
    pub(super) seq: i64,
    pub(super) hash: String,
}

/// Start a write transaction and take the change-log head. The no-op UPDATE takes the write
/// lock first on both backends (SQLite's RESERVED lock, PostgreSQL's row lock), so appends are
/// serialised and no deferred transaction has to upgrade its lock half-way.
pub(super) async fn begin_write(pool: &sqlx::Pool<Db>) -> Result<(Tx, Head)> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE log_head SET seq = seq WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query("SELECT seq, hash FROM log_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let head = Head {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
    };
    Ok((tx, head))
}

pub(super) async fn append(
    tx: &mut Tx,
    head: &mut Head,
    actor: &str,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    digest: Option<String>,
) -> Result<()> {
    let seq = head.seq + 1;
    let at = format_at(now());
    let hash = changelog::entry_hash(
        seq,
        &at,
        actor,
        entity_type,
        entity_id,
        action,
        digest.as_deref(),
        &head.hash,
    );
    sqlx::query(
        "INSERT INTO change_log (seq, at, actor, entity_type, entity_id, action, state_digest, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor)
    .bind(entity_type)
    .bind(entity_id)
    .bind(action)
    .bind(digest)
    .bind(&head.hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    head.seq = seq;
    head.hash = hash;
    Ok(())
}

/// Finish a versioned write of one entity: the INSERT/UPDATE must have touched exactly one
/// row (an UPDATE that matched nothing means someone else changed it first), then the change
/// is logged and the transaction committed.
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish_versioned(
    mut tx: Tx,
    mut head: Head,
    rows_affected: u64,
    expected: Option<i64>,
    actor: &str,
    entity_type: &str,
    entity_id: &str,
    digest: String,
) -> Result<()> {
    if rows_affected != 1 {
        return Err(StoreError::Conflict {
            expected: expected.unwrap_or(0),
            current: -1,
        });
    }
    let action = if expected.is_none() {
        "create"
    } else {
        "update"
    };
    append(
        &mut tx,
        &mut head,
        actor,
        entity_type,
        entity_id,
        action,
        Some(digest),
    )
    .await?;
    commit(tx, head).await
}

pub(super) async fn commit(mut tx: Tx, head: Head) -> Result<()> {
    sqlx::query("UPDATE log_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(head.seq)
        .bind(&head.hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A log entry to append once the rows of a batch statement are written.
pub(super) struct PendingEntry {
    entity_type: &'static str,
    entity_id: String,
    action: String,
    digest: String,
}

pub(super) fn entry(
    entity_type: &'static str,
    entity_id: String,
    action: &str,
    digest: String,
) -> PendingEntry {
    PendingEntry {
        entity_type,
        entity_id,
        action: action.to_string(),
        digest,
    }
}

/// Log entries collected for one multi-row write, chained and inserted together.
#[derive(Default)]
pub(super) struct PendingLog {
    entries: Vec<PendingEntry>,
}

impl PendingLog {
    pub(super) fn push(&mut self, e: PendingEntry) {
        self.entries.push(e);
    }

    pub(super) async fn flush(&mut self, tx: &mut Tx, head: &mut Head, actor: &str) -> Result<()> {
        let at = format_at(now());
        let mut rows: Vec<LogEntry> = Vec::with_capacity(self.entries.len());
        for e in self.entries.drain(..) {
            let seq = head.seq + 1;
            let hash = changelog::entry_hash(
                seq,
                &at,
                actor,
                e.entity_type,
                &e.entity_id,
                &e.action,
                Some(&e.digest),
                &head.hash,
            );
            rows.push(LogEntry {
                seq,
                at: at.clone(),
                actor: actor.to_string(),
                entity_type: e.entity_type.to_string(),
                entity_id: e.entity_id,
                action: e.action,
                state_digest: Some(e.digest),
                prev_hash: std::mem::replace(&mut head.hash, hash.clone()),
                hash,
                members: None,
            });
            head.seq = seq;
        }
        for part in rows.chunks(1000) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO change_log (seq, at, actor, entity_type, entity_id, action, state_digest, prev_hash, hash) ",
            );
            q.push_values(part, |mut b, e| {
                b.push_bind(e.seq)
                    .push_bind(e.at.as_str())
                    .push_bind(e.actor.as_str())
                    .push_bind(e.entity_type.as_str())
                    .push_bind(e.entity_id.as_str())
                    .push_bind(e.action.as_str())
                    .push_bind(e.state_digest.as_deref())
                    .push_bind(e.prev_hash.as_str())
                    .push_bind(e.hash.as_str());
            });
            q.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Append the collected entries as group entries (see `changelog::GROUP_ENTITY`): one
    /// chained row per `GROUP_MAX` members instead of one per entity.
    pub(super) async fn flush_grouped(
        &mut self,
        tx: &mut Tx,
        head: &mut Head,
        actor: &str,
        group_id: &str,
    ) -> Result<()> {
        const GROUP_MAX: usize = 10_000;
        if self.entries.is_empty() {
            return Ok(());
        }
        let entries = std::mem::take(&mut self.entries);
        for (n, part) in entries.chunks(GROUP_MAX).enumerate() {
            let mut text = String::with_capacity(part.len() * 120);
            for e in part {
                changelog::push_member(
                    &mut text,
                    &e.action,
                    e.entity_type,
                    &e.entity_id,
                    &e.digest,
                );
            }
            let digest = changelog::sha256_hex(text.as_bytes());
            let seq = head.seq + 1;
            let at = format_at(now());
            let entity_id = format!("{group_id}#{n}");
            let hash = changelog::entry_hash(
                seq,
                &at,
                actor,
                changelog::GROUP_ENTITY,
                &entity_id,
                "write_many",
                Some(&digest),
                &head.hash,
            );
            sqlx::query(
                "INSERT INTO change_log (seq, at, actor, entity_type, entity_id, action, state_digest, prev_hash, hash, members) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(seq)
            .bind(at)
            .bind(actor)
            .bind(changelog::GROUP_ENTITY)
            .bind(entity_id)
            .bind("write_many")
            .bind(digest)
            .bind(&head.hash)
            .bind(&hash)
            .bind(text)
            .execute(&mut **tx)
            .await?;
            head.seq = seq;
            head.hash = hash;
        }
        Ok(())
    }
}

pub(super) async fn write_link(tx: &mut Tx, l: &LinkRequest, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO link_queue (subject_name, candidates, status, created_at, record_id) VALUES ($1, $2, $3, $4, $5)"
    } else {
        "UPDATE link_queue SET subject_name = $1, candidates = $2, status = $3, created_at = $4 WHERE record_id = $5"
    };
    sqlx::query(sql)
        .bind(&l.subject_name)
        .bind(Json(&l.candidates))
        .bind(&l.status)
        .bind(l.created_at)
        .bind(enc(l.record_id))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn link_from_row(row: &DbRow) -> Result<LinkRequest> {
    Ok(LinkRequest {
        record_id: dec(row.try_get("record_id")?),
        subject_name: row.try_get("subject_name")?,
        candidates: row
            .try_get::<Json<Vec<crate::LinkCandidate>>, _>("candidates")?
            .0,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
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

fn bad_row(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("{what}数据无法解读：{detail}"))
}

pub(super) fn subject_from_row(row: &DbRow) -> Result<Subject> {
    let kind: String = row.try_get("kind")?;
    Ok(Subject {
        id: dec(row.try_get("id")?),
        kind: SubjectKind::parse(&kind).ok_or_else(|| bad_row("主体类型", &kind))?,
        name: row.try_get("name")?,
        uscc: row.try_get("uscc")?,
        id_hash: row.try_get("id_hash")?,
        id_masked: row.try_get("id_masked")?,
        region: row.try_get("region")?,
        parent_id: row.try_get::<Option<UuidCol>, _>("parent_id")?.map(dec),
        former_names: row.try_get::<Json<Vec<String>>, _>("former_names")?.0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

fn employment_from_row(row: &DbRow) -> Result<Employment> {
    Ok(Employment {
        id: dec(row.try_get("id")?),
        person_id: dec(row.try_get("person_id")?),
        body_id: dec(row.try_get("body_id")?),
        post: row.try_get("post")?,
        start_date: row.try_get("start_date")?,
        end_date: row.try_get("end_date")?,
        created_at: row.try_get("created_at")?,
    })
}

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

fn history_from_row(row: &DbRow) -> Result<RecordHistoryEntry> {
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
    })
}

fn catalog_type_from_row(row: &DbRow) -> Result<CatalogTypeRow> {
    Ok(CatalogTypeRow {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        catalog_version: row.try_get("catalog_version")?,
        digest: row.try_get("digest")?,
        definition: row.try_get::<Json<serde_json::Value>, _>("definition")?.0,
        updated_at: row.try_get("updated_at")?,
    })
}

fn meta_from_row(row: &DbRow) -> Result<MetaRow> {
    Ok(MetaRow {
        key: row.try_get("key")?,
        value: row.try_get("value")?,
    })
}

pub(super) fn log_entry_from_row(row: &DbRow) -> Result<LogEntry> {
    Ok(LogEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        entity_type: row.try_get("entity_type")?,
        entity_id: row.try_get("entity_id")?,
        action: row.try_get("action")?,
        state_digest: row.try_get("state_digest")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        members: row.try_get("members")?,
    })
}

/// For `verify`: each covered table, how to read its rows' ids and canonical states.
struct Covered {
    entity_type: &'static str,
    sql: &'static str,
    id: fn(&DbRow) -> Result<String>,
    digest: fn(&DbRow) -> Result<String>,
}

fn uuid_id(row: &DbRow) -> Result<String> {
    Ok(dec(row.try_get("id")?).to_string())
}

const COVERED: [Covered; 18] = [
    Covered {
        entity_type: "meta",
        sql: "SELECT * FROM meta",
        id: |r| Ok(r.try_get("key")?),
        digest: |r| state_digest(&meta_from_row(r)?),
    },
    Covered {
        entity_type: "catalog_type",
        sql: "SELECT * FROM catalog_types",
        id: |r| Ok(r.try_get("code")?),
        digest: |r| state_digest(&catalog_type_from_row(r)?),
    },
    Covered {
        entity_type: "subject",
        sql: "SELECT * FROM subjects",
        id: uuid_id,
        digest: |r| state_digest(&subject_from_row(r)?),
    },
    Covered {
        entity_type: "employment",
        sql: "SELECT * FROM employments",
        id: uuid_id,
        digest: |r| state_digest(&employment_from_row(r)?),
    },
    Covered {
        entity_type: "record",
        sql: "SELECT * FROM records",
        id: uuid_id,
        digest: |r| state_digest(&record_from_row(r)?),
    },
    Covered {
        entity_type: "record_history",
        sql: "SELECT * FROM record_history",
        id: |r| {
            let id = dec(r.try_get("record_id")?);
            let v: i64 = r.try_get("version")?;
            Ok(history_id(id, v))
        },
        digest: |r| state_digest(&history_from_row(r)?),
    },
    Covered {
        entity_type: "batch",
        sql: "SELECT * FROM batches",
        id: uuid_id,
        digest: |r| state_digest(&super::batch::batch_from_row(r)?),
    },
    Covered {
        entity_type: "batch_reject",
        sql: "SELECT * FROM batch_rejects",
        id: |r| {
            let b = dec(r.try_get("batch_id")?);
            let n: i64 = r.try_get("row_no")?;
            Ok(super::batch::reject_id(b, u64::try_from(n).unwrap_or(0)))
        },
        digest: |r| {
            let b = dec(r.try_get("batch_id")?);
            let row = super::batch::reject_from_row(r)?;
            state_digest(&super::batch::RejectState {
                batch_id: b,
                row: &row,
            })
        },
    },
    Covered {
        entity_type: "link_request",
        sql: "SELECT * FROM link_queue",
        id: |r| Ok(dec(r.try_get("record_id")?).to_string()),
        digest: |r| state_digest(&link_from_row(r)?),
    },
    Covered {
        entity_type: "account",
        sql: "SELECT * FROM accounts",
        id: uuid_id,
        digest: |r| state_digest(&super::accounts::account_from_row(r)?),
    },
    Covered {
        entity_type: "api_token",
        sql: "SELECT * FROM api_tokens",
        id: uuid_id,
        digest: |r| state_digest(&super::accounts::token_from_row(r)?),
    },
    Covered {
        entity_type: "audit_event",
        sql: "SELECT * FROM audit_events",
        id: uuid_id,
        digest: |r| state_digest(&super::accounts::audit_from_row(r)?),
    },
    Covered {
        entity_type: "list_entry",
        sql: "SELECT * FROM list_entries",
        id: uuid_id,
        digest: |r| state_digest(&super::lists::entry_from_row(r)?),
    },
    Covered {
        entity_type: "case",
        sql: "SELECT * FROM cases",
        id: |r| Ok(r.try_get("id")?),
        digest: |r| state_digest(&super::lists::case_from_row(r)?),
    },
    Covered {
        entity_type: "application",
        sql: "SELECT * FROM applications",
        id: uuid_id,
        digest: |r| state_digest(&super::rights::application_from_row(r)?),
    },
    Covered {
        entity_type: "evidence_file",
        sql: "SELECT * FROM evidence_files",
        id: uuid_id,
        digest: |r| super::rights::evidence_digest(&super::rights::evidence_from_row(r)?),
    },
    Covered {
        entity_type: "subject_identity",
        sql: "SELECT * FROM subject_identities",
        id: |r| Ok(dec(r.try_get("subject_id")?).to_string()),
        digest: |r| super::accounts::identity_digest(&r.try_get::<String, _>("sealed")?),
    },
    Covered {
        entity_type: "credit_report",
        sql: "SELECT * FROM credit_reports",
        id: |r| Ok(r.try_get("report_no")?),
        digest: |r| {
            super::credit_reports::report_digest(&super::credit_reports::report_from_row(r)?)
        },
    },
];

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
    }
}

/// For a batch-imported record still at version 1 without a stored creation entry: that
/// entry, to be inserted (and logged) before the record is changed.
pub(super) async fn base_history(tx: &mut Tx, old: &Record) -> Result<Option<RecordHistoryEntry>> {
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

async fn insert_history(tx: &mut Tx, head: &mut Head, h: &RecordHistoryEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO record_history (record_id, version, action, status, fields, actor, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(enc(h.record_id))
    .bind(h.version)
    .bind(&h.action)
    .bind(h.status.as_str())
    .bind(Json(&h.fields))
    .bind(&h.actor)
    .bind(&h.note)
    .bind(h.at)
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
    tx: &mut Tx,
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

/// Change a record inside a write transaction: versioned, with history and change-log
/// entries. Shared by `change_record` and writes that change a record together with
/// something else (an application decided on it).
pub(super) async fn change_record_tx(
    tx: &mut Tx,
    head: &mut Head,
    actor: &str,
    c: RecordChange,
) -> Result<Record> {
    let row = sqlx::query("SELECT * FROM records WHERE id = $1")
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
    };
    insert_history(tx, head, &h).await?;
    Ok(r)
}

async fn write_subject(tx: &mut Tx, s: &Subject, insert: bool) -> Result<()> {
    let sql = if insert {
        "INSERT INTO subjects (kind, name, uscc, id_hash, id_masked, region, parent_id, former_names, \
         created_at, updated_at, version, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    } else {
        "UPDATE subjects SET kind = $1, name = $2, uscc = $3, id_hash = $4, id_masked = $5, region = $6, \
         parent_id = $7, former_names = $8, created_at = $9, updated_at = $10, version = $11 WHERE id = $12"
    };
    sqlx::query(sql)
        .bind(s.kind.as_str())
        .bind(&s.name)
        .bind(&s.uscc)
        .bind(&s.id_hash)
        .bind(&s.id_masked)
        .bind(&s.region)
        .bind(s.parent_id.map(enc))
        .bind(Json(&s.former_names))
        .bind(s.created_at)
        .bind(s.updated_at)
        .bind(s.version)
        .bind(enc(s.id))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

#[async_trait]
impl MetaStore for Inner {
    fn backend(&self) -> Backend {
        super::BACKEND
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(
        &self,
        catalog: &Catalog,
        signer: &LogSigner,
        actor: &str,
    ) -> Result<MigrateReport> {
        super::MIGRATOR.run(&self.pool).await?;
        let mut report = MigrateReport {
            backend: Some(super::BACKEND),
            signing_key_id: signer.key_id(),
            ..Default::default()
        };
        let existing: HashMap<String, CatalogTypeRow> = self
            .catalog_types()
            .await?
            .into_iter()
            .map(|t| (t.code.clone(), t))
            .collect();
        let (mut tx, mut head) = begin_write(&self.pool).await?;
        let key_id = signer.key_id();
        let known: Option<String> =
            sqlx::query_scalar("SELECT key_id FROM signing_keys WHERE key_id = $1")
                .bind(&key_id)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            sqlx::query(
                "INSERT INTO signing_keys (key_id, public_key, created_at) VALUES ($1, $2, $3)",
            )
            .bind(&key_id)
            .bind(hex::encode(signer.verifying_key().as_bytes()))
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        let version = catalog.version().to_string();
        for t in catalog.types() {
            let definition = serde_json::to_value(t)
                .map_err(|e| StoreError::Invalid(format!("目录类型无法序列化：{e}")))?;
            let digest = state_digest(&definition)?;
            let row = CatalogTypeRow {
                code: t.code.clone(),
                name: t.name.clone(),
                catalog_version: version.clone(),
                digest,
                definition,
                updated_at: now(),
            };
            let action = match existing.get(&row.code) {
                Some(old) if old.digest == row.digest => {
                    report.catalog_types_unchanged += 1;
                    continue;
                }
                Some(_) => {
                    report.catalog_types_updated += 1;
                    "update"
                }
                None => {
                    report.catalog_types_added += 1;
                    "create"
                }
            };
            let sql = if action == "create" {
                "INSERT INTO catalog_types (name, catalog_version, digest, definition, updated_at, code) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            } else {
                "UPDATE catalog_types SET name = $1, catalog_version = $2, digest = $3, definition = $4, \
                 updated_at = $5 WHERE code = $6"
            };
            sqlx::query(sql)
                .bind(&row.name)
                .bind(&row.catalog_version)
                .bind(&row.digest)
                .bind(Json(&row.definition))
                .bind(row.updated_at)
                .bind(&row.code)
                .execute(&mut *tx)
                .await?;
            append(
                &mut tx,
                &mut head,
                actor,
                "catalog_type",
                &row.code,
                action,
                Some(state_digest(&row)?),
            )
            .await?;
        }
        commit(tx, head).await?;
        self.checkpoint(signer).await?;
        Ok(report)
    }

    async fn is_migrated(&self) -> Result<bool> {
        match sqlx::query("SELECT seq FROM log_head WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
        {
            Ok(row) => Ok(row.is_some()),
            Err(e) => match StoreError::from(e) {
                StoreError::NotMigrated => Ok(false),
                other => Err(other),
            },
        }
    }

    async fn catalog_types(&self) -> Result<Vec<CatalogTypeRow>> {
        let rows = sqlx::query("SELECT * FROM catalog_types ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(catalog_type_from_row).collect()
    }

    async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn set_meta(&self, actor: &str, key: &str, value: &str) -> Result<()> {
        let (mut tx, mut head) = begin_write(&self.pool).await?;
        let old: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
        let sql = match old {
            Some(v) if v == value => return Ok(()),
            Some(_) => "UPDATE meta SET value = $2 WHERE key = $1",
            None => "INSERT INTO meta (key, value) VALUES ($1, $2)",
        };
        sqlx::query(sql)
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        let row = MetaRow {
            key: key.to_string(),
            value: value.to_string(),
        };
        append(
            &mut tx,
            &mut head,
            actor,
            "meta",
            key,
            "set",
            Some(state_digest(&row)?),
        )
        .await?;
        commit(tx, head).await
    }
}

#[async_trait]
impl SubjectStore for Inner {
    async fn create_subject(&self, actor: &str, s: NewSubject) -> Result<Subject> {
        let kind = s
            .kind
            .ok_or_else(|| StoreError::Invalid("主体类型不能为空".into()))?;
        if blank(&s.name) {
            return Err(StoreError::Invalid("主体名称不能为空".into()));
        }
        let (mut tx, mut head) = begin_write(&self.pool).await?;
        if let Some(uscc) = &s.uscc {
            let dup: Option<UuidCol> =
                sqlx::query_scalar("SELECT id FROM subjects WHERE uscc = $1")
                    .bind(uscc)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = dup {
                return Err(StoreError::Duplicate(format!(
                    "统一社会信用代码 {uscc} 已登记为主体 {}",
                    dec(id)
                )));
            }
        }
        if let Some(h) = &s.id_hash {
            let dup: Option<UuidCol> =
                sqlx::query_scalar("SELECT id FROM subjects WHERE id_hash = $1")
                    .bind(h)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = dup {
                // The ID number itself is never echoed back.
                return Err(StoreError::Duplicate(format!(
                    "该身份证号已登记为主体 {}",
                    dec(id)
                )));
            }
        }
        let t = now();
        let subject = Subject {
            id: Uuid::now_v7(),
            kind,
            name: s.name.trim().to_string(),
            uscc: s.uscc,
            id_hash: s.id_hash,
            id_masked: s.id_masked,
            region: s.region,
            parent_id: s.parent_id,
            former_names: s.former_names,
            created_at: t,
            updated_at: t,
            version: 1,
        };
        write_subject(&mut tx, &subject, true).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "subject",
            &subject.id.to_string(),
            "create",
            Some(state_digest(&subject)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(subject)
    }

    async fn update_subject(
        &self,
        actor: &str,
        id: Uuid,
        expected_version: i64,
        u: SubjectUpdate,
    ) -> Result<Subject> {
        let (mut tx, mut head) = begin_write(&self.pool).await?;
        let row = sqlx::query("SELECT * FROM subjects WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "主体",
                id: id.to_string(),
            })?;
        let mut s = subject_from_row(&row)?;
        if s.version != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: s.version,
            });
        }
        if let Some(name) = u.name {
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(StoreError::Invalid("主体名称不能为空".into()));
            }
            if name != s.name {
                let old = std::mem::replace(&mut s.name, name);
                if !s.former_names.contains(&old) {
                    s.former_names.push(old);
                }
            }
        }
        if let Some(region) = u.region {
            s.region = Some(region);
        }
        if let Some(parent) = u.parent_id {
            if parent == s.id {
                return Err(StoreError::Invalid("上级主体不能是其自身".into()));
            }
            s.parent_id = Some(parent);
        }
        s.version += 1;
        s.updated_at = now();
        write_subject(&mut tx, &s, false).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "subject",
            &s.id.to_string(),
            "update",
            Some(state_digest(&s)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(s)
    }

    async fn subject(&self, id: Uuid) -> Result<Option<Subject>> {
        sqlx::query("SELECT * FROM subjects WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(subject_from_row)
            .transpose()
    }

    async fn subject_by_uscc(&self, uscc: &str) -> Result<Option<Subject>> {
        sqlx::query("SELECT * FROM subjects WHERE uscc = $1")
            .bind(uscc)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(subject_from_row)
            .transpose()
    }

    async fn subject_by_id_hash(&self, id_hash: &str) -> Result<Option<Subject>> {
        sqlx::query("SELECT * FROM subjects WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(subject_from_row)
            .transpose()
    }

    async fn list_subjects(&self, f: &SubjectFilter) -> Result<Vec<Subject>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM subjects WHERE 1 = 1");
        if let Some(k) = f.kind {
            q.push(" AND kind = ").push_bind(k.as_str());
        }
        if let Some(p) = &f.region_prefix {
            q.push(" AND region LIKE ")
                .push_bind(format!("{}%", escape_like(p)));
            q.push(" ESCAPE '\\'");
        }
        if let Some(n) = &f.name_contains {
            q.push(" AND name LIKE ")
                .push_bind(format!("%{}%", escape_like(n)));
            q.push(" ESCAPE '\\'");
        }
        let limit = if f.limit <= 0 { 100 } else { f.limit.min(1000) };
        q.push(" ORDER BY name, id LIMIT ").push_bind(limit);
        q.push(" OFFSET ").push_bind(f.offset.max(0));
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(subject_from_row).collect()
    }

    async fn count_subjects(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM subjects")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn add_employment(&self, actor: &str, e: NewEmployment) -> Result<Employment> {
        if blank(&e.post) {
            return Err(StoreError::Invalid("职务不能为空".into()));
        }
        if let Some(end) = e.end_date {
            if end < e.start_date {
                return Err(StoreError::Invalid("任职结束日期早于开始日期".into()));
            }
        }
        let person = self
            .subject(e.person_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "人员",
                id: e.person_id.to_string(),
            })?;
        if !person.kind.is_person() {
            return Err(StoreError::Invalid("任职记录的人员必须是自然人主体".into()));
        }
        let body = self
            .subject(e.body_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "单位",
                id: e.body_id.to_string(),
            })?;
        if body.kind.is_person() {
            return Err(StoreError::Invalid(
                "任职单位必须是机关、事业单位或组织".into(),
            ));
        }
        let emp = Employment {
            id: Uuid::now_v7(),
            person_id: e.person_id,
            body_id: e.body_id,
            post: e.post.trim().to_string(),
            start_date: e.start_date,
            end_date: e.end_date,
            created_at: now(),
        };
        let (mut tx, mut head) = begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO employments (id, person_id, body_id, post, start_date, end_date, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(enc(emp.id))
        .bind(enc(emp.person_id))
        .bind(enc(emp.body_id))
        .bind(&emp.post)
        .bind(emp.start_date)
        .bind(emp.end_date)
        .bind(emp.created_at)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "employment",
            &emp.id.to_string(),
            "create",
            Some(state_digest(&emp)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(emp)
    }

    async fn employments_of(&self, person_id: Uuid) -> Result<Vec<Employment>> {
        let rows =
            sqlx::query("SELECT * FROM employments WHERE person_id = $1 ORDER BY start_date, id")
                .bind(enc(person_id))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(employment_from_row).collect()
    }

    async fn staff_at(&self, body_id: Uuid, day: NaiveDate) -> Result<Vec<Employment>> {
        let rows = sqlx::query(
            "SELECT * FROM employments WHERE body_id = $1 AND start_date <= $2 \
             AND (end_date IS NULL OR end_date >= $2) ORDER BY start_date, id",
        )
        .bind(enc(body_id))
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(employment_from_row).collect()
    }

    async fn set_subject_identity(
        &self,
        actor: &str,
        subject_id: Uuid,
        sealed: &str,
    ) -> Result<()> {
        super::accounts::set_subject_identity(&self.pool, actor, subject_id, sealed).await
    }

    async fn subject_identity(&self, subject_id: Uuid) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT sealed FROM subject_identities WHERE subject_id = $1")
                .bind(enc(subject_id))
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

#[async_trait]
impl RecordStore for Inner {
    async fn create_record(&self, actor: &str, r: NewRecord) -> Result<Record> {
        if blank(&r.doc_no) {
            return Err(StoreError::Invalid("文书号不能为空".into()));
        }
        if blank(&r.subject_name) {
            return Err(StoreError::Invalid("主体名称不能为空".into()));
        }
        let (mut tx, mut head) = begin_write(&self.pool).await?;
        let dup: Option<UuidCol> = sqlx::query_scalar(
            "SELECT id FROM records WHERE source_dept = $1 AND type_code = $2 AND doc_no = $3",
        )
        .bind(&r.source_dept)
        .bind(&r.type_code)
        .bind(&r.doc_no)
        .fetch_optional(&mut *tx)
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
        write_record(&mut tx, &record, true, 0).await?;
        append(
            &mut tx,
            &mut head,
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
        };
        insert_history(&mut tx, &mut head, &h).await?;
        commit(tx, head).await?;
        Ok(record)
    }

    async fn change_record(&self, actor: &str, c: RecordChange) -> Result<Record> {
        let (mut tx, mut head) = begin_write(&self.pool).await?;
        let r = change_record_tx(&mut tx, &mut head, actor, c).await?;
        commit(tx, head).await?;
        Ok(r)
    }

    async fn record(&self, id: Uuid) -> Result<Option<Record>> {
        sqlx::query("SELECT * FROM records WHERE id = $1")
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
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM records")
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
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM records WHERE type_code IN (");
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
        let rows = sqlx::query(
            "SELECT * FROM records WHERE status = 'published' AND publish_until IS NOT NULL \
             AND publish_until < $1 ORDER BY publish_until, id LIMIT $2",
        )
        .bind(today)
        .bind(limit.clamp(1, 100_000))
        .fetch_all(&self.pool)
        .await?;
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

    async fn records_of_subject(&self, subject_id: Uuid) -> Result<Vec<Record>> {
        super::lists::records_of_subject(&self.pool, subject_id).await
    }
}

#[async_trait]
impl BatchStore for Inner {
    async fn begin_batch(&self, actor: &str, b: NewBatch) -> Result<Box<dyn BatchWriter>> {
        Ok(Box::new(super::batch::begin(&self.pool, actor, b).await?))
    }

    async fn batch(&self, id: Uuid) -> Result<Option<Batch>> {
        sqlx::query("SELECT * FROM batches WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(super::batch::batch_from_row)
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
        .map(super::batch::batch_from_row)
        .transpose()
    }

    async fn batch_rejects(&self, id: Uuid) -> Result<Vec<RejectedRow>> {
        let rows = sqlx::query("SELECT * FROM batch_rejects WHERE batch_id = $1 ORDER BY row_no")
            .bind(enc(id))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(super::batch::reject_from_row).collect()
    }

    async fn link_queue(&self, limit: i64) -> Result<Vec<LinkRequest>> {
        let rows = sqlx::query("SELECT * FROM link_queue WHERE status = 'pending' ORDER BY created_at, record_id LIMIT $1")
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(link_from_row).collect()
    }

    async fn link_record(&self, actor: &str, record_id: Uuid, subject_id: Uuid) -> Result<Record> {
        let subject = self
            .subject(subject_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "主体",
                id: subject_id.to_string(),
            })?;
        let (mut tx, mut head) = begin_write(&self.pool).await?;
        let row = sqlx::query("SELECT * FROM link_queue WHERE record_id = $1")
            .bind(enc(record_id))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "待关联记录",
                id: record_id.to_string(),
            })?;
        let mut link = link_from_row(&row)?;
        if link.status != "pending" {
            return Err(StoreError::Invalid("该记录已关联主体".into()));
        }
        let row = sqlx::query("SELECT * FROM records WHERE id = $1")
            .bind(enc(record_id))
            .fetch_one(&mut *tx)
            .await?;
        let mut r = record_from_row(&row)?;
        let base = base_history(&mut tx, &r).await?;
        let expected = r.version;
        r.subject_id = Some(subject.id);
        r.version += 1;
        r.updated_at = now();
        write_record(&mut tx, &r, false, expected).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "record",
            &r.id.to_string(),
            "link_subject",
            Some(state_digest(&r)?),
        )
        .await?;
        if let Some(b) = base {
            insert_history(&mut tx, &mut head, &b).await?;
        }
        let h = RecordHistoryEntry {
            record_id: r.id,
            version: r.version,
            action: "link_subject".into(),
            status: r.status,
            fields: r.fields.clone(),
            actor: actor.to_string(),
            note: Some(format!("人工关联主体 {}（{}）", subject.name, subject.id)),
            at: r.updated_at,
        };
        insert_history(&mut tx, &mut head, &h).await?;
        link.status = "linked".into();
        write_link(&mut tx, &link, false).await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "link_request",
            &r.id.to_string(),
            "link",
            Some(state_digest(&link)?),
        )
        .await?;
        commit(tx, head).await?;
        Ok(r)
    }
}

#[async_trait]
impl LogStore for Inner {
    async fn log_head(&self) -> Result<(i64, String)> {
        let row = sqlx::query("SELECT seq, hash FROM log_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    async fn log_entries(&self, after_seq: i64, limit: i64) -> Result<Vec<LogEntry>> {
        let rows = sqlx::query("SELECT * FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after_seq)
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(log_entry_from_row).collect()
    }

    async fn checkpoint(&self, signer: &LogSigner) -> Result<Option<Checkpoint>> {
        let (seq, hash) = self.log_head().await?;
        if seq == 0 {
            return Ok(None);
        }
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM log_checkpoints")
            .fetch_one(&self.pool)
            .await?;
        if last.is_some_and(|l| l >= seq) {
            return Ok(None);
        }
        let cp = Checkpoint {
            seq,
            signature: signer.sign(seq, &hash),
            hash,
            key_id: signer.key_id(),
            at: now(),
        };
        // Several servers may share one database and start (or tick) at the same moment: both
        // see no checkpoint at `seq` and both sign it. The first insert wins; the other is not an
        // error — the head is checkpointed either way.
        let done = sqlx::query(
            "INSERT INTO log_checkpoints (seq, hash, key_id, signature, at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (seq) DO NOTHING",
        )
        .bind(cp.seq)
        .bind(&cp.hash)
        .bind(&cp.key_id)
        .bind(&cp.signature)
        .bind(cp.at)
        .execute(&self.pool)
        .await?;
        Ok((done.rows_affected() == 1).then_some(cp))
    }

    async fn public_keys(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT key_id, public_key FROM signing_keys ORDER BY created_at")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("key_id")?, r.try_get("public_key")?)))
            .collect()
    }

    async fn verify(&self, trusted: &[VerifyingKey]) -> Result<VerifyReport> {
        let keys: HashMap<String, VerifyingKey> =
            trusted.iter().map(|k| (changelog::key_id(k), *k)).collect();
        let checkpoints = sqlx::query("SELECT * FROM log_checkpoints ORDER BY seq")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Checkpoint {
                    seq: r.try_get("seq")?,
                    hash: r.try_get("hash")?,
                    key_id: r.try_get("key_id")?,
                    signature: r.try_get("signature")?,
                    at: r.try_get::<DateTime<Utc>, _>("at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut checker = ChainChecker::new(checkpoints.iter().map(|c| c.seq));
        {
            let mut entries =
                sqlx::query("SELECT * FROM change_log ORDER BY seq").fetch(&self.pool);
            while let Some(row) = entries.try_next().await? {
                checker.entry(log_entry_from_row(&row)?);
            }
        }
        let (seq, hash) = self.log_head().await?;
        checker.head(seq, &hash);
        for cp in &checkpoints {
            checker.checkpoint(cp, &keys);
        }
        for covered in &COVERED {
            let mut rows = sqlx::query(covered.sql).fetch(&self.pool);
            while let Some(row) = rows.try_next().await? {
                let id = (covered.id)(&row).unwrap_or_else(|_| "<无法解读的主键>".to_string());
                // A row that no longer decodes was edited behind the platform's back.
                let digest = (covered.digest)(&row).unwrap_or_default();
                checker.row(covered.entity_type, &id, &digest);
            }
        }
        Ok(checker.finish())
    }
}

#[async_trait]
impl AccountStore for Inner {
    async fn create_account(&self, actor: &str, a: &Account) -> Result<()> {
        super::accounts::write_account(&self.pool, actor, a, None).await
    }

    async fn update_account(&self, actor: &str, a: &Account, expected_version: i64) -> Result<()> {
        super::accounts::write_account(&self.pool, actor, a, Some(expected_version)).await
    }

    async fn account(&self, id: Uuid) -> Result<Option<Account>> {
        sqlx::query("SELECT * FROM accounts WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(super::accounts::account_from_row)
            .transpose()
    }

    async fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        sqlx::query("SELECT * FROM accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(super::accounts::account_from_row)
            .transpose()
    }

    async fn accounts(&self) -> Result<Vec<Account>> {
        sqlx::query("SELECT * FROM accounts ORDER BY username")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(super::accounts::account_from_row)
            .collect()
    }

    async fn count_accounts(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn create_session(&self, s: &SessionRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, account_id, csrf, created_at, last_seen, ip) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.id_hash)
        .bind(enc(s.account_id))
        .bind(&s.csrf)
        .bind(s.created_at)
        .bind(s.last_seen)
        .bind(&s.ip)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        sqlx::query("SELECT * FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(super::accounts::session_from_row)
            .transpose()
    }

    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
            .bind(at)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_sessions_of(&self, account_id: Uuid) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(enc(account_id))
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    async fn create_token(&self, actor: &str, t: &TokenRow) -> Result<()> {
        super::accounts::write_token(&self.pool, actor, t, None).await
    }

    async fn update_token(&self, actor: &str, t: &TokenRow, expected_version: i64) -> Result<()> {
        super::accounts::write_token(&self.pool, actor, t, Some(expected_version)).await
    }

    async fn token(&self, id: Uuid) -> Result<Option<TokenRow>> {
        sqlx::query("SELECT * FROM api_tokens WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(super::accounts::token_from_row)
            .transpose()
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRow>> {
        sqlx::query("SELECT * FROM api_tokens WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(super::accounts::token_from_row)
            .transpose()
    }

    async fn tokens(&self) -> Result<Vec<TokenRow>> {
        sqlx::query("SELECT * FROM api_tokens ORDER BY created_at")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(super::accounts::token_from_row)
            .collect()
    }
}

#[async_trait]
impl AuditStore for Inner {
    async fn audit(&self, events: &[AuditEvent]) -> Result<()> {
        super::accounts::audit(&self.pool, events).await
    }

    async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>> {
        super::accounts::audit_events(&self.pool, f).await
    }

    async fn data_changes(&self, f: &AuditFilter) -> Result<Vec<LogEntry>> {
        super::accounts::data_changes(&self.pool, f).await
    }

    async fn purge_audit(&self, actor: &str, before: DateTime<Utc>) -> Result<u64> {
        super::accounts::purge_audit(&self.pool, actor, before).await
    }
}

#[async_trait]
impl ListStore for Inner {
    async fn create_list_entry(&self, actor: &str, e: &ListEntryRow) -> Result<()> {
        super::lists::write_entry(&self.pool, actor, e, None).await
    }

    async fn update_list_entry(
        &self,
        actor: &str,
        e: &ListEntryRow,
        expected_version: i64,
    ) -> Result<()> {
        super::lists::write_entry(&self.pool, actor, e, Some(expected_version)).await
    }

    async fn list_entry(&self, id: Uuid) -> Result<Option<ListEntryRow>> {
        sqlx::query("SELECT * FROM list_entries WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(super::lists::entry_from_row)
            .transpose()
    }

    async fn list_entries(&self, f: &ListEntryFilter) -> Result<Vec<ListEntryRow>> {
        super::lists::entries(&self.pool, f).await
    }

    async fn active_entry_heads(
        &self,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<crate::EntryHead>> {
        super::lists::active_entry_heads(&self.pool, after, limit.clamp(1, 100_000)).await
    }

    async fn negative_records(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<Record>> {
        super::lists::negative_records(&self.pool, after, limit).await
    }

    async fn subjects_after(&self, after: Option<Uuid>, limit: i64) -> Result<Vec<Subject>> {
        super::lists::subjects_after(&self.pool, after, limit.clamp(1, 100_000)).await
    }
}

#[async_trait]
impl CaseStore for Inner {
    async fn write_cases(
        &self,
        actor: &str,
        new: &[CaseRow],
        updated: &[(CaseRow, i64)],
    ) -> Result<()> {
        super::lists::write_cases(&self.pool, actor, new, updated).await
    }

    async fn case(&self, id: &str) -> Result<Option<CaseRow>> {
        sqlx::query("SELECT * FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(super::lists::case_from_row)
            .transpose()
    }

    async fn cases(&self, f: &CaseFilter) -> Result<Vec<CaseRow>> {
        super::lists::cases(&self.pool, f).await
    }
}

#[async_trait]
impl RightsStore for Inner {
    async fn write_application(
        &self,
        actor: &str,
        a: &ApplicationRow,
        expected_version: Option<i64>,
        change: TargetChange,
    ) -> Result<Option<Record>> {
        super::rights::write(&self.pool, actor, a, expected_version, change).await
    }

    async fn add_evidence(
        &self,
        actor: &str,
        a: &ApplicationRow,
        expected_version: i64,
        f: &EvidenceFile,
    ) -> Result<()> {
        super::rights::add_evidence(&self.pool, actor, a, expected_version, f).await
    }

    async fn application(&self, id: Uuid) -> Result<Option<ApplicationRow>> {
        super::rights::get(&self.pool, id).await
    }

    async fn application_by_tracking(&self, tracking_no: &str) -> Result<Option<ApplicationRow>> {
        super::rights::by_tracking(&self.pool, tracking_no).await
    }

    async fn applications(&self, f: &ApplicationFilter) -> Result<Vec<ApplicationRow>> {
        super::rights::list(&self.pool, f).await
    }

    async fn evidence_file(&self, id: Uuid) -> Result<Option<EvidenceFile>> {
        super::rights::evidence(&self.pool, id).await
    }
}

#[async_trait]
impl CreditReportStore for Inner {
    async fn create_credit_report(&self, actor: &str, r: &CreditReportRow) -> Result<()> {
        super::credit_reports::create(&self.pool, actor, r).await
    }

    async fn credit_report(&self, report_no: &str) -> Result<Option<CreditReportRow>> {
        super::credit_reports::get(&self.pool, report_no).await
    }
}

/// ` WHERE status = 'published' …` for [`PublishedFilter`].
fn push_published_filter(q: &mut sqlx::QueryBuilder<'_, Db>, f: &PublishedFilter) {
    q.push(" WHERE status = 'published'");
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

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
