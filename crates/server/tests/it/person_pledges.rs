//! A natural person's 信用承诺 in a 告知承诺 approval (issue 18), on both backends: the
//! approving body registers it by the person's 居民身份证号; the number is checked (check
//! digit), never stored, shown or logged in clear — the API, the console list and page show it
//! masked, the change log and the audit trail never hold it — and the commitment is not
//! published on the portal. A false pledge goes through the breach procedure (notice → the
//! person's explanation, recorded by the approving body → decision) and becomes a 失信 record
//! of the person, which a check by ID number then reports and the person's archive shows.
//! Bad input: a bad ID number, a person as the promisor of a government kind, a body and a
//! person at once — each with its code and nothing written. A sibling region sees nothing.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_testkit::*;
use serde_json::json;

/// The approving body (a 常州 department), the credit office's body, a 溧阳 department.
const APPROVER: &str = "11320400MB00000015";
const OFFICE_BODY: &str = "11320400MB0000003B";
const LIYANG_DEPT: &str = "11320481MB00000274";
/// A fictional person's number (valid check digit) and the same with a wrong check digit.
const PERSON: &str = "32040219880512201X";
const BAD_CHECK: &str = "320402198805122011";
const MASKED: &str = "3204**********201X";

fn pledge(id_number: &str) -> serde_json::Value {
    json!({
        "kind": "credit_pledge",
        "title": "食品经营许可告知承诺",
        "promisor_id_number": id_number,
        "promisor_name": "王晓明",
        "counterparty_name": "常州市某局",
        "content": "承诺经营场所符合食品安全要求，所提交的场所证明材料真实。",
        "legal_basis": "国办发〔2020〕42号",
        "promised_on": "2025-05-06",
        "milestones": [{"title": "核查经营场所条件", "due": "2025-05-20"}],
    })
}

