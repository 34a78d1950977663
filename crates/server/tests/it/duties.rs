//! Separation of duties (issue 16 point 3): an administrator cannot mint the access it could
//! then use. Giving an account the credit office's role (or the auditor's, an administrator's,
//! or any role at national scope) is a grant a second person approves — another administrator
//! or the region's credit office; until then the account holds no such role. The requester
//! cannot approve its own grant, nobody changes its own roles, and every grant is announced to
//! the auditor and to the region's credit office. The console's new-account form starts in the
//! administrator's own region.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::{AuditFilter, SessionRow};
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};
use serde_json::json;
use uuid::Uuid;

/// 溧阳市 (a county) and 武进区 (a sibling county).
const LIYANG: &str = "320481";
const WUJIN: &str = "320412";
const NOBODY: &str = "01900000-0000-7000-8000-000000000000";

/// A session for an existing account, made in the store (no TOTP step to wait for).
async fn session_of(t: &TestApp, username: &str) -> (Cred, Uuid) {
    let a = t
        .store
        .account_by_username(username)
        .await
        .unwrap()
        .unwrap();
    let (sid, hash) = chengxin_access::session::new_session_id().unwrap();
    let csrf = format!("csrf-{}", Uuid::now_v7().simple());
    let now = chengxin_store::changelog::now();
    t.store
        .create_session(&SessionRow {
            id_hash: hash,
            account_id: a.id,
            csrf: csrf.clone(),
            created_at: now,
            last_seen: now,
            ip: None,
        })
        .await
        .unwrap();
    (
        Cred::Session {
            cookie: sid.expose().to_string(),
            csrf,
        },
        a.id,
    )
}

/// A new account of `role` in `region` with its session and id.
async fn staff(t: &TestApp, role: Role, region: &str) -> (Cred, Uuid) {
    let (user, _, _) = t.account(role, region, None).await;
    session_of(t, &user).await
}

async fn roles_of(t: &TestApp, id: Uuid) -> Vec<String> {
    t.store.account(id).await.unwrap().unwrap().roles
}

