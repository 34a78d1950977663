//! The change log as the store exposes it: head, entries, checkpoints, and `verify`, which
//! recomputes the chain and the digest of every row of every covered table.

use super::accounts::{account_from_row, grant_from_row, token_from_row};
use super::audit::audit_from_row;
use super::batches::{
    batch_digest, batch_from_row, correction_from_row, correction_id, reject_from_row, reject_id,
    CorrectionState, RejectState,
};
use super::calendar::calendar_year_from_row;
use super::cases::case_from_row;
use super::links::link_from_row;
use super::lists::entry_from_row;
use super::meta::{catalog_type_from_row, meta_from_row};
use super::records::{history_from_row, history_id, record_from_row, texts_digest};
use super::reports::{report_digest, report_from_row};
use super::rights::{application_from_row, evidence_digest, evidence_from_row};
use super::subjects::{employment_from_row, identity_digest, subject_row_digest};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::HashMap;

use super::kernel::{log_entry_from_row, DbRow};
use super::{dec, Inner};
use crate::changelog::{
    self, now, state_digest, ChainChecker, Checkpoint, EntryRef, LogEntry, LogSigner, VerifyReport,
};
use crate::error::Result;
use crate::verify_pipeline::{EntryPage, Fast, Pipeline};
use crate::LogStore;

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

/// Notifications and commitments (issue 18).
const COVERED_ISSUE18: [Covered; 7] = [
    Covered {
        entity_type: "notification",
        sql: "SELECT * FROM notifications",
        id: uuid_id,
        digest: |r| state_digest(&super::notifications::notification_from_row(r)?),
    },
    Covered {
        entity_type: "webhook",
        sql: "SELECT * FROM webhooks",
        id: |r| Ok(r.try_get::<String, _>("body_uscc")?),
        digest: |r| state_digest(&super::notifications::webhook_from_row(r)?),
    },
    Covered {
        entity_type: "webhook_delivery",
        sql: "SELECT * FROM webhook_deliveries",
        id: uuid_id,
        digest: |r| state_digest(&super::notifications::delivery_from_row(r)?),
    },
    Covered {
        entity_type: "commitment",
        sql: "SELECT * FROM commitments",
        id: uuid_id,
        digest: |r| state_digest(&super::commitments::commitment_from_row(r)?),
    },
    Covered {
        entity_type: "commitment_milestone",
        sql: "SELECT * FROM commitment_milestones",
        id: uuid_id,
        digest: |r| state_digest(&super::commitments::milestone_from_row(r)?),
    },
    Covered {
        entity_type: "commitment_step",
        sql: "SELECT * FROM commitment_steps",
        id: uuid_id,
        digest: |r| state_digest(&super::commitments::step_from_row(r)?),
    },
    Covered {
        entity_type: "commitment_file",
        sql: "SELECT * FROM commitment_files",
        id: uuid_id,
        digest: |r| state_digest(&super::commitments::file_from_row(r)?),
    },
];

/// Work items (issue 19).
const COVERED_ISSUE19: [Covered; 6] = [
    Covered {
        entity_type: "work_item",
        sql: "SELECT * FROM work_items",
        id: uuid_id,
        digest: |r| state_digest(&super::work_items::item_from_row(r)?),
    },
    Covered {
        entity_type: "work_item_party",
        sql: "SELECT * FROM work_item_parties",
        id: super::work_items::party_id,
        digest: |r| state_digest(&super::work_items::party_from_row(r)?),
    },
    Covered {
        entity_type: "work_item_event",
        sql: "SELECT * FROM work_item_events",
        id: uuid_id,
        digest: |r| state_digest(&super::work_items::event_from_row(r)?),
    },
    Covered {
        entity_type: "work_item_file",
        sql: "SELECT * FROM work_item_files",
        id: uuid_id,
        digest: |r| state_digest(&super::work_items::file_from_row(r)?),
    },
    Covered {
        entity_type: "work_hotline_ticket",
        sql: "SELECT * FROM work_hotline_tickets",
        id: |r| Ok(r.try_get::<String, _>("ticket_no")?),
        digest: |r| state_digest(&super::work_items::ticket_from_row(r)?),
    },
    Covered {
        entity_type: "work_task_report",
        sql: "SELECT * FROM work_task_reports",
        id: uuid_id,
        digest: |r| state_digest(&super::work_items::task_report_from_row(r)?),
    },
];

