//! 任职与诚信档案 (issue 18) over the real router, on both backends: employment history
//! imported with an overlap and a bad date refused row by row with nothing written; the fixed
//! file imported (and again, changing nothing); 责任回溯 naming the principal before and after
//! the change of principal and the predecessor after moving to another body; the civil
//! servant's 诚信档案 opened with a purpose (query-logged), refused without the permission and
//! 404 out of region like an unknown person; its signed PDF verifying.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::codes::id_number;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::{Subject, SubjectKind};
use chengxin_store::{AuditFilter, NewRecord, NewSubject};
use chengxin_testkit::*;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

const FGW: &str = "11320400MB00000002";
const WUJIN_GOV: &str = "11320412MB00000276";
const COMPANY: &str = "91320412MA1MXK2L83";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A valid ID number for a birth date and sequence.
fn id(birth: &str, seq: &str) -> String {
    let first = format!("320402{birth}{seq}");
    format!("{first}{}", id_number::check_char(&first).unwrap())
}

async fn body(t: &TestApp, kind: SubjectKind, name: &str, uscc: &str) -> Subject {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(kind),
                name: name.into(),
                uscc: Some(uscc.into()),
                region: uscc.get(2..8).map(String::from),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

/// A raw request; status, body bytes and headers.
async fn raw(
    t: &TestApp,
    method: &str,
    uri: &str,
    cred: &Cred,
    content_type: &str,
    payload: Vec<u8>,
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type);
    if let Cred::Session { cookie, csrf } = cred {
        req = req
            .header("cookie", format!("cx_session={cookie}"))
            .header("x-csrf-token", csrf);
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::from(payload)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes, headers)
}

const HEADER: &str =
    "身份证号,姓名,单位统一社会信用代码,单位名称,职务/岗位,是否主要负责人,任职起始日期,任职终止日期";

