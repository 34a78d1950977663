//! The route-table walk of `access.rs`, over items (issue 15 point 7), on both backends: every
//! route that takes an item — by id in its path, or a subject in its body — is called for an
//! item of 武进区 (320412) by every role of 溧阳市 (320481), a sibling county, and by a 溧阳
//! token holding every permission a token may carry: each gets 403 or 404, never the item,
//! and nothing changes. Then the item's own credit office (or administrator, or the platform
//! that ran the check) is let through, which proves the walk reached real items. A new route
//! that takes an item fails the walk until it is added here (or exempted, with the reason).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::{Permission, Role};
use chengxin_server::table::table;
use chengxin_store::RowOutcome;
#[allow(unused_imports)]
use chengxin_testkit::TestApp;
use chengxin_testkit::*;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

/// A 武进 department (submits the records) and a 溧阳 one, fictional codes.
const WUJIN_DEPT: &str = "11320412MB00000276";
const LIYANG_DEPT: &str = "11320481MB00000274";
/// The 武进 company of `import_row`; a 溧阳 company.
const COMPANY: &str = "91320412MA1MXK2L83";
const LIYANG_COMPANY: &str = "91320481MA0000015J";
const PERSON_ID: &str = "320412199001011232";

/// Routes with a path parameter that is not a regional item, and routes that take an item but
/// are not regional by design.
const EXEMPT: &[(&str, &str, &str)] = &[
    (
        "GET",
        "/api/v1/exchange/national/{date}",
        "a day, not an item: the export holds only the caller's region's rows (tests/it/exchange.rs: 苏州's office gets the day with no row of 常州)",
    ),
    (
        "POST",
        "/api/v1/evaluation/runs/{id}/publish",
        "a run spans every region: only a caller covering them all may publish it (evaluation_scope_partial, tests/it/evaluation.rs); its results read per region",
    ),
    (
        "GET",
        "/api/v1/catalog/{code}",
        "a type of the shipped catalog, the same everywhere",
    ),
    (
        "GET",
        "/portal/lists/{code}",
        "a list's public page: published entries for everyone",
    ),
    (
        "GET",
        "/api/v1/track/{tracking_no}",
        "the applicant's: progress only without its access code, the rest with it (rights.rs)",
    ),
    (
        "GET",
        "/api/v1/portal/complaints/{no}",
        "the complainant's: progress only without its access code, the rest with it (portal_complaints.rs)",
    ),
    (
        "POST",
        "/api/v1/portal/complaints/{no}/rating",
        "the complainant's, by its access code (portal_complaints.rs)",
    ),
    (
        "POST",
        "/api/v1/portal/complaints/{no}/evidence",
        "the complainant's, by its access code (portal_complaints.rs)",
    ),
    (
        "POST",
        "/api/v1/track/{tracking_no}/evidence",
        "the applicant's, by its access code (rights.rs)",
    ),
    (
        "POST",
        "/api/v1/track/{tracking_no}/withdraw",
        "the applicant's, by its access code (rights.rs)",
    ),
    (
        "GET",
        "/api/v1/portal/subjects/{id}",
        "the public archive: public data for everyone (portal.rs)",
    ),
    (
        "GET",
        "/portal/subjects/{id}",
        "the public archive page: public data for everyone (portal.rs)",
    ),
    (
        "GET",
        "/portal/subjects/{id}/report.pdf",
        "an organisation's credit report of public data for everyone, persons not found (portal_subject.rs)",
    ),
    (
        "POST",
        "/api/v1/portal/pages/{id}/actions",
        "portal content is the site's, not a region's: PortalManage alone (portal_content.rs)",
    ),
    (
        "GET",
        "/portal/notices/{id}",
        "a published portal page: public for everyone, drafts not found (portal_content.rs)",
    ),
    (
        "GET",
        "/api/v1/batches/templates/{type_code}",
        "a type of the shipped catalog; the department's 报送范围 decides (clerk.rs)",
    ),
    (
        "POST",
        "/api/v1/batches/precheck/{id}/confirm",
        "a pre-check is bound to the account that uploaded it: anyone else gets 404 (clerk.rs)",
    ),
    (
        "GET",
        "/console/precheck/{id}",
        "a pre-check is bound to the account that uploaded it: anyone else gets 404 (clerk.rs)",
    ),
];

/// One call of a route on an item.
struct Call {
    method: &'static str,
    template: &'static str,
    uri: String,
    body: Option<serde_json::Value>,
    owner: Cred,
}