async fn duties(t: TestApp) {
    let (admin, admin_id) = staff(&t, Role::Administrator, LIYANG).await;
    let (second_admin, _) = staff(&t, Role::Administrator, LIYANG).await;
    let (office, _) = staff(&t, Role::CreditOffice, LIYANG).await;
    let (auditor, _) = staff(&t, Role::Auditor, LIYANG).await;
    let (wujin_office, _) = staff(&t, Role::CreditOffice, WUJIN).await;
    let (wujin_auditor, _) = staff(&t, Role::Auditor, WUJIN).await;

    // The county administrator asks for a credit office of its county: created without it.
    let (s, issued) = t
        .call(
            "POST",
            "/api/v1/accounts",
            &admin,
            Some(json!({"username": "ly.office", "display_name": "溧阳信用办", "roles": ["credit_office"], "region": LIYANG})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{issued}");
    let account: Uuid = issued["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(issued["roles"], json!([]), "{issued}");
    assert!(
        issued["totp_uri"].is_string(),
        "the second factor is enrolled now"
    );
    let grant = issued["pending_grant"]["id"].as_str().unwrap().to_string();
    assert_eq!(issued["pending_grant"]["status"], "pending");
    assert_eq!(
        issued["pending_grant"]["privileged"],
        json!(["credit_office"])
    );
    assert!(roles_of(&t, account).await.is_empty());
    // A national one is refused outright (not its region), before any approval.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/accounts",
            &admin,
            Some(json!({"username": "cn.office", "display_name": "x", "roles": ["credit_office"], "region": "000000"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    // The pending grant gives no access: the account's session (its password changed)
    // reaches nothing of the role.
    t.store
        .modify_account("test", account, &|a| a.must_change_password = false)
        .await
        .unwrap();
    let (pending, _) = session_of(&t, "ly.office").await;
    let identity = format!("/api/v1/subjects/{NOBODY}/identity");
    let (s, v) = t
        .call(
            "POST",
            &identity,
            &pending,
            Some(json!({"purpose": "核查"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("permission_denied")),
        "{v}"
    );
    let (s, _) = t.call("GET", "/console/subjects", &pending, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t.call("GET", "/api/v1/link-queue", &pending, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The requester cannot approve its own grant (refused and audited); nor can the account.
    let decision = format!("/api/v1/role-grants/{grant}/decision");
    let (s, v) = t
        .call("POST", &decision, &admin, Some(json!({"approve": true})))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("self_approval")),
        "{v}"
    );
    let (s, _) = t
        .call("POST", &decision, &pending, Some(json!({"approve": true})))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A sibling county's credit office neither sees nor decides it.
    let (s, _) = t
        .call(
            "POST",
            &decision,
            &wujin_office,
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for sibling in [&wujin_office, &wujin_auditor] {
        let (s, v) = t.call("GET", "/api/v1/role-grants", sibling, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(!v.to_string().contains(&grant), "{v}");
    }
    assert!(roles_of(&t, account).await.is_empty());

    // Announced: the auditor and the county's credit office see the pending grant, the audit
    // trail has the request (and the refused self-approval), the auditor's console shows it.
    for who in [&auditor, &office] {
        let (s, v) = t.call("GET", "/api/v1/role-grants", who, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let g = v
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == grant.as_str())
            .unwrap_or_else(|| panic!("grant not listed: {v}"));
        assert_eq!(g["status"], "pending");
        assert_eq!(g["username"], "ly.office");
    }
    let (s, v) = t
        .call(
            "GET",
            "/api/v1/audit?action=role_grant_requested",
            &auditor,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v.to_string().contains("ly.office"), "{v}");
    let denied = t
        .store
        .audit_events(&AuditFilter {
            action: Some("role_grant_approved".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        denied
            .iter()
            .any(|e| e.outcome == "denied" && e.detail["reason"] == "self_approval"),
        "{denied:?}"
    );
    for page in ["/console/audit", "/console/grants"] {
        let (s, v) = t.call("GET", page, &auditor, None).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let html = v.as_str().unwrap();
        assert!(html.contains("ly.office"), "{page}: {html}");
    }
    let (_, v) = t.call("GET", "/console/audit", &auditor, None).await;
    assert!(v.as_str().unwrap().contains("grant-announcements"));
    let (_, v) = t.call("GET", "/console", &office, None).await;
    assert!(v.as_str().unwrap().contains("特权角色授予待审批"));

    // A second administrator approves: the account now holds the role, and uses it.
    let (s, v) = t
        .call(
            "POST",
            &decision,
            &second_admin,
            Some(json!({"approve": true, "note": "经信用办主任同意"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "approved");
    assert_eq!(roles_of(&t, account).await, ["credit_office"]);
    let (s, v) = t
        .call(
            "POST",
            &identity,
            &pending,
            Some(json!({"purpose": "核查"})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "the role now reaches the route: {v}"
    );
    let (s, _) = t.call("GET", "/console/subjects", &pending, None).await;
    assert_eq!(s, StatusCode::OK);
    // Decided once.
    let (s, v) = t
        .call("POST", &decision, &office, Some(json!({"approve": true})))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("grant_decided")),
        "{v}"
    );

    // Elevating an existing account is a grant too; the region's credit office refuses it.
    let (user, _, _) = t.account(Role::Supervisor, LIYANG, None).await;
    let sup = t
        .store
        .account_by_username(&user)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/accounts/{sup}/roles"),
            &admin,
            Some(json!({"roles": ["supervisor", "credit_office"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["account"]["roles"], json!(["supervisor"]), "{v}");
    assert!(v["totp_uri"].is_string(), "{v}");
    let elevation = v["pending_grant"]["id"].as_str().unwrap().to_string();
    // One pending grant at a time.
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/accounts/{sup}/roles"),
            &second_admin,
            Some(json!({"roles": ["auditor"]})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("grant_pending")),
        "{v}"
    );
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/role-grants/{elevation}/decision"),
            &office,
            Some(json!({"approve": false, "note": "无需该权限"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "refused");
    assert_eq!(roles_of(&t, sup).await, ["supervisor"]);
    // A role that needs no approval, or a removal, applies at once.
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/accounts/{sup}/roles"),
            &admin,
            Some(json!({"roles": ["implementing_department"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["pending_grant"].is_null(), "{v}");
    assert_eq!(roles_of(&t, sup).await, ["implementing_department"]);

    // A second administrator is a privileged grant as well (no approving one's own requests
    // through an account one made).
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/accounts",
            &admin,
            Some(json!({"username": "ly.admin2", "display_name": "x", "roles": ["administrator"], "region": LIYANG})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["roles"], json!([]), "{v}");
    assert_eq!(v["pending_grant"]["privileged"], json!(["administrator"]));

    // Nobody changes its own roles.
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/accounts/{admin_id}/roles"),
            &admin,
            Some(json!({"roles": ["administrator", "credit_office"]})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("own_roles")),
        "{v}"
    );
    assert_eq!(roles_of(&t, admin_id).await, ["administrator"]);

    // Every grant, request and decision is in the change log.
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(a_privileged_grant_needs_a_second_person, duties);

async fn form_region(t: TestApp) {
    let (admin, _) = staff(&t, Role::Administrator, LIYANG).await;
    let (s, v) = t.call("GET", "/console/accounts", &admin, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = v.as_str().unwrap();
    for input in ["id=\"acc-region\"", "id=\"tok-region\""] {
        let at = page.find(input).unwrap_or_else(|| panic!("no {input}"));
        let tag = &page[at..at + page[at..].find('>').unwrap()];
        // Picked from the region list: the code with its name.
        assert!(tag.contains("value=\"320481 江苏省常州市溧阳市\""), "{tag}");
        assert!(!tag.contains("000000"), "{tag}");
    }
    // The role editor is offered for others' accounts, never for one's own.
    assert!(page.contains("本人账号"), "{page}");
    t.cleanup().await;
}
both_backends!(new_account_form_starts_in_own_region, form_region);
