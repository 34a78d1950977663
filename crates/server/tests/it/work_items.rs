//! Work items (督办事项, issue 19), the story on both backends: a 政协提案 handled to the
//! proposer's satisfaction (with a co-handling unit's opinion); an audit finding's
//! rectification closed (销号) by the audit bureau after one reminder and one overdue
//! escalation from the daily sweep; a list entry with the measure 书面说明原因并限期整改 taking
//! effect for a government body opens its rectification; bad input refused with codes and
//! nothing written; a sibling region sees none of them (404 exactly as an unknown id); the
//! queues, the console pages and the XLSX export; `verify` passes.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::NewSubject;
use chengxin_testkit::*;
use chrono::NaiveDate;
use serde_json::json;

/// 常州 bodies (fictional, valid codes): the owner (a city bureau), a co-handling bureau, the
/// audit bureau, the credit office's body, a body on a list; 溧阳 (a sibling county) bodies.
const OWNER: &str = "11320400MC0001015U";
const CO_UNIT: &str = "11320400MC0001023N";
const AUDIT: &str = "11320400MC0001031H";
const OFFICE_BODY: &str = "11320400MB0000003B";
const LISTED: &str = "11320400MC000104X9";
const LIYANG: &str = "11320481MC0001058K";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn proposal() -> serde_json::Value {
    json!({
        "kind": "cppcc_proposal",
        "title": "关于加快推进政务诚信建设的提案",
        "ref_no": "政协提案第0123号",
        "proposer": "王委员",
        "owner_uscc": OWNER,
        "owner_name": "常州市某局",
        "co_units": [CO_UNIT],
        "content": "建议建立政府失信责任追究机制。",
    })
}

fn finding() -> serde_json::Value {
    json!({
        "kind": "audit_finding",
        "title": "=HYPERLINK(\"http://x\")专项资金未按期拨付",
        "ref_no": "常审报〔2025〕12号",
        "owner_uscc": OWNER,
        "owner_name": "常州市某局",
        "issuer_uscc": AUDIT,
        "issuer_name": "常州市审计局",
        "content": "2024年度专项资金 1200 万元滞留未拨付。",
        "required": "限期拨付到位并建立资金拨付台账。",
        "deadline": "2025-06-30",
    })
}

async fn step(
    t: &TestApp,
    cred: &Cred,
    id: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    t.call(
        "POST",
        &format!("/api/v1/work-items/{id}/steps"),
        cred,
        Some(body),
    )
    .await
}

fn evidence() -> serde_json::Value {
    json!([{"name": "拨付凭证.pdf", "size": 1024, "sha256": "a".repeat(64)}])
}

