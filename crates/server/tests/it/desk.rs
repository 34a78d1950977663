//! Issue 17, the staff's daily work in the console, on both backends: the auditor pages
//! through the audit trail (more than the old 300-row cap), filters it by person and by action
//! named in Chinese, sees security events marked, and runs `verify` from a button.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::AuditEvent;
use chengxin_testkit::*;

/// The page, without the `data-label` every console cell carries (the phone-card labels,
/// `pages/cards.rs`), so cells compare by their content.
fn html(v: &serde_json::Value) -> String {
    let page = v.as_str().unwrap_or_default();
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(i) = rest.find(" data-label=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " data-label=\"".len()..];
        rest = after.find('"').map(|j| &after[j + 1..]).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Rows of the audit table on a page.
fn rows(page: &str) -> usize {
    let Some(body) = page.split("id=\"audit-table\"").nth(1) else {
        return 0;
    };
    let body = body.split("</table>").next().unwrap_or_default();
    body.matches("<tr").count() - 1
}

both_backends!(
    auditor_pages_filters_and_verifies,
    |t: TestApp| async move {
        // 330 ordinary token uses, 4 failed logins and one enumeration refusal.
        let mut events = Vec::new();
        for i in 0..330 {
            let mut e = AuditEvent::new("token:批量", "token", "token_used", "ok");
            e.target = Some(format!("t{i}"));
            events.push(e);
        }
        for _ in 0..4 {
            let mut e = AuditEvent::new("account:mallory", "auth", "login", "failed");
            e.detail = serde_json::json!({"reason": "bad_credentials"});
            events.push(e);
        }
        events.push(AuditEvent::new(
            "account:mallory",
            "query",
            "id_enumeration_refused",
            "denied",
        ));
        t.store.audit(&events).await.unwrap();
        let auditor = t.session_for(Role::Auditor, "320400", None).await;
        let office = t.session_for(Role::CreditOffice, "320400", None).await;

        // Page 1: 50 rows and a link to the next page; the actions are named in Chinese.
        let (s, page) = t.call("GET", "/console/audit", &auditor, None).await;
        let page = html(&page);
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!(rows(&page), 50, "{page}");
        assert!(page.contains("id=\"audit-next\""), "{page}");
        assert!(!page.contains("id=\"audit-prev\""));
        assert!(page.contains("使用接口令牌"), "{page}");
        assert!(
            !page.contains(">token_used<"),
            "action code shown instead of its name"
        );
        // The action filter offers the Chinese names.
        assert!(page.contains("<option value=\"id_enumeration_refused\">拒绝证件号枚举</option>"));
        // Beyond the old cap of 300: the seventh page still has events, and a previous page.
        let (s, page) = t
            .call("GET", "/console/audit?offset=300", &auditor, None)
            .await;
        let page = html(&page);
        assert_eq!(s, StatusCode::OK);
        assert!(rows(&page) >= 30, "{page}");
        assert!(page.contains("第 301–"), "{page}");
        assert!(page.contains("id=\"audit-prev\""));

        // By action: only the failed logins, each marked as a security event.
        let (_, page) = t
            .call("GET", "/console/audit?action=login", &auditor, None)
            .await;
        let page = html(&page);
        assert_eq!(rows(&page), 4, "{page}");
        assert_eq!(page.matches("<tr class=\"security-event\"").count(), 4);
        assert!(page.contains("安全事件"));
        assert!(page.contains("失败"));
        assert!(!page.contains("id=\"audit-next\""));
        // By person (a bare username) and security events only.
        let (_, page) = t
            .call(
                "GET",
                "/console/audit?actor=mallory&security=1",
                &auditor,
                None,
            )
            .await;
        let page = html(&page);
        assert_eq!(rows(&page), 5, "{page}");
        assert!(page.contains("拒绝证件号枚举"));
        assert_eq!(page.matches("<tr class=\"security-event\"").count(), 5);
        // Ordinary events are not marked.
        let (_, page) = t
            .call("GET", "/console/audit?action=token_used", &auditor, None)
            .await;
        let page = html(&page);
        assert_eq!(rows(&page), 50);
        assert!(!page.contains("<tr class=\"security-event\""));

        // The verify button: there, runs, the page shows 通过, the run is audited.
        let (_, page) = t.call("GET", "/console/audit", &auditor, None).await;
        let page = html(&page);
        assert!(page.contains("data-api=\"/api/v1/audit/verify\""), "{page}");
        assert!(page.contains("尚未在工作台运行过校验"));
        let (s, v) = t.call("POST", "/api/v1/audit/verify", &auditor, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["ok"], true, "{v}");
        assert!(v["message"].as_str().unwrap().contains("校验通过"), "{v}");
        let (_, page) = t.call("GET", "/console/audit", &auditor, None).await;
        let page = html(&page);
        let result = page.split("id=\"verify-result\"").nth(1).unwrap();
        let result = result.split("</p>").next().unwrap();
        assert!(
            result.contains("通过") && !result.contains("未通过"),
            "{result}"
        );
        let (_, page) = t
            .call("GET", "/console/audit?action=log_verify", &auditor, None)
            .await;
        assert_eq!(rows(&html(&page)), 1);
        // Not for the credit office.
        let (s, _) = t.call("POST", "/api/v1/audit/verify", &office, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        t.cleanup().await;
    }
);

/// The row of an account on the accounts page.
fn row_of<'a>(page: &'a str, username: &str) -> &'a str {
    let at = page.find(&format!("<td>{username}</td>")).unwrap();
    let row = &page[at..];
    &row[..row.find("</tr>").unwrap()]
}

