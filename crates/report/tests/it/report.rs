//! Signing, verification, rendering and extraction of credit reports, end to end.

use base64::Engine as _;
use chengxin_report::*;
use chengxin_testkit::report_sample::{
    key, other_key, sample_report, sample_report_with, verify_url,
};
use proptest::prelude::*;

fn ok<T>(r: Result<T, ReportError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{}: {e}", e.code()),
    }
}

fn signed_sample() -> SignedReport {
    ok(sign(&sample_report(), &key()))
}

fn render(signed: &SignedReport) -> Vec<u8> {
    let url = verify_url(&signed.report.report_no, &signed.verification_code);
    ok(render_pdf(signed, &url))
}

/// Where the embedded payload sits in a rendered PDF.
fn payload_range(pdf: &[u8]) -> std::ops::Range<usize> {
    let marker = br#"{"format":"chengxin-signed-report""#;
    let start = pdf
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap_or_else(|| panic!("no payload"));
    let len = pdf[start..]
        .windows(b"endstream".len())
        .position(|w| w == b"endstream")
        .unwrap_or_else(|| panic!("no endstream"));
    start..start + len
}

#[test]
fn sign_verify_round_trip() {
    let signed = signed_sample();
    ok(verify(&signed, &key().verifying_key()));
    assert_eq!(signed.key_id, key_id(&key().verifying_key()));
    assert_eq!(signed.key_id.len(), 16);
    assert_eq!(signed.content_sha256_hex.len(), 64);
    // XXXX-XXXX-XXXX-XXXX in Crockford base32.
    let code = &signed.verification_code;
    assert_eq!(code.len(), 19);
    assert!(code
        .chars()
        .all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    assert_eq!(normalize_code(code).as_deref(), Some(code.as_str()));
    // Signing is deterministic (Ed25519), so is the code.
    assert_eq!(signed_sample(), signed);
    // JSON round trip keeps it valid (what the database and the PDF store).
    let json = serde_json::to_string(&signed).unwrap_or_default();
    let back: SignedReport = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, signed);
    ok(verify(&back, &key().verifying_key()));
    assert_eq!(
        canonical_bytes(&back.report),
        canonical_bytes(&signed.report)
    );
}

#[test]
fn canonical_bytes_are_compact_json_in_field_order() {
    let report = sample_report_with(1);
    let bytes = canonical_bytes(&report);
    let text = String::from_utf8(bytes).unwrap_or_default();
    assert!(text.starts_with(
        r#"{"report_no":"XYBG-20250601-000123","issued_at":"2025-06-01T09:30:00+08:00","issuer":"某市公共信用信息中心","subject":{"name":"某某建设工程有限公司","code":"91320402MA1N8Q7X3K","kind":"enterprise"},"sections":[{"title":"行政许可","#
    ));
}

#[test]
fn tampering_with_any_field_fails() {
    let signed = signed_sample();
    let vk = key().verifying_key();
    let mut cases: Vec<(&str, SignedReport)> = Vec::new();
    let mut add = |name: &'static str, f: &dyn Fn(&mut SignedReport)| {
        let mut s = signed.clone();
        f(&mut s);
        assert_ne!(s, signed, "{name} changed nothing");
        cases.push((name, s));
    };
    add("report_no", &|s| s.report.report_no.push('9'));
    add("issued_at", &|s| {
        s.report.issued_at += chrono::Duration::seconds(1);
    });
    add("issuer", &|s| {
        s.report.issuer = "某县公共信用信息中心".into()
    });
    add("subject.name", &|s| {
        s.report.subject.name = "某某建设工程有限责任公司".into()
    });
    add("subject.code", &|s| {
        s.report.subject.code = "91320402MA1N8Q7X3L".into()
    });
    add("subject.kind", &|s| {
        s.report.subject.kind = SubjectKind::SocialOrg
    });
    add("section.title", &|s| {
        s.report.sections[0].title = "行政确认".into()
    });
    add("section.note", &|s| s.report.sections[1].note = None);
    add("header", &|s| {
        s.report.sections[0].table.headers[0] = "证书".into()
    });
    add("cell", &|s| {
        s.report.sections[1].table.rows[7][3] = "警告".into()
    });
    add("row removed", &|s| {
        s.report.sections[1].table.rows.remove(0);
    });
    add("section removed", &|s| {
        s.report.sections.pop();
    });
    add("row added to empty list", &|s| {
        s.report.sections[2].table.rows.push(vec![
            "严重失信主体名单".into(),
            "x".into(),
            "y".into(),
            "z".into(),
        ]);
    });
    add("signature", &|s| {
        let mut raw = base64::engine::general_purpose::STANDARD
            .decode(&s.signature_b64)
            .unwrap_or_default();
        raw[10] ^= 1;
        s.signature_b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    });
    add("signature not base64", &|s| s.signature_b64 = "@@@".into());
    add("signature short", &|s| s.signature_b64 = "AAAA".into());
    add("code", &|s| {
        s.verification_code = "0000-0000-0000-0000".into()
    });
    add("hash", &|s| s.content_sha256_hex = "0".repeat(64));
    add("key_id", &|s| s.key_id = "0123456789abcdef".into());
    for (name, s) in &cases {
        let err = verify(s, &vk).err();
        assert!(err.is_some(), "tampered {name} verified");
        assert!(
            err.as_ref()
                .is_some_and(ReportError::is_verification_failure),
            "{name}: {err:?}"
        );
    }
    // Field changes with a recomputed hash still fail on the signature.
    let mut s = signed.clone();
    s.report.issuer = "某县公共信用信息中心".into();
    s.content_sha256_hex = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(canonical_bytes(&s.report)))
    };
    assert_eq!(verify(&s, &vk), Err(ReportError::BadSignature));
}

