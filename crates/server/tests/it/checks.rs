//! Lists and the check/intercept engine over the real router, on both backends: a
//! bidding-platform batch intercepts a blacklisted body given by code, exact name,
//! Traditional or full-width variant or former name, passes the clean ones, explains every
//! hit; the index follows the change log; bad input gets clear errors.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::NewSubject;
use chengxin_testkit::*;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn story(t: TestApp) {
    let bad = t
        .store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::Enterprise),
                name: "常州市乙建设工程有限公司".into(),
                uscc: Some("91320412MA1MXK2L83".into()),
                id_hash: None,
                id_masked: None,
                region: Some("320412".into()),
                parent_id: None,
                former_names: vec!["常州市乙建筑工程有限责任公司".into()],
            },
        )
        .await
        .unwrap();
    let clean = t
        .store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::Enterprise),
                name: "常州丙贸易有限公司".into(),
                uscc: None,
                id_hash: None,
                id_masked: None,
                region: Some("320412".into()),
                parent_id: None,
                former_names: vec![],
            },
        )
        .await
        .unwrap();
    let _ = clean;
    // The index is built at start-up …
    t.state.checks.build(t.store.as_ref()).await.unwrap();
    // … and follows the change log: the entry is added after the build.
    let entry = blacklist(t.store.as_ref(), &bad).await;
    t.state.checks.catch_up(t.store.as_ref()).await.unwrap();

    let platform = t.token(&["checks_run"], "320400", None).await;
    let parties = serde_json::json!([
        {"uscc": "91320412MA1MXK2L83"},
        {"name": "常州市乙建设工程有限公司"},
        {"name": "常州市乙建設工程有限公司"},
        {"name": "常州市乙建设工程有限公司（　）"},
        {"name": "常州市乙建筑工程有限责任公司"},
        {"name": "常州丙贸易有限公司"},
        {"name": "常州市乙建设工程监理有限公司"},
    ]);
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            &platform,
            Some(serde_json::json!({"scenario": "bidding", "parties": parties})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let results = v["results"].as_array().unwrap();
    let verdicts: Vec<&str> = results
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        vec![
            "intercept",
            "intercept",
            "intercept",
            "intercept",
            "intercept",
            "pass",
            "pass"
        ],
        "{v}"
    );
    for r in &results[..5] {
        let m = &r["matches"][0];
        assert_eq!(m["subject_id"], bad.id.to_string());
        assert!(
            !m["reasons"].as_array().unwrap().is_empty(),
            "every hit explained: {r}"
        );
        assert_eq!(m["entries"][0]["id"], entry.id.to_string());
        let measures = r["assessment"]["measures"].as_array().unwrap();
        assert!(!measures.is_empty());
        assert!(measures
            .iter()
            .all(|m| !m["reason"].as_str().unwrap_or("").is_empty()));
    }
    assert_eq!(results[0]["matches"][0]["matched_by"], "uscc");
    assert_eq!(results[4]["matches"][0]["matched_by"], "name");
    assert_eq!(v["intercepted"], 5);
    // The check is query-logged and its outcome can be reported back.
    let id = v["check_id"].as_str().unwrap().to_string();
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/checks/{id}/outcome"),
            &platform,
            Some(serde_json::json!({"outcome": "disqualified", "note": "取消中标资格"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Removing the entry (修复) lifts the interception once the index catches up.
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/list-entries/{}/actions", entry.id),
            &office,
            Some(serde_json::json!({"action": "remove", "reason": "repaired", "note": "信用修复完成", "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    t.state.checks.catch_up(t.store.as_ref()).await.unwrap();
    let (_, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            &platform,
            Some(serde_json::json!({"scenario": "bidding", "parties": [{"uscc": "91320412MA1MXK2L83"}]})),
        )
        .await;
    assert_eq!(v["results"][0]["verdict"], "pass", "{v}");

    // Proposing through the API starts the procedure; it cannot take effect before its
    // publicity window (on the official calendar) is over.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/lists/serious_dishonest/entries",
            &office,
            Some(serde_json::json!({"subject_id": clean.id, "standard": "标准", "basis": "依据", "recognised_by": "常州市发展和改革委员会", "recognised_by_uscc": "11320400MB00000002"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let new_id = v["id"].as_str().unwrap().to_string();
    let act = |action: &str, version: i64| serde_json::json!({"action": action, "expected_version": version});
    let path = format!("/api/v1/list-entries/{new_id}/actions");
    let (s, v) = t
        .call("POST", &path, &office, Some(act("start_publicity", 1)))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["entry"]["publicity_until"].is_string(), "{v}");
    let (s, v) = t
        .call("POST", &path, &office, Some(act("take_effect", 2)))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("publicity_not_over")),
        "{v}"
    );
    t.cleanup().await;
}
both_backends!(bidding_check_intercepts_and_explains, story);

async fn bad_input(t: TestApp) {
    let platform = t.token(&["checks_run"], "320400", None).await;
    let call = |body: serde_json::Value| t.call("POST", "/api/v1/checks", &platform, Some(body));
    let (s, v) = call(serde_json::json!({"scenario": "bidding", "parties": []})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("party_count"))
    );
    let many: Vec<_> = (0..10_001)
        .map(|_| serde_json::json!({"name": "某公司"}))
        .collect();
    let (s, v) = call(serde_json::json!({"scenario": "bidding", "parties": many})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("party_count"))
    );
    let (s, v) = call(serde_json::json!({"scenario": "fly", "parties": [{"name": "x"}]})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_scenario"))
    );
    let (s, v) = call(serde_json::json!({"scenario": "bidding", "parties": "nope"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    let long = "公".repeat(10_000);
    let (s, v) = call(serde_json::json!({"scenario": "bidding", "parties": [
        {"name": long}, {"uscc": "123"}, {"id_number": "320402199001011230"}, {},
        {"name": "\u{0}\u{7}常州\u{202e}Ｃｏ．"}
    ]}))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let codes: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"]["code"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        codes,
        vec![
            "name_too_long",
            "invalid_uscc",
            "invalid_id_number",
            "party_empty",
            "-"
        ]
    );
    // The ID number is never echoed in clear.
    assert!(!v.to_string().contains("320402199001011230"));
    t.cleanup().await;
}
both_backends!(checks_refuse_bad_input_clearly, bad_input);

async fn closed_loop(t: TestApp) {
    use chengxin_app::lists::{refresh_imported, SourceRow, COURT_LIST};
    let hasher = chengxin_domain::subjects::IdHasher::new([3; 32]);
    let today = t.state.today();
    let row = SourceRow {
        row: 2,
        name: "常州市乙建设工程有限公司".into(),
        uscc: Some("91320412MA1MXK2L83".into()),
        id_number: None,
        case_no: "（2024）苏0412执123号".into(),
    };
    let r = refresh_imported(
        t.store.as_ref(),
        &hasher,
        "test",
        COURT_LIST,
        vec![row.clone()],
        today,
    )
    .await
    .unwrap();
    assert_eq!(r.added, 1);
    // Taking effect opened one case per implementing department, each with a deadline; the
    // credit office distributes them (分发 is its step), each to the department of its role.
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let (_, waiting) = t.call("GET", "/api/v1/cases", &office, None).await;
    let waiting = waiting.as_array().unwrap().clone();
    assert!(!waiting.is_empty());
    for c in &waiting {
        assert_eq!(c["step"], "initiated", "{c}");
        let (s, v) = t
            .call(
                "POST",
                &format!(
                    "/api/v1/cases/{}/advance",
                    c["id"].as_str().unwrap().replace('/', "%2F")
                ),
                &office,
                Some(serde_json::json!({"expected_version": c["version"]})),
            )
            .await;
        assert_eq!(
            (s, v["step"].as_str()),
            (StatusCode::OK, Some("distributed")),
            "{v}"
        );
    }
    // The finance bureau (data/measures/bodies.toml) sees its own role's cases only.
    const FINANCE: &str = "11320400MB0000019Y";
    const TRADING: &str = "12320400MB0000027N";
    let dept = t
        .session_for(Role::ImplementingDepartment, "320400", Some(FINANCE))
        .await;
    let (s, v) = t.call("GET", "/api/v1/cases", &dept, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let cases = v.as_array().unwrap().clone();
    assert!(!cases.is_empty(), "{v}");
    assert!(cases.iter().all(|c| c["next_due"].is_string()));
    assert!(cases.iter().all(|c| c["department"] == "finance"), "{v}");
    // Another role's inbox is refused; another role's case cannot be touched.
    let (s, v) = t
        .call(
            "GET",
            "/api/v1/cases?department=public_resources",
            &dept,
            None,
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("case_department_forbidden"))
    );
    let trading = t
        .session_for(Role::ImplementingDepartment, "320400", Some(TRADING))
        .await;
    let (_, theirs) = t.call("GET", "/api/v1/cases", &trading, None).await;
    let theirs = theirs.as_array().unwrap().clone();
    assert!(!theirs.is_empty());
    assert!(theirs.iter().all(|c| c["department"] == "public_resources"));
    let (s, _) = t
        .call(
            "POST",
            &format!(
                "/api/v1/cases/{}/advance",
                theirs[0]["id"].as_str().unwrap().replace('/', "%2F")
            ),
            &dept,
            Some(serde_json::json!({"note": "越权办理", "expected_version": 1})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "finance cannot act on another role's case"
    );
    // A department not registered in any role sees nothing.
    let stranger = t
        .session_for(
            Role::ImplementingDepartment,
            "320400",
            Some("91320412MA1P8DGK26"),
        )
        .await;
    let (s, v) = t.call("GET", "/api/v1/cases", &stranger, None).await;
    assert_eq!((s, v.as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    // The credit office sees every department's.
    let (_, all) = t.call("GET", "/api/v1/cases", &office, None).await;
    let all = all.as_array().unwrap().clone();
    assert!(all.len() >= cases.len() + theirs.len());
    assert!(all.iter().all(|c| c["region"] == "320412"), "{all:?}");
    // Region: another city's credit office and finance bureau see none of these cases, the
    // province sees them all; another city cannot act on them either.
    let suzhou = t.session_for(Role::CreditOffice, "320500", None).await;
    let (s, v) = t.call("GET", "/api/v1/cases", &suzhou, None).await;
    assert_eq!((s, v.as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    let suzhou_finance = t
        .session_for(Role::ImplementingDepartment, "320500", Some(FINANCE))
        .await;
    let (s, v) = t.call("GET", "/api/v1/cases", &suzhou_finance, None).await;
    assert_eq!((s, v.as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    let (s, _) = t
        .call(
            "POST",
            &format!(
                "/api/v1/cases/{}/advance",
                cases[0]["id"].as_str().unwrap().replace('/', "%2F")
            ),
            &suzhou_finance,
            Some(serde_json::json!({"note": "越区办理", "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another city's case is not found");
    let province = t.session_for(Role::CreditOffice, "320000", None).await;
    let (_, v) = t.call("GET", "/api/v1/cases", &province, None).await;
    assert_eq!(v.as_array().map(Vec::len), Some(all.len()));
    // One department signs for, applies and reports back.
    let id = cases[0]["id"].as_str().unwrap().to_string();
    let mut version = cases[0]["version"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{}/advance", id.replace('/', "%2F"));
    for _ in 0..4 {
        let (s, v) = t
            .call(
                "POST",
                &path,
                &dept,
                Some(serde_json::json!({"note": "已按措施办理", "expected_version": version})),
            )
            .await;
        if s != StatusCode::OK {
            assert_eq!(v["code"], "case_complete", "{v}");
            break;
        }
        version = v["version"].as_i64().unwrap();
        if v["step"] == "reported" {
            break;
        }
    }
    let c = t.store.case(&id).await.unwrap().unwrap();
    assert_eq!(c.step, "reported", "{c:?}");
    assert!(c.next_due.is_none());
    // The credit office sees the feedback rate per department.
    let (s, v) = t.call("GET", "/api/v1/cases/feedback", &office, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mine = v["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["uscc"] == FINANCE)
        .cloned()
        .unwrap();
    assert_eq!(mine["reported"], 1, "{v}");
    assert_eq!(mine["name"], "常州市财政局", "{v}");
    // Weeks later the others are overdue: reminded and escalated.
    let later = today + chrono::Duration::days(40);
    let reminders = chengxin_app::cases::remind(t.store.as_ref(), later)
        .await
        .unwrap();
    assert_eq!(reminders.len(), all.len() - 1, "{reminders:?}");
    assert!(reminders
        .iter()
        .all(|(_, r)| matches!(r, chengxin_domain::lists::Reminder::Escalate { .. })));
    // The court no longer lists it: the entry leaves and every measure is lifted.
    let r = refresh_imported(t.store.as_ref(), &hasher, "test", COURT_LIST, vec![], today)
        .await
        .unwrap();
    assert_eq!(r.removed, 1);
    let open = t
        .store
        .cases(&chengxin_store::CaseFilter {
            open_only: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(open.is_empty(), "{open:?}");
    let lifted = t
        .store
        .audit_events(&chengxin_store::AuditFilter {
            action: Some("measures_lifted".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    // Every department holding measures is told to lift them, the one that reported back too.
    assert_eq!(lifted.len(), all.len(), "{lifted:?}");
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(closed_loop_from_entry_to_feedback_to_removal, closed_loop);

async fn calendar_gap(t: TestApp) {
    use chengxin_app::lists::{refresh_imported, SourceRow, COURT_LIST};
    // The entry takes effect on the last day the shipped calendar covers: its cases' deadlines
    // fall in a year whose holidays are not published. They are counted Monday–Friday and
    // marked provisional — nothing fails, nothing is left unopened — and counted again, with
    // a notice, once the year's schedule is loaded.
    let hasher = chengxin_domain::subjects::IdHasher::new([3; 32]);
    let row = SourceRow {
        row: 2,
        name: "常州市乙建设工程有限公司".into(),
        uscc: Some("91320412MA1MXK2L83".into()),
        id_number: None,
        case_no: "（2026）苏0412执9号".into(),
    };
    let r = refresh_imported(
        t.store.as_ref(),
        &hasher,
        "test",
        COURT_LIST,
        vec![row],
        d("2026-12-31"),
    )
    .await
    .unwrap();
    assert_eq!(r.added, 1);
    let cases = t.store.cases(&Default::default()).await.unwrap();
    assert!(!cases.is_empty());
    // The credit office sees them marked provisional, in the API and on its console page.
    let office = t
        .session_for(chengxin_access::Role::CreditOffice, "000000", None)
        .await;
    let (s, v) = t.call("GET", "/api/v1/cases", &office, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let listed = v.as_array().unwrap();
    assert_eq!(listed.len(), cases.len(), "{v}");
    assert!(listed.iter().all(|c| c["due_provisional"] == true), "{v}");
    let (_, page) = t.call("GET", "/console/cases", &office, None).await;
    assert!(page.as_str().unwrap().contains("暂定"));
    // 分发 one working day after Thursday 31 December: Friday 1 January, provisionally.
    for c in &cases {
        assert_eq!(c.next_due, Some(d("2027-01-01")), "{c:?}");
    }
    let (s, v) = t
        .call(
            "GET",
            "/api/v1/workdays/add?date=2026-12-31&n=1",
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["result"].as_str(), v["provisional"].as_bool()),
        (Some("2027-01-01"), Some(true))
    );

    // The year's schedule is loaded (an invented test schedule: 1–3 January off).
    let doc = chengxin_domain::calendar::CalendarDoc::parse(include_str!(
        "../../../../tests/fixtures/calendar-2027-test.toml"
    ))
    .unwrap();
    let report = chengxin_app::calendar::load(
        t.store.as_ref(),
        "account:admin",
        "calendar-2027-test.toml",
        &doc,
        false,
    )
    .await
    .unwrap();
    assert_eq!(report.added, vec![2027]);
    assert_eq!(report.cases_recounted, cases.len());
    let (_, v) = t.call("GET", "/api/v1/cases", &office, None).await;
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|c| c["due_provisional"] == false),
        "{v}"
    );
    let (_, page) = t.call("GET", "/console/cases", &office, None).await;
    assert!(!page.as_str().unwrap().contains("暂定"));
    for c in t.store.cases(&Default::default()).await.unwrap() {
        assert_eq!(c.next_due, Some(d("2027-01-04")), "{c:?}");
    }
    let (_, v) = t
        .call(
            "GET",
            "/api/v1/workdays/add?date=2026-12-31&n=1",
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(
        (v["result"].as_str(), v["provisional"].as_bool()),
        (Some("2027-01-04"), Some(false))
    );
    let told = t
        .store
        .audit_events(&chengxin_store::AuditFilter {
            action: Some("case_deadline_recounted".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(told.len(), cases.len());
    assert_eq!(told[0].detail["due"], "2027-01-04");
    // Loading the same file again changes nothing.
    let again =
        chengxin_app::calendar::load(t.store.as_ref(), "account:admin", "x.toml", &doc, false)
            .await
            .unwrap();
    assert_eq!(
        (again.unchanged.clone(), again.cases_recounted),
        (vec![2027], 0)
    );
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(
    deadlines_past_the_calendar_are_provisional_then_recounted,
    calendar_gap
);

async fn hostile(t: TestApp) {
    // Lists, cases and accounts refuse malformed, oversized and hostile input clearly.
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let admin = t.session_for(Role::Administrator, "000000", None).await;
    let subject = t
        .store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::Enterprise),
                name: "常州丁公司".into(),
                uscc: None,
                id_hash: None,
                id_masked: None,
                region: Some("320412".into()),
                parent_id: None,
                former_names: vec![],
            },
        )
        .await
        .unwrap();
    let propose = |list: &str| format!("/api/v1/lists/{list}/entries");
    let body = serde_json::json!({"subject_id": subject.id, "standard": "标准", "basis": "依据", "recognised_by": "X", "recognised_by_uscc": "11320400MB00000002"});
    let (s, _) = t
        .call(
            "POST",
            &propose("no_such_list"),
            &office,
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t
        .call(
            "POST",
            &propose("court_dishonest_debtor"),
            &office,
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "imported lists are not proposed by hand: {v}"
    );
    let (s, v) = t
        .call("POST", &propose("serious_dishonest"), &office, Some(serde_json::json!({"subject_id": subject.id, "standard": " ", "basis": "依据", "recognised_by": "X"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = t
        .call(
            "POST",
            &propose("serious_dishonest"),
            &office,
            Some(serde_json::json!("\u{0}")),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("control_character"))
    );
    let (s, v) = t
        .call("POST", &propose("serious_dishonest"), &office, Some(body))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let path = format!("/api/v1/list-entries/{}/actions", v["id"].as_str().unwrap());
    for (req, code, status) in [
        (
            serde_json::json!({"action": "fly", "expected_version": 1}),
            "unknown_action",
            StatusCode::BAD_REQUEST,
        ),
        (
            serde_json::json!({"action": "remove", "expected_version": 1}),
            "reason_required",
            StatusCode::BAD_REQUEST,
        ),
        (
            serde_json::json!({"action": "start_publicity", "expected_version": 9}),
            "version_conflict",
            StatusCode::CONFLICT,
        ),
    ] {
        let (s, v) = t.call("POST", &path, &office, Some(req)).await;
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{v}");
    }
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/cases/nope%2Fnope/advance",
            &office,
            Some(serde_json::json!({"expected_version": 1})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "the credit office acts on cases (分发); an unknown one is not found"
    );
    let dept = t
        .session_for(Role::ImplementingDepartment, "320400", None)
        .await;
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/cases/nope%2Fnope/advance",
            &dept,
            Some(serde_json::json!({"expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for (req, code) in [
        (
            serde_json::json!({"username": "a", "display_name": "x", "roles": ["auditor"], "region": "320400"}),
            "invalid_username",
        ),
        (
            serde_json::json!({"username": "x".repeat(10_000), "display_name": "x", "roles": ["auditor"], "region": "320400"}),
            "invalid_username",
        ),
        (
            serde_json::json!({"username": "robert'); DROP TABLE accounts;--", "display_name": "x", "roles": ["auditor"], "region": "320400"}),
            "invalid_username",
        ),
        (
            serde_json::json!({"username": "bob", "display_name": "x", "roles": ["king"], "region": "320400"}),
            "unknown_role",
        ),
        (
            serde_json::json!({"username": "bob", "display_name": "x", "roles": ["auditor", "credit_office"], "region": "320400"}),
            "role_conflict",
        ),
        (
            serde_json::json!({"username": "bob", "display_name": "x", "roles": ["auditor"], "region": "999999"}),
            "unknown_region",
        ),
    ] {
        let (s, v) = t.call("POST", "/api/v1/accounts", &admin, Some(req)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{v}"
        );
    }
    assert_eq!(t.store.count_accounts().await.unwrap(), 3);
    t.cleanup().await;
}
both_backends!(lists_cases_accounts_refuse_hostile_input, hostile);
