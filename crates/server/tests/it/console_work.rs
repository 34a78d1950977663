//! The credit office's work in the console (issue 17), on both backends: a list entry walked
//! from 认定 to 生效 to 移出 through the console's forms (POST with the session's CSRF token),
//! deadlines from the official calendar and who did each step on the entry's page; a sibling
//! county's credit office gets 403/404 and changes nothing.

use axum::http::StatusCode;
use chengxin_access::Role;
#[allow(unused_imports)]
use chengxin_testkit::TestApp;
use chengxin_testkit::*;
use serde_json::json;

/// A 武进 department (fictional code), the recognising body.
const WUJIN_DEPT: &str = "11320412MB00000276";
const COMPANY: &str = "91320412MA1MXK2L83";

async fn page(t: &TestApp, uri: &str, cred: &Cred) -> (StatusCode, String) {
    let (s, v) = t.call("GET", uri, cred, None).await;
    (
        s,
        v.as_str()
            .map(String::from)
            .unwrap_or_else(|| v.to_string()),
    )
}

async fn lists(t: TestApp) {
    t.import(WUJIN_DEPT, vec![import_row(2, "武进罚1", "2025-03-03")])
        .await;
    let office = t.session_for(Role::CreditOffice, "320412", None).await;
    let liyang = t.session_for(Role::CreditOffice, "320481", None).await;
    // The list page offers the 认定 form, no more "call the API".
    let (s, html) = page(&t, "/console/lists", &office).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("提交认定"), "{html}");
    assert!(html.contains("严重失信"), "list names: {html}");
    assert!(!html.contains("/api/v1/list-entries"), "{html}");
    // A proposal without the recognising body's code is refused, in Chinese.
    let mut form = json!({"list": "serious_dishonest", "subject": "常州甲公司",
        "standard": "拒不履行法定义务", "basis": "《江苏省社会信用条例》第三十条",
        "evidence": "常武罚〔2025〕1号\n常武罚〔2025〕2号"});
    let (s, v) = t
        .call(
            "POST",
            "/console/lists/propose",
            &office,
            Some(form.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "recognising_body_code_required", "{v}");
    assert!(v["message"].as_str().unwrap().contains("统一社会信用代码"));
    // An unknown subject, likewise.
    let mut unknown = form.clone();
    unknown["subject"] = json!("不存在的公司");
    unknown["recognised_by_uscc"] = json!(WUJIN_DEPT);
    let (s, v) = t
        .call("POST", "/console/lists/propose", &office, Some(unknown))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("subject_not_found")),
        "{v}"
    );
    // Without the CSRF token the form is refused.
    let Cred::Session { cookie, .. } = &office else {
        panic!()
    };
    let no_csrf = Cred::Session {
        cookie: cookie.clone(),
        csrf: "x".into(),
    };
    form["recognised_by_uscc"] = json!(WUJIN_DEPT);
    let (s, _) = t
        .call(
            "POST",
            "/console/lists/propose",
            &no_csrf,
            Some(form.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // 溧阳's credit office neither finds the 武进 company by its name nor proposes for a
    // 武进 body.
    let (s, v) = t
        .call(
            "POST",
            "/console/lists/propose",
            &liyang,
            Some(form.clone()),
        )
        .await;
    assert_eq!(v["code"], "subject_not_found", "{v}");
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let mut by_code = form.clone();
    by_code["subject"] = json!(COMPANY);
    let (s, v) = t
        .call("POST", "/console/lists/propose", &liyang, Some(by_code))
        .await;
    assert!(
        matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{s} {v}"
    );
    assert!(t
        .store
        .list_entries(&Default::default())
        .await
        .unwrap()
        .is_empty());
    // 认定.
    let (s, v) = t
        .call("POST", "/console/lists/propose", &office, Some(form))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let row = t
        .store
        .list_entry(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.subject_id,
        t.store
            .subject_by_uscc(COMPANY)
            .await
            .unwrap()
            .map(|s| s.id)
    );
    let by = row.entry["history"][0]["by"].as_str().unwrap().to_string();
    let name = by.strip_prefix("account:").unwrap();
    assert_eq!(row.entry["evidence"].as_array().unwrap().len(), 2);
    let uri = format!("/console/lists/{id}");
    let act = format!("/console/lists/{id}/actions");
    let (s, html) = page(&t, &uri, &office).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    for want in [
        "常州甲公司",
        "拟列入",
        "认定（拟列入）",
        name,
        "开始公示",
        "7 个工作日",
        "常州市武进区",
        "常武罚〔2025〕2号",
    ] {
        assert!(html.contains(want), "{want}: {html}");
    }
    // The list links to it.
    let (_, list) = page(&t, "/console/lists", &office).await;
    assert!(list.contains(&uri), "{list}");
    // The sibling county sees nothing and changes nothing.
    let (s, html) = page(&t, &uri, &liyang).await;
    assert!(
        matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{s}"
    );
    assert!(!html.contains("常州甲公司"), "{html}");
    let (s, _) = t
        .call(
            "POST",
            &act,
            &liyang,
            Some(json!({"action": "start_publicity", "expected_version": 1})),
        )
        .await;
    assert!(
        matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{s}"
    );
    // 公示 (7 working days on the official calendar from Monday 2 June 2025: until 11 June).
    let (s, v) = t
        .call("POST", &act, &office, Some(json!({"action": "start_publicity", "note": "常信公〔2025〕3号", "expected_version": 1})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, html) = page(&t, &uri, &office).await;
    for want in ["公示中", "2025-06-11", "记录异议", "常信公〔2025〕3号"] {
        assert!(html.contains(want), "{want}: {html}");
    }
    // The dashboard counts what the list it links to shows: 武进's entry, not for 溧阳.
    let figure =
        |n: usize| format!("href=\"/console/lists?status=publicity\"><div class=\"n\">{n}</div>");
    let (_, dash) = page(&t, "/console", &office).await;
    assert!(dash.contains(&figure(1)), "{dash}");
    let (_, dash) = page(&t, "/console", &liyang).await;
    assert!(dash.contains(&figure(0)), "{dash}");
    let (_, list) = page(&t, "/console/lists?status=publicity", &liyang).await;
    assert!(list.contains("共 0 条"), "{list}");
    // An objection during publicity; taking effect then is refused, in Chinese.
    let (s, v) = t
        .call("POST", &act, &office, Some(json!({"action": "raise_objection", "note": "当事人称已履行", "expected_version": 2})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = t
        .call(
            "POST",
            &act,
            &office,
            Some(json!({"action": "take_effect", "expected_version": 3})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{v}"
    );
    let (_, html) = page(&t, &uri, &office).await;
    assert!(
        html.contains("异议不成立") && html.contains("当事人称已履行"),
        "{html}"
    );
    let (s, v) = t
        .call("POST", &act, &office, Some(json!({"action": "dismiss_objection", "note": "经核查未履行", "expected_version": 3})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // 生效 the day after the window.
    let later = t.on_day(chrono::NaiveDate::from_ymd_opt(2025, 6, 12).unwrap());
    let (s, v) = later
        .call("POST", &act, &office, Some(json!({"action": "take_effect", "note": "常信决〔2025〕5号", "expected_version": 4})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, html) = page(&later, &uri, &office).await;
    for want in [
        "已生效",
        "2025-06-12",
        "2028-06-11",
        "常信决〔2025〕5号",
        "信用修复",
    ] {
        assert!(html.contains(want), "{want}: {html}");
    }
    // 移出 (撤销认定).
    let (s, v) = later
        .call("POST", &act, &office, Some(json!({"action": "remove", "reason": "revoked", "note": "常信撤〔2025〕1号", "expected_version": 5})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, html) = page(&later, &uri, &office).await;
    for want in ["已移出", "移出（撤销认定）", "常信撤〔2025〕1号"] {
        assert!(html.contains(want), "{want}: {html}");
    }
    let row = t
        .store
        .list_entry(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "removed");
    let steps = row.entry["history"].as_array().unwrap();
    assert_eq!(steps.len(), 6, "{steps:?}");
    assert!(steps.iter().all(|s| s["by"] == by.as_str()), "{steps:?}");
    t.cleanup().await;
}
both_backends!(a_list_entry_walked_through_the_console, lists);

/// 常州市财政局 (`data/measures/bodies.toml`).
const FINANCE: &str = "11320400MB0000019Y";

async fn cases(t: TestApp) {
    use chengxin_app::lists::{refresh_imported, SourceRow, COURT_LIST};
    // A 武进 company and a 溧阳 one enter the court's list on 3 March 2025; their cases open.
    let hasher = chengxin_domain::subjects::IdHasher::new([3; 32]);
    let rows = [
        ("常州市乙建设工程有限公司", COMPANY),
        ("溧阳某某贸易有限公司", "91320481MA0000015J"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, uscc))| SourceRow {
        row: i as u64 + 2,
        name: (*name).into(),
        uscc: Some((*uscc).into()),
        id_number: None,
        case_no: format!("（2025）苏执{}号", i + 100),
    })
    .collect();
    let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    refresh_imported(t.store.as_ref(), &hasher, "test", COURT_LIST, rows, day)
        .await
        .unwrap();
    // Today (2 June) nobody has sent them: the daily job escalates.
    chengxin_app::cases::remind(t.store.as_ref(), t.state.today())
        .await
        .unwrap();
    let office = t.session_for(Role::CreditOffice, "320412", None).await;
    let liyang = t.session_for(Role::CreditOffice, "320481", None).await;
    let finance = t
        .session_for(Role::ImplementingDepartment, "320400", Some(FINANCE))
        .await;
    let all = t.store.cases(&Default::default()).await.unwrap();
    let company = t.store.subject_by_uscc(COMPANY).await.unwrap().unwrap();
    let ours: Vec<_> = all
        .iter()
        .filter(|c| c.region.as_deref() == Some("320412"))
        .collect();
    assert!(!ours.is_empty() && ours.len() < all.len(), "{all:?}");
    // The list names the subject and links to each case; the dashboard counts what it lists.
    let (s, list) = page(&t, "/console/cases", &office).await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains(&format!("共 {} 件", ours.len())), "{list}");
    assert!(
        list.contains("常州市乙建设工程有限公司") && !list.contains("溧阳某某贸易有限公司"),
        "{list}"
    );
    let fin = ours.iter().find(|c| c.department == "finance").unwrap();
    let uri = format!("/console/cases/{}", fin.id.replace('/', "%2F"));
    assert!(list.contains(&uri), "{list}");
    let (_, dash) = page(&t, "/console", &office).await;
    assert!(
        dash.contains(&format!(
            "href=\"/console/cases\"><div class=\"n\">{}</div>",
            ours.len()
        )),
        "{dash}"
    );
    // 分发 by the office, then 签收, 实施 and 反馈 by the finance bureau (with their notes).
    let advance = format!("/api/v1/cases/{}/advance", fin.id.replace('/', "%2F"));
    let (s, v) = t
        .call(
            "POST",
            &advance,
            &office,
            Some(json!({"expected_version": 1, "body": FINANCE})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut version = 2;
    for note in [None, Some("已限制参与政府采购"), Some("已反馈实施情况")] {
        let (s, v) = t
            .call(
                "POST",
                &advance,
                &finance,
                Some(json!({"expected_version": version, "note": note})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        version = v["version"].as_i64().unwrap();
    }
    let stored = t.store.case(&fin.id).await.unwrap().unwrap();
    let by = |i: usize| {
        stored.state["events"][i]["by"]
            .as_str()
            .unwrap()
            .strip_prefix("account:")
            .unwrap()
            .to_string()
    };
    // The detail page, for the office and for the department.
    for who in [&office, &finance] {
        let (s, html) = page(&t, &uri, who).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        for want in [
            company.name.as_str(),
            COMPANY,
            "常州市武进区",
            "失信被执行人",
            "（2025）苏执100号",
            "常州市财政局",
            "分发",
            "签收",
            "实施",
            "反馈",
            "2025-03-04",
            "已限制参与政府采购",
            "已反馈实施情况",
            "逾期督办",
            &by(1),
            &by(2),
        ] {
            assert!(html.contains(want), "{want}: {html}");
        }
        assert!(!html.contains(&fin.id), "no case code where a name belongs");
    }
    // 溧阳's credit office neither sees it nor learns whom it is about.
    let (s, html) = page(&t, &uri, &liyang).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{html}");
    assert!(!html.contains("常州市乙建设工程有限公司"), "{html}");
    let (_, list) = page(&t, "/console/cases", &liyang).await;
    assert!(!list.contains(&uri), "{list}");
    t.cleanup().await;
}
both_backends!(a_case_page_names_its_subject_and_steps, cases);

async fn complaints(t: TestApp) {
    t.import(WUJIN_DEPT, vec![import_row(2, "武进罚1", "2025-03-03")])
        .await;
    let office = t.session_for(Role::CreditOffice, "320412", None).await;
    let liyang = t.session_for(Role::CreditOffice, "320481", None).await;
    let (s, filed) = t
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
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let id = filed["id"].as_str().unwrap().to_string();
    let uri = format!("/console/applications/{id}");
    let act = format!("/api/v1/applications/{id}/actions");
    // In the office's queue, with its steps (it used to say "当前步骤不由您办理").
    let (_, queue) = page(&t, "/console/applications", &office).await;
    assert!(queue.contains(&uri), "{queue}");
    let (s, html) = page(&t, &uri, &office).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(!html.contains("当前步骤不由您办理"), "{html}");
    assert!(html.contains("受理") && html.contains("不予受理"), "{html}");
    // A sibling county neither sees nor handles it.
    let (s, html) = page(&t, &uri, &liyang).await;
    assert!(
        matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{s}"
    );
    assert!(!html.contains("拖欠工程款"), "{html}");
    let (s, _) = t
        .call(
            "POST",
            &act,
            &liyang,
            Some(json!({"action": "accept", "expected_version": 1})),
        )
        .await;
    assert!(
        matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{s}"
    );
    // 受理: the deadline is shown, and 转办 / 答复 are offered, departments by name.
    let (s, v) = t
        .call(
            "POST",
            &act,
            &office,
            Some(json!({"action": "accept", "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let due = v["body"]["due"].as_str().unwrap().to_string();
    let (_, html) = page(&t, &uri, &office).await;
    for want in [due.as_str(), "转办", "常州市财政局", "提交答复", "已受理"] {
        assert!(html.contains(want), "{want}: {html}");
    }
    // 转办 to an unregistered department is refused, in Chinese; to the finance bureau, done.
    let (s, v) = t
        .call("POST", &act, &office, Some(json!({"action": "assign", "department": "11320481MB00000274", "reasons": "请核实", "expected_version": 2})))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("department_unknown")),
        "{v}"
    );
    let (s, v) = t
        .call("POST", &act, &office, Some(json!({"action": "assign", "department": FINANCE, "reasons": "请核实拖欠情况", "expected_version": 2})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["body"]["state"], "accepted", "{v}");
    let (_, html) = page(&t, &uri, &office).await;
    assert!(
        html.contains("转办至常州市财政局：请核实拖欠情况"),
        "{html}"
    );
    // 答复.
    let (s, v) = t
        .call("POST", &act, &office, Some(json!({"action": "answer", "reasons": "经核实已督促其支付工程款", "expected_version": 3})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, html) = page(&t, &uri, &office).await;
    assert!(
        html.contains("本事项已办结") && html.contains("经核实已督促其支付工程款"),
        "{html}"
    );
    t.cleanup().await;
}
both_backends!(a_complaint_is_accepted_assigned_and_answered, complaints);
