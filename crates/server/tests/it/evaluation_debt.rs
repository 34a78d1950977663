//! 政务诚信评价 (issue 20), the debt ratio as a source and the measure 扣减政务诚信得分 applied,
//! on both backends. 常州's credit office imports the 2024 debt positions of 常州市 (320%: red),
//! 武进区 (160%: yellow) and 溧阳市 (80%: green); the May 2025 run scores D1 from each region's
//! own position — 常州市 red (0 of 5, not the sum of its counties), 武进区 yellow (3.5), 溧阳市
//! green (5) — and explains 武进区's D1 down to its debt position (the ratio, the level, the
//! link); 钟楼区, with a body but no debt data, has D1 unscored with its reason, never a
//! silent zero. The 武进 body is on the 严重失信主体名单 (in
//! effect since January): its May total is reduced by 5 points, the explanation shows the
//! deduction with a link to the entry, and it ranks below the 溧阳 body. The portal shows no
//! The signed PDF report of 武进区 opens (pages, the signature verifies with the report key,
//! D1's points inside), and is not found for a sibling county's office. The portal shows no
//! ranking until May is published, then May's published version (names, the tile map) — not
//! the unpublished recomputation, nor the unpublished December. The log verifies.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::NewSubject;
use chengxin_testkit::*;
use serde_json::{json, Value};

const WUJIN_BODY: &str = "11320412MB0000010X";
const LIYANG_BODY: &str = "11320481MB00000274";
const ZHONGLOU_BODY: &str = "11320404MB0000012Y";

const HEADER: &str =
    "地区代码,地区,年度,一般债务余额(万元),专项债务余额(万元),隐性债务余额(万元),综合财力(万元)";

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

fn indicator<'a>(e: &'a Value, code: &str) -> &'a Value {
    e["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {e}"))
}

