//! Accounts, roles, jurisdiction and tokens over the real router, on both backends:
//! the authorisation matrix (every role × every route of the route table), jurisdiction
//! between counties, brute-force lockout, token expiry, revocation and scope. The same walk
//! over items — every route that takes one, called by every role of a sibling region — is in
//! `access_items.rs`.

use axum::http::StatusCode;
use chengxin_access::{Permission, Role};
use chengxin_server::auth::Access;
use chengxin_server::table::table;
use chengxin_store::{AuditFilter, RowOutcome};
#[allow(unused_imports)]
use chengxin_testkit::TestApp;
use chengxin_testkit::*;

/// Fill a path template's parameters with values that pass parsing but name nothing.
fn concrete(path: &str) -> String {
    path.replace("{id}", "01900000-0000-7000-8000-000000000000")
        .replace("{record_id}", "01900000-0000-7000-8000-000000000000")
        .replace("{code}", "admin_penalty")
        .replace("{report_no}", "XYBG-20250101-00000000")
}

async fn matrix(t: TestApp) {
    let mut who: Vec<(String, Option<Role>, Cred)> = vec![("匿名".into(), None, Cred::None)];
    for role in Role::ALL.iter().copied() {
        let region = "320400";
        let cred = t.session_for(role, region, None).await;
        who.push((role.as_str().to_string(), Some(role), cred));
    }
    let routes = table();
    assert!(routes.len() >= 30, "route table looks truncated");
    let mut checked = 0;
    for (spec, _) in &routes {
        for (name, role, cred) in &who {
            let path = concrete(spec.path);
            // Logging out would end the session the next routes use: checked on its own.
            if spec.method == axum::http::Method::DELETE && spec.path == "/api/v1/session" {
                continue;
            }
            // Console pages are `Open` at the router and decide themselves (login redirect,
            // 403 "无权访问"): tests/console.rs checks them role by role.
            if spec.path == "/console" || spec.path.starts_with("/console/") {
                continue;
            }
            let body = (spec.method == axum::http::Method::POST).then(|| serde_json::json!({}));
            let (status, v) = t.call(spec.method.as_str(), &path, cred, body).await;
            let allowed = match spec.access {
                Access::Open => true,
                Access::Signed => role.is_some(),
                // The anonymous caller holds the public's permissions (objections, 报告验真).
                Access::Perm(p) => role.unwrap_or(Role::Public).has(p),
                Access::AnyOf(ps) => ps.iter().any(|p| role.unwrap_or(Role::Public).has(*p)),
            };
            if allowed {
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{name} should reach {} {}: {status} {v}",
                    spec.method,
                    spec.path
                );
            } else if role.is_none() {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "anonymous {} {}: {v}",
                    spec.method,
                    spec.path
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{name} must not reach {} {}: {v}",
                    spec.method,
                    spec.path
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 250, "{checked}");
    // Separation of duties, end to end: the administrator manages accounts but cannot read
    // personal data; the auditor reads the audit trail and changes nothing.
    let admin = &who
        .iter()
        .find(|w| w.1 == Some(Role::Administrator))
        .map(|w| w.2.clone())
        .unwrap_or(Cred::None);
    let (s, _) = t.call("GET", "/api/v1/accounts", admin, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t
        .call(
            "POST",
            &concrete("/api/v1/subjects/{id}/identity"),
            admin,
            Some(serde_json::json!({"purpose": "核查"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The OpenAPI document and the route table agree.
    let (_, doc) = t
        .call("GET", "/api/v1/openapi.json", &Cred::None, None)
        .await;
    for (spec, _) in &routes {
        // Pages and static assets are not API operations.
        if spec.path == "/api/v1/openapi.json"
            || !(spec.path.starts_with("/api/")
                || spec.path.ends_with("z")
                || spec.path == "/metrics")
        {
            continue;
        }
        let method = spec.method.as_str().to_ascii_lowercase();
        assert!(
            doc["paths"][spec.path][&method].is_object(),
            "{} {} missing from OpenAPI",
            spec.method,
            spec.path
        );
    }
    t.cleanup().await;
}
both_backends!(authorisation_matrix, matrix);

async fn jurisdiction(t: TestApp) {
    // Two counties of 常州: 天宁区 (320402) and 新北区 (320411).
    let tianning = "11320402MB0000000X";
    let xinbei = "11320411MB0000000X";
    let mut row_a = import_row(2, "天宁罚1", "2025-03-03");
    row_a.status = chengxin_domain::records::RecordStatus::Expired;
    let out = t
        .import(
            tianning,
            vec![row_a, import_row(3, "天宁罚2", "2025-03-03")],
        )
        .await;
    let (RowOutcome::Created(hidden), RowOutcome::Created(public)) = (out[0], out[1]) else {
        panic!("{out:?}")
    };
    let a = t.session_for(Role::CreditOffice, "320402", None).await;
    let b = t.session_for(Role::CreditOffice, "320411", None).await;
    let city = t.session_for(Role::CreditOffice, "320400", None).await;
    let read = |id: uuid::Uuid| format!("/api/v1/records/{id}?purpose=日常核查");
    // Non-public record: its county and the city see it, the other county does not.
    assert_eq!(
        t.call("GET", &read(hidden), &a, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        t.call("GET", &read(hidden), &city, None).await.0,
        StatusCode::OK
    );
    // Out of reach: answered as an unknown id is, so the answer does not tell it exists.
    let (s, v) = t.call("GET", &read(hidden), &b, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["code"], "not_found");
    // Without a purpose, even the right county is refused.
    let (s, v) = t
        .call("GET", &format!("/api/v1/records/{hidden}"), &a, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "purpose_required");
    // The public record is public.
    assert_eq!(
        t.call(
            "GET",
            &format!("/api/v1/records/{public}"),
            &Cred::None,
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    // Nor can county B change it, count it in reports, or see its batch.
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/records/{hidden}/transitions"),
            &b,
            Some(serde_json::json!({"action": "revoke", "expected_version": 1, "note": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let report = "/api/v1/reports/timeliness?from=2025-03-01&to=2025-03-31";
    let (_, v) = t.call("GET", report, &b, None).await;
    assert_eq!(v["total"]["total"], 0, "{v}");
    let (_, v) = t.call("GET", report, &a, None).await;
    assert_eq!(v["total"]["total"], 2, "{v}");
    let record = t.store.record(hidden).await.unwrap().unwrap();
    let batch = record.batch_id.unwrap();
    for path in [
        format!("/api/v1/batches/{batch}"),
        format!("/api/v1/batches/{batch}/errors"),
    ] {
        // Out of reach: the same 404 as an unknown id.
        assert_eq!(
            t.call("GET", &path, &b, None).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(t.call("GET", &path, &a, None).await.0, StatusCode::OK);
    }
    // A department's token submits only as itself, and only within its region.
    let dept_token = t.token(&["records_submit"], "320402", Some(tianning)).await;
    let (s, v) = t
        .call(
            "POST",
            &format!("/api/v1/batches?type=admin_penalty&dept={xinbei}"),
            &dept_token,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // Every non-public read was query-logged with its purpose.
    let logged = t
        .store
        .audit_events(&AuditFilter {
            kind: Some("query".into()),
            action: Some("record_read".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(logged
        .iter()
        .any(|e| e.outcome == "ok" && e.detail["purpose"] == "日常核查"));
    assert!(logged.iter().any(|e| e.outcome == "denied"));
    t.cleanup().await;
}
both_backends!(jurisdiction_between_counties, jurisdiction);

async fn brute_force(t: TestApp) {
    let (username, password, totp) = t.account(Role::SubmittingDepartment, "320400", None).await;
    assert!(totp.is_none());
    let login = |p: &str| serde_json::json!({"username": username, "password": p});
    for i in 0..5 {
        let (s, v) = t
            .call(
                "POST",
                "/api/v1/session",
                &Cred::None,
                Some(login("Wrong-password-1")),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}: {v}");
        assert_eq!(v["code"], "bad_credentials");
    }
    // The sixth attempt is refused even with the right password, answered like a wrong one
    // (a locked account does not reveal that it exists).
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/session",
            &Cred::None,
            Some(login(&password)),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["code"], "bad_credentials");
    // Unknown users get the same answer as wrong passwords.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/session",
            &Cred::None,
            Some(serde_json::json!({"username": "nobody", "password": "x"})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_credentials"))
    );
    // After an administrator unlocks it, the right password works.
    let acc = t
        .store
        .account_by_username(&username)
        .await
        .unwrap()
        .unwrap();
    let admin = t.session_for(Role::Administrator, "000000", None).await;
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/accounts/{}/actions", acc.id),
            &admin,
            Some(serde_json::json!({"action": "unlock"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/session",
            &Cred::None,
            Some(login(&password)),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let failures = t
        .store
        .audit_events(&AuditFilter {
            action: Some("login".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(failures.iter().filter(|e| e.outcome == "failed").count() >= 6);
    assert!(failures.iter().any(|e| e.outcome == "denied"));
    // The auditor reads it all — logins, the unlock, data changes — and exports it.
    let auditor = t.session_for(Role::Auditor, "000000", None).await;
    let (s, v) = t
        .call("GET", "/api/v1/audit?action=login", &auditor, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v.as_array().unwrap().len() >= 7, "{v}");
    let direct = t.store.data_changes(&Default::default()).await.unwrap();
    assert!(!direct.is_empty());
    let (_, v) = t
        .call("GET", "/api/v1/audit?kind=data", &auditor, None)
        .await;
    let data = v.as_array().unwrap();
    assert!(
        data.iter()
            .any(|e| e["target"].as_str().unwrap_or("").starts_with("account:")),
        "{v}"
    );
    let (s, csv) = t
        .call("GET", "/api/v1/audit/export?kind=auth", &auditor, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let csv = csv.as_str().unwrap_or_default().to_string();
    assert!(csv.contains("login") && csv.contains("操作者"), "{csv}");
    // The auditor changes nothing.
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/accounts/{}/actions", acc.id),
            &auditor,
            Some(serde_json::json!({"action": "disable"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    t.cleanup().await;
}
both_backends!(brute_force_locks_the_account, brute_force);

async fn second_factor(t: TestApp) {
    let (username, password, totp) = t.account(Role::CreditOffice, "320400", None).await;
    let secret = totp.unwrap();
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/session",
            &Cred::None,
            Some(serde_json::json!({"username": username, "password": password})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("totp_required"))
    );
    let code = secret.code_at(chengxin_store::changelog::now());
    let body = serde_json::json!({"username": username, "password": password, "totp": code});
    let (s, v) = t
        .call("POST", "/api/v1/session", &Cred::None, Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The same code is not accepted twice.
    let (s, v) = t
        .call("POST", "/api/v1/session", &Cred::None, Some(body))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("totp_reused"))
    );
    t.cleanup().await;
}
both_backends!(second_factor_is_required_and_single_use, second_factor);

async fn tokens(t: TestApp) {
    let tok = t.token(&["reports_read"], "320400", None).await;
    let report = "/api/v1/reports/timeliness?from=2025-03-01&to=2025-03-31";
    assert_eq!(t.call("GET", report, &tok, None).await.0, StatusCode::OK);
    // Out of scope: another permission.
    let (s, v) = t.call("GET", "/api/v1/link-queue", &tok, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // Revoked.
    let admin = t.session_for(Role::Administrator, "000000", None).await;
    let Cred::Token(plain) = &tok else { panic!() };
    let hash = chengxin_access::tokens::hash_token(plain).unwrap();
    let row = t.store.token_by_hash(&hash).await.unwrap().unwrap();
    let (s, _) = t
        .call(
            "POST",
            &format!("/api/v1/tokens/{}/revoke", row.id),
            &admin,
            Some(serde_json::json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = t.call("GET", report, &tok, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_revoked"))
    );
    // Expired.
    let expired = t.token(&["reports_read"], "320400", None).await;
    let Cred::Token(plain) = &expired else {
        panic!()
    };
    let hash = chengxin_access::tokens::hash_token(plain).unwrap();
    let mut row = t.store.token_by_hash(&hash).await.unwrap().unwrap();
    row.scope["expires_at"] = serde_json::json!("2020-01-01T00:00:00Z");
    let v0 = row.version;
    row.version += 1;
    t.store.update_token("test", &row, v0).await.unwrap();
    let (s, v) = t.call("GET", report, &expired, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_expired"))
    );
    // Tokens cannot be issued with permissions no token may carry.
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/tokens",
            &admin,
            Some(serde_json::json!({"name": "x", "permissions": ["audit_read"], "region": "320400", "days": 30})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(!Permission::AuditRead.token_grantable());
    t.cleanup().await;
}
both_backends!(tokens_expire_revoke_and_stay_in_scope, tokens);

async fn identity(t: TestApp) {
    // A person with a sealed ID number, from a 天宁区 department's file.
    let number = "320402199001011236";
    let hasher = chengxin_domain::subjects::IdHasher::new([3; 32]);
    let hash = hasher.hash(number);
    let mut row = import_row(2, "天宁罚9", "2025-03-03");
    row.subject_uscc = None;
    row.subject_name = "王五".into();
    row.subject_kind = chengxin_domain::subjects::SubjectKind::Individual;
    row.subject_region = Some("320402".into());
    row.subject_id_hash = Some(hash.clone());
    row.subject_id_masked = Some(chengxin_domain::codes::id_number::mask(number));
    row.subject_id_sealed = Some(t.state.pii.seal_bound(number, &hash).unwrap());
    t.import("11320402MB0000000X", vec![row]).await;
    let subject = t.store.subject_by_id_hash(&hash).await.unwrap().unwrap();
    let path = format!("/api/v1/subjects/{}/identity", subject.id);
    let purpose = serde_json::json!({"purpose": "联合惩戒对象身份核实"});
    let here = t.session_for(Role::CreditOffice, "320402", None).await;
    let there = t.session_for(Role::CreditOffice, "320411", None).await;
    let (s, v) = t.call("POST", &path, &here, Some(purpose.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["id_number"], number);
    let (s, v) = t.call("POST", &path, &there, Some(purpose)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, v) = t
        .call(
            "POST",
            &path,
            &here,
            Some(serde_json::json!({"purpose": " "})),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("purpose_required"))
    );
    // Who, when, which subject, why, how much — for both the opening and the refusal.
    let log = t
        .store
        .audit_events(&AuditFilter {
            action: Some("identity_open".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.outcome == "ok"
        && e.detail["returned"] == 1
        && e.detail["purpose"] == "联合惩戒对象身份核实"
        && e.target.as_deref() == Some(subject.id.to_string().as_str())));
    assert!(log.iter().any(|e| e.outcome == "denied"));
    // Elsewhere the number only ever shows masked.
    assert_eq!(subject.id_masked.as_deref(), Some("3204**********1236"));
    t.cleanup().await;
}
both_backends!(identity_opens_only_in_jurisdiction_with_purpose, identity);
