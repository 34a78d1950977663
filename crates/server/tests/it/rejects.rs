//! One bad file does not become gigabytes (issue 16 point 7), on both backends: a batch keeps
//! the first rejected rows with every reason and counts the rest by reason; a file whose reject
//! ratio shows it is the wrong one is stopped, leaving nothing; SQLite's write-ahead log does
//! not stay large after the import.

use axum::http::StatusCode;
use chengxin_app::imports::{import_file, ImportRequest};
use chengxin_domain::intake::rejects::RejectLimits;
use chengxin_domain::subjects::IdHasher;
use chengxin_store::BatchState;
use chengxin_testkit::{assert_log_verifies, both_backends, TestApp};

fn request(limits: RejectLimits) -> ImportRequest {
    ImportRequest {
        type_code: "admin_penalty".into(),
        source_dept: "11320400MB00000002".into(),
        file_name: Some("处罚.csv".into()),
        sheet: None,
        published_at: None,
        actor: "test".into(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        delegations: None,
        rejects: limits,
    }
}

fn limits() -> RejectLimits {
    RejectLimits {
        keep: 5,
        judge_after: 200,
        stop_percent: 90,
    }
}

async fn story(t: TestApp) {
    std::fs::create_dir_all(&t.dir).unwrap();

    // A file with errors: 20 % bad rows. The batch is published; it keeps 5 rejected rows
    // and counts the others by reason.
    let file = t.dir.join("some-bad.csv");
    let gen =
        chengxin_ingest::gen::gen_penalty_csv(std::fs::File::create(&file).unwrap(), 600, 200, 7)
            .unwrap();
    assert!(gen.bad > 50, "{gen:?}");
    let s = import_file(
        t.store.clone(),
        IdHasher::new([9; 32]),
        file,
        request(limits()),
    )
    .await
    .unwrap();
    let b = &s.batch;
    assert_eq!(b.state, BatchState::Committed);
    assert_eq!(
        b.rejected as u64, gen.bad,
        "every bad row is counted: {b:?}"
    );
    assert_eq!(b.rejects_not_kept as u64, gen.bad - 5, "{b:?}");
    assert_eq!(t.store.batch_rejects(b.id).await.unwrap().len(), 5);
    let by_reason: u64 = b.reject_reasons.iter().map(|r| r.rows).sum();
    assert!(by_reason >= gen.bad, "each bad row gives a reason: {b:?}");
    assert!(b.reject_reasons.windows(2).all(|w| w[0].rows >= w[1].rows));
    assert!(b
        .reject_reasons
        .iter()
        .all(|r| !r.message.is_empty() && !r.code.contains('〔')));
    // The batch API reports the counts.
    let office = t
        .session_for(chengxin_access::Role::CreditOffice, "320400", None)
        .await;
    let (st, v) = t
        .call("GET", &format!("/api/v1/batches/{}", b.id), &office, None)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["rejects_not_kept"], gen.bad - 5, "{v}");
    assert!(v["reject_reasons"][0]["rows"].as_u64().unwrap() > 0, "{v}");
    let records_before = t.store.count_records().await.unwrap();

    // The wrong file: every row bad. Stopped once 200 rows are read, nothing kept.
    let file = t.dir.join("all-bad.csv");
    chengxin_ingest::gen::gen_penalty_csv(std::fs::File::create(&file).unwrap(), 5_000, 1000, 8)
        .unwrap();
    let err = import_file(
        t.store.clone(),
        IdHasher::new([9; 32]),
        file,
        request(limits()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "batch_wrong_file", "{err}");
    assert!(err.to_string().contains("疑似选错"), "{err}");
    assert_eq!(t.store.count_records().await.unwrap(), records_before);
    // SQLite: the log file is given back after the import.
    // (Truncated to zero bytes when no reader holds it; never above `journal_size_limit`.)
    if t.pg.is_none() {
        let wal = std::fs::metadata(t.dir.join("t.db-wal")).map_or(0, |m| m.len());
        assert!(
            wal <= 64 << 20,
            "the write-ahead log stays bounded: {wal} bytes"
        );
    }
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(bad_files_stay_small, story);
