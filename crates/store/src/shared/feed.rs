//! Upward aggregation between instances (issue 21): links to lower instances and the records
//! received through them. A page is applied in one transaction; every change is logged.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::Row;

use super::kernel::{begin_write, commit, entry, DbRow, PendingLog, Tx};
use super::Inner;
use crate::changelog::{format_at, now, state_digest};
use crate::error::{Result, StoreError};
use crate::{FeedApplied, FeedLinkRow, FeedRecordRow, FeedStore};

pub(super) fn link_from_row(r: &DbRow) -> Result<FeedLinkRow> {
    Ok(FeedLinkRow {
        name: r.try_get("name")?,
        base_url: r.try_get("base_url")?,
        region: r.try_get("region")?,
        applied: r.try_get("applied")?,
        last_hash: r.try_get("last_hash")?,
        frontier: r.try_get("frontier")?,
        head_size: r.try_get("head_size")?,
        head_root: r.try_get("head_root")?,
        sender_size: r.try_get("sender_size")?,
        state: r.try_get("state")?,
        error_code: r.try_get("error_code")?,
        error: r.try_get("error")?,
        records: r.try_get("records")?,
        pages: r.try_get("pages")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn record_from_row(r: &DbRow) -> Result<FeedRecordRow> {
    Ok(FeedRecordRow {
        id: r.try_get("id")?,
        link: r.try_get("link")?,
        origin: r.try_get("origin")?,
        origin_region: r.try_get("origin_region")?,
        original_id: r.try_get("original_id")?,
        origin_seq: r.try_get("origin_seq")?,
        type_code: r.try_get("type_code")?,
        subject_name: r.try_get("subject_name")?,
        subject_code: r.try_get("subject_code")?,
        doc_no: r.try_get("doc_no")?,
        decision_date: r.try_get("decision_date")?,
        source_dept: r.try_get("source_dept")?,
        status: r.try_get("status")?,
        fields: r.try_get("fields")?,
        version: r.try_get("version")?,
    })
}

pub(super) fn link_id(r: &DbRow) -> Result<String> {
    Ok(r.try_get::<String, _>("name")?)
}

pub(super) fn record_id(r: &DbRow) -> Result<String> {
    Ok(r.try_get::<String, _>("id")?)
}

async fn link_tx(tx: &mut Tx<'_>, name: &str) -> Result<Option<FeedLinkRow>> {
    sqlx::query("SELECT * FROM feed_links WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(link_from_row)
        .transpose()
}

/// Write a link's new state over version `expected`; a missing row is inserted when
/// `expected` is 0.
async fn write_link(tx: &mut Tx<'_>, l: &FeedLinkRow, expected: i64) -> Result<()> {
    let done = if expected == 0 {
        sqlx::query(
            "INSERT INTO feed_links (name, base_url, region, applied, last_hash, frontier, \
             head_size, head_root, sender_size, state, error_code, error, records, pages, \
             updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
    } else {
        sqlx::query(
            "UPDATE feed_links SET base_url = $2, region = $3, applied = $4, last_hash = $5, \
             frontier = $6, head_size = $7, head_root = $8, sender_size = $9, state = $10, \
             error_code = $11, error = $12, records = $13, pages = $14, updated_at = $15, \
             version = $16 WHERE name = $1 AND version = $17",
        )
    };
    let q = done
        .bind(&l.name)
        .bind(&l.base_url)
        .bind(&l.region)
        .bind(l.applied)
        .bind(&l.last_hash)
        .bind(&l.frontier)
        .bind(l.head_size)
        .bind(&l.head_root)
        .bind(l.sender_size)
        .bind(&l.state)
        .bind(&l.error_code)
        .bind(&l.error)
        .bind(l.records)
        .bind(l.pages)
        .bind(&l.updated_at)
        .bind(l.version);
    let q = if expected == 0 { q } else { q.bind(expected) };
    let done = q.execute(&mut **tx).await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            expected,
            current: expected + 1,
        });
    }
    Ok(())
}

#[async_trait]
impl FeedStore for Inner {
    async fn feed_links(&self) -> Result<Vec<FeedLinkRow>> {
        sqlx::query("SELECT * FROM feed_links ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(link_from_row)
            .collect()
    }

    async fn feed_link(&self, name: &str) -> Result<Option<FeedLinkRow>> {
        sqlx::query("SELECT * FROM feed_links WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(link_from_row)
            .transpose()
    }

    async fn feed_link_configure(
        &self,
        actor: &str,
        name: &str,
        base_url: &str,
        region: &str,
    ) -> Result<FeedLinkRow> {
        if name.trim().is_empty() || base_url.trim().is_empty() {
            return Err(StoreError::Invalid("下级平台的名称和地址不能为空".into()));
        }
        if let Some(l) = self.feed_link(name).await? {
            if l.base_url == base_url && l.region == region {
                return Ok(l);
            }
        }
        let (mut tx, mut head) = begin_write(self).await?;
        let found = link_tx(&mut tx, name).await?;
        let t = format_at(now());
        let (link, expected, action) = match found {
            Some(l) if l.base_url == base_url && l.region == region => {
                tx.rollback().await?;
                return Ok(l);
            }
            Some(l) => {
                let expected = l.version;
                (
                    FeedLinkRow {
                        base_url: base_url.to_string(),
                        region: region.to_string(),
                        updated_at: t,
                        version: l.version + 1,
                        ..l
                    },
                    expected,
                    "configure",
                )
            }
            None => (
                FeedLinkRow {
                    name: name.to_string(),
                    base_url: base_url.to_string(),
                    region: region.to_string(),
                    applied: 0,
                    last_hash: String::new(),
                    frontier: String::new(),
                    head_size: 0,
                    head_root: String::new(),
                    sender_size: 0,
                    state: "new".into(),
                    error_code: None,
                    error: None,
                    records: 0,
                    pages: 0,
                    updated_at: t,
                    version: 1,
                },
                0,
                "create",
            ),
        };
        write_link(&mut tx, &link, expected).await?;
        let mut log = PendingLog::default();
        log.push(entry(
            "feed_link",
            link.name.clone(),
            action,
            state_digest(&link)?,
        ));
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await?;
        Ok(link)
    }

    async fn feed_apply(
        &self,
        actor: &str,
        link: &FeedLinkRow,
        records: &[FeedRecordRow],
    ) -> Result<FeedApplied> {
        let (mut tx, mut head) = begin_write(self).await?;
        let mut log = PendingLog::default();
        let mut out = FeedApplied::default();
        let mut stored: HashMap<String, FeedRecordRow> = HashMap::new();
        for part in records.chunks(500) {
            let mut q =
                sqlx::QueryBuilder::<super::Db>::new("SELECT * FROM feed_records WHERE id IN (");
            let mut sep = q.separated(", ");
            for r in part {
                sep.push_bind(r.id.clone());
            }
            q.push(")");
            // Unnamed (planned afresh): the table grows from empty inside a pull, and a
            // generic plan cached while it was small keeps scanning it sequentially on
            // PostgreSQL (~1 s per chunk at 100,000 rows; see `LOOKUPS_PERSISTENT`).
            for row in q
                .build()
                .persistent(super::LOOKUPS_PERSISTENT)
                .fetch_all(&mut *tx)
                .await?
            {
                let r = record_from_row(&row)?;
                stored.insert(r.id.clone(), r);
            }
        }
        let mut new_rows: Vec<&FeedRecordRow> = Vec::new();
        for r in records {
            let action = match stored.get(&r.id) {
                Some(old) if *old == *r => {
                    out.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    sqlx::query(
                        "UPDATE feed_records SET link = $2, origin = $3, origin_region = $4, \
                         original_id = $5, origin_seq = $6, type_code = $7, subject_name = $8, \
                         subject_code = $9, doc_no = $10, decision_date = $11, source_dept = $12, \
                         status = $13, fields = $14, version = $15 WHERE id = $1",
                    )
                    .bind(&r.id)
                    .bind(&r.link)
                    .bind(&r.origin)
                    .bind(&r.origin_region)
                    .bind(&r.original_id)
                    .bind(r.origin_seq)
                    .bind(&r.type_code)
                    .bind(&r.subject_name)
                    .bind(&r.subject_code)
                    .bind(&r.doc_no)
                    .bind(&r.decision_date)
                    .bind(&r.source_dept)
                    .bind(&r.status)
                    .bind(&r.fields)
                    .bind(r.version)
                    .execute(&mut *tx)
                    .await?;
                    out.updated += 1;
                    "update"
                }
                None => {
                    new_rows.push(r);
                    out.created += 1;
                    "create"
                }
            };
            log.push(entry("feed_record", r.id.clone(), action, state_digest(r)?));
        }
        for part in new_rows.chunks(500) {
            let mut q = sqlx::QueryBuilder::<super::Db>::new(
                "INSERT INTO feed_records (id, link, origin, origin_region, original_id, \
                 origin_seq, type_code, subject_name, subject_code, doc_no, decision_date, \
                 source_dept, status, fields, version) ",
            );
            q.push_values(part, |mut b, r| {
                b.push_bind(r.id.clone())
                    .push_bind(r.link.clone())
                    .push_bind(r.origin.clone())
                    .push_bind(r.origin_region.clone())
                    .push_bind(r.original_id.clone())
                    .push_bind(r.origin_seq)
                    .push_bind(r.type_code.clone())
                    .push_bind(r.subject_name.clone())
                    .push_bind(r.subject_code.clone())
                    .push_bind(r.doc_no.clone())
                    .push_bind(r.decision_date.clone())
                    .push_bind(r.source_dept.clone())
                    .push_bind(r.status.clone())
                    .push_bind(r.fields.clone())
                    .push_bind(r.version);
            });
            q.build().execute(&mut *tx).await?;
        }
        let expected = link.version;
        let new = FeedLinkRow {
            updated_at: format_at(now()),
            version: expected + 1,
            ..link.clone()
        };
        write_link(&mut tx, &new, expected).await?;
        log.push(entry(
            "feed_link",
            new.name.clone(),
            "pull",
            state_digest(&new)?,
        ));
        // A large page is logged as group entries (one chained row per 10,000 changes).
        if records.len() > 100 {
            let group = format!("feed:{}:{}", new.name, new.applied);
            log.flush_grouped(&mut tx, &mut head, actor, &group).await?;
        } else {
            log.flush(&mut tx, &mut head, actor).await?;
        }
        commit(tx, head).await?;
        Ok(out)
    }

    async fn feed_fail(&self, actor: &str, name: &str, code: &str, message: &str) -> Result<()> {
        let (mut tx, mut head) = begin_write(self).await?;
        let Some(l) = link_tx(&mut tx, name).await? else {
            return Err(StoreError::NotFound {
                entity: "下级平台",
                id: name.to_string(),
            });
        };
        let expected = l.version;
        let new = FeedLinkRow {
            state: "failed".into(),
            error_code: Some(code.to_string()),
            error: Some(message.to_string()),
            updated_at: format_at(now()),
            version: expected + 1,
            ..l
        };
        write_link(&mut tx, &new, expected).await?;
        let mut log = PendingLog::default();
        log.push(entry(
            "feed_link",
            new.name.clone(),
            "fail",
            state_digest(&new)?,
        ));
        log.flush(&mut tx, &mut head, actor).await?;
        commit(tx, head).await
    }

    async fn feed_records(&self, origin: Option<&str>, limit: i64) -> Result<Vec<FeedRecordRow>> {
        let rows = match origin {
            Some(o) => {
                sqlx::query(
                    "SELECT * FROM feed_records WHERE origin = $1 ORDER BY origin_seq DESC, id LIMIT $2",
                )
                .bind(o)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query("SELECT * FROM feed_records ORDER BY origin_seq DESC, id LIMIT $1")
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(record_from_row).collect()
    }

    async fn feed_source_records(
        &self,
        ids: &[uuid::Uuid],
    ) -> Result<Vec<(chengxin_domain::records::Record, Option<String>)>> {
        let mut out = Vec::with_capacity(ids.len());
        for part in ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::<super::Db>::new(
                "SELECT r.*, s.uscc AS subject_uscc, s.id_masked AS subject_masked \
                 FROM records r LEFT JOIN subjects s ON s.id = r.subject_id \
                 WHERE (r.batch_id IS NULL OR r.batch_id NOT IN \
                 (SELECT id FROM batches WHERE state IN ('importing', 'failing'))) AND r.id IN (",
            );
            let mut sep = q.separated(", ");
            for id in part {
                sep.push_bind(super::enc(*id));
            }
            q.push(")");
            for row in q
                .build()
                .persistent(super::LOOKUPS_PERSISTENT)
                .fetch_all(&self.pool)
                .await?
            {
                let code: Option<String> = row.try_get("subject_uscc")?;
                let masked: Option<String> = row.try_get("subject_masked")?;
                out.push((super::records::record_from_row(&row)?, code.or(masked)));
            }
        }
        Ok(out)
    }

    async fn feed_records_by_id(&self, ids: &[String]) -> Result<Vec<FeedRecordRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for part in ids.chunks(500) {
            let mut q =
                sqlx::QueryBuilder::<super::Db>::new("SELECT * FROM feed_records WHERE id IN (");
            let mut sep = q.separated(", ");
            for id in part {
                sep.push_bind(id.clone());
            }
            q.push(")");
            for r in q
                .build()
                .persistent(super::LOOKUPS_PERSISTENT)
                .fetch_all(&self.pool)
                .await?
            {
                out.push(record_from_row(&r)?);
            }
        }
        Ok(out)
    }
}
