//! Content-Security-Policy and HSTS (issue 16 point 13): every HTML answer of the portal and
//! the console — each page route of the table, for the public and for every staff role, error
//! pages included — carries a policy without `'unsafe-inline'` whose nonce is new for each
//! answer; every inline script carries that nonce, every other script is the server's own file,
//! and no page has inline styles or event-handler attributes (which no nonce covers).
//! `Strict-Transport-Security` is off by default and sent when configured.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use chengxin_access::Role;
use chengxin_server::auth::Access;
use chengxin_server::table::table;
use chengxin_store::RowOutcome;
use chengxin_testkit::{both_backends, import_row, Cred, TestApp};
use http_body_util::BodyExt;
use tower::ServiceExt;

const DEPT: &str = "11320400MB0000000X";

async fn get(t: &TestApp, uri: &str, cred: &Cred) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::get(uri);
    if let Cred::Session { cookie, .. } = cred {
        req = req.header("cookie", format!("cx_session={cookie}"));
    }
    let resp = t
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// The nonce of a policy, after checking the policy itself.
fn policy_nonce(uri: &str, csp: &str) -> String {
    assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{uri}: {csp}");
    assert!(csp.contains("default-src 'self'"), "{uri}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("{uri}: no script-src in {csp}"));
    let style_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("style-src "))
        .unwrap_or_else(|| panic!("{uri}: no style-src in {csp}"));
    assert_eq!(style_src, "style-src 'self'", "{uri}");
    let nonce = script_src
        .split_whitespace()
        .find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .unwrap_or_else(|| panic!("{uri}: no nonce in {script_src}"));
    assert!(nonce.len() >= 22, "{uri}: nonce too short: {nonce}");
    nonce.to_string()
}

/// Every `<script …>` opening tag of a page.
fn script_tags(page: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("<script") {
        let tag = &rest[at..];
        let end = tag.find('>').unwrap_or(tag.len());
        out.push(&tag[..end]);
        rest = &tag[end..];
    }
    out
}

/// Whether a page has an inline event-handler attribute (` onclick="…"` and the like).
fn has_event_attribute(page: &str) -> Option<String> {
    let bytes = page.as_bytes();
    let mut i = 0;
    while let Some(at) = page[i..].find(" on") {
        let start = i + at + 3;
        let mut j = start;
        while j < bytes.len() && bytes[j].is_ascii_lowercase() {
            j += 1;
        }
        if j > start && j + 1 < bytes.len() && bytes[j] == b'=' && bytes[j + 1] == b'"' {
            return Some(page[i + at..(j + 1).min(page.len())].to_string());
        }
        i = start;
    }
    None
}

/// Checks one HTML answer; returns the number of inline scripts it carried.
fn check_page(uri: &str, headers: &HeaderMap, page: &str) -> usize {
    let csp = headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{uri}: an HTML answer without a CSP"))
        .to_str()
        .unwrap();
    let nonce = policy_nonce(uri, csp);
    let mut inline = 0;
    for tag in script_tags(page) {
        if let Some(src) = tag.split("src=\"").nth(1) {
            assert!(src.starts_with("/static/"), "{uri}: {tag}");
        } else {
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{uri}: an inline script without the answer's nonce: {tag}"
            );
            inline += 1;
        }
    }
    assert!(!page.contains("<style"), "{uri}: an inline <style>");
    assert!(
        !page.contains(" style=\""),
        "{uri}: an inline style attribute"
    );
    if let Some(a) = has_event_attribute(page) {
        panic!("{uri}: an inline event handler: {a}");
    }
    inline
}

