//! Commitments and notifications (issue 18), the "done when" story on both backends: a 招商引资
//! agreement of a 常州 body with three milestones — one kept, one changed by law with
//! compensation, one breached through notice → explanation → decision, which becomes a 失信
//! record of the body that a check then reports. Reminders and the escalation land in the
//! inbox and at a local webhook receiver with a valid signature; the sweep is idempotent. Bad
//! input is refused with its code and nothing written; a sibling region never sees the item;
//! the console and the portal show what they should; `verify` passes.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use chengxin_access::Role;
use chengxin_testkit::*;
use chrono::NaiveDate;
use serde_json::json;

/// A 常州 city department (the promisor), its supervising government, the credit office's
/// body, a 溧阳 department and a company (fictional, valid codes).
const PROMISOR: &str = "11320400MB00000015";
const SUPERVISOR: &str = "11320400MB00000028";
const OFFICE_BODY: &str = "11320400MB0000003B";
const LIYANG_DEPT: &str = "11320481MB00000274";
const COMPANY: &str = "91320400MA0000001T";
const SECRET: &str = "s3cret-for-the-oa-gateway";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A local webhook receiver: records (signature header, body) and answers 200.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let sink = sink.clone();
            async move {
                let sig = headers
                    .get("x-chengxin-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                sink.lock().unwrap().push((sig, body));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), got)
}

fn agreement(milestones: serde_json::Value) -> serde_json::Value {
    json!({
        "kind": "investment_agreement",
        "title": "新能源材料项目投资协议",
        "promisor_uscc": PROMISOR,
        "promisor_name": "常州市某产业发展局",
        "counterparty_name": "常州示范新能源材料有限公司",
        "counterparty_uscc": COMPANY,
        "content": "交付项目用地，兑现设备投资奖补，交付人才公寓配套。",
        "legal_basis": "《新能源材料项目投资协议书》（常投协〔2025〕3号）",
        "amount": "30000000.00",
        "promised_on": "2025-01-10",
        "supervisor_uscc": SUPERVISOR,
        "milestones": milestones,
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
        &format!("/api/v1/commitments/{id}/steps"),
        cred,
        Some(body),
    )
    .await
}

fn milestone(v: &serde_json::Value, seq: usize) -> (String, i64) {
    let m = &v["milestones"][seq - 1];
    (
        m["id"].as_str().unwrap().to_string(),
        m["version"].as_i64().unwrap(),
    )
}

async fn story(t: TestApp) {
    let body = t
        .session_for(Role::SubmittingDepartment, "320400", Some(PROMISOR))
        .await;
    let office = t
        .session_for(Role::CreditOffice, "320400", Some(OFFICE_BODY))
        .await;
    let sibling_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let sibling_body = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_DEPT))
        .await;
    let three = json!([
        {"title": "交付项目用地", "due": "2025-03-31"},
        {"title": "兑现设备投资奖补", "due": "2025-05-31", "amount": "12000000.00"},
        {"title": "交付人才公寓配套", "due": "2025-06-20", "amount": "6000000"},
    ]);

    // ---- bad input: each refused with its code, nothing written ----
    let mut bad = Vec::new();
    let mut b = agreement(json!([{"title": "x", "due": "2024-12-31"}]));
    bad.push((b.clone(), "due_before_promise"));
    b = agreement(three.clone());
    b["amount"] = json!("-5");
    bad.push((b.clone(), "amount_negative"));
    b["amount"] = json!("三千万");
    bad.push((b.clone(), "amount_invalid"));
    b = agreement(three.clone());
    b["promisor_uscc"] = json!(COMPANY);
    bad.push((b.clone(), "promisor_not_government"));
    b = agreement(three.clone());
    b["kind"] = json!("wish");
    bad.push((b.clone(), "commitment_kind_unknown"));
    b = agreement(json!([]));
    bad.push((b, "milestones_required"));
    for (req, code) in bad {
        let (s, v) = t
            .call("POST", "/api/v1/commitments", &office, Some(req))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{code}: {v}");
        assert_eq!(v["code"], code, "{v}");
        assert!(
            !v["message"].as_str().unwrap().is_ascii(),
            "a Chinese message: {v}"
        );
    }
    let (_, list) = t.call("GET", "/api/v1/commitments", &office, None).await;
    assert_eq!(
        list.as_array().unwrap().len(),
        0,
        "nothing half written: {list}"
    );
    assert!(t.store.subject_by_uscc(PROMISOR).await.unwrap().is_none());

    // ---- the body sets its webhook (a local receiver) ----
    let (url, received) = receiver().await;
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/webhook",
            &body,
            Some(json!({"url": url, "secret": "short", "enabled": true})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("webhook_secret_invalid"))
    );
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/webhook",
            &body,
            Some(json!({"url": url, "secret": SECRET, "enabled": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v.to_string().contains(SECRET), "the secret is never shown");

    // ---- the body registers the agreement ----
    let (s, c) = t
        .call("POST", "/api/v1/commitments", &body, Some(agreement(three)))
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(
        c["state_name"], "逾期",
        "2025-06-02: the first two are past due: {c}"
    );
    assert_eq!(c["amount"], "30000000.00");
    assert_eq!(c["milestones"][1]["amount"], "12000000.00");
    assert_eq!(c["supervisor_uscc"], SUPERVISOR);

    // ---- reminders: the sweep a month before the first due date ----
    let store = t.store.as_ref();
    let r = chengxin_app::commitments::sweep::sweep(store, d("2025-03-01"))
        .await
        .unwrap();
    assert_eq!((r.reminders, r.escalations), (1, 0), "{r:?}");
    let again = chengxin_app::commitments::sweep::sweep(store, d("2025-03-01"))
        .await
        .unwrap();
    assert_eq!(
        again.notifications, 0,
        "one reminder per milestone per stage"
    );
    let (s, inbox) = t.call("GET", "/api/v1/notifications", &body, None).await;
    assert_eq!(s, StatusCode::OK, "{inbox}");
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert!(inbox["items"][0]["title"]
        .as_str()
        .unwrap()
        .contains("到期提醒"));
    // Delivered, signed, to the body's receiver.
    let run = chengxin_app::notify::delivery::deliver_due(&t.state)
        .await
        .unwrap();
    assert_eq!(run.delivered, 1, "{run:?}");
    {
        let got = received.lock().unwrap();
        assert_eq!(got.len(), 1);
        let (sig, payload) = &got[0];
        assert!(
            chengxin_domain::notify::verify(SECRET.as_bytes(), payload.as_bytes(), sig),
            "{sig}"
        );
        let p: serde_json::Value = serde_json::from_str(payload).unwrap();
        assert_eq!(p["topic"], "commitment_reminder");
        assert!(p["body"].as_str().unwrap().contains("交付项目用地"), "{p}");
    }
    let (_, hook) = t.call("GET", "/api/v1/webhook", &body, None).await;
    assert_eq!(hook["deliveries"][0]["status_name"], "已送达", "{hook}");
    // Marking read.
    let item = inbox["items"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/notifications/{item}/read"),
            &sibling_body,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "someone else's item");
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/notifications/{item}/read"),
            &body,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &body, None).await;
    assert_eq!(inbox["unread"], 0);

    // ---- milestone 1 kept (on time, recorded later) ----
    let (m1, v1) = milestone(&c, 1);
    let (s, c) = step(
        &t,
        &body,
        &id,
        json!({"milestone_id": m1, "action": "keep", "on": "2025-03-28", "expected_version": v1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["milestones"][0]["state_name"], "已兑现");
    // A stale version is a conflict.
    let (s, _) = step(
        &t,
        &body,
        &id,
        json!({"milestone_id": m1, "action": "keep", "expected_version": v1}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // ---- milestone 2 changed by law, with compensation: not a breach ----
    let (m2, v2) = milestone(&c, 2);
    let change = |basis: &str| {
        json!({"milestone_id": m2, "action": "change", "ground": "public_interest", "basis": basis,
               "compensation": "签订补充协议，分期拨付并补偿资金占用成本", "compensation_amount": "180000.00",
               "on": "2025-05-20", "expected_version": v2})
    };
    let (s, v) = step(&t, &body, &id, change("")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("field_required")),
        "{v}"
    );
    let (s, v) = step(&t, &body, &id, json!({"milestone_id": m2, "action": "change", "ground": "whim", "basis": "b", "compensation": "c", "expected_version": v2})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("change_ground_unknown"))
    );
    let (s, c) = step(&t, &body, &id, change("《江苏省财政补助资金管理办法》调整")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["milestones"][1]["state_name"], "依法变更并补偿");
    assert_eq!(c["milestones"][1]["compensation_amount"], "180000.00");
    assert_eq!(c["state_name"], "履行中", "{c}");

    // ---- milestone 3 overdue: escalation, then the breach procedure ----
    let r = chengxin_app::commitments::sweep::sweep(store, d("2025-06-21"))
        .await
        .unwrap();
    assert_eq!(r.escalations, 1, "{r:?}");
    let late = t.on_day(d("2025-06-23"));
    let (_, inbox) = late
        .call("GET", "/api/v1/notifications", &office, None)
        .await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["title"].as_str().unwrap().contains("逾期督办")),
        "the credit office is told: {inbox}"
    );
    let supervisor = t
        .session_for(Role::SubmittingDepartment, "320400", Some(SUPERVISOR))
        .await;
    let (_, inbox) = late
        .call("GET", "/api/v1/notifications", &supervisor, None)
        .await;
    assert_eq!(inbox["unread"], 1, "the supervising body is told: {inbox}");
    chengxin_app::notify::delivery::deliver_due(&t.state)
        .await
        .unwrap();
    assert_eq!(
        received.lock().unwrap().len(),
        2,
        "the escalation reached the webhook too"
    );

    let (m3, v3) = milestone(&c, 3);
    // Only the credit office runs the procedure.
    let (s, v) = step(
        &late,
        &body,
        &id,
        json!({"milestone_id": m3, "action": "notice", "expected_version": v3}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step")),
        "{v}"
    );
    let (s, c) = step(
        &late,
        &office,
        &id,
        json!({"milestone_id": m3, "action": "notice", "expected_version": v3}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["milestones"][2]["breach_stage_name"], "已通知，待说明");
    let (_, v3) = milestone(&c, 3);
    let decide = |v: i64| {
        json!({"milestone_id": m3, "action": "decide", "finding": "未按协议约定期限交付人才公寓配套",
               "doc_no": "常信用认〔2025〕1号", "severity": "major", "expected_version": v})
    };
    let (s, v) = step(&late, &office, &id, decide(v3)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("explanation_pending")),
        "{v}"
    );
    let (s, c) = step(&late, &body, &id, json!({"milestone_id": m3, "action": "explain", "text": "配套资金未到位，正在协调。", "expected_version": v3})).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (_, v3) = milestone(&c, 3);
    let (s, c) = step(&late, &office, &id, decide(v3)).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["state_name"], "违约认定");
    let record_id: uuid::Uuid = c["milestones"][2]["record_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // ---- the 失信 record of the body, and a check reports it ----
    let record = t.store.record(record_id).await.unwrap().unwrap();
    assert_eq!(record.type_code, "investment_promise_breach");
    assert_eq!(record.doc_no, "常信用认〔2025〕1号");
    assert_eq!(record.fields["promisor_uscc"], PROMISOR);
    assert!(
        record.fields["amount"].as_str().unwrap().starts_with("600"),
        "6,000,000 yuan in 万元: {:?}",
        record.fields
    );
    let subject = t.store.subject_by_uscc(PROMISOR).await.unwrap().unwrap();
    assert_eq!(record.subject_id, Some(subject.id));
    let (s, v) = late
        .call(
            "POST",
            "/api/v1/checks",
            &office,
            Some(json!({"scenario": "awards", "parties": [{"uscc": PROMISOR}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_ne!(v["results"][0]["verdict"], "pass", "{v}");
    assert!(v.to_string().contains("常信用认〔2025〕1号"), "{v}");
    // The promisor's inbox has the decision.
    let (_, inbox) = late.call("GET", "/api/v1/notifications", &body, None).await;
    assert!(inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["title"].as_str().unwrap().contains("违约认定")));

    // ---- siblings never see it ----
    for cred in [&sibling_office, &sibling_body] {
        let (s, v) = late
            .call("GET", &format!("/api/v1/commitments/{id}"), cred, None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        let (_, list) = late.call("GET", "/api/v1/commitments", cred, None).await;
        assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    }

    // ---- the console ----
    let (s, page) = late
        .call("GET", &format!("/console/commitments/{id}"), &office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    for want in [
        "新能源材料项目投资协议",
        "已兑现",
        "依法变更并补偿",
        "违约认定",
        "常信用认〔2025〕1号",
        "公共利益",
    ] {
        assert!(page.contains(want), "{want}");
    }
    assert!(!page.contains(">breached<") && !page.contains(">kept<"));
    let (_, page) = late.call("GET", "/console/inbox", &office, None).await;
    assert!(page.as_str().unwrap().contains("逾期督办"));
    let (_, page) = late.call("GET", "/console", &office, None).await;
    assert!(page.as_str().unwrap().contains("未读消息"));
    let (_, page) = late.call("GET", "/console/webhook", &body, None).await;
    assert!(page.as_str().unwrap().contains("已送达"));
    let (s, _) = late
        .call(
            "GET",
            &format!("/console/commitments/{id}"),
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // ---- evidence files: type checked by content ----
    let upload = |name: &str| format!("/api/v1/commitments/{id}/files?name={name}&milestone={m1}");
    let (s, v) = http_bytes(
        &late,
        &upload("proof.pdf"),
        &body,
        b"not a pdf at all".to_vec(),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file_type_not_accepted")),
        "{v}"
    );
    let (s, v) = http_bytes(
        &late,
        &upload("proof.pdf"),
        &body,
        b"%PDF-1.4 proof".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["files"][0]["name"], "proof.pdf");

    // ---- public commitments: 承诺公示 and an enterprise's 信用承诺 in its archive ----
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/commitments",
            &body,
            Some(json!({"kind": "credit_pledge", "title": "建设工程规划许可告知承诺",
                "promisor_uscc": COMPANY, "promisor_name": "常州示范新能源材料有限公司",
                "counterparty_name": "常州市某产业发展局", "content": "承诺所报材料真实，三个月内补齐消防验收材料。",
                "legal_basis": "证明事项告知承诺制", "promised_on": "2025-05-01",
                "milestones": [{"title": "补齐消防验收材料"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["public"].as_bool().unwrap());
    let (_, page) = t
        .call(
            "GET",
            "/portal/commitments?q=%E7%A4%BA%E8%8C%83",
            &Cred::None,
            None,
        )
        .await;
    let page = page.as_str().unwrap();
    assert!(
        page.contains("建设工程规划许可告知承诺") && page.contains("履行中"),
        "{page}"
    );
    assert!(
        !page.contains("新能源材料项目投资协议"),
        "a non-public agreement is not published"
    );
    let company = t.store.subject_by_uscc(COMPANY).await.unwrap().unwrap();
    let (_, page) = t
        .call(
            "GET",
            &format!("/portal/subjects/{}", company.id),
            &Cred::None,
            None,
        )
        .await;
    assert!(page.as_str().unwrap().contains("建设工程规划许可告知承诺"));
    // ... and in its credit report, with its fulfilment.
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/credit-reports",
            &office,
            Some(json!({"subject_id": company.id})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let no = v["report_no"].as_str().unwrap().to_string();
    let row = t.store.credit_report(&no).await.unwrap().unwrap();
    let report = &row.signed["report"];
    let section = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "信用承诺与公开承诺")
        .cloned()
        .unwrap_or_else(|| panic!("no commitments section: {report}"));
    let rows = section["table"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{section}");
    assert_eq!(rows[0][0], "信用承诺（告知承诺）");
    assert_eq!(rows[0][1], "建设工程规划许可告知承诺");
    assert!(
        matches!(rows[0][5].as_str(), Some("履行中" | "逾期")),
        "{section}"
    );

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

/// POST raw bytes (a file upload) with the session's credentials.
async fn http_bytes(
    t: &TestApp,
    uri: &str,
    cred: &Cred,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/octet-stream");
    if let Cred::Session { cookie, csrf } = cred {
        req = req
            .header("cookie", format!("cx_session={cookie}"))
            .header("x-csrf-token", csrf);
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::from(bytes)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let b = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&b).unwrap_or(serde_json::Value::Null),
    )
}

both_backends!(commitment_story, story);
