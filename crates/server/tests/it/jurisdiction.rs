//! Jurisdiction of complaints, list entries and administration (issue 15 point 7), on both
//! backends: the region rule of records — the caller's own region, those below and those above
//! it, never a sibling's — for each route, with the reads query-logged.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::{AuditFilter, NewSubject};
#[allow(unused_imports)]
use chengxin_testkit::TestApp;
use chengxin_testkit::*;
use serde_json::json;

/// 湖塘镇人民政府 (武进区) and 常州市住房和城乡建设局 (the city), fictional codes.
const HUTANG: &str = "11320412MB0000019B";
const HUTANG_NAME: &str = "常州市武进区湖塘镇人民政府";
const CITY_BUREAU: &str = "11320400MB0000051A";

async fn body(
    t: &TestApp,
    name: &str,
    uscc: &str,
    region: &str,
) -> chengxin_domain::subjects::Subject {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::GovBody),
                name: name.into(),
                uscc: Some(uscc.into()),
                id_hash: None,
                id_masked: None,
                region: Some(region.into()),
                parent_id: None,
                former_names: vec![],
            },
        )
        .await
        .unwrap()
}

async fn complain(t: &TestApp, about: serde_json::Value) -> (StatusCode, serde_json::Value) {
    let mut req =
        json!({"reasons": "招商引资承诺的奖励资金逾期两年未兑现", "applicant_name": "孙八"});
    for (k, v) in about.as_object().unwrap() {
        req[k] = v.clone();
    }
    t.call("POST", "/api/v1/complaints", &Cred::None, Some(req))
        .await
}

fn step(version: i64, action: &str) -> serde_json::Value {
    json!({"action": action, "expected_version": version, "reasons": "经核实，已督促兑现"})
}

