//! The staff console (工作台) over the real router, on both backends: anonymous visitors are
//! sent to the login page, every page renders for a role allowed to see it and answers 403
//! "无权访问" to one that is not, the login page asks for the second factor, the submit page
//! shows upload progress, no page loads anything from another host, and no page shows an ID
//! number in clear.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::subjects::SubjectKind;
use chengxin_testkit::*;
use tower::ServiceExt;

const DEPT: &str = "11320400MB0000000X";
const COMPANY: &str = "91320412MA1MXK2L83";
const CLEAR_ID: &str = "320412199001011231";
const MASKED_ID: &str = "3204**********1231";

fn html(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Pages never pull anything from another host.
fn assert_self_contained(uri: &str, page: &str) {
    for bad in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
    ] {
        assert!(
            !page.contains(bad),
            "{uri} references an external host ({bad})"
        );
    }
}

/// A company record and a person record; returns (company record id, person record id,
/// person subject id, batch id).
async fn seed(t: &TestApp) -> (String, String, String, String) {
    let out = t
        .import(DEPT, vec![import_row(1, "常罚〔2025〕1号", "2025-01-10")])
        .await;
    let company_rec = match &out[0] {
        chengxin_store::RowOutcome::Created(id) => *id,
        other => panic!("{other:?}"),
    };
    let mut person = import_row(2, "常罚〔2025〕2号", "2025-02-10");
    person.subject_name = "张三".into();
    person.subject_uscc = None;
    person.subject_id_hash = Some("h-zhangsan".into());
    person.subject_id_masked = Some(MASKED_ID.into());
    person.subject_kind = SubjectKind::Individual;
    // A careless submission that put the number into a free-text field too.
    let mut fields = serde_json::Map::new();
    fields.insert("penalty_content".into(), "罚款".into());
    fields.insert("remark".into(), format!("身份证号 {CLEAR_ID}").into());
    person.fields = chengxin_store::RowFields::new(&fields).unwrap();
    let out = t.import(DEPT, vec![person]).await;
    let person_rec = match &out[0] {
        chengxin_store::RowOutcome::Created(id) => *id,
        other => panic!("{other:?}"),
    };
    let r = t.store.record(person_rec).await.unwrap().unwrap();
    let batch = r.batch_id.unwrap();
    (
        company_rec.to_string(),
        person_rec.to_string(),
        r.subject_id.unwrap().to_string(),
        batch.to_string(),
    )
}

