//! A batch import in progress blocks no one and shows nothing (issue 15, point 9), over the
//! real router on both backends: while a batch is half-written, a complaint filed through the
//! portal API is answered at once; the record API, the check engine (tailing the change log)
//! and the batch's error report show none of its rows; once it is published, all of them.

use std::time::Duration;

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::{NewBatch, RejectedRow, RowOutcome};
use chengxin_testkit::*;

const USCC: &str = "91320412MA1MXK2L83";

async fn check(t: &TestApp, platform: &Cred) -> serde_json::Value {
    t.state.checks.catch_up(t.store.as_ref()).await.unwrap();
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            platform,
            Some(serde_json::json!({"scenario": "bidding", "parties": [{"uscc": USCC}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["results"][0]["matches"].clone()
}

async fn story(t: TestApp) {
    t.state.checks.build(t.store.as_ref()).await.unwrap();
    let platform = t.token(&["checks_run"], "320400", None).await;
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    assert_eq!(check(&t, &platform).await, serde_json::json!([]));

    let mut w = t
        .store
        .begin_batch(
            "test",
            NewBatch {
                type_code: "admin_penalty".into(),
                source_dept: "11320400MB0000000X".into(),
                file_name: Some("处罚.csv".into()),
                file_sha256: "sha-story".into(),
                format: "csv".into(),
                encoding: "UTF-8".into(),
                published_at: None,
                headers: vec!["行政相对人名称".into()],
            },
        )
        .await
        .unwrap();
    let out = w
        .write(vec![import_row(2, "罚〔2026〕1号", "2026-01-05")])
        .await
        .unwrap();
    let RowOutcome::Created(record) = out[0] else {
        panic!("{out:?}")
    };
    w.reject(vec![RejectedRow {
        row: 3,
        cells: vec!["x".into()],
        reasons: vec!["日期不存在".into()],
    }])
    .await
    .unwrap();
    let batch = w.id();

    // Half-way through the batch, a complaint is answered at once …
    let (s, filed) = tokio::time::timeout(
        Duration::from_secs(5),
        t.call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(serde_json::json!({"reasons": "导入期间提交的投诉应立即受理", "applicant_name": "孙八", "region": "320400"})),
        ),
    )
    .await
    .expect("the complaint waited for the import");
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    // … and nothing of the batch is seen: not its record, not its subject in a check (the
    // index has tailed the log past its chunks), not its rejected rows.
    let (s, _) = t
        .call("GET", &format!("/api/v1/records/{record}"), &office, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(check(&t, &platform).await, serde_json::json!([]));
    let (s, v) = t
        .call("GET", &format!("/api/v1/batches/{batch}"), &office, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "importing");
    let (s, v) = t
        .call(
            "GET",
            &format!("/api/v1/batches/{batch}/errors"),
            &office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "batch_not_committed");

    // Published: all of it at once, the index included.
    w.commit(vec![]).await.unwrap();
    let (s, v) = t
        .call("GET", &format!("/api/v1/records/{record}"), &office, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let matches = check(&t, &platform).await;
    assert_eq!(
        matches[0]["records"][0]["id"],
        record.to_string(),
        "{matches}"
    );
    let (s, v) = t
        .call(
            "GET",
            &format!("/api/v1/batches/{batch}/errors"),
            &office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(import_blocks_no_one_and_shows_nothing, story);
