//! Objections, repair applications and rights decisions (issue 7). A step on an application
//! and its effect on the record or list entry are written in one transaction: two officers
//! deciding the same application at once cannot both win, and a decision never lands without
//! its effect (or the reverse).

use super::lists::write_entry_tx;
use super::records::change_record_tx;
use async_trait::async_trait;
use chengxin_domain::records::Record;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, DbRow, Head, Tx};
use super::{dec, enc, Db, Inner};
use crate::changelog::state_digest;
use crate::error::{Result, StoreError};
use crate::{ApplicationFilter, ApplicationRow, EvidenceFile, RightsStore, TargetChange};

pub(super) fn application_from_row(r: &DbRow) -> Result<ApplicationRow> {
    Ok(ApplicationRow {
        id: dec(r.try_get("id")?),
        tracking_no: r.try_get("tracking_no")?,
        kind: r.try_get("kind")?,
        target_kind: r.try_get("target_kind")?,
        target_id: r.try_get("target_id")?,
        subject_id: r
            .try_get::<Option<super::UuidCol>, _>("subject_id")?
            .map(dec),
        department: r.try_get("department")?,
        state: r.try_get("state")?,
        due: r.try_get("due")?,
        body: r.try_get::<Json<serde_json::Value>, _>("body")?.0,
        access_hash: r.try_get("access_hash")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

/// The logged state of an evidence file: its metadata and the SHA-256 of its content as
/// stored (so `verify` notices a replaced file even if its recorded hash was left alone).
#[derive(serde::Serialize)]
pub(super) struct EvidenceState<'a> {
    pub id: Uuid,
    pub application_id: Uuid,
    pub name: &'a str,
    pub kind: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub material: Option<&'a str>,
    pub content_sha256: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub(super) fn evidence_digest(f: &EvidenceFile) -> Result<String> {
    state_digest(&EvidenceState {
        id: f.id,
        application_id: f.application_id,
        name: &f.name,
        kind: &f.kind,
        size: f.size,
        sha256: &f.sha256,
        material: f.material.as_deref(),
        content_sha256: hex::encode(Sha256::digest(&f.content)),
        created_at: f.created_at,
    })
}

pub(super) fn evidence_from_row(r: &DbRow) -> Result<EvidenceFile> {
    Ok(EvidenceFile {
        id: dec(r.try_get("id")?),
        application_id: dec(r.try_get("application_id")?),
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        material: r.try_get("material")?,
        content: r.try_get("content")?,
        created_at: r.try_get("created_at")?,
    })
}

async fn write_application_tx(
    tx: &mut Tx<'_>,
    head: &mut Head,
    actor: &str,
    a: &ApplicationRow,
    expected: Option<i64>,
) -> Result<()> {
    let sql = if expected.is_none() {
        "INSERT INTO applications (tracking_no, kind, target_kind, target_id, subject_id, department, state, due, \
         body, access_hash, created_at, updated_at, version, id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    } else {
        "UPDATE applications SET tracking_no = $1, kind = $2, target_kind = $3, target_id = $4, subject_id = $5, \
         department = $6, state = $7, due = $8, body = $9, access_hash = $10, created_at = $11, updated_at = $12, \
         version = $13 WHERE id = $14 AND version = $15"
    };
    let q = sqlx::query(sql)
        .bind(&a.tracking_no)
        .bind(&a.kind)
        .bind(&a.target_kind)
        .bind(&a.target_id)
        .bind(a.subject_id.map(enc))
        .bind(&a.department)
        .bind(&a.state)
        .bind(a.due)
        .bind(Json(&a.body))
        .bind(&a.access_hash)
        .bind(a.created_at)
        .bind(a.updated_at)
        .bind(a.version)
        .bind(enc(a.id));
    let q = match expected {
        Some(v) => q.bind(v),
        None => q,
    };
    let done = q.execute(&mut **tx).await?.rows_affected();
    if done != 1 {
        let current: Option<i64> =
            sqlx::query_scalar("SELECT version FROM applications WHERE id = $1")
                .bind(enc(a.id))
                .fetch_optional(&mut **tx)
                .await?;
        return Err(StoreError::Conflict {
            expected: expected.unwrap_or(0),
            current: current.unwrap_or(-1),
        });
    }
    append(
        tx,
        head,
        actor,
        "application",
        &a.id.to_string(),
        if expected.is_none() {
            "create"
        } else {
            "update"
        },
        Some(state_digest(a)?),
    )
    .await
}

#[async_trait]
impl RightsStore for Inner {
    /// Write an application (new when `expected_version` is `None`, else its next state at that
    /// version)
    /// together with its effect on the target. Returns the changed record, if one was changed.
    async fn write_application(
        &self,
        actor: &str,
        a: &ApplicationRow,
        expected_version: Option<i64>,
        change: TargetChange,
    ) -> Result<Option<Record>> {
        let (mut tx, mut head) = begin_write(self).await?;
        write_application_tx(&mut tx, &mut head, actor, a, expected_version).await?;
        let record = match change {
            TargetChange::None => None,
            TargetChange::Record(c) => Some(change_record_tx(&mut tx, &mut head, actor, c).await?),
            TargetChange::ListEntry(e, v) => {
                write_entry_tx(&mut tx, &mut head, actor, &e, Some(v)).await?;
                None
            }
        };
        commit(tx, head).await?;
        Ok(record)
    }

    /// Store an evidence file and the application that now lists it, in one transaction.
    async fn add_evidence(
        &self,
        actor: &str,
        a: &ApplicationRow,
        expected_version: i64,
        f: &EvidenceFile,
    ) -> Result<()> {
        let (mut tx, mut head) = begin_write(self).await?;
        write_application_tx(&mut tx, &mut head, actor, a, Some(expected_version)).await?;
        sqlx::query(
            "INSERT INTO evidence_files (id, application_id, name, kind, size, sha256, material, content, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(enc(f.id))
        .bind(enc(f.application_id))
        .bind(&f.name)
        .bind(&f.kind)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(&f.material)
        .bind(&f.content)
        .bind(f.created_at)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "evidence_file",
            &f.id.to_string(),
            "create",
            Some(evidence_digest(f)?),
        )
        .await?;
        commit(tx, head).await
    }

    async fn application(&self, id: Uuid) -> Result<Option<ApplicationRow>> {
        sqlx::query("SELECT * FROM applications WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(application_from_row)
            .transpose()
    }

    async fn application_by_tracking(&self, tracking_no: &str) -> Result<Option<ApplicationRow>> {
        sqlx::query("SELECT * FROM applications WHERE tracking_no = $1")
            .bind(tracking_no)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(application_from_row)
            .transpose()
    }

    async fn applications(&self, f: &ApplicationFilter) -> Result<Vec<ApplicationRow>> {
        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT * FROM applications WHERE 1 = 1");
        if let Some(k) = &f.kind {
            q.push(" AND kind = ").push_bind(k.clone());
        }
        if let Some(s) = &f.state {
            q.push(" AND state = ").push_bind(s.clone());
        }
        if let Some(d) = &f.department {
            q.push(" AND department = ").push_bind(d.clone());
        }
        if let Some(s) = f.subject_id {
            q.push(" AND subject_id = ").push_bind(enc(s));
        }
        if let Some(t) = &f.target_id {
            q.push(" AND target_id = ").push_bind(t.clone());
        }
        if f.open_only {
            q.push(" AND due IS NOT NULL");
        }
        q.push(" ORDER BY created_at DESC, id LIMIT ")
            .push_bind(f.limit.unwrap_or(1000).clamp(1, 100_000));
        q.build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(application_from_row)
            .collect()
    }

    async fn evidence_file(&self, id: Uuid) -> Result<Option<EvidenceFile>> {
        sqlx::query("SELECT * FROM evidence_files WHERE id = $1")
            .bind(enc(id))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(evidence_from_row)
            .transpose()
    }

    async fn evidence_bytes_since(&self, since: DateTime<Utc>) -> Result<i64> {
        // Covered by the index on (created_at, size): the files' content is never read.
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM evidence_files WHERE created_at >= $1",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }
}
