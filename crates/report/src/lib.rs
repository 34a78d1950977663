//! Credit reports (信用报告): the report model, signing, PDF rendering and verification.
//!
//! Pure: no database, no network, no global state, no clock (the issue time is part of the
//! report). The CJK font is compiled in (`data/fonts/`), so rendering needs no files.
//!
//! | step | function |
//! |---|---|
//! | build a [`CreditReport`] | the caller (subject code already masked for persons) |
//! | sign it | [`sign`] → [`SignedReport`] (Ed25519, [`key_id`], 验证码) |
//! | render it | [`render_pdf`] → A4 PDF with QR code and the signed payload embedded |
//! | check a report number + code | look up the stored [`SignedReport`], [`SignedReport::code_matches`] |
//! | check an uploaded PDF | [`extract_signed`] then [`verify`] |
//!
//! ```
//! use chengxin_report::*;
//! use chrono::DateTime;
//! use ed25519_dalek::SigningKey;
//!
//! # fn main() -> Result<(), ReportError> {
//! let key = SigningKey::from_bytes(&[7; 32]);
//! let report = CreditReport {
//!     report_no: "XY20250601000001".into(),
//!     issued_at: DateTime::parse_from_rfc3339("2025-06-01T09:30:00+08:00")
//!         .map_err(|e| ReportError::InvalidReport(e.to_string()))?,
//!     issuer: "某市公共信用信息中心".into(),
//!     subject: ReportSubject {
//!         name: "某某建设工程有限公司".into(),
//!         code: "91320400MA1XXXXXX0".into(),
//!         kind: SubjectKind::Enterprise,
//!     },
//!     sections: vec![Section {
//!         title: "严重失信主体名单".into(),
//!         note: None,
//!         table: Table { headers: vec!["列入机关".into(), "列入日期".into()], rows: vec![] },
//!     }],
//! };
//! let signed = sign(&report, &key)?;
//! let url = format!("https://example.org/portal/verify?no={}&code={}",
//!     report.report_no, signed.verification_code);
//! let pdf = render_pdf(&signed, &url)?;
//! let back = extract_signed(&pdf)?;
//! verify(&back, &key.verifying_key())?;
//! assert_eq!(back, signed);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod error;
mod extract;
mod model;
mod pdf;
mod proofs;
mod sign;

pub use error::ReportError;
pub use extract::{extract_bundle, extract_signed, PAYLOAD_FORMAT, PAYLOAD_VERSION};
pub use model::{
    CreditReport, Document, ReportSubject, Section, SubjectKind, Table, MAX_COLUMNS,
    MAX_REPORT_NO_LEN, MAX_ROWS, MAX_SECTIONS, MAX_TEXT_CHARS,
};
pub use pdf::{render_document, render_pdf, render_pdf_with_proofs, MAX_VERIFY_URL_LEN};
pub use proofs::{
    bind, binding_message, verify_bundle, verify_offline, EntryProof, OfflineVerified, ProofBundle,
    BINDING_CONTEXT, MAX_PROOF_ENTRIES,
};
pub use sign::{
    canonical_bytes, key_id, normalize_code, sign, verification_code, verify, SignedReport,
    CODE_LEN, SIGNING_CONTEXT,
};

pub use ed25519_dalek::{SigningKey, VerifyingKey};
