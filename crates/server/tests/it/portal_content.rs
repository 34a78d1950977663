//! Portal content (issue 17): a holder of PortalManage (信用办) writes an announcement as a
//! draft; the public does not see it (list, page, home) until it is published, and not after it
//! is withdrawn; a stale version is refused; someone without PortalManage gets 403 (the
//! anonymous 401) on the API and on the console page; every version is in the change log and
//! `verify` covers the table. Both backends.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_testkit::*;
use serde_json::json;

async fn public(t: &TestApp, uri: &str) -> (StatusCode, String) {
    let (s, v) = t.call("GET", uri, &Cred::None, None).await;
    (s, v.as_str().unwrap_or_default().to_string())
}

const TITLE: &str = "关于2026年度信用承诺工作的通知";

async fn portal_content_story(t: TestApp) {
    let editor = t.session_for(Role::CreditOffice, "320400", None).await;
    let auditor = t.session_for(Role::Auditor, "320400", None).await;

    // The home page has no announcement yet.
    let (_, home) = public(&t, "/").await;
    assert!(home.contains("暂无通知公告"));

    // A draft.
    let (s, draft) = t
        .call(
            "POST",
            "/api/v1/portal/pages",
            &editor,
            Some(json!({"kind": "announcement", "title": TITLE, "body": "第一段。\n\n第二段。"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{draft}");
    assert_eq!(draft["status"], "draft");
    let id = draft["id"].as_str().unwrap().to_string();

    // Not for the public yet.
    let (_, list) = public(&t, "/portal/notices").await;
    assert!(!list.contains(TITLE));
    let (s, _) = public(&t, &format!("/portal/notices/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, home) = public(&t, "/").await;
    assert!(!home.contains(TITLE));

    // The editor sees it in the console, as a draft, with names not codes.
    let (s, console) = t.call("GET", "/console/portal", &editor, None).await;
    assert_eq!(s, StatusCode::OK);
    let console = console.as_str().unwrap();
    assert!(console.contains(TITLE) && console.contains("草稿") && console.contains("通知公告"));
    assert!(!console.contains(">draft<") && !console.contains(">announcement<"));

    // Not a holder of PortalManage: 403 on the API and the page; anonymous: 401.
    for cred in [&auditor, &Cred::None] {
        let (s, _) = t
            .call(
                "POST",
                "/api/v1/portal/pages",
                cred,
                Some(json!({"kind": "announcement", "title": "冒名公告", "body": "x"})),
            )
            .await;
        let (s2, _) = t
            .call(
                "POST",
                &format!("/api/v1/portal/pages/{id}/actions"),
                cred,
                Some(json!({"action": "publish", "expected_version": 1})),
            )
            .await;
        if matches!(cred, Cred::None) {
            assert_eq!(
                (s, s2),
                (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
            );
        } else {
            assert_eq!((s, s2), (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN));
        }
    }
    let (s, _) = t.call("GET", "/console/portal", &auditor, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Edit (version 1 → 2); a stale version is refused.
    let (s, edited) = t
        .call(
            "POST",
            &format!("/api/v1/portal/pages/{id}/actions"),
            &editor,
            Some(json!({"action": "edit", "body": "第一段（修订）。\n\n第二段。", "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert_eq!(edited["version"], 2);
    let (s, stale) = t
        .call(
            "POST",
            &format!("/api/v1/portal/pages/{id}/actions"),
            &editor,
            Some(json!({"action": "publish", "expected_version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");
    let (_, list) = public(&t, "/portal/notices").await;
    assert!(!list.contains(TITLE));

    // Published: in the list, on its page, on the home page.
    let (s, published) = t
        .call(
            "POST",
            &format!("/api/v1/portal/pages/{id}/actions"),
            &editor,
            Some(json!({"action": "publish", "expected_version": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{published}");
    assert_eq!(published["status"], "published");
    let (_, list) = public(&t, "/portal/notices").await;
    assert!(list.contains(TITLE), "{list}");
    let (s, one) = public(&t, &format!("/portal/notices/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        one.contains("<p>第一段（修订）。</p>") && one.contains("<p>第二段。</p>"),
        "{one}"
    );
    let (_, home) = public(&t, "/").await;
    assert!(home.contains(TITLE));
    // Not among the policy pages.
    let (_, policies) = public(&t, "/portal/notices?kind=policy").await;
    assert!(!policies.contains(TITLE));

    // Withdrawn: gone for the public again.
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/portal/pages/{id}/actions"),
            &editor,
            Some(json!({"action": "withdraw", "expected_version": 3})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = public(&t, &format!("/portal/notices/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Every version change-logged, and covered by verify.
    let logged: Vec<String> = t
        .store
        .log_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity_type == "portal_page" && e.entity_id == id)
        .map(|e| e.action)
        .collect();
    assert_eq!(logged, ["create", "update", "update", "update"]);
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(portal_content, portal_content_story);
