//! Issue 17, a department clerk's daily work: the template of a type the department may
//! submit (and only those), the pre-check that writes nothing, the confirmation that imports
//! the very file, and 我的报送批次 with its counts — never another department's batches.

use std::io::Cursor;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Reader, Xlsx};
use chengxin_access::Role;
use chengxin_domain::authority::Delegations;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::NewSubject;
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// 溧阳市市场监督管理局 (320481): its 报送范围 is 行政许可 and 行政处罚.
const LIYANG_MARKET: &str = "11320481MB0000035Y";
/// Another 溧阳 department (its sibling).
const LIYANG_HR: &str = "11320481MB00000274";
const COMPANY_A: &str = "91320481MA1MY3B539";
const COMPANY_B: &str = "91320481MA1N00018T";

const SCOPES: &str = r#"
version = "clerk-test"
[[scopes]]
submitter = "11320481MB0000035Y"
name = "溧阳市市场监督管理局"
types = ["admin_license", "admin_penalty"]
"#;

/// A request with `cred` (cookie and CSRF header for a session): status, content type, body.
async fn send(
    t: &TestApp,
    method: &str,
    uri: &str,
    cred: &Cred,
    body: Vec<u8>,
) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    match cred {
        Cred::None => {}
        Cred::Session { cookie, csrf } => {
            req = req
                .header("cookie", format!("cx_session={cookie}"))
                .header("x-csrf-token", csrf);
        }
        Cred::Token(tok) => req = req.header("authorization", format!("Bearer {tok}")),
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, ctype, bytes)
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap_or(serde_json::Value::Null)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A 行政处罚 row by column title, decided ten days ago (imports date by the real clock).
fn penalty(doc: &str, company: &str, content: &str) -> Vec<(&'static str, String)> {
    let decided = chengxin_store::clock::today_in_china() - chrono::Days::new(10);
    vec![
        ("行政相对人名称", format!("溧阳{company}食品有限公司")),
        ("行政相对人类别", "法人及非法人组织".into()),
        ("行政相对人代码_1(统一社会信用代码)", company.into()),
        ("行政处罚决定书文号", doc.into()),
        ("违法行为类型", "食品安全".into()),
        ("违法事实", "销售过期食品".into()),
        (
            "处罚依据",
            "《中华人民共和国食品安全法》第一百二十四条".into(),
        ),
        ("处罚类别", "罚款".into()),
        ("处罚内容", content.into()),
        ("处罚决定日期", decided.to_string()),
        ("处罚有效期", (decided + chrono::Months::new(6)).to_string()),
        (
            "公示截止期",
            (decided + chrono::Months::new(12)).to_string(),
        ),
        ("处罚机关", "溧阳市市场监督管理局".into()),
        ("处罚机关统一社会信用代码", LIYANG_MARKET.into()),
        ("数据来源单位", "溧阳市市场监督管理局".into()),
        ("数据来源单位统一社会信用代码", LIYANG_MARKET.into()),
    ]
}

