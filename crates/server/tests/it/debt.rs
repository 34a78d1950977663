//! 地方政府债务 (issue 20) over the real router, on both backends: a city's credit office
//! imports a file whose bad rows (unknown region, region outside its jurisdiction, future
//! year, negative amount, zero capacity, duplicate) are reported by row and code while the
//! good rows go in; ratios and levels come out; 武进区's rise from green to yellow warns the
//! offices of 武进区 and 常州市; the same file again changes nothing and warns no one twice; a
//! corrected row is a new version; a file with wrong columns is refused; 武进区's office sees its
//! own county and gets 404 for 天宁区 (its sibling); the console page draws the map, the trend,
//! the ranking; the log verifies.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_testkit::*;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const HEADER: &str =
    "地区代码,地区,年度,一般债务余额(万元),专项债务余额(万元),隐性债务余额(万元),综合财力(万元)";

fn csv(header: &str, rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(header);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

async fn upload(t: &TestApp, cred: &Cred, file: Vec<u8>) -> (StatusCode, Value) {
    t.post_bytes(
        "/api/v1/debt/import?file_name=debt.csv",
        cred,
        "text/csv",
        file,
    )
    .await
}

async fn page(t: &TestApp, cred: &Cred, uri: &str) -> (StatusCode, String) {
    let (s, v) = t.call("GET", uri, cred, None).await;
    (s, v.as_str().unwrap_or_default().to_string())
}

fn debt_notices(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["topic"] == "debt_level_change")
        .map(|i| i["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn story(t: TestApp) {
    let city = t.session_for(Role::CreditOffice, "320400", None).await;
    let wujin = t.session_for(Role::CreditOffice, "320412", None).await;
    let tianning = t.session_for(Role::CreditOffice, "320402", None).await;

    // ---- a file with bad rows: reported by row and code, the good rows imported ----
    let file = csv(
        HEADER,
        &[
            "320412,武进区,2022,675000,825000,,1500000",
            "320412,武进区,2023,753300,920700,,1550000",
            "320412,武进区,2024,876150,1070850,,1650000",
            "320402,天宁区,2024,300000,300000,120000,740000",
            "999999,,2024,1,1,,1",
            "320500,苏州市,2024,1,1,,10",
            "320404,钟楼区,2026,1,1,,10",
            "320404,钟楼区,2024,-5,1,,10",
            "320404,钟楼区,2023,5,1,,0",
            "320412,武进区,2024,1,1,,10",
        ],
    );
    // Oversized: a file over the uploads' 32 MiB limit is refused before it is read.
    let (s, v) = upload(&t, &city, vec![b'a'; 32 * 1024 * 1024 + 1]).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("payload_too_large")),
        "{v}"
    );
    let (s, v) = upload(&t, &city, file).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["created"], 4, "{v}");
    assert_eq!(v["rejected"], 6, "{v}");
    let has = |row: u64, code: &str| {
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["row"] == row && p["code"] == code)
    };
    assert!(has(6, "debt_region_unknown"), "{v}");
    assert!(has(7, "debt_region_out_of_jurisdiction"), "{v}");
    assert!(has(8, "debt_year_in_future"), "{v}");
    assert!(has(9, "debt_amount_negative"), "{v}");
    assert!(has(10, "debt_capacity_zero"), "{v}");
    assert!(has(11, "debt_row_duplicate"), "{v}");
    assert!(v.to_string().contains("第 7 行"), "{v}");
    // Levels: 武进区 100% → 108% green, 2024 118% green; no change yet.
    assert_eq!(v["level_changes"].as_array().unwrap().len(), 0, "{v}");

    let (s, h) = t
        .call("GET", "/api/v1/debt/regions/320412", &city, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    let years = h["years"].as_array().unwrap();
    assert_eq!(years.len(), 3);
    assert_eq!(years[0]["ratio"], "100.00%");
    assert_eq!(years[2]["ratio"], "118.00%");
    assert_eq!(years[2]["level"], "green");
    let (_, h) = t
        .call("GET", "/api/v1/debt/regions/320402", &city, None)
        .await;
    assert_eq!(h["years"][0]["ratio"], "81.08%", "{h}");
    assert_eq!(h["years"][0]["ratio_with_hidden"], "97.30%", "{h}");
    assert_eq!(h["years"][0]["hidden_wan"], "120000.00", "{h}");

    // ---- 2025: 131% — green to yellow; both offices warned ----
    let next = csv(HEADER, &["320412,武进区,2025,1002150,1224850,,1700000"]);
    let (s, v) = upload(&t, &city, next.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["created"], 1, "{v}");
    let changes = v["level_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{v}");
    assert_eq!(changes[0]["from"], "green");
    assert_eq!(changes[0]["to"], "yellow");
    assert_eq!(changes[0]["worse"], true);
    assert_eq!(v["notified"], 2, "the county's and the city's office: {v}");
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &wujin, None).await;
    let titles = debt_notices(&inbox);
    assert_eq!(titles.len(), 1, "{inbox}");
    assert!(
        titles[0].contains("武进区 2025 年度债务风险等级上升：绿色 → 黄色"),
        "{titles:?}"
    );
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &city, None).await;
    assert_eq!(debt_notices(&inbox).len(), 1, "{inbox}");
    let (_, inbox) = t
        .call("GET", "/api/v1/notifications", &tianning, None)
        .await;
    assert!(
        debt_notices(&inbox).is_empty(),
        "a sibling office is not told: {inbox}"
    );

    // ---- the same file again: nothing written, no second warning ----
    let (s, v) = upload(&t, &city, next).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["created"].as_u64(),
            v["updated"].as_u64(),
            v["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(1)),
        "{v}"
    );
    assert_eq!(v["notified"], 0, "{v}");
    assert!(v["level_changes"].as_array().unwrap().is_empty(), "{v}");
    let (_, inbox) = t.call("GET", "/api/v1/notifications", &wujin, None).await;
    assert_eq!(debt_notices(&inbox).len(), 1, "{inbox}");

    // ---- a corrected row: a new version ----
    let fixed = csv(HEADER, &["320412,武进区,2025,1002150,1224850,,1800000"]);
    let (s, v) = upload(&t, &city, fixed).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["updated"], 1, "{v}");
    let versions = t.store.debt_versions("320412", 2025).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].version, 2);

    // ---- an XLSX file (numbers as numbers, the title without its unit) ----
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "地区代码",
        "年度",
        "一般债务余额",
        "专项债务余额",
        "综合财力",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "320402").unwrap();
    ws.write_number(1, 1, 2023.0).unwrap();
    ws.write_number(1, 2, 290000.5).unwrap();
    ws.write_number(1, 3, 290000.0).unwrap();
    ws.write_number(1, 4, 720000.0).unwrap();
    let xlsx = wb.save_to_buffer().unwrap();
    let mut req = Request::builder()
        .method("POST")
        .uri("/api/v1/debt/import?file_name=debt.xlsx")
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        );
    if let Cred::Session { cookie, csrf } = &city {
        req = req
            .header("cookie", format!("cx_session={cookie}"))
            .header("x-csrf-token", csrf);
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::from(xlsx)).unwrap())
        .await
        .unwrap();
    let st = resp.status();
    let b = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["created"], 1, "{v}");
    let (_, h) = t
        .call("GET", "/api/v1/debt/regions/320402", &city, None)
        .await;
    assert_eq!(h["years"][0]["year"], 2023, "{h}");
    assert_eq!(h["years"][0]["general_wan"], "290000.50", "{h}");

    // ---- wrong columns; only bad rows; not the office's permission ----
    let (s, v) = upload(&t, &city, csv("地区代码,年度,金额", &["320412,2024,1"])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "debt_columns_wrong", "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("一般债务余额"),
        "{v}"
    );
    let (s, v) = upload(&t, &city, csv(HEADER, &["320412,武进区,2099,1,1,,1"])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "debt_rows_rejected", "{v}");
    let (s, v) = upload(&t, &wujin, csv(HEADER, &["320402,天宁区,2024,1,1,,1"])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v.to_string().contains("debt_region_out_of_jurisdiction"),
        "{v}"
    );
    let supervisor = t.session_for(Role::Supervisor, "320400", None).await;
    let (s, _) = upload(&t, &supervisor, csv(HEADER, &["320412,武进区,2024,1,1,,1"])).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // ---- jurisdiction: 武进区 sees itself only; its sibling is "not found" ----
    let (s, v) = t.call("GET", "/api/v1/debt/positions", &wujin, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{v}");
    assert!(items.iter().all(|i| i["region"] == "320412"), "{v}");
    let (s, _) = t
        .call("GET", "/api/v1/debt/regions/320402", &wujin, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t
        .call("GET", "/api/v1/debt/positions?region=320402", &wujin, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = t
        .call("GET", "/api/v1/debt/ratios?year=2024", &tianning, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["region"], "320402");
    assert_eq!(v[0]["year"], 2024);
    // The city: keyset pages cover every position once.
    let (_, p1) = t
        .call("GET", "/api/v1/debt/positions?limit=3", &city, None)
        .await;
    let after = p1["next"].as_str().unwrap().to_string();
    let (_, p2) = t
        .call(
            "GET",
            &format!("/api/v1/debt/positions?limit=3&after={after}"),
            &city,
            None,
        )
        .await;
    assert_eq!(
        p1["items"].as_array().unwrap().len() + p2["items"].as_array().unwrap().len(),
        6
    );
    assert!(p2["next"].is_null(), "{p2}");

    // ---- the evaluation source ----
    let r = chengxin_app::debt::ratios(&t.state, 2025, "3204")
        .await
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].region.as_str(), r[0].level.as_str()),
        ("320412", "yellow")
    );

    // ---- the console page: map, trend, ranking ----
    let (s, html) = page(&t, &city, "/console/debt?year=2024").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"debt-map\""), "{html}");
    assert!(html.contains("id=\"debt-trend\""));
    assert!(html.contains("id=\"debt-ranking\""));
    assert!(html.contains("天宁区：81.08% 绿色"), "tile tooltip");
    assert!(!html.contains("NaN"));
    let (s, html) = page(&t, &wujin, "/console/debt?region=320412").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("武进区 债务率走势") || html.contains("常州市武进区 债务率走势"),
        "{html}"
    );
    assert!(html.contains("绿色 → 黄色"));
    assert!(
        !html.contains("81.08%"),
        "a sibling's figures never reach the county"
    );
    let (s, _) = page(&t, &wujin, "/console/debt?region=320402").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    assert_log_verifies(t.store.as_ref()).await;
}

both_backends!(debt_import_levels_warnings_and_jurisdiction, story);
