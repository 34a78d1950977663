//! The signed payload inside the PDF, and finding it again in an uploaded file.
//!
//! [`crate::render_pdf`] embeds one file, `chengxin-report-<报告编号>.json`, holding an
//! envelope `{"format":"chengxin-signed-report","version":1,"signed":{…SignedReport…}}`. The
//! stream is stored uncompressed, so [`extract_signed`] finds it by its opening bytes without
//! parsing the PDF; if a tool has re-saved the PDF with compressed streams, it also looks
//! inside Flate streams (bounded in count and size). Whatever it finds must still pass
//! [`crate::verify`]: extraction proves nothing by itself.
//!
//! The payload, not the page content, is what a verifier trusts: a portal that accepts
//! uploads shows the verified payload's content, since the visible pages of a PDF can be
//! edited without touching the payload.

use std::io::Read as _;

use flate2::read::ZlibDecoder;
use serde::{Deserialize, Serialize};

use crate::error::ReportError;
use crate::proofs::ProofBundle;
use crate::sign::SignedReport;

/// `format` of the envelope.
pub const PAYLOAD_FORMAT: &str = "chengxin-signed-report";
/// Current envelope version.
pub const PAYLOAD_VERSION: u32 = 1;

/// How every envelope starts (serde writes fields in struct order, compactly).
const MARKER: &[u8] = br#"{"format":"chengxin-signed-report","version":"#;

/// At most this many marker occurrences are parsed.
const MAX_CANDIDATES: usize = 16;
/// At most this many streams are inflated when looking inside compressed streams.
const MAX_STREAMS: usize = 4_096;
/// Inflated bytes kept per stream, and in all.
const MAX_INFLATED_PER_STREAM: u64 = 16 << 20;
const MAX_INFLATED_TOTAL: u64 = 64 << 20;

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    format: &'static str,
    version: u32,
    signed: &'a SignedReport,
    /// The proof bundle (issue 21): after `signed`, optional, so readers of version 1 that
    /// predate it still read the envelope.
    #[serde(skip_serializing_if = "Option::is_none")]
    proofs: Option<&'a ProofBundle>,
}

#[derive(Deserialize)]
struct EnvelopeIn {
    format: String,
    version: u32,
    signed: SignedReport,
    #[serde(default)]
    proofs: Option<ProofBundle>,
}

/// The bytes of the embedded payload file.
pub(crate) fn envelope_bytes(
    signed: &SignedReport,
    proofs: Option<&ProofBundle>,
) -> Result<Vec<u8>, ReportError> {
    serde_json::to_vec(&EnvelopeOut {
        format: PAYLOAD_FORMAT,
        version: PAYLOAD_VERSION,
        signed,
        proofs,
    })
    .map_err(|e| ReportError::Render(format!("无法序列化签名数据：{e}")))
}

/// Start offsets of `needle` in `hay` (at most `max`).
fn find_all(hay: &[u8], needle: &[u8], max: usize) -> Vec<usize> {
    let mut out = Vec::new();
    if needle.is_empty() || hay.len() < needle.len() {
        return out;
    }
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= hay.len() && out.len() < max {
        match hay[i..].iter().position(|&b| b == first) {
            Some(p) => {
                let at = i + p;
                if hay.get(at..at + needle.len()) == Some(needle) {
                    out.push(at);
                }
                i = at + 1;
            }
            None => break,
        }
    }
    out
}

/// What parsing the candidates in one buffer gave.
#[derive(Default)]
struct Found {
    reports: Vec<(SignedReport, Option<ProofBundle>)>,
    /// A marker was seen (so "not found" would be wrong).
    seen: bool,
    /// An envelope of another version was seen.
    other_version: Option<u32>,
}

fn scan(buf: &[u8], found: &mut Found) {
    for at in find_all(buf, MARKER, MAX_CANDIDATES) {
        found.seen = true;
        let Some(tail) = buf.get(at..) else { continue };
        // The envelope is the first JSON value at the marker; what follows is ignored.
        let mut stream =
            serde_json::Deserializer::from_slice(tail).into_iter::<serde_json::Value>();
        let Some(Ok(value)) = stream.next() else {
            continue;
        };
        let version = value.get("version").and_then(serde_json::Value::as_u64);
        if value.get("format").and_then(serde_json::Value::as_str) != Some(PAYLOAD_FORMAT) {
            continue;
        }
        if version != Some(u64::from(PAYLOAD_VERSION)) {
            found.other_version = Some(
                version
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(u32::MAX),
            );
            continue;
        }
        if let Ok(env) = serde_json::from_value::<EnvelopeIn>(value) {
            if env.format == PAYLOAD_FORMAT && env.version == PAYLOAD_VERSION {
                found.reports.push((env.signed, env.proofs));
            }
        }
    }
}

