//! 政务诚信监测评价 (issue 20), the story on both backends: the demo-like city 常州 with a
//! government body in 武进区 and one in 溧阳市. April is computed from the platform's own data
//! (nothing against either); in May the 武进 body has two severe 政务失信 records (its 行政处罚
//! published late, past the 7-working-day 双公示 deadline), and a third-party satisfaction file is
//! imported (a bad file is refused with its row first). May ranks 溧阳 above 武进; 武进's lost
//! points are explained down to its records, with links; its drop of more than 10 points
//! warns the office's inbox; the May run is published; a corrected third-party figure is
//! recomputed as version 2 while the published version 1 stays as it was. A sibling county
//! sees none of 武进's results (404). The XLSX export opens; `verify` passes.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::NewSubject;
use chengxin_testkit::*;
use serde_json::json;

const WUJIN_BODY: &str = "11320412MB0000010X";
const LIYANG_BODY: &str = "11320481MB00000274";

async fn upload(
    t: &TestApp,
    uri: &str,
    cred: &Cred,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let (s, v) = t.post_bytes(uri, cred, "text/csv", bytes).await;
    (
        s,
        if v.is_string() {
            serde_json::Value::Null
        } else {
            v
        },
    )
}

async fn get_bytes(t: &TestApp, uri: &str, cred: &Cred) -> (StatusCode, Vec<u8>) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().method("GET").uri(uri);
    if let Cred::Session { cookie, csrf } = cred {
        req = req
            .header("cookie", format!("cx_session={cookie}"))
            .header("x-csrf-token", csrf);
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let s = resp.status();
    (
        s,
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

/// A severe 政务失信 record of the 武进 body (an 行政处罚 it received), decided in May 2025.
fn severe(n: u64, doc: &str) -> chengxin_store::ImportRow {
    let mut r = import_row(n, doc, "2025-05-12");
    r.subject_name = "常州市武进区某局".into();
    r.subject_uscc = Some(WUJIN_BODY.into());
    r.subject_kind = SubjectKind::GovBody;
    r.subject_region = Some("320412".into());
    r.severity = Some("severe".into());
    r
}

async fn story(t: TestApp) {
    let supervisor = t.session_for(Role::Supervisor, "320400", None).await;
    let city_office = t.session_for(Role::CreditOffice, "320400", None).await;
    let liyang_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let store = t.store.as_ref();

    // The two bodies, registered.
    for (name, uscc, region) in [
        ("常州市武进区某局", WUJIN_BODY, "320412"),
        ("溧阳市某局", LIYANG_BODY, "320481"),
    ] {
        store
            .create_subject(
                "test",
                NewSubject {
                    kind: Some(SubjectKind::GovBody),
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
            .unwrap();
    }

    // ---- bad input ----
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/evaluation/runs",
            &supervisor,
            Some(json!({"period": "2025-13"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("period_invalid")),
        "{v}"
    );
    let (s, v) = upload(
        &t,
        "/api/v1/evaluation/imports?file_name=third.csv",
        &supervisor,
        "地区,分数\n320412,70\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("import_columns_invalid")),
        "{v}"
    );
    let bad = "指标代码,评价对象代码,期间,数值,提供单位\nS1,320412,2025-05,70,某评估公司\nS1,999999,2025-05,80,某评估公司\nL1,320481,2025-05,80,某评估公司\nS1,320481,2025-05,很好,某评估公司\n";
    let (s, v) = upload(
        &t,
        "/api/v1/evaluation/imports?file_name=third.csv",
        &supervisor,
        bad.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("import_rows_invalid")),
        "{v}"
    );
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("第 3 行") && msg.contains("999999"), "{msg}");
    assert!(msg.contains("第 4 行") && msg.contains("第 5 行"), "{msg}");
    assert!(store.eval_imports("2025-05").await.unwrap().is_empty());
    // A reader may not compute.
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/evaluation/runs",
            &city_office,
            Some(json!({"period": "2025-04"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // ---- April: nothing against anyone ----
    let (s, april) = t
        .call(
            "POST",
            "/api/v1/evaluation/runs",
            &supervisor,
            Some(json!({"period": "2025-04"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{april}");
    assert_eq!(april["run_version"], 1);

    // ---- May: two severe records of the 武进 body, late 双公示, third-party figures ----
    t.import(
        WUJIN_BODY,
        vec![severe(1, "武罚〔2025〕1号"), severe(2, "武罚〔2025〕2号")],
    )
    .await;
    let good = "指标代码,评价对象代码,期间,数值,提供单位\nS1,320412,2025-05,70,江苏某第三方评估公司\nS1,320481,2025-05,95,江苏某第三方评估公司\n";
    let (s, v) = upload(
        &t,
        "/api/v1/evaluation/imports?file_name=third.csv",
        &supervisor,
        good.as_bytes().to_vec(),
    )
    .await;
    assert_eq!((s, v["written"].as_u64()), (StatusCode::OK, Some(2)), "{v}");
    // Oversized: over the uploads' 32 MiB limit, refused before it is read.
    let (s, v) = upload(
        &t,
        "/api/v1/evaluation/imports?file_name=big.csv",
        &supervisor,
        vec![b'a'; 32 * 1024 * 1024 + 1],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, may) = t
        .call(
            "POST",
            "/api/v1/evaluation/runs",
            &supervisor,
            Some(json!({"period": "2025-05", "note": "五月例行评价"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{may}");
    let may_id = may["id"].as_str().unwrap().to_string();

    // Ranking of the counties: 溧阳 first.
    let (s, r) = t
        .call(
            "GET",
            "/api/v1/evaluation/ranking?period=2025-05&kind=county",
            &city_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let lines = r["lines"].as_array().unwrap();
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["320481", "320412"], "{r}");
    let wujin = &lines[1];
    assert_eq!(wujin["rank"], 2);
    let wujin_score = wujin["score"].as_f64().unwrap();
    assert!(wujin_score < 60.0, "{wujin}");
    // April had nothing against it: a drop of more than 10 points.
    assert!(wujin["change"].as_f64().unwrap() < -10.0, "{wujin}");
    // 溧阳: full marks but for the third-party figure (95 → 13.125 of 15): 93.125 points of the
    // 95 scored (neither county has debt data, so D1 is unscored), × 100 ÷ 95.
    assert!(
        (lines[0]["score"].as_f64().unwrap() - 98.03).abs() < 1e-9,
        "{r}"
    );
    // 武进: L1 0 of 12, O1 0 of 15, S1 3.75 of 15: 56.75 of 95 → 59.74.
    assert!((wujin_score - 59.74).abs() < 1e-9, "{wujin}");

    // The explanation of 武进's lost points, down to the records.
    let (s, e) = t
        .call(
            "GET",
            "/api/v1/evaluation/targets/320412?period=2025-05",
            &city_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let inds = e["indicators"].as_array().unwrap();
    let l1 = inds.iter().find(|i| i["code"] == "L1").unwrap();
    assert_eq!(
        (l1["points"].as_f64(), l1["lost"].as_f64()),
        (Some(0.0), Some(12.0)),
        "{l1}"
    );
    assert_eq!(l1["value"].as_f64(), Some(8.0));
    let docs: Vec<&str> = l1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(docs.len(), 2, "{l1}");
    assert!(docs.contains(&"武罚〔2025〕1号") && docs.contains(&"武罚〔2025〕2号"));
    for i in l1["items"].as_array().unwrap() {
        assert!(
            i["link"].as_str().unwrap().starts_with("/console/records/"),
            "{i}"
        );
        assert_eq!(i["tag"], "severe");
    }
    let inputs = l1["inputs"].as_array().unwrap();
    assert!(
        inputs
            .iter()
            .any(|i| i["name"] == "dishonesty_severe" && i["value"] == 2.0),
        "{l1}"
    );
    let s1 = inds.iter().find(|i| i["code"] == "S1").unwrap();
    assert_eq!(s1["value"].as_f64(), Some(70.0), "{s1}");
    let o1 = inds.iter().find(|i| i["code"] == "O1").unwrap();
    assert!(o1["lost"].as_f64().unwrap() > 0.0, "{o1}");
    let dims = e["dimensions"].as_array().unwrap();
    assert!(
        dims.iter()
            .any(|d| d["name"] == "依法行政" && d["lost"].as_f64() == Some(12.0)),
        "{e}"
    );
    // The body itself is explained too.
    let (s, b) = t
        .call(
            "GET",
            &format!("/api/v1/evaluation/targets/{WUJIN_BODY}?period=2025-05&indicator=L1"),
            &city_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["indicators"].as_array().unwrap().len(), 1);

    // A sibling county sees only itself; 武进 is not found.
    let (s, r) = t
        .call(
            "GET",
            "/api/v1/evaluation/ranking?period=2025-05&kind=county",
            &liyang_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["lines"].as_array().unwrap().len(), 1, "{r}");
    let (s, _) = t
        .call(
            "GET",
            "/api/v1/evaluation/targets/320412?period=2025-05",
            &liyang_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t
        .call(
            "GET",
            &format!("/api/v1/evaluation/grades/{WUJIN_BODY}"),
            &liyang_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Warnings: the drop and the pass mark, in the 武进 office's inbox.
    let (s, w) = t
        .call("GET", "/api/v1/evaluation/warnings", &city_office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let kinds: Vec<(&str, &str)> = w
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["target"].as_str().unwrap(), x["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("320412", "drop")), "{w}");
    assert!(kinds.contains(&("320412", "threshold")), "{w}");
    assert!(!kinds.iter().any(|(t, _)| *t == "320481"), "{w}");
    let (s, w) = t
        .call("GET", "/api/v1/evaluation/warnings", &liyang_office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(w.as_array().unwrap().is_empty(), "{w}");
    let inbox = store
        .inbox(&[("office".to_string(), "320412".to_string())], false, 50)
        .await
        .unwrap();
    assert!(
        inbox.iter().any(|n| n.topic == "evaluation_drop"),
        "{inbox:?}"
    );

    // ---- publish May; a corrected third-party figure is a new version ----
    // A county's supervisor may neither publish nor compute the whole deployment's run.
    let county_supervisor = t.session_for(Role::Supervisor, "320481", None).await;
    for (uri, body) in [
        (
            format!("/api/v1/evaluation/runs/{may_id}/publish"),
            json!({"version": 1}),
        ),
        (
            "/api/v1/evaluation/runs".to_string(),
            json!({"period": "2025-05"}),
        ),
    ] {
        let (s, v) = t.call("POST", &uri, &county_supervisor, Some(body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri}: {v}");
        assert_eq!(v["code"], "evaluation_scope_partial", "{v}");
    }
    let (s, p) = t
        .call(
            "POST",
            &format!("/api/v1/evaluation/runs/{may_id}/publish"),
            &supervisor,
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["published"], true);
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/evaluation/runs/{may_id}/publish"),
            &supervisor,
            Some(json!({"version": 2})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("run_already_published"))
    );
    let fixed = "指标代码,评价对象代码,期间,数值,提供单位\nS1,320412,2025-05,90,江苏某第三方评估公司（更正）\n";
    let (s, _) = upload(
        &t,
        "/api/v1/evaluation/imports?file_name=fix.csv",
        &supervisor,
        fixed.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v2) = t
        .call(
            "POST",
            "/api/v1/evaluation/runs",
            &supervisor,
            Some(json!({"period": "2025-05", "note": "第三方评价更正"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v2}");
    assert_eq!(
        (v2["run_version"].as_i64(), v2["published"].as_bool()),
        (Some(2), Some(false))
    );
    let v2_id = v2["id"].as_str().unwrap();
    let (_, r2) = t
        .call(
            "GET",
            &format!("/api/v1/evaluation/ranking?run={v2_id}&kind=county"),
            &city_office,
            None,
        )
        .await;
    let new_score = r2["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["target"] == "320412")
        .unwrap()["score"]
        .as_f64()
        .unwrap();
    // S1 70 → 90: 7.5 more points of the 95 scored.
    assert!(
        (new_score - wujin_score - 7.5 * 100.0 / 95.0).abs() < 0.01,
        "{new_score} vs {wujin_score}"
    );
    // The period still shows the published version 1, unchanged.
    let (_, r1) = t
        .call(
            "GET",
            "/api/v1/evaluation/ranking?period=2025-05&kind=county",
            &city_office,
            None,
        )
        .await;
    assert_eq!(r1["run"]["run_version"], 1);
    let old = r1["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["target"] == "320412")
        .unwrap()["score"]
        .as_f64()
        .unwrap();
    assert_eq!(old, wujin_score);
    let (_, runs) = t
        .call(
            "GET",
            "/api/v1/evaluation/runs?period=2025-05",
            &city_office,
            None,
        )
        .await;
    assert_eq!(runs.as_array().unwrap().len(), 2);

    // Applying results: the current grade for the check scenarios.
    let (s, g) = t
        .call(
            "GET",
            "/api/v1/evaluation/grades/320412",
            &city_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(
        (g["period"].as_str(), g["published"].as_bool()),
        (Some("2025-05"), Some(true))
    );
    assert_eq!(g["grade"], "不合格");
    // …and a check in the scenario 绩效考核 shows the body's grade.
    let checker = t.session_for(Role::CreditOffice, "320400", None).await;
    let (s, c) = t
        .call(
            "POST",
            "/api/v1/checks",
            &checker,
            Some(json!({"scenario": "performance_appraisal", "parties": [{"uscc": WUJIN_BODY}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let ev = &c["evaluations"][0];
    assert_eq!(
        (ev["target"].as_str(), ev["period"].as_str()),
        (Some(WUJIN_BODY), Some("2025-05")),
        "{c}"
    );
    let (_, c) = t
        .call(
            "POST",
            "/api/v1/checks",
            &checker,
            Some(json!({"scenario": "procurement", "parties": [{"uscc": WUJIN_BODY}]})),
        )
        .await;
    assert!(c.get("evaluations").is_none(), "{c}");

    // The export opens; the console pages show the ranking and the drill-down.
    let (s, x) = get_bytes(
        &t,
        "/api/v1/evaluation/ranking.xlsx?period=2025-05&kind=county",
        &city_office,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x)).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let text = format!("{:?}", sheet.rows().collect::<Vec<_>>());
    assert!(
        text.contains("溧阳市") && text.contains("依法行政"),
        "{text}"
    );
    let (s, page) = t
        .call(
            "GET",
            "/console/evaluation?period=2025-05&kind=county",
            &city_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("eval-ranking") && page.contains("武进区"),
        "{page}"
    );
    let (s, page) = t
        .call(
            "GET",
            "/console/evaluation/targets/320412?period=2025-05",
            &city_office,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("武罚〔2025〕1号") && page.contains("/console/records/"),
        "{page}"
    );
    let (s, page) = t
        .call("GET", "/console/evaluation/warnings", &city_office, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("得分骤降"));

    assert_log_verifies(store).await;
}

both_backends!(evaluation_story, story);
