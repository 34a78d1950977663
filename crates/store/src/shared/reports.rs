//! Issued credit reports (信用报告). A report is written once, with its change-log entry in the
//! same transaction; the entry's digest covers the SHA-256 of the stored PDF bytes, so `verify`
//! notices a replaced PDF even if its recorded hash was left alone.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::kernel::{append, begin_write, commit, DbRow};
use super::{dec, enc, Inner};
use crate::changelog::state_digest;
use crate::error::{Result, StoreError};
use crate::{CreditReportRow, CreditReportStore};

/// The logged state of a report: its columns, with the PDF as the SHA-256 of the bytes as
/// stored.
#[derive(serde::Serialize)]
pub(super) struct CreditReportState<'a> {
    pub report_no: &'a str,
    pub subject_id: Uuid,
    pub issued_at: chrono::DateTime<chrono::Utc>,
    pub issued_by: &'a str,
    pub key_id: &'a str,
    pub content_sha256: &'a str,
    pub verification_code: &'a str,
    pub signed: &'a serde_json::Value,
    pub pdf_sha256: &'a str,
    pub pdf_content_sha256: String,
}

pub(super) fn report_digest(r: &CreditReportRow) -> Result<String> {
    state_digest(&CreditReportState {
        report_no: &r.report_no,
        subject_id: r.subject_id,
        issued_at: r.issued_at,
        issued_by: &r.issued_by,
        key_id: &r.key_id,
        content_sha256: &r.content_sha256,
        verification_code: &r.verification_code,
        signed: &r.signed,
        pdf_sha256: &r.pdf_sha256,
        pdf_content_sha256: hex::encode(Sha256::digest(&r.pdf)),
    })
}

pub(super) fn report_from_row(r: &DbRow) -> Result<CreditReportRow> {
    Ok(CreditReportRow {
        report_no: r.try_get("report_no")?,
        subject_id: dec(r.try_get("subject_id")?),
        issued_at: r.try_get("issued_at")?,
        issued_by: r.try_get("issued_by")?,
        key_id: r.try_get("key_id")?,
        content_sha256: r.try_get("content_sha256")?,
        verification_code: r.try_get("verification_code")?,
        signed: r.try_get::<Json<serde_json::Value>, _>("signed")?.0,
        pdf_sha256: r.try_get("pdf_sha256")?,
        pdf: r.try_get("pdf")?,
    })
}

#[async_trait]
impl CreditReportStore for Inner {
    async fn create_credit_report(&self, actor: &str, r: &CreditReportRow) -> Result<()> {
        if r.report_no.trim().is_empty() {
            return Err(StoreError::Invalid("报告编号不能为空".into()));
        }
        if hex::encode(Sha256::digest(&r.pdf)) != r.pdf_sha256 {
            return Err(StoreError::Invalid("报告 PDF 的摘要与内容不符".into()));
        }
        let (mut tx, mut head) = begin_write(self).await?;
        sqlx::query(
            "INSERT INTO credit_reports (report_no, subject_id, issued_at, issued_by, key_id, \
             content_sha256, verification_code, signed, pdf_sha256, pdf) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&r.report_no)
        .bind(enc(r.subject_id))
        .bind(r.issued_at)
        .bind(&r.issued_by)
        .bind(&r.key_id)
        .bind(&r.content_sha256)
        .bind(&r.verification_code)
        .bind(Json(&r.signed))
        .bind(&r.pdf_sha256)
        .bind(&r.pdf)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            &mut head,
            actor,
            "credit_report",
            &r.report_no,
            "create",
            Some(report_digest(r)?),
        )
        .await?;
        commit(tx, head).await
    }

    async fn credit_report(&self, report_no: &str) -> Result<Option<CreditReportRow>> {
        sqlx::query("SELECT * FROM credit_reports WHERE report_no = $1")
            .bind(report_no)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(report_from_row)
            .transpose()
    }
}
