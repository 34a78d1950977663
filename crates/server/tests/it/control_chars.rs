//! Control characters (U+0000 above all) are refused the same way on both backends: a file cell
//! gets a row error and the other rows go in; an API body, a form or a query string gets a 400
//! `control_character`; nothing is stored and the log still verifies. (Before, SQLite stored a
//! U+0000 and PostgreSQL failed the whole batch with a 500.)

use axum::http::StatusCode;
use chengxin_app::imports::{import_file, ImportRequest};
use chengxin_domain::subjects::IdHasher;
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};

const DEPT: &str = "11320400MB00000002";

/// A three-row 行政处罚 file whose second row carries `bad` inside its 处罚内容.
fn penalty_file(dir: &std::path::Path, bad: char) -> std::path::PathBuf {
    let mut clean = Vec::new();
    chengxin_ingest::gen::gen_penalty_csv(&mut clean, 3, 0, 11 + bad as u64).unwrap();
    let mut reader = csv::Reader::from_reader(clean.as_slice());
    let headers = reader.headers().unwrap().clone();
    let content = headers.iter().position(|h| h == "处罚内容").unwrap();
    let path = dir.join(format!("control-{}.csv", bad as u32));
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&headers).unwrap();
    for (i, row) in reader.records().enumerate() {
        let mut row: Vec<String> = row.unwrap().iter().map(str::to_string).collect();
        if i == 1 {
            row[content] = format!("罚款人民币一千元{bad}整");
        }
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    path
}

async fn story(t: TestApp) {
    std::fs::create_dir_all(&t.dir).unwrap();
    for bad in ['\u{0}', '\u{1b}'] {
        let file = penalty_file(&t.dir, bad);
        let s = import_file(
            t.store.clone(),
            IdHasher::new([3; 32]),
            file,
            ImportRequest {
                type_code: "admin_penalty".into(),
                source_dept: DEPT.into(),
                file_name: Some(format!("control-{}.csv", bad as u32)),
                sheet: None,
                published_at: None,
                actor: "test".into(),
                today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                delegations: None,
                rejects: Default::default(),
            },
        )
        .await
        .unwrap();
        assert_eq!((s.batch.created, s.batch.rejected), (2, 1), "{:?}", s.batch);
        let rejects = t.store.batch_rejects(s.batch.id).await.unwrap();
        assert_eq!(rejects.len(), 1);
        assert_eq!(rejects[0].row, 3, "the second data row is line 3");
        let reasons = rejects[0].reasons.join("；");
        assert!(reasons.contains("控制字符"), "{reasons}");
    }

    // API bodies: refused before any handler, nothing filed.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(serde_json::json!({
                "reasons": "某局未履行合同约定\u{0}",
                "applicant_name": "张三",
            })),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "control_character", "{v}");
    assert!(v["message"].as_str().unwrap().contains("U+0000"), "{v}");
    // A key, too.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(serde_json::json!({"reasons\u{1}": "x", "applicant_name": "张三"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("control_character"))
    );
    // The same complaint without it is filed.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/complaints",
            &Cred::None,
            Some(serde_json::json!({
                "reasons": "某局未履行合同约定\n第二行",
                "applicant_name": "张三",
                "region": "320400",
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // Query strings.
    let (s, v) = t
        .call("GET", "/portal/search?q=%E5%B8%B8%00", &Cred::None, None)
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("control_character"))
    );

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(control_characters_are_refused_alike, story);
