//! Signing and verifying reports: canonical bytes, Ed25519, key ids and verification codes.
//!
//! * The **canonical bytes** of a report are its compact JSON (`serde_json`) in the struct's
//!   field order: no maps, so no ordering ambiguity; the payload embedded in the PDF parses
//!   back to a report with the very same bytes.
//! * The **signature** is Ed25519 over [`SIGNING_CONTEXT`] followed by the canonical bytes (the
//!   prefix keeps a report signature from ever being valid for another message signed with the
//!   same key).
//! * The **key id** is the first 8 bytes of SHA-256 of the public key, in hex: it tells the
//!   verifier which of its keys to use, and a wrong key is reported as such.
//! * The **verification code** (验证码) is 80 bits of SHA-256 of the signature in Crockford
//!   base32, grouped `XXXX-XXXX-XXXX-XXXX`: people type it with the report number on the
//!   portal. It cannot be computed without the signature, so it cannot be guessed for a report
//!   number, and it changes with every change of content.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ReportError;
use crate::model::CreditReport;

/// Prefix of every signed message.
pub const SIGNING_CONTEXT: &[u8] = b"chengxin-credit-report/v1\n";

/// Domain separation of the verification code's hash.
const CODE_CONTEXT: &[u8] = b"chengxin-report-code/v1\n";

/// Crockford base32: no I, L, O, U.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a verification code, without the hyphens.
pub const CODE_LEN: usize = 16;

/// A report with its signature and everything needed to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReport {
    /// The report as signed.
    pub report: CreditReport,
    /// Ed25519 signature (64 bytes), standard base64 with padding.
    pub signature_b64: String,
    /// [`key_id`] of the signing key.
    pub key_id: String,
    /// SHA-256 of [`canonical_bytes`], lower-case hex.
    pub content_sha256_hex: String,
    /// 验证码, `XXXX-XXXX-XXXX-XXXX` (Crockford base32).
    pub verification_code: String,
}

impl SignedReport {
    /// Whether `input` (as typed: any case, with or without hyphens or spaces, `O`/`I`/`L`
    /// read as `0`/`1`) is this report's verification code. Compares in constant time.
    pub fn code_matches(&self, input: &str) -> bool {
        match normalize_code(input) {
            Some(code) => {
                let a = code.as_bytes();
                let b = self.verification_code.as_bytes();
                a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
            }
            None => false,
        }
    }
}

/// The canonical bytes of a report: what is hashed and signed.
pub fn canonical_bytes(report: &CreditReport) -> Vec<u8> {
    // Serialising these plain structs (strings, vectors, an enum, a date) into memory has no
    // failure path in serde_json; an empty result would fail `sign` and `verify` anyway.
    serde_json::to_vec(report).unwrap_or_default()
}

/// Key id of a public key: first 8 bytes of its SHA-256, lower-case hex (16 characters).
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex::encode(&digest[..8])
}

/// The verification code belonging to a signature.
pub fn verification_code(signature: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(CODE_CONTEXT);
    h.update(signature);
    let digest = h.finalize();
    // 80 bits = 16 base32 digits.
    let mut bits: u128 = 0;
    for b in &digest[..10] {
        bits = (bits << 8) | u128::from(*b);
    }
    let mut out = String::with_capacity(CODE_LEN + 3);
    for i in 0..CODE_LEN {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 5 * (CODE_LEN - 1 - i);
        let idx = ((bits >> shift) & 0x1f) as usize;
        out.push(char::from(CROCKFORD[idx]));
    }
    out
}

/// Normalises a typed verification code to `XXXX-XXXX-XXXX-XXXX`: ignores case, spaces and
/// hyphens, reads `O` as `0` and `I`/`L` as `1`. `None` if it is not 16 base32 digits.
pub fn normalize_code(input: &str) -> Option<String> {
    let mut digits = String::with_capacity(CODE_LEN);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '\u{3000}' | '－' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
            return None;
        }
        digits.push(c);
        if digits.len() > CODE_LEN {
            return None;
        }
    }
    if digits.len() != CODE_LEN {
        return None;
    }
    let mut out = String::with_capacity(CODE_LEN + 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Some(out)
}

fn message(canonical: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNING_CONTEXT.len() + canonical.len());
    m.extend_from_slice(SIGNING_CONTEXT);
    m.extend_from_slice(canonical);
    m
}

/// Validates and signs a report.
pub fn sign(report: &CreditReport, key: &SigningKey) -> Result<SignedReport, ReportError> {
    report.validate()?;
    let canonical = canonical_bytes(report);
    if canonical.is_empty() {
        return Err(ReportError::InvalidReport("无法序列化报告内容".into()));
    }
    let signature = key.sign(&message(&canonical)).to_bytes();
    Ok(SignedReport {
        report: report.clone(),
        signature_b64: B64.encode(signature),
        key_id: key_id(&key.verifying_key()),
        content_sha256_hex: hex::encode(Sha256::digest(&canonical)),
        verification_code: verification_code(&signature),
    })
}

/// Checks a signed report against a public key: the key id, the content hash, the
/// signature (strict Ed25519) and the verification code must all match the content.
pub fn verify(signed: &SignedReport, key: &VerifyingKey) -> Result<(), ReportError> {
    let expected = key_id(key);
    if signed.key_id != expected {
        return Err(ReportError::KeyMismatch {
            expected,
            found: signed.key_id.clone(),
        });
    }
    let canonical = canonical_bytes(&signed.report);
    if canonical.is_empty() || hex::encode(Sha256::digest(&canonical)) != signed.content_sha256_hex
    {
        return Err(ReportError::ContentHashMismatch);
    }
    let raw = B64
        .decode(signed.signature_b64.as_bytes())
        .map_err(|_| ReportError::MalformedSignature)?;
    let bytes: [u8; 64] = raw
        .as_slice()
        .try_into()
        .map_err(|_| ReportError::MalformedSignature)?;
    let signature = Signature::from_bytes(&bytes);
    key.verify_strict(&message(&canonical), &signature)
        .map_err(|_| ReportError::BadSignature)?;
    if verification_code(&bytes) != signed.verification_code {
        return Err(ReportError::CodeMismatch);
    }
    Ok(())
}