/// Procurement contracts and the arrears ledger (issue 18).
const COVERED_ARREARS: [Covered; 4] = [
    Covered {
        entity_type: "procurement_contract",
        sql: "SELECT * FROM procurement_contracts",
        id: uuid_id,
        digest: |r| state_digest(&super::arrears::contract_from_row(r)?),
    },
    Covered {
        entity_type: "procurement_milestone",
        sql: "SELECT * FROM procurement_milestones",
        id: uuid_id,
        digest: |r| state_digest(&super::arrears::contract_milestone_from_row(r)?),
    },
    Covered {
        entity_type: "arrear",
        sql: "SELECT * FROM arrears",
        id: uuid_id,
        digest: |r| state_digest(&super::arrears::arrear_from_row(r)?),
    },
    Covered {
        entity_type: "arrear_step",
        sql: "SELECT * FROM arrear_steps",
        id: uuid_id,
        digest: |r| state_digest(&super::arrears::arrear_step_from_row(r)?),
    },
];

/// PPP projects and 失信被执行人 cases (issue 18).
const COVERED_PPP: [Covered; 6] = [
    Covered {
        entity_type: "ppp_project",
        sql: "SELECT * FROM ppp_projects",
        id: uuid_id,
        digest: |r| state_digest(&super::ppp::project_from_row(r)?),
    },
    Covered {
        entity_type: "ppp_stage",
        sql: "SELECT * FROM ppp_stages",
        id: uuid_id,
        digest: |r| state_digest(&super::ppp::stage_from_row(r)?),
    },
    Covered {
        entity_type: "ppp_responsible",
        sql: "SELECT * FROM ppp_responsibles",
        id: uuid_id,
        digest: |r| state_digest(&super::ppp::responsible_from_row(r)?),
    },
    Covered {
        entity_type: "ppp_breach",
        sql: "SELECT * FROM ppp_breaches",
        id: uuid_id,
        digest: |r| state_digest(&super::ppp::breach_from_row(r)?),
    },
    Covered {
        entity_type: "debtor_case",
        sql: "SELECT * FROM debtor_cases",
        id: uuid_id,
        digest: |r| state_digest(&super::debtors::case_from_row(r)?),
    },
    Covered {
        entity_type: "debtor_case_note",
        sql: "SELECT * FROM debtor_case_notes",
        id: uuid_id,
        digest: |r| state_digest(&super::debtors::note_from_row(r)?),
    },
];

/// Local government debt positions and their versions (issue 20).
const COVERED_DEBT: [Covered; 2] = [
    Covered {
        entity_type: "debt_position",
        sql: "SELECT * FROM debt_positions",
        id: uuid_id,
        digest: |r| state_digest(&super::debt::position_from_row(r)?),
    },
    Covered {
        entity_type: "debt_position_version",
        sql: "SELECT * FROM debt_position_versions",
        id: uuid_id,
        digest: |r| state_digest(&super::debt::version_from_row(r)?),
    },
];

/// Evaluation: indicator systems, runs, scores, indicator results, warnings, imports (issue 20).
const COVERED_EVALUATION: [Covered; 6] = [
    Covered {
        entity_type: "evaluation_system",
        sql: "SELECT * FROM evaluation_systems",
        id: |r| Ok(r.try_get::<String, _>("version")?),
        digest: |r| state_digest(&super::evaluation::system_from_row(r)?),
    },
    Covered {
        entity_type: "evaluation_run",
        sql: "SELECT * FROM evaluation_runs",
        id: uuid_id,
        digest: |r| state_digest(&super::evaluation::run_from_row(r)?),
    },
    Covered {
        entity_type: "evaluation_score",
        // Rows of runs since migration 0042 are packed and covered per run (below).
        sql: "SELECT * FROM evaluation_scores WHERE packed IS NULL",
        id: uuid_id,
        digest: |r| state_digest(&super::evaluation::score_from_row(r)?),
    },
    Covered {
        entity_type: "evaluation_item",
        sql: "SELECT * FROM evaluation_items",
        id: uuid_id,
        digest: |r| state_digest(&super::evaluation::item_from_row(r)?),
    },
    Covered {
        entity_type: "evaluation_warning",
        sql: "SELECT * FROM evaluation_warnings",
        id: uuid_id,
        digest: |r| state_digest(&super::evaluation::warning_from_row(r)?),
    },
    Covered {
        entity_type: "evaluation_import",
        sql: "SELECT * FROM evaluation_imports",
        id: uuid_id,
        digest: |r| state_digest(&super::evaluation::import_from_row(r)?),
    },
];