async fn story(t: TestApp) {
    let store = t.store.as_ref();
    let office = t
        .session_for(Role::CreditOffice, "320400", Some(OFFICE_BODY))
        .await;
    let owner = t
        .session_for(Role::SubmittingDepartment, "320400", Some(OWNER))
        .await;
    let co = t
        .session_for(Role::ImplementingDepartment, "320400", Some(CO_UNIT))
        .await;
    let audit = t
        .session_for(Role::SubmittingDepartment, "320400", Some(AUDIT))
        .await;
    let sibling_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let sibling_body = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG))
        .await;

    // The co-handling bureau is a registered body (its name comes from there).
    store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::GovBody),
                name: "常州市某协办局".into(),
                uscc: Some(CO_UNIT.into()),
                id_hash: None,
                id_masked: None,
                region: Some("320400".into()),
                parent_id: None,
                former_names: Vec::new(),
            },
        )
        .await
        .unwrap();

    // ---- bad input: each refused with its code, nothing written ----
    let mut bad = Vec::new();
    let mut b = proposal();
    b["kind"] = json!("wish");
    bad.push((b, "work_type_unknown"));
    let mut b = finding();
    b["deadline"] = json!(null);
    bad.push((b, "deadline_required"));
    let mut b = finding();
    b["deadline"] = json!("2025-05-01");
    bad.push((b, "deadline_before_open"));
    let mut b = proposal();
    b["owner_uscc"] = json!("11320400MB0000043X");
    bad.push((b, "uscc_invalid"));
    let mut b = proposal();
    b["owner_name"] = json!(null);
    bad.push((b, "body_unknown"));
    let mut b = proposal();
    b["opened_on"] = json!("2025-07-01");
    bad.push((b, "date_in_future"));
    let mut b = proposal();
    b["proposer"] = json!(" ");
    bad.push((b, "field_required"));
    let mut b = proposal();
    b["content"] = json!("公".repeat(4001));
    bad.push((b, "field_too_long"));
    for (req, code) in bad {
        let (s, v) = t
            .call("POST", "/api/v1/work-items", &office, Some(req))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{code}: {v}");
        assert_eq!(v["code"], code, "{v}");
        assert!(!v["message"].as_str().unwrap().is_ascii(), "{v}");
    }
    // A body may not open items about others unless it issues them; the sibling office may
    // not open one in 常州.
    let (s, _) = t
        .call("POST", "/api/v1/work-items", &owner, Some(proposal()))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/work-items",
            &sibling_office,
            Some(proposal()),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, q) = t
        .call("GET", "/api/v1/work-items?queue=region", &office, None)
        .await;
    assert_eq!(
        q["items"].as_array().unwrap().len(),
        0,
        "nothing written: {q}"
    );

    // ---- a 政协提案 handled to the proposer's satisfaction ----
    let (s, p) = t
        .call("POST", "/api/v1/work-items", &office, Some(proposal()))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let pid = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["deadline"], "2025-09-02", "three months: {p}");
    assert_eq!(p["state"], "handling");
    assert!(p["no"].as_str().unwrap().starts_with("ZX-20250602-"), "{p}");
    // The owner sees its steps, the co-unit its own; the office none while it is handled.
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{pid}"), &owner, None)
        .await;
    let codes: Vec<&str> = v["next_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["progress", "reply"], "{v}");
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{pid}"), &co, None)
        .await;
    assert_eq!(v["next_actions"][0]["code"], "co_opinion", "{v}");
    let (s, v) = step(
        &t,
        &co,
        &pid,
        json!({"action": "reply", "text": "x", "expected_version": 1}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step")),
        "{v}"
    );
    let (s, v) = step(&t, &co, &pid, json!({"action": "co_opinion", "text": "同意主办单位意见，协助建立追责机制。", "expected_version": 1})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = step(
        &t,
        &owner,
        &pid,
        json!({"action": "rate", "choice": "satisfied", "expected_version": 2}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "only the issuer (or office) records the rating: {v}"
    );
    let (s, v) = step(&t, &owner, &pid, json!({"action": "reply", "text": "已出台《政府失信责任追究办法》，答复如下……", "expected_version": 1})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict")),
        "{v}"
    );
    let (s, v) = step(&t, &owner, &pid, json!({"action": "reply", "text": "已出台《政府失信责任追究办法》，答复如下……", "expected_version": 2})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "replied");
    let (s, v) = step(
        &t,
        &office,
        &pid,
        json!({"action": "rate", "expected_version": 3}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("work_choice_required")),
        "{v}"
    );
    let (s, v) = step(&t, &office, &pid, json!({"action": "rate", "choice": "satisfied", "text": "委员表示满意", "expected_version": 3})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["is_final"].as_bool(), v["outcome"].as_str()),
        (Some(true), Some("satisfied")),
        "{v}"
    );
    assert_eq!(v["outcome_name"], "满意");
    assert_eq!(v["events"].as_array().unwrap().len(), 4, "{v}");
    let (s, _) = step(
        &t,
        &owner,
        &pid,
        json!({"action": "progress", "text": "x", "expected_version": 4}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "a closed item takes no step");

    // ---- an audit finding, opened by the audit bureau itself ----
    let (s, f) = t
        .call("POST", "/api/v1/work-items", &audit, Some(finding()))
        .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let fid = f["id"].as_str().unwrap().to_string();
    assert_eq!(
        (f["due_on"].as_str(), f["state"].as_str()),
        (Some("2025-06-30"), Some("rectifying"))
    );
    let (s, v) = step(&t, &owner, &fid, json!({"action": "progress", "text": "已拨付 600 万元。", "attachments": evidence(), "expected_version": 1})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let big = json!([{"name": "录像.mp4", "size": 60 * 1024 * 1024, "sha256": "b".repeat(64)}]);
    let (s, v) = step(
        &t,
        &owner,
        &fid,
        json!({"action": "progress", "text": "x", "attachments": big, "expected_version": 2}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("attachment_too_large"))
    );

    // The sweep: a reminder five working days before, one overdue escalation the day after.
    let r = chengxin_app::work::sweep::sweep(store, d("2025-06-23"))
        .await
        .unwrap();
    assert_eq!((r.reminders, r.escalations, r.failed), (1, 0, 0), "{r:?}");
    let again = chengxin_app::work::sweep::sweep(store, d("2025-06-23"))
        .await
        .unwrap();
    assert_eq!(
        (again.reminders, again.escalations, again.notifications),
        (0, 0, 0),
        "idempotent: {again:?}"
    );
    let r = chengxin_app::work::sweep::sweep(store, d("2025-07-01"))
        .await
        .unwrap();
    assert_eq!((r.reminders, r.escalations), (0, 1), "{r:?}");
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &owner, None).await;
    let titles: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|x| x.starts_with("到期提醒")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|x| x.starts_with("逾期督办")),
        "{titles:?}"
    );
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &audit, None).await;
    assert!(
        inbox.to_string().contains("逾期督办"),
        "the audit bureau hears of it: {inbox}"
    );

    // Rectified late: 申请销号 needs evidence; the audit bureau accepts (销号).
    let late = t.on_day(d("2025-07-02"));
    let (_, v) = late
        .call("GET", &format!("/api/v1/work-items/{fid}"), &owner, None)
        .await;
    assert_eq!(
        (v["overdue"].as_bool(), v["reminded"].as_str()),
        (Some(true), Some("逾期督办")),
        "{v}"
    );
    let (s, v) = step(
        &late,
        &owner,
        &fid,
        json!({"action": "submit", "text": "已全部拨付。", "expected_version": 2}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("evidence_required"))
    );
    let (s, v) = step(&late, &owner, &fid, json!({"action": "submit", "text": "已全部拨付并建立台账。", "attachments": evidence(), "expected_version": 2})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "submitted");
    let (s, v) = step(
        &late,
        &office,
        &fid,
        json!({"action": "accept", "expected_version": 3}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "the office may act for the issuer: {v}");
    assert_eq!(
        (v["state"].as_str(), v["outcome_name"].as_str()),
        (Some("closed"), Some("已整改销号")),
        "{v}"
    );
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    let r = chengxin_app::work::sweep::sweep(store, d("2025-08-01"))
        .await
        .unwrap();
    assert_eq!(
        (r.reminders, r.escalations),
        (0, 0),
        "nothing more after 销号: {r:?}"
    );

    // ---- a list entry with the measure 书面说明原因并限期整改 opens a rectification ----
    let subject = store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::GovBody),
                name: "常州市某失信机关".into(),
                uscc: Some(LISTED.into()),
                id_hash: None,
                id_masked: None,
                region: Some("320400".into()),
                parent_id: None,
                former_names: Vec::new(),
            },
        )
        .await
        .unwrap();
    let lists_office = t.session_for(Role::CreditOffice, "320400", None).await;
    let (s, e) = t
        .call("POST", "/api/v1/lists/serious_dishonest/entries", &lists_office,
            Some(json!({"subject_id": subject.id, "standard": "拒不履行生效判决", "basis": "《江苏省社会信用条例》", "recognised_by": "常州市发展和改革委员会", "recognised_by_uscc": "11320400MB00000002"})))
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let act = format!("/api/v1/list-entries/{}/actions", e["id"].as_str().unwrap());
    let (s, v) = t
        .call(
            "POST",
            &act,
            &lists_office,
            Some(json!({"action": "start_publicity", "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let later = t.on_day(d("2025-06-12"));
    let (s, v) = later
        .call(
            "POST",
            &act,
            &lists_office,
            Some(json!({"action": "take_effect", "expected_version": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let source = chengxin_app::work::from_lists::source_of(
        uuid::Uuid::parse_str(e["id"].as_str().unwrap()).unwrap(),
        "list_rectification",
    );
    let item = store
        .work_item_by_source(&source)
        .await
        .unwrap()
        .expect("opened");
    assert_eq!(
        (
            item.kind.as_str(),
            item.owner_uscc.as_str(),
            item.region.as_str()
        ),
        ("list_rectification", LISTED, "320400")
    );
    assert_eq!(item.opened_on, d("2025-06-12"));
    let rid = item.id.to_string();
    let (_, v) = t
        .call("GET", &format!("/api/v1/work-items/{rid}"), &office, None)
        .await;
    assert!(
        v["content"]
            .as_str()
            .unwrap()
            .contains("书面说明原因并限期整改"),
        "{v}"
    );

    // ---- queues, filters, export ----
    let (_, q) = t
        .call("GET", "/api/v1/work-items?queue=region", &office, None)
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 3, "{q}");
    let (_, q) = t
        .call(
            "GET",
            "/api/v1/work-items?queue=region&kind=audit_finding",
            &office,
            None,
        )
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 1, "{q}");
    let (_, q) = t
        .call(
            "GET",
            "/api/v1/work-items?queue=region&open=true",
            &office,
            None,
        )
        .await;
    assert_eq!(q["items"][0]["id"], rid.as_str(), "{q}");
    let (_, q) = t
        .call(
            "GET",
            "/api/v1/work-items?queue=region&limit=2",
            &office,
            None,
        )
        .await;
    let next = q["next"].as_str().unwrap().to_string();
    let (_, q2) = t
        .call(
            "GET",
            &format!("/api/v1/work-items?queue=region&limit=2&before={next}"),
            &office,
            None,
        )
        .await;
    assert_eq!(
        q2["items"].as_array().unwrap().len(),
        1,
        "keyset paging: {q2}"
    );
    let (_, q) = t
        .call("GET", "/api/v1/work-items?queue=unit", &owner, None)
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 2, "{q}");
    let (_, q) = t
        .call("GET", "/api/v1/work-items?queue=mine", &owner, None)
        .await;
    assert_eq!(
        q["items"].as_array().unwrap().len(),
        2,
        "the owner's officer handled both: {q}"
    );
    let (_, q) = t
        .call("GET", "/api/v1/work-items?queue=unit", &co, None)
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 1, "{q}");
    let (s, _) = t
        .call("GET", "/api/v1/work-items?queue=region", &owner, None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = t
        .call("GET", "/api/v1/work-items?queue=all", &office, None)
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("queue_unknown"))
    );
    let (s, x) = t
        .call("GET", "/api/v1/work-items.xlsx?queue=region", &office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        x.as_str().is_some_and(|b| b.starts_with("PK")),
        "an XLSX (zip)"
    );

    // ---- a sibling region sees none of them: 404 exactly as an unknown id ----
    let unknown = uuid::Uuid::now_v7().to_string();
    for cred in [&sibling_office, &sibling_body] {
        for id in [&pid, &fid, &rid, &unknown] {
            let (s, v) = t
                .call("GET", &format!("/api/v1/work-items/{id}"), cred, None)
                .await;
            assert_eq!(
                (s, v["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{v}"
            );
            let (s, _) = step(
                &t,
                cred,
                id,
                json!({"action": "note", "text": "看看", "expected_version": 1}),
            )
            .await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
    }
    let (_, q) = t
        .call(
            "GET",
            "/api/v1/work-items?queue=region",
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 0, "{q}");
    let (_, q) = t
        .call("GET", "/api/v1/work-items?queue=unit", &sibling_body, None)
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 0, "{q}");
    let (_, inbox) = t
        .call("GET", "/api/v1/notifications", &sibling_office, None)
        .await;
    assert_eq!(inbox["items"].as_array().unwrap().len(), 0, "{inbox}");

    // ---- the console ----
    let page = |uri: String, cred: Cred| {
        let t = &t;
        async move { t.call("GET", &uri, &cred, None).await }
    };
    let (s, html) = page("/console/work".into(), office.clone()).await;
    assert_eq!(s, StatusCode::OK);
    let html = html.as_str().unwrap().to_string();
    for want in [
        "督办事项",
        "政协委员提案",
        "审计发现问题整改",
        "书面说明原因并限期整改",
        "导出 XLSX",
    ] {
        assert!(html.contains(want), "{want}");
    }
    assert!(!html.contains("<script>alert"), "escaped");
    let (s, html) = page(format!("/console/work/{fid}"), owner.clone()).await;
    assert_eq!(s, StatusCode::OK);
    let html = html.as_str().unwrap().to_string();
    for want in [
        "验收销号",
        "申请销号",
        "拨付凭证.pdf",
        "常审报〔2025〕12号",
        "已整改销号",
    ] {
        assert!(html.contains(want), "{want}: {html}");
    }
    let (s, _) = page(format!("/console/work/{fid}"), sibling_office.clone()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    assert_log_verifies(store).await;
    t.cleanup().await;
}

both_backends!(work_item_story, story);