async fn story(t: TestApp) {
    let supervisor = t.session_for(Role::Supervisor, "320400", None).await;
    let city = t.session_for(Role::CreditOffice, "320400", None).await;
    let store = t.store.as_ref();

    let mut wujin = None;
    for (name, uscc, region) in [
        ("常州市武进区某局", WUJIN_BODY, "320412"),
        ("溧阳市某局", LIYANG_BODY, "320481"),
        ("常州市钟楼区某局", ZHONGLOU_BODY, "320404"),
    ] {
        let s = store
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
        if uscc == WUJIN_BODY {
            wujin = Some(s);
        }
    }
    // The 武进 body on the 严重失信主体名单, in effect since 2025-01-06.
    let entry = blacklist(store, &wujin.unwrap()).await;

    // Debt positions of 2024 (the newest year up to May 2025).
    let file = format!(
        "{HEADER}\n320400,常州市,2024,3000000,1000000,,1250000\n\
         320412,武进区,2024,1000000,1000000,,1250000\n\
         320481,溧阳市,2024,500000,500000,,1250000\n"
    );
    let (s, v) = t
        .post_bytes(
            "/api/v1/debt/import?file_name=debt.csv",
            &city,
            "text/csv",
            file.into_bytes(),
        )
        .await;
    assert_eq!((s, v["created"].as_u64()), (StatusCode::OK, Some(3)), "{v}");

    let (s, may) = t
        .call(
            "POST",
            "/api/v1/evaluation/runs",
            &supervisor,
            Some(json!({"period": "2025-05"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{may}");

    // ---- D1 from each region's own position ----
    let explain = |target: &str| format!("/api/v1/evaluation/targets/{target}?period=2025-05");
    let (s, e) = t.call("GET", &explain("320412"), &city, None).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let d1 = indicator(&e, "D1");
    assert_eq!(
        (
            d1["status"].as_str(),
            d1["value"].as_f64(),
            d1["points"].as_f64()
        ),
        (Some("ok"), Some(70.0), Some(3.5)),
        "{d1}"
    );
    let inputs = d1["inputs"].as_array().unwrap();
    assert!(
        inputs
            .iter()
            .any(|i| i["name"] == "debt_ratio" && i["value"] == 160.0),
        "{d1}"
    );
    assert!(
        inputs
            .iter()
            .any(|i| i["name"] == "debt_yellow" && i["value"] == 1.0),
        "{d1}"
    );
    let items = d1["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{d1}");
    assert_eq!(items[0]["tag"], "yellow");
    assert_eq!(items[0]["link"], "/console/debt?region=320412");
    let title = items[0]["title"].as_str().unwrap();
    assert!(
        title.contains("2024") && title.contains("160.00%") && title.contains("黄色"),
        "{title}"
    );
    // The city's own position (red), not its counties'.
    let (_, e) = t.call("GET", &explain("320400"), &city, None).await;
    let d1 = indicator(&e, "D1");
    assert_eq!(
        (d1["value"].as_f64(), d1["points"].as_f64()),
        (Some(0.0), Some(0.0)),
        "{d1}"
    );
    assert_eq!(d1["items"].as_array().unwrap().len(), 1, "{d1}");
    assert_eq!(d1["items"][0]["link"], "/console/debt?region=320400");
    let (_, e) = t.call("GET", &explain("320481"), &city, None).await;
    assert_eq!(indicator(&e, "D1")["points"].as_f64(), Some(5.0), "{e}");
    // 钟楼区 has no debt data: D1 unscored with its reason, the total scaled, not zeroed.
    let (_, e) = t.call("GET", &explain("320404"), &city, None).await;
    let d1 = indicator(&e, "D1");
    assert_eq!(d1["status"], "no_data", "{d1}");
    assert!(d1["note"].as_str().unwrap().contains("债务数据"), "{d1}");
    assert!(e["scaling"].is_string(), "{e}");
    // A body has no D1.
    let (_, e) = t.call("GET", &explain(LIYANG_BODY), &city, None).await;
    assert!(
        !e["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "D1"),
        "{e}"
    );
    assert!(e["deduction"].is_null(), "{e}");

    // ---- 扣减政务诚信得分 on the 武进 body ----
    let (s, r) = t
        .call(
            "GET",
            "/api/v1/evaluation/ranking?period=2025-05&kind=body",
            &city,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let score = |uscc: &str| {
        r["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["target"] == uscc)
            .unwrap_or_else(|| panic!("{uscc} in {r}"))
            .clone()
    };
    let (w, l) = (score(WUJIN_BODY), score(LIYANG_BODY));
    // Nothing against either but the entry (S1 has no figure: unscored): 100, and 100 − 5.
    assert_eq!(l["score"].as_f64(), Some(100.0), "{l}");
    assert_eq!(w["score"].as_f64(), Some(95.0), "{w}");
    assert!(w["rank"].as_i64() > l["rank"].as_i64(), "{r}");
    let (s, e) = t.call("GET", &explain(WUJIN_BODY), &city, None).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let d = &e["deduction"];
    assert_eq!(
        (d["before"].as_f64(), d["points"].as_f64()),
        (Some(100.0), Some(5.0)),
        "{e}"
    );
    let entries = d["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{d}");
    assert_eq!(
        entries[0]["link"],
        format!("/console/lists/{}", entry.id),
        "{d}"
    );
    assert_eq!(entries[0]["list_code"], "serious_dishonest");
    let (s, page) = t
        .call(
            "GET",
            &format!("/console/evaluation/targets/{WUJIN_BODY}?period=2025-05"),
            &city,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("eval-deduction") && page.contains(&format!("/console/lists/{}", entry.id)),
        "{page}"
    );
    // December 2024, before the entry took effect: no deduction.
    let (s, apr) = t
        .call(
            "POST",
            "/api/v1/evaluation/runs",
            &supervisor,
            Some(json!({"period": "2024-12"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{apr}");
    let (_, e) = t
        .call(
            "GET",
            &format!("/api/v1/evaluation/targets/{WUJIN_BODY}?period=2024-12"),
            &city,
            None,
        )
        .await;
    assert_eq!(e["score"].as_f64(), Some(100.0), "{e}");
    assert!(e["deduction"].is_null(), "{e}");

    // ---- the signed PDF report of 武进区 for May ----
    let may_id = may["id"].as_str().unwrap();
    let pdf_uri = format!("/api/v1/evaluation/runs/{may_id}/targets/320412/report.pdf");
    let (s, pdf) = get_bytes(&t, &pdf_uri, &city).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    assert!(
        pdf.windows(10).any(|w| w == b"/Type /Pag"),
        "a PDF without pages"
    );
    let signed = chengxin_report::extract_signed(&pdf).unwrap();
    chengxin_report::verify(&signed, &report_key().verifying_key()).unwrap();
    let titles: Vec<&str> = signed
        .report
        .sections
        .iter()
        .map(|x| x.title.as_str())
        .collect();
    assert_eq!(titles, ["评价总分", "维度得分", "指标得分"], "{titles:?}");
    let total = &signed.report.sections[0].table.rows[0];
    assert_eq!(total[0], "2025年5月", "{total:?}");
    assert!(
        signed.report.subject.name.contains("武进区"),
        "{:?}",
        signed.report.subject
    );
    let d1 = signed.report.sections[2]
        .table
        .rows
        .iter()
        .find(|r| r[0] == "D1")
        .unwrap();
    assert_eq!(d1[4], "3.50", "{d1:?}");
    // A sibling county's office: not found.
    let liyang_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let (s, _) = get_bytes(&t, &pdf_uri, &liyang_office).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The body's report carries its deduction.
    let (s, pdf) = get_bytes(
        &t,
        &format!("/api/v1/evaluation/runs/{may_id}/targets/{WUJIN_BODY}/report.pdf"),
        &city,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let signed = chengxin_report::extract_signed(&pdf).unwrap();
    assert!(
        signed
            .report
            .sections
            .iter()
            .any(|x| x.title == "扣减政务诚信得分" && x.table.rows.len() == 1),
        "{:?}",
        signed.report.sections
    );

    // ---- the portal: published results only ----
    let portal = |q: &str| format!("/portal/evaluation{q}");
    let (s, page) = t.call("GET", &portal(""), &Cred::None, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(page.contains("pe-none"), "{page}");
    assert!(
        !page.contains("溧阳市") && !page.contains("pe-ranking"),
        "{page}"
    );
    let (s, p) = t
        .call(
            "POST",
            &format!("/api/v1/evaluation/runs/{may_id}/publish"),
            &supervisor,
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    // A recomputation (version 2), not published: never shown.
    let (s, v2) = t
        .call(
            "POST",
            "/api/v1/evaluation/runs",
            &supervisor,
            Some(json!({"period": "2025-05", "note": "复核"})),
        )
        .await;
    assert_eq!((s, v2["run_version"].as_i64()), (StatusCode::OK, Some(2)));
    let (s, page) = t
        .call("GET", &portal("?kind=county"), &Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(
        page.contains("pe-ranking") && page.contains("第 1 版"),
        "{page}"
    );
    // Names, not codes; the tile map of 常州 coloured by grade.
    assert!(page.contains("溧阳市") && page.contains("武进区"), "{page}");
    assert!(!page.contains(">320412<"), "{page}");
    assert!(page.contains("pe-tiles") && page.contains("<svg"), "{page}");
    // The unpublished December run is not offered, nor shown when asked for.
    assert!(!page.contains("value=\"2024-12\""), "{page}");
    let (s, page) = t
        .call(
            "GET",
            &portal("?period=2024-12&kind=county"),
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(
        page.contains("pe-unpublished") && !page.contains("pe-ranking"),
        "{page}"
    );
    let (s, page) = t
        .call("GET", &portal("?kind=body"), &Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("溧阳市某局"), "{page}");

    assert_log_verifies(store).await;
}

both_backends!(evaluation_debt_and_deduction, story);
