//! The check API is no ID-number oracle (issue 16 points 1 and 6), on both backends: the
//! portal lists a person only through public information about her; a check answers only
//! with the entries and records the caller may see, a person with nothing visible exactly like
//! an unknown number; enumerating the numbers behind a mask is refused and audited and never
//! returns the name; each token has its own rate and daily quota (429 with `Retry-After`);
//! 纪律处分 and 问责 document numbers go to government callers holding `records_read_shared`
//! only.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use chengxin_access::Role;
use chengxin_domain::codes::id_number;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::{Subject, SubjectKind};
use chengxin_store::{NewRecord, NewSubject};
use chengxin_testkit::*;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A civil servant of 溧阳市 with this ID number.
async fn servant(t: &TestApp, name: &str, id: &str) -> Subject {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(SubjectKind::CivilServant),
                name: name.into(),
                id_hash: Some(t.state.id_hasher.hash(id)),
                id_masked: Some(id_number::mask(id)),
                region: Some("320481".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

/// A record in force about `s`: 行政处罚 is 社会公开; 纪律处分/政务处分 and 问责处理 are 政务共享
/// (in force, shared, never public).
async fn record(t: &TestApp, s: &Subject, type_code: &str, doc_no: &str) {
    let public = type_code == "admin_penalty";
    let mut fields = serde_json::Map::new();
    fields.insert("subject_name".into(), s.name.clone().into());
    fields.insert("decision_doc_no".into(), doc_no.into());
    t.store
        .create_record(
            "test",
            NewRecord {
                type_code: type_code.into(),
                subject_id: Some(s.id),
                subject_name: s.name.clone(),
                doc_no: doc_no.into(),
                decision_date: d("2025-03-10"),
                source_dept: "11320481MB0000000C".into(),
                batch_id: None,
                fields,
                severity: Some("major".into()),
                status: RecordStatus::Published,
                publish_until: public.then(|| d("2027-01-01")),
                content_digest: None,
                published_at: None,
            },
        )
        .await
        .unwrap();
}

/// Every valid number behind the mask `320481**********452X` (溧阳市, sequence 452, check
/// character X) for people born 1955–2005 (about 1,700): what an attacker who saw the mask
/// would try.
fn behind_mask() -> Vec<String> {
    let mut out = Vec::new();
    let mut day = d("1955-01-01");
    while day < d("2006-01-01") {
        let body = format!("320481{}452", day.format("%Y%m%d"));
        if id_number::check_char(&body) == Some('X') {
            out.push(format!("{body}X"));
        }
        day = day.succ_opt().unwrap();
    }
    out
}

/// A call that also returns the headers.
async fn call_h(
    t: &TestApp,
    method: &str,
    uri: &str,
    cred: &Cred,
    body: Option<serde_json::Value>,
) -> (StatusCode, HeaderMap, serde_json::Value) {
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
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::String(
        String::from_utf8_lossy(&bytes).into(),
    ));
    (status, headers, v)
}

async fn check(
    t: &TestApp,
    cred: &Cred,
    scenario: &str,
    parties: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    t.call(
        "POST",
        "/api/v1/checks",
        cred,
        Some(json!({"scenario": scenario, "parties": parties})),
    )
    .await
}

async fn search(t: &TestApp, q: &str) -> (StatusCode, serde_json::Value) {
    let q = q.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    t.call("GET", &format!("/portal/search?q={q}"), &Cred::None, None)
        .await
}

async fn portal_story(t: TestApp) {
    // 赵某某 has only a 纪律处分 (政务共享); 钱某某 a 行政处罚 (社会公开).
    let hidden = servant(&t, "赵某某", "320481198001014510").await;
    record(&t, &hidden, "disciplinary_sanction", "溧纪处〔2025〕1号").await;
    let public = servant(&t, "钱某某", "320481198102024523").await;
    record(&t, &public, "admin_penalty", "溧市监罚〔2025〕2号").await;
    t.state.checks.build(t.store.as_ref()).await.unwrap();

    let (s, page) = search(&t, "赵某某").await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(
        !page.contains(&hidden.id.to_string()) && !page.contains("3204**********4510"),
        "a person with nothing public is not listed: {page}"
    );
    assert!(page.contains("no-results"), "{page}");
    let (_, page) = search(&t, "某某").await;
    let page = page.as_str().unwrap().to_string();
    assert!(page.contains(&public.id.to_string()), "{page}");
    assert!(!page.contains(&hidden.id.to_string()), "{page}");

    // Her archive answers exactly like an unknown subject, page and API alike.
    let unknown = uuid::Uuid::now_v7();
    for (prefix, api) in [
        ("/portal/subjects", false),
        ("/api/v1/portal/subjects", true),
    ] {
        let (s_hidden, v_hidden) = t
            .call("GET", &format!("{prefix}/{}", hidden.id), &Cred::None, None)
            .await;
        let (s_unknown, v_unknown) = t
            .call("GET", &format!("{prefix}/{unknown}"), &Cred::None, None)
            .await;
        assert_eq!(s_hidden, StatusCode::NOT_FOUND, "{prefix}: {v_hidden}");
        assert_eq!(s_unknown, StatusCode::NOT_FOUND);
        if api {
            assert_eq!(v_hidden, v_unknown);
        }
        assert!(!v_hidden.to_string().contains("赵某某"));
        let (s, v) = t
            .call("GET", &format!("{prefix}/{}", public.id), &Cred::None, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{prefix}: {v}");
        assert!(v.to_string().contains("溧市监罚〔2025〕2号"));
    }
    t.cleanup().await;
}
both_backends!(
    portal_lists_persons_only_through_public_information,
    portal_story
);

async fn enumeration_story(t: TestApp) {
    let numbers = behind_mask();
    assert!((1_650..1_750).contains(&numbers.len()), "{}", numbers.len());
    // The target: a civil servant the portal shows (she has a public 行政处罚), masked as
    // 3204**********452X, born in the middle of the range.
    let target = numbers[numbers.len() / 2].clone();
    let person = servant(&t, "孙某某", &target).await;
    record(&t, &person, "admin_penalty", "溧市监罚〔2025〕9号").await;
    t.state.checks.build(t.store.as_ref()).await.unwrap();
    let parties = |ns: &[String]| {
        serde_json::Value::Array(ns.iter().map(|n| json!({"id_number": n})).collect())
    };

    // A platform checking its bidders' people (all different) is answered.
    let honest = t.token(&["checks_run"], "320400", None).await;
    let people: Vec<String> = (0..60)
        .filter_map(|i| {
            let body = format!(
                "3204{:02}{}{:03}",
                [2, 4, 11, 12, 13, 81][i % 6],
                (d("1970-01-01") + chrono::Duration::days(i as i64 * 211)).format("%Y%m%d"),
                (i * 37) % 1000
            );
            id_number::check_char(&body).map(|c| format!("{body}{c}"))
        })
        .collect();
    let (s, v) = check(&t, &honest, "bidding", parties(&people)).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The whole mask in one request: refused, audited, no name.
    let attacker = t.token(&["checks_run"], "320400", None).await;
    let (s, v) = check(&t, &attacker, "bidding", parties(&numbers)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("id_enumeration_refused")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("身份证号码"), "{v}");
    assert!(!v.to_string().contains("孙某某"));
    let audited = t
        .store
        .audit_events(&chengxin_store::AuditFilter {
            action: Some("id_enumeration_refused".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert!(audited[0].actor.starts_with("token:"));
    assert_eq!(audited[0].detail["id_numbers_in_request"], numbers.len());
    assert_eq!(audited[0].detail["example"].as_str().unwrap().len(), 18);
    let audit_text = serde_json::to_string(&audited).unwrap();
    assert!(
        numbers.iter().all(|n| !audit_text.contains(n.as_str())),
        "the audit trail holds no clear number"
    );

    // The same in small requests from another platform: the first few are answered (the
    // target is not among them), then every one is refused — the target's included.
    let patient = t.token(&["checks_run"], "320400", None).await;
    let mut refused = 0;
    let mut answered = 0;
    for (i, chunk) in numbers.chunks(15).enumerate() {
        if i > 40 && refused > 0 && !chunk.contains(&target) {
            continue;
        }
        let (s, v) = check(&t, &patient, "bidding", parties(chunk)).await;
        assert!(
            !v.to_string().contains("孙某某"),
            "request {i} returned the name: {v}"
        );
        match s {
            StatusCode::OK => answered += 1,
            StatusCode::FORBIDDEN => {
                assert_eq!(v["code"], "id_enumeration_refused", "{v}");
                refused += 1;
            }
            other => panic!("{other}: {v}"),
        }
    }
    assert_eq!(answered, 1, "only the first request of 15 is answered");
    assert!(refused >= 2, "{refused}");
    let audited = t
        .store
        .audit_events(&chengxin_store::AuditFilter {
            action: Some("id_enumeration_refused".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 1 + refused, "every refusal is audited");

    // The honest platform is not affected, and the target is found for it — by her number,
    // which it has from her.
    let (s, v) = check(&t, &honest, "bidding", json!([{"id_number": target}])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["results"][0]["matches"][0]["name"], "孙某某", "{v}");
    t.cleanup().await;
}
both_backends!(mask_enumeration_is_refused_and_audited, enumeration_story);

async fn shared_only_story(t: TestApp) {
    const HER: &str = "320481198507074529";
    const UNKNOWN: &str = "320481198507074545";
    assert!(id_number::has_valid_check_char(HER) && id_number::has_valid_check_char(UNKNOWN));
    let her = servant(&t, "周某某", HER).await;
    record(&t, &her, "disciplinary_sanction", "溧纪处〔2025〕7号").await;
    record(&t, &her, "accountability", "溧问责〔2025〕8号").await;
    t.state.checks.build(t.store.as_ref()).await.unwrap();

    // An external platform: her number answers exactly as an unknown one; her name finds
    // nothing either.
    let platform = t.token(&["checks_run"], "320400", None).await;
    let (s, v) = check(
        &t,
        &platform,
        "bidding",
        json!([{"id_number": HER}, {"id_number": UNKNOWN}, {"name": "周某某"}]),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let shape = |r: &serde_json::Value| {
        let mut r = r.clone();
        let o = r.as_object_mut().unwrap();
        o.remove("index");
        o.remove("input");
        r
    };
    let results = v["results"].as_array().unwrap();
    assert_eq!(shape(&results[0]), shape(&results[1]), "{v}");
    assert_eq!(results[0]["matches"], json!([]), "{v}");
    assert_eq!(results[0]["verdict"], "pass");
    assert_eq!(results[2]["matches"], json!([]), "{v}");
    // Nothing of hers anywhere but the caller's own input echoed back.
    let text = results.iter().map(shape).collect::<Vec<_>>();
    let text = serde_json::to_string(&text).unwrap();
    for secret in [
        "周某某",
        "溧纪处〔2025〕7号",
        "溧问责〔2025〕8号",
        "disciplinary_sanction",
    ] {
        assert!(!text.contains(secret), "{secret} disclosed: {v}");
    }
    t.cleanup().await;
}
both_backends!(
    a_person_with_only_shared_records_answers_like_an_unknown_number,
    shared_only_story
);

async fn shared_records_story(t: TestApp) {
    const ID: &str = "320481197803034527";
    let her = servant(&t, "吴某某", ID).await;
    record(&t, &her, "admin_penalty", "溧市监罚〔2025〕11号").await;
    record(&t, &her, "disciplinary_sanction", "溧纪处〔2025〕12号").await;
    record(&t, &her, "accountability", "溧问责〔2025〕13号").await;
    t.state.checks.build(t.store.as_ref()).await.unwrap();
    let parties = json!([{"id_number": ID}, {"name": "吴某某"}]);
    let docs = |v: &serde_json::Value| -> Vec<String> {
        let mut out: Vec<String> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["matches"].as_array().unwrap().clone())
            .flat_map(|m| m["records"].as_array().unwrap().clone())
            .map(|r| r["doc_no"].as_str().unwrap().to_string())
            .collect();
        out.sort();
        out.dedup();
        out
    };

    // An external platform (checks_run only): the public penalty, never the sanction's or
    // the accountability decision's number — by her ID number or by her name.
    let platform = t.token(&["checks_run"], "320400", None).await;
    let (s, v) = check(&t, &platform, "civil_service", parties.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(docs(&v), vec!["溧市监罚〔2025〕11号"], "{v}");
    assert!(!v.to_string().contains("溧纪处") && !v.to_string().contains("溧问责"));

    // A government token holding records_read_shared (组织部门's recruitment system): both.
    let government = t
        .token(&["checks_run", "records_read_shared"], "320400", None)
        .await;
    let (s, v) = check(&t, &government, "civil_service", parties.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        docs(&v),
        vec![
            "溧市监罚〔2025〕11号",
            "溧纪处〔2025〕12号",
            "溧问责〔2025〕13号"
        ],
        "{v}"
    );
    let shared: Vec<&serde_json::Value> = v["results"][0]["matches"][0]["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["disclosure"] == "shared")
        .collect();
    assert_eq!(shared.len(), 2, "{v}");
    // So does an implementing department's session (its role holds records_read_shared);
    // the credit office sees everything.
    for role in [Role::ImplementingDepartment, Role::CreditOffice] {
        let staff = t.session_for(role, "320400", None).await;
        let (s, v) = check(&t, &staff, "civil_service", parties.clone()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(docs(&v).len(), 3, "{role:?}: {v}");
    }
    t.cleanup().await;
}
both_backends!(
    only_government_callers_get_shared_document_numbers,
    shared_records_story
);

async fn rates_story(t: TestApp) {
    let clean = json!([{"uscc": "91320412MA1MXK2L83"}]);
    let body = json!({"scenario": "bidding", "parties": clean});
    // Issued through the API with its own rate and quota; shown in the listing.
    let admin = t.session_for(Role::Administrator, "000000", None).await;
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/tokens",
            &admin,
            Some(
                json!({"name": "招标平台", "permissions": ["checks_run"], "region": "320400",
                "days": 30, "rate_per_second": 5, "daily_quota": 1000}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["rate_per_second"].as_u64(), v["daily_quota"].as_u64()),
        (Some(5), Some(1000))
    );
    let slow = Cred::Token(v["token"].as_str().unwrap().to_string());
    let slow_id = v["id"].as_str().unwrap().to_string();
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/tokens",
            &admin,
            Some(
                json!({"name": "x", "permissions": ["checks_run"], "region": "320400",
                "days": 30, "rate_per_second": 0}),
            ),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("token_limit_invalid")),
        "{v}"
    );
    let other = t.token(&["checks_run"], "320400", None).await;
    let (_, list) = t.call("GET", "/api/v1/tokens", &admin, None).await;
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == slow_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(
        (
            listed["rate_per_second"].as_u64(),
            listed["daily_quota"].as_u64()
        ),
        (Some(5), Some(1000))
    );
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["rate_per_second"].is_u64() && x["daily_quota"].is_u64()));
    // The console's token table shows them, and its form issues them.
    let (s, page) = t.call("GET", "/console/accounts", &admin, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("每秒 5 次") && page.contains("每日核查 1000 个"),
        "{page}"
    );
    assert!(page.contains("id=\"tok-rate\"") && page.contains("id=\"tok-quota\""));

    // Rate 5: five requests in a second are answered, the sixth gets 429 with Retry-After.
    let start = std::time::Instant::now();
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(call_h(&t, "POST", "/api/v1/checks", &slow, Some(body.clone())).await);
    }
    let took = start.elapsed();
    let ok = answers.iter().filter(|a| a.0 == StatusCode::OK).count();
    if took < std::time::Duration::from_millis(190) {
        assert_eq!(ok, 5, "{took:?}");
        assert_eq!(
            answers[5].0,
            StatusCode::TOO_MANY_REQUESTS,
            "{:?}",
            answers[5].2
        );
    } else {
        // A very slow machine refilled the bucket meanwhile; keep asking until refused.
        let mut refused = answers.iter().any(|a| a.0 == StatusCode::TOO_MANY_REQUESTS);
        for _ in 0..20 {
            if refused {
                break;
            }
            let a = call_h(&t, "POST", "/api/v1/checks", &slow, Some(body.clone())).await;
            refused = a.0 == StatusCode::TOO_MANY_REQUESTS;
            answers.push(a);
        }
        assert!(refused, "a 5/s token is refused within a burst ({took:?})");
    }
    let (_, headers, v) = answers
        .iter()
        .find(|a| a.0 == StatusCode::TOO_MANY_REQUESTS)
        .unwrap();
    assert_eq!(v["code"], "rate_limited", "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("请求过于频繁"),
        "{v}"
    );
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 1);
    // Another token is not affected (its default is 200/s).
    for _ in 0..10 {
        let (s, _, v) = call_h(&t, "POST", "/api/v1/checks", &other, Some(body.clone())).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    // After a second the slow one is answered again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (s, _, v) = call_h(&t, "POST", "/api/v1/checks", &slow, Some(body.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The daily quota counts parties: 3 a day.
    let small = t
        .token_limited(&["checks_run"], "320400", None, None, Some(3))
        .await;
    let two =
        json!({"scenario": "bidding", "parties": [{"name": "常州甲公司"}, {"name": "常州乙公司"}]});
    let (s, _, v) = call_h(&t, "POST", "/api/v1/checks", &small, Some(two.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, headers, v) = call_h(&t, "POST", "/api/v1/checks", &small, Some(two.clone())).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("daily_quota_exceeded")),
        "{v}"
    );
    assert!(
        v["message"].as_str().unwrap().contains("今日核查额度"),
        "{v}"
    );
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry), "{retry}");
    // The count is kept in the store: another server over the same database refuses too.
    t.state
        .usage
        .sync(t.store.as_ref(), t.state.today())
        .await
        .unwrap();
    let second = t.on_day(t.state.today());
    let (s, v) = second
        .call("POST", "/api/v1/checks", &small, Some(two))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("daily_quota_exceeded")),
        "{v}"
    );
    let one = json!({"scenario": "bidding", "parties": [{"name": "常州甲公司"}]});
    let (s, v) = second
        .call("POST", "/api/v1/checks", &small, Some(one))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    t.cleanup().await;
}
both_backends!(per_token_rate_and_daily_quota, rates_story);
