//! Issue 15, points 3 and 4: nobody publishes in another authority's name, jurisdiction over a
//! record follows its deciding authority as well as its submitter, and objections against a
//! list entry reach the credit offices of the region of the body that recognised it.
//!
//! Before: 溧阳's market regulator uploaded rows naming 武进's regulator as 处罚机关; they were
//! published at once and 武进's credit office could not revoke them (`out_of_jurisdiction`). A
//! list entry kept only its recogniser's name, which maps to region 000000, so no city or
//! district credit office saw an objection against it.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{NewSubject, PublishedFilter};
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// 溧阳市市场监督管理局 (320481).
const LIYANG_MARKET: &str = "11320481MB0000035Y";
/// 常州市武进区市场监督管理局 (320412).
const WUJIN_MARKET: &str = "11320412MB00000351";
/// 常州市发展和改革委员会（市信用办）: the shipped delegations let it submit for every body of
/// the city (320400).
const CITY_OFFICE_BODY: &str = "11320400MB00000002";
/// Two 溧阳 enterprises.
const COMPANY_A: &str = "91320481MA1MY3B539";
const COMPANY_B: &str = "91320481MA1N00018T";

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

/// A 行政处罚 CSV: one row per `(document number, company, authority name, authority code)`,
/// decided ten days ago (uploads are dated by the real clock), in publication.
fn penalties(rows: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let decided = chengxin_store::clock::today_in_china() - chrono::Days::new(10);
    let valid = decided + chrono::Months::new(6);
    let public = decided + chrono::Months::new(12);
    let mut out = String::from(
        "行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,处罚决定日期,处罚有效期,公示截止期,处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码\n",
    );
    for (doc, company, authority, code) in rows {
        out.push_str(&format!(
            "溧阳{company}食品有限公司,法人及非法人组织,{company},{doc},食品安全,销售过期食品,《中华人民共和国食品安全法》第一百二十四条,罚款,罚款人民币一万元,{decided},{valid},{public},{authority},{code},{authority},{code}\n"
        ));
    }
    out.into_bytes()
}