async fn story(t: TestApp) {
    let approver = t
        .session_for(Role::SubmittingDepartment, "320400", Some(APPROVER))
        .await;
    let office = t
        .session_for(Role::CreditOffice, "320400", Some(OFFICE_BODY))
        .await;
    let sibling_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let sibling_body = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_DEPT))
        .await;

    // ---- bad input: each refused with its code, nothing written, no number echoed ----
    let mut gov = pledge(PERSON);
    gov["kind"] = json!("investment_agreement");
    let mut both = pledge(PERSON);
    both["promisor_uscc"] = json!("91320400MA0000001T");
    for (req, code) in [
        (pledge(BAD_CHECK), "promisor_id_invalid"),
        (pledge("3204021988051"), "promisor_id_invalid"),
        // Oversized and hostile: refused the same way, never echoed.
        (pledge(&"3".repeat(20_000)), "promisor_id_invalid"),
        (pledge("<script>alert(1)</script>"), "promisor_id_invalid"),
        (gov, "promisor_not_government"),
        (both, "promisor_ambiguous"),
    ] {
        let (s, v) = t
            .call("POST", "/api/v1/commitments", &approver, Some(req))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{code}: {v}");
        assert_eq!(v["code"], code, "{v}");
        let text = v.to_string();
        assert!(!text.is_ascii(), "a Chinese message: {v}");
        assert!(
            !text.contains(PERSON)
                && !text.contains(BAD_CHECK)
                && !text.contains("<script>")
                && !text.contains("33333333"),
            "no number in clear in an error: {v}"
        );
    }
    let (_, list) = t.call("GET", "/api/v1/commitments", &office, None).await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing written: {list}");
    assert!(t
        .store
        .subject_by_id_hash(&t.state.id_hasher.hash(PERSON))
        .await
        .unwrap()
        .is_none());

    // ---- registered by the approving body: masked, not public ----
    let (s, c) = t
        .call(
            "POST",
            "/api/v1/commitments",
            &approver,
            Some(pledge(PERSON)),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["promisor_id_masked"], MASKED, "{c}");
    assert_eq!(c["promisor_uscc"], "");
    assert_eq!(c["public"], false, "a person's pledge is not published");
    assert!(!c.to_string().contains(PERSON));
    let id = c["id"].as_str().unwrap().to_string();
    let person = t
        .store
        .subject_by_id_hash(&t.state.id_hasher.hash(PERSON))
        .await
        .unwrap()
        .expect("the person is a credit subject");
    assert_eq!(person.id_masked.as_deref(), Some(MASKED));
    assert_eq!(c["promisor_subject_id"], person.id.to_string());

    // The portal's 承诺公示 does not show it, by name or otherwise.
    for q in ["%E7%8E%8B%E6%99%93%E6%98%8E", "%E9%A3%9F%E5%93%81"] {
        let (_, page) = t
            .call(
                "GET",
                &format!("/portal/commitments?q={q}"),
                &Cred::None,
                None,
            )
            .await;
        let page = page.as_str().unwrap();
        assert!(!page.contains("食品经营许可告知承诺"), "{page}");
        assert!(!page.contains(PERSON));
    }

    // ---- the breach procedure: a false pledge ----
    let m = c["milestones"][0]["id"].as_str().unwrap().to_string();
    let version = |c: &serde_json::Value| c["milestones"][0]["version"].as_i64().unwrap();
    let (s, c) = t
        .call(
            "POST",
            &format!("/api/v1/commitments/{id}/steps"),
            &office,
            Some(json!({"milestone_id": m, "action": "notice", "expected_version": version(&c)})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, c) = t
        .call(
            "POST",
            &format!("/api/v1/commitments/{id}/steps"),
            &approver,
            Some(json!({"milestone_id": m, "action": "explain",
                        "text": "承诺人称场所正在改造，未如实说明。", "expected_version": version(&c)})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, c) = t
        .call(
            "POST",
            &format!("/api/v1/commitments/{id}/steps"),
            &office,
            Some(json!({"milestone_id": m, "action": "decide",
                        "finding": "经核查，经营场所不符合承诺的条件，属虚假承诺",
                        "doc_no": "常信用认〔2025〕7号", "expected_version": version(&c)})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["state_name"], "违约认定");
    let record_id: uuid::Uuid = c["milestones"][0]["record_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let record = t.store.record(record_id).await.unwrap().unwrap();
    assert_eq!(record.type_code, "commitment_breach");
    assert_eq!(record.subject_id, Some(person.id), "the person's record");
    assert_eq!(record.fields["promisor_id_no"], MASKED);
    assert!(record.fields.get("promisor_uscc").is_none());
    assert!(!serde_json::to_string(&record.fields)
        .unwrap()
        .contains(PERSON));

    // A check by the person's ID number reports it.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            &office,
            Some(json!({"scenario": "awards", "parties": [{"id_number": PERSON}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_ne!(v["results"][0]["verdict"], "pass", "{v}");
    assert!(v.to_string().contains("常信用认〔2025〕7号"), "{v}");

    // ---- the console: masked in the list and on the page; the archive has the record ----
    for uri in [
        "/console/commitments".to_string(),
        format!("/console/commitments/{id}"),
    ] {
        let (s, page) = t.call("GET", &uri, &approver, None).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        let page = page.as_str().unwrap();
        assert!(page.contains("王晓明"), "{uri}: {page}");
        assert!(page.contains(MASKED), "{uri}: {page}");
        assert!(!page.contains(PERSON), "{uri}: no number in clear");
    }
    let (s, page) = t
        .call(
            "GET",
            &format!("/console/subjects?subject={}", person.id),
            &office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(page.contains("常信用认〔2025〕7号"), "{page}");
    assert!(!page.contains(PERSON));

    // ---- siblings never see it ----
    for cred in [&sibling_office, &sibling_body] {
        let (s, v) = t
            .call("GET", &format!("/api/v1/commitments/{id}"), cred, None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        let (_, list) = t.call("GET", "/api/v1/commitments", cred, None).await;
        assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    }

    // ---- never in clear in the change log or the audit trail ----
    let changes = t
        .store
        .data_changes(&chengxin_store::AuditFilter::default())
        .await
        .unwrap();
    assert!(!changes.is_empty());
    assert!(!format!("{changes:?}").contains(PERSON));
    let audited = t
        .store
        .audit_events(&chengxin_store::AuditFilter::default())
        .await
        .unwrap();
    assert!(!serde_json::to_string(&audited).unwrap().contains(PERSON));

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(person_pledge_story, story);
