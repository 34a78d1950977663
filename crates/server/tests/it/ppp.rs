//! PPP projects and 失信被执行人 cases (issue 18), on both backends: bad input refused with its
//! code and nothing written; a 常州 project moves through its stages with a change of the
//! 执行 stage's responsible person; a breach in 执行 becomes the government body's 失信 record
//! that a check reports, and 责任回溯 names the stage's responsible person on that date and the
//! body's principal; a body's 失信被执行人 case goes to 已履行 and leaves the not-cleared count;
//! a sibling region sees none of it; the console shows it; `verify` passes.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_domain::codes::id_number;
use chengxin_testkit::*;
use serde_json::json;

/// A 常州 district government (the government party), its finance bureau (implementing body),
/// a company (social capital), a 溧阳 department (fictional, valid codes).
const GOV: &str = "11320400MB00000015";
const IMPL: &str = "11320400MB00000028";
const OFFICE_BODY: &str = "11320400MB0000003B";
const LIYANG_DEPT: &str = "11320481MB00000274";
const COMPANY: &str = "91320400MA0000001T";

/// A valid ID number for a birth date and sequence.
fn id(birth: &str, seq: &str) -> String {
    let first = format!("320402{birth}{seq}");
    format!("{first}{}", id_number::check_char(&first).unwrap())
}

fn project() -> serde_json::Value {
    json!({
        "name": "常州市某区污水处理厂 PPP 项目",
        "gov_uscc": GOV,
        "gov_name": "常州市某区人民政府",
        "implementing_uscc": IMPL,
        "implementing_name": "常州市某区住房和城乡建设局",
        "private_uscc": COMPANY,
        "private_name": "常州示范环保水务有限公司",
        "contract_no": "常PPP合〔2022〕3号",
        "amount": "560000000.00",
        "identified_on": "2022-03-01",
    })
}

