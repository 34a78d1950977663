//! Credit rights over the real router, on both backends: an objection and a repair each run
//! end to end (the record, the public archive, the subject's own archive and the check engine
//! reflect the outcome at once), illegal steps and bad evidence are refused, two simultaneous
//! decisions on one application give one winner and one clear conflict, and tolerance needs
//! a basis and an approver. "Today" is fixed at 2025-06-02 (令第58号 in force).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_testkit::*;
use http_body_util::BodyExt;
use tower::ServiceExt;

const DEPT: &str = "11320400MB0000000X";
const OTHER_DEPT: &str = "11320411MB1234567X";
const COMPANY: &str = "91320412MA1MXK2L83";

/// A raw request (evidence upload) with an optional access code.
async fn raw(
    t: &TestApp,
    method: &str,
    uri: &str,
    code: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = code {
        req = req.header("x-access-code", c);
    }
    let req = req
        .header("content-type", "application/octet-stream")
        .body(Body::from(body))
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

async fn get_with_code(t: &TestApp, uri: &str, code: &str) -> serde_json::Value {
    let req = Request::builder()
        .uri(uri)
        .header("x-access-code", code)
        .body(Body::empty())
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// Import two general-severity penalties against the company: one decided 2025-01-10 (its
/// 3-month minimum over), one decided 2025-04-01 (minimum ends 2025-07-01).
async fn records(t: &TestApp) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let out = t
        .import(
            DEPT,
            vec![
                import_row(1, "常罚〔2025〕1号", "2025-01-10"),
                import_row(2, "常罚〔2025〕2号", "2025-04-01"),
            ],
        )
        .await;
    let id = |o: &chengxin_store::RowOutcome| match o {
        chengxin_store::RowOutcome::Created(id) => *id,
        other => panic!("{other:?}"),
    };
    let old = id(&out[0]);
    let recent = id(&out[1]);
    let subject = t
        .store
        .record(old)
        .await
        .unwrap()
        .unwrap()
        .subject_id
        .unwrap();
    (old, recent, subject)
}

async fn step(
    t: &TestApp,
    who: &Cred,
    app_id: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    t.call(
        "POST",
        &format!("/api/v1/applications/{app_id}/actions"),
        who,
        Some(body),
    )
    .await
}

async fn objection_story(t: TestApp) {
    let (rec, _, subject) = records(&t).await;
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    let other_dept = t
        .session_for(Role::SubmittingDepartment, "320411", Some(OTHER_DEPT))
        .await;

    // Anyone may object to a public record, without logging in.
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(serde_json::json!({
                "target_kind": "record", "target_id": rec,
                "reasons": "处罚金额录入错误，应为二千元", "applicant_name": "王五",
                "contact": "13800001111"
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let no = filed["tracking_no"].as_str().unwrap().to_string();
    let code = filed["access_code"].as_str().unwrap().to_string();
    let app_id = filed["id"].as_str().unwrap().to_string();
    // Filed Monday 2025-06-02: accept within 2 working days.
    assert_eq!(filed["due"], "2025-06-04");

    // While pending, everyone who can see the record sees 异议处理中.
    let (_, r) = t
        .call("GET", &format!("/api/v1/records/{rec}"), &Cred::None, None)
        .await;
    assert_eq!(r["annotations"][0], "异议处理中", "{r}");
    let (_, archive) = t
        .call(
            "GET",
            &format!("/api/v1/portal/subjects/{subject}"),
            &Cred::None,
            None,
        )
        .await;
    let shown = archive["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["record"]["id"] == rec.to_string())
        .unwrap();
    assert_eq!(shown["annotations"][0], "异议处理中");

    // The public tracking page: progress only, nothing about the applicant or the subject.
    let (s, tr) = t
        .call("GET", &format!("/api/v1/track/{no}"), &Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(tr["tracking"]["state"], "submitted");
    assert_eq!(tr["tracking"]["next_step"], "信用办受理审查");
    assert!(tr["applicant_view"].is_null());
    let text = tr.to_string();
    for secret in ["王五", "13800001111", "常州甲公司", "处罚金额"] {
        assert!(!text.contains(secret), "tracking leaks {secret}: {text}");
    }
    // Unknown and malformed numbers are simply not found.
    for bad in ["YY20250602ZZZZZZZZ", "x", "YY2025060２ABCDEFG"] {
        let (s, _) = t
            .call(
                "GET",
                &format!("/api/v1/track/{}", urlencode(bad)),
                &Cred::None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{bad}");
    }

    // Evidence: wrong code, wrong type, renamed file, oversized, then a real PDF.
    let url = format!("/api/v1/track/{no}/evidence?name=proof.pdf");
    let (s, v) = raw(&t, "POST", &url, Some("WRONGCODE"), b"%PDF-1.7\n".to_vec()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_code_invalid"))
    );
    let exe = format!("/api/v1/track/{no}/evidence?name=a.exe");
    let (s, v) = raw(&t, "POST", &exe, Some(&code), b"MZ\x90\x00".to_vec()).await;
    assert_eq!(v["code"], "file_type_not_accepted", "{s} {v}");
    let (s, v) = raw(&t, "POST", &url, Some(&code), b"<html>not a pdf".to_vec()).await;
    assert_eq!(v["code"], "file_type_not_accepted", "{s} {v}");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let (s, v) = raw(&t, "POST", &url, Some(&code), big).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("file_too_large"))
    );
    let (s, v) = raw(&t, "POST", &url, Some(&code), b"".to_vec()).await;
    assert_eq!(v["code"], "empty_file", "{s} {v}");
    let (s, v) = raw(&t, "POST", &url, Some(&code), b"%PDF-1.7\nproof".to_vec()).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The applicant's view needs the code.
    let mine = get_with_code(&t, &format!("/api/v1/track/{no}"), &code).await;
    assert_eq!(mine["applicant_view"]["evidence"][0]["name"], "proof.pdf");

    // The credit office's queue has it; a department of another county does not see it.
    let (_, q) = t.call("GET", "/api/v1/applications", &office, None).await;
    assert!(q.to_string().contains(&no), "{q}");
    let (_, q) = t
        .call("GET", "/api/v1/applications", &other_dept, None)
        .await;
    assert!(!q.to_string().contains(&no), "{q}");
    let (s, _) = t
        .call(
            "GET",
            &format!("/api/v1/applications/{app_id}"),
            &other_dept,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Anonymous callers have no queue.
    let (s, _) = t
        .call("GET", "/api/v1/applications", &Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The department cannot accept (the credit office's step); the office can.
    let (s, v) = step(
        &t,
        &dept,
        &app_id,
        serde_json::json!({"action": "accept", "expected_version": 2}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step"))
    );
    let (s, v) = step(
        &t,
        &office,
        &app_id,
        serde_json::json!({"action": "accept", "expected_version": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "accepted");
    // Checking within 5 working days of 2025-06-02.
    assert_eq!(v["due"], "2025-06-09");
    // Illegal: answering before the check.
    let (s, v) = step(
        &t,
        &office,
        &app_id,
        serde_json::json!({"action": "answer", "expected_version": 3, "reasons": "已核实"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("illegal_transition"))
    );
    // Bad input: unknown action, no finding, correction without fields.
    let (_, v) = step(
        &t,
        &dept,
        &app_id,
        serde_json::json!({"action": "explode", "expected_version": 3}),
    )
    .await;
    assert_eq!(v["code"], "unknown_action");
    let (_, v) = step(
        &t,
        &dept,
        &app_id,
        serde_json::json!({"action": "check", "expected_version": 3, "reasons": "核实"}),
    )
    .await;
    assert_eq!(v["code"], "finding_required");
    let (_, v) = step(&t, &dept, &app_id, serde_json::json!({"action": "check", "finding": "correct", "expected_version": 3, "reasons": "金额有误"})).await;
    assert_eq!(v["code"], "fields_required");

    // The source department checks and corrects: the record changes in the same step.
    let before = t.store.record(rec).await.unwrap().unwrap();
    let (s, v) = step(
        &t,
        &dept,
        &app_id,
        serde_json::json!({"action": "check", "finding": "correct", "expected_version": 3,
            "reasons": "核实金额录入有误", "fields": {"penalty_content": "罚款二千元"}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = t.store.record(rec).await.unwrap().unwrap();
    assert_eq!(after.version, before.version + 1);
    assert_eq!(after.fields["penalty_content"], "罚款二千元");
    let history = t.store.record_history(rec).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.action, "correct");
    assert!(last.note.as_deref().unwrap().contains(&no));
    // No longer pending once checked.
    let (_, r) = t
        .call("GET", &format!("/api/v1/records/{rec}"), &Cred::None, None)
        .await;
    assert!(r["annotations"].as_array().unwrap().is_empty(), "{r}");

    // Answer; the objector reads the outcome with reasons.
    let (s, v) = step(&t, &office, &app_id, serde_json::json!({"action": "answer", "expected_version": 4, "reasons": "经核查，处罚金额已更正"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "answered");
    let mine = get_with_code(&t, &format!("/api/v1/track/{no}"), &code).await;
    assert_eq!(mine["tracking"]["state"], "answered");
    assert_eq!(mine["applicant_view"]["decision"]["outcome"], "corrected");
    assert!(mine["applicant_view"]["notices"].as_array().unwrap().len() >= 3);
    // Final: nothing further.
    let (s, _) = step(
        &t,
        &office,
        &app_id,
        serde_json::json!({"action": "accept", "expected_version": 5}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = raw(
        &t,
        "POST",
        &format!("/api/v1/track/{no}/withdraw"),
        Some(&code),
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Two officers deciding the same application at once: one wins, one gets a conflict.
    let (_, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(
                serde_json::json!({"target_kind": "record", "target_id": rec,
                "reasons": "不是本公司的违法行为", "applicant_name": "赵六"}),
            ),
        )
        .await;
    let id2 = filed["id"].as_str().unwrap().to_string();
    let office2 = t.session_for(Role::CreditOffice, "320400", None).await;
    let (a, b) = tokio::join!(
        step(
            &t,
            &office,
            &id2,
            serde_json::json!({"action": "accept", "expected_version": 1})
        ),
        step(
            &t,
            &office2,
            &id2,
            serde_json::json!({"action": "refuse", "expected_version": 1, "reasons": "不属于受理范围"})
        ),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let loser = if a.0 == StatusCode::CONFLICT {
        a.1
    } else {
        b.1
    };
    assert_eq!(loser["code"], "version_conflict");
    let app = t
        .store
        .application(uuid::Uuid::parse_str(&id2).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.version, 2, "exactly one step landed");

    // Withdrawal by the objector with the code; the record's annotation goes away.
    let (_, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(
                serde_json::json!({"target_kind": "record", "target_id": rec,
                "reasons": "信息有误", "applicant_name": "钱七"}),
            ),
        )
        .await;
    let no3 = filed["tracking_no"].as_str().unwrap();
    let (s, v) = raw(
        &t,
        "POST",
        &format!("/api/v1/track/{no3}/withdraw"),
        Some("BAD"),
        vec![],
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_code_invalid"))
    );
    let (s, v) = raw(
        &t,
        "POST",
        &format!("/api/v1/track/{no3}/withdraw"),
        Some(filed["access_code"].as_str().unwrap()),
        vec![],
    )
    .await;
    assert_eq!(
        (s, v["tracking"]["state"].as_str()),
        (StatusCode::OK, Some("withdrawn"))
    );

    // Objections to what the caller cannot see are not found; bad targets are refused.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(
                serde_json::json!({"target_kind": "record", "target_id": uuid::Uuid::now_v7(),
                "reasons": "信息有误", "applicant_name": "某人"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (_, v) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(
                serde_json::json!({"target_kind": "planet", "target_id": rec,
                "reasons": "信息有误", "applicant_name": "某人"}),
            ),
        )
        .await;
    assert_eq!(v["code"], "invalid_target_kind");
    let (_, v) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(
                serde_json::json!({"target_kind": "record", "target_id": rec,
                "reasons": "x", "applicant_name": "某人"}),
            ),
        )
        .await;
    assert_eq!(v["code"], "reasons_required");

    // The contact number is never stored in clear, and the change log still verifies.
    let row = t
        .store
        .application(uuid::Uuid::parse_str(&app_id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!row.body.to_string().contains("13800001111"));
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(objection, objection_story);

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn checks_mention(t: &TestApp, rec: uuid::Uuid) -> bool {
    let platform = t.token(&["checks_run"], "320400", None).await;
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            &platform,
            Some(serde_json::json!({"scenario": "bidding", "parties": [{"uscc": COMPANY}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.to_string().contains(&rec.to_string())
}

async fn repair_story(t: TestApp) {
    let (old, recent, subject) = records(&t).await;
    t.state.checks.build(t.store.as_ref()).await.unwrap();
    assert!(
        checks_mention(&t, old).await,
        "the penalty counts before repair"
    );
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    let me = t.session_for(Role::Subject, "320412", Some(COMPANY)).await;
    let stranger = t
        .session_for(Role::Subject, "320412", Some("91320412MA1N0X7G2K"))
        .await;
    let file = |target: uuid::Uuid, commitment: bool| {
        serde_json::json!({"target_kind": "record", "target_id": target,
            "reasons": "罚款已缴清，整改已完成", "commitment": commitment})
    };

    // The public cannot apply; another subject may not apply for this one.
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/repairs",
            &Cred::None,
            Some(file(old, true)),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = t
        .call("POST", "/api/v1/repairs", &stranger, Some(file(old, true)))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_own_subject"))
    );
    // Before the minimum period (3 months from 2025-04-01): refused, with the date.
    let (s, v) = t
        .call("POST", "/api/v1/repairs", &me, Some(file(recent, true)))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("repair_period_not_reached"))
    );
    assert!(v["message"].as_str().unwrap().contains("2025-07-01"), "{v}");
    // No commitment: refused.
    let (_, v) = t
        .call("POST", "/api/v1/repairs", &me, Some(file(old, false)))
        .await;
    assert_eq!(v["code"], "commitment_missing");
    // After the minimum period: accepted for review, judged by 令第58号 (filed before 2026-04-01).
    let (s, filed) = t
        .call("POST", "/api/v1/repairs", &me, Some(file(old, true)))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let app_id = filed["id"].as_str().unwrap().to_string();
    let no = filed["tracking_no"].as_str().unwrap().to_string();
    assert!(no.starts_with("XF20250602"));
    let (_, full) = t
        .call(
            "GET",
            &format!("/api/v1/applications/{app_id}"),
            &office,
            None,
        )
        .await;
    assert_eq!(full["body"]["rule_version"], "ndrc-order-58-2023");
    for (material, body) in [
        ("payment_proof", b"%PDF-1.4 receipt".to_vec()),
        ("unknown_kind", b"%PDF-1.4".to_vec()),
    ] {
        let (s, v) = raw(
            &t,
            "POST",
            &format!("/api/v1/track/{no}/evidence?name=p.pdf&material={material}"),
            Some(filed["access_code"].as_str().unwrap()),
            body,
        )
        .await;
        if material == "unknown_kind" {
            assert_eq!(v["code"], "unknown_material", "{s} {v}");
        } else {
            assert_eq!(s, StatusCode::OK, "{v}");
        }
    }
    // The office can download the evidence it handles.
    let (_, full) = t
        .call(
            "GET",
            &format!("/api/v1/applications/{app_id}"),
            &office,
            None,
        )
        .await;
    let file_id = full["body"]["evidence"][0]["id"].as_str().unwrap();
    let (s, pdf) = t
        .call(
            "GET",
            &format!("/api/v1/applications/{app_id}/evidence/{file_id}"),
            &office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(pdf.as_str().unwrap().starts_with("%PDF"));

    let v0 = full["version"].as_i64().unwrap();
    let (s, v) = step(
        &t,
        &office,
        &app_id,
        serde_json::json!({"action": "accept", "expected_version": v0}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Review within 10 working days (2025-06-02 → 2025-06-16; 端午 on 2025-05-31..06-02).
    assert_eq!(v["due"], "2025-06-16");
    // Rejecting needs a ground.
    let (_, e) = step(
        &t,
        &dept,
        &app_id,
        serde_json::json!({"action": "reject", "expected_version": v0 + 1, "reasons": "材料不全"}),
    )
    .await;
    assert_eq!(e["code"], "grounds_required");
    let (_, e) = step(&t, &dept, &app_id, serde_json::json!({"action": "reject", "expected_version": v0 + 1, "reasons": "材料不全", "grounds": ["lazy"]})).await;
    assert_eq!(e["code"], "invalid_ground");
    // The recognising body approves: the record is repaired in the same step.
    let (s, v) = step(&t, &dept, &app_id, serde_json::json!({"action": "approve", "expected_version": v0 + 1, "reasons": "已履行处罚决定并完成整改"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "approved");
    let r = t.store.record(old).await.unwrap().unwrap();
    assert_eq!(r.status, chengxin_domain::records::RecordStatus::Repaired);

    // Gone from the portal and from the public record API, still in the subject's own archive
    // with its history; the check engine no longer counts it.
    let (_, archive) = t
        .call(
            "GET",
            &format!("/api/v1/portal/subjects/{subject}"),
            &Cred::None,
            None,
        )
        .await;
    assert!(!archive.to_string().contains(&old.to_string()), "{archive}");
    let (s, _) = t
        .call("GET", &format!("/api/v1/records/{old}"), &Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, own) = t.call("GET", "/api/v1/archive", &me, None).await;
    assert_eq!(s, StatusCode::OK, "{own}");
    let mine = own["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["record"]["id"] == old.to_string())
        .expect("still in the subject's own archive");
    assert_eq!(mine["status_label"], "已修复");
    assert!(mine["record"]["history"].to_string().contains("repair"));
    assert!(own["applications"].to_string().contains(&no));
    assert!(
        !checks_mention(&t, old).await,
        "a repaired record no longer counts"
    );

    // Sharing the result tells every recipient; then the repair is revoked for false
    // materials: published again, counted again, and a new application is barred.
    let (s, v) = step(
        &t,
        &office,
        &app_id,
        serde_json::json!({"action": "share", "expected_version": v0 + 2}),
    )
    .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("completed")),
        "{v}"
    );
    assert!(v["body"]["notices"]
        .to_string()
        .contains("全国信用信息共享平台"));
    let (s, v) = step(&t, &office, &app_id, serde_json::json!({"action": "revoke_repair", "expected_version": v0 + 3, "reasons": "缴款凭证系伪造"})).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("revoked")),
        "{v}"
    );
    let r = t.store.record(old).await.unwrap().unwrap();
    assert_eq!(r.status, chengxin_domain::records::RecordStatus::Published);
    assert!(checks_mention(&t, old).await);
    let (_, v) = t
        .call("POST", "/api/v1/repairs", &me, Some(file(old, true)))
        .await;
    assert_eq!(v["code"], "repair_barred", "{v}");
    assert!(v["message"].as_str().unwrap().contains("2026-06-02"), "{v}");

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(repair, repair_story);

async fn tolerance_story(t: TestApp) {
    let (rec, _, _) = records(&t).await;
    t.state.checks.build(t.store.as_ref()).await.unwrap();
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let public = Cred::None;
    let url = format!("/api/v1/records/{rec}/tolerance");
    let (s, _) = t
        .call("POST", &url, &public, Some(serde_json::json!({})))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, v) = t
        .call("POST", &url, &office, Some(serde_json::json!({"basis": "省容错纠错办法第五条", "approver": " ", "reasons": "改革探索中的失误", "expected_version": 1})))
        .await;
    assert_eq!(v["code"], "basis_required");
    let (s, v) = t
        .call("POST", &url, &office, Some(serde_json::json!({"basis": "省容错纠错办法第五条", "approver": "市信用办主任李四", "reasons": "改革探索中的失误", "expected_version": 7})))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    let (s, v) = t
        .call("POST", &url, &office, Some(serde_json::json!({"basis": "省容错纠错办法第五条", "approver": "市信用办主任李四", "reasons": "改革探索中的失误", "expected_version": 1})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["body"]["decision"]["approver"], "市信用办主任李四");
    let r = t.store.record(rec).await.unwrap().unwrap();
    assert!(r.tolerated);
    let history = t.store.record_history(rec).await.unwrap();
    let note = history.last().unwrap().note.clone().unwrap();
    assert!(
        note.contains("省容错纠错办法第五条") && note.contains("李四"),
        "{note}"
    );
    let (_, shown) = t
        .call("GET", &format!("/api/v1/records/{rec}"), &public, None)
        .await;
    assert!(shown["annotations"].to_string().contains("容错"), "{shown}");
    assert!(
        !checks_mention(&t, rec).await,
        "a tolerated lapse is not counted"
    );
    // Twice is refused.
    let (_, v) = t
        .call("POST", &url, &office, Some(serde_json::json!({"basis": "省容错纠错办法第五条", "approver": "李四", "reasons": "再次认定", "expected_version": 2})))
        .await;
    assert_eq!(v["code"], "already_tolerated");
    // Mitigation: bad kind, unknown entry.
    let entry = uuid::Uuid::now_v7();
    let (s, _) = t
        .call("POST", &format!("/api/v1/list-entries/{entry}/mitigation"), &office,
            Some(serde_json::json!({"kind": "waive", "grounds": ["recovered_losses"], "basis": "依据", "approver": "李四", "reasons": "主动挽回损失"})))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    t.cleanup().await;
}
both_backends!(tolerance, tolerance_story);

/// An entry on the serious-dishonesty list recognised by `DEPT`, effective from `effective`.
async fn blacklisted(t: &TestApp, uscc: &str, effective: &str) -> chengxin_store::ListEntryRow {
    use chengxin_domain::calendar::WorkCalendar;
    use chengxin_domain::lists::{EntryAction, JointCatalog, ListEntry, Proposal};
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let subject = t
        .store
        .create_subject(
            "test",
            chengxin_store::NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::Enterprise),
                name: "常州丙工程有限公司".into(),
                uscc: Some(uscc.into()),
                region: Some("320412".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let joint = JointCatalog::default_checked().unwrap();
    let list = joint.list("serious_dishonest").unwrap();
    let cal = WorkCalendar::official_checked().unwrap();
    let start = cal.add_working_days(d(effective), 0).unwrap() - chrono::Days::new(40);
    let e = ListEntry::propose(
        list,
        Proposal {
            subject_key: subject.id.to_string(),
            subject_name: subject.name.clone(),
            standard: "拒不履行政府采购合同".into(),
            basis: "《江苏省社会信用条例》".into(),
            recognised_by: DEPT.into(),
            recognised_by_uscc: None,
            evidence: vec!["常财购〔2024〕9号".into()],
        },
        start,
    )
    .unwrap()
    .apply(list, EntryAction::StartPublicity, start, None, cal)
    .unwrap()
    .apply(
        list,
        EntryAction::TakeEffect { until: None },
        d(effective),
        None,
        cal,
    )
    .unwrap();
    let now = chengxin_store::changelog::now();
    let row = chengxin_app::lists::entry_row(uuid::Uuid::now_v7(), subject.id, &e, 1, now).unwrap();
    t.store.create_list_entry("test", &row).await.unwrap();
    // Its closed-loop cases, as taking effect through the API opens them.
    chengxin_app::cases::follow_entry(t.store.as_ref(), "test", &row, d(effective))
        .await
        .unwrap();
    row
}

async fn list_entry_story(t: TestApp) {
    const BODY: &str = "91320412MA1P8DGK26";
    const OTHER: &str = "91320412MA1Q0QYF4U";
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    // Effective 2024-02-05: the one-year minimum of 严重 information is over on 2025-06-02.
    let old = blacklisted(&t, BODY, "2024-02-05").await;
    let fresh = blacklisted(&t, OTHER, "2025-01-06").await;
    let cases = t
        .store
        .cases(&chengxin_store::CaseFilter {
            entry_id: Some(old.id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!cases.is_empty() && cases.iter().all(|c| !c.lifted));

    // Removal by repair follows the recognising body; too early for the fresh entry.
    let other_me = t.session_for(Role::Subject, "320412", Some(OTHER)).await;
    let (_, v) = t
        .call("POST", "/api/v1/repairs", &other_me, Some(serde_json::json!({
            "target_kind": "list_entry", "target_id": fresh.id, "reasons": "已履行合同义务", "commitment": true})))
        .await;
    assert_eq!(v["code"], "repair_period_not_reached", "{v}");
    let me = t.session_for(Role::Subject, "320412", Some(BODY)).await;
    let (s, filed) = t
        .call("POST", "/api/v1/repairs", &me, Some(serde_json::json!({
            "target_kind": "list_entry", "target_id": old.id, "reasons": "已履行合同义务并赔偿损失", "commitment": true})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let id = filed["id"].as_str().unwrap().to_string();
    let (s, v) = step(
        &t,
        &office,
        &id,
        serde_json::json!({"action": "accept", "expected_version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = step(&t, &dept, &id, serde_json::json!({"action": "approve", "expected_version": 2, "reasons": "失信行为已纠正"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let entry = t.store.list_entry(old.id).await.unwrap().unwrap();
    assert_eq!(entry.status, "removed");
    assert_eq!(entry.entry["removal_reason"], "repaired");
    // The closed loop is lifted and every department told.
    let cases = t
        .store
        .cases(&chengxin_store::CaseFilter {
            entry_id: Some(old.id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(cases.iter().all(|c| c.lifted), "{cases:?}");
    let (_, v) = step(
        &t,
        &office,
        &id,
        serde_json::json!({"action": "share", "expected_version": 3}),
    )
    .await;
    for c in &cases {
        assert!(
            v["body"]["notices"].to_string().contains(&c.department),
            "{v}"
        );
    }

    // An objection to the other entry, upheld by the recognising body: removed as 异议成立.
    let (s, filed) = t
        .call("POST", "/api/v1/objections", &Cred::None, Some(serde_json::json!({
            "target_kind": "list_entry", "target_id": fresh.id, "reasons": "合同纠纷已由法院判决驳回", "applicant_name": "常州丙工程有限公司"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let id = filed["id"].as_str().unwrap().to_string();
    step(
        &t,
        &office,
        &id,
        serde_json::json!({"action": "accept", "expected_version": 1}),
    )
    .await;
    let (_, v) = step(&t, &dept, &id, serde_json::json!({"action": "check", "finding": "correct", "expected_version": 2, "reasons": "更正", "fields": {}})).await;
    assert_eq!(v["code"], "cannot_correct_list_entry");
    let (s, v) = step(&t, &dept, &id, serde_json::json!({"action": "check", "finding": "revoke", "expected_version": 2, "reasons": "认定依据不足"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let entry = t.store.list_entry(fresh.id).await.unwrap().unwrap();
    assert_eq!(entry.entry["removal_reason"], "objection_upheld");

    // Mitigation on a removed entry's (already lifted) cases is still recorded with its basis.
    let (s, v) = t
        .call("POST", &format!("/api/v1/list-entries/{}/mitigation", old.id), &office,
            Some(serde_json::json!({"kind": "waive", "grounds": ["recovered_losses"], "basis": "台安县政务诚信工作方案 二(二)6", "approver": "县信用办主任", "reasons": "主动挽回全部损失"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["body"]["decision"]["outcome"], "waived");
    let (_, v) = t
        .call("POST", &format!("/api/v1/list-entries/{}/mitigation", old.id), &office,
            Some(serde_json::json!({"kind": "waive", "grounds": [], "basis": "依据", "approver": "主任", "reasons": "主动挽回全部损失"})))
        .await;
    assert_eq!(v["code"], "grounds_required");
    t.cleanup().await;
}
both_backends!(list_entries, list_entry_story);

/// 免于惩戒 and 从轻惩戒 reach the check engine at once: a waived entry is no longer
/// intercepted but still reported, with the decision's number; a lightened one still is.
async fn mitigation_in_checks_story(t: TestApp) {
    const WAIVED: &str = "91320412MA1P8DGK26";
    const LIGHTENED: &str = "91320412MA1Q0QYF4U";
    let waived = blacklisted(&t, WAIVED, "2025-01-06").await;
    let lightened = blacklisted(&t, LIGHTENED, "2025-01-06").await;
    t.state.checks.build(t.store.as_ref()).await.unwrap();
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let platform = t.token(&["checks_run"], "320400", None).await;
    let check = |uscc: &'static str| {
        let platform = platform.clone();
        let t = &t;
        async move {
            let (s, v) = t
                .call(
                    "POST",
                    "/api/v1/checks",
                    &platform,
                    Some(
                        serde_json::json!({"scenario": "procurement", "parties": [{"uscc": uscc}]}),
                    ),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v["results"][0].clone()
        }
    };
    assert_eq!(check(WAIVED).await["verdict"], "intercept");
    assert_eq!(check(LIGHTENED).await["verdict"], "intercept");

    let (s, w) = t
        .call("POST", &format!("/api/v1/list-entries/{}/mitigation", waived.id), &office,
            Some(serde_json::json!({"kind": "waive", "grounds": ["recovered_losses"], "basis": "台安县政务诚信工作方案 二(二)6", "approver": "县信用办主任", "reasons": "主动挽回全部损失"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let (s, l) = t
        .call("POST", &format!("/api/v1/list-entries/{}/mitigation", lightened.id), &office,
            Some(serde_json::json!({"kind": "mitigate", "grounds": ["recovered_losses"], "basis": "台安县政务诚信工作方案 二(二)6", "approver": "县信用办主任", "reasons": "部分挽回损失"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{l}");

    let r = check(WAIVED).await;
    assert_eq!(r["verdict"], "warn", "{r}");
    let no = w["tracking_no"].as_str().unwrap();
    let text = r.to_string();
    assert!(text.contains("免于惩戒") && text.contains(no), "{r}");
    assert_eq!(
        r["matches"][0]["entries"][0]["mitigation"]["outcome"],
        "waived"
    );
    let r = check(LIGHTENED).await;
    assert_eq!(r["verdict"], "intercept", "{r}");
    let no = l["tracking_no"].as_str().unwrap();
    assert!(r.to_string().contains(&format!("从轻惩戒决定 {no}")), "{r}");

    // A fresh index built from the store (another server process) sees the same.
    let other = chengxin_checks::CheckIndex::default();
    other.build(t.store.as_ref()).await.unwrap();
    let found = other
        .lookup(&chengxin_checks::PartyQuery {
            uscc: Some(WAIVED.into()),
            ..Default::default()
        })
        .unwrap();
    let m = found[0].entries[0].mitigation.as_ref().unwrap();
    assert_eq!(
        (m.outcome.as_str(), m.label.as_str()),
        ("waived", "免于惩戒")
    );
    t.cleanup().await;
}
both_backends!(mitigation_in_checks, mitigation_in_checks_story);

async fn complaint_story(t: TestApp) {
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(
                serde_json::json!({"about": "某镇人民政府", "region": "320400",
                "reasons": "招商引资承诺的奖励资金逾期两年未兑现", "applicant_name": "孙八",
                "contact": "13900002222"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let no = filed["tracking_no"].as_str().unwrap().to_string();
    let id = filed["id"].as_str().unwrap().to_string();
    assert!(no.starts_with("TS"));
    let (_, v) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(serde_json::json!({"reasons": "x", "applicant_name": "孙八", "region": "320400"})),
        )
        .await;
    assert_eq!(v["code"], "reasons_required");
    // The public tracking page shows progress only.
    let (_, tr) = t
        .call("GET", &format!("/api/v1/track/{no}"), &Cred::None, None)
        .await;
    assert_eq!(tr["tracking"]["kind"], "complaint");
    assert!(!tr.to_string().contains("某镇") && !tr.to_string().contains("孙八"));
    // The credit office's desk handles it; a department does not see it.
    let (_, q) = t
        .call("GET", "/api/v1/applications?kind=complaint", &office, None)
        .await;
    assert!(q.to_string().contains(&no), "{q}");
    let (s, _) = t
        .call("GET", &format!("/api/v1/applications/{id}"), &dept, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = step(
        &t,
        &office,
        &id,
        serde_json::json!({"action": "accept", "expected_version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = step(&t, &office, &id, serde_json::json!({"action": "check", "finding": "keep", "expected_version": 2, "reasons": "核实"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("illegal_transition"))
    );
    let (s, v) = step(&t, &office, &id, serde_json::json!({"action": "answer", "expected_version": 2, "reasons": "经核实，已督促该镇于30日内兑现"})).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("answered")),
        "{v}"
    );
    let mine = get_with_code(
        &t,
        &format!("/api/v1/track/{no}"),
        filed["access_code"].as_str().unwrap(),
    )
    .await;
    assert_eq!(mine["applicant_view"]["decision"]["outcome"], "answered");
    t.cleanup().await;
}
both_backends!(complaint, complaint_story);
