//! Hardening (issue 16 point 13): API answers are never cached and never sniffed, `/readyz`
//! tells the backend only to operators, and a database that went away answers 503 (not 500).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_testkit::{both_backends, TestApp};
use tower::ServiceExt;

async fn headers(t: TestApp) {
    for path in ["/api/v1/catalog", "/readyz", "/api/v1/no-such-route"] {
        let resp = t
            .app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        if path.starts_with("/api/") {
            assert_eq!(h["cache-control"], "no-store", "{path}");
        }
    }
    // Pages keep their own headers (and are not sniffed either).
    let resp = t
        .app
        .clone()
        .oneshot(Request::get("/static/app.css").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");

    // /readyz: the backend and the log's length for operators only.
    let (s, v) = t
        .call("GET", "/readyz", &chengxin_testkit::Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v.get("backend").is_none() && v.get("log_seq").is_none(),
        "{v}"
    );
    let admin = t.session_for(Role::Administrator, "320400", None).await;
    let (_, v) = t.call("GET", "/readyz", &admin, None).await;
    assert!(v["backend"].is_string() && v["log_seq"].is_number(), "{v}");

    // The database goes away: 503 with a code, not a 500.
    t.store.close().await;
    let (s, v) = t
        .call("GET", "/readyz", &chengxin_testkit::Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    let (s, v) = t
        .call(
            "GET",
            "/api/v1/records/00000000-0000-7000-8000-000000000000",
            &admin,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["code"], "db_unreachable", "{v}");
    t.cleanup().await;
}
both_backends!(answers_are_not_cached_and_a_lost_database_is_503, headers);

async fn bounded_metrics(t: TestApp) {
    const SECRET: &str = "scrape-0123456789abcdef-0123456789abcdef";
    let s = t.with_settings(|a| {
        a.metrics_token = Some(chengxin_access::Secret::new(SECRET.into()));
    });
    // Made-up methods on a real route all count under one label.
    for i in 0..50 {
        let m = format!("FUZZ{i}");
        let _ = s
            .app
            .clone()
            .oneshot(
                Request::builder()
                    .method(m.as_str())
                    .uri("/api/v1/catalog")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
    }
    let (status, _, body) = s
        .call_from(
            "127.0.0.1",
            "GET",
            "/metrics",
            &[("authorization", &format!("Bearer {SECRET}"))],
            None,
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let text = body.as_str().unwrap_or_default().to_string();
    assert!(!text.contains("FUZZ"), "{text}");
    assert!(text.contains("method=\"OTHER\""), "{text}");
    t.cleanup().await;
}
both_backends!(metrics_labels_stay_bounded, bounded_metrics);

async fn spool(t: TestApp) {
    use std::os::unix::fs::PermissionsExt;
    let up = chengxin_app::batches::Upload::begin(&t.state)
        .await
        .unwrap();
    let dir = t.state.upload_dir.clone();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]), 0o600);
    drop(up);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "removed when done"
    );
    // A crash's leftover goes at the next start; a file still being received stays.
    let old = dir.join("upload-left-by-a-crash");
    std::fs::write(&old, "姓名,身份证号\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(std::time::SystemTime::from(
            chengxin_store::clock::now() - chrono::Duration::hours(1),
        ))
        .unwrap();
    let fresh = dir.join("upload-in-flight");
    std::fs::write(&fresh, "x").unwrap();
    assert_eq!(
        chengxin_app::batches::clean_spool(&t.state).await.unwrap(),
        1
    );
    assert!(!old.exists() && fresh.exists());
    t.cleanup().await;
}
both_backends!(spool_files_are_private_and_never_left_behind, spool);
