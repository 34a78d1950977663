//! The portal's frame (issue 17, "Basics" and site identity), on both backends: unknown
//! addresses answer an HTML 404 page in Chinese (portal and console) and JSON under /api; the
//! footer of every portal page shows the configured identity (主办单位, 备案号, 标识码,
//! contact); 网站地图, 隐私声明 and the favicon are served; the large-text mode (适老化) is a
//! plain link that sets a cookie and comes back, and the page then carries the class.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use chengxin_testkit::*;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get_with(
    t: &TestApp,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let h = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, h, String::from_utf8_lossy(&bytes).into_owned())
}

fn is_html(h: &HeaderMap) -> bool {
    h["content-type"].to_str().unwrap().starts_with("text/html")
}

async fn site_story(t: TestApp) {
    // Unknown portal and console addresses: an HTML page in Chinese, status 404.
    for uri in [
        "/portal/no-such-page",
        "/no/such/thing",
        "/console/no-such-page",
    ] {
        let (s, h, body) = get_with(&t, uri, &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert!(is_html(&h), "{uri}: {:?}", h["content-type"]);
        assert!(body.contains("页面不存在"), "{uri}: {body}");
        assert!(body.contains("id=\"not-found\""), "{uri}");
        assert!(!body.contains("\"code\""), "{uri}");
    }
    // Under /api: JSON with the stable code.
    let (s, h, body) = get_with(&t, "/api/v1/no-such-thing", &[]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(h["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["code"], "not_found", "{body}");

    // The configured identity, in the footer of every portal page and in the header.
    let configured = t.with_app(|app| {
        app.site = std::sync::Arc::new(chengxin_app::SiteIdentity {
            name: "信用武进".into(),
            sponsor: "武进区发展和改革局".into(),
            icp: "苏ICP备12345678号-2".into(),
            site_code: "3204120001".into(),
            police_record: "苏公网安备 32041202000123号".into(),
            contact: "联系电话：0519-86310000".into(),
        });
    });
    for uri in [
        "/",
        "/portal/search",
        "/portal/shuanggongshi",
        "/portal/lists",
        "/portal/sitemap",
        "/portal/privacy",
        "/portal/nothing-here",
    ] {
        let (_, h, body) = get_with(&configured, uri, &[]).await;
        assert!(is_html(&h), "{uri}");
        for want in [
            "<title>",
            "信用武进</title>",
            "id=\"site-sponsor\">武进区发展和改革局<",
            "id=\"site-icp\">苏ICP备12345678号-2<",
            "id=\"site-code\">3204120001<",
            "id=\"site-police\">苏公网安备 32041202000123号<",
            "id=\"site-contact\">联系电话：0519-86310000<",
            "href=\"/portal/sitemap\"",
            "href=\"/portal/privacy\"",
            "rel=\"icon\"",
        ] {
            assert!(body.contains(want), "{uri} lacks {want}");
        }
        // The demo identity is gone.
        assert!(!body.contains("（演示）"), "{uri}");
    }
    // The default (unconfigured) site says it is a demo.
    let (_, _, home) = get_with(&t, "/", &[]).await;
    assert!(home.contains("信用常州（演示）"));
    let (_, _, privacy) = get_with(&configured, "/portal/privacy", &[]).await;
    assert!(privacy.contains("武进区发展和改革局主办"));
    let (s, _, sitemap) = get_with(&configured, "/portal/sitemap", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(sitemap.contains("href=\"/portal/objection\""));

    // The favicon, shipped and served by the app.
    for uri in ["/favicon.svg", "/favicon.ico"] {
        let (s, h, body) = get_with(&t, uri, &[]).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert_eq!(h["content-type"], "image/svg+xml");
        assert!(body.starts_with("<svg"));
    }

    // 适老化: a plain link switches large text on and comes back; the page carries the class.
    let (_, _, search) = get_with(&t, "/portal/search", &[]).await;
    assert!(search.contains("href=\"/portal/large-text?on=1&amp;back=%2Fportal%2Fsearch\""));
    assert!(!search.contains("class=\"large-text\""));
    let (s, h, _) = get_with(&t, "/portal/large-text?on=1&back=%2Fportal%2Fsearch", &[]).await;
    assert!(s.is_redirection());
    assert_eq!(h["location"], "/portal/search");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("cx_large=1;"), "{cookie}");
    let (_, _, large) = get_with(&t, "/portal/search", &[("cookie", "cx_large=1")]).await;
    assert!(large.contains("<html lang=\"zh-CN\" class=\"large-text\">"));
    assert!(large.contains("标准字号"));
    // Off again; and never back to another site.
    let (_, h, _) = get_with(&t, "/portal/large-text?on=0&back=%2F", &[]).await;
    assert!(h["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    for evil in [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let (_, h, _) = get_with(&t, &format!("/portal/large-text?on=1&back={evil}"), &[]).await;
        assert_eq!(h["location"], "/", "{evil}");
    }
    t.cleanup().await;
}

both_backends!(site, site_story);
