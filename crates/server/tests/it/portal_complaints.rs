//! Issue 19, third part, on both backends: a complaint filed on the portal is a complaint work
//! item of the body's region (an unknown body, a too short text refused with their codes);
//! the receipt's number and one-time code open a public-safe timeline (no staff accounts);
//! evidence is type- and size-checked; the complainant's name and contact stay sealed until
//! the credit office opens them with a purpose (audited, refused without the permission or a
//! purpose); 查实 with an arrear enters it in the ledger as reported (to be confirmed by the
//! body) in the step's transaction, besides the 失信 record; the complainant's 不满意 reopens
//! the item once, and only once; a sibling region sees nothing; hostile text is escaped in
//! the console page and neutralised in the XLSX export; a complaint filed through the older
//! flow still tracks; `verify` passes.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::{AuditFilter, NewSubject};
use chengxin_testkit::*;
use serde_json::{json, Value};

const OWNER: &str = "11320400MC0001015U";
const OFFICE_BODY: &str = "11320400MB0000003B";
const SUPPLIER: &str = "91320400MA0000001T";
const PEER: &str = "127.0.0.9";

async fn subject(t: &TestApp, name: &str, code: &str, region: &str) {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::GovBody),
                name: name.into(),
                uscc: Some(code.into()),
                id_hash: None,
                id_masked: None,
                region: Some(region.into()),
                parent_id: None,
                former_names: Vec::new(),
            },
        )
        .await
        .unwrap();
}

/// The public side: no account, the access code in its header.
async fn public(
    t: &TestApp,
    method: &str,
    uri: &str,
    code: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let headers: Vec<(&str, &str)> = code.map(|c| ("x-access-code", c)).into_iter().collect();
    let (s, _, v) = t.call_from(PEER, method, uri, &headers, body).await;
    (s, v)
}

async fn step(t: &TestApp, cred: &Cred, id: &str, body: Value) -> (StatusCode, Value) {
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{id}"), cred, None)
        .await;
    let mut body = body;
    body["expected_version"] = v["version"].clone();
    t.call(
        "POST",
        &format!("/api/v1/work-items/{id}/steps"),
        cred,
        Some(body),
    )
    .await
}

async fn ok_step(t: &TestApp, cred: &Cred, id: &str, body: Value) -> Value {
    let (s, v) = step(t, cred, id, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body}: {v}");
    v
}