/// Complaints filed on the portal: the filing (sealed complainant) and the evidence's bytes
/// (issue 19, part three).
const COVERED_PUBLIC_COMPLAINTS: [Covered; 2] = [
    Covered {
        entity_type: "work_public_filing",
        sql: "SELECT * FROM work_public_filings",
        id: |r| Ok(dec(r.try_get("item_id")?).to_string()),
        digest: |r| state_digest(&super::work_items::filing_from_row(r)?),
    },
    Covered {
        entity_type: "work_item_content",
        sql: "SELECT * FROM work_item_contents",
        id: |r| Ok(dec(r.try_get("file_id")?).to_string()),
        digest: |r| super::work_items::content_digest(&super::work_items::content_from_row(r)?),
    },
];

/// Upward aggregation (issue 21): links to lower instances and the records received.
const COVERED_FEED: [Covered; 2] = [
    Covered {
        entity_type: "feed_link",
        sql: "SELECT * FROM feed_links",
        id: super::feed::link_id,
        digest: |r| state_digest(&super::feed::link_from_row(r)?),
    },
    Covered {
        entity_type: "feed_record",
        sql: "SELECT * FROM feed_records",
        id: super::feed::record_id,
        digest: |r| state_digest(&super::feed::record_from_row(r)?),
    },
];

