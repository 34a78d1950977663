//! Issued credit reports (信用报告).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

/// An issued credit report (信用报告): the signed report as JSON
/// (`chengxin_report::SignedReport`), the PDF handed out and what verification looks up.
/// Written once, never changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditReportRow {
    /// 报告编号 (`XYBG-YYYYMMDD-XXXXXXXX`).
    pub report_no: String,
    pub subject_id: Uuid,
    pub issued_at: DateTime<Utc>,
    /// Actor who issued it (`account:<username>` …).
    pub issued_by: String,
    /// Key id of the report-signing key.
    pub key_id: String,
    /// SHA-256 (hex) of the report's canonical JSON.
    pub content_sha256: String,
    /// 验证码 (`XXXX-XXXX-XXXX-XXXX`).
    pub verification_code: String,
    /// `chengxin_report::SignedReport`.
    pub signed: serde_json::Value,
    /// SHA-256 (hex) of the PDF bytes.
    pub pdf_sha256: String,
    /// The PDF as issued.
    #[serde(skip)]
    pub pdf: Vec<u8>,
}

/// Issued credit reports (信用报告): written once, never changed.
#[async_trait]
pub trait CreditReportStore: Send + Sync {
    /// Store an issued report (its number must be new: a reused number is `Duplicate`).
    async fn create_credit_report(&self, actor: &str, r: &CreditReportRow) -> Result<()>;
    async fn credit_report(&self, report_no: &str) -> Result<Option<CreditReportRow>>;
}