async fn send(t: &TestApp, c: &Call, cred: &Cred) -> (StatusCode, String) {
    let mut req = Request::builder().method(c.method).uri(&c.uri);
    match cred {
        Cred::None => {}
        Cred::Session { cookie, csrf } => {
            req = req
                .header("cookie", format!("cx_session={cookie}"))
                .header("x-csrf-token", csrf);
        }
        Cred::Token(tok) => req = req.header("authorization", format!("Bearer {tok}")),
    }
    let req = match &c.body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        // A file upload (a commitment's evidence): a PDF.
        None if c.method == "POST" && c.template.ends_with("/files") => req
            .header("content-type", "application/octet-stream")
            .body(Body::from("%PDF-1.4 walk"))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The same call with every id in its path replaced by one that does not exist, of the same
/// shape (a fresh UUID; otherwise every digit turned into 9 and every letter into Z). Not for
/// routes whose path parameter names a kind (a list), not the item (the subject is in the
/// body): a subject's code is public, so refusing it for its region gives nothing away.
fn unknown_twin(c: &Call) -> Option<Call> {
    const KIND_IN_PATH: &[&str] = &["/api/v1/lists/{code}/entries"];
    if !c.template.contains('{') || KIND_IN_PATH.contains(&c.template) {
        return None;
    }
    let (path, query) = match c.uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (c.uri.as_str(), None),
    };
    let segments: Vec<String> = c
        .template
        .split('/')
        .zip(path.split('/'))
        .map(|(tpl, seg)| {
            if !tpl.starts_with('{') {
                seg.to_string()
            } else if uuid::Uuid::parse_str(seg).is_ok() {
                uuid::Uuid::now_v7().to_string()
            } else {
                seg.chars()
                    .map(|ch| match ch {
                        '0'..='9' => '9',
                        'a'..='z' | 'A'..='Z' => 'Z',
                        other => other,
                    })
                    .collect()
            }
        })
        .collect();
    let mut uri = segments.join("/");
    if let Some(q) = query {
        uri = format!("{uri}?{q}");
    }
    Some(Call {
        method: c.method,
        template: c.template,
        uri,
        body: c.body.clone(),
        owner: c.owner.clone(),
    })
}

/// The answer's code (JSON error bodies), for comparing a refusal with a not-found.
fn answer_code(text: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
}

