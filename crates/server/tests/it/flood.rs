//! Floods (issue 16 points 5 and 11), on both backends: anonymous filing, evidence, 报告验真,
//! tracking look-ups and logins are limited per client address and in total, answered 429
//! with `Retry-After` and a Chinese message (JSON for the API, a page for a browser); the
//! client address comes from `X-Forwarded-For` only behind a trusted proxy; evidence has a
//! quota per application and per day; `/metrics` is for the scraper's token or its own
//! listener only.
//!
//! Requests carry their socket peer as `chengxin serve` attaches it (axum's `ConnectInfo`,
//! `TestApp::call_from`); one story runs over a real loopback socket.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::{ClientLimit, Role, Secret, TrustedProxies};
use chengxin_app::flood::FloodClass;
use chengxin_store::ApplicationFilter;
use chengxin_testkit::*;
use http_body_util::BodyExt;
use tower::ServiceExt;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

fn complaint(n: usize) -> serde_json::Value {
    serde_json::json!({"about": "某镇人民政府", "region": "320400",
        "reasons": format!("招商引资承诺的奖励资金逾期未兑现（第{n}件）"),
        "applicant_name": "孙八"})
}

async fn complaints_stored(t: &TestApp) -> usize {
    t.store
        .applications(&ApplicationFilter {
            kind: Some("complaint".into()),
            limit: Some(10_000),
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

fn retry_after(h: &axum::http::HeaderMap) -> u64 {
    h.get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn filing_flood(t: TestApp) {
    // 300 a day from one address: the loop below cannot earn a new token while it runs.
    let s = t.with_settings(|a| a.flood.filing = ClientLimit::per(300, 100_000, DAY));
    let flooder = "198.51.100.7";
    for n in 0..300 {
        let (st, _, v) = s
            .call_from(
                flooder,
                "POST",
                "/api/v1/complaints",
                &[],
                Some(complaint(n)),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "complaint {n}: {v}");
    }
    // The 301st within the hour: refused, nothing stored.
    let (st, h, v) = s
        .call_from(
            flooder,
            "POST",
            "/api/v1/complaints",
            &[],
            Some(complaint(300)),
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["code"], "rate_limited", "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("过于频繁") && msg.contains("后再试"), "{msg}");
    // One complaint back every 288 s (300 a day).
    let wait = retry_after(&h);
    assert!((1..=288).contains(&wait), "Retry-After {wait}");
    // Objections count with complaints (one filing limit).
    let (st, _, v) = s
        .call_from(
            flooder,
            "POST",
            "/api/v1/objections",
            &[],
            Some(serde_json::json!({"target_kind": "record",
                "target_id": "01900000-0000-7000-8000-000000000000",
                "reasons": "信息有误", "applicant_name": "孙八"})),
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(complaints_stored(&s).await, 300);

    // A browser posting the form without script gets a Chinese page, same status and header.
    let (st, h, page) = s
        .call_from(
            flooder,
            "POST",
            "/api/v1/complaints",
            &[("accept", "text/html,application/xhtml+xml")],
            Some(complaint(301)),
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(retry_after(&h) >= 1);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("请求过于频繁") && page.contains("rate_limited"),
        "{page}"
    );

    // Another address files as usual.
    let (st, _, v) = s
        .call_from(
            "198.51.100.8",
            "POST",
            "/api/v1/complaints",
            &[],
            Some(complaint(0)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(complaints_stored(&s).await, 301);

    // A signed-in caller is accountable and not counted as anonymous, from the same address.
    let staff = s.session_for(Role::CreditOffice, "320400", None).await;
    let Cred::Session { cookie, csrf } = &staff else {
        unreachable!()
    };
    let (st, _, v) = s
        .call_from(
            flooder,
            "GET",
            "/api/v1/applications?kind=complaint",
            &[
                ("cookie", &format!("cx_session={cookie}")),
                ("x-csrf-token", csrf),
            ],
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    // Everybody together: a global limit holds however many addresses.
    let g = t.with_settings(|a| a.flood.filing = ClientLimit::per(5, 10, HOUR));
    let mut created = 0;
    let mut refused = 0;
    for i in 0..15u8 {
        let (st, _, v) = g
            .call_from(
                &format!("203.0.113.{i}"),
                "POST",
                "/api/v1/complaints",
                &[],
                Some(complaint(1000 + usize::from(i))),
            )
            .await;
        match st {
            StatusCode::CREATED => created += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(v["message"].as_str().unwrap().contains("人数过多"), "{v}");
                refused += 1;
            }
            other => panic!("{other} {v}"),
        }
    }
    assert_eq!((created, refused), (10, 5));
    t.cleanup().await;
}
both_backends!(
    anonymous_filing_is_limited_per_client_and_in_total,
    filing_flood
);

async fn forwarded_for(t: TestApp) {
    let limit = ClientLimit::per(2, 100_000, HOUR);
    // No trusted proxy (the default): the header is the client's say-so, ignored.
    let direct = t.with_settings(|a| a.flood.filing = limit);
    for (i, claimed) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
        .iter()
        .enumerate()
    {
        let (st, _, v) = direct
            .call_from(
                "203.0.113.9",
                "POST",
                "/api/v1/complaints",
                &[("x-forwarded-for", claimed)],
                Some(complaint(i)),
            )
            .await;
        let expected = if i < 2 {
            StatusCode::CREATED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(st, expected, "{claimed}: {v}");
    }

    // Behind the office's reverse proxy (trusted): the proxy names the client.
    let proxied = t.with_settings(|a| {
        a.flood.filing = limit;
        a.trusted_proxies = TrustedProxies::parse("10.0.0.0/24").unwrap();
    });
    let via = |xff: &'static str, n: usize| {
        let p = &proxied;
        async move {
            p.call_from(
                "10.0.0.5",
                "POST",
                "/api/v1/complaints",
                &[("x-forwarded-for", xff)],
                Some(complaint(100 + n)),
            )
            .await
            .0
        }
    };
    assert_eq!(via("198.51.100.1", 0).await, StatusCode::CREATED);
    assert_eq!(via("198.51.100.1", 1).await, StatusCode::CREATED);
    assert_eq!(via("198.51.100.1", 2).await, StatusCode::TOO_MANY_REQUESTS);
    // What the client wrote left of the proxy's entry does not help it.
    assert_eq!(
        via("192.0.2.77, 198.51.100.1", 3).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy is another client.
    assert_eq!(via("198.51.100.2", 4).await, StatusCode::CREATED);
    // An untrusted peer's header is still ignored on this server.
    let (st, _, _) = proxied
        .call_from(
            "203.0.113.50",
            "POST",
            "/api/v1/complaints",
            &[("x-forwarded-for", "198.51.100.3")],
            Some(complaint(200)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);

    // The same address reaches the audit trail: a login through the proxy records the client.
    let (user, _, _) = proxied.account(Role::Public, "320400", None).await;
    let _ = proxied
        .call_from(
            "10.0.0.5",
            "POST",
            "/api/v1/session",
            &[("x-forwarded-for", "198.51.100.44")],
            Some(serde_json::json!({"username": user, "password": "wrong-password-1"})),
        )
        .await;
    let events = proxied
        .store
        .audit_events(&chengxin_store::AuditFilter {
            limit: Some(50),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.ip.as_deref() == Some("198.51.100.44")),
        "{events:?}"
    );
    t.cleanup().await;
}
both_backends!(
    forwarded_for_counts_only_behind_a_trusted_proxy,
    forwarded_for
);

async fn other_classes(t: TestApp) {
    let s = t.with_settings(|a| {
        for c in [FloodClass::Tracking, FloodClass::Verify, FloodClass::Login] {
            a.flood.set(c, ClientLimit::per(2, 100_000, HOUR));
        }
    });
    let a = "198.51.100.20";
    let tries: [(&str, &str, Option<serde_json::Value>); 3] = [
        ("GET", "/api/v1/track/TS20250602ABCDEFGH", None),
        (
            "POST",
            "/api/v1/credit-reports/verify",
            Some(
                serde_json::json!({"report_no": "XYBG-20250101-00000000", "code": "AAAA-BBBB-CCCC-DDDD"}),
            ),
        ),
        (
            "POST",
            "/api/v1/session",
            Some(serde_json::json!({"username": "nobody", "password": "wrong-password-1"})),
        ),
    ];
    for (m, path, body) in tries {
        for _ in 0..2 {
            let (st, _, v) = s.call_from(a, m, path, &[], body.clone()).await;
            assert_ne!(st, StatusCode::TOO_MANY_REQUESTS, "{path}: {v}");
        }
        let (st, h, v) = s.call_from(a, m, path, &[], body.clone()).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{path}: {v}");
        assert_eq!(v["code"], "rate_limited");
        assert!(retry_after(&h) >= 1);
    }
    // The route table marks every anonymous entry point.
    let marked: Vec<(String, &str, FloodClass)> = chengxin_server::table::table()
        .into_iter()
        .filter_map(|(spec, _)| spec.flood.map(|c| (spec.method.to_string(), spec.path, c)))
        .collect();
    for (m, p, c) in [
        ("POST", "/api/v1/complaints", FloodClass::Filing),
        ("POST", "/api/v1/objections", FloodClass::Filing),
        ("POST", "/api/v1/repairs", FloodClass::Filing),
        (
            "POST",
            "/api/v1/track/{tracking_no}/evidence",
            FloodClass::Evidence,
        ),
        ("GET", "/api/v1/track/{tracking_no}", FloodClass::Tracking),
        (
            "POST",
            "/api/v1/track/{tracking_no}/withdraw",
            FloodClass::Tracking,
        ),
        ("POST", "/api/v1/credit-reports/verify", FloodClass::Verify),
        ("POST", "/api/v1/session", FloodClass::Login),
    ] {
        assert!(
            marked
                .iter()
                .any(|(mm, pp, cc)| mm == m && *pp == p && *cc == c),
            "{m} {p} not limited as {c:?}"
        );
    }
    t.cleanup().await;
}
both_backends!(tracking_verification_and_logins_are_limited, other_classes);

async fn real_socket(t: TestApp) {
    // Over a real socket the peer is 127.0.0.1: the limit counts it, the header is ignored...
    let s = t.with_settings(|a| a.flood.login = ClientLimit::per(3, 100_000, HOUR));
    let addr = s.listen().await;
    let body = br#"{"username":"nobody","password":"wrong-password-1"}"#;
    let login = |xff: &'static str| async move {
        http_request(
            addr,
            "POST",
            "/api/v1/session",
            &[
                ("content-type", "application/json"),
                ("x-forwarded-for", xff),
            ],
            body,
        )
        .await
    };
    for xff in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        assert_eq!(login(xff).await.0, 401);
    }
    let (st, head, answer) = login("198.51.100.4").await;
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(st, 429, "{answer}");
    assert!(head.contains("retry-after:"), "{head}");
    assert!(answer.contains("登录过于频繁"), "{answer}");

    // ...unless loopback is the trusted proxy: then each forwarded client counts apart.
    let p = t.with_settings(|a| {
        a.flood.login = ClientLimit::per(3, 100_000, HOUR);
        a.trusted_proxies = TrustedProxies::parse("127.0.0.1").unwrap();
    });
    let addr = p.listen().await;
    for i in 0..6 {
        let xff = format!("198.51.100.{i}");
        let (st, _, _) = http_request(
            addr,
            "POST",
            "/api/v1/session",
            &[
                ("content-type", "application/json"),
                ("x-forwarded-for", &xff),
            ],
            body,
        )
        .await;
        assert_eq!(st, 401, "{xff}");
    }
    t.cleanup().await;
}
both_backends!(limits_hold_on_a_real_socket, real_socket);

/// An evidence upload with the access code, from `peer`.
async fn upload(
    t: &TestApp,
    no: &str,
    code: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let mut req = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/track/{no}/evidence?name={name}"))
        .header("x-access-code", code)
        .header("content-type", "application/octet-stream")
        .body(Body::from(bytes))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [198, 51, 100, 30],
            40_000,
        ))));
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

fn pdf(size: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n".to_vec();
    b.resize(size, b' ');
    b
}

async fn file_complaint(t: &TestApp, n: usize) -> (String, String) {
    let (st, _, v) = t
        .call_from(
            "198.51.100.31",
            "POST",
            "/api/v1/complaints",
            &[],
            Some(complaint(n)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    (
        v["tracking_no"].as_str().unwrap().to_string(),
        v["access_code"].as_str().unwrap().to_string(),
    )
}

async fn evidence_quota(t: TestApp) {
    const MIB: usize = 1024 * 1024;
    let (no, code) = file_complaint(&t, 0).await;
    // Three files of the largest size fill the application's 30 MiB...
    for i in 0..3 {
        let (st, _, v) = upload(&t, &no, &code, &format!("p{i}.pdf"), pdf(10 * MIB)).await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    // ...and one byte more is refused with its own code, nothing stored.
    let (st, _, v) = upload(&t, &no, &code, "more.pdf", pdf(16)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "evidence_quota_exceeded", "{v}");
    assert!(v["message"].as_str().unwrap().contains("30 MB"), "{v}");
    let row = t.store.application_by_tracking(&no).await.unwrap().unwrap();
    assert_eq!(row.body["evidence"].as_array().unwrap().len(), 3);

    // The platform's daily quota counts every application's evidence of the day (China time).
    let d = t.with_settings(|a| a.flood.evidence_bytes_per_day = (31 * MIB) as u64);
    let (no2, code2) = file_complaint(&d, 1).await;
    let (st, _, v) = upload(&d, &no2, &code2, "a.pdf", pdf(MIB / 2)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, h, v) = upload(&d, &no2, &code2, "b.pdf", pdf(MIB)).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["code"], "evidence_daily_quota", "{v}");
    assert!(v["message"].as_str().unwrap().contains("今日"), "{v}");
    let wait = retry_after(&h);
    assert!((1..=86_400).contains(&wait), "Retry-After {wait}");
    t.cleanup().await;
}
both_backends!(
    evidence_has_a_quota_per_application_and_per_day,
    evidence_quota
);

async fn metrics_access(t: TestApp) {
    // No token configured: /metrics is not on the main listener at all, for anyone.
    let (st, v) = t.call("GET", "/metrics", &Cred::None, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let admin = t.session_for(Role::Administrator, "320400", None).await;
    let (st, _) = t.call("GET", "/metrics", &admin, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Its own listener serves it.
    let resp = chengxin_server::metrics_router(t.state.clone())
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&text).contains("chengxin_calendar_days_left"));

    // With a token: anonymous 401, a wrong secret 401, the secret 200.
    let secret = "m3tr1cs-0123456789abcdef-0123456789abcdef";
    let s = t.with_settings(|a| a.metrics_token = Some(Secret::new(secret.into())));
    let (st, h, v) = s
        .call_from("198.51.100.60", "GET", "/metrics", &[], None)
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["code"], "metrics_token_required");
    assert_eq!(h["www-authenticate"], "Bearer");
    for wrong in [
        "Bearer wrong",
        "Bearer cxt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        let (st, _, _) = s
            .call_from(
                "198.51.100.60",
                "GET",
                "/metrics",
                &[("authorization", wrong)],
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{wrong}");
    }
    let bearer = format!("Bearer {secret}");
    let (st, _, body) = s
        .call_from(
            "198.51.100.60",
            "GET",
            "/metrics",
            &[("authorization", &bearer)],
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body
        .as_str()
        .unwrap()
        .contains("chengxin_http_requests_total"));
    // The scraper's secret opens nothing else.
    let (st, _, _) = s
        .call_from(
            "198.51.100.60",
            "GET",
            "/api/v1/applications",
            &[("authorization", &bearer)],
            None,
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    t.cleanup().await;
}
both_backends!(metrics_need_the_token_or_their_own_listener, metrics_access);
