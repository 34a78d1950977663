//! Issue 16 point 4: a batch's error report (its rejected rows, as submitted) gave clear ID
//! numbers to API tokens and staff, with no purpose and no query log. Now the rows go back as
//! submitted to the submitting body only (its accounts and tokens, or whoever uploaded the
//! file); anyone else who may read the batch gets every ID number masked — in the CSV, the
//! XLSX, the JSON and on the console page — unless it holds `personal_data_decrypt` for the
//! batch's region and states a purpose, which is query-logged.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::codes::id_number;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{AuditFilter, NewSubject};
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// 溧阳市市场监督管理局 (320481) and another 溧阳 department.
const LIYANG_MARKET: &str = "11320481MB0000035Y";
const LIYANG_TAX: &str = "11320481MB00000274";
const COMPANY: &str = "91320481MA1MY3B539";

fn id(body: &str) -> String {
    format!("{body}{}", id_number::check_char(body).unwrap())
}

/// A 行政处罚 file of one good row (a company) and one bad row: a natural person whose
/// 证件号码 has a wrong check character, an ID number in its 违法事实.
fn file(bad_number: &str, facts: &str) -> Vec<u8> {
    let decided = chengxin_store::clock::today_in_china() - chrono::Days::new(10);
    let valid = decided + chrono::Months::new(6);
    let public = decided + chrono::Months::new(12);
    let tail = format!(
        "罚款,罚款人民币一万元,{decided},{valid},{public},溧阳市市场监督管理局,{LIYANG_MARKET},溧阳市市场监督管理局,{LIYANG_MARKET}"
    );
    format!(
        "行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),证件类型,证件号码,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,处罚决定日期,处罚有效期,公示截止期,处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码\n\
         溧阳某食品有限公司,法人及非法人组织,{COMPANY},,,溧市监罚〔2025〕41号,食品安全,销售过期食品,《中华人民共和国食品安全法》第一百二十四条,{tail}\n\
         张三,自然人,,身份证,{bad_number},溧市监罚〔2025〕42号,食品安全,{facts},《中华人民共和国食品安全法》第一百二十四条,{tail}\n"
    )
    .into_bytes()
}

/// GET with `cred`: status, the `x-chengxin-masked` header and the body as text.
async fn get(t: &TestApp, uri: &str, cred: &Cred) -> (StatusCode, Option<String>, String) {
    let mut req = Request::builder().method("GET").uri(uri);
    match cred {
        Cred::None => {}
        Cred::Session { cookie, .. } => req = req.header("cookie", format!("cx_session={cookie}")),
        Cred::Token(tok) => req = req.header("authorization", format!("Bearer {tok}")),
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let masked = resp
        .headers()
        .get("x-chengxin-masked")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, masked, String::from_utf8_lossy(&bytes).into_owned())
}

