//! Government as purchaser and payer (政府采购, 拖欠账款; issue 18), the story on both backends:
//! a 常州 body's procurement contract with an SME — its payment falls due by《保障中小企业款项
//! 支付条例》第九条 30 days after acceptance; unpaid, the daily sweep enters it into the arrears
//! ledger and tells the body; an enterprise reports another arrear on the portal, which goes
//! 企业反映待确认 → 已确认 → 部分清偿 → 已清偿; beyond the configured limit the overdue payment
//! becomes a 失信 record of the body that a check then reports. Bad input is refused with its
//! code and nothing written; a sibling region sees none of it; totals per body, region and
//! month; the console and the portal show it; `verify` passes.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_testkit::*;
use chrono::NaiveDate;
use serde_json::json;

/// A 常州 city department (the purchaser), the credit office's body, a 溧阳 department, a 常州
/// company (the SME supplier) and a 溧阳 company (fictional, valid codes).
const PURCHASER: &str = "11320400MB00000015";
const OFFICE_BODY: &str = "11320400MB0000003B";
const LIYANG_DEPT: &str = "11320481MB00000274";
const COMPANY: &str = "91320400MA0000001T";
const LIYANG_COMPANY: &str = "91320481MA0000015J";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn contract(milestones: serde_json::Value) -> serde_json::Value {
    json!({
        "title": "政务服务中心办公设备采购",
        "contract_no": "CZCG-2025-018",
        "purchaser_uscc": PURCHASER,
        "purchaser_name": "常州市某机关事务管理局",
        "supplier_uscc": COMPANY,
        "supplier_name": "常州示范办公设备有限公司",
        "supplier_sme": true,
        "amount": "1000000.00",
        "signed_on": "2025-01-10",
        "milestones": milestones,
    })
}

fn three() -> serde_json::Value {
    json!([
        {"kind": "delivery", "title": "设备到货", "due": "2025-02-10"},
        {"kind": "acceptance", "title": "到货验收", "due": "2025-02-20"},
        {"kind": "payment", "title": "合同款（验收后支付）", "amount": "800000.00"},
        {"kind": "payment", "title": "质保金", "due": "2025-12-31", "amount": "200000"},
    ])
}

