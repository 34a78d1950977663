//! HTTP API tests against the real router on a fresh SQLite store.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::records::RecordStatus;
use chengxin_store::{ImportRow, NewBatch, RowOutcome, Store};
use chengxin_testkit::{assert_log_verifies, Cred, TestApp};
use chrono::{DateTime, NaiveDate, Utc};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn make() -> TestApp {
    TestApp::sqlite().await
}

/// A credit-office session (national), as `session:<cookie>:<csrf>` for `call`.
async fn staff_token(t: &TestApp) -> String {
    match t.session_for(Role::CreditOffice, "000000", None).await {
        Cred::Session { cookie, csrf } => format!("session:{cookie}:{csrf}"),
        other => panic!("{other:?}"),
    }
}

async fn make_app(_: Option<&str>) -> (axum::Router, Arc<dyn Store>) {
    let t = make().await;
    (t.app, t.store)
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(uri);
    match token.map(|t| (t, t.strip_prefix("session:"))) {
        Some((_, Some(rest))) => {
            let (cookie, csrf) = rest.split_once(':').unwrap();
            req = req
                .header("cookie", format!("cx_session={cookie}"))
                .header("x-csrf-token", csrf);
        }
        Some((t, None)) => req = req.header("authorization", format!("Bearer {t}")),
        None => {}
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::String(
        String::from_utf8_lossy(&bytes).into(),
    ));
    (status, v)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn row(n: u64, doc: &str, decided: &str) -> ImportRow {
    let mut fields = serde_json::Map::new();
    fields.insert("penalty_content".into(), "罚款".into());
    ImportRow {
        row: n,
        doc_no: doc.into(),
        decision_date: d(decided),
        subject_name: "常州甲公司".into(),
        subject_uscc: Some("91320412MA1MXK2L83".into()),
        subject_id_hash: None,
        subject_id_masked: None,
        subject_id_sealed: None,
        subject_kind: chengxin_domain::subjects::SubjectKind::Enterprise,
        subject_region: None,
        fields: chengxin_store::RowFields::new(&fields).unwrap(),
        severity: Some("general".into()),
        status: RecordStatus::Published,
        publish_until: Some(d("2026-01-24")),
        content_digest: format!("c-{doc}"),
        texts_sealed: None,
    }
}

async fn import(
    store: &Arc<dyn Store>,
    dept: &str,
    published: &str,
    rows: Vec<ImportRow>,
) -> Vec<RowOutcome> {
    let mut w = store
        .begin_batch(
            "test",
            NewBatch {
                type_code: "admin_penalty".into(),
                source_dept: dept.into(),
                file_name: None,
                file_sha256: uuid::Uuid::now_v7().to_string(),
                format: "csv".into(),
                encoding: "UTF-8".into(),
                published_at: Some(published.parse::<DateTime<Utc>>().unwrap()),
                headers: vec![],
            },
        )
        .await
        .unwrap();
    let out = w.write(rows).await.unwrap();
    w.commit(vec![]).await.unwrap();
    out
}

#[tokio::test]
async fn protected_routes_need_credentials() {
    let t = make().await;
    let app = &t.app;
    let (s, v) = call(app, "GET", "/api/v1/link-queue", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["code"], "login_required");
    let (s, v) = call(app, "GET", "/api/v1/link-queue", Some("wrong"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["code"], "token_malformed", "{v}");
    let (s, v) = call(
        app,
        "GET",
        "/api/v1/link-queue",
        Some("cxt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let tok = t.token(&["reports_read"], "320400", None).await;
    let Cred::Token(tok) = tok else { panic!() };
    let (s, _) = call(
        app,
        "GET",
        "/api/v1/reports/timeliness?from=2025-01-01&to=2025-01-02",
        Some(&tok),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Public reference routes stay open.
    let (s, _) = call(app, "GET", "/api/v1/catalog", None, None).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn record_lifecycle_over_http() {
    let t = make().await;
    let (app, store) = (t.app.clone(), t.store.clone());
    let tok = staff_token(&t).await;
    let token_str = tok.as_str();
    let _ = &app;
    let out = import(
        &store,
        "11320400MB0000000X",
        "2025-01-25T02:00:00Z",
        vec![row(2, "罚1", "2025-01-24")],
    )
    .await;
    let RowOutcome::Created(id) = out[0] else {
        panic!()
    };
    let uri = format!("/api/v1/records/{id}");
    let (s, v) = call(&app, "GET", &uri, Some(token_str), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["record"]["status"], "published");
    assert_eq!(v["history"].as_array().unwrap().len(), 1);

    let tr = format!("/api/v1/records/{id}/transitions");
    // 容错 needs an approving note.
    let (s, v) = call(
        &app,
        "POST",
        &tr,
        Some(token_str),
        Some(serde_json::json!({"action": "tolerate", "expected_version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "note_required");
    let (s, v) = call(&app, "POST", &tr, Some(token_str), Some(serde_json::json!({"action": "tolerate", "expected_version": 1, "note": "经市信用办审定属容错情形（常信办〔2025〕3号）"}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["tolerated"], true);
    // Stale version.
    let (s, v) = call(
        &app,
        "POST",
        &tr,
        Some(token_str),
        Some(serde_json::json!({"action": "revoke", "expected_version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["code"], "version_conflict");
    let (s, _) = call(
        &app,
        "POST",
        &tr,
        Some(token_str),
        Some(serde_json::json!({"action": "revoke", "expected_version": 2, "note": "决定撤销"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Nothing leaves a revoked record.
    let (s, v) = call(
        &app,
        "POST",
        &tr,
        Some(token_str),
        Some(serde_json::json!({"action": "correct", "expected_version": 3, "fields": {"a": "b"}})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "illegal_transition");
    let (s, v) = call(
        &app,
        "POST",
        &tr,
        Some(token_str),
        Some(serde_json::json!({"action": "fly", "expected_version": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "unknown_action");
    // Revoked: no longer public, so the read states its purpose (and is query-logged).
    let (s, v) = call(&app, "GET", &uri, Some(token_str), None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("purpose_required"))
    );
    let (_, v) = call(
        &app,
        "GET",
        &format!("{uri}?purpose=%E6%A0%B8%E5%AF%B9"),
        Some(token_str),
        None,
    )
    .await;
    let actions: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["create", "tolerate", "revoke"]);
    let (s, v) = call(
        &app,
        "GET",
        "/api/v1/records/not-a-uuid",
        Some(token_str),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "invalid_id");
    assert_log_verifies(store.as_ref()).await;
}

#[tokio::test]
async fn timeliness_across_spring_festival() {
    let t = make().await;
    let (app, store) = (t.app.clone(), t.store.clone());
    let tok = staff_token(&t).await;
    let token_str = tok.as_str();
    let _ = &app;
    // Decided 2025-01-24; the 7th working day is 2025-02-10 (China time).
    import(
        &store,
        "DEPT-A",
        "2025-02-10T08:00:00Z",
        vec![row(2, "A1", "2025-01-24")],
    )
    .await;
    import(
        &store,
        "DEPT-A",
        "2025-02-10T17:00:00Z",
        vec![row(2, "A2", "2025-01-24")],
    )
    .await; // 02-11 01:00 CST: late
    import(
        &store,
        "DEPT-B",
        "2025-02-08T03:00:00Z",
        vec![row(2, "B1", "2025-01-24")],
    )
    .await;
    let (s, v) = call(
        &app,
        "GET",
        "/api/v1/reports/timeliness?from=2025-01-01&to=2025-01-31",
        Some(token_str),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let depts = v["departments"].as_array().unwrap();
    assert_eq!(depts[0]["source_dept"], "DEPT-A");
    assert_eq!(depts[0]["on_time"], 1);
    assert_eq!(depts[0]["late"], 1);
    assert_eq!(depts[1]["on_time"], 1);
    assert_eq!(v["late"][0]["doc_no"], "A2");
    assert_eq!(v["late"][0]["deadline"], "2025-02-10");
    let (s, v) = call(
        &app,
        "GET",
        "/api/v1/reports/timeliness?from=2025-01-01&to=2025-01-31&dept=DEPT-B",
        Some(token_str),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["departments"].as_array().unwrap().len(), 1);
    let (s, v) = call(
        &app,
        "GET",
        "/api/v1/reports/timeliness?from=2025-02-01&to=2025-01-01",
        Some(token_str),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "invalid_period");
    let (s, v) = call(
        &app,
        "GET",
        "/api/v1/reports/timeliness?from=nope",
        Some(token_str),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "invalid_query");
}

#[tokio::test]
async fn expiry_job_hides_but_keeps() {
    let (_, store) = make_app(None).await;
    let mut r = row(2, "E1", "2024-01-10");
    r.publish_until = Some(d("2025-01-10"));
    import(
        &store,
        "DEPT-A",
        "2024-01-12T02:00:00Z",
        vec![r, row(3, "E2", "2025-06-01")],
    )
    .await;
    let n = chengxin_app::records::expire_due(store.as_ref(), "job", d("2025-03-01"))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let n = chengxin_app::records::expire_due(store.as_ref(), "job", d("2025-03-01"))
        .await
        .unwrap();
    assert_eq!(n, 0, "idempotent");
    assert_eq!(store.count_records().await.unwrap(), 2);
}

#[tokio::test]
async fn openapi_documents_every_route() {
    let (app, _) = make_app(None).await;
    let (s, v) = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    for p in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/records/{id}",
        "/api/v1/records/{id}/transitions",
        "/api/v1/reports/timeliness",
        "/api/v1/link-queue",
    ] {
        assert!(v["paths"][p].is_object(), "missing {p}");
    }
    assert!(v["components"]["securitySchemes"]["bearer"].is_object());
    // Query parameters are documented as such (schemathesis relies on it).
    let params = v["paths"]["/api/v1/reports/timeliness"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(params.iter().all(|p| p["in"] == "query"), "{params:?}");
    for (path, verb) in [("/api/v1/records/{id}", "get"), ("/api/v1/batches", "post")] {
        for p in v["paths"][path][verb]["parameters"].as_array().unwrap() {
            let expected = if p["name"] == "id" { "path" } else { "query" };
            assert_eq!(p["in"], expected, "{path} {p}");
        }
    }
}