async fn location(t: &TestApp, uri: &str) -> (StatusCode, String) {
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

async fn pages(t: TestApp) {
    let (company_rec, person_rec, person_subject, batch) = seed(&t).await;
    // An objection to the company's record, for the application pages.
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(serde_json::json!({
                "target_kind": "record", "target_id": company_rec,
                "reasons": "处罚金额录入错误", "applicant_name": "王五"
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let app_id = filed["id"].as_str().unwrap().to_string();

    // Anonymous: to the login page, coming back afterwards.
    let (s, loc) = location(&t, "/console").await;
    assert!(s.is_redirection(), "{s}");
    assert!(loc.starts_with("/console/login?next=/console"), "{loc}");
    let (s, loc) = location(&t, "/console/audit?kind=auth").await;
    assert!(s.is_redirection(), "{s}");
    assert!(
        loc.starts_with("/console/login?next=/console/audit"),
        "{loc}"
    );

    // The login page: the second factor, and no external host.
    let (s, page) = t.call("GET", "/console/login", &Cred::None, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = html(&page);
    for id in [
        "id=\"username\"",
        "id=\"password\"",
        "id=\"totp\"",
        "id=\"login\"",
        "id=\"login-msg\"",
        "id=\"new_password\"",
        "id=\"change-password\"",
    ] {
        assert!(page.contains(id), "login page lacks {id}");
    }
    assert_self_contained("/console/login", &page);
    let (s, _) = t.call("GET", "/console/logout", &Cred::None, None).await;
    assert_eq!(s, StatusCode::OK);

    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    let implementer = t
        .session_for(
            Role::ImplementingDepartment,
            "320400",
            Some("11320400MB0000001X"),
        )
        .await;
    let subject = t.session_for(Role::Subject, "320412", Some(COMPANY)).await;
    let auditor = t.session_for(Role::Auditor, "320400", None).await;
    let admin = t.session_for(Role::Administrator, "320400", None).await;
    let supervisor = t.session_for(Role::Supervisor, "320400", None).await;

    let record_page = format!("/console/records/{person_rec}");
    let batch_page = format!("/console/batches/{batch}");
    let app_page = format!("/console/applications/{app_id}");
    let subject_page = format!("/console/subjects?q=%E5%BC%A0&subject={person_subject}");
    // (page, allowed, not allowed)
    let cases: Vec<(&str, &Cred, &Cred)> = vec![
        ("/console", &auditor, &auditor),
        ("/console/submit", &dept, &auditor),
        (&batch_page, &dept, &auditor),
        ("/console/applications", &office, &auditor),
        (&app_page, &office, &supervisor),
        ("/console/cases", &implementer, &subject),
        ("/console/cases", &office, &dept),
        ("/console/lists", &office, &dept),
        (&record_page, &office, &auditor),
        (&subject_page, &office, &admin),
        ("/console/link-queue", &office, &supervisor),
        ("/console/audit", &auditor, &office),
        ("/console/accounts", &admin, &auditor),
        ("/console/catalog", &supervisor, &subject),
        ("/console/reports/credit", &office, &auditor),
        // A subject's session opens no console page (its archive is on the portal).
        ("/console/reports/credit", &office, &subject),
        ("/console/logout", &office, &office),
    ];
    for (uri, ok, no) in &cases {
        let (s, page) = t.call("GET", uri, ok, None).await;
        let page = html(&page);
        assert_eq!(s, StatusCode::OK, "{uri}: {page}");
        assert!(page.contains("csrf-token"), "{uri} lacks the CSRF meta tag");
        assert_self_contained(uri, &page);
        assert!(
            !page.contains(CLEAR_ID),
            "{uri} shows an ID number in clear"
        );
        if !std::ptr::eq(*ok, *no) {
            let (s, page) = t.call("GET", uri, no, None).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{uri} should be refused");
            assert!(html(&page).contains("无权访问"), "{uri}");
        }
    }

    // The submit page: the upload controls and the progress element.
    let (_, page) = t.call("GET", "/console/submit", &dept, None).await;
    let page = html(&page);
    for id in [
        "<progress id=\"upload-progress\"",
        "id=\"file\"",
        "id=\"upload\"",
        "id=\"batch-result\"",
        DEPT,
    ] {
        assert!(page.contains(id), "submit page lacks {id}");
    }
    // A batch's result: counts with the rejected count.
    let (_, page) = t.call("GET", &batch_page, &dept, None).await;
    assert!(html(&page).contains("id=\"rejected-count\""));
    let (s, frag) = t
        .call("GET", &format!("{batch_page}?fragment=1"), &dept, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html(&frag).contains("<html"), "fragment is the block only");

    // The person's record and subject: masked number only.
    let (_, page) = t.call("GET", &record_page, &office, None).await;
    let page = html(&page);
    assert!(page.contains("张三"));
    assert!(page.contains(MASKED_ID), "masked in the fields");
    let (_, page) = t.call("GET", &subject_page, &office, None).await;
    let page = html(&page);
    assert!(page.contains(MASKED_ID), "{page}");
    assert!(page.contains(&person_rec));

    // The application: the credit office may accept it, with the version.
    let (_, page) = t.call("GET", &app_page, &office, None).await;
    let page = html(&page);
    assert!(
        page.contains("&quot;action&quot;:&quot;accept&quot;"),
        "{page}"
    );
    assert!(page.contains("expected_version"));

    // The dashboard shows the office's sections and its queue.
    let (_, page) = t.call("GET", "/console", &office, None).await;
    let page = html(&page);
    assert!(page.contains("href=\"/console/applications\""));
    assert!(!page.contains("href=\"/console/accounts\""));
    let (_, page) = t.call("GET", "/console", &admin, None).await;
    assert!(html(&page).contains("href=\"/console/accounts\""));

    // The credit-report page has its contract ids.
    let (_, page) = t
        .call("GET", "/console/reports/credit", &office, None)
        .await;
    let page = html(&page);
    for id in [
        "id=\"report-subject\"",
        "id=\"issue-report\"",
        "id=\"report-pdf\"",
    ] {
        assert!(page.contains(id), "report page lacks {id}");
    }

    // The subject's own archive, with the repair form, is the portal's 我的信用档案.
    let (_, page) = t.call("GET", "/portal/my", &subject, None).await;
    let page = html(&page);
    assert!(page.contains("常罚〔2025〕1号"), "{page}");
    assert!(page.contains("id=\"repair-submit\""));

    // A signed-in visitor of the login page goes on to `next` (same-site only).
    let (s, loc) = {
        let Cred::Session { cookie, .. } = &office else {
            unreachable!()
        };
        let resp = t
            .app
            .clone()
            .oneshot(
                Request::builder()
                    .uri("/console/login?next=//evil.example/x")
                    .header("cookie", format!("cx_session={cookie}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let loc = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (resp.status(), loc)
    };
    assert!(s.is_redirection());
    assert_eq!(loc, "/console");

    t.cleanup().await;
}

both_backends!(console_pages, pages);