/// Uploads a file as a batch (`POST /api/v1/batches`) with `cred` for `dept`.
async fn upload(
    t: &TestApp,
    cred: &Cred,
    dept: &str,
    file: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method("POST").uri(format!(
        "/api/v1/batches?type=admin_penalty&dept={dept}&file_name=p.csv"
    ));
    if let Cred::Token(tok) = cred {
        req = req.header("authorization", format!("Bearer {tok}"));
    }
    let req = req
        .header("content-type", "text/csv")
        .body(Body::from(file))
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

async fn published_by(t: &TestApp, dept: &str) -> i64 {
    t.store
        .count_published_records(&PublishedFilter {
            source_dept: Some(dept.into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn publishing_story(t: TestApp) {
    gov_body(&t, "溧阳市市场监督管理局", LIYANG_MARKET).await;
    gov_body(&t, "常州市武进区市场监督管理局", WUJIN_MARKET).await;
    let liyang = t
        .token(&["records_submit"], "320481", Some(LIYANG_MARKET))
        .await;

    // 溧阳's regulator names 武进's as 处罚机关 in one row, itself in the other.
    let (s, v) = upload(
        &t,
        &liyang,
        LIYANG_MARKET,
        penalties(&[
            (
                "溧市监罚〔2025〕11号",
                COMPANY_A,
                "常州市武进区市场监督管理局",
                WUJIN_MARKET,
            ),
            (
                "溧市监罚〔2025〕12号",
                COMPANY_B,
                "溧阳市市场监督管理局",
                LIYANG_MARKET,
            ),
        ]),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["batch"]["created"].as_i64(),
            v["batch"]["rejected"].as_i64()
        ),
        (Some(1), Some(1)),
        "{v}"
    );
    let batch = v["batch"]["id"].as_str().unwrap().parse().unwrap();
    let rejects = t.store.batch_rejects(batch).await.unwrap();
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].row, 2, "the row naming 武进's regulator");
    let reason = rejects[0].reasons.join("；");
    for part in [
        "authority_not_authorised",
        "处罚机关统一社会信用代码",
        "常州市武进区市场监督管理局",
        WUJIN_MARKET,
        "溧阳市市场监督管理局",
        LIYANG_MARKET,
    ] {
        assert!(reason.contains(part), "{part} missing: {reason}");
    }
    // Nothing of it is stored or published: no subject, no record, one published row only.
    assert!(t.store.subject_by_uscc(COMPANY_A).await.unwrap().is_none());
    assert!(t.store.subject_by_uscc(COMPANY_B).await.unwrap().is_some());
    assert_eq!(published_by(&t, LIYANG_MARKET).await, 1);
    let (_, public) = t
        .call(
            "GET",
            "/portal/open-data?type=admin_penalty",
            &Cred::None,
            None,
        )
        .await;
    assert!(!public.to_string().contains("溧市监罚〔2025〕11号"));
    // Nor can a correction move its own record into 武进's regulator's name.
    let own = t.store.subject_by_uscc(COMPANY_B).await.unwrap().unwrap();
    let own = t.store.records_of_subject(own.id).await.unwrap().remove(0);
    let liyang_office = t.session_for(Role::CreditOffice, "320481", None).await;
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/records/{}/transitions", own.id),
            &liyang_office,
            Some(serde_json::json!({
                "action": "correct", "expected_version": own.version, "note": "更正处罚机关",
                "fields": {"authority": "常州市武进区市场监督管理局", "authority_uscc": WUJIN_MARKET},
            })),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("authority_not_authorised")),
        "{v}"
    );

    // The city's credit office is authorised (shipped delegations) to submit for every body of
    // the city: a row in 武进's regulator's name passes.
    let city = t
        .token(&["records_submit"], "320400", Some(CITY_OFFICE_BODY))
        .await;
    let (s, v) = upload(
        &t,
        &city,
        CITY_OFFICE_BODY,
        penalties(&[(
            "常武市监罚〔2025〕21号",
            COMPANY_A,
            "常州市武进区市场监督管理局",
            WUJIN_MARKET,
        )]),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["batch"]["created"].as_i64(),
            v["batch"]["rejected"].as_i64()
        ),
        (Some(1), Some(0)),
        "{v}"
    );
    let company = t.store.subject_by_uscc(COMPANY_A).await.unwrap().unwrap();
    let records = t.store.records_of_subject(company.id).await.unwrap();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.source_dept, CITY_OFFICE_BODY);

    // 武进's credit office answers for what is published in its regulator's name: it may act
    // on the record although the city submitted it. 溧阳's may not.
    let revoke = serde_json::json!({"action": "revoke", "expected_version": record.version, "note": "处罚决定已被撤销"});
    let path = format!("/api/v1/records/{}/transitions", record.id);
    let (s, v) = t
        .call("POST", &path, &liyang_office, Some(revoke.clone()))
        .await;
    // (Out of its reach: answered as an unknown record is.)
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found")),
        "{v}"
    );
    let wujin_office = t.session_for(Role::CreditOffice, "320412", None).await;
    let (s, v) = t.call("POST", &path, &wujin_office, Some(revoke)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "revoked", "{v}");

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(
    nobody_publishes_in_another_authoritys_name,
    publishing_story
);