#[test]
fn wrong_key_fails() {
    let signed = signed_sample();
    let err = verify(&signed, &other_key().verifying_key());
    assert!(
        matches!(err, Err(ReportError::KeyMismatch { .. })),
        "{err:?}"
    );
    assert_eq!(err.err().map(|e| e.code()), Some("key_mismatch"));
    // Even with the key id forged, the signature does not verify.
    let mut forged = signed.clone();
    forged.key_id = key_id(&other_key().verifying_key());
    assert_eq!(
        verify(&forged, &other_key().verifying_key()),
        Err(ReportError::BadSignature)
    );
    // A report re-signed by another key verifies only with that key.
    let resigned = ok(sign(&signed.report, &other_key()));
    assert_ne!(resigned.verification_code, signed.verification_code);
    ok(verify(&resigned, &other_key().verifying_key()));
    assert!(verify(&resigned, &key().verifying_key()).is_err());
}

#[test]
fn verification_codes_are_typable() {
    let signed = signed_sample();
    let code = signed.verification_code.clone();
    assert!(signed.code_matches(&code));
    assert!(signed.code_matches(&code.to_lowercase()));
    assert!(signed.code_matches(&code.replace('-', "")));
    assert!(signed.code_matches(&code.replace('-', " ")));
    assert!(!signed.code_matches(""));
    assert!(!signed.code_matches("0000-0000-0000-0000"));
    assert!(!signed.code_matches(&format!("{code}0")));
    assert_eq!(
        normalize_code("abcd efgh jkmn pqrs").as_deref(),
        Some("ABCD-EFGH-JKMN-PQRS")
    );
    assert_eq!(
        normalize_code("OIL0-0000-0000-0000").as_deref(),
        Some("0110-0000-0000-0000")
    );
    assert_eq!(normalize_code("UUUU-0000-0000-0000"), None);
    assert_eq!(normalize_code("验证码"), None);
    assert_eq!(normalize_code("0000-0000-0000"), None);
    // Different reports get different codes.
    let other = ok(sign(&sample_report_with(59), &key()));
    assert_ne!(other.verification_code, signed.verification_code);
}

#[test]
fn invalid_reports_are_refused() {
    let k = key();
    type Change = Box<dyn Fn(&mut CreditReport)>;
    let cases: Vec<(&str, Change)> = vec![
        ("empty report_no", Box::new(|r| r.report_no.clear())),
        (
            "report_no with space",
            Box::new(|r| r.report_no = "AB 12".into()),
        ),
        (
            "report_no in Chinese",
            Box::new(|r| r.report_no = "报告1".into()),
        ),
        ("long report_no", Box::new(|r| r.report_no = "A".repeat(65))),
        ("empty issuer", Box::new(|r| r.issuer = "  ".into())),
        ("empty name", Box::new(|r| r.subject.name.clear())),
        ("control char", Box::new(|r| r.subject.name.push('\u{7}'))),
        ("newline in name", Box::new(|r| r.subject.name.push('\n'))),
        (
            "ragged row",
            Box::new(|r| {
                r.sections[0].table.rows[0].pop();
            }),
        ),
        (
            "rows without headers",
            Box::new(|r| r.sections[0].table.headers.clear()),
        ),
        (
            "too many columns",
            Box::new(|r| {
                r.sections[2].table.headers = vec!["列".into(); MAX_COLUMNS + 1];
            }),
        ),
        (
            "huge cell",
            Box::new(|r| r.sections[0].table.rows[0][0] = "长".repeat(MAX_TEXT_CHARS + 1)),
        ),
    ];
    for (name, f) in cases {
        let mut r = sample_report_with(3);
        f(&mut r);
        let err = sign(&r, &k).err();
        assert!(
            matches!(err, Some(ReportError::InvalidReport(_))),
            "{name}: {err:?}"
        );
        assert_eq!(err.map(|e| e.code()), Some("invalid_report"));
    }
    // A cell may hold forced line breaks.
    let mut r = sample_report_with(3);
    r.sections[0].table.rows[0][2] = "第一行\n第二行".into();
    ok(sign(&r, &k));
}