async fn story(t: TestApp) {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(SubjectKind::GovBody),
                name: "溧阳市市场监督管理局".into(),
                uscc: Some(LIYANG_MARKET.into()),
                region: Some("320481".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let valid = id("32048119900101123");
    // The same number with a wrong check character: invalid, still a person's.
    let last = valid.chars().last().unwrap();
    let wrong = if last == '0' { '1' } else { '0' };
    let bad = format!("{}{wrong}", &valid[..17]);
    let other = id("32048119851212002");
    let facts = format!("当事人张三（身份证号{other}）销售过期食品");
    let dept = t
        .token(&["records_submit"], "320481", Some(LIYANG_MARKET))
        .await;
    let Cred::Token(tok) = &dept else { panic!() };
    let req = Request::builder()
        .method("POST")
        .uri(format!(
            "/api/v1/batches?type=admin_penalty&dept={LIYANG_MARKET}&file_name=p.csv"
        ))
        .header("authorization", format!("Bearer {tok}"))
        .body(Body::from(file(&bad, &facts)))
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: serde_json::Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(
        (
            v["batch"]["created"].as_i64(),
            v["batch"]["rejected"].as_i64()
        ),
        (Some(1), Some(1)),
        "{v}"
    );
    let batch = v["batch"]["id"].as_str().unwrap().to_string();
    let csv = format!("/api/v1/batches/{batch}/errors");
    let xlsx = format!("{csv}?format=xlsx");
    let json = format!("{csv}?format=json");
    let purpose = "purpose=%E6%A0%B8%E5%AF%B9%E9%80%80%E5%9B%9E%E8%A1%8C"; // 核对退回行
    let clear_seen = |body: &str| body.contains(&bad) || body.contains(&other);
    let masked_bad = id_number::mask(&bad);
    let masked_other = id_number::mask(&other);

    // The submitting body: its token (the uploader) and its accounts get the rows as
    // submitted, ready to fix and resubmit.
    let dept_account = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_MARKET))
        .await;
    for cred in [&dept, &dept_account] {
        let (s, masked, body) = get(&t, &csv, cred).await;
        assert_eq!(
            (s, masked.as_deref()),
            (StatusCode::OK, Some("false")),
            "{body}"
        );
        assert!(body.contains(&bad) && body.contains(&facts), "{body}");
        let (s, _, body) = get(&t, &json, cred).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["masked"], false);
        let cells = v["rows"][0]["cells"].to_string();
        assert!(cells.contains(&bad) && cells.contains(&facts), "{cells}");
    }

    // Anyone else who may read the batch: masked, the ID-number column whole (valid or not)
    // and numbers in free text — a token of the region's credit office, the office's staff
    // without a purpose.
    let office_token = t.token(&["records_read_nonpublic"], "320481", None).await;
    let office = t.session_for(Role::CreditOffice, "320481", None).await;
    for cred in [&office_token, &office] {
        for uri in [&csv, &xlsx] {
            let (s, masked, body) = get(&t, uri, cred).await;
            assert_eq!(
                (s, masked.as_deref()),
                (StatusCode::OK, Some("true")),
                "{uri}"
            );
            assert!(!clear_seen(&body), "{uri}: {body}");
        }
        let (s, masked, body) = get(&t, &csv, cred).await;
        assert_eq!((s, masked.as_deref()), (StatusCode::OK, Some("true")));
        assert!(
            body.contains(&masked_bad) && body.contains(&masked_other),
            "{body}"
        );
        let (_, _, body) = get(&t, &json, cred).await;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["masked"], true);
        assert!(!clear_seen(&body), "{body}");
        assert_eq!(
            v["rows"][0]["cells"][7],
            facts.replace(&other, &masked_other)
        );
        assert_eq!(v["rows"][0]["cells"][4], masked_bad);
    }
    // A token may not open personal data: a purpose does not help it (refused, logged).
    let (s, _, body) = get(&t, &format!("{csv}?{purpose}"), &office_token).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(!clear_seen(&body));
    // Another department of the county does not read the batch at all: 404, as for an
    // unknown id (issue 17: siblings never learn another body's batch exists).
    let tax = t
        .session_for(Role::SubmittingDepartment, "320481", Some(LIYANG_TAX))
        .await;
    let tax_token = t
        .token(&["records_submit"], "320481", Some(LIYANG_TAX))
        .await;
    for cred in [&tax, &tax_token] {
        let (s, _, body) = get(&t, &json, cred).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
        assert!(!clear_seen(&body));
    }
    // The credit office with personal_data_decrypt and a purpose: in clear, query-logged.
    let (s, masked, body) = get(&t, &format!("{csv}?{purpose}"), &office).await;
    assert_eq!(
        (s, masked.as_deref()),
        (StatusCode::OK, Some("false")),
        "{body}"
    );
    assert!(body.contains(&bad) && body.contains(&facts), "{body}");
    let (_, _, body) = get(&t, &format!("{json}&{purpose}"), &office).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["masked"], false);
    let logged = t
        .store
        .audit_events(&AuditFilter {
            kind: Some("query".into()),
            action: Some("batch_errors_open".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let ok: Vec<_> = logged.iter().filter(|e| e.outcome == "ok").collect();
    assert_eq!(ok.len(), 2, "{logged:?}");
    assert!(ok
        .iter()
        .all(|e| e.detail["purpose"] == "核对退回行" && e.detail["returned"] == 1));
    assert!(logged.iter().any(|e| e.outcome == "denied"));
    // The masked reads and the submitting body's own reads are not query-logged as openings.
    assert_eq!(logged.len(), 3);
    // The console's batch page says so, and offers the purpose form to the office.
    let (s, _, html) = get(&t, &format!("/console/batches/{batch}"), &office).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("errors-masked") && html.contains("errors-purpose"),
        "{html}"
    );
    let (_, _, html) = get(&t, &format!("/console/batches/{batch}"), &dept_account).await;
    assert!(!html.contains("errors-masked") && !html.contains("errors-purpose"));
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(error_reports_go_back_in_clear_only_to_the_submitter, story);