async fn walk(t: TestApp) {
    // A record, its subject and batch, and an objection to it: the item pages show content.
    let out = t
        .import(DEPT, vec![import_row(1, "常罚〔2025〕9号", "2025-01-10")])
        .await;
    let RowOutcome::Created(record) = out[0] else {
        panic!("{out:?}")
    };
    let r = t.store.record(record).await.unwrap().unwrap();
    let subject = r.subject_id.unwrap();
    let batch = r.batch_id.unwrap();
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/objections",
            &Cred::None,
            Some(serde_json::json!({
                "target_kind": "record", "target_id": record,
                "reasons": "处罚金额录入错误", "applicant_name": "王五"
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let application = filed["id"].as_str().unwrap().to_string();
    let fill = |path: &str| -> String {
        match path {
            "/console/records/{id}" => {
                format!("/console/records/{record}?purpose=%E6%A0%B8%E6%9F%A5")
            }
            "/console/batches/{id}" => format!("/console/batches/{batch}"),
            "/console/applications/{id}" => format!("/console/applications/{application}"),
            "/portal/subjects/{id}" => format!("/portal/subjects/{subject}"),
            p => p
                .replace("{id}", "01900000-0000-7000-8000-000000000000")
                .replace("{code}", "no_such_list")
                .replace("{report_no}", "XYBG-20250101-00000000"),
        }
    };

    let mut who: Vec<(String, Cred)> = vec![("匿名".into(), Cred::None)];
    for role in Role::ALL.iter().copied().filter(|r| *r != Role::Public) {
        let body = match role {
            Role::Subject => Some("91320412MA1MXK2L83"),
            Role::SubmittingDepartment | Role::ImplementingDepartment => Some(DEPT),
            _ => None,
        };
        who.push((
            role.as_str().into(),
            t.session_for(role, "320400", body).await,
        ));
    }
    let pages: Vec<String> = table()
        .iter()
        .filter(|(spec, _)| {
            spec.method == axum::http::Method::GET
                && matches!(spec.access, Access::Open)
                && (spec.path == "/"
                    || spec.path.starts_with("/portal")
                    || spec.path.starts_with("/console"))
                && spec.path != "/console/logout"
        })
        .map(|(spec, _)| fill(spec.path))
        .collect();
    assert!(pages.len() >= 30, "{pages:?}");
    let (mut html_answers, mut inline) = (0, 0);
    for (name, cred) in &who {
        for uri in pages
            .iter()
            .map(String::as_str)
            .chain(["/portal/no-such-page"])
        {
            let (status, headers, page) = get(&t, uri, cred).await;
            let html = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            if !html {
                continue;
            }
            assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{name} {uri}");
            inline += check_page(&format!("{name} {uri}"), &headers, &page);
            html_answers += 1;
        }
    }
    assert!(html_answers > 150, "{html_answers}");
    // The pages that act (login, forms, the console's buttons) do run their inline scripts.
    assert!(inline > 30, "{inline}");
    // The nonce is new for every answer.
    let (_, a, _) = get(&t, "/console/login", &Cred::None).await;
    let (_, b, _) = get(&t, "/console/login", &Cred::None).await;
    assert_ne!(
        a["content-security-policy"], b["content-security-policy"],
        "the same nonce twice"
    );
    // The API answers no HTML and needs no page policy; HSTS is off by default.
    let (_, h, _) = get(&t, "/api/v1/catalog", &Cred::None).await;
    assert!(h.get("strict-transport-security").is_none());
    let (_, h, _) = get(&t, "/", &Cred::None).await;
    assert!(h.get("strict-transport-security").is_none());
    t.cleanup().await;
}
both_backends!(every_page_has_a_nonce_policy_without_unsafe_inline, walk);

async fn hsts(t: TestApp) {
    // The same store served with HSTS configured (TLS at the reverse proxy).
    let mut app = chengxin_server::App::new(
        t.store.clone(),
        chengxin_domain::subjects::IdHasher::new([3; 32]),
        t.dir.join("uploads-hsts"),
        chengxin_server::auth::AuthSettings {
            hsts_max_age_secs: Some(31_536_000),
            ..Default::default()
        },
    );
    app.today = chrono::NaiveDate::from_ymd_opt(2025, 6, 2);
    let router = chengxin_server::router(chengxin_server::AppState::new(app));
    for uri in ["/", "/console/login", "/api/v1/catalog", "/healthz"] {
        let resp = router
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(
            resp.headers()["strict-transport-security"],
            "max-age=31536000",
            "{uri}"
        );
    }
    t.cleanup().await;
}
both_backends!(hsts_is_sent_when_configured, hsts);