#[test]
fn render_extract_verify() {
    let signed = signed_sample();
    let pdf = render(&signed);
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(pdf.len() < 1_000_000, "PDF is {} bytes", pdf.len());
    // Deterministic.
    assert_eq!(render(&signed), pdf);
    let back = ok(extract_signed(&pdf));
    assert_eq!(back, signed);
    ok(verify(&back, &key().verifying_key()));
    // The font is embedded as a subset, with a ToUnicode map.
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("+NotoSansCJKsc-Regular"));
    assert!(text.contains("/FontFile3"));
    assert!(text.contains("/ToUnicode"));
    assert!(text.contains("/Identity-H"));
    assert!(text.contains("/EmbeddedFiles"));
    // Several pages: the 60 penalties do not fit on one.
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(pages >= 3, "{pages} pages");
}

#[test]
fn altered_payload_fails() {
    let signed = signed_sample();
    let pdf = render(&signed);
    let vk = key().verifying_key();
    let range = payload_range(&pdf);
    let len = range.len();
    assert!(len > 1000);
    // Flip bytes all over the payload: every one must make extraction or verification fail.
    let step = (len / 150).max(1);
    let mut tried = 0;
    for at in range.clone().step_by(step) {
        let mut bad = pdf.clone();
        bad[at] ^= 0x01;
        let result = extract_signed(&bad).and_then(|s| verify(&s, &vk));
        assert!(result.is_err(), "flipping byte {at} went unnoticed");
        tried += 1;
    }
    assert!(tried > 100);
    // A targeted, well-formed change: the subject's name in the payload.
    let name = "某某建设工程有限公司".as_bytes();
    let payload = &pdf[range.clone()];
    let at = range.start
        + payload
            .windows(name.len())
            .position(|w| w == name)
            .unwrap_or_else(|| panic!("name not in payload"));
    let mut bad = pdf.clone();
    let other = "某某建筑工程有限公司".as_bytes();
    assert_eq!(other.len(), name.len());
    bad[at..at + name.len()].copy_from_slice(other);
    let extracted = ok(extract_signed(&bad));
    assert_eq!(extracted.report.subject.name, "某某建筑工程有限公司");
    assert_eq!(
        verify(&extracted, &vk),
        Err(ReportError::ContentHashMismatch)
    );
}

#[test]
fn two_different_payloads_are_refused() {
    let a = render(&signed_sample());
    let b = render(&ok(sign(&sample_report_with(2), &key())));
    let mut both = a.clone();
    both.extend_from_slice(&b);
    assert_eq!(extract_signed(&both), Err(ReportError::AmbiguousPayload));
    // The same payload twice (e.g. a file concatenated with itself) is fine.
    let mut twice = a.clone();
    twice.extend_from_slice(&a);
    assert!(extract_signed(&twice).is_ok());
}

#[test]
fn payload_found_inside_compressed_streams() {
    // As if a tool had re-saved the PDF with the embedded file compressed.
    let signed = signed_sample();
    let pdf = render(&signed);
    let payload = &pdf[payload_range(&pdf)];
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, payload).unwrap_or_default();
    let compressed = enc.finish().unwrap_or_default();
    let mut resaved = b"%PDF-1.7\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n".to_vec();
    resaved.extend_from_slice(&compressed);
    resaved.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
    let back = ok(extract_signed(&resaved));
    ok(verify(&back, &key().verifying_key()));
}

#[test]
fn garbage_input_is_an_error() {
    for input in [
        &b""[..],
        b"%PDF-1.7",
        b"not a pdf at all",
        b"{\"format\":\"chengxin-signed-report\",\"version\":1,\"signed\":",
        b"{\"format\":\"chengxin-signed-report\",\"version\":1,\"signed\":{\"report\":1}}",
        b"stream\n\x78\x9c\xff\xff\xffendstream",
    ] {
        let err = extract_signed(input).err();
        assert!(err.is_some());
    }
    // A truncated report.
    let pdf = render(&signed_sample());
    let range = payload_range(&pdf);
    let cut = &pdf[..range.start + range.len() / 2];
    assert_eq!(extract_signed(cut), Err(ReportError::MalformedPayload));
}

