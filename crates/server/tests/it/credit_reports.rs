//! Credit reports (信用报告) over the real router, on both backends: issuing (staff within
//! their jurisdiction, a subject for itself), the PDF, 报告验真 by number and code and by
//! uploaded PDF (one changed byte anywhere fails), and no clear ID number in a person's report.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::codes::id_number;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::{Subject, SubjectKind};
use chengxin_store::{AuditFilter, NewRecord, RecordChange, RowOutcome};
use chengxin_testkit::*;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use tower::ServiceExt;

const USCC: &str = "91320412MA1MXK2L83";
const OTHER_USCC: &str = "91320411MA1MXK2L8X";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A request with a raw body; the raw response.
async fn raw(
    t: &TestApp,
    method: &str,
    uri: &str,
    cred: &Cred,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>, Option<String>) {
    let mut req = Request::builder().method(method).uri(uri);
    match cred {
        Cred::None => {}
        Cred::Session { cookie, csrf } => {
            req = req
                .header("cookie", format!("cx_session={cookie}"))
                .header("x-csrf-token", csrf);
        }
        Cred::Token(tok) => req = req.header("authorization", format!("Bearer {tok}")),
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes, ct)
}

async fn upload(t: &TestApp, pdf: Vec<u8>) -> serde_json::Value {
    let (s, body, _) = raw(
        t,
        "POST",
        "/api/v1/credit-reports/verify",
        &Cred::None,
        Some("application/pdf"),
        pdf,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

async fn by_code(t: &TestApp, no: &str, code: &str) -> serde_json::Value {
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/credit-reports/verify",
            &Cred::None,
            Some(serde_json::json!({"report_no": no, "code": code})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn pdf_of(t: &TestApp, no: &str, cred: &Cred) -> (StatusCode, Vec<u8>, Option<String>) {
    raw(
        t,
        "GET",
        &format!("/api/v1/credit-reports/{no}/pdf"),
        cred,
        None,
        vec![],
    )
    .await
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn new_record(
    subject: &Subject,
    type_code: &str,
    doc: &str,
    fields: serde_json::Value,
    until: &str,
) -> NewRecord {
    NewRecord {
        type_code: type_code.into(),
        subject_id: Some(subject.id),
        subject_name: subject.name.clone(),
        doc_no: doc.into(),
        decision_date: d("2025-03-03"),
        source_dept: "11320400MB0000000X".into(),
        batch_id: None,
        fields: fields.as_object().unwrap().clone(),
        severity: (type_code != "admin_license").then(|| "general".to_string()),
        status: RecordStatus::Published,
        publish_until: Some(d(until)),
        content_digest: None,
        published_at: None,
    }
}

/// The enterprise with a licence, a published penalty, a tolerated penalty, a penalty whose
/// publication has run out, and an effective blacklist entry.
async fn enterprise(t: &TestApp) -> Subject {
    let out = t
        .import(USCC, vec![import_row(2, "常天罚〔2025〕1号", "2025-03-03")])
        .await;
    assert!(matches!(out[0], RowOutcome::Created(_)), "{out:?}");
    let s = t.store.subject_by_uscc(USCC).await.unwrap().unwrap();
    t.store
        .create_record(
            "test",
            new_record(
                &s,
                "admin_license",
                "常天许〔2025〕7号",
                serde_json::json!({"decision_doc_name": "食品经营许可证", "license_content": "预包装食品销售",
                                   "authority": "常州市天宁区市场监督管理局", "valid_to": "2030-01-01"}),
                "2030-01-01",
            ),
        )
        .await
        .unwrap();
    let tolerated = t
        .store
        .create_record(
            "test",
            new_record(
                &s,
                "admin_penalty",
                "常天罚〔2025〕2号-容错",
                serde_json::json!({"penalty_content": "警告"}),
                "2027-01-01",
            ),
        )
        .await
        .unwrap();
    t.store
        .change_record(
            "test",
            RecordChange {
                id: tolerated.id,
                expected_version: tolerated.version,
                action: "tolerate".into(),
                status: None,
                fields: None,
                tolerated: Some(true),
                publish_until: None,
                note: Some("容错纠错".into()),
                content_digest: None,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    t.store
        .create_record(
            "test",
            new_record(
                &s,
                "admin_penalty",
                "常天罚〔2024〕9号-期满",
                serde_json::json!({"penalty_content": "罚款"}),
                "2025-01-01",
            ),
        )
        .await
        .unwrap();
    blacklist(t.store.as_ref(), &s).await;
    s
}

async fn issue(t: &TestApp, cred: &Cred, subject: uuid::Uuid) -> (StatusCode, serde_json::Value) {
    t.call(
        "POST",
        "/api/v1/credit-reports",
        cred,
        Some(serde_json::json!({"subject_id": subject})),
    )
    .await
}

async fn issue_verify_download(t: TestApp) {
    let s = enterprise(&t).await;
    let staff = t.session_for(Role::CreditOffice, "320400", None).await;
    let (st, v) = issue(&t, &staff, s.id).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let no = v["report_no"].as_str().unwrap().to_string();
    let code = v["verification_code"].as_str().unwrap().to_string();
    assert!(no.starts_with("XYBG-"), "{no}");
    assert_eq!(no.len(), "XYBG-20250602-".len() + 8, "{no}");
    assert_eq!(code.len(), 19, "{code}");
    assert_eq!(v["pdf_url"], format!("/api/v1/credit-reports/{no}/pdf"));
    assert!(v["issued_at"].as_str().unwrap().ends_with("+08:00"), "{v}");

    // The PDF, exactly as stored.
    let (st, pdf, ct) = pdf_of(&t, &no, &staff).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(ct.as_deref(), Some("application/pdf"));
    assert!(pdf.starts_with(b"%PDF"));
    assert!(contains(&pdf, no.as_bytes()));
    let row = t.store.credit_report(&no).await.unwrap().unwrap();
    assert_eq!(row.pdf, pdf);
    assert_eq!(row.subject_id, s.id);
    assert_eq!(row.verification_code, code);
    assert!(row.issued_by.starts_with("account:"));
    let signed = chengxin_report::extract_signed(&pdf).unwrap();
    chengxin_report::verify(&signed, &report_key().verifying_key()).unwrap();
    assert_eq!(signed.report.subject.code, USCC);
    let rows = |title: &str| {
        signed
            .report
            .sections
            .iter()
            .find(|x| x.title == title)
            .map(|x| x.table.rows.clone())
            .unwrap_or_else(|| panic!("no section {title}"))
    };
    // Published licence and penalty; not the tolerated one nor the one past its period.
    assert_eq!(rows("行政许可信息").len(), 1);
    assert_eq!(rows("行政许可信息")[0][0], "常天许〔2025〕7号");
    let penalties = rows("行政处罚信息");
    assert_eq!(penalties.len(), 1, "{penalties:?}");
    assert_eq!(penalties[0][0], "常天罚〔2025〕1号");
    assert!(rows("其他失信信息").is_empty());
    let lists = rows("列入信用名单情况");
    assert_eq!(lists.len(), 1);
    assert!(lists[0][0].contains("严重失信"), "{lists:?}");
    assert_eq!(lists[0][1], "已生效");

    // 报告验真 by number and code: as typed (lower case, no hyphens) works.
    let ok = by_code(&t, &no, &code.to_lowercase().replace('-', "")).await;
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["report_no"], no);
    assert_eq!(ok["subject_name"], "常州甲公司");
    assert_eq!(ok["subject_code"], USCC);
    // 行政许可, 行政处罚, 其他失信, 名单, 表彰奖励 (positive information), 信用承诺.
    assert_eq!(ok["sections"].as_array().unwrap().len(), 6);
    assert_eq!(ok["sections"][1]["rows"], 1);
    // A wrong code and an unknown number get the same answer, and nothing else.
    let mut wrong = code.clone().into_bytes();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    let bad = by_code(&t, &no, std::str::from_utf8(&wrong).unwrap()).await;
    assert_eq!(bad["valid"], false);
    assert_eq!(bad["code"], "report_unknown");
    assert!(bad.get("subject_name").is_none(), "{bad}");
    let unknown = by_code(&t, "XYBG-20250602-ZZZZZZZZ", &code).await;
    assert_eq!(unknown, bad);
    let malformed = by_code(&t, &no, "不是验证码").await;
    assert_eq!(malformed["valid"], false);
    assert_eq!(malformed["code"], "code_malformed");

    // 报告验真 by upload: the PDF as issued is valid.
    let ok = upload(&t, pdf.clone()).await;
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["report_no"], no);
    // One byte changed inside the embedded payload fails, wherever in it.
    let start = find(&pdf, b"{\"format\":\"chengxin-signed-report\"").unwrap();
    let end = start + find(&pdf[start..], b"endstream").unwrap();
    for at in [
        start + 40,
        (start + end) / 2,
        start + find(&pdf[start..], no.as_bytes()).unwrap() + 6,
        start + find(&pdf[start..], b"signature_b64").unwrap() + 20,
        end - 5,
    ] {
        let mut bad = pdf.clone();
        bad[at] ^= 0x01;
        let v = upload(&t, bad).await;
        assert_eq!(v["valid"], false, "byte {at}: {v}");
        assert!(v.get("subject_name").is_none(), "{v}");
        assert!(
            [
                "report_tampered",
                "report_signature_invalid",
                "report_key_unknown",
                "report_payload_missing",
                "report_unknown",
            ]
            .contains(&v["code"].as_str().unwrap()),
            "{v}"
        );
    }
    // The text of the payload changed into another valid report: the signature fails.
    let name_at = start + find(&pdf[start..], "常州甲公司".as_bytes()).unwrap();
    let mut forged = pdf.clone();
    forged[name_at..name_at + "常州乙公".len()].copy_from_slice("常州乙公".as_bytes());
    let v = upload(&t, forged).await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["code"], "report_tampered", "{v}");
    // One byte changed outside the payload (the page content, the header, the end) fails too.
    for at in [10, start / 2, pdf.len() - 10] {
        let mut bad = pdf.clone();
        bad[at] ^= 0x01;
        let v = upload(&t, bad).await;
        assert_eq!(v["valid"], false, "byte {at}: {v}");
        assert_eq!(v["code"], "report_tampered", "byte {at}: {v}");
    }
    // Not a report at all.
    let v = upload(&t, b"%PDF-1.7\nhello".to_vec()).await;
    assert_eq!(v["code"], "report_payload_missing", "{v}");
    let v = upload(&t, vec![]).await;
    assert_eq!(v["valid"], false);
    // Neither JSON nor PDF.
    let (st, _, _) = raw(
        &t,
        "POST",
        "/api/v1/credit-reports/verify",
        &Cred::None,
        Some("text/plain"),
        b"x".to_vec(),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // Signed by another key: refused as such.
    let other = chengxin_report::SigningKey::from_bytes(&[99; 32]);
    let resigned = chengxin_report::sign(&signed.report, &other).unwrap();
    let fake = chengxin_report::render_pdf(&resigned, "https://example.org/v").unwrap();
    let v = upload(&t, fake).await;
    assert_eq!(v["code"], "report_key_unknown", "{v}");

    // Every issue and download is in the query log.
    let issued = t
        .store
        .audit_events(&AuditFilter {
            action: Some("credit_report_issue".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].outcome, "ok");
    assert_eq!(issued[0].detail["report_no"], no);
    let downloads = t
        .store
        .audit_events(&AuditFilter {
            action: Some("credit_report_download".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(downloads.len(), 1);
    // The report's row is covered by the change log.
    assert_log_verifies(t.store.as_ref()).await;
    // The public key is published.
    let (_, head) = t.call("GET", "/api/v1/log/head", &Cred::None, None).await;
    assert_eq!(
        head["report_public_keys"][0]["key_id"],
        chengxin_report::key_id(&report_key().verifying_key())
    );
    t.cleanup().await;
}
both_backends!(issue_verify_and_download, issue_verify_download);

async fn who_may_issue(t: TestApp) {
    let s = enterprise(&t).await;
    // The public: log in first.
    let (st, v) = issue(&t, &Cred::None, s.id).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    // The subject itself.
    let own = t.session_for(Role::Subject, "320412", Some(USCC)).await;
    let (st, v) = issue(&t, &own, s.id).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let no = v["report_no"].as_str().unwrap().to_string();
    let (st, pdf, _) = pdf_of(&t, &no, &own).await;
    assert_eq!(st, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF"));
    // Another subject: neither this subject's report nor its PDF, nor a made-up subject.
    let other = t
        .session_for(Role::Subject, "320411", Some(OTHER_USCC))
        .await;
    let (st, v) = issue(&t, &other, s.id).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "not_own_subject");
    let (st, v) = issue(&t, &other, uuid::Uuid::now_v7()).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    // A report number out of reach answers as an unknown one does.
    let (st, _, _) = pdf_of(&t, &no, &other).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = pdf_of(&t, &no, &Cred::None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Staff of another county: as if the subject and the report did not exist; staff without
    // the permission: refused.
    let xinbei = t.session_for(Role::CreditOffice, "320411", None).await;
    let (st, v) = issue(&t, &xinbei, s.id).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["code"], "not_found");
    let (st, _, _) = pdf_of(&t, &no, &xinbei).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let dept = t
        .session_for(Role::SubmittingDepartment, "320412", Some(USCC))
        .await;
    let (st, _) = issue(&t, &dept, s.id).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Staff of the county itself (the city above it issued in the other test).
    let tianning = t.session_for(Role::CreditOffice, "320412", None).await;
    let (st, v) = issue(&t, &tianning, s.id).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, _, _) = pdf_of(&t, &no, &tianning).await;
    assert_eq!(st, StatusCode::OK);
    // Unknown subject (staff) and unknown report.
    let (st, _) = issue(&t, &tianning, uuid::Uuid::now_v7()).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = pdf_of(&t, "XYBG-20250602-ZZZZZZZZ", &tianning).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, v) = t
        .call(
            "POST",
            "/api/v1/credit-reports",
            &tianning,
            Some(serde_json::json!({"subject_id": "nope"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    // Refusals are in the query log too.
    let events = t
        .store
        .audit_events(&AuditFilter {
            action: Some("credit_report_issue".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(events.iter().filter(|e| e.outcome == "ok").count(), 2);
    assert!(events.iter().filter(|e| e.outcome == "denied").count() >= 3);
    t.cleanup().await;
}
both_backends!(who_may_issue_reports, who_may_issue);

async fn person_report(t: TestApp) {
    let first17 = "32041219900307123";
    let clear = format!("{first17}{}", id_number::check_char(first17).unwrap());
    let masked = id_number::mask(&clear);
    assert!(masked.contains('*'));
    let mut row = import_row(2, "常天罚〔2025〕5号", "2025-03-03");
    row.subject_name = "张三".into();
    row.subject_uscc = None;
    row.subject_kind = SubjectKind::Individual;
    row.subject_id_hash = Some(t.state.id_hasher.hash(&clear));
    row.subject_id_masked = Some(masked.clone());
    row.subject_id_sealed = Some(
        t.state
            .pii
            .seal_bound(&clear, row.subject_id_hash.as_ref().unwrap())
            .unwrap(),
    );
    let out = t.import(USCC, vec![row]).await;
    let RowOutcome::Created(record) = out[0] else {
        panic!("{out:?}")
    };
    let person = t
        .store
        .record(record)
        .await
        .unwrap()
        .unwrap()
        .subject_id
        .unwrap();
    let staff = t.session_for(Role::CreditOffice, "320400", None).await;
    let (st, v) = issue(&t, &staff, person).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert!(!v.to_string().contains(&clear));
    let no = v["report_no"].as_str().unwrap().to_string();
    let code = v["verification_code"].as_str().unwrap().to_string();
    let (_, pdf, _) = pdf_of(&t, &no, &staff).await;
    assert!(pdf.starts_with(b"%PDF"));
    assert!(
        !contains(&pdf, clear.as_bytes()),
        "clear ID number in the PDF"
    );
    assert!(!contains(&pdf, first17.as_bytes()));
    let signed = chengxin_report::extract_signed(&pdf).unwrap();
    assert_eq!(signed.report.subject.code, masked);
    assert_eq!(signed.report.subject.name, "张三");
    let stored = t.store.credit_report(&no).await.unwrap().unwrap();
    assert!(!stored.signed.to_string().contains(&clear));
    let ok = by_code(&t, &no, &code).await;
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["subject_code"], masked);
    assert!(!ok.to_string().contains(&clear));
    let ok = upload(&t, pdf).await;
    assert_eq!(ok["valid"], true);
    assert!(!ok.to_string().contains(&clear));
    let events = t.store.audit_events(&AuditFilter::default()).await.unwrap();
    assert!(!serde_json::to_string(&events).unwrap().contains(&clear));
    t.cleanup().await;
}
both_backends!(person_report_has_no_clear_id_number, person_report);

/// Overwrite the stored PDF of a report behind the platform's back (one byte flipped, the
/// recorded hash left alone).
async fn tamper_stored_pdf(t: &TestApp, no: &str, pdf: &[u8]) {
    let mut bad = pdf.to_vec();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x01;
    match &t.pg {
        Some((pool, schema)) => {
            sqlx::query(&format!(
                "UPDATE {schema}.credit_reports SET pdf = $1 WHERE report_no = $2"
            ))
            .bind(bad)
            .bind(no)
            .execute(pool)
            .await
            .unwrap();
        }
        None => {
            let pool =
                sqlx::SqlitePool::connect(&format!("sqlite://{}", t.dir.join("t.db").display()))
                    .await
                    .unwrap();
            sqlx::query("UPDATE credit_reports SET pdf = $1 WHERE report_no = $2")
                .bind(bad)
                .bind(no)
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
}

async fn tampered_row(t: TestApp) {
    let s = enterprise(&t).await;
    let staff = t.session_for(Role::CreditOffice, "320400", None).await;
    let (_, v) = issue(&t, &staff, s.id).await;
    let no = v["report_no"].as_str().unwrap().to_string();
    let code = v["verification_code"].as_str().unwrap().to_string();
    let (_, pdf, _) = pdf_of(&t, &no, &staff).await;
    tamper_stored_pdf(&t, &no, &pdf).await;
    // `verify` names the edited row.
    let report = t.store.verify(&[]).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| format!("{p:?}").contains(&no)),
        "{:?}",
        report.problems
    );
    // The portal no longer vouches for it, by code or by file; the PDF is not handed out.
    let v = by_code(&t, &no, &code).await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["code"], "report_tampered");
    let v = upload(&t, pdf).await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["code"], "report_tampered");
    let (st, _, _) = pdf_of(&t, &no, &staff).await;
    assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
    t.cleanup().await;
}
both_backends!(tampered_stored_report_is_caught, tampered_row);

/// `pdf` with the first occurrence of `from` replaced by `to` (same length: the PDF's
/// cross-reference offsets stay right).
fn replaced(pdf: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = find(pdf, from.as_bytes()).unwrap_or_else(|| panic!("{from} not in the PDF"));
    let mut out = pdf.to_vec();
    out[at..at + to.len()].copy_from_slice(to.as_bytes());
    out
}

/// One character of `s` changed (hex or base64 stays hex or base64).
fn flipped(s: &str) -> String {
    let first = if s.starts_with('a') { "b" } else { "a" };
    format!("{first}{}", &s[1..])
}

/// Issue 21: a report carries the signed tree head it was issued under and the inclusion
/// proofs of its records' latest change-log entries (one written alone, one in a batch
/// import's group entry); it verifies offline with the report key alone, and through the
/// portal's upload check; a tampered proof, a tampered head and a wrong key each fail with a
/// stable code and a Chinese reason.
async fn report_proofs(t: TestApp) {
    let s = enterprise(&t).await;
    let log = std::sync::Arc::new(chengxin_store::LogSigner::generate());
    let log_key = log.verifying_key();
    let heads_path = t.dir.join("heads.log");
    let publisher = std::sync::Arc::new(
        chengxin_store::heads::Publisher::new(
            log,
            "test.chengxin.local/log".into(),
            chengxin_store::heads::HeadsFile::new(&heads_path),
        )
        .unwrap(),
    );
    let t2 = t.with_app(|app| {
        app.heads = Some(publisher.clone());
        app.log_keys = vec![log_key];
    });
    let staff = t2.session_for(Role::CreditOffice, "320400", None).await;
    let (st, v) = issue(&t2, &staff, s.id).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let no = v["report_no"].as_str().unwrap().to_string();
    let (_, pdf, _) = pdf_of(&t2, &no, &staff).await;
    let key = report_key().verifying_key();

    // Offline: the PDF and the report key, nothing else.
    let ok = chengxin_report::verify_offline(&pdf, &key, None).unwrap();
    assert_eq!(ok.entries, 2, "the licence and the published penalty");
    assert!(chengxin_report::verify_offline(&pdf, &key, Some(&log_key)).is_ok());
    let (_, bundle) = chengxin_report::extract_bundle(&pdf).unwrap();
    let bundle = bundle.unwrap();
    // The head is the one appended to the heads file outside the database.
    let file = std::fs::read_to_string(&heads_path).unwrap();
    assert!(file.contains(&bundle.head), "{file}");
    let out = chengxin_app::credit_reports::verify_offline(&pdf, &key, Some(&log_key));
    assert!(out.valid, "{:?}", out.lines);
    assert_eq!(out.json["proofs"], 2);
    assert!(out.lines[0].starts_with("核验通过"), "{:?}", out.lines);

    // The portal's upload check does the same.
    let v = upload(&t2, pdf.clone()).await;
    assert_eq!(v["valid"], true, "{v}");
    assert!(
        v["proofs"]
            .as_str()
            .unwrap()
            .contains("2 条记录的变更日志包含证明已核验"),
        "{v}"
    );

    // A tampered proof.
    let hop = &bundle.entries[0].path[0];
    let bad = replaced(&pdf, hop, &flipped(hop));
    let e = chengxin_report::verify_offline(&bad, &key, None).unwrap_err();
    assert_eq!(e.code(), "proof_invalid");
    let v = upload(&t2, bad.clone()).await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["code"], "proof_invalid");
    assert!(
        v["reason"].as_str().unwrap().contains("包含证明核验未通过"),
        "{v}"
    );
    let out = chengxin_app::credit_reports::verify_offline(&bad, &key, None);
    assert!(!out.valid);
    assert_eq!(out.json["code"], "proof_invalid");

    // A tampered head: another root under the old signature.
    let root = bundle.head.lines().nth(2).unwrap();
    let bad = replaced(&pdf, root, &flipped(root));
    let e = chengxin_report::verify_offline(&bad, &key, None).unwrap_err();
    assert_eq!(e.code(), "head_signature_invalid");
    let v = upload(&t2, bad).await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["code"], "head_signature_invalid");
    assert!(v["reason"].as_str().unwrap().contains("签名树头"), "{v}");

    // A wrong key.
    let wrong = chengxin_report::SigningKey::from_bytes(&[1; 32]).verifying_key();
    let e = chengxin_report::verify_offline(&pdf, &wrong, None).unwrap_err();
    assert_eq!(e.code(), "key_mismatch");
    assert!(e.to_string().contains("签名密钥不符"));
    let e = chengxin_report::verify_offline(&pdf, &key, Some(&wrong)).unwrap_err();
    assert_eq!(e.code(), "log_key_mismatch");
    t.cleanup().await;
}
both_backends!(report_carries_its_proofs, report_proofs);