fn report() -> serde_json::Value {
    json!({
        "debtor_uscc": PURCHASER,
        "contract_no": "CZWB-2025-007",
        "contract_name": "办公楼电梯维保服务",
        "contract_amount": "60000.00",
        "amount": "50000.00",
        "due": "2025-04-30",
        "signed_on": "2025-01-02",
        "creditor_sme": true,
        "note": "维保服务已完成，款项逾期未付。"
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
        &format!("/api/v1/arrears/{id}/steps"),
        cred,
        Some(body),
    )
    .await
}

async fn story(t: TestApp) {
    let body = t
        .session_for(Role::SubmittingDepartment, "320400", Some(PURCHASER))
        .await;
    let office = t
        .session_for(Role::CreditOffice, "320400", Some(OFFICE_BODY))
        .await;
    let company = t.session_for(Role::Subject, "320400", Some(COMPANY)).await;
    let sibling_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let sibling_body = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_DEPT))
        .await;
    let sibling_company = t
        .session_for(Role::Subject, "320481", Some(LIYANG_COMPANY))
        .await;

    // ---- bad input: each refused with its code, nothing written ----
    let mut bad = Vec::new();
    let mut b = contract(json!([{"kind": "delivery", "title": "x", "due": "2025-01-01"}]));
    bad.push((b.clone(), "due_before_signing"));
    b = contract(three());
    b["amount"] = json!("-5");
    bad.push((b.clone(), "amount_negative"));
    b["amount"] = json!("一百万");
    bad.push((b.clone(), "amount_invalid"));
    b = contract(three());
    b["purchaser_uscc"] = json!(COMPANY);
    bad.push((b.clone(), "purchaser_not_government"));
    b = contract(three());
    b["payment_days"] = json!(61);
    bad.push((b.clone(), "payment_term_too_long"));
    b = contract(json!([{"kind": "gift", "title": "x", "due": "2025-02-01"}]));
    bad.push((b.clone(), "milestone_kind_unknown"));
    b = contract(json!([{"kind": "payment", "title": "x", "amount": "2000000"}]));
    bad.push((b, "payments_exceed_contract"));
    for (req, code) in bad {
        let (s, v) = t
            .call("POST", "/api/v1/procurement/contracts", &office, Some(req))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{code}: {v}");
        assert_eq!(v["code"], code, "{v}");
        assert!(!v["message"].as_str().unwrap().is_ascii(), "{v}");
    }
    let (_, list) = t
        .call("GET", "/api/v1/procurement/contracts", &office, None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing half written");
    assert!(t.store.subject_by_uscc(PURCHASER).await.unwrap().is_none());
    // A sibling county's office may not register a 常州 body's contract.
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/procurement/contracts",
            &sibling_office,
            Some(contract(three())),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // ---- the body registers its contract: the payment falls due 30 days after acceptance ----
    let (s, c) = t
        .call(
            "POST",
            "/api/v1/procurement/contracts",
            &body,
            Some(contract(three())),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let contract_id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["payment_days"], 30);
    assert!(
        c["terms_basis"].as_str().unwrap().contains("第九条")
            && c["terms_basis"]
                .as_str()
                .unwrap()
                .contains("国务院令第802号"),
        "{c}"
    );
    assert_eq!(c["milestones"][2]["due"], "2025-03-22", "{c}");
    for seq in [0, 1] {
        let m = &c["milestones"][seq];
        let (s, v) = t
            .call(
                "POST",
                &format!("/api/v1/procurement/contracts/{contract_id}/milestones"),
                &body,
                Some(json!({"milestone_id": m["id"], "on": m["due"], "expected_version": m["version"]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }

    // ---- the sweep: the overdue payment enters the ledger (once), the body is told ----
    let store = t.store.as_ref();
    let r = chengxin_app::arrears::sweep::sweep(store, d("2025-06-02"))
        .await
        .unwrap();
    assert_eq!((r.entered, r.recorded), (1, 0), "{r:?}");
    let again = chengxin_app::arrears::sweep::sweep(store, d("2025-06-02"))
        .await
        .unwrap();
    assert_eq!((again.entered, again.notifications), (0, 0), "idempotent");
    let (_, c) = t
        .call(
            "GET",
            &format!("/api/v1/procurement/contracts/{contract_id}"),
            &body,
            None,
        )
        .await;
    assert_eq!(c["milestones"][2]["state"], "in_ledger", "{c}");
    let overdue_id = c["milestones"][2]["arrear_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, a) = t
        .call("GET", &format!("/api/v1/arrears/{overdue_id}"), &body, None)
        .await;
    assert_eq!(a["state_name"], "已确认", "{a}");
    assert_eq!(a["outstanding"], "800000.00");
    assert_eq!(a["days_overdue"], 72);
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &body, None).await;
    assert!(
        inbox.to_string().contains("合同付款逾期"),
        "the body is told: {inbox}"
    );
    // Paid through the ledger, not by marking the milestone.
    let m = &c["milestones"][2];
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/procurement/contracts/{contract_id}/milestones"),
            &body,
            Some(json!({"milestone_id": m["id"], "expected_version": m["version"]})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("milestone_in_ledger"))
    );

    // ---- an enterprise reports an arrear through the portal ----
    let mut bad = Vec::new();
    let mut b = report();
    b["debtor_uscc"] = json!(LIYANG_COMPANY);
    bad.push((b, "purchaser_not_government"));
    let mut b = report();
    b["amount"] = json!("-1");
    bad.push((b, "amount_negative"));
    let mut b = report();
    b["amount"] = json!("五万元");
    bad.push((b, "amount_invalid"));
    let mut b = report();
    b["signed_on"] = json!("2025-05-10");
    bad.push((b, "due_before_signing"));
    for (req, code) in bad {
        let (s, v) = t
            .call("POST", "/api/v1/portal/arrears", &company, Some(req))
            .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{v}"
        );
    }
    let (_, mine) = t.call("GET", "/api/v1/arrears", &company, None).await;
    assert_eq!(
        mine.as_array().unwrap().len(),
        1,
        "only the contract's overdue payment, owed to it: nothing half written: {mine}"
    );
    assert_eq!(mine[0]["id"].as_str(), Some(overdue_id.as_str()));
    let (s, a) = t
        .call("POST", "/api/v1/portal/arrears", &company, Some(report()))
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(a["state_name"], "企业反映待确认");
    assert_eq!(a["source"], "portal");
    // The body is told, and sees it in its ledger.
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &body, None).await;
    assert!(inbox.to_string().contains("企业反映拖欠账款"), "{inbox}");

    // ---- siblings never see any of it; unknown items are 404 ----
    for cred in [&sibling_office, &sibling_body, &sibling_company] {
        for path in [
            format!("/api/v1/arrears/{id}"),
            format!("/api/v1/arrears/{overdue_id}"),
        ] {
            let (s, v) = t.call("GET", &path, cred, None).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        }
        let (_, list) = t.call("GET", "/api/v1/arrears", cred, None).await;
        assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
        let (_, totals) = t.call("GET", "/api/v1/arrears/totals", cred, None).await;
        assert_eq!(totals["total"]["count"], 0, "{totals}");
        assert_eq!(totals["total"]["reported_count"], 0, "{totals}");
    }
    let (s, _) = t
        .call(
            "GET",
            &format!("/api/v1/procurement/contracts/{contract_id}"),
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = step(
        &t,
        &sibling_office,
        &id,
        json!({"action": "confirm", "expected_version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let unknown = "01900000-0000-7000-8000-000000000000";
    let (s, _) = t
        .call(
            "GET",
            &format!("/api/v1/procurement/contracts/{unknown}"),
            &office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "unknown contract");
    let (s, _) = step(
        &t,
        &office,
        unknown,
        json!({"action": "pay", "amount": "1", "expected_version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "unknown arrear");

    // ---- reported → confirmed → partly paid → cleared ----
    let (s, v) = step(
        &t,
        &body,
        &id,
        json!({"action": "pay", "amount": "100", "expected_version": 1}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("arrear_illegal_step")),
        "a report is confirmed before it is paid: {v}"
    );
    let (s, v) = step(
        &t,
        &company,
        &id,
        json!({"action": "confirm", "expected_version": 1}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the creditor does not confirm: {v}"
    );
    let (s, a) = step(
        &t,
        &body,
        &id,
        json!({"action": "confirm", "expected_version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["state_name"], "已确认");
    let (s, _) = step(
        &t,
        &body,
        &id,
        json!({"action": "confirm", "expected_version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale version");
    let (s, a) = step(
        &t,
        &body,
        &id,
        json!({"action": "pay", "amount": "20000.00", "on": "2025-05-20", "expected_version": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(
        (a["state_name"].as_str(), a["outstanding"].as_str()),
        (Some("部分清偿"), Some("30000.00"))
    );
    for (amount, code) in [
        ("40000.00", "payment_exceeds_outstanding"),
        ("-3", "amount_negative"),
        ("abc", "amount_invalid"),
        ("0", "amount_not_positive"),
    ] {
        let (s, v) = step(
            &t,
            &body,
            &id,
            json!({"action": "pay", "amount": amount, "expected_version": 3}),
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{v}"
        );
    }
    let (s, a) = step(
        &t,
        &office,
        &id,
        json!({"action": "pay", "amount": "30000", "expected_version": 3}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["state_name"], "已清偿");
    assert_eq!(a["cleared_on"], "2025-06-02");
    let actions: Vec<&str> = a["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["report", "confirm", "pay", "pay"]);
    // The enterprise follows it.
    let (s, mine) = t
        .call("GET", &format!("/api/v1/arrears/{id}"), &company, None)
        .await;
    assert_eq!(
        (s, mine["state_name"].as_str()),
        (StatusCode::OK, Some("已清偿"))
    );
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &company, None).await;
    assert!(inbox.to_string().contains("已清偿"), "{inbox}");

    // ---- totals per body, region and month ----
    let (s, totals) = t.call("GET", "/api/v1/arrears/totals", &office, None).await;
    assert_eq!(s, StatusCode::OK, "{totals}");
    assert_eq!(totals["total"]["count"], 2, "{totals}");
    assert_eq!(totals["total"]["amount"], "850000.00");
    assert_eq!(totals["total"]["paid"], "50000.00");
    assert_eq!(totals["total"]["outstanding"], "800000.00");
    assert_eq!(totals["by_body"][0]["key"], PURCHASER);
    assert_eq!(totals["by_body"][0]["name"], "常州市某机关事务管理局");
    assert_eq!(totals["by_region"][0]["key"], "320400");
    let months: Vec<&str> = totals["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2025-03", "2025-04"]);
    let (_, own) = t.call("GET", "/api/v1/arrears/totals", &body, None).await;
    assert_eq!(own["total"]["outstanding"], "800000.00", "{own}");

    // ---- beyond the limit (90 days past 2025-03-22): a 失信 record of the body ----
    let late = t.on_day(d("2025-06-25"));
    let r = chengxin_app::arrears::sweep::sweep(store, d("2025-06-20"))
        .await
        .unwrap();
    assert_eq!(r.recorded, 0, "90 days are not beyond the limit: {r:?}");
    let r = chengxin_app::arrears::sweep::sweep(store, d("2025-06-25"))
        .await
        .unwrap();
    assert_eq!(r.recorded, 1, "{r:?}");
    let r = chengxin_app::arrears::sweep::sweep(store, d("2025-06-26"))
        .await
        .unwrap();
    assert_eq!(r.recorded, 0, "once: {r:?}");
    t.state.checks.catch_up(store).await.unwrap();
    let (_, a) = late
        .call(
            "GET",
            &format!("/api/v1/arrears/{overdue_id}"),
            &office,
            None,
        )
        .await;
    let record_id: uuid::Uuid = a["record_id"].as_str().unwrap().parse().unwrap();
    let record = t.store.record(record_id).await.unwrap().unwrap();
    assert_eq!(record.type_code, "procurement_arrears");
    assert_eq!(record.fields["debtor_uscc"], PURCHASER);
    assert!(
        record.fields["arrears_amount"]
            .as_str()
            .unwrap()
            .starts_with("800000"),
        "{:?}",
        record.fields
    );
    let subject = t.store.subject_by_uscc(PURCHASER).await.unwrap().unwrap();
    assert_eq!(record.subject_id, Some(subject.id));
    let (s, v) = late
        .call(
            "POST",
            "/api/v1/checks",
            &office,
            Some(json!({"scenario": "awards", "parties": [{"uscc": PURCHASER}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_ne!(v["results"][0]["verdict"], "pass", "{v}");
    assert!(
        v.to_string()
            .contains(&a["no"].as_str().unwrap().to_string()),
        "{v}"
    );
    let (_, inbox) = late.call("GET", "/api/v1/notifications", &body, None).await;
    assert!(inbox.to_string().contains("记入失信信息"), "{inbox}");
    // Siblings see no record either.
    let (s, _) = late
        .call(
            "GET",
            &format!("/api/v1/arrears/{overdue_id}"),
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // ---- cleared through the ledger: the contract's payment milestone is done ----
    let (s, a) = step(
        &late,
        &body,
        &overdue_id,
        json!({"action": "pay", "amount": "800000", "expected_version": a["version"]}),
    )
    .await;
    assert_eq!(
        (s, a["state_name"].as_str()),
        (StatusCode::OK, Some("已清偿")),
        "{a}"
    );
    let (_, c) = late
        .call(
            "GET",
            &format!("/api/v1/procurement/contracts/{contract_id}"),
            &body,
            None,
        )
        .await;
    assert_eq!(c["milestones"][2]["state"], "done", "{c}");

    // ---- the console and the portal ----
    let (s, page) = late.call("GET", "/console/arrears", &office, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    for want in [
        "拖欠账款",
        "常州市某机关事务管理局",
        "已清偿",
        "按欠款单位",
        "2025-04",
    ] {
        assert!(page.contains(want), "{want}");
    }
    let (s, page) = late
        .call(
            "GET",
            &format!("/console/arrears/{overdue_id}"),
            &office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("已记入欠款单位失信信息"));
    let (s, page) = late
        .call(
            "GET",
            &format!("/console/procurement/{contract_id}"),
            &body,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("国务院令第802号"));
    let (s, _) = late
        .call(
            "GET",
            &format!("/console/arrears/{id}"),
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, page) = late.call("GET", "/portal/arrears", &company, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("办公楼电梯维保服务") && page.contains("已清偿"),
        "{page}"
    );
    let (_, page) = late.call("GET", "/portal/arrears", &Cred::None, None).await;
    assert!(page.as_str().unwrap().contains("企业登录"));

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(arrears_story, story);