const COVERED: [Covered; 24] = [
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
        digest: subject_row_digest,
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
        digest: |r| batch_digest(&batch_from_row(r)?),
    },
    Covered {
        entity_type: "batch_reject",
        sql: "SELECT * FROM batch_rejects",
        id: |r| {
            let b = dec(r.try_get("batch_id")?);
            let n: i64 = r.try_get("row_no")?;
            Ok(reject_id(b, u64::try_from(n).unwrap_or(0)))
        },
        digest: |r| {
            let b = dec(r.try_get("batch_id")?);
            let row = reject_from_row(r)?;
            state_digest(&RejectState {
                batch_id: b,
                row: &row,
            })
        },
    },
    Covered {
        entity_type: "batch_correction",
        sql: "SELECT * FROM batch_corrections",
        id: |r| {
            let (batch, _, record, _) = correction_from_row(r)?;
            Ok(correction_id(batch, record.id))
        },
        digest: |r| {
            let (batch_id, base_version, record, texts_sealed) = correction_from_row(r)?;
            state_digest(&CorrectionState {
                batch_id,
                base_version,
                record: &record,
                texts_sealed: texts_sealed.as_deref(),
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
        digest: |r| state_digest(&account_from_row(r)?),
    },
    Covered {
        entity_type: "api_token",
        sql: "SELECT * FROM api_tokens",
        id: uuid_id,
        digest: |r| state_digest(&token_from_row(r)?),
    },
    Covered {
        entity_type: "audit_event",
        sql: "SELECT * FROM audit_events",
        id: uuid_id,
        digest: |r| state_digest(&audit_from_row(r)?),
    },
    Covered {
        entity_type: "list_entry",
        sql: "SELECT * FROM list_entries",
        id: uuid_id,
        digest: |r| state_digest(&entry_from_row(r)?),
    },
    Covered {
        entity_type: "case",
        sql: "SELECT * FROM cases",
        id: |r| Ok(r.try_get("id")?),
        digest: |r| state_digest(&case_from_row(r)?),
    },
    Covered {
        entity_type: "application",
        sql: "SELECT * FROM applications",
        id: uuid_id,
        digest: |r| state_digest(&application_from_row(r)?),
    },
    Covered {
        entity_type: "evidence_file",
        sql: "SELECT * FROM evidence_files",
        id: uuid_id,
        digest: |r| evidence_digest(&evidence_from_row(r)?),
    },
    Covered {
        entity_type: "subject_identity",
        sql: "SELECT * FROM subject_identities",
        id: |r| Ok(dec(r.try_get("subject_id")?).to_string()),
        digest: |r| identity_digest(&r.try_get::<String, _>("sealed")?),
    },
    Covered {
        entity_type: "record_text",
        sql: "SELECT * FROM record_texts",
        id: |r| Ok(dec(r.try_get("record_id")?).to_string()),
        digest: |r| texts_digest(&r.try_get::<String, _>("sealed")?),
    },
    Covered {
        entity_type: "credit_report",
        sql: "SELECT * FROM credit_reports",
        id: |r| Ok(r.try_get("report_no")?),
        digest: |r| report_digest(&report_from_row(r)?),
    },
    Covered {
        entity_type: "calendar_year",
        sql: "SELECT * FROM calendar_years",
        id: |r| Ok(r.try_get::<i32, _>("year")?.to_string()),
        digest: |r| state_digest(&calendar_year_from_row(r)?),
    },
    Covered {
        entity_type: "portal_page",
        sql: "SELECT * FROM portal_pages",
        id: uuid_id,
        digest: |r| state_digest(&super::portal::page_from_row(r)?),
    },
    Covered {
        entity_type: "role_grant",
        sql: "SELECT * FROM role_grants",
        id: uuid_id,
        digest: |r| state_digest(&grant_from_row(r)?),
    },
    Covered {
        entity_type: "training",
        sql: "SELECT * FROM trainings",
        id: uuid_id,
        digest: |r| state_digest(&super::staff::training_from_row(r)?),
    },
];

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

    async fn verify_against(
        &self,
        trusted: &[VerifyingKey],
        heads: &[(u64, chengxin_domain::merkle::Hash)],
    ) -> Result<VerifyReport> {
        let keys: HashMap<String, VerifyingKey> =
            trusted.iter().map(|k| (changelog::key_id(k), *k)).collect();
        // Everything is read in one snapshot: rows written while verify runs (a busy server,
        // start-up escalations) are neither half-seen nor reported as tampering.
        let mut tx = self.pool.begin().await?;
        for stmt in super::SNAPSHOT_SETUP {
            sqlx::query(stmt).execute(&mut *tx).await?;
        }
        let checkpoints = sqlx::query("SELECT * FROM log_checkpoints ORDER BY seq")
            .fetch_all(&mut *tx)
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
        let checker = ChainChecker::new(checkpoints.iter().map(|c| c.seq)).against(heads);
        // The entries: the backend's fast reader (SQLite: parallel readers on the C API;
        // PostgreSQL: COPY), else pages read through sqlx; hashed on worker threads either way.
        let mut checker = match super::check_log_entries(self, &mut tx, checker).await? {
            Fast::Checked(checker) => checker,
            Fast::Unavailable(checker) => read_entries(&mut tx, checker).await?,
        };
        let head = sqlx::query("SELECT seq, hash FROM log_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        checker.head(head.try_get("seq")?, &head.try_get::<String, _>("hash")?);
        for cp in &checkpoints {
            checker.checkpoint(cp, &keys);
        }
        for covered in COVERED
            .iter()
            .chain(&COVERED_ISSUE18)
            .chain(&COVERED_ISSUE19)
            .chain(&COVERED_ARREARS)
            .chain(&COVERED_PPP)
            .chain(&COVERED_DEBT)
            .chain(&COVERED_EVALUATION)
            .chain(&COVERED_PUBLIC_COMPLAINTS)
            .chain(&COVERED_FEED)
        {
            let mut rows = sqlx::query(covered.sql).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                let id = (covered.id)(&row).unwrap_or_else(|_| "<无法解读的主键>".to_string());
                // A row that no longer decodes was edited behind the platform's back.
                let digest = (covered.digest)(&row).unwrap_or_default();
                checker.row(covered.entity_type, &id, &digest);
            }
        }
        // Packed evaluation scores: one digest per run over all its rows.
        super::evaluation::verify_packed_scores(&mut tx, &mut |run, digest| {
            checker.row(super::evaluation::RUN_SCORES, run, digest)
        })
        .await?;
        tx.rollback().await?;
        Ok(checker.finish())
    }
}

/// The change log read through sqlx in pages (where no faster reader applies: an in-memory
/// SQLite database), hashed on worker threads (`verify_pipeline`).
async fn read_entries(
    conn: &mut <super::Db as sqlx::Database>::Connection,
    checker: ChainChecker,
) -> Result<ChainChecker> {
    let mut pipeline = Pipeline::start(checker);
    {
        let mut entries = sqlx::query(
            "SELECT seq, at, actor, entity_type, entity_id, action, state_digest, prev_hash, \
             hash, members FROM change_log ORDER BY seq",
        )
        .fetch(&mut *conn);
        let mut page = EntryPage::new();
        while let Some(row) = entries.try_next().await? {
            page.push(&EntryRef {
                seq: row.try_get(0)?,
                at: row.try_get(1)?,
                actor: row.try_get(2)?,
                entity_type: row.try_get(3)?,
                entity_id: row.try_get(4)?,
                action: row.try_get(5)?,
                state_digest: row.try_get(6)?,
                prev_hash: row.try_get(7)?,
                hash: row.try_get(8)?,
                members: row.try_get(9)?,
            });
            if page.is_full() {
                pipeline
                    .send(std::mem::replace(&mut page, EntryPage::new()))
                    .await?;
            }
        }
        pipeline.send(page).await?;
    }
    pipeline.finish().await
}
