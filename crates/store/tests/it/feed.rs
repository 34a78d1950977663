//! The feed store (issue 21, 逐级归集), both backends: a configured link starts empty and is
//! written once; a page's records and the link's new state go in one transaction; the same
//! records again write nothing (no log entry); a changed record is an update; a stale link
//! version is a conflict with nothing written; a failure marks the link with its code and
//! reason; verify covers links and received records (an edited row is caught).

use chengxin_store::{FeedLinkRow, FeedRecordRow, StoreError};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;

fn rec(n: u32, status: &str) -> FeedRecordRow {
    FeedRecordRow {
        id: format!("溧阳市:0000000{n}"),
        link: "溧阳市".into(),
        origin: "溧阳市".into(),
        origin_region: "320481".into(),
        original_id: format!("0000000{n}"),
        origin_seq: i64::from(n) + 10,
        type_code: "admin_penalty".into(),
        subject_name: format!("溧阳某公司{n}"),
        subject_code: Some("91320481MA1MXK2L8X".into()),
        doc_no: format!("溧市监罚〔2026〕{n}号"),
        decision_date: "2026-03-01".into(),
        source_dept: "11320481MB0000000X".into(),
        status: status.into(),
        fields: r#"{"penalty_content":"罚款"}"#.into(),
        version: 1,
    }
}

both_backends!(feed_links_and_records, |db: TestDb| async move {
    let s = &db.store;
    let link = s
        .feed_link_configure("t", "溧阳市", "http://127.0.0.1:9", "320481")
        .await
        .unwrap();
    assert_eq!(
        (link.applied, link.state.as_str(), link.version),
        (0, "new", 1)
    );
    let (seq, _) = s.log_head().await.unwrap();
    // The same configuration again writes nothing.
    s.feed_link_configure("t", "溧阳市", "http://127.0.0.1:9", "320481")
        .await
        .unwrap();
    assert_eq!(s.log_head().await.unwrap().0, seq);

    let moved = FeedLinkRow {
        applied: 12,
        last_hash: "ab".repeat(32),
        head_size: 12,
        head_root: "cd".repeat(32),
        sender_size: 12,
        state: "ok".into(),
        records: 2,
        pages: 1,
        ..link.clone()
    };
    let a = s
        .feed_apply("t", &moved, &[rec(1, "published"), rec(2, "published")])
        .await
        .unwrap();
    assert_eq!((a.created, a.updated, a.unchanged), (2, 0, 0));
    let now = s.feed_link("溧阳市").await.unwrap().unwrap();
    assert_eq!((now.applied, now.version), (12, 2));
    // A stale version (another writer applied meanwhile): a conflict, nothing written.
    let (seq, _) = s.log_head().await.unwrap();
    let e = s
        .feed_apply("t", &moved, &[rec(3, "published")])
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
    assert_eq!(s.log_head().await.unwrap().0, seq);
    assert!(s
        .feed_records_by_id(&["溧阳市:00000003".into()])
        .await
        .unwrap()
        .is_empty());
    // The same records again change nothing; a revoked one is an update.
    let again = FeedLinkRow {
        applied: 14,
        ..now.clone()
    };
    let a = s
        .feed_apply("t", &again, &[rec(1, "published"), rec(2, "revoked")])
        .await
        .unwrap();
    assert_eq!((a.created, a.updated, a.unchanged), (0, 1, 1));
    let got = s.feed_records(Some("溧阳市"), 10).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got.iter()
            .find(|r| r.original_id == "00000002")
            .unwrap()
            .status,
        "revoked"
    );
    assert!(s.feed_records(Some("金坛区"), 10).await.unwrap().is_empty());

    s.feed_fail("t", "溧阳市", "feed_state_mismatch", "记录内容与日志不符")
        .await
        .unwrap();
    let failed = s.feed_link("溧阳市").await.unwrap().unwrap();
    assert_eq!(failed.state, "failed");
    assert_eq!(failed.error_code.as_deref(), Some("feed_state_mismatch"));
    assert_eq!(failed.applied, 14, "a failure moves no cursor");
    assert_eq!(s.feed_links().await.unwrap().len(), 1);

    let key = [db.signer.verifying_key()];
    let report = s.verify(&key).await.unwrap();
    assert!(report.ok, "{:?}", report.problems);
    db.exec("UPDATE feed_records SET status = 'published' WHERE original_id = '00000002'")
        .await;
    assert!(
        !s.verify(&key).await.unwrap().ok,
        "an edited record is caught"
    );
    db.exec("UPDATE feed_records SET status = 'revoked' WHERE original_id = '00000002'")
        .await;
    assert!(s.verify(&key).await.unwrap().ok);
    db.exec("UPDATE feed_links SET applied = 99").await;
    assert!(
        !s.verify(&key).await.unwrap().ok,
        "an edited link is caught"
    );
    db.cleanup().await;
});
