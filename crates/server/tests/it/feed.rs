//! The change feed for the upper-level instance over the real router (issue 21, 逐级归集), on
//! both backends: a `feed_read` token reads pages that the receiver's checks accept, page by
//! page, to the signed head; other callers are refused; bad cursors and limits have codes; the
//! credit office's `/console/feed` page shows each link and the received records' provenance.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_app::feed::{check_page, FeedPage};
use chengxin_store::{FeedLinkRow, FeedRecordRow, LogSigner};
use chengxin_testkit::*;

const TIANNING_DEPT: &str = "11320402MB0000000X";

async fn story(t: TestApp) {
    t.import(
        TIANNING_DEPT,
        vec![
            import_row(1, "天宁罚1", "2025-03-03"),
            import_row(2, "天宁罚2", "2025-03-04"),
        ],
    )
    .await;
    let feed = "/api/v1/feed?after=0&limit=1000";
    let (s, v) = t.call("GET", feed, &Cred::None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let other = t.token(&["reports_read"], "320400", None).await;
    assert_eq!(
        t.call("GET", feed, &other, None).await.0,
        StatusCode::FORBIDDEN
    );
    let tok = t.token(&["feed_read"], "320400", None).await;
    // A token of another district never reads this instance's records.
    let narrow = t.token(&["feed_read"], "320481", None).await;
    let (s, v) = t.call("GET", feed, &tok, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_tree_head"))
    );

    let signer = LogSigner::generate();
    let head = t
        .store
        .sign_tree_head(&signer, "cz.example.gov.cn/log")
        .await
        .unwrap()
        .unwrap();
    let key = signer.verifying_key();
    let mut link = FeedLinkRow {
        name: "常州市".into(),
        base_url: "http://127.0.0.1:1".into(),
        region: "320400".into(),
        applied: 0,
        last_hash: String::new(),
        frontier: String::new(),
        head_size: 0,
        head_root: String::new(),
        sender_size: 0,
        state: "new".into(),
        error_code: None,
        error: None,
        records: 0,
        pages: 0,
        updated_at: String::new(),
        version: 1,
    };
    // Page by page (a few entries each) to the head; every page passes the receiver's checks.
    let mut received: Vec<FeedRecordRow> = Vec::new();
    let mut pages = 0;
    while link.applied < head.size as i64 {
        let uri = format!(
            "/api/v1/feed?after={}&limit=7&known={}",
            link.applied, link.head_size
        );
        let (s, v) = t.call("GET", &uri, &tok, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let page: FeedPage = serde_json::from_value(v).unwrap();
        assert_eq!(
            (page.origin.as_str(), page.region.as_str()),
            ("常州市", "320400")
        );
        let ok = check_page(&link, &key, &page).unwrap();
        received.extend(ok.records);
        link = ok.link;
        pages += 1;
    }
    assert!(pages > 1);
    let (s, v) = t.call("GET", feed, &narrow, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("feed_scope"))
    );
    assert_eq!(link.head_size, head.size as i64);
    assert_eq!(received.len(), 2, "{received:?}");
    assert!(received
        .iter()
        .all(|r| r.origin_region == "320402" && r.origin == "常州市"));
    // A page replayed is refused by the receiver; a cursor past the head by the sender.
    let (_, v) = t.call("GET", feed, &tok, None).await;
    let old: FeedPage = serde_json::from_value(v).unwrap();
    assert_eq!(
        check_page(&link, &key, &old).unwrap_err().code,
        "feed_replay"
    );
    let (s, v) = t
        .call(
            "GET",
            &format!("/api/v1/feed?after={}", head.size + 5),
            &tok,
            None,
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("feed_cursor_ahead"))
    );
    let (s, v) = t
        .call("GET", "/api/v1/feed?after=0&limit=0", &tok, None)
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("feed_bad_limit"))
    );
    let (s, v) = t.call("GET", "/api/v1/feed?after=x", &tok, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // A sender answering for another region than configured.
    let elsewhere = FeedLinkRow {
        region: "320481".into(),
        ..link.clone()
    };
    let (_, v) = t
        .call(
            "GET",
            &format!("/api/v1/feed?after={}", link.applied),
            &tok,
            None,
        )
        .await;
    let page: FeedPage = serde_json::from_value(v).unwrap();
    assert_eq!(
        check_page(&elsewhere, &key, &page).unwrap_err().code,
        "feed_region"
    );

    // The console page: the links and the received records with their provenance.
    let office = t.session_for(Role::CreditOffice, "320000", None).await;
    let (s, v) = t.call("GET", "/console/feed", &office, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.as_str().unwrap().contains("未配置下级平台"), "{v}");
    let stored = t
        .store
        .feed_link_configure("t", "溧阳市", "http://127.0.0.1:9", "320481")
        .await
        .unwrap();
    let rec = FeedRecordRow {
        link: "溧阳市".into(),
        origin: "溧阳市".into(),
        origin_region: "320481".into(),
        id: format!("溧阳市:{}", received[0].original_id),
        ..received[0].clone()
    };
    t.store
        .feed_apply(
            "t",
            &FeedLinkRow {
                applied: 3,
                sender_size: 10,
                state: "ok".into(),
                ..stored
            },
            &[rec],
        )
        .await
        .unwrap();
    t.store
        .feed_fail(
            "t",
            "溧阳市",
            "feed_state_mismatch",
            "记录内容与日志登记的摘要不符",
        )
        .await
        .unwrap();
    let (s, v) = t.call("GET", "/console/feed", &office, None).await;
    assert_eq!(s, StatusCode::OK);
    let html = v.as_str().unwrap();
    assert!(html.contains("溧阳市"), "{html}");
    assert!(html.contains("已拒收"), "{html}");
    assert!(html.contains("feed_state_mismatch"), "{html}");
    assert!(html.contains("来源：溧阳市"), "{html}");
    assert!(html.contains("第 3 条"), "{html}");
    let dept = t
        .session_for(Role::SubmittingDepartment, "320402", Some(TIANNING_DEPT))
        .await;
    assert_eq!(
        t.call("GET", "/console/feed", &dept, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(feed_pages_verify_and_console_shows_links, story);