async fn story(t: TestApp) {
    let office = t
        .session_for(Role::CreditOffice, "320400", Some(OFFICE_BODY))
        .await;
    let body = t
        .session_for(Role::SubmittingDepartment, "320400", Some(GOV))
        .await;
    let sibling_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let sibling_body = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_DEPT))
        .await;
    let (a, b, c) = (
        id("19680312", "031"),
        id("19720805", "042"),
        id("19780921", "064"),
    );

    // ---- bad input: each refused with its code, nothing written ----
    let mut bad = Vec::new();
    let mut p = project();
    p["gov_uscc"] = json!(COMPANY);
    bad.push((p, "ppp_party_not_government"));
    p = project();
    p["amount"] = json!("-1");
    bad.push((p, "amount_negative"));
    p = project();
    p["amount"] = json!("五亿");
    bad.push((p, "amount_invalid"));
    p = project();
    p["identified_on"] = json!("2026-01-01");
    bad.push((p, "date_in_future"));
    p = project();
    p["responsible"] = json!({"id_number": a, "name": "陈建国", "post": "区长", "from": "2022-05-01", "to": "2022-04-01"});
    bad.push((p, "ppp_period_end_before_start"));
    p = project();
    p["responsible"] = json!({"id_number": "320402196813450311", "name": "陈建国", "post": "区长"});
    bad.push((p, "id_number_invalid"));
    for (req, code) in bad {
        let (s, v) = t
            .call("POST", "/api/v1/ppp-projects", &office, Some(req))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{code}: {v}");
        assert_eq!(v["code"], code, "{v}");
        assert!(!v["message"].as_str().unwrap().is_ascii(), "{v}");
        assert!(!v.to_string().contains(&a), "no clear ID number: {v}");
    }
    let (_, list) = t.call("GET", "/api/v1/ppp-projects", &office, None).await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing written: {list}");
    assert!(t.store.subject_by_uscc(GOV).await.unwrap().is_none());
    let (s, v) = t
        .call(
            "GET",
            "/api/v1/ppp-projects/0190a0a0-0000-7000-8000-000000000000",
            &office,
            None,
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    // ---- the body's principal, from employment history ----
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/employments",
            &office,
            Some(json!({"rows": [
                {"id_number": c, "name": "周海燕", "body_uscc": GOV, "body_name": "常州市某区人民政府",
                 "post": "区长", "principal": true, "start_date": "2021-01-01"},
            ]})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "the body is not registered yet: {v}"
    );

    // ---- registered with 识别's responsible person ----
    let mut req = project();
    req["responsible"] = json!({"id_number": a, "name": "陈建国", "post": "区发展改革局局长"});
    let (s, pj) = t
        .call("POST", "/api/v1/ppp-projects", &body, Some(req))
        .await;
    assert_eq!(s, StatusCode::OK, "{pj}");
    let pid = pj["id"].as_str().unwrap().to_string();
    assert_eq!(pj["stage_name"], "识别");
    assert_eq!(pj["amount"], "560000000.00");
    assert_eq!(pj["responsibles"][0]["from"], "2022-03-01");
    assert!(!pj.to_string().contains(&a), "masked: {pj}");
    assert_eq!(
        pj["responsibles"][0]["id_masked"],
        id_number::mask(&a),
        "{pj}"
    );
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/employments",
            &office,
            Some(json!({"rows": [
                {"id_number": c, "name": "周海燕", "body_uscc": GOV, "body_name": "常州市某区人民政府",
                 "post": "区长", "principal": true, "start_date": "2021-01-01"},
            ]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // ---- stages in order, dated in order ----
    let adv =
        |stage: &str, on: &str, v: i64| json!({"stage": stage, "on": on, "expected_version": v});
    let path = format!("/api/v1/ppp-projects/{pid}/stages");
    let (s, v) = t
        .call(
            "POST",
            &path,
            &body,
            Some(adv("execution", "2022-06-01", 1)),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("ppp_stage_out_of_order")),
        "{v}"
    );
    let (s, v) = t
        .call(
            "POST",
            &path,
            &body,
            Some(adv("preparation", "2022-02-01", 1)),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ppp_stage_date_out_of_order")),
        "{v}"
    );
    let (s, v) = t
        .call("POST", &path, &body, Some(adv("运营", "2022-06-01", 1)))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ppp_stage_unknown")),
        "{v}"
    );
    let mut version = 1;
    for (stage, on) in [
        ("preparation", "2022-06-01"),
        ("procurement", "2022-10-01"),
        ("执行", "2023-04-01"),
    ] {
        let (s, v) = t
            .call("POST", &path, &body, Some(adv(stage, on, version)))
            .await;
        assert_eq!(s, StatusCode::OK, "{stage}: {v}");
        version = v["version"].as_i64().unwrap();
    }
    let (s, _) = t
        .call(
            "POST",
            &path,
            &body,
            Some(adv("handover", "2024-01-01", version - 1)),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale version");

    // ---- 执行's responsible person, then a change of person ----
    let rpath = format!("/api/v1/ppp-projects/{pid}/responsibles");
    let resp = |n: &str, name: &str, post: &str, from: &str| json!({"stage": "execution", "id_number": n, "name": name, "post": post, "from": from});
    let (s, v) = t
        .call(
            "POST",
            &rpath,
            &body,
            Some(resp(&a, "陈建国", "区财政局局长", "2023-03-01")),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ppp_period_before_stage")),
        "{v}"
    );
    let (s, v) = t
        .call(
            "POST",
            &rpath,
            &body,
            Some(json!({"stage": "handover", "id_number": a, "name": "陈建国", "post": "局长"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ppp_stage_not_reached")),
        "{v}"
    );
    let (s, _) = t
        .call(
            "POST",
            &rpath,
            &body,
            Some(resp(&a, "陈建国", "区财政局局长", "2023-04-01")),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, pj) = t
        .call(
            "POST",
            &rpath,
            &body,
            Some(resp(&b, "刘慧敏", "区财政局局长", "2024-07-01")),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{pj}");
    let exec: Vec<&serde_json::Value> = pj["responsibles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "execution")
        .collect();
    assert_eq!(exec.len(), 2, "{pj}");
    assert_eq!(
        exec[0]["to"], "2024-06-30",
        "the predecessor's period ends: {pj}"
    );
    assert!(exec[1]["to"].is_null());
    // An overlapping closed period in the same stage is refused, nothing written.
    let mut overlapping = resp(&c, "周海燕", "区财政局副局长", "2024-06-01");
    overlapping["to"] = json!("2024-08-31");
    let (s, v) = t.call("POST", &rpath, &body, Some(overlapping)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ppp_responsible_overlap")),
        "{v}"
    );
    let (_, now) = t
        .call("GET", &format!("/api/v1/ppp-projects/{pid}"), &body, None)
        .await;
    assert_eq!(now["responsibles"].as_array().unwrap().len(), 3, "{now}");

    // ---- a breach in 执行 becomes the body's 失信 record ----
    let bpath = format!("/api/v1/ppp-projects/{pid}/breaches");
    let breach = json!({"occurred_on": "2024-03-15", "finding": "未按 PPP 合同约定支付可行性缺口补助",
        "doc_no": "常信用认〔2025〕7号", "amount": "12500000.50", "severity": "major", "decided_on": "2025-05-20"});
    let (s, v) = t.call("POST", &bpath, &body, Some(breach.clone())).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step")),
        "{v}"
    );
    let mut early = breach.clone();
    early["occurred_on"] = json!("2021-01-01");
    let (s, v) = t.call("POST", &bpath, &office, Some(early)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ppp_breach_before_project")),
        "{v}"
    );
    let mut neg = breach.clone();
    neg["amount"] = json!("-3");
    let (s, v) = t.call("POST", &bpath, &office, Some(neg)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("amount_negative")),
        "{v}"
    );
    let (s, pj) = t.call("POST", &bpath, &office, Some(breach)).await;
    assert_eq!(s, StatusCode::OK, "{pj}");
    assert_eq!(pj["breaches"].as_array().unwrap().len(), 1, "{pj}");
    let br = &pj["breaches"][0];
    assert_eq!(br["stage_name"], "执行");
    let record_id: uuid::Uuid = br["record_id"].as_str().unwrap().parse().unwrap();
    let record = t.store.record(record_id).await.unwrap().unwrap();
    assert_eq!(record.type_code, "ppp_breach");
    assert_eq!(record.doc_no, "常信用认〔2025〕7号");
    assert_eq!(record.fields["stage"], "execution");
    assert_eq!(record.fields["subject_uscc"], GOV);
    assert_eq!(record.fields["amount"], "1250.00005");
    assert!(record.fields["responsible_person"]
        .as_str()
        .unwrap()
        .contains("陈建国"));
    let gov = t.store.subject_by_uscc(GOV).await.unwrap().unwrap();
    assert_eq!(record.subject_id, Some(gov.id));
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            &office,
            Some(json!({"scenario": "awards", "parties": [{"uscc": GOV}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_ne!(v["results"][0]["verdict"], "pass", "{v}");
    assert!(v.to_string().contains("常信用认〔2025〕7号"), "{v}");
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &body, None).await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["title"].as_str().unwrap().contains("PPP 项目失信违约")),
        "{inbox}"
    );

    // ---- 责任回溯: the stage's responsible person on the breach date, and the principal ----
    let bid = br["id"].as_str().unwrap();
    let (s, r) = t
        .call("GET", &format!("{bpath}/{bid}/responsible"), &office, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["stage_name"], "执行");
    assert_eq!(r["stage_holders"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["stage_holders"][0]["name"], "陈建国", "{r}");
    assert_eq!(r["stage_holders"][0]["to"], "2024-06-30");
    assert_eq!(r["body"]["principals"][0]["name"], "周海燕", "{r}");
    for n in [&a, &b, &c] {
        assert!(!r.to_string().contains(n.as_str()), "clear ID number: {r}");
    }

    // ---- the 诚信档案 lists the body's commitments and the breach for those responsible ----
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/commitments",
            &body,
            Some(json!({"kind": "contract", "title": "污水管网运维服务合同", "promisor_uscc": GOV,
                "counterparty_name": "常州示范环保水务有限公司", "content": "按季度支付运维服务费。",
                "legal_basis": "《污水管网运维服务合同》", "promised_on": "2025-01-10",
                "milestones": [{"title": "支付第一季度运维服务费", "due": "2025-04-10"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, f) = t
        .call(
            "POST",
            "/api/v1/integrity-files/lookup",
            &office,
            Some(json!({"id_number": c, "purpose": "干部调任审查"})),
        )
        .await;
    let events: Vec<&str> = f["responsibilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "承诺")
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events.len(),
        2,
        "the promise and the milestone, as principal: {f}"
    );
    for (n, role) in [(&a, "执行阶段政府方责任人"), (&c, "主要负责人")] {
        let (s, f) = t
            .call(
                "POST",
                "/api/v1/integrity-files/lookup",
                &office,
                Some(json!({"id_number": n, "purpose": "干部调任审查"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        let rs = f["responsibilities"].as_array().unwrap();
        assert!(
            rs.iter().any(|r| r["breach"] == true
                && r["event"].as_str().unwrap().contains("常信用认〔2025〕7号")
                && r["role"].as_str().unwrap().contains(role)),
            "{f}"
        );
    }
    let (_, f) = t
        .call(
            "POST",
            "/api/v1/integrity-files/lookup",
            &office,
            Some(json!({"id_number": b, "purpose": "干部调任审查"})),
        )
        .await;
    assert_eq!(
        f["responsibilities"].as_array().unwrap().len(),
        0,
        "the successor was not in post on the breach date: {f}"
    );

    // ---- 失信被执行人: bad input, then a case until cleared ----
    let case = |no: &str, uscc: &str, amount: &str| {
        json!({"case_no": no, "court": "常州市某区人民法院", "body_uscc": uscc,
               "body_name": "常州市某区住房和城乡建设局", "amount": amount, "listed_on": "2024-11-01"})
    };
    for (req, code) in [
        (
            case("（2024）苏0412执1号", COMPANY, "100"),
            "debtor_not_government",
        ),
        (case("（2024）苏0412执1号", GOV, "-100"), "amount_negative"),
        (case("（2024）苏0412执1号", GOV, "一百"), "amount_invalid"),
    ] {
        let (s, v) = t
            .call("POST", "/api/v1/debtor-cases", &office, Some(req))
            .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{v}"
        );
    }
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/debtor-cases",
            &body,
            Some(case("（2024）苏0412执1号", GOV, "100")),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "only the credit office registers: {v}"
    );
    let (_, reg) = t
        .call("GET", "/api/v1/debtor-cases/register", &office, None)
        .await;
    assert_eq!(reg["open_total"], 0, "nothing written: {reg}");
    let (s, dc) = t
        .call(
            "POST",
            "/api/v1/debtor-cases",
            &office,
            Some(case("（2024）苏0412执1234号", GOV, "3200000.00")),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{dc}");
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/debtor-cases",
            &office,
            Some(case("（2024）苏0412执1234号", GOV, "1")),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("debtor_case_exists")),
        "{v}"
    );
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/debtor-cases",
            &office,
            Some(case("（2024）苏0412执2000号", IMPL, "50000")),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let cid = dc["id"].as_str().unwrap().to_string();
    assert_eq!(dc["state_name"], "未履行");
    let (_, reg) = t
        .call("GET", "/api/v1/debtor-cases/register", &office, None)
        .await;
    assert_eq!(reg["open_total"], 2, "{reg}");
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &body, None).await;
    assert!(
        inbox["items"].as_array().unwrap().iter().any(|i| i["title"]
            .as_str()
            .unwrap()
            .contains("纳入失信被执行人名单")),
        "the body is told: {inbox}"
    );
    let ppath = format!("/api/v1/debtor-cases/{cid}/progress");
    let (s, v) = t
        .call(
            "POST",
            &ppath,
            &body,
            Some(json!({"state": "performed", "note": "已全部履行", "expected_version": 1})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step")),
        "{v}"
    );
    let (s, dc) = t
        .call(
            "POST",
            &ppath,
            &body,
            Some(json!({"state": "部分履行", "on": "2025-01-10",
            "note": "已支付 200 万元，余款列入 2025 年预算", "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{dc}");
    assert_eq!(dc["state_name"], "部分履行");
    let (s, v) = t
        .call(
            "POST",
            &ppath,
            &office,
            Some(json!({"state": "unperformed", "note": "x", "expected_version": 2})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("debtor_illegal_step")),
        "{v}"
    );
    let (s, dc) = t
        .call(
            "POST",
            &ppath,
            &office,
            Some(json!({"state": "performed", "on": "2025-05-30",
            "note": "余款 120 万元已支付，法院已屏蔽失信信息", "expected_version": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{dc}");
    assert_eq!(dc["state_name"], "已履行");
    assert_eq!(dc["cleared_on"], "2025-05-30");
    assert_eq!(dc["notes"].as_array().unwrap().len(), 3);
    let (_, reg) = t
        .call("GET", "/api/v1/debtor-cases/register", &office, None)
        .await;
    assert_eq!(
        reg["open_total"], 1,
        "the cleared case left the count: {reg}"
    );
    assert_eq!(reg["regions"][0]["cleared"], 1, "{reg}");
    assert!(reg["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != cid.as_str()));

    // ---- a sibling region sees none of it ----
    for cred in [&sibling_office, &sibling_body] {
        let (s, _) = t
            .call("GET", &format!("/api/v1/ppp-projects/{pid}"), cred, None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, l) = t.call("GET", "/api/v1/ppp-projects", cred, None).await;
        assert_eq!(l.as_array().unwrap().len(), 0, "{l}");
        let (s, _) = t
            .call("GET", &format!("{bpath}/{bid}/responsible"), cred, None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = t
            .call("GET", &format!("/api/v1/debtor-cases/{cid}"), cred, None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, l) = t.call("GET", "/api/v1/debtor-cases", cred, None).await;
        assert_eq!(l.as_array().unwrap().len(), 0, "{l}");
    }
    let (_, reg) = t
        .call(
            "GET",
            "/api/v1/debtor-cases/register",
            &sibling_office,
            None,
        )
        .await;
    assert_eq!(reg["open_total"], 0, "{reg}");
    assert_eq!(reg["regions"].as_array().unwrap().len(), 0, "{reg}");

    // ---- import of cases: a file with a bad row refused whole, the fixed file registered ----
    let header = "案号,执行法院,被执行人统一社会信用代码,被执行人名称,执行标的（元）,纳入名单日期";
    let bad = format!(
        "{header}\n（2025）苏0412执1号,常州市某区人民法院,{GOV},,80000,2025-02-01\n（2025）苏0412执2号,常州市某区人民法院,{COMPANY},,-5,2025-02-01\n"
    );
    let (s, v) = upload(
        &t,
        "/api/v1/debtor-cases/import?file_name=d.csv",
        &office,
        bad.into_bytes(),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("debtor_rows_rejected")),
        "{v}"
    );
    let codes: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"debtor_not_government") && codes.contains(&"amount_negative"),
        "{v}"
    );
    let (_, reg) = t
        .call("GET", "/api/v1/debtor-cases/register", &office, None)
        .await;
    assert_eq!(
        reg["open_total"], 1,
        "nothing of the bad file written: {reg}"
    );
    let good =
        format!("{header}\n（2025）苏0412执1号,常州市某区人民法院,{GOV},,80000,2025-02-01\n");
    let (s, v) = upload(
        &t,
        "/api/v1/debtor-cases/import?file_name=d.csv",
        &office,
        good.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["created"], 1, "{v}");
    let (s, v) = upload(
        &t,
        "/api/v1/debtor-cases/import?file_name=d.csv",
        &office,
        good.into_bytes(),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("debtor_case_exists")),
        "{v}"
    );
    let (_, reg) = t
        .call("GET", "/api/v1/debtor-cases/register", &office, None)
        .await;
    assert_eq!(reg["open_total"], 2, "{reg}");

    // ---- the console ----
    let (s, page) = t
        .call("GET", &format!("/console/ppp/{pid}"), &office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    for want in [
        "常州市某区污水处理厂 PPP 项目",
        "执行",
        "陈建国",
        "刘慧敏",
        "常信用认〔2025〕7号",
        "周海燕",
    ] {
        assert!(page.contains(want), "{want}");
    }
    for n in [&a, &b, &c] {
        assert!(!page.contains(n.as_str()), "clear ID number on the page");
    }
    let (s, page) = t.call("GET", "/console/debtors", &office, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("（2024）苏0412执2000号"));
    let (s, _) = t
        .call("GET", &format!("/console/ppp/{pid}"), &sibling_office, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t
        .call("GET", &format!("/console/debtors/{cid}"), &body, None)
        .await;
    assert_eq!(s, StatusCode::OK);

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

/// POST a file's bytes with the session's credentials.
async fn upload(
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
        .header("content-type", "text/csv");
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

both_backends!(ppp_story, story);
