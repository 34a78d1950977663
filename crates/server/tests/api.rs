//! HTTP API tests against the real router on a fresh SQLite store.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_domain::catalog::Catalog;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::IdHasher;
use chengxin_server::{metrics::Metrics, router, App};
use chengxin_store::{ImportRow, LogSigner, NewBatch, RowOutcome, Store};
use chrono::{DateTime, NaiveDate, Utc};
use http_body_util::BodyExt;
use tower::ServiceExt;

const TOKEN: &str = "test-token-123";

async fn make_app(token: Option<&str>) -> (axum::Router, Arc<dyn Store>) {
    let dir = std::env::temp_dir().join(format!("chengxin-api-{}", uuid::Uuid::now_v7().simple()));
    let store = chengxin_store::open(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap();
    store
        .migrate(
            Catalog::default_checked().unwrap(),
            &LogSigner::generate(),
            "test",
        )
        .await
        .unwrap();
    let state = Arc::new(App {
        store: store.clone(),
        metrics: Metrics::new(),
        api_token: token.map(String::from),
        id_hasher: IdHasher::new([3; 32]),
        upload_dir: dir.join("uploads"),
    });
    (router(state), store)
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
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
async fn protected_routes_need_the_token() {
    let (app, _) = make_app(None).await;
    let (s, v) = call(&app, "GET", "/api/v1/link-queue", None, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(v["code"], "api_token_not_configured");
    let (app, _) = make_app(Some(TOKEN)).await;
    let (s, v) = call(&app, "GET", "/api/v1/link-queue", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["code"], "unauthorized");
    let (s, _) = call(&app, "GET", "/api/v1/link-queue", Some("wrong"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = call(&app, "GET", "/api/v1/link-queue", Some(TOKEN), None).await;
    assert_eq!(s, StatusCode::OK);
    // Public reference routes stay open.
    let (s, _) = call(&app, "GET", "/api/v1/catalog", None, None).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn record_lifecycle_over_http() {
    let (app, store) = make_app(Some(TOKEN)).await;
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
    let (s, v) = call(&app, "GET", &uri, Some(TOKEN), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["record"]["status"], "published");
    assert_eq!(v["history"].as_array().unwrap().len(), 1);

    let t = format!("/api/v1/records/{id}/transitions");
    // 容错 needs an approving note.
    let (s, v) = call(
        &app,
        "POST",
        &t,
        Some(TOKEN),
        Some(serde_json::json!({"action": "tolerate", "expected_version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "note_required");
    let (s, v) = call(&app, "POST", &t, Some(TOKEN), Some(serde_json::json!({"action": "tolerate", "expected_version": 1, "note": "经市信用办审定属容错情形（常信办〔2025〕3号）"}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["tolerated"], true);
    // Stale version.
    let (s, v) = call(
        &app,
        "POST",
        &t,
        Some(TOKEN),
        Some(serde_json::json!({"action": "revoke", "expected_version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["code"], "version_conflict");
    let (s, _) = call(
        &app,
        "POST",
        &t,
        Some(TOKEN),
        Some(serde_json::json!({"action": "revoke", "expected_version": 2, "note": "决定撤销"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Nothing leaves a revoked record.
    let (s, v) = call(
        &app,
        "POST",
        &t,
        Some(TOKEN),
        Some(serde_json::json!({"action": "correct", "expected_version": 3, "fields": {"a": "b"}})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "illegal_transition");
    let (s, v) = call(
        &app,
        "POST",
        &t,
        Some(TOKEN),
        Some(serde_json::json!({"action": "fly", "expected_version": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "unknown_action");
    let (_, v) = call(&app, "GET", &uri, Some(TOKEN), None).await;
    let actions: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["create", "tolerate", "revoke"]);
    let (s, v) = call(&app, "GET", "/api/v1/records/not-a-uuid", Some(TOKEN), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "invalid_id");
    let report = store.verify(&[]).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .all(|p| matches!(p, chengxin_store::Problem::BadCheckpoint { .. })),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn timeliness_across_spring_festival() {
    let (app, store) = make_app(Some(TOKEN)).await;
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
        Some(TOKEN),
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
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["departments"].as_array().unwrap().len(), 1);
    let (s, v) = call(
        &app,
        "GET",
        "/api/v1/reports/timeliness?from=2025-02-01&to=2025-01-01",
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "invalid_period");
    let (s, v) = call(
        &app,
        "GET",
        "/api/v1/reports/timeliness?from=nope",
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "invalid_query");
}

#[tokio::test]
async fn expiry_job_hides_but_keeps() {
    let (_, store) = make_app(Some(TOKEN)).await;
    let mut r = row(2, "E1", "2024-01-10");
    r.publish_until = Some(d("2025-01-10"));
    import(
        &store,
        "DEPT-A",
        "2024-01-12T02:00:00Z",
        vec![r, row(3, "E2", "2025-06-01")],
    )
    .await;
    let n = chengxin_server::services::records::expire_due(store.as_ref(), "job", d("2025-03-01"))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let n = chengxin_server::services::records::expire_due(store.as_ref(), "job", d("2025-03-01"))
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
}
