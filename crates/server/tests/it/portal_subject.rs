//! An enterprise on the portal (issue 17), on both backends: 企业登录 from the portal header
//! (not 工作人员登录), 我的信用档案 with all its records — non-public ones too — its list
//! entries and its objection with its progress, the repair form and its own report; no console
//! page for its session; subject accounts bound to a valid USCC of a subject on the platform;
//! the public's credit report of an organisation from its archive page (public information
//! only, verifiable, limited like every anonymous route).

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use chengxin_access::Role;
use chengxin_app::flood::FloodClass;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::Subject;
use chengxin_store::{NewRecord, NewSubject};
use chengxin_testkit::*;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use tower::ServiceExt;

const USCC: &str = "91320412MA1MXK2L83";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A GET with the credential: status, headers and the raw body.
async fn get(t: &TestApp, uri: &str, cred: &Cred) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().uri(uri).header("accept", "text/html");
    if let Cred::Session { cookie, .. } = cred {
        req = req.header("cookie", format!("cx_session={cookie}"));
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

async fn page(t: &TestApp, uri: &str, cred: &Cred) -> (StatusCode, String) {
    let (s, _, b) = get(t, uri, cred).await;
    (s, String::from_utf8_lossy(&b).into_owned())
}

fn location(h: &HeaderMap) -> String {
    h.get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// 常州甲公司: a published penalty (imported), a penalty whose publication ended (not
/// public any more), an effective blacklist entry.
async fn company(t: &TestApp) -> (Subject, uuid::Uuid) {
    let out = t
        .import(USCC, vec![import_row(2, "常天罚〔2025〕1号", "2025-03-03")])
        .await;
    let rec = match &out[0] {
        chengxin_store::RowOutcome::Created(id) => *id,
        other => panic!("{other:?}"),
    };
    let s = t.store.subject_by_uscc(USCC).await.unwrap().unwrap();
    let mut fields = serde_json::Map::new();
    fields.insert("penalty_content".into(), "警告".into());
    t.store
        .create_record(
            "test",
            NewRecord {
                type_code: "admin_penalty".into(),
                subject_id: Some(s.id),
                subject_name: s.name.clone(),
                doc_no: "常天罚〔2023〕5号-期满".into(),
                decision_date: d("2023-03-03"),
                source_dept: "11320400MB00000002".into(),
                batch_id: None,
                fields,
                severity: Some("general".into()),
                status: RecordStatus::Expired,
                publish_until: Some(d("2024-03-02")),
                content_digest: None,
                published_at: None,
            },
        )
        .await
        .unwrap();
    blacklist(t.store.as_ref(), &s).await;
    (s, rec)
}

async fn own_archive_and_no_console(t: TestApp) {
    let (s, rec) = company(&t).await;
    // The portal header offers 企业登录 beside 工作人员登录.
    let (_, home) = page(&t, "/", &Cred::None).await;
    assert!(home.contains("href=\"/portal/login\""), "{home}");
    assert!(home.contains("企业登录") && home.contains("工作人员登录"));
    let (st, login) = page(&t, "/portal/login", &Cred::None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(login.contains("id=\"login-form\""), "{login}");
    assert!(
        !login.contains("id=\"totp\""),
        "no second factor for enterprises"
    );
    // Not logged in: 我的信用档案 asks for the portal login.
    let (st, h, _) = get(&t, "/portal/my", &Cred::None).await;
    assert!(st.is_redirection(), "{st}");
    assert_eq!(location(&h), "/portal/login?next=%2Fportal%2Fmy");

    let own = t.session_for(Role::Subject, "320412", Some(USCC)).await;
    // Its objection, filed with its session.
    let (st, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &own,
            Some(
                serde_json::json!({"target_kind": "record", "target_id": rec,
                "reasons": "处罚金额录入错误", "applicant_name": "常州甲公司"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{filed}");
    let tracking = filed["tracking_no"].as_str().unwrap().to_string();
    // Logged in: the login page sends it to its archive.
    let (st, h, _) = get(&t, "/portal/login", &own).await;
    assert!(st.is_redirection());
    assert_eq!(location(&h), "/portal/my");
    let (st, my) = page(&t, "/portal/my", &own).await;
    assert_eq!(st, StatusCode::OK, "{my}");
    for want in [
        "我的信用档案",
        "常州甲公司",
        USCC,
        "常天罚〔2025〕1号",
        "常天罚〔2023〕5号-期满", // not public any more, but its own
        "行政处罚",
        "异议处理中",
        "严重失信主体名单",
        &tracking,
        "异议申诉",
        "id=\"issue-report\"",
        "id=\"repair-submit\"",
        "/portal/objection?record=",
        "id=\"my-archive-link\"",
    ] {
        assert!(my.contains(want), "我的信用档案 lacks {want}");
    }
    for code in [
        "admin_penalty",
        "serious_dishonest",
        "published",
        "effective",
    ] {
        assert!(!my.contains(&format!(">{code}<")), "shows the code {code}");
    }
    // Its header: its archive and the portal's logout, no console.
    assert!(!my.contains("href=\"/console\""), "{my}");
    // Its own report from there.
    let (st, v) = t
        .call(
            "POST",
            "/api/v1/credit-reports",
            &own,
            Some(serde_json::json!({"subject_id": s.id})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");

    // No console page for a subject's session.
    for uri in [
        "/console",
        "/console/cases",
        "/console/reports/credit",
        "/console/applications",
        "/console/subjects",
    ] {
        let (st, body) = page(&t, uri, &own).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{uri}");
        assert!(body.contains("id=\"not-staff\""), "{uri}: {body}");
    }
    let (st, h, _) = get(&t, "/console/archive", &own).await;
    assert!(st.is_redirection(), "{st}");
    assert_eq!(location(&h), "/portal/my");
    let (st, h, _) = get(&t, "/console/login", &own).await;
    assert!(st.is_redirection());
    assert_eq!(location(&h), "/portal/my");
    // Staff have no 我的信用档案: they go to the console.
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let (st, h, _) = get(&t, "/portal/my", &office).await;
    assert!(st.is_redirection(), "{st}");
    assert_eq!(location(&h), "/console");
    t.cleanup().await;
}
both_backends!(
    an_enterprise_logs_in_on_the_portal_to_its_own_archive,
    own_archive_and_no_console
);

async fn subject_accounts(t: TestApp) {
    company(&t).await;
    let admin = t.session_for(Role::Administrator, "320400", None).await;
    let create = |username: &str, body: Option<&str>| {
        serde_json::json!({"username": username, "display_name": "常州甲公司",
            "roles": ["subject"], "region": "320412", "body": body})
    };
    for (body, code) in [
        (None, "subject_account_body_required"),
        (Some("91320412MA1MXK2L84"), "subject_account_body_invalid"),
        (Some("91320402MA1MXK2L8K"), "subject_account_body_unknown"),
    ] {
        let (st, v) = t
            .call(
                "POST",
                "/api/v1/accounts",
                &admin,
                Some(create("jia", body)),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body:?}: {v}");
        assert_eq!(v["code"], code, "{v}");
        assert!(v["message"].as_str().unwrap().contains("统一社会信用代码"));
    }
    // Typed in lower case with spaces: checked and kept as the code.
    let (st, v) = t
        .call(
            "POST",
            "/api/v1/accounts",
            &admin,
            Some(create("jia", Some(" 91320412ma1mxk2l83 "))),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let a = t.store.account_by_username("jia").await.unwrap().unwrap();
    assert_eq!(a.body.as_deref(), Some(USCC));
    assert_eq!(a.roles, vec!["subject".to_string()]);
    t.cleanup().await;
}
both_backends!(subject_accounts_are_bound_to_a_known_uscc, subject_accounts);

async fn public_report(t: TestApp) {
    let (s, _) = company(&t).await;
    // The archive page offers it.
    let (_, archive) = page(&t, &format!("/portal/subjects/{}", s.id), &Cred::None).await;
    let link = format!("/portal/subjects/{}/report.pdf", s.id);
    assert!(archive.contains(&link), "{archive}");
    let (st, h, pdf) = get(&t, &link, &Cred::None).await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(h["content-type"], "application/pdf");
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let signed = chengxin_report::extract_signed(&pdf).unwrap();
    chengxin_report::verify(&signed, &report_key().verifying_key()).unwrap();
    // Public information only: the penalty past its publication is not in it.
    let text = serde_json::to_string(&signed.report).unwrap();
    assert!(text.contains("常天罚〔2025〕1号"));
    assert!(!text.contains("期满"), "{text}");
    // Kept, and verified on the portal.
    let (_, v) = t
        .call(
            "POST",
            "/api/v1/credit-reports/verify",
            &Cred::None,
            Some(serde_json::json!({"report_no": signed.report.report_no,
                "code": signed.verification_code})),
        )
        .await;
    assert_eq!(v["valid"], true, "{v}");
    // A person is never offered, nor an unknown id.
    let person = t
        .store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::CivilServant),
                name: "张三".into(),
                id_hash: Some("h-zhang".into()),
                id_masked: Some("320402********1234".into()),
                region: Some("320402".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for id in [person.id, uuid::Uuid::now_v7()] {
        let (st, _, _) = get(
            &t,
            &format!("/portal/subjects/{id}/report.pdf"),
            &Cred::None,
        )
        .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    // Limited per client like the other anonymous routes.
    let marked = chengxin_server::table::table()
        .into_iter()
        .any(|(spec, _)| {
            spec.path == "/portal/subjects/{id}/report.pdf"
                && spec.flood == Some(FloodClass::Report)
        });
    assert!(marked, "the public report is not flood-limited");
    let limited = t.with_settings(|a| {
        a.flood.report =
            chengxin_access::ClientLimit::per(2, 100, std::time::Duration::from_secs(3600))
    });
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (st, _, _) = limited
            .call_from(
                "203.0.113.9",
                "GET",
                &link,
                &[("accept", "text/html")],
                None,
            )
            .await;
        statuses.push(st);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    t.cleanup().await;
}
both_backends!(the_public_downloads_an_organisations_report, public_report);
