//! 报告验真: a report checked by its number and 验证码, or from the uploaded PDF.

use chengxin_report::{ReportError, SignedReport, VerifyingKey};
use chengxin_store::{CreditReportRow, Store};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::clean_report_no;
use crate::error::AppResult;
use crate::App;

/// What the portal shows of a verified report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionSummary {
    pub title: String,
    /// Number of entries listed.
    pub rows: usize,
}

/// The answer of 报告验真: `valid` with what the report says, or not with a stable code and a
/// Chinese reason. Nothing about the report is returned unless it is valid.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    pub valid: bool,
    /// Why not (`report_unknown`, `report_tampered`, `report_signature_invalid`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub issued_at: Option<DateTime<FixedOffset>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
    /// USCC, or the masked ID number of a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_kind: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionSummary>,
    /// Key id of the signing key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// What the report's proof bundle established (uploaded PDFs, issue 21), in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proofs: Option<String>,
}

impl Verification {
    pub fn invalid(code: &str, reason: impl Into<String>) -> Self {
        Self {
            valid: false,
            code: Some(code.into()),
            reason: Some(reason.into()),
            report_no: None,
            issued_at: None,
            issuer: None,
            subject_name: None,
            subject_code: None,
            subject_kind: None,
            sections: Vec::new(),
            key_id: None,
            proofs: None,
        }
    }

    pub fn valid(s: &SignedReport) -> Self {
        let r = &s.report;
        Self {
            valid: true,
            code: None,
            reason: None,
            report_no: Some(r.report_no.clone()),
            issued_at: Some(r.issued_at),
            issuer: Some(r.issuer.clone()),
            subject_name: Some(r.subject.name.clone()),
            subject_code: Some(r.subject.code.clone()),
            subject_kind: Some(r.subject.kind.as_str().to_string()),
            sections: r
                .sections
                .iter()
                .map(|s| SectionSummary {
                    title: s.title.clone(),
                    rows: s.table.rows.len(),
                })
                .collect(),
            key_id: Some(s.key_id.clone()),
            proofs: None,
        }
    }
}

const UNKNOWN_REASON: &str = "报告编号或验证码不正确，未找到对应的信用报告";
const TAMPERED_REASON: &str = "报告内容与出具时的记录不一致，报告可能已被篡改";

fn unknown() -> Verification {
    Verification::invalid("report_unknown", UNKNOWN_REASON)
}

fn tampered(reason: &str) -> Verification {
    Verification::invalid("report_tampered", reason)
}

/// The stored signed report, checked against its own columns and (if given) the key: a row
/// edited in the database is not vouched for (`None`).
pub fn stored_signed(row: &CreditReportRow, key: Option<&VerifyingKey>) -> Option<SignedReport> {
    let signed: SignedReport = serde_json::from_value(row.signed.clone()).ok()?;
    if signed.report.report_no != row.report_no
        || signed.content_sha256_hex != row.content_sha256
        || signed.verification_code != row.verification_code
        || signed.key_id != row.key_id
    {
        return None;
    }
    if let Some(k) = key {
        chengxin_report::verify(&signed, k).ok()?;
    }
    if hex::encode(Sha256::digest(&row.pdf)) != row.pdf_sha256 {
        return None;
    }
    Some(signed)
}

/// 报告验真 by number and 验证码. An unknown number and a wrong code get the same answer, so
/// the portal cannot be used to find out which report numbers exist.
pub async fn verify_by_code(
    store: &dyn Store,
    key: Option<&VerifyingKey>,
    report_no: &str,
    code: &str,
) -> AppResult<Verification> {
    if chengxin_report::normalize_code(code).is_none() {
        return Ok(Verification::invalid(
            "code_malformed",
            "验证码格式不正确（应为16位字母数字，如 ABCD-EFGH-JKMN-PQRS）",
        ));
    }
    let Some(no) = clean_report_no(report_no) else {
        return Ok(unknown());
    };
    let Some(row) = store.credit_report(&no).await? else {
        return Ok(unknown());
    };
    let Some(signed) = stored_signed(&row, key) else {
        // Only someone holding the right code learns that the stored copy is damaged.
        return Ok(if code_matches_row(&row, code) {
            tampered("系统中保存的报告记录未通过完整性核验，请联系出具机构")
        } else {
            unknown()
        });
    };
    if !signed.code_matches(code) {
        return Ok(unknown());
    }
    Ok(Verification::valid(&signed))
}

