//! The web version of an issued credit report (`/console/reports/credit/{report_no}`), on
//! both backends: it shows the stored report (number, 验证码, subject, sections, an inline
//! SVG QR code, the PDF link); exactly who may download the PDF may see it; anonymous visitors
//! go to the login page; an unknown number is a 404 page; nothing from another host; no ID
//! number in clear.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::codes::id_number;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{AuditFilter, RowOutcome};
use chengxin_testkit::*;
use tower::ServiceExt;

const USCC: &str = "91320412MA1MXK2L83";
const OTHER_USCC: &str = "91320411MA1MXK2L8X";

fn text(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Pages never pull anything from another host.
fn assert_self_contained(page: &str) {
    for bad in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
    ] {
        assert!(!page.contains(bad), "external host reference ({bad})");
    }
}

async fn issue(t: &TestApp, cred: &Cred, subject: uuid::Uuid) -> (String, String) {
    let (st, v) = t
        .call(
            "POST",
            "/api/v1/credit-reports",
            cred,
            Some(serde_json::json!({"subject_id": subject})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    (
        v["report_no"].as_str().unwrap().to_string(),
        v["verification_code"].as_str().unwrap().to_string(),
    )
}

async fn view(t: &TestApp, no: &str, cred: &Cred) -> (StatusCode, String) {
    let (st, v) = t
        .call("GET", &format!("/console/reports/credit/{no}"), cred, None)
        .await;
    (st, text(&v))
}

async fn anonymous(t: &TestApp, uri: &str) -> (StatusCode, String) {
    let resp = t
        .app
        .clone()
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let loc = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (resp.status(), loc)
}

async fn enterprise_report(t: TestApp) {
    let out = t
        .import(USCC, vec![import_row(2, "常天罚〔2025〕1号", "2025-03-03")])
        .await;
    assert!(matches!(out[0], RowOutcome::Created(_)), "{out:?}");
    let s = t.store.subject_by_uscc(USCC).await.unwrap().unwrap();
    let staff = t.session_for(Role::CreditOffice, "320400", None).await;
    let (no, code) = issue(&t, &staff, s.id).await;

    // Staff in reach: the stored report as a page.
    let (st, page) = view(&t, &no, &staff).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>信用报告</h1>"), "{page}");
    assert!(page.contains(&no));
    assert!(page.contains(&code));
    assert!(page.contains("常州甲公司"));
    assert!(page.contains(USCC));
    assert!(page.contains("<svg"), "no QR code");
    assert!(page.contains("id=\"report-pdf-link\""));
    assert!(page.contains(&format!("/api/v1/credit-reports/{no}/pdf")));
    assert!(page.contains(&format!("/portal/verify?no={no}&amp;code={code}")));
    // Sections as tables, the penalty listed, empty ones as 无.
    assert!(page.contains("二、行政处罚信息"), "{page}");
    assert!(page.contains("常天罚〔2025〕1号"));
    assert!(page.contains("一、行政许可信息"));
    assert!(page.contains(">无<"));
    // Issue time in China time, as stored.
    let row = t.store.credit_report(&no).await.unwrap().unwrap();
    let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let shown = row
        .issued_at
        .with_timezone(&cst)
        .format("%Y年%m月%d日 %H:%M:%S")
        .to_string();
    assert!(page.contains(&shown), "{shown}");
    assert_self_contained(&page);

    // Lower case in the address works like the PDF route.
    let (st, _) = view(&t, &no.to_lowercase(), &staff).await;
    assert_eq!(st, StatusCode::OK);

    // A subject's session opens no console page (it downloads its report on the portal, in
    // 我的信用档案); another subject, staff out of reach and staff without the permission may
    // not either.
    let own = t.session_for(Role::Subject, "320412", Some(USCC)).await;
    let (st, page) = view(&t, &no, &own).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!page.contains(&code));
    let other = t
        .session_for(Role::Subject, "320411", Some(OTHER_USCC))
        .await;
    // (Refused before any report is looked up: no subject opens a console page.)
    let (st, page) = view(&t, &no, &other).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!page.contains(&code));
    assert!(!page.contains("常州甲公司"));
    let xinbei = t.session_for(Role::CreditOffice, "320411", None).await;
    let (st, page) = view(&t, &no, &xinbei).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(!page.contains(&code));
    let auditor = t.session_for(Role::Auditor, "320400", None).await;
    let (st, page) = view(&t, &no, &auditor).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!page.contains(&code));

    // Anonymous: to the login page, coming back afterwards.
    let (st, loc) = anonymous(&t, &format!("/console/reports/credit/{no}")).await;
    assert!(
        st == StatusCode::SEE_OTHER || st == StatusCode::FOUND,
        "{st}"
    );
    assert!(
        loc.starts_with(&format!("/console/login?next=/console/reports/credit/{no}")),
        "{loc}"
    );

    // Unknown or impossible numbers: the 404 page.
    let (st, page) = view(&t, "XYBG-20250602-ZZZZZZZZ", &staff).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(page.contains("未找到"), "{page}");
    let (st, _) = view(&t, "not%20a%20number", &staff).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Views are in the query log, refusals of a report out of reach too (the auditor, without
    // the permission at all, is stopped before any report is looked up).
    let events = t
        .store
        .audit_events(&AuditFilter {
            action: Some("credit_report_view".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(events.iter().filter(|e| e.outcome == "ok").count(), 2);
    assert!(events.iter().filter(|e| e.outcome == "denied").count() == 1);
    assert!(events.iter().all(|e| e.target.as_deref() == Some(&no)));

    // The issue page links to the web version.
    let (st, page) = t.call("GET", "/console/reports/credit", &staff, None).await;
    assert_eq!(st, StatusCode::OK);
    let page = text(&page);
    assert!(page.contains("id=\"report-html\""));
    assert!(page.contains("id=\"report-pdf\""));
    t.cleanup().await;
}
both_backends!(enterprise_report_as_html, enterprise_report);

async fn person_report(t: TestApp) {
    let first17 = "32041219900307123";
    let clear = format!("{first17}{}", id_number::check_char(first17).unwrap());
    let masked = id_number::mask(&clear);
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
    // A careless submission that put the number into a listed field too.
    let mut fields = serde_json::Map::new();
    fields.insert(
        "penalty_content".into(),
        format!("罚款（身份证号 {clear}）").into(),
    );
    row.fields = chengxin_store::RowFields::new(&fields).unwrap();
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
    let (no, code) = issue(&t, &staff, person).await;
    let (st, page) = view(&t, &no, &staff).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(page.contains("张三"));
    assert!(page.contains(&masked), "{page}");
    assert!(page.contains(&code));
    assert!(page.contains("<svg"));
    assert!(page.contains("身份证件号码"));
    assert!(!page.contains(&clear), "clear ID number on the page");
    assert!(!page.contains(first17));
    assert_self_contained(&page);
    t.cleanup().await;
}
both_backends!(person_report_as_html_has_no_clear_id_number, person_report);