async fn walk(t: TestApp) {
    // ---- 武进's items ----
    let wujin = t.session_for(Role::CreditOffice, "320412", None).await;
    let wujin_admin = t.session_for(Role::Administrator, "320412", None).await;
    let mut hidden = import_row(2, "武进罚1", "2025-03-03");
    hidden.status = chengxin_domain::records::RecordStatus::Expired;
    let mut person = import_row(4, "武进罚3", "2025-03-03");
    let hasher = chengxin_domain::subjects::IdHasher::new([3; 32]);
    let id_hash = hasher.hash(PERSON_ID);
    person.subject_uscc = None;
    person.subject_name = "王五".into();
    person.subject_kind = chengxin_domain::subjects::SubjectKind::Individual;
    person.subject_id_hash = Some(id_hash.clone());
    person.subject_id_masked = Some(chengxin_domain::codes::id_number::mask(PERSON_ID));
    person.subject_id_sealed = Some(t.state.pii.seal_bound(PERSON_ID, &id_hash).unwrap());
    // A record of a body the file did not identify: queued for linking by hand.
    let mut unlinked = import_row(5, "武进罚4", "2025-03-03");
    unlinked.subject_uscc = None;
    unlinked.subject_name = "武进某建材经营部".into();
    let out = t
        .import(
            WUJIN_DEPT,
            vec![
                hidden,
                import_row(3, "武进罚2", "2025-03-03"),
                person,
                unlinked,
            ],
        )
        .await;
    let (RowOutcome::Created(hidden), RowOutcome::Created(public), RowOutcome::Queued(queued)) =
        (out[0], out[1], out[3])
    else {
        panic!("{out:?}")
    };
    let batch = t
        .store
        .record(hidden)
        .await
        .unwrap()
        .unwrap()
        .batch_id
        .unwrap();
    let company = t.store.subject_by_uscc(COMPANY).await.unwrap().unwrap();
    let person = t.store.subject_by_id_hash(&id_hash).await.unwrap().unwrap();
    // The company on the court's list: its entry and closed-loop cases.
    let row = chengxin_app::lists::SourceRow {
        row: 2,
        name: company.name.clone(),
        uscc: Some(COMPANY.into()),
        id_number: None,
        case_no: "（2025）苏0412执9号".into(),
    };
    chengxin_app::lists::refresh_imported(
        t.store.as_ref(),
        &hasher,
        "test",
        chengxin_app::lists::COURT_LIST,
        vec![row],
        t.state.today(),
    )
    .await
    .unwrap();
    let entry = t.store.list_entries(&Default::default()).await.unwrap()[0].id;
    let case = t.store.cases(&Default::default()).await.unwrap()[0]
        .id
        .clone();
    // An entry 武进's department proposed, for the console's forms (issue 17).
    let proposed = {
        let joint = chengxin_domain::lists::JointCatalog::default_checked().unwrap();
        let e = chengxin_domain::lists::ListEntry::propose(
            joint.list("serious_dishonest").unwrap(),
            chengxin_domain::lists::Proposal {
                subject_key: company.id.to_string(),
                subject_name: company.name.clone(),
                standard: "拒不履行法定义务".into(),
                basis: "依据".into(),
                recognised_by: WUJIN_DEPT.into(),
                recognised_by_uscc: Some(WUJIN_DEPT.into()),
                evidence: vec![],
            },
            t.state.today(),
        )
        .unwrap();
        let row = chengxin_app::lists::entry_row(
            uuid::Uuid::now_v7(),
            company.id,
            &e,
            1,
            chengxin_store::changelog::now(),
        )
        .unwrap();
        t.store.create_list_entry("test", &row).await.unwrap();
        row.id
    };
    // An objection (with evidence) and a complaint about the company.
    let (s, objection) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(
                json!({"target_kind": "record", "target_id": public, "reasons": "处罚决定已撤销",
                "applicant_name": "常州甲公司"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{objection}");
    let req = Request::builder()
        .method("POST")
        .uri(format!(
            "/api/v1/track/{}/evidence?name=proof.pdf",
            objection["tracking_no"].as_str().unwrap()
        ))
        .header("x-access-code", objection["access_code"].as_str().unwrap())
        .header("content-type", "application/octet-stream")
        .body(Body::from(b"%PDF-1.7\nproof".to_vec()))
        .unwrap();
    assert_eq!(
        t.app.clone().oneshot(req).await.unwrap().status(),
        StatusCode::OK
    );
    let objection = objection["id"].as_str().unwrap().to_string();
    let app_row = t
        .store
        .application(objection.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let file_id = app_row.body["evidence"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let objection_version = app_row.version;
    let (s, complaint) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(
                json!({"about": "常州甲公司", "about_uscc": COMPANY, "reasons": "拖欠工程款两年",
                "applicant_name": "孙八"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{complaint}");
    let complaint = complaint["id"].as_str().unwrap().to_string();
    // A check run by 武进's bidding platform; a credit report 武进's office issued.
    let platform = t.token(&["checks_run"], "320412", None).await;
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            &platform,
            Some(json!({"scenario": "bidding", "parties": [{"uscc": COMPANY}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let check = v["check_id"].as_str().unwrap().to_string();
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/credit-reports",
            &wujin,
            Some(json!({"subject_id": company.id})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let report = v["report_no"].as_str().unwrap().to_string();
    // An account and a token of 武进.
    let (user, _, _) = t
        .account(Role::SubmittingDepartment, "320412", Some(WUJIN_DEPT))
        .await;
    let account = t.store.account_by_username(&user).await.unwrap().unwrap();
    let Cred::Token(plain) = t
        .token(&["records_submit"], "320412", Some(WUJIN_DEPT))
        .await
    else {
        panic!()
    };
    let token = t
        .store
        .token_by_hash(&chengxin_access::tokens::hash_token(&plain).unwrap())
        .await
        .unwrap()
        .unwrap();

    // A grant of 武进 waiting for a second person (issue 16 point 3).
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/accounts",
            &wujin_admin,
            Some(json!({"username": "wj.office", "display_name": "武进信用办", "roles": ["credit_office"], "region": "320412"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let grant = v["pending_grant"]["id"].as_str().unwrap().to_string();

    // A commitment of 武进's department with an evidence file, and an item in 武进's credit
    // office's inbox (issue 18).
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/commitments",
            &wujin,
            Some(json!({"kind": "contract", "title": "武进某合同", "promisor_uscc": WUJIN_DEPT,
                "promisor_name": "武进某局", "counterparty_name": "武进某公司", "content": "按期付款",
                "legal_basis": "合同", "promised_on": "2025-01-02",
                "milestones": [{"title": "付款", "due": "2025-02-01"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let commitment = v["id"].as_str().unwrap().to_string();
    let milestone = v["milestones"][0]["id"].as_str().unwrap().to_string();
    let commitment_file = {
        let req = Request::builder()
            .method("POST")
            .uri(format!("/api/v1/commitments/{commitment}/files?name=a.pdf"))
            .header("content-type", "application/octet-stream");
        let req = match &wujin {
            Cred::Session { cookie, csrf } => req
                .header("cookie", format!("cx_session={cookie}"))
                .header("x-csrf-token", csrf),
            _ => req,
        };
        let resp = t
            .app
            .clone()
            .oneshot(req.body(Body::from("%PDF-1.4 x")).unwrap())
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        v["files"][0]["id"].as_str().unwrap().to_string()
    };
    // A work item (督办事项, issue 19) of 武进's department, opened by 武进's credit office.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/work-items",
            &wujin,
            Some(
                json!({"kind": "audit_finding", "title": "武进某审计发现", "owner_uscc": WUJIN_DEPT,
                "owner_name": "武进某局", "content": "资金滞留", "deadline": "2025-09-30"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let work_item = v["id"].as_str().unwrap().to_string();
    // A complaint about 武进's department filed on the portal (issue 19, part three).
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/portal/complaints",
            &Cred::None,
            Some(
                json!({"about_uscc": WUJIN_DEPT, "content": "武进某局拖欠工程款",
                "complainant": "孙八", "contact": "13900000009"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let portal_no = v["no"].as_str().unwrap().to_string();
    let portal_code = v["access_code"].as_str().unwrap().to_string();
    let resp = t
        .app
        .clone()
        .oneshot(
            Request::builder()
                .method("POST")
                .uri(format!(
                    "/api/v1/portal/complaints/{portal_no}/evidence?name=e.pdf"
                ))
                .header("x-access-code", &portal_code)
                .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    [127, 0, 0, 7],
                    40_000,
                ))))
                .body(Body::from("%PDF-1.4 evidence"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let portal_item = t
        .store
        .work_item_by_no(&portal_no)
        .await
        .unwrap()
        .unwrap()
        .id;
    let portal_file = t.store.work_files(portal_item).await.unwrap()[0].id;
    // A procurement contract of 武进's department and an arrear it owes (issue 18).
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/procurement/contracts",
            &wujin,
            Some(json!({"title": "武进某采购合同", "contract_no": "WJ-CG-1", "purchaser_uscc": WUJIN_DEPT,
                "purchaser_name": "武进某局", "supplier_uscc": COMPANY, "supplier_name": "武进某公司",
                "supplier_sme": true, "amount": "100000", "signed_on": "2025-01-02",
                "milestones": [{"kind": "delivery", "title": "交付", "due": "2025-01-20"},
                               {"kind": "payment", "title": "付款", "amount": "100000"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let procurement = v["id"].as_str().unwrap().to_string();
    let procurement_milestone = v["milestones"][0]["id"].as_str().unwrap().to_string();
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/arrears",
            &wujin,
            Some(json!({"debtor_uscc": WUJIN_DEPT, "creditor_uscc": COMPANY, "creditor_name": "武进某公司",
                "contract_no": "WJ-CG-2", "amount": "5000", "due": "2025-03-01"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let arrear = v["id"].as_str().unwrap().to_string();
    let notification = chengxin_app::notify::rows(&[chengxin_app::notify::Notice {
        to: vec![chengxin_app::notify::To::Office("320412".into())],
        region: "320412".into(),
        topic: "test",
        title: "武进督办".into(),
        body: "武进".into(),
        link: None,
        once: None,
    }]);
    t.store
        .add_notifications("test", &notification)
        .await
        .unwrap();
    let notification = notification[0].id;

    // A PPP project of 武进's department with a breach, and a 失信被执行人 case of it (issue 18).
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/ppp-projects",
            &wujin,
            Some(json!({"name": "武进某 PPP 项目", "gov_uscc": WUJIN_DEPT, "gov_name": "武进某局",
                "implementing_uscc": WUJIN_DEPT, "implementing_name": "武进某局",
                "private_uscc": COMPANY, "private_name": "武进某公司", "identified_on": "2025-01-02"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ppp = v["id"].as_str().unwrap().to_string();
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/ppp-projects/{ppp}/breaches"),
            &wujin,
            Some(json!({"occurred_on": "2025-01-03", "finding": "未按约定付费", "doc_no": "武信认〔2025〕1号"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ppp_breach = v["breaches"][0]["id"].as_str().unwrap().to_string();
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/debtor-cases",
            &wujin,
            Some(json!({"case_no": "（2024）苏0412执9号", "court": "武进区人民法院",
                "body_uscc": WUJIN_DEPT, "body_name": "武进某局", "amount": "1000", "listed_on": "2025-01-02"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let debtor = v["id"].as_str().unwrap().to_string();

    // ---- every route that takes an item ----
    let office = || wujin.clone();
    let mut calls: Vec<Call> = Vec::new();
    let mut add = |method, template, uri: String, body, owner: Cred| {
        calls.push(Call {
            method,
            template,
            uri,
            body,
            owner,
        })
    };
    let purpose = "purpose=%E6%A0%B8%E6%9F%A5";
    add(
        "GET",
        "/api/v1/records/{id}",
        format!("/api/v1/records/{hidden}?{purpose}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/records/{id}/free-text",
        format!("/api/v1/records/{hidden}/free-text"),
        Some(json!({"purpose": "核实当事人身份"})),
        office(),
    );
    add(
        "POST",
        "/api/v1/applications/{id}/free-text",
        format!("/api/v1/applications/{complaint}/free-text"),
        Some(json!({"purpose": "核实投诉人身份"})),
        office(),
    );
    add(
        "POST",
        "/api/v1/records/{id}/transitions",
        format!("/api/v1/records/{hidden}/transitions"),
        Some(json!({"action": "revoke", "expected_version": 1, "note": "撤销"})),
        office(),
    );
    add(
        "POST",
        "/api/v1/records/{id}/tolerance",
        format!("/api/v1/records/{public}/tolerance"),
        Some(
            json!({"basis": "容错纠错办法", "approver": "王主任", "reasons": "首次轻微", "expected_version": 1}),
        ),
        office(),
    );
    add(
        "POST",
        "/api/v1/link-queue/{record_id}",
        format!("/api/v1/link-queue/{queued}"),
        Some(json!({"subject_id": company.id})),
        office(),
    );
    add(
        "GET",
        "/api/v1/batches/{id}",
        format!("/api/v1/batches/{batch}"),
        None,
        office(),
    );
    add(
        "GET",
        "/api/v1/batches/{id}/errors",
        format!("/api/v1/batches/{batch}/errors"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/subjects/{id}/identity",
        format!("/api/v1/subjects/{}/identity", person.id),
        Some(json!({"purpose": "联合惩戒对象身份核实"})),
        office(),
    );
    add(
        "POST",
        "/api/v1/accounts/{id}/actions",
        format!("/api/v1/accounts/{}/actions", account.id),
        Some(json!({"action": "unlock"})),
        wujin_admin.clone(),
    );
    add(
        "POST",
        "/api/v1/accounts/{id}/roles",
        format!("/api/v1/accounts/{}/roles", account.id),
        Some(json!({"roles": ["submitting_department"]})),
        wujin_admin.clone(),
    );
    add(
        "POST",
        "/api/v1/role-grants/{id}/decision",
        format!("/api/v1/role-grants/{grant}/decision"),
        Some(json!({"approve": true})),
        office(),
    );
    add(
        "POST",
        "/api/v1/tokens/{id}/revoke",
        format!("/api/v1/tokens/{}/revoke", token.id),
        Some(json!({})),
        wujin_admin.clone(),
    );
    add(
        "POST",
        "/api/v1/cases/{id}/advance",
        format!("/api/v1/cases/{}/advance", case.replace('/', "%2F")),
        Some(json!({"expected_version": 1})),
        office(),
    );
    add(
        "POST",
        "/api/v1/checks/{id}/outcome",
        format!("/api/v1/checks/{check}/outcome"),
        Some(json!({"outcome": "disqualified"})),
        platform.clone(),
    );
    add(
        "POST",
        "/api/v1/lists/{code}/entries",
        "/api/v1/lists/serious_dishonest/entries".into(),
        Some(
            json!({"subject_id": company.id, "standard": "标准", "basis": "依据", "recognised_by": WUJIN_DEPT}),
        ),
        office(),
    );
    add(
        "POST",
        "/api/v1/list-entries/{id}/mitigation",
        format!("/api/v1/list-entries/{entry}/mitigation"),
        Some(
            json!({"kind": "mitigate", "grounds": ["recovered_losses"], "basis": "依据", "approver": "王主任", "reasons": "已主动挽回损失"}),
        ),
        office(),
    );
    add(
        "GET",
        "/api/v1/list-entries/{id}",
        format!("/api/v1/list-entries/{entry}?{purpose}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/list-entries/{id}/actions",
        format!("/api/v1/list-entries/{entry}/actions"),
        Some(
            json!({"action": "remove", "reason": "revoked", "note": "常信撤〔2025〕1号", "expected_version": 1}),
        ),
        office(),
    );
    add(
        "GET",
        "/console/cases/{id}",
        format!("/console/cases/{}", case.replace('/', "%2F")),
        None,
        office(),
    );
    add(
        "GET",
        "/console/lists/{id}",
        format!("/console/lists/{proposed}"),
        None,
        office(),
    );
    add(
        "POST",
        "/console/lists/{id}/actions",
        format!("/console/lists/{proposed}/actions"),
        Some(json!({"action": "start_publicity", "expected_version": 1})),
        office(),
    );
    for (app, version) in [(&objection, objection_version), (&complaint, 1)] {
        add(
            "GET",
            "/api/v1/applications/{id}",
            format!("/api/v1/applications/{app}"),
            None,
            office(),
        );
        add(
            "POST",
            "/api/v1/applications/{id}/actions",
            format!("/api/v1/applications/{app}/actions"),
            Some(json!({"action": "accept", "expected_version": version})),
            office(),
        );
        add(
            "GET",
            "/console/applications/{id}",
            format!("/console/applications/{app}"),
            None,
            office(),
        );
    }
    add(
        "GET",
        "/api/v1/applications/{id}/evidence/{file_id}",
        format!("/api/v1/applications/{objection}/evidence/{file_id}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/credit-reports",
        "/api/v1/credit-reports".into(),
        Some(json!({"subject_id": company.id})),
        office(),
    );
    add(
        "GET",
        "/api/v1/credit-reports/{report_no}/pdf",
        format!("/api/v1/credit-reports/{report}/pdf"),
        None,
        office(),
    );
    add(
        "GET",
        "/console/reports/credit/{report_no}",
        format!("/console/reports/credit/{report}"),
        None,
        office(),
    );
    add(
        "GET",
        "/console/batches/{id}",
        format!("/console/batches/{batch}"),
        None,
        office(),
    );
    add(
        "GET",
        "/console/batches/{id}/records",
        format!("/console/batches/{batch}/records"),
        None,
        office(),
    );
    add(
        "GET",
        "/console/records/{id}",
        format!("/console/records/{hidden}?{purpose}"),
        None,
        office(),
    );
    // 责任回溯 and the 诚信档案 (issue 18).
    add(
        "GET",
        "/api/v1/bodies/{id}/responsible",
        format!("/api/v1/bodies/{}/responsible?day=2025-01-01", company.id),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/integrity-files/{id}",
        format!("/api/v1/integrity-files/{}", person.id),
        Some(json!({"purpose": "干部调任审查"})),
        office(),
    );
    add(
        "POST",
        "/api/v1/integrity-files/{id}/pdf",
        format!("/api/v1/integrity-files/{}/pdf", person.id),
        Some(json!({"purpose": "干部调任审查"})),
        office(),
    );

    add(
        "GET",
        "/api/v1/ppp-projects/{id}",
        format!("/api/v1/ppp-projects/{ppp}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/ppp-projects/{id}/stages",
        format!("/api/v1/ppp-projects/{ppp}/stages"),
        Some(json!({"stage": "preparation", "on": "2025-01-10", "expected_version": 1})),
        office(),
    );
    add(
        "POST",
        "/api/v1/ppp-projects/{id}/responsibles",
        format!("/api/v1/ppp-projects/{ppp}/responsibles"),
        Some(
            json!({"stage": "identification", "id_number": format!("32041219800101123{}",
                chengxin_domain::codes::id_number::check_char("32041219800101123").unwrap()), "name": "武进某人",
            "post": "局长", "from": "2025-01-05"}),
        ),
        office(),
    );
    add(
        "POST",
        "/api/v1/ppp-projects/{id}/breaches",
        format!("/api/v1/ppp-projects/{ppp}/breaches"),
        Some(
            json!({"occurred_on": "2025-01-04", "finding": "未按约定付费", "doc_no": "武信认〔2025〕2号"}),
        ),
        office(),
    );
    add(
        "GET",
        "/api/v1/ppp-projects/{id}/breaches/{breach_id}/responsible",
        format!("/api/v1/ppp-projects/{ppp}/breaches/{ppp_breach}/responsible"),
        None,
        office(),
    );
    add(
        "GET",
        "/console/ppp/{id}",
        format!("/console/ppp/{ppp}"),
        None,
        office(),
    );
    add(
        "GET",
        "/api/v1/debtor-cases/{id}",
        format!("/api/v1/debtor-cases/{debtor}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/debtor-cases/{id}/progress",
        format!("/api/v1/debtor-cases/{debtor}/progress"),
        Some(json!({"note": "已安排资金", "expected_version": 1})),
        office(),
    );
    add(
        "GET",
        "/console/debtors/{id}",
        format!("/console/debtors/{debtor}"),
        None,
        office(),
    );
    add(
        "GET",
        "/api/v1/commitments/{id}",
        format!("/api/v1/commitments/{commitment}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/commitments/{id}/steps",
        format!("/api/v1/commitments/{commitment}/steps"),
        Some(json!({"milestone_id": milestone, "action": "notice", "expected_version": 1})),
        office(),
    );
    add(
        "POST",
        "/api/v1/commitments/{id}/files",
        format!("/api/v1/commitments/{commitment}/files?name=b.pdf"),
        None,
        office(),
    );
    add(
        "GET",
        "/api/v1/commitments/{id}/files/{file_id}",
        format!("/api/v1/commitments/{commitment}/files/{commitment_file}"),
        None,
        office(),
    );
    add(
        "GET",
        "/console/commitments/{id}",
        format!("/console/commitments/{commitment}"),
        None,
        office(),
    );
    add(
        "GET",
        "/api/v1/work-items/{id}",
        format!("/api/v1/work-items/{work_item}"),
        None,
        office(),
    );
    add(
        "GET",
        "/api/v1/procurement/contracts/{id}",
        format!("/api/v1/procurement/contracts/{procurement}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/work-items/{id}/steps",
        format!("/api/v1/work-items/{work_item}/steps"),
        Some(json!({"action": "note", "text": "备注", "expected_version": 1})),
        office(),
    );
    add(
        "POST",
        "/api/v1/procurement/contracts/{id}/milestones",
        format!("/api/v1/procurement/contracts/{procurement}/milestones"),
        Some(
            json!({"milestone_id": procurement_milestone, "on": "2025-01-20", "expected_version": 1}),
        ),
        office(),
    );
    add(
        "GET",
        "/console/work/{id}",
        format!("/console/work/{work_item}"),
        None,
        office(),
    );
    add(
        "GET",
        "/api/v1/work-items/{id}/files/{file_id}",
        format!("/api/v1/work-items/{portal_item}/files/{portal_file}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/work-items/{id}/complainant",
        format!("/api/v1/work-items/{portal_item}/complainant"),
        Some(json!({"purpose": "回访投诉人"})),
        office(),
    );
    add(
        "GET",
        "/console/procurement/{id}",
        format!("/console/procurement/{procurement}"),
        None,
        office(),
    );
    add(
        "GET",
        "/api/v1/arrears/{id}",
        format!("/api/v1/arrears/{arrear}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/arrears/{id}/steps",
        format!("/api/v1/arrears/{arrear}/steps"),
        Some(
            json!({"action": "judgment", "doc_no": "（2025）苏0412民初1号", "on": "2025-05-01", "expected_version": 1}),
        ),
        office(),
    );
    add(
        "GET",
        "/console/arrears/{id}",
        format!("/console/arrears/{arrear}"),
        None,
        office(),
    );
    add(
        "POST",
        "/api/v1/notifications/{id}/read",
        format!("/api/v1/notifications/{notification}/read"),
        None,
        office(),
    );
    // 地方政府债务 (issue 20): a region's history, by its code.
    t.store
        .put_debt_positions(
            "test",
            &[chengxin_store::DebtPut {
                region: "320412".into(),
                year: 2024,
                general_fen: 1_000_000,
                special_fen: 1_000_000,
                hidden_fen: None,
                capacity_fen: 2_000_000,
                source: "test".into(),
            }],
            &[],
        )
        .await
        .unwrap();
    add(
        "GET",
        "/api/v1/debt/regions/{code}",
        "/api/v1/debt/regions/320412".to_string(),
        None,
        office(),
    );

    // 政务诚信评价 (issue 20): 武进's scores in a computed period.
    let period: chengxin_domain::evaluation::Period = "2025-05".parse().unwrap();
    let eval_run = chengxin_app::evaluation::run_period(
        t.store.as_ref(),
        "test",
        period,
        chrono::NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
        "walk".into(),
    )
    .await
    .unwrap();
    for (m, tpl, uri) in [
        (
            "GET",
            "/api/v1/evaluation/targets/{target}",
            "/api/v1/evaluation/targets/320412?period=2025-05",
        ),
        (
            "GET",
            "/console/evaluation/targets/{target}",
            "/console/evaluation/targets/320412?period=2025-05",
        ),
        (
            "GET",
            "/api/v1/evaluation/grades/{target}",
            "/api/v1/evaluation/grades/320412",
        ),
    ] {
        add(m, tpl, uri.to_string(), None, office());
    }
    add(
        "GET",
        "/api/v1/evaluation/runs/{id}/targets/{target}/report.pdf",
        format!(
            "/api/v1/evaluation/runs/{}/targets/320412/report.pdf",
            eval_run.id
        ),
        None,
        office(),
    );

    // Every route of the table that takes an item is walked (or exempted, with the reason).
    let routes = table();
    let mut missing = Vec::new();
    for (spec, _) in &routes {
        let method = spec.method.as_str();
        if !spec.path.contains('{')
            || EXEMPT
                .iter()
                .any(|(m, p, _)| *m == method && *p == spec.path)
        {
            continue;
        }
        if !calls
            .iter()
            .any(|c| c.method == method && c.template == spec.path)
        {
            missing.push(format!("{method} {}", spec.path));
        }
    }
    assert!(
        missing.is_empty(),
        "routes taking an item not walked: {missing:?}"
    );
    for c in &calls {
        assert!(
            routes
                .iter()
                .any(|(s, _)| s.method.as_str() == c.method && s.path == c.template),
            "{} {} is not in the route table",
            c.method,
            c.template
        );
    }

    // ---- 溧阳, every role, and a 溧阳 token with every permission a token may carry ----
    let mut siblings: Vec<(String, Cred)> = Vec::new();
    for role in Role::ALL.iter().copied().filter(|r| *r != Role::Public) {
        let body = match role {
            Role::Subject => Some(LIYANG_COMPANY),
            Role::SubmittingDepartment | Role::ImplementingDepartment => Some(LIYANG_DEPT),
            _ => None,
        };
        siblings.push((
            role.as_str().to_string(),
            t.session_for(role, "320481", body).await,
        ));
    }
    let grantable: Vec<&str> = Permission::ALL
        .iter()
        .filter(|p| p.token_grantable())
        .map(|p| p.as_str())
        .collect();
    siblings.push((
        "token".into(),
        t.token(&grantable, "320481", Some(LIYANG_DEPT)).await,
    ));
    // What would give an item away.
    let secrets = [
        "常州甲公司".to_string(),
        "武进罚1".to_string(),
        "王五".to_string(),
        PERSON_ID.to_string(),
        "孙八".to_string(),
        "拖欠工程款".to_string(),
        user.clone(),
    ];
    let mut walked = BTreeMap::new();
    for c in &calls {
        for (name, cred) in &siblings {
            let (s, text) = send(&t, c, cred).await;
            assert!(
                matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "溧阳 {name} reached 武进's item: {} {} → {s} {text}",
                c.method,
                c.uri
            );
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "溧阳 {name}: {} {} gave away {secret}: {text}",
                    c.method,
                    c.uri
                );
            }
            // An item out of reach answers as an unknown id does: the answer never tells
            // whether the id exists (issue 16 point 13).
            if let Some(twin) = unknown_twin(c) {
                let (ts, ttext) = send(&t, &twin, cred).await;
                assert_eq!(
                    (s, answer_code(&text)),
                    (ts, answer_code(&ttext)),
                    "溧阳 {name}: {} {} answers differently for 武进's item and for an unknown id \
                     ({} → {ts} {ttext}): {text}",
                    c.method,
                    c.uri,
                    twin.uri
                );
            }
            *walked.entry(c.template).or_insert(0) += 1;
        }
    }
    assert!(walked.len() >= 20, "{walked:?}");
    // Nothing changed.
    for id in [hidden, public, queued] {
        assert_eq!(t.store.record(id).await.unwrap().unwrap().version, 1);
    }
    assert_eq!(t.store.list_entry(entry).await.unwrap().unwrap().version, 1);
    assert_eq!(
        t.store.list_entry(proposed).await.unwrap().unwrap().version,
        1
    );
    assert_eq!(t.store.case(&case).await.unwrap().unwrap().version, 1);
    for (a, version) in [(&objection, objection_version), (&complaint, 1)] {
        let row = t
            .store
            .application(a.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.version, version, "{a}");
    }
    assert_eq!(
        t.store.account(account.id).await.unwrap().unwrap().version,
        account.version
    );
    assert_eq!(
        t.store
            .grant(grant.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .status,
        "pending"
    );
    assert!(t
        .store
        .token(token.id)
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_none());

    // ---- the item's own office (administrator, platform) is let through ----
    for c in &calls {
        let (s, text) = send(&t, c, &c.owner).await;
        assert!(
            s.is_success(),
            "武进's own caller refused: {} {} → {s} {text}",
            c.method,
            c.uri
        );
    }
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(a_sibling_region_never_gets_an_item, walk);