fn code_matches_row(row: &CreditReportRow, code: &str) -> bool {
    chengxin_report::normalize_code(code).is_some_and(|c| {
        let (a, b) = (c.as_bytes(), row.verification_code.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    })
}

/// Most bytes accepted for an uploaded report.
pub const MAX_PDF_BYTES: usize = 16 * 1024 * 1024;

/// 报告验真 of an uploaded PDF: the embedded signed payload must verify with the report key,
/// its proof bundle (if it carries one) must verify offline — the tree head signed by the log
/// key (`log_keys` pins it when set), each inclusion proof against the head's root — its number
/// must be one this system issued with the same content, and the file must be byte for byte
/// the PDF that was issued.
pub async fn verify_pdf(
    store: &dyn Store,
    key: &VerifyingKey,
    log_keys: &[VerifyingKey],
    pdf: &[u8],
) -> AppResult<Verification> {
    if pdf.is_empty() {
        return Ok(Verification::invalid("report_file_empty", "上传的文件为空"));
    }
    let (signed, bundle) = match chengxin_report::extract_bundle(pdf) {
        Ok(s) => s,
        Err(e) => {
            return Ok(match e {
                ReportError::PayloadNotFound => Verification::invalid(
                    "report_payload_missing",
                    "文件中未找到报告签名数据（不是本系统出具的信用报告 PDF，或文件已被改写）",
                ),
                ReportError::UnsupportedPayloadVersion(_) => {
                    Verification::invalid("report_unsupported", e.to_string())
                }
                _ => tampered("文件中的报告签名数据已损坏或不一致，报告可能已被篡改"),
            })
        }
    };
    if let Err(e) = chengxin_report::verify(&signed, key) {
        return Ok(match e {
            ReportError::KeyMismatch { .. } => {
                Verification::invalid("report_key_unknown", "报告不是用本系统的报告签名密钥签发的")
            }
            ReportError::MalformedSignature | ReportError::BadSignature => Verification::invalid(
                "report_signature_invalid",
                "数字签名核验未通过，报告可能已被篡改或并非由本机构出具",
            ),
            _ => tampered(TAMPERED_REASON),
        });
    }
    let proofs = match &bundle {
        None => "未附带存证证明（出具时未启用变更日志签名树头）".to_string(),
        Some(b) => {
            let pinned = log_keys
                .iter()
                .find(|k| hex::encode(k.as_bytes()) == b.log_key)
                .or(log_keys.first());
            match chengxin_report::verify_bundle(&signed, Some(b), key, pinned) {
                Ok(ok) => format!(
                    "{} 条记录的变更日志包含证明已核验，签名树头：{}，共 {} 条，树根 {}…",
                    ok.entries,
                    ok.origin,
                    ok.tree_size,
                    &hex::encode(ok.root)[..16]
                ),
                Err(e) => return Ok(Verification::invalid(e.code(), e.to_string())),
            }
        }
    };
    let Some(no) = clean_report_no(&signed.report.report_no) else {
        return Ok(Verification::invalid(
            "report_unknown",
            "未找到该编号的信用报告",
        ));
    };
    let Some(row) = store.credit_report(&no).await? else {
        return Ok(Verification::invalid(
            "report_unknown",
            "未找到该编号的信用报告",
        ));
    };
    let Some(stored) = stored_signed(&row, Some(key)) else {
        return Ok(tampered(
            "系统中保存的报告记录未通过完整性核验，请联系出具机构",
        ));
    };
    if stored != signed {
        return Ok(tampered(TAMPERED_REASON));
    }
    if hex::encode(Sha256::digest(pdf)) != row.pdf_sha256 {
        return Ok(tampered(
            "文件与出具时的报告 PDF 不一致（文件可能被修改过），请以报告编号和验证码核验或向出具机构索取原件",
        ));
    }
    let mut v = Verification::valid(&signed);
    v.proofs = Some(proofs);
    Ok(v)
}

/// 报告验真 by number and 验证码 with this instance's report key (if any).
pub async fn verify_code(app: &App, report_no: &str, code: &str) -> AppResult<Verification> {
    let key = app.report_public_key();
    verify_by_code(app.store.as_ref(), key.as_ref(), report_no, code).await
}

/// 报告验真 of an uploaded PDF (unavailable without the report key).
pub async fn verify_upload(app: &App, pdf: &[u8]) -> AppResult<Verification> {
    let key = app.report_public_key().ok_or_else(super::issue::no_key)?;
    verify_pdf(app.store.as_ref(), &key, &app.log_keys, pdf).await
}

/// What `chengxin report verify` prints: the offline check of a report PDF (no server, no
/// database) as Chinese lines and as JSON.
#[derive(Debug, Clone)]
pub struct OfflineOutcome {
    pub valid: bool,
    /// `{"valid":…}` with the head and proof counts, or the stable `code` and the `reason`.
    pub json: serde_json::Value,
    pub lines: Vec<String>,
}

/// Check a report PDF offline: the report signature with `key`, the signed tree head it
/// carries (with `log_key` when the verifier holds it), every inclusion proof against the
/// head's root, and the bundle's binding to the report.
pub fn verify_offline(
    pdf: &[u8],
    key: &VerifyingKey,
    log_key: Option<&VerifyingKey>,
) -> OfflineOutcome {
    match chengxin_report::verify_offline(pdf, key, log_key) {
        Ok(ok) => {
            let r = &ok.signed.report;
            let root = hex::encode(ok.root);
            OfflineOutcome {
                valid: true,
                json: serde_json::json!({
                    "valid": true,
                    "report_no": r.report_no,
                    "subject": r.subject.name,
                    "issuer": r.issuer,
                    "issued_at": r.issued_at,
                    "origin": ok.origin,
                    "tree_size": ok.tree_size,
                    "root": root,
                    "proofs": ok.entries,
                }),
                lines: vec![
                    format!("核验通过：信用报告 {}（{}）", r.report_no, r.subject.name),
                    format!(
                        "  报告签名：有效（出具机构 {}，出具时间 {}）",
                        r.issuer, r.issued_at
                    ),
                    format!(
                        "  签名树头：有效（{}，共 {} 条，树根 {root}）",
                        ok.origin, ok.tree_size
                    ),
                    format!("  包含证明：{} 条，全部与树根一致", ok.entries),
                ],
            }
        }
        Err(e) => OfflineOutcome {
            valid: false,
            json: serde_json::json!({"valid": false, "code": e.code(), "reason": e.to_string()}),
            lines: vec![format!("核验未通过 [{}]：{e}", e.code())],
        },
    }
}
