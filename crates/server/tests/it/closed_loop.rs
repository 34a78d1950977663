//! The closed loop is run by the credit office (issue 15 point 5), on both backends: 分发 is the
//! credit office's step, stamped with who did it on the day it really happened; a department
//! sees a case once it was sent to it and does only its own steps; each step is judged against
//! its own deadline, so a case signed late is not on time however fast its report; the feedback
//! rate is per implementing department (body), within the caller's region.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_app::lists::{refresh_imported, SourceRow, COURT_LIST};
#[allow(unused_imports)]
use chengxin_testkit::TestApp;
use chengxin_testkit::*;
use chrono::NaiveDate;
use serde_json::json;

/// 常州市财政局 and 常州市公共资源交易中心 (`data/measures/bodies.toml`).
const FINANCE: &str = "11320400MB0000019Y";
const TRADING: &str = "12320400MB0000027N";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn advance(id: &serde_json::Value) -> String {
    format!(
        "/api/v1/cases/{}/advance",
        id.as_str().unwrap().replace('/', "%2F")
    )
}

fn of<'a>(cases: &'a [serde_json::Value], role: &str) -> &'a serde_json::Value {
    cases.iter().find(|c| c["department"] == role).unwrap()
}

/// The court's list as of `day` is these companies: their cases open that day.
async fn listed(t: &TestApp, companies: &[(&str, &str)], day: NaiveDate) {
    let hasher = chengxin_domain::subjects::IdHasher::new([3; 32]);
    let rows = companies
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
    let r = refresh_imported(t.store.as_ref(), &hasher, "test", COURT_LIST, rows, day)
        .await
        .unwrap();
    assert_eq!(r.added, companies.len());
}

