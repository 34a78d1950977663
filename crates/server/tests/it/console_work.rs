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