#[test]
fn long_cells_and_empty_reports_render() {
    // One cell far taller than a page is split across pages; no sections at all still works.
    let mut r = sample_report_with(2);
    r.sections[0].table.rows[0][2] = "很长的许可内容，".repeat(220);
    r.sections.push(Section {
        title: "其他信息".into(),
        note: Some("无表头的栏目".into()),
        table: Table::default(),
    });
    let s = ok(sign(&r, &key()));
    let pdf = render(&s);
    assert_eq!(ok(extract_signed(&pdf)), s);

    let mut empty = sample_report_with(0);
    empty.sections.clear();
    let s = ok(sign(&empty, &key()));
    let pdf = render(&s);
    assert_eq!(ok(extract_signed(&pdf)), s);

    // A person, twelve narrow columns, characters outside the font.
    let mut p = sample_report_with(1);
    p.subject = ReportSubject {
        name: "张𠮷".into(),
        code: "320402********1234".into(),
        kind: SubjectKind::Individual,
    };
    p.sections[2].table = Table {
        headers: (1..=12).map(|i| format!("第{i}列")).collect(),
        rows: vec![(1..=12).map(|i| "内容".repeat(i)).collect()],
    };
    let s = ok(sign(&p, &key()));
    let pdf = render(&s);
    ok(verify(&ok(extract_signed(&pdf)), &key().verifying_key()));
}

#[test]
fn bad_verify_urls_are_refused() {
    let s = signed_sample();
    for url in [
        "",
        "   ",
        "http://x/\n",
        &"x".repeat(MAX_VERIFY_URL_LEN + 1),
    ] {
        let err = render_pdf(&s, url).err();
        assert_eq!(err.map(|e| e.code()), Some("invalid_verify_url"), "{url:?}");
    }
}

#[test]
fn error_codes_are_stable_snake_case() {
    let all = [
        ReportError::InvalidReport("x".into()),
        ReportError::InvalidVerifyUrl("x".into()),
        ReportError::KeyMismatch {
            expected: "a".into(),
            found: "b".into(),
        },
        ReportError::ContentHashMismatch,
        ReportError::MalformedSignature,
        ReportError::BadSignature,
        ReportError::CodeMismatch,
        ReportError::Render("x".into()),
        ReportError::PayloadNotFound,
        ReportError::MalformedPayload,
        ReportError::UnsupportedPayloadVersion(2),
        ReportError::AmbiguousPayload,
    ];
    let mut codes: Vec<&str> = all.iter().map(ReportError::code).collect();
    for c in &codes {
        assert!(c.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{c}");
    }
    for e in &all {
        // Messages are Chinese sentences.
        assert!(e
            .to_string()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn extract_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(extract_signed(&bytes).is_err());
    }

    #[test]
    fn extract_never_panics_on_mangled_reports(
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        truncate in any::<prop::sample::Index>(),
    ) {
        let pdf = sample_pdf();
        let mut bad = pdf.to_vec();
        for (at, byte) in cuts {
            let i = at.index(bad.len());
            bad[i] = byte;
        }
        let end = truncate.index(bad.len() + 1);
        bad.truncate(end.max(bad.len() / 2));
        // Whatever comes back must not be a forgery.
        if let Ok(s) = extract_signed(&bad) {
            if verify(&s, &key().verifying_key()).is_ok() {
                prop_assert_eq!(&s, &signed_sample_cached().0);
            }
        }
    }
}

fn signed_sample_cached() -> &'static (SignedReport, Vec<u8>) {
    static CELL: std::sync::OnceLock<(SignedReport, Vec<u8>)> = std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        let s = ok(sign(&sample_report_with(10), &key()));
        let pdf = render(&s);
        (s, pdf)
    })
}

fn sample_pdf() -> &'static [u8] {
    &signed_sample_cached().1
}

#[test]
fn plain_documents_render_and_bad_text_is_refused() {
    let issued = chrono::DateTime::parse_from_rfc3339("2026-06-30T10:00:00+08:00").unwrap();
    let doc = Document {
        title: "重点任务分工推进情况".into(),
        subtitle: "2026年第二季度".into(),
        issuer: "常州市信用办".into(),
        issued_at: issued,
        facts: vec![("任务数".into(), "2".into())],
        sections: vec![Section {
            title: "按任务".into(),
            note: None,
            table: Table {
                headers: vec!["任务".into(), "单位".into()],
                rows: vec![vec![
                    "健全政务失信记录".into(),
                    "常州市发展和改革委员会".into(),
                ]],
            },
        }],
    };
    let pdf = ok(render_document(&doc));
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pdf, ok(render_document(&doc)), "deterministic");
    let mut bad = doc.clone();
    bad.sections[0].table.rows[0].push("多出的单元格".into());
    assert!(render_document(&bad).is_err());
    let mut bad = doc;
    bad.title = "标题\u{7}".into();
    assert!(render_document(&bad).is_err());
}
