//! The proof bundle a report carries beside its signature (issue 21): the signed tree head of
//! the change log it was issued under, and an inclusion proof of the latest change-log entry of
//! every record it shows — so that anyone holding the PDF and the issuer's public key checks,
//! offline, that what the report is built on is in the published, append-only log.
//!
//! ```json
//! {"log_key":"<hex Ed25519 key of the log>",
//!  "head":"<C2SP signed checkpoint: origin, size, root, blank line, signature line>",
//!  "entries":[{"entity_type":"record","entity_id":"…","seq":42,
//!              "entry_hash":"<hex>","leaf_index":41,"path":["<hex>",…]}],
//!  "binding":"<base64 Ed25519 signature of the report key>"}
//! ```
//!
//! `binding` is the report key's signature over [`binding_message`]: the report's content hash,
//! the log key, the head and each entry's (type, id, seq, hash, index). It ties the bundle to
//! this report and vouches for the log key, so the report's public key is all a verifier needs
//! (a verifier who also holds the log key pins it: [`verify_offline`]'s `log_key`).
//!
//! Checks, in order, each failure with its own code: the report signature (`key_mismatch`,
//! `bad_signature`, …), the bundle present (`proofs_missing`), the log key (`log_key_invalid`,
//! `log_key_mismatch`), the head (`head_malformed`, `head_signature_invalid`), every inclusion
//! proof against the head's root (`proof_invalid`), and the binding (`proofs_unbound`).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chengxin_domain::merkle::{self, Hash};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::error::ReportError;
use crate::extract::extract_bundle;
use crate::sign::SignedReport;

/// Prefix of the binding signature's message.
pub const BINDING_CONTEXT: &[u8] = b"chengxin-report-proofs/v1\n";

/// Most entries one bundle carries (one per record shown; reports are bounded by
/// [`crate::MAX_ROWS`] per section).
pub const MAX_PROOF_ENTRIES: usize = 20_000;

/// The proofs a report carries (see the module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofBundle {
    /// The change log's Ed25519 public key (hex), the head's signer.
    pub log_key: String,
    /// The signed tree head (a C2SP signed checkpoint note).
    pub head: String,
    /// One inclusion proof per record shown.
    pub entries: Vec<EntryProof>,
    /// The report key's signature over [`binding_message`], base64.
    pub binding: String,
}

/// The latest change-log entry of one item of the report, and its inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryProof {
    /// What the entry is about (`record`).
    pub entity_type: String,
    /// Its id.
    pub entity_id: String,
    /// The entry's sequence number (leaf index + 1).
    pub seq: i64,
    /// The entry's chain hash (hex): the leaf's data.
    pub entry_hash: String,
    /// The leaf's index (`seq - 1`).
    pub leaf_index: u64,
    /// The audit path, leaf side first (hex).
    pub path: Vec<String>,
}

/// The bytes the binding signs.
pub fn binding_message(
    content_sha256_hex: &str,
    log_key: &str,
    head: &str,
    entries: &[EntryProof],
) -> Vec<u8> {
    let mut m = BINDING_CONTEXT.to_vec();
    for part in [content_sha256_hex, "\n", log_key, "\n", head, "\n"] {
        m.extend_from_slice(part.as_bytes());
    }
    for e in entries {
        m.extend_from_slice(
            format!(
                "{}\t{}\t{}\t{}\t{}\n",
                e.entity_type, e.entity_id, e.seq, e.entry_hash, e.leaf_index
            )
            .as_bytes(),
        );
    }
    m
}

/// Put a bundle together and sign its binding with the report key.
pub fn bind(
    signed: &SignedReport,
    key: &SigningKey,
    log_key: &VerifyingKey,
    head: String,
    entries: Vec<EntryProof>,
) -> ProofBundle {
    let log_key = hex::encode(log_key.as_bytes());
    let sig = key.sign(&binding_message(
        &signed.content_sha256_hex,
        &log_key,
        &head,
        &entries,
    ));
    ProofBundle {
        log_key,
        head,
        entries,
        binding: B64.encode(sig.to_bytes()),
    }
}

/// What an offline check established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineVerified {
    /// The report, its signature checked.
    pub signed: SignedReport,
    /// The head's origin (the log's name).
    pub origin: String,
    /// The head's tree size.
    pub tree_size: u64,
    /// The head's root.
    pub root: Hash,
    /// Inclusion proofs checked.
    pub entries: usize,
}

fn decode_hash(s: &str) -> Option<Hash> {
    let mut h = [0u8; 32];
    hex::decode_to_slice(s, &mut h).ok().map(|()| h)
}