both_backends!(
    admin_resets_unlocks_and_keeps_itself,
    |t: TestApp| async move {
        let admin = t.session_for(Role::Administrator, "320400", None).await;
        let (_, me) = t.call("GET", "/api/v1/session", &admin, None).await;
        let me_id = me["account"]["id"]
            .as_str()
            .or_else(|| me["id"].as_str())
            .unwrap_or_else(|| panic!("{me}"))
            .to_string();
        let me_name = me["account"]["username"]
            .as_str()
            .or_else(|| me["username"].as_str())
            .unwrap()
            .to_string();
        let (clerk, password, _) = t
            .account(
                Role::SubmittingDepartment,
                "320412",
                Some("11320400MB0000019Y"),
            )
            .await;
        let clerk_id = t
            .store
            .account_by_username(&clerk)
            .await
            .unwrap()
            .unwrap()
            .id;
        // Five wrong passwords lock the clerk.
        for _ in 0..5 {
            let body = serde_json::json!({"username": clerk, "password": "wrong-Password-1"});
            t.call("POST", "/api/v1/session", &Cred::None, Some(body))
                .await;
        }
        let (_, page) = t.call("GET", "/console/accounts", &admin, None).await;
        let page = html(&page);
        // Names, not codes: the region by name, the body by name, regions and bodies to pick from.
        let row = row_of(&page, &clerk);
        assert!(row.contains("已锁定"), "{row}");
        assert!(row.contains("武进区"), "{row}");
        assert!(row.contains("常州市财政局"), "{row}");
        assert!(row.contains("重置密码"), "{row}");
        assert!(page.contains("<datalist id=\"region-list\">"));
        assert!(page.contains("320412 江苏省常州市武进区"), "region list");
        assert!(
            page.contains("11320400MB0000019Y 常州市财政局"),
            "body list"
        );
        assert!(page.contains("list=\"region-list\""));
        // No 停用 (nor reset) on one's own row.
        let own = row_of(&page, &me_name);
        assert!(!own.contains("停用"), "{own}");
        assert!(!own.contains("重置密码"), "{own}");
        let url = |id: &str| format!("/api/v1/accounts/{id}/actions");
        let (s, v) = t
            .call(
                "POST",
                &url(&me_id),
                &admin,
                Some(serde_json::json!({"action": "disable"})),
            )
            .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("own_account")),
            "{v}"
        );
        assert!(v["message"].as_str().unwrap().contains("另一名管理员"));

        // Unlock: the clerk logs in again with its password; the page shows it as 正常.
        let (s, v) = t
            .call(
                "POST",
                &url(&clerk_id.to_string()),
                &admin,
                Some(serde_json::json!({"action": "unlock"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, page) = t.call("GET", "/console/accounts", &admin, None).await;
        let page = html(&page);
        assert!(row_of(&page, &clerk).contains("正常"));
        let body = serde_json::json!({"username": clerk, "password": password});
        let (s, v) = t
            .call("POST", "/api/v1/session", &Cred::None, Some(body.clone()))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");

        // Reset password: a one-time password, shown once; the old one no longer works.
        let (s, v) = t
            .call(
                "POST",
                &url(&clerk_id.to_string()),
                &admin,
                Some(serde_json::json!({"action": "reset_password"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let otp = v["one_time_password"].as_str().unwrap().to_string();
        assert_eq!(v["account"]["must_change_password"], true);
        let (s, _) = t
            .call("POST", "/api/v1/session", &Cred::None, Some(body))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, v) = t
            .call(
                "POST",
                "/api/v1/session",
                &Cred::None,
                Some(serde_json::json!({"username": clerk, "password": otp})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, page) = t.call("GET", "/console/accounts", &admin, None).await;
        assert!(row_of(&html(&page), &clerk).contains("待改密"));

        // Reset the second factor of a credit-office account: a new enrolment URI, shown once.
        let (office, _, _) = t.account(Role::CreditOffice, "320400", None).await;
        let office_id = t
            .store
            .account_by_username(&office)
            .await
            .unwrap()
            .unwrap()
            .id;
        let before = t.store.account(office_id).await.unwrap().unwrap();
        let (s, v) = t
            .call(
                "POST",
                &url(&office_id.to_string()),
                &admin,
                Some(serde_json::json!({"action": "reset_totp"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(v["totp_uri"].as_str().unwrap().starts_with("otpauth://"));
        let after = t.store.account(office_id).await.unwrap().unwrap();
        assert_ne!(before.totp_secret, after.totp_secret);
        // Audited, by name in the audit trail.
        let auditor = t.session_for(Role::Auditor, "320400", None).await;
        let (_, page) = t
            .call("GET", "/console/audit?action=reset_totp", &auditor, None)
            .await;
        let page = html(&page);
        assert_eq!(rows(&page), 1, "{page}");
        assert!(page.contains("重置动态验证码"));
        t.cleanup().await;
    }
);

const FINANCE: &str = "11320400MB0000019Y";

both_backends!(
    timeliness_and_volume_pages_and_export,
    |t: TestApp| async move {
        // 常州市财政局: two penalties decided in March 2025, one in April, all published late
        // (stored now).
        t.import(
            FINANCE,
            vec![
                import_row(1, "常财罚〔2025〕1号", "2025-03-03"),
                import_row(2, "常财罚〔2025〕2号", "2025-03-10"),
                import_row(3, "常财罚〔2025〕3号", "2025-04-01"),
            ],
        )
        .await;
        let sup = t.session_for(Role::Supervisor, "320400", None).await;
        let (_, api) = t
            .call(
                "GET",
                "/api/v1/reports/timeliness?from=2025-03-01&to=2025-03-31",
                &sup,
                None,
            )
            .await;
        assert_eq!(api["total"]["total"], 2, "{api}");
        let (s, page) = t
            .call("GET", "/console/statistics?month=2025-03", &sup, None)
            .await;
        let page = html(&page);
        assert_eq!(s, StatusCode::OK, "{page}");
        let table = page.split("id=\"timeliness-table\"").nth(1).unwrap();
        let table = table.split("</table>").next().unwrap();
        assert!(table.contains("常州市财政局"), "{table}");
        assert!(!table.contains(FINANCE), "a code where the name belongs");
        let total = table.split("id=\"timeliness-total\"").nth(1).unwrap();
        let late = api["total"]["late"].as_u64().unwrap();
        assert!(
            total.contains(&format!("<td>2</td><td>{}</td><td>{late}</td>", 2 - late)),
            "{total}"
        );
        // 归集量 by month, with the chart.
        let (_, page) = t
            .call("GET", "/console/statistics?month=2025-04", &sup, None)
            .await;
        let page = html(&page);
        assert!(page.contains("id=\"volume-chart\""));
        let volume = page.split("id=\"volume-table\"").nth(1).unwrap();
        assert!(
            volume.contains("<th>2025-03</th><th>2025-04</th><th>合计</th>"),
            "{volume}"
        );
        assert!(
            volume.contains("<td>2</td><td>1</td><td>3</td>"),
            "{volume}"
        );
        // The export: the same counts in a workbook.
        let Cred::Session { cookie, .. } = &sup else {
            unreachable!()
        };
        let resp = tower::ServiceExt::oneshot(
            t.app.clone(),
            axum::http::Request::builder()
                .uri("/console/statistics/export.xlsx?month=2025-03")
                .header("cookie", format!("cx_session={cookie}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = wb.worksheet_range("公示时效").unwrap();
        let row: Vec<String> = sheet
            .rows()
            .nth(1)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(row[0], "常州市财政局");
        assert_eq!(row[1], FINANCE);
        assert_eq!(row[2], "2");
        assert_eq!(row[4], late.to_string());
        let sheet = wb.worksheet_range("归集量").unwrap();
        let head: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(head.last().unwrap(), "合计");
        assert!(head.contains(&"2025-03".to_string()));
        // Not for a submitting department.
        let clerk = t
            .session_for(Role::SubmittingDepartment, "320400", Some(FINANCE))
            .await;
        let (s, _) = t.call("GET", "/console/statistics", &clerk, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        t.cleanup().await;
    }
);