async fn story(t: TestApp) {
    subject(&t, "常州市测试局", OWNER, "320400").await;
    let office = t
        .session_for(Role::CreditOffice, "320400", Some(OFFICE_BODY))
        .await;
    let owner = t
        .session_for(Role::SubmittingDepartment, "320400", Some(OWNER))
        .await;
    let sibling_office = t.session_for(Role::CreditOffice, "320481", None).await;

    // Refusals, each with its code, nothing written.
    let (s, v) = public(
        &t,
        "POST",
        "/api/v1/portal/complaints",
        None,
        Some(json!({"about": "不存在的单位", "content": "拖欠工程款", "complainant": "李四"})),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body_unknown")),
        "{v}"
    );
    let (s, v) = public(
        &t,
        "POST",
        "/api/v1/portal/complaints",
        None,
        Some(json!({"about": "常州市测试局", "content": "欠", "complainant": "李四"})),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("content_too_short")),
        "{v}"
    );

    // Filed: a complaint item of the body's region, with the receipt.
    let hostile = "<script>alert(1)</script>拖欠工程款 120000 元，多次催要未果";
    let (s, filed) = public(
        &t,
        "POST",
        "/api/v1/portal/complaints",
        None,
        Some(
            json!({"about": "常州市测试局", "title": "=HYPERLINK(\"http://x\",\"点我\")",
                    "content": hostile, "complainant": "李四", "contact": "13900000002"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let no = filed["no"].as_str().unwrap().to_string();
    let code = filed["access_code"].as_str().unwrap().to_string();
    assert!(no.starts_with("TS-"), "{filed}");
    assert_eq!(filed["body_name"], "常州市测试局");
    assert!(!filed["due_on"].is_null());

    // 办件查询: without the code the progress only; with it the timeline.
    let track = format!("/api/v1/portal/complaints/{no}");
    let (s, v) = public(&t, "GET", &track, None, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["opened"], false);
    assert!(v["timeline"].as_array().unwrap().is_empty());
    let (_, v) = public(&t, "GET", &track, Some("WRONGCODE123"), None).await;
    assert_eq!(v["opened"], false);
    let (_, v) = public(&t, "GET", &track, Some(&code), None).await;
    assert_eq!(v["opened"], true, "{v}");
    assert_eq!(v["timeline"][0]["step"], "受理", "{v}");
    assert_eq!(v["can_add_evidence"], true);
    let (s, _) = public(
        &t,
        "GET",
        "/api/v1/portal/complaints/TS-20200101-ZZZZZZ",
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Evidence: by content, size-checked, only with the code.
    let ev = format!("/api/v1/portal/complaints/{no}/evidence?name=");
    let pdf = b"%PDF-1.4\n%test evidence\n".to_vec();
    let (s, _, v) = t
        .call_from(PEER, "POST", &format!("{ev}x.pdf"), &[], None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no code: {v}");
    let (s, v) = post_evidence(
        &t,
        &format!("{ev}合同.pdf"),
        &code,
        b"MZ\x90\x00not a pdf".to_vec(),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file_type_not_accepted")),
        "{v}"
    );
    let big = [b"%PDF-1.4\n".to_vec(), vec![b'x'; 11 * 1024 * 1024]].concat();
    let (s, v) = post_evidence(&t, &format!("{ev}big.pdf"), &code, big).await;
    assert!(
        s == StatusCode::BAD_REQUEST || s == StatusCode::PAYLOAD_TOO_LARGE,
        "{s}: {v}"
    );
    assert!(
        v["message"].as_str().is_some_and(|m| m.contains("MB")),
        "{v}"
    );
    let (s, v) = post_evidence(&t, &format!("{ev}合同.pdf"), &code, pdf).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["evidence"][0], "合同.pdf");

    // The office's item: its region, the complainant sealed; a sibling sees nothing.
    let (_, q) = t
        .call(
            "GET",
            "/api/v1/work-items?queue=region&kind=complaint",
            &office,
            None,
        )
        .await;
    let item = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["no"] == no)
        .unwrap_or_else(|| panic!("{q}"))
        .clone();
    let id = item["id"].as_str().unwrap().to_string();
    assert_eq!(item["region"], "320400");
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{id}"), &office, None)
        .await;
    assert_eq!(v["filed_online"], true, "{v}");
    assert!(!v.to_string().contains("13900000002") && !v.to_string().contains("李四"));
    assert_eq!(v["files"][0]["name"], "合同.pdf");
    let file = format!(
        "/api/v1/work-items/{id}/files/{}",
        v["files"][0]["id"].as_str().unwrap()
    );
    let (bytes, s) = get_bytes(&t, &file, &office).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        bytes.starts_with(b"%PDF-1.4\n%test evidence"),
        "the bytes as uploaded"
    );
    let (_, s) = get_bytes(&t, &file, &sibling_office).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t
        .call(
            "GET",
            &format!("/api/v1/work-items/{id}"),
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, q) = t
        .call(
            "GET",
            "/api/v1/work-items?queue=region",
            &sibling_office,
            None,
        )
        .await;
    assert!(!q.to_string().contains(&no));

    // Revealing the complainant: a purpose, the permission, audited.
    let reveal = format!("/api/v1/work-items/{id}/complainant");
    let (s, v) = t
        .call("POST", &reveal, &office, Some(json!({"purpose": " "})))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("purpose_required"))
    );
    let (s, _) = t
        .call(
            "POST",
            &reveal,
            &owner,
            Some(json!({"purpose": "核实情况"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the body may not open it");
    let (s, _) = t
        .call(
            "POST",
            &reveal,
            &sibling_office,
            Some(json!({"purpose": "核实情况"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t
        .call(
            "POST",
            &reveal,
            &office,
            Some(json!({"purpose": "回访投诉人"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "李四");
    assert_eq!(v["contact"], "13900000002");
    let log = t
        .store
        .audit_events(&AuditFilter {
            action: Some("complainant_contact_open".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.outcome == "ok"
        && e.detail["purpose"] == "回访投诉人"
        && e.target.as_deref() == Some(id.as_str())));
    assert!(log.iter().any(|e| e.outcome == "denied"));

    // 分办 → 查实 with the arrear found → the reply.
    ok_step(
        &t,
        &office,
        &id,
        json!({"action": "assign", "text": "请常州市测试局核查"}),
    )
    .await;
    let (s, v) = step(
        &t,
        &office,
        &id,
        json!({"action": "result", "choice": "unfounded", "text": "不属实",
               "arrear": {"debtor_uscc": "", "creditor_uscc": SUPPLIER, "creditor_name": "常州测试建设有限公司",
                          "contract_no": "CZ-2024-001", "amount": "120000.00", "due": "2025-01-15"}}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("arrear_not_allowed")),
        "{v}"
    );
    let v = ok_step(
        &t,
        &office,
        &id,
        json!({"action": "result", "choice": "verified", "text": "经核查，拖欠属实",
               "arrear": {"debtor_uscc": "", "creditor_uscc": SUPPLIER, "creditor_name": "常州测试建设有限公司",
                          "creditor_sme": true, "contract_no": "CZ-2024-001", "amount": "120000.00",
                          "due": "2025-01-15"}}),
    )
    .await;
    assert_eq!(v["state"], "concluded", "{v}");
    let (_, arrears) = t
        .call(
            "GET",
            &format!("/api/v1/arrears?body={OWNER}"),
            &office,
            None,
        )
        .await;
    let a = arrears
        .as_array()
        .and_then(|l| l.iter().find(|a| a["contract_no"] == "CZ-2024-001"))
        .unwrap_or_else(|| panic!("the arrear is in the ledger: {arrears}"))
        .clone();
    assert_eq!(a["state"], "reported", "to be confirmed by the body: {a}");
    assert_eq!(a["debtor_uscc"], OWNER);
    assert_eq!(a["amount"], "120000.00", "{a}");
    let owner_subject = t.store.subject_by_uscc(OWNER).await.unwrap().unwrap();
    let records = t.store.records_of_subject(owner_subject.id).await.unwrap();
    assert!(
        records.iter().any(|r| r.type_code == "complaint_verified"),
        "查实 also records the 失信 record"
    );
    ok_step(
        &t,
        &owner,
        &id,
        json!({"action": "reply", "text": "已安排付款计划，答复如下"}),
    )
    .await;

    // The public view: the reply's text, no staff account anywhere.
    let (_, v) = public(&t, "GET", &track, Some(&code), None).await;
    assert_eq!(v["can_rate"], true, "{v}");
    assert!(v.to_string().contains("已安排付款计划"), "{v}");
    assert!(v.to_string().contains("查实"), "{v}");
    assert!(
        !v.to_string().contains("请常州市测试局核查"),
        "internal notes stay inside: {v}"
    );
    for e in t
        .call("GET", &format!("/api/v1/work-items/{id}"), &office, None)
        .await
        .1["events"]
        .as_array()
        .unwrap()
    {
        let actor = e["actor"].as_str().unwrap();
        if !actor.is_empty() && actor != "system" && !actor.starts_with("anonymous") {
            assert!(!v.to_string().contains(actor), "{actor} in {v}");
        }
    }

    // 不满意 → taken up again, once.
    let rating = format!("/api/v1/portal/complaints/{no}/rating");
    let (s, _) = public(
        &t,
        "POST",
        &rating,
        Some("WRONGCODE123"),
        Some(json!({"choice": "satisfied"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = public(
        &t,
        "POST",
        &rating,
        Some(&code),
        Some(json!({"choice": "dissatisfied", "text": "还没付"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state_name"], "办理中", "reopened: {v}");
    let (_, item) = t
        .call("GET", &format!("/api/v1/work-items/{id}"), &office, None)
        .await;
    assert_eq!(item["reopens"], 1);
    assert!(item["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["party_name"] == "投诉人"));
    let (s, v) = step(
        &t,
        &office,
        &id,
        json!({"action": "result", "choice": "verified", "text": "再次查实",
               "arrear": {"creditor_uscc": SUPPLIER, "contract_no": "CZ-2024-002", "amount": "1.00", "due": "2025-01-15"}}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("arrear_exists")),
        "{v}"
    );
    ok_step(
        &t,
        &office,
        &id,
        json!({"action": "result", "choice": "verified", "text": "再次查实"}),
    )
    .await;
    ok_step(
        &t,
        &owner,
        &id,
        json!({"action": "reply", "text": "已付款 6 万元"}),
    )
    .await;
    let (s, v) = public(
        &t,
        "POST",
        &rating,
        Some(&code),
        Some(json!({"choice": "dissatisfied"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state_name"], "投诉人不满意", "not reopened twice: {v}");
    ok_step(
        &t,
        &office,
        &id,
        json!({"action": "close", "text": "已督促，办结"}),
    )
    .await;
    let (_, v) = public(&t, "GET", &track, Some(&code), None).await;
    assert_eq!(v["is_final"], true, "{v}");
    let (s, _) = post_evidence(&t, &format!("{ev}late.pdf"), &code, b"%PDF-1.4\n".to_vec()).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Hostile text: escaped in the console page, neutralised in the export.
    let (s, page) = t
        .call("GET", &format!("/console/work/{id}"), &office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped"
    );
    assert!(!page.contains("<script>alert(1)"));
    let (bytes, s) = get_bytes(
        &t,
        "/api/v1/work-items.xlsx?queue=region&kind=complaint",
        &office,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let table = chengxin_ingest::open_bytes(
        bytes,
        Some("x.xlsx"),
        &chengxin_ingest::ReadOptions::default(),
    )
    .unwrap();
    let rows: Vec<String> = table.map(|r| r.unwrap().cells.join("|")).collect();
    let joined = rows.join("\n");
    assert!(joined.contains("'=HYPERLINK"), "{joined}");

    // The older flow's complaint still tracks.
    let (s, old) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(json!({"about_uscc": OWNER, "reasons": "旧流程投诉", "applicant_name": "王五"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{old}");
    let (s, v) = t
        .call(
            "GET",
            &format!("/api/v1/track/{}", old["tracking_no"].as_str().unwrap()),
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The portal pages.
    let (s, page) = t.call("GET", "/portal/complaint", &Cred::None, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(page.contains("/api/v1/portal/complaints") && page.contains("打印回执"));
    let (s, page) = t
        .call("GET", &format!("/portal/track?no={no}"), &Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains(&format!("value=\"{no}\"")));

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

async fn post_evidence(t: &TestApp, uri: &str, code: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/octet-stream")
        .header("x-access-code", code)
        .body(Body::from(bytes))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
            PEER.parse().unwrap(),
            40_000,
        )));
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let b = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&b).unwrap_or(Value::String(String::from_utf8_lossy(&b).into()));
    (status, v)
}

async fn get_bytes(t: &TestApp, uri: &str, cred: &Cred) -> (Vec<u8>, StatusCode) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().method("GET").uri(uri);
    if let Cred::Session { cookie, csrf } = cred {
        req = req
            .header("cookie", format!("cx_session={cookie}"))
            .header("x-csrf-token", csrf);
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let b = resp.into_body().collect().await.unwrap().to_bytes();
    (b.to_vec(), status)
}

both_backends!(portal_complaint_story, story);