/// Open a signed checkpoint with the log key: a signature line whose key ID is this key's
/// (named by the checkpoint's origin) must verify.
fn open_head(note: &str, key: &VerifyingKey) -> Result<merkle::Checkpoint, ReportError> {
    let parsed = merkle::parse_note(note).map_err(|e| ReportError::HeadMalformed(e.to_string()))?;
    let cp = merkle::parse_checkpoint(&parsed.text)
        .map_err(|e| ReportError::HeadMalformed(e.to_string()))?;
    let id = merkle::key_id(&cp.origin, key.as_bytes());
    let mut ok = false;
    for (name, sig_id, sig) in &parsed.signatures {
        if *sig_id != id || *name != cp.origin {
            continue;
        }
        let valid = Signature::from_slice(sig)
            .is_ok_and(|s| key.verify(parsed.text.as_bytes(), &s).is_ok());
        if !valid {
            return Err(ReportError::HeadSignatureInvalid);
        }
        ok = true;
    }
    ok.then_some(cp).ok_or(ReportError::HeadSignatureInvalid)
}

/// Check a signed report and its proof bundle with nothing but the report's public key (and,
/// if the verifier holds it, the log's key to pin).
pub fn verify_bundle(
    signed: &SignedReport,
    bundle: Option<&ProofBundle>,
    report_key: &VerifyingKey,
    pinned_log_key: Option<&VerifyingKey>,
) -> Result<OfflineVerified, ReportError> {
    crate::verify(signed, report_key)?;
    let bundle = bundle.ok_or(ReportError::ProofsMissing)?;
    let log_key = decode_hash(&bundle.log_key)
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or(ReportError::LogKeyInvalid)?;
    if pinned_log_key.is_some_and(|k| *k != log_key) {
        return Err(ReportError::LogKeyMismatch);
    }
    let head = open_head(&bundle.head, &log_key)?;
    if bundle.entries.len() > MAX_PROOF_ENTRIES {
        return Err(ReportError::ProofInvalid {
            entity_id: String::new(),
            reason: format!("证明条数过多（最多 {MAX_PROOF_ENTRIES} 条）"),
        });
    }
    for e in &bundle.entries {
        let bad = |reason: String| ReportError::ProofInvalid {
            entity_id: e.entity_id.clone(),
            reason,
        };
        let entry = decode_hash(&e.entry_hash).ok_or_else(|| bad("条目哈希格式错误".into()))?;
        if e.seq < 1 || e.leaf_index != (e.seq - 1) as u64 {
            return Err(bad("叶序号与条目序号不符".into()));
        }
        let path = e
            .path
            .iter()
            .map(|p| decode_hash(p))
            .collect::<Option<Vec<Hash>>>()
            .ok_or_else(|| bad("证明路径格式错误".into()))?;
        merkle::verify_inclusion(
            &merkle::leaf_hash(&entry),
            e.leaf_index,
            head.size,
            &path,
            &head.root,
        )
        .map_err(|err| bad(err.to_string()))?;
    }
    let sig = B64
        .decode(bundle.binding.as_bytes())
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or(ReportError::ProofsUnbound)?;
    report_key
        .verify_strict(
            &binding_message(
                &signed.content_sha256_hex,
                &bundle.log_key,
                &bundle.head,
                &bundle.entries,
            ),
            &sig,
        )
        .map_err(|_| ReportError::ProofsUnbound)?;
    Ok(OfflineVerified {
        signed: signed.clone(),
        origin: head.origin,
        tree_size: head.size,
        root: head.root,
        entries: bundle.entries.len(),
    })
}

