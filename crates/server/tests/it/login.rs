//! Logins and passwords under attack (issue 16, points 8 and 9): parallel guesses are all
//! counted, a locked account answers like a wrong password, a wrong current password counts
//! too, a password change ends the account's other sessions, and an account still on its
//! one-time password reaches nothing but its session.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::SessionRow;
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};
use futures_util::future::join_all;

async fn session_of(t: &TestApp, username: &str) -> Cred {
    let a = t
        .store
        .account_by_username(username)
        .await
        .unwrap()
        .unwrap();
    let (sid, hash) = chengxin_access::session::new_session_id().unwrap();
    let csrf = format!("csrf-{}", uuid::Uuid::now_v7().simple());
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
    Cred::Session {
        cookie: sid.expose().to_string(),
        csrf,
    }
}

async fn parallel(t: TestApp) {
    let (username, password, _) = t.account(Role::SubmittingDepartment, "320400", None).await;
    let wrong = serde_json::json!({"username": username, "password": "Wrong-password-1"});
    // 40 wrong passwords at once: every one is counted (none lost to a version conflict),
    // every answer is the same 401.
    let answers = join_all(
        (0..40).map(|_| t.call("POST", "/api/v1/session", &Cred::None, Some(wrong.clone()))),
    )
    .await;
    for (s, v) in &answers {
        assert_eq!(
            (*s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("bad_credentials")),
            "{v}"
        );
    }
    let a = t
        .store
        .account_by_username(&username)
        .await
        .unwrap()
        .unwrap();
    // Five of them locked it (the count starts again at the lock).
    assert!(a.locked_until.is_some(), "{a:?}");
    // Locked: even the right password gets the answer an unknown user gets.
    let right = serde_json::json!({"username": username, "password": password});
    let (s, v) = t
        .call("POST", "/api/v1/session", &Cred::None, Some(right))
        .await;
    let (s2, v2) = t
        .call(
            "POST",
            "/api/v1/session",
            &Cred::None,
            Some(serde_json::json!({"username": "nobody-here", "password": "x"})),
        )
        .await;
    assert_eq!(
        (s, &v["code"], &v["message"]),
        (s2, &v2["code"], &v2["message"])
    );
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(parallel_wrong_passwords_are_all_counted, parallel);

async fn password_change(t: TestApp) {
    let (username, password, _) = t.account(Role::SubmittingDepartment, "320400", None).await;
    let here = session_of(&t, &username).await;
    let elsewhere = session_of(&t, &username).await;
    let (s, _) = t.call("GET", "/api/v1/session", &elsewhere, None).await;
    assert_eq!(s, StatusCode::OK);
    // A wrong current password counts like a failed login: five lock the account.
    for _ in 0..5 {
        let (s, v) = t
            .call(
                "POST",
                "/api/v1/session/password",
                &here,
                Some(
                    serde_json::json!({"current": "Not-my-password-1", "new": "Brand-new-Pass-42"}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    }
    let a = t
        .store
        .account_by_username(&username)
        .await
        .unwrap()
        .unwrap();
    assert!(a.locked_until.is_some(), "{a:?}");
    let (s, _) = t
        .call(
            "POST",
            "/api/v1/session/password",
            &here,
            Some(serde_json::json!({"current": password, "new": "Brand-new-Pass-42"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "locked: refused");
    // Unlocked, the change goes through and ends the other session, not this one.
    let mut a = a;
    let v = a.version;
    a.failures = 0;
    a.locked_until = None;
    a.version += 1;
    t.store.update_account("test", &a, v).await.unwrap();
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/session/password",
            &here,
            Some(serde_json::json!({"current": password, "new": "Brand-new-Pass-42"})),
        )
        .await;
    assert!(s.is_success(), "{v}");
    let (s, _) = t.call("GET", "/api/v1/session", &here, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t.call("GET", "/api/v1/session", &elsewhere, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the other session ended");
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(
    password_change_counts_failures_and_ends_other_sessions,
    password_change
);

async fn one_time_password(t: TestApp) {
    let (username, _, _) = t.account(Role::SubmittingDepartment, "320400", None).await;
    let mut a = t
        .store
        .account_by_username(&username)
        .await
        .unwrap()
        .unwrap();
    let v = a.version;
    a.must_change_password = true;
    a.version += 1;
    t.store.update_account("test", &a, v).await.unwrap();
    let s1 = session_of(&t, &username).await;
    // Routes that only need a login are closed too, until the password is changed.
    for path in ["/api/v1/applications"] {
        let (s, v) = t.call("GET", path, &s1, None).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("password_change_required")),
            "{path}: {v}"
        );
    }
    let (s, v) = t.call("GET", "/api/v1/session", &s1, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    t.cleanup().await;
}
both_backends!(
    one_time_password_reaches_only_the_session,
    one_time_password
);

async fn id_as_username(t: TestApp) {
    // 320412199001011231: a valid check character.
    let id = "320412199001011231";
    let (s, v) = t
        .call(
            "POST",
            "/api/v1/session",
            &Cred::None,
            Some(serde_json::json!({"username": id, "password": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let events = t
        .store
        .audit_events(&chengxin_store::AuditFilter {
            action: Some("login".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!events.is_empty());
    for e in &events {
        let all = serde_json::to_string(e).unwrap();
        assert!(!all.contains(id), "{all}");
        assert!(e.actor.contains("3204**********1231"), "{}", e.actor);
    }
    // An error that echoes what the caller sent masks it too.
    let (s, v) = t
        .call("GET", &format!("/api/v1/records/{id}"), &Cred::None, None)
        .await;
    assert!(s.is_client_error());
    assert!(!v.to_string().contains(id), "{v}");
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(
    id_numbers_typed_by_callers_are_masked_in_audit_and_errors,
    id_as_username
);