async fn objection_story(t: TestApp) {
    gov_body(&t, "常州市武进区市场监督管理局", WUJIN_MARKET).await;
    let company = t
        .store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(SubjectKind::Enterprise),
                name: "溧阳某某建材有限公司".into(),
                uscc: Some(COMPANY_B.into()),
                region: Some("320481".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let city = t.session_for(Role::CreditOffice, "320400", None).await;
    let wujin = t.session_for(Role::CreditOffice, "320412", None).await;
    let liyang = t.session_for(Role::CreditOffice, "320481", None).await;

    // The city's credit office records 武进's regulator's recognition of a 溧阳 enterprise.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/lists/serious_dishonest/entries",
            &city,
            Some(serde_json::json!({
                "subject_id": company.id, "standard": "受到较重行政处罚且拒不整改",
                "basis": "《江苏省社会信用条例》第三十条",
                "recognised_by": "常州市武进区市场监督管理局", "recognised_by_uscc": WUJIN_MARKET,
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["recognised_by_uscc"], WUJIN_MARKET, "{v}");
    assert_eq!(v["region"], "320412", "{v}");
    let entry = v["id"].as_str().unwrap().to_string();
    // Its procedure belongs to 武进 (谁认定、谁负责), not to the subject's county.
    let act = format!("/api/v1/list-entries/{entry}/actions");
    let start = serde_json::json!({"action": "start_publicity", "expected_version": 1});
    let (s, v) = t.call("POST", &act, &liyang, Some(start.clone())).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = t.call("POST", &act, &wujin, Some(start)).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Someone objects during publicity, without logging in.
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(serde_json::json!({
                "target_kind": "list_entry", "target_id": entry,
                "reasons": "所列处罚已经整改完毕，不符合认定标准", "applicant_name": "溧阳某某建材有限公司",
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let no = filed["tracking_no"].as_str().unwrap().to_string();
    let id = filed["id"].as_str().unwrap().to_string();

    // It reaches 武进's credit office and the city's, not 溧阳's.
    for (who, sees) in [(&wujin, true), (&city, true), (&liyang, false)] {
        let (s, q) = t
            .call("GET", "/api/v1/applications?kind=objection", who, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{q}");
        assert_eq!(q.to_string().contains(&no), sees, "{q}");
    }
    let (s, _) = t
        .call("GET", &format!("/api/v1/applications/{id}"), &liyang, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // 武进's credit office takes the first step.
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/applications/{id}/actions"),
            &wujin,
            Some(serde_json::json!({"action": "accept", "expected_version": filed["version"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["department"], WUJIN_MARKET, "{v}");

    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(objections_reach_the_recognisers_region, objection_story);

/// A credit-office account acting for a body names only that body, or one the body is
/// authorised for (the shipped delegations let the city's 信用办 name every body of the city),
/// as the recognising body; a recognition needs the body's code.
async fn recognition_story(t: TestApp) {
    /// 溧阳市发展和改革委员会（溧阳市信用办）.
    const LIYANG_DEV: &str = "11320481MB0000043R";
    gov_body(&t, "常州市武进区市场监督管理局", WUJIN_MARKET).await;
    let company = t
        .store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(SubjectKind::Enterprise),
                name: "溧阳某某建材有限公司".into(),
                uscc: Some(COMPANY_B.into()),
                region: Some("320481".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let propose = |by: &str, code: Option<&str>| {
        serde_json::json!({
            "subject_id": company.id, "standard": "受到较重行政处罚且拒不整改",
            "basis": "《江苏省社会信用条例》第三十条", "recognised_by": by, "recognised_by_uscc": code,
        })
    };
    let path = "/api/v1/lists/serious_dishonest/entries";
    let liyang = t
        .session_for(Role::CreditOffice, "320481", Some(LIYANG_DEV))
        .await;
    let (s, v) = t
        .call("POST", path, &liyang, Some(propose(WUJIN_MARKET, None)))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("out_of_jurisdiction")),
        "{v}"
    );
    let (s, v) = t
        .call("POST", path, &liyang, Some(propose(LIYANG_MARKET, None)))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("authority_not_authorised")),
        "{v}"
    );
    let (s, v) = t
        .call(
            "POST",
            path,
            &liyang,
            Some(propose("溧阳市发展和改革委员会", Some(LIYANG_DEV))),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let city_body = t
        .session_for(Role::CreditOffice, "320400", Some(CITY_OFFICE_BODY))
        .await;
    let (s, v) = t
        .call("POST", path, &city_body, Some(propose(WUJIN_MARKET, None)))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let city = t.session_for(Role::CreditOffice, "320400", None).await;
    let (s, v) = t
        .call("POST", path, &city, Some(propose("武进区市场监管局", None)))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("recognising_body_code_required")
        ),
        "{v}"
    );
    // Given by its code alone, the body's name is filled in.
    let (s, v) = t
        .call("POST", path, &city, Some(propose(WUJIN_MARKET, None)))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["entry"]["recognised_by"], "常州市武进区市场监督管理局",
        "{v}"
    );
    assert_eq!(v["entry"]["recognised_by_uscc"], WUJIN_MARKET, "{v}");
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(recognising_bodies_are_named_by_code, recognition_story);