/// [`verify_bundle`] of the payload embedded in a PDF.
pub fn verify_offline(
    pdf: &[u8],
    report_key: &VerifyingKey,
    pinned_log_key: Option<&VerifyingKey>,
) -> Result<OfflineVerified, ReportError> {
    let (signed, bundle) = extract_bundle(pdf)?;
    verify_bundle(&signed, bundle.as_ref(), report_key, pinned_log_key)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chengxin_domain::merkle::{Frontier, NodeId};
    use chrono::DateTime;

    use super::*;
    use crate::{CreditReport, ReportSubject, SubjectKind};

    fn report() -> CreditReport {
        CreditReport {
            report_no: "XYBG-20260101-TEST0001".into(),
            issued_at: DateTime::parse_from_rfc3339("2026-01-01T09:30:00+08:00").unwrap(),
            issuer: "某市公共信用信息中心".into(),
            subject: ReportSubject {
                name: "某某建设工程有限公司".into(),
                code: "91320400MA1XXXXXX0".into(),
                kind: SubjectKind::Enterprise,
            },
            sections: Vec::new(),
        }
    }

    /// A log of `n` entries (hashes `[i; 32]`), its nodes, and a head signed by `log`.
    fn log(n: u64, log: &SigningKey) -> (HashMap<NodeId, Hash>, String, Vec<Hash>) {
        let entries: Vec<Hash> = (0..n).map(|i| [i as u8; 32]).collect();
        let mut nodes = HashMap::new();
        let mut f = Frontier::new();
        for (i, e) in entries.iter().enumerate() {
            let leaf = merkle::leaf_hash(e);
            nodes.insert(NodeId::new(0, i as u64), leaf);
            f.push(leaf, |id, h| {
                nodes.insert(id, *h);
            });
        }
        let origin = "test.chengxin.local/log";
        let text = merkle::checkpoint_text(origin, n, &f.root());
        let id = merkle::key_id(origin, log.verifying_key().as_bytes());
        let sig = log.sign(text.as_bytes()).to_bytes();
        let note = format!("{text}\n{}", merkle::signature_line(origin, id, &sig));
        (nodes, note, entries)
    }

    fn proof(nodes: &HashMap<NodeId, Hash>, entries: &[Hash], seq: i64) -> EntryProof {
        let i = (seq - 1) as u64;
        EntryProof {
            entity_type: "record".into(),
            entity_id: format!("r{seq}"),
            seq,
            entry_hash: hex::encode(entries[i as usize]),
            leaf_index: i,
            path: merkle::inclusion_proof(nodes, i, entries.len() as u64)
                .unwrap()
                .iter()
                .map(hex::encode)
                .collect(),
        }
    }

    fn fixture() -> (SignedReport, ProofBundle, SigningKey, SigningKey) {
        let key = SigningKey::from_bytes(&[7; 32]);
        let log_key = SigningKey::from_bytes(&[8; 32]);
        let signed = crate::sign(&report(), &key).unwrap();
        let (nodes, note, entries) = log(11, &log_key);
        let proofs = vec![proof(&nodes, &entries, 3), proof(&nodes, &entries, 11)];
        let bundle = bind(&signed, &key, &log_key.verifying_key(), note, proofs);
        (signed, bundle, key, log_key)
    }

    #[test]
    fn a_good_report_verifies_offline_from_its_pdf() {
        let (signed, bundle, key, log_key) = fixture();
        let pdf =
            crate::render_pdf_with_proofs(&signed, Some(&bundle), "https://x.example/v").unwrap();
        let ok = verify_offline(&pdf, &key.verifying_key(), None).unwrap();
        assert_eq!((ok.tree_size, ok.entries), (11, 2));
        let pinned = log_key.verifying_key();
        assert!(verify_offline(&pdf, &key.verifying_key(), Some(&pinned)).is_ok());
        // A PDF without proofs still carries a good signature, but no proofs.
        let bare = crate::render_pdf(&signed, "https://x.example/v").unwrap();
        let e = verify_offline(&bare, &key.verifying_key(), None).unwrap_err();
        assert_eq!(e.code(), "proofs_missing");
        assert_eq!(crate::extract_signed(&pdf).unwrap(), signed);
    }

    #[test]
    fn tampering_is_refused_with_a_reason() {
        let (signed, bundle, key, _) = fixture();
        let vk = key.verifying_key();
        let check = |b: &ProofBundle| verify_bundle(&signed, Some(b), &vk, None).unwrap_err();

        // A tampered proof: one hash of the path flipped.
        let mut b = bundle.clone();
        b.entries[0].path[0] = hex::encode([0xAB; 32]);
        let e = check(&b);
        assert_eq!(e.code(), "proof_invalid");
        assert!(e.to_string().contains("r3"), "{e}");
        // Another entry hash, the same path.
        let mut b = bundle.clone();
        b.entries[1].entry_hash = hex::encode([0xCD; 32]);
        assert_eq!(check(&b).code(), "proof_invalid");

        // A tampered head: another size, or another root, under the old signature.
        let mut b = bundle.clone();
        b.head = b.head.replacen("\n11\n", "\n12\n", 1);
        assert_eq!(check(&b).code(), "head_signature_invalid");
        let mut b = bundle.clone();
        let root_line = b.head.lines().nth(2).unwrap().to_string();
        b.head = b.head.replacen(&root_line, &B64.encode([1u8; 32]), 1);
        assert_eq!(check(&b).code(), "head_signature_invalid");
        let mut b = bundle.clone();
        b.head = "不是树头".into();
        assert_eq!(check(&b).code(), "head_malformed");

        // A head re-signed by another log key: the binding vouches for the original key.
        let other = SigningKey::from_bytes(&[9; 32]);
        let (nodes, note, entries) = log(11, &other);
        let mut b = bundle.clone();
        b.log_key = hex::encode(other.verifying_key().as_bytes());
        b.head = note;
        b.entries = vec![proof(&nodes, &entries, 3)];
        assert_eq!(check(&b).code(), "proofs_unbound");
        // …and a verifier pinning the log key refuses it first.
        let pinned = SigningKey::from_bytes(&[8; 32]).verifying_key();
        let e = verify_bundle(&signed, Some(&b), &vk, Some(&pinned)).unwrap_err();
        assert_eq!(e.code(), "log_key_mismatch");

        // A wrong report key.
        let wrong = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let e = verify_bundle(&signed, Some(&bundle), &wrong, None).unwrap_err();
        assert_eq!(e.code(), "key_mismatch");
        assert!(e.to_string().contains("签名密钥不符"));

        // Every refusal is a verification failure with a Chinese sentence.
        for e in [
            ReportError::ProofsUnbound,
            ReportError::HeadSignatureInvalid,
            ReportError::LogKeyMismatch,
        ] {
            assert!(e.is_verification_failure());
            assert!(e
                .to_string()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        }
    }
}