async fn complaints(t: TestApp) {
    body(&t, HUTANG_NAME, HUTANG, "320412").await;
    body(&t, "常州市住房和城乡建设局", CITY_BUREAU, "320400").await;
    // Placed by the body's name, by its code, or by the region chosen; unplaced, refused.
    let (s, by_name) = complain(&t, json!({"about": HUTANG_NAME})).await;
    assert_eq!(s, StatusCode::CREATED, "{by_name}");
    let (s, by_code) = complain(&t, json!({"about": "湖塘镇", "about_uscc": HUTANG})).await;
    assert_eq!(s, StatusCode::CREATED, "{by_code}");
    let (s, city) = complain(&t, json!({"about": "市住建局", "region": "320400"})).await;
    assert_eq!(s, StatusCode::CREATED, "{city}");
    let (s, v) = complain(&t, json!({"about": "某镇人民政府"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("complaint_region_required")),
        "{v}"
    );
    let (s, v) = complain(&t, json!({"about_uscc": "11320412MB0000019C"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = complain(&t, json!({"region": "329999"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let id = |v: &serde_json::Value| v["id"].as_str().unwrap().to_string();
    let no = |v: &serde_json::Value| v["tracking_no"].as_str().unwrap().to_string();
    let queue = |who: &Cred| {
        let who = who.clone();
        let t = &t;
        async move {
            let (s, v) = t
                .call(
                    "GET",
                    "/api/v1/applications?kind=complaint&open=false",
                    &who,
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v.to_string()
        }
    };
    // 溧阳's credit office: 武进's are not in its queue, not found, cannot be accepted or
    // answered (the city's, above it, it reads).
    let liyang = t.session_for(Role::CreditOffice, "320481", None).await;
    let q = queue(&liyang).await;
    for c in [&by_name, &by_code] {
        assert!(!q.contains(&no(c)), "{q}");
    }
    assert!(q.contains(&no(&city)), "{q}");
    for c in [&by_name, &by_code] {
        let (s, v) = t
            .call(
                "GET",
                &format!("/api/v1/applications/{}", id(c)),
                &liyang,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
        let (s, v) = t
            .call(
                "POST",
                &format!("/api/v1/applications/{}/actions", id(c)),
                &liyang,
                Some(step(1, "accept")),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    }
    // Nor does another city's.
    let suzhou = t.session_for(Role::CreditOffice, "320500", None).await;
    let q = queue(&suzhou).await;
    assert!(![&by_name, &by_code, &city]
        .iter()
        .any(|c| q.contains(&no(c))));
    // 武进's handles its own; it reads the city's (above it) but does not answer for the city.
    let wujin = t.session_for(Role::CreditOffice, "320412", None).await;
    let q = queue(&wujin).await;
    assert!(
        [&by_name, &by_code, &city]
            .iter()
            .all(|c| q.contains(&no(c))),
        "{q}"
    );
    let act = |who: &Cred, c: &serde_json::Value, body: serde_json::Value| {
        let (who, path) = (
            who.clone(),
            format!("/api/v1/applications/{}/actions", id(c)),
        );
        let t = &t;
        async move { t.call("POST", &path, &who, Some(body)).await }
    };
    let (s, v) = act(&wujin, &by_name, step(1, "accept")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = act(&wujin, &by_name, step(2, "answer")).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("answered")),
        "{v}"
    );
    let (s, v) = act(&wujin, &city, step(1, "accept")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_your_step")),
        "{v}"
    );
    // The city and the province see all three; the city answers its own.
    let town = t.session_for(Role::CreditOffice, "320400", None).await;
    let province = t.session_for(Role::CreditOffice, "320000", None).await;
    for who in [&town, &province] {
        let q = queue(who).await;
        assert!(
            [&by_name, &by_code, &city]
                .iter()
                .all(|c| q.contains(&no(c))),
            "{q}"
        );
    }
    let (s, v) = act(&town, &city, step(1, "accept")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(complaints_stay_in_the_region_of_the_body, complaints);

async fn list_entry(t: TestApp) {
    use chengxin_app::lists::{refresh_imported, SourceRow, COURT_LIST};
    let hasher = chengxin_domain::subjects::IdHasher::new([3; 32]);
    // One 武进 company and one of the city itself on the court's list.
    let rows = [
        ("常州市乙建设工程有限公司", "91320412MA1MXK2L83"),
        ("常州市丁实业有限公司", "91320400MA0000074B"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, uscc))| SourceRow {
        row: i as u64 + 2,
        name: (*name).into(),
        uscc: Some((*uscc).into()),
        id_number: None,
        case_no: format!("（2025）苏执{}号", i + 7),
    })
    .collect();
    refresh_imported(
        t.store.as_ref(),
        &hasher,
        "test",
        COURT_LIST,
        rows,
        t.state.today(),
    )
    .await
    .unwrap();
    let entries = t.store.list_entries(&Default::default()).await.unwrap();
    let mut wujin_entry = None;
    let mut city_entry = None;
    for e in &entries {
        let s = t
            .store
            .subject(e.subject_id.unwrap())
            .await
            .unwrap()
            .unwrap();
        match s.region.as_deref() {
            Some("320412") => wujin_entry = Some(e.id),
            Some("320400") => city_entry = Some(e.id),
            _ => {}
        }
    }
    let (wujin_entry, city_entry) = (wujin_entry.unwrap(), city_entry.unwrap());
    let read = |id: uuid::Uuid| format!("/api/v1/list-entries/{id}?purpose=联合惩戒核查");
    // 溧阳's credit office and token are refused — as if the entry did not exist — and the
    // refusal is logged.
    let liyang = t.session_for(Role::CreditOffice, "320481", None).await;
    let liyang_token = t.token(&["records_read_shared"], "320481", None).await;
    for who in [&liyang, &liyang_token] {
        let (s, v) = t.call("GET", &read(wujin_entry), who, None).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{v}"
        );
        assert!(!v.to_string().contains("乙建设"), "{v}");
    }
    // 武进's office (its own; and the city's entry, above it), the city, the province and a
    // 武进 token read it, with a purpose.
    let wujin = t.session_for(Role::CreditOffice, "320412", None).await;
    let who_may = [
        wujin.clone(),
        t.session_for(Role::CreditOffice, "320400", None).await,
        t.session_for(Role::CreditOffice, "320000", None).await,
        t.token(&["records_read_shared"], "320412", None).await,
    ];
    for who in &who_may {
        let (s, v) = t.call("GET", &read(wujin_entry), who, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["id"], wujin_entry.to_string());
    }
    let (s, v) = t.call("GET", &read(city_entry), &wujin, None).await;
    assert_eq!(s, StatusCode::OK, "above: {v}");
    let (s, v) = t
        .call(
            "GET",
            &format!("/api/v1/list-entries/{wujin_entry}"),
            &wujin,
            None,
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("purpose_required")),
        "{v}"
    );
    // A department reads only the entries it recognised.
    let dept = t
        .session_for(
            Role::SubmittingDepartment,
            "320412",
            Some("11320412MB00000276"),
        )
        .await;
    let (s, _) = t.call("GET", &read(wujin_entry), &dept, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Every read is in the query log, with its purpose; refusals too.
    let logged = t
        .store
        .audit_events(&AuditFilter {
            kind: Some("query".into()),
            action: Some("list_entry_read".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let target = wujin_entry.to_string();
    assert!(logged.iter().any(|e| e.outcome == "ok"
        && e.target.as_deref() == Some(target.as_str())
        && e.detail["purpose"] == "联合惩戒核查"));
    assert!(
        logged.iter().filter(|e| e.outcome == "denied").count() >= 3,
        "{logged:?}"
    );
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(list_entries_are_read_in_region_with_a_purpose, list_entry);

async fn administration(t: TestApp) {
    // An account and a token of 武进; 溧阳's administrator neither lists nor touches them.
    let (user, _, _) = t.account(Role::SubmittingDepartment, "320412", None).await;
    let account = t.store.account_by_username(&user).await.unwrap().unwrap();
    let city_admin = t.session_for(Role::Administrator, "320400", None).await;
    let (s, issued) = t
        .call(
            "POST",
            "/api/v1/tokens",
            &city_admin,
            Some(json!({"name": "武进报送", "permissions": ["records_submit"], "region": "320412", "days": 30})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{issued}");
    let token_id = issued["id"].as_str().unwrap().to_string();
    let liyang_admin = t.session_for(Role::Administrator, "320481", None).await;
    let (_, v) = t.call("GET", "/api/v1/accounts", &liyang_admin, None).await;
    assert!(!v.to_string().contains(&user), "{v}");
    let (_, v) = t.call("GET", "/api/v1/tokens", &liyang_admin, None).await;
    assert!(!v.to_string().contains(&token_id), "{v}");
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/accounts/{}/actions", account.id),
            &liyang_admin,
            Some(json!({"action": "disable"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/tokens/{token_id}/revoke"),
            &liyang_admin,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Nor does it make accounts or tokens for 武进.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/accounts",
            &liyang_admin,
            Some(json!({"username": "wj.office", "display_name": "武进", "roles": ["submitting_department"], "region": "320412"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("out_of_jurisdiction")),
        "{v}"
    );
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/tokens",
            &liyang_admin,
            Some(json!({"name": "x", "permissions": ["records_submit"], "region": "320412", "days": 30})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The city's administrator does all of it.
    let (_, v) = t.call("GET", "/api/v1/accounts", &city_admin, None).await;
    assert!(v.to_string().contains(&user));
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/accounts/{}/actions", account.id),
            &city_admin,
            Some(json!({"action": "disable"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/tokens/{token_id}/revoke"),
            &city_admin,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    t.cleanup().await;
}
both_backends!(administrators_manage_their_own_region_only, administration);
