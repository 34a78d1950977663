//! 信用查询 with honest counts (issue 17): 115 matching subjects say "找到 115 个" and page
//! 50 at a time (not "找到 50 个"), a person with nothing public is neither listed nor
//! counted, each card shows the subject's public records by category (行政处罚 2) and the
//! public lists it is on, and no technical match note reaches the public. Both backends.

use chengxin_domain::subjects::SubjectKind;
use chengxin_store::NewSubject;
use chengxin_testkit::*;

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn html(t: &TestApp, uri: &str) -> String {
    let (s, v) = t.call("GET", uri, &Cred::None, None).await;
    assert_eq!(s, axum::http::StatusCode::OK, "{uri}");
    v.as_str().unwrap().to_string()
}

async fn search_counts_story(t: TestApp) {
    // 常州甲公司 with two published penalties, on the black list.
    t.import(
        "11320400MB0000000X",
        vec![
            import_row(2, "常市监罚〔2025〕1号", "2025-03-03"),
            import_row(3, "常市监罚〔2025〕2号", "2025-03-04"),
        ],
    )
    .await;
    let jia = t
        .store
        .subject_by_uscc("91320412MA1MXK2L83")
        .await
        .unwrap()
        .unwrap();
    blacklist(t.store.as_ref(), &jia).await;
    // 114 more companies whose name contains 公司: 115 matches in all.
    for n in 0..114 {
        t.store
            .create_subject(
                "test",
                NewSubject {
                    kind: Some(SubjectKind::Enterprise),
                    name: format!("测试贸易公司{n:03}"),
                    region: Some("320412".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    // A civil servant whose name matches but with nothing public: not listed, not counted.
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(SubjectKind::CivilServant),
                name: "公司科王某".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    let q = enc("公司");
    let first = html(&t, &format!("/portal/search?q={q}")).await;
    assert!(
        first.contains("找到 <span id=\"found-total\">115</span> 个信用主体"),
        "{first}"
    );
    assert_eq!(first.matches("class=\"result\"").count(), 50);
    assert!(first.contains("第 1 页，共 3 页"), "{first}");
    assert!(first.contains(&format!("href=\"/portal/search?q={q}&amp;page=2\"")));
    assert!(!first.contains("公司科王某"));
    // 常州甲公司's card: its penalties by category and its list, as tags.
    let card_at = first.find("常州甲公司").expect("甲 on the first page");
    let card = &first[card_at..];
    let card = &card[..card.find("</li>").unwrap()];
    assert!(card.contains("行政处罚 2"), "{card}");
    assert!(card.contains("严重失信主体名单（黑名单）"), "{card}");
    // No technical match notes.
    for note in ["名称包含查询词", "已按", "统一社会信用代码一致", "名称相符"]
    {
        assert!(!first.contains(note), "{note}");
    }
    // The last page holds the remaining 15.
    let last = html(&t, &format!("/portal/search?q={q}&page=3")).await;
    assert_eq!(last.matches("class=\"result\"").count(), 15);
    assert!(last.contains("第 3 页，共 3 页"));
    // Every subject appears exactly once over the pages.
    let mut seen = std::collections::HashSet::new();
    for p in 1..=3 {
        let body = html(&t, &format!("/portal/search?q={q}&page={p}")).await;
        for part in body
            .split("class=\"result\" href=\"/portal/subjects/")
            .skip(1)
        {
            assert!(
                seen.insert(part[..36].to_string()),
                "twice: {}",
                &part[..36]
            );
        }
    }
    assert_eq!(seen.len(), 115);
    t.cleanup().await;
}

both_backends!(search_counts, search_counts_story);

/// A published batch's new subject is searchable once the indexer has reached it; until then
/// the search page says how many new subjects are still being indexed, and the console finds
/// the subject by its exact full name at once.
async fn index_lag_story(t: TestApp) {
    let mut w = t
        .store
        .begin_batch(
            "test",
            chengxin_store::NewBatch {
                type_code: "admin_penalty".into(),
                source_dept: "11320400MB0000000X".into(),
                file_name: None,
                file_sha256: "lag".into(),
                format: "csv".into(),
                encoding: "UTF-8".into(),
                published_at: None,
                headers: vec![],
            },
        )
        .await
        .unwrap();
    w.write(vec![import_row(2, "常市监罚〔2025〕7号", "2025-03-03")])
        .await
        .unwrap();
    w.commit(vec![]).await.unwrap();
    let q = enc("甲公司");
    let before = html(&t, &format!("/portal/search?q={q}")).await;
    assert!(before.contains("id=\"index-pending\""), "{before}");
    assert!(
        before.contains("另有 1 个新报送的主体正在建立名称检索"),
        "{before}"
    );
    let office = t
        .session_for(chengxin_access::Role::CreditOffice, "320400", None)
        .await;
    let (s, v) = t
        .call(
            "GET",
            &format!("/console/subjects?q={}", enc("常州甲公司")),
            &office,
            None,
        )
        .await;
    assert_eq!(s, axum::http::StatusCode::OK);
    let console = v.as_str().unwrap();
    assert!(console.contains("找到 1 个主体"), "{console}");
    assert!(console.contains("id=\"index-pending\""), "{console}");
    t.index_search().await;
    let after = html(&t, &format!("/portal/search?q={q}")).await;
    assert!(!after.contains("index-pending"), "{after}");
    assert!(after.contains("常州甲公司"), "{after}");
    t.cleanup().await;
}

both_backends!(search_index_lag, index_lag_story);