fn csv(rows: &[String]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

async fn import(t: &TestApp, cred: &Cred, file: Vec<u8>) -> (StatusCode, serde_json::Value) {
    let (s, b, _) = raw(
        t,
        "POST",
        "/api/v1/employments/import?file_name=staff.csv",
        cred,
        "text/csv",
        file,
    )
    .await;
    (
        s,
        serde_json::from_slice(&b).unwrap_or(json!(String::from_utf8_lossy(&b))),
    )
}

fn record(person: &Subject, type_code: &str, doc: &str) -> NewRecord {
    NewRecord {
        type_code: type_code.into(),
        subject_id: Some(person.id),
        subject_name: person.name.clone(),
        doc_no: doc.into(),
        decision_date: d("2024-12-20"),
        source_dept: FGW.into(),
        batch_id: None,
        fields: serde_json::Map::new(),
        severity: None,
        status: RecordStatus::Published,
        publish_until: None,
        content_digest: None,
        published_at: None,
    }
}

async fn story(t: TestApp) {
    let fgw = body(&t, SubjectKind::GovBody, "常州市发展和改革委员会", FGW).await;
    let wujin = body(&t, SubjectKind::GovBody, "常州市武进区人民政府", WUJIN_GOV).await;
    let company = body(&t, SubjectKind::Enterprise, "常州甲建设有限公司", COMPANY).await;
    let (a, b, c) = (
        id("19680312", "031"),
        id("19720805", "042"),
        id("19780921", "064"),
    );
    let office = t.session_for(Role::CreditOffice, "320400", None).await;

    // ---- a file with an overlap and a bad date: refused row by row, nothing written ----
    let bad = csv(&[
        format!("{a},陈建国,{FGW},常州市发展和改革委员会,主任,是,2019-01-10,2023-03-14"),
        format!("{b},刘慧敏,{FGW},常州市发展和改革委员会,主任,是,2023-03-01,"),
        format!("{c},周海燕,{FGW},常州市发展和改革委员会,副主任,否,2023-05-01,2022-01-01"),
        format!("{c},周海燕,{COMPANY},常州甲建设有限公司,经理,否,2020-01-01,"),
    ]);
    let (s, v) = import(&t, &office, bad).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "staff_rows_rejected", "{v}");
    let problems = v["problems"].as_array().unwrap();
    let has = |code: &str, row: &str| {
        problems
            .iter()
            .any(|p| p["code"] == code && p["field"] == row)
    };
    assert!(has("employment_overlap", "第3行"), "{v}");
    assert!(has("employment_end_before_start", "第4行"), "{v}");
    assert!(has("employment_body_not_government", "第5行"), "{v}");
    assert!(
        v.to_string()
            .contains("同一单位同一时间只能有一名主要负责人"),
        "{v}"
    );
    for n in [&a, &b, &c] {
        assert!(
            !v.to_string().contains(n.as_str()),
            "clear ID number in {v}"
        );
        let hash = t.state.id_hasher.hash(n);
        assert!(t.store.subject_by_id_hash(&hash).await.unwrap().is_none());
    }
    assert!(t
        .store
        .employments_at_bodies(&[fgw.id, wujin.id])
        .await
        .unwrap()
        .is_empty());

    // ---- the fixed file; the same file again changes nothing ----
    let good = csv(&[
        format!("{a},陈建国,{FGW},常州市发展和改革委员会,主任,是,2019-01-10,2023-03-14"),
        format!("{b},刘慧敏,{FGW},常州市发展和改革委员会,主任,是,2023-03-15,"),
        format!("{c},周海燕,{FGW},常州市发展和改革委员会,副主任,否,2020-06-01,"),
        format!("{a},陈建国,{WUJIN_GOV},常州市武进区人民政府,区长,是,2023-03-20,"),
    ]);
    let (s, v) = import(&t, &office, good.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["created"].as_u64(), v["persons_created"].as_u64()),
        (Some(4), Some(3)),
        "{v}"
    );
    let (s, v) = import(&t, &office, good).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["created"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(4)),
        "{v}"
    );
    // A second principal through the API is refused against what is stored.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/employments",
            &office,
            Some(
                json!({"rows": [{"id_number": c, "name": "周海燕", "body_uscc": FGW,
                "body_name": "常州市发展和改革委员会", "post": "主任", "principal": true,
                "start_date": "2024-01-01"}]}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["problems"][0]["code"], "employment_overlap", "{v}");
    // 武进's office may not import for a city body.
    let wujin_office = t.session_for(Role::CreditOffice, "320412", None).await;
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/employments",
            &wujin_office,
            Some(
                json!({"rows": [{"id_number": c, "name": "周海燕", "body_uscc": FGW,
                "body_name": "常州市发展和改革委员会", "post": "科员", "start_date": "2010-01-01",
                "end_date": "2012-01-01"}]}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(
        v["problems"][0]["code"], "employment_body_out_of_region",
        "{v}"
    );

    // ---- 责任回溯 across the change of principal and the move ----
    let ask = |day: &str, post: Option<&str>| {
        let mut uri = format!("/api/v1/bodies/{}/responsible?day={day}", fgw.id);
        if let Some(p) = post {
            uri.push_str("&post=");
            uri.push_str(&p.bytes().map(|b| format!("%{b:02X}")).collect::<String>());
        }
        uri
    };
    let (s, v) = t
        .call("GET", &ask("2023-03-14", Some("副主任")), &office, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["principals"][0]["name"], "陈建国", "{v}");
    assert_eq!(v["principals"][0]["id_masked"], id_number::mask(&a), "{v}");
    assert_eq!(v["holders"][0]["name"], "周海燕", "{v}");
    // The predecessor is found where he is now.
    let now = v["principals"][0]["now"].as_array().unwrap();
    assert!(
        now.iter()
            .any(|p| p["body_name"] == "常州市武进区人民政府" && p["post"] == "区长"),
        "{v}"
    );
    assert!(!v.to_string().contains(a.as_str()));
    let (s, v) = t.call("GET", &ask("2023-03-15", None), &office, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["principals"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["principals"][0]["name"], "刘慧敏", "{v}");
    // The use case other capabilities call with an item's dates.
    let r = chengxin_app::staff::responsible_at(&t.state, wujin.id, d("2024-01-01"), None)
        .await
        .unwrap();
    assert_eq!(r.principals[0].name, "陈建国");
    // Out of region: like an unknown body.
    let liyang_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let (s, _) = t
        .call("GET", &ask("2023-03-15", None), &liyang_office, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // ---- the 诚信档案 ----
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/trainings",
            &office,
            Some(
                json!({"rows": [{"id_number": a, "name": "陈建国", "course": "政务诚信建设专题培训",
                "date": "2024-05-20", "hours": "1.5", "organiser_uscc": FGW}]}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let person = t
        .store
        .subject_by_id_hash(&t.state.id_hasher.hash(&a))
        .await
        .unwrap()
        .unwrap();
    t.store
        .create_record(
            "test",
            record(&person, "civil_servant_appraisal", "常发改考〔2024〕1号"),
        )
        .await
        .unwrap();
    t.store
        .create_record(
            "test",
            record(&person, "commendation", "常发改表〔2024〕2号"),
        )
        .await
        .unwrap();
    let lookup = |number: &str, purpose: &str| json!({"id_number": number, "purpose": purpose});
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/integrity-files/lookup",
            &office,
            Some(lookup(&a, "干部调任审查")),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["employments"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["records"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["trainings"][0]["hours"], "1.5", "{v}");
    assert!(!v.to_string().contains(a.as_str()));
    let logged = t
        .store
        .audit_events(&AuditFilter {
            action: Some("integrity_file_open".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].outcome, "ok");
    assert_eq!(logged[0].detail["purpose"], "干部调任审查");
    assert!(!serde_json::to_string(&logged[0])
        .unwrap()
        .contains(a.as_str()));
    // No purpose; no permission.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/integrity-files/lookup",
            &office,
            Some(lookup(&a, " ")),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("purpose_required")),
        "{v}"
    );
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(FGW))
        .await;
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/integrity-files/lookup",
            &dept,
            Some(lookup(&a, "干部调任审查")),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Out of region: exactly like an unknown person.
    let (s1, v1) = t
        .call(
            "POST",
            "/api/v1/integrity-files/lookup",
            &liyang_office,
            Some(lookup(&a, "干部调任审查")),
        )
        .await;
    let unknown = id("19800101", "999");
    let (s2, v2) = t
        .call(
            "POST",
            "/api/v1/integrity-files/lookup",
            &liyang_office,
            Some(lookup(&unknown, "干部调任审查")),
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(v1, v2);
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/integrity-files/{}", person.id),
            &liyang_office,
            Some(json!({"purpose": "干部调任审查"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let denied = t
        .store
        .audit_events(&AuditFilter {
            action: Some("integrity_file_open".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(denied.iter().any(|e| e.outcome == "denied"));

    // ---- the signed PDF ----
    let (s, pdf, headers) = raw(
        &t,
        "POST",
        &format!("/api/v1/integrity-files/{}/pdf", person.id),
        &office,
        "application/json",
        json!({"purpose": "评优评先审查"}).to_string().into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert!(pdf.starts_with(b"%PDF"));
    assert!(headers["x-report-no"]
        .to_str()
        .unwrap()
        .starts_with("CXDA-"));
    let signed = chengxin_report::extract_signed(&pdf).unwrap();
    chengxin_report::verify(&signed, &report_key().verifying_key()).unwrap();
    assert_eq!(signed.report.subject.code, id_number::mask(&a));
    assert!(signed.report.sections.iter().any(|s| s.title == "诚信教育"));
    assert!(!serde_json::to_string(&signed).unwrap().contains(a.as_str()));
    // 报告验真 of the uploaded PDF, as the receiving department does.
    let (s, body, _) = raw(
        &t,
        "POST",
        "/api/v1/credit-reports/verify",
        &Cred::None,
        "application/pdf",
        pdf,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["valid"], true, "{v}");
    // ---- the console pages ----
    let page = |uri: String| {
        let t = &t;
        let office = office.clone();
        async move {
            let (s, b, _) = raw(t, "GET", &uri, &office, "text/html", vec![]).await;
            (s, String::from_utf8(b).unwrap())
        }
    };
    let (s, html) = page("/console/staff/responsible?q=%E5%8F%91%E5%B1%95".into()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("常州市发展和改革委员会"), "{html}");
    let (s, html) = page(format!(
        "/console/staff/responsible?body={}&day=2023-03-14&post=%E5%89%AF%E4%B8%BB%E4%BB%BB",
        fgw.id
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("陈建国") && html.contains("周海燕") && html.contains("常州市武进区人民政府"),
        "{html}"
    );
    assert!(html.contains(&id_number::mask(&a)) && !html.contains(a.as_str()));
    let (s, html) = page(format!(
        "/console/staff/file?person={}&purpose=%E8%AF%84%E4%BC%98",
        person.id
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("诚信教育")
            && html.contains("政务诚信建设专题培训")
            && !html.contains(a.as_str()),
        "{html}"
    );
    let (s, _) = page("/console/staff".into()).await;
    assert_eq!(s, StatusCode::OK);
    let _ = company;
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(employment_history_responsibility_and_integrity_file, story);

/// Malformed, oversized and hostile input to the staff imports: each refused with a stable code
/// and a Chinese message, nothing written, the server still answering.
async fn bad_input(t: TestApp) {
    let fgw = body(&t, SubjectKind::GovBody, "常州市发展和改革委员会", FGW).await;
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    // Oversized: a file over the 32 MiB limit.
    let (s, v) = import(&t, &office, vec![b'a'; 32 * 1024 * 1024 + 1]).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("payload_too_large")),
        "{v}"
    );
    // Malformed: not a table at all, and JSON that is not the rows' shape.
    let (s, v) = import(&t, &office, b"\x00\x01\x02 PK garbage".to_vec()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["code"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/employments",
            &office,
            Some(json!({"rows": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // Hostile: markup, a formula and an ID-shaped number in free text; the row is refused and
    // the answer carries neither the markup as given nor a clear ID number.
    let a = id("19680312", "031");
    let hostile = csv(&[format!(
        "{a},<script>alert(1)</script>,{FGW},=HYPERLINK(\"x\"),主任,也许,2019-13-01,"
    )]);
    let (s, v) = import(&t, &office, hostile).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("staff_rows_rejected")),
        "{v}"
    );
    let text = v.to_string();
    assert!(!text.contains(&a), "{text}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_ascii()), "{v}");
    // Nothing written, and the server still answers.
    assert!(t
        .store
        .employments_at_bodies(&[fgw.id])
        .await
        .unwrap()
        .is_empty());
    let (s, _) = t.call("GET", "/healthz", &Cred::None, None).await;
    assert_eq!(s, StatusCode::OK);
}

both_backends!(staff_imports_refuse_bad_input, bad_input);