/// The template's first sheet filled with `rows` (cells by the template's own headers).
fn fill(template: &[u8], rows: &[Vec<(&'static str, String)>]) -> Vec<u8> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(template.to_vec())).unwrap();
    let names = book.sheet_names();
    assert_eq!(
        names.get(1).map(String::as_str),
        Some("填写说明"),
        "{names:?}"
    );
    let sheet = book.worksheet_range(&names[0]).unwrap();
    let headers: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let rt = Catalog::default_checked()
        .unwrap()
        .get("admin_penalty")
        .unwrap();
    let titles: Vec<&str> = rt.fields.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(
        headers, titles,
        "the template's columns are the intake's, in order"
    );
    let instructions = book.worksheet_range("填写说明").unwrap();
    let help: Vec<String> = instructions
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .collect();
    assert!(
        help.iter().any(|c| c == "必填"),
        "instructions mark required columns"
    );
    assert!(
        help.iter()
            .any(|c| c.contains("01 普通") || c.contains("罚款"))
            || help.iter().any(|c| c.contains("01 身份证")),
        "instructions name allowed values with their Chinese names"
    );

    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, h) in headers.iter().enumerate() {
            if let Some((_, v)) = row.iter().find(|(t, _)| *t == h.as_str()) {
                ws.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn gov_body(t: &TestApp, name: &str, uscc: &str) {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(SubjectKind::GovBody),
                name: name.into(),
                uscc: Some(uscc.into()),
                region: uscc.get(2..8).map(String::from),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

async fn story(base: TestApp) {
    let delegations = Delegations::parse(SCOPES, Catalog::default_checked().unwrap()).unwrap();
    let t = base.with_app(|app| app.delegations = Some(Arc::new(delegations)));
    gov_body(&t, "溧阳市市场监督管理局", LIYANG_MARKET).await;
    gov_body(&t, "溧阳市人力资源和社会保障局", LIYANG_HR).await;
    let clerk = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_MARKET))
        .await;
    let sibling = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_HR))
        .await;

    // Only the types of its 报送范围 are offered, on the page and by the API.
    let (s, _, b) = send(&t, "GET", "/api/v1/batches/templates", &clerk, vec![]).await;
    assert_eq!(s, StatusCode::OK, "{}", text(&b));
    let offered: Vec<String> = json(&b)["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(offered, ["admin_license", "admin_penalty"]);
    let (s, _, b) = send(&t, "GET", "/console/submit", &clerk, vec![]).await;
    assert_eq!(s, StatusCode::OK);
    let page = text(&b);
    assert!(
        page.contains("/api/v1/batches/templates/admin_penalty"),
        "{page}"
    );
    assert!(!page.contains("/api/v1/batches/templates/commendation"));
    assert!(!page.contains("value=\"commendation\""));
    // A type outside it: no template, no pre-check.
    let (s, _, b) = send(
        &t,
        "GET",
        "/api/v1/batches/templates/commendation",
        &clerk,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let v = json(&b);
    assert_eq!(v["code"], "type_not_in_scope", "{v}");
    assert!(v["message"].as_str().unwrap().contains("表彰奖励"), "{v}");
    let (s, _, b) = send(
        &t,
        "POST",
        "/api/v1/batches/precheck?type=commendation&file_name=c.csv",
        &clerk,
        b"a,b\n1,2\n".to_vec(),
    )
    .await;
    assert_eq!(
        (s, json(&b)["code"].clone()),
        (
            StatusCode::FORBIDDEN,
            serde_json::json!("type_not_in_scope")
        )
    );

    // An earlier record the file will correct.
    let (s, _, template) = send(
        &t,
        "GET",
        "/api/v1/batches/templates/admin_penalty",
        &clerk,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", text(&template));
    let first = fill(
        &template,
        &[penalty(
            "溧市监罚〔2025〕1号",
            COMPANY_A,
            "罚款人民币一万元",
        )],
    );
    let (s, _, b) = send(
        &t,
        "POST",
        &format!("/api/v1/batches?type=admin_penalty&dept={LIYANG_MARKET}&file_name=first.xlsx"),
        &clerk,
        first,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", text(&b));
    assert_eq!(json(&b)["batch"]["created"], 1, "{}", text(&b));

    // The template filled: one correction, one new record (a new subject), one bad row.
    let mut bad = penalty("溧市监罚〔2025〕3号", COMPANY_B, "罚款人民币三万元");
    bad.retain(|(t, _)| *t != "处罚决定日期");
    bad.push(("处罚决定日期", "2025-13-45".into()));
    let filled = fill(
        &template,
        &[
            penalty("溧市监罚〔2025〕1号", COMPANY_A, "罚款人民币一万五千元"),
            penalty("溧市监罚〔2025〕2号", COMPANY_B, "罚款人民币二万元"),
            bad,
        ],
    );
    let head = t.store.log_head().await.unwrap();
    let (s, _, b) = send(
        &t,
        "POST",
        "/api/v1/batches/precheck?type=admin_penalty&file_name=%E5%A4%84%E7%BD%9A.xlsx",
        &clerk,
        filled,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", text(&b));
    let p = json(&b);
    assert_eq!(
        (
            p["rows"].as_u64(),
            p["added"].as_u64(),
            p["corrected"].as_u64(),
            p["unchanged"].as_u64(),
            p["rejected"].as_u64(),
            p["subjects_new"].as_u64()
        ),
        (Some(3), Some(1), Some(1), Some(0), Some(1), Some(1)),
        "{p}"
    );
    assert_eq!(
        p["corrections"][0]["columns"],
        serde_json::json!(["处罚内容"]),
        "{p}"
    );
    assert!(
        p["rejects"][0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("处罚决定日期"),
        "{p}"
    );
    // Nothing written: the change log has not moved, no batch, no record.
    assert_eq!(
        t.store.log_head().await.unwrap(),
        head,
        "the pre-check wrote"
    );
    let (_, _, b) = send(&t, "GET", "/api/v1/batches/history", &clerk, vec![]).await;
    assert_eq!(json(&b)["total"], 1, "{}", text(&b));
    let id = p["id"].as_str().unwrap().to_string();
    let (s, _, b) = send(
        &t,
        "GET",
        &format!("/console/precheck/{id}"),
        &clerk,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&b).contains("id=\"pc-rejected\""), "{}", text(&b));

    // Nobody else confirms it or reads it.
    let confirm = format!("/api/v1/batches/precheck/{id}/confirm");
    let (s, _, _) = send(&t, "POST", &confirm, &sibling, vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = send(
        &t,
        "GET",
        &format!("/console/precheck/{id}"),
        &sibling,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Confirmed: the very file is imported, once.
    let (s, _, b) = send(&t, "POST", &confirm, &clerk, vec![]).await;
    assert_eq!(s, StatusCode::OK, "{}", text(&b));
    let batch = json(&b)["batch"].clone();
    assert_eq!(
        (
            batch["created"].as_i64(),
            batch["corrected"].as_i64(),
            batch["rejected"].as_i64(),
            batch["subjects_created"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(1)),
        "{batch}"
    );
    let (s, _, _) = send(&t, "POST", &confirm, &clerk, vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a pre-check is confirmed once");
    let batch_id = batch["id"].as_str().unwrap().to_string();

    // 我的报送批次: newest first, with its counts and what it published.
    let (s, _, b) = send(&t, "GET", "/api/v1/batches/history", &clerk, vec![]).await;
    assert_eq!(s, StatusCode::OK);
    let h = json(&b);
    assert_eq!(h["total"], 2, "{h}");
    let top = &h["items"][0];
    assert_eq!(top["batch"]["id"], batch_id.as_str(), "{h}");
    assert_eq!(top["type_name"], "行政处罚");
    assert_eq!(top["state_label"], "已入库");
    assert_eq!(top["publication"]["published"], 2, "{h}");
    assert_eq!(top["publication"]["past_period"], 0, "{h}");
    let (s, _, b) = send(&t, "GET", "/console/batches", &clerk, vec![]).await;
    assert_eq!(s, StatusCode::OK);
    let page = text(&b);
    for needle in [
        "处罚.xlsx",
        "行政处罚",
        "已入库",
        "已公示 2 条",
        "data-label=\"报送时间\"",
    ] {
        assert!(
            page.contains(needle),
            "{needle} missing from the history page"
        );
    }
    assert!(page.contains(&format!("/console/batches/{batch_id}/records")));
    let (s, _, b) = send(
        &t,
        "GET",
        &format!("/console/batches/{batch_id}/records"),
        &clerk,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&b).contains("溧市监罚〔2025〕2号"));

    // The sibling department sees none of it: not in its history, and by id like an unknown id.
    let (_, _, b) = send(&t, "GET", "/api/v1/batches/history", &sibling, vec![]).await;
    assert_eq!(json(&b)["total"], 0, "{}", text(&b));
    let (_, _, b) = send(&t, "GET", "/console/batches", &sibling, vec![]).await;
    assert!(!text(&b).contains(&batch_id));
    for uri in [
        format!("/api/v1/batches/{batch_id}"),
        format!("/console/batches/{batch_id}/records"),
    ] {
        let (s, _, _) = send(&t, "GET", &uri, &sibling, vec![]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
    }
    let unknown = uuid::Uuid::now_v7();
    let (s, _, _) = send(
        &t,
        "GET",
        &format!("/api/v1/batches/{unknown}"),
        &sibling,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The city's credit office sees its region's batches.
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let (s, _, b) = send(&t, "GET", "/api/v1/batches/history", &office, vec![]).await;
    assert_eq!(s, StatusCode::OK, "{}", text(&b));
    assert_eq!(json(&b)["total"], 2, "{}", text(&b));

    assert_log_verifies(t.store.as_ref()).await;
    base.cleanup().await;
}

both_backends!(clerk_daily_work, story);