async fn story(t: TestApp) {
    // A 武进 company enters the court's list on 3 March 2025; its cases open that day, 分发 due
    // the next working day. Three months later (the test's today, 2 June) nobody has sent them.
    listed(
        &t,
        &[("常州市乙建设工程有限公司", "91320412MA1MXK2L83")],
        d("2025-03-03"),
    )
    .await;
    assert_eq!(t.state.today(), d("2025-06-02"));
    let finance = t
        .session_for(Role::ImplementingDepartment, "320400", Some(FINANCE))
        .await;
    let city = t.session_for(Role::CreditOffice, "320400", None).await;
    let liyang = t.session_for(Role::CreditOffice, "320481", None).await;
    let (_, waiting) = t.call("GET", "/api/v1/cases", &city, None).await;
    let waiting = waiting.as_array().unwrap().clone();
    assert!(waiting.len() >= 3, "{waiting:?}");
    assert!(waiting.iter().all(|c| c["step"] == "initiated"));
    let fin = of(&waiting, "finance").clone();
    let trade = of(&waiting, "public_resources").clone();
    // The department does not see a case the credit office has not sent it, and cannot send
    // it to itself (it used to, and its report counted as on time).
    let (s, v) = t.call("GET", "/api/v1/cases", &finance, None).await;
    assert_eq!(
        (s, v.as_array().map(Vec::len)),
        (StatusCode::OK, Some(0)),
        "{v}"
    );
    let (s, v) = t
        .call(
            "POST",
            &advance(&fin["id"]),
            &finance,
            Some(json!({"expected_version": 1})),
        )
        .await;
    assert!(
        matches!(s, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{s} {v}"
    );
    let stored = t
        .store
        .case(fin["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.step, "initiated");
    // 溧阳's credit office neither sees nor sends 武进's cases.
    let (_, v) = t.call("GET", "/api/v1/cases", &liyang, None).await;
    assert_eq!(v.as_array().map(Vec::len), Some(0), "{v}");
    let (s, _) = t
        .call(
            "POST",
            &advance(&fin["id"]),
            &liyang,
            Some(json!({"expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The city's credit office sends it (it used to get permission_denied): to the finance
    // bureau of the role, stamped with its account, today — late, and not back-dated.
    let (s, v) = t
        .call(
            "POST",
            &advance(&fin["id"]),
            &city,
            Some(json!({"expected_version": 1})),
        )
        .await;
    assert_eq!(
        (s, v["step"].as_str()),
        (StatusCode::OK, Some("distributed")),
        "{v}"
    );
    assert_eq!(v["state"]["body"]["uscc"], FINANCE, "{v}");
    assert_eq!(v["state"]["body"]["name"], "常州市财政局");
    let sent = v["state"]["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(sent["step"], "distributed");
    assert_eq!(sent["on"], "2025-06-02", "the day it happened: {sent}");
    assert_eq!(sent["due"], "2025-03-04");
    assert!(
        sent["by"].as_str().unwrap().starts_with("account:"),
        "{sent}"
    );
    // Naming a department outside the case's role is refused; the trading centre's goes to it.
    let (s, v) = t
        .call(
            "POST",
            &advance(&trade["id"]),
            &city,
            Some(json!({"expected_version": 1, "body": FINANCE})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body_not_in_role")),
        "{v}"
    );
    let (s, v) = t
        .call(
            "POST",
            &advance(&trade["id"]),
            &city,
            Some(json!({"expected_version": 1, "body": TRADING})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"]["body"]["uscc"], TRADING);
    // The credit office does not sign for the department.
    let (s, v) = t
        .call(
            "POST",
            &advance(&fin["id"]),
            &city,
            Some(json!({"expected_version": 2})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step")),
        "{v}"
    );
    // Now the finance bureau sees it — and only its own.
    let (_, mine) = t.call("GET", "/api/v1/cases", &finance, None).await;
    let mine = mine.as_array().unwrap().clone();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["id"], fin["id"]);
    // It signs on 12 June (due 4 June: late), then applies and reports at once: the report is
    // within its own deadline, yet the case is not on time — 签收 was late.
    let later = t.on_day(d("2025-06-12"));
    let mut version = 2;
    for note in [None, Some("已限制参与政府采购"), Some("已反馈实施情况")] {
        let (s, v) = later
            .call(
                "POST",
                &advance(&fin["id"]),
                &finance,
                Some(json!({"expected_version": version, "note": note})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        version = v["version"].as_i64().unwrap();
    }
    let done = t
        .store
        .case(fin["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.step, "reported");
    let events = done.state["events"].as_array().unwrap();
    assert!(events[2..].iter().all(|e| e["by"] == events[2]["by"]));
    // The figures, per department (body) and for the credit office's own 分发.
    let (s, v) = later
        .call("GET", "/api/v1/cases/feedback", &city, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["region"], "320400");
    let total = v["cases"].as_u64().unwrap();
    assert_eq!(total as usize, waiting.len());
    let line = v["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["uscc"] == FINANCE)
        .cloned()
        .unwrap_or_else(|| panic!("no line for the finance bureau: {v}"));
    assert_eq!(line["name"], "常州市财政局");
    assert_eq!(line["roles"], json!(["finance"]));
    assert_eq!(
        (&line["reported"], &line["on_time"], &line["signed_late"]),
        (&json!(1), &json!(0), &json!(1)),
        "{line}"
    );
    assert_eq!(line["on_time_rate"], json!(0.0), "{line}");
    assert!(
        v["departments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["uscc"].is_string()),
        "departments are bodies, not role codes: {v}"
    );
    let dist = &v["distribution"];
    assert_eq!(
        (&dist["due"], &dist["done"], &dist["on_time"]),
        (&json!(total), &json!(2), &json!(0)),
        "{v}"
    );
    // 武进's own office and the province see the same cases; 溧阳's sees none of them.
    for office in [
        t.session_for(Role::CreditOffice, "320412", None).await,
        t.session_for(Role::CreditOffice, "320000", None).await,
    ] {
        let (_, v) = later
            .call("GET", "/api/v1/cases/feedback", &office, None)
            .await;
        assert_eq!(v["cases"], json!(total), "{v}");
    }
    let (s, v) = later
        .call("GET", "/api/v1/cases/feedback", &liyang, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (
            v["cases"].as_u64(),
            v["departments"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0)),
        "{v}"
    );
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(closed_loop_is_run_by_the_credit_office, story);

async fn by_region(t: TestApp) {
    // One company of 武进 and one of 溧阳 on the court's list: the same departments of the city
    // act on both, but each county's credit office sees only its own figures.
    let day = d("2025-05-06");
    listed(
        &t,
        &[
            ("常州市乙建设工程有限公司", "91320412MA1MXK2L83"),
            ("溧阳市丙贸易有限公司", "91320481MA0000015J"),
        ],
        day,
    )
    .await;
    let city = t.session_for(Role::CreditOffice, "320400", None).await;
    let (_, all) = t.call("GET", "/api/v1/cases", &city, None).await;
    let all = all.as_array().unwrap().clone();
    for c in &all {
        let (s, v) = t
            .call(
                "POST",
                &advance(&c["id"]),
                &city,
                Some(json!({"expected_version": c["version"]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let count = |region: &str| all.iter().filter(|c| c["region"] == region).count();
    assert!(count("320412") > 0 && count("320481") > 0, "{all:?}");
    for (region, expected) in [
        ("320412", count("320412")),
        ("320481", count("320481")),
        ("320400", all.len()),
        ("320500", 0),
    ] {
        let office = t.session_for(Role::CreditOffice, region, None).await;
        let (s, v) = t.call("GET", "/api/v1/cases/feedback", &office, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["cases"], json!(expected), "{region}: {v}");
        assert_eq!(v["distribution"]["done"], json!(expected), "{region}: {v}");
    }
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(feedback_figures_stay_in_the_callers_region, by_region);