/// The data of every `stream … endstream` in `pdf`, inflated where it is zlib data.
fn inflated_streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut budget = MAX_INFLATED_TOTAL;
    for at in find_all(pdf, b"stream", usize::MAX) {
        if out.len() >= MAX_STREAMS || budget == 0 {
            break;
        }
        if at >= 3 && pdf.get(at - 3..at) == Some(b"end") {
            continue;
        }
        let mut start = at + b"stream".len();
        if pdf.get(start) == Some(&b'\r') {
            start += 1;
        }
        if pdf.get(start) != Some(&b'\n') {
            continue;
        }
        start += 1;
        let Some(rest) = pdf.get(start..) else {
            continue;
        };
        let end = find_all(rest, b"endstream", 1)
            .first()
            .copied()
            .unwrap_or(rest.len());
        let Some(data) = rest.get(..end) else {
            continue;
        };
        // Zlib streams start with a CMF byte of 0x78 (deflate, 32K window) as a rule.
        if data.first() != Some(&0x78) {
            continue;
        }
        let limit = budget.min(MAX_INFLATED_PER_STREAM);
        let mut inflated = Vec::new();
        let mut reader = ZlibDecoder::new(data).take(limit);
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => inflated.extend_from_slice(&chunk[..n]),
            }
        }
        budget = budget.saturating_sub(inflated.len() as u64);
        if !inflated.is_empty() {
            out.push(inflated);
        }
    }
    out
}

/// Finds the signed payload embedded in a PDF made by [`crate::render_pdf`]. Never panics:
/// any input that does not carry exactly one readable payload gives an error.
///
/// The result still has to be checked with [`crate::verify`].
pub fn extract_signed(pdf: &[u8]) -> Result<SignedReport, ReportError> {
    extract_bundle(pdf).map(|(signed, _)| signed)
}

/// [`extract_signed`], with the proof bundle embedded beside the signed report (if any).
pub fn extract_bundle(pdf: &[u8]) -> Result<(SignedReport, Option<ProofBundle>), ReportError> {
    let mut found = Found::default();
    scan(pdf, &mut found);
    if !found.seen {
        for data in inflated_streams(pdf) {
            scan(&data, &mut found);
        }
    }
    let mut reports = found.reports.into_iter();
    match reports.next() {
        Some(first) => {
            if reports.any(|r| r != first) {
                Err(ReportError::AmbiguousPayload)
            } else {
                Ok(first)
            }
        }
        None => match (found.other_version, found.seen) {
            (Some(v), _) => Err(ReportError::UnsupportedPayloadVersion(v)),
            (None, true) => Err(ReportError::MalformedPayload),
            (None, false) => Err(ReportError::PayloadNotFound),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_all_bounds() {
        assert_eq!(find_all(b"abcabcab", b"abc", 10), vec![0, 3]);
        assert_eq!(find_all(b"ab", b"abc", 10), Vec::<usize>::new());
        assert_eq!(find_all(b"aaaa", b"aa", 2), vec![0, 1]);
        assert_eq!(find_all(b"", b"a", 2), Vec::<usize>::new());
    }

    #[test]
    fn garbage_is_an_error() {
        assert_eq!(extract_signed(b""), Err(ReportError::PayloadNotFound));
        assert_eq!(
            extract_signed(b"%PDF-1.7\nstream\n\x78\x9c\x01\x02endstream"),
            Err(ReportError::PayloadNotFound)
        );
        let mut broken = MARKER.to_vec();
        broken.extend_from_slice(b"1,\"signed\":{}}");
        assert_eq!(extract_signed(&broken), Err(ReportError::MalformedPayload));
        let mut future = MARKER.to_vec();
        future.extend_from_slice(b"2,\"signed\":{}}");
        assert_eq!(
            extract_signed(&future),
            Err(ReportError::UnsupportedPayloadVersion(2))
        );
    }
}
