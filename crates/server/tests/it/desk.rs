//! Issue 17, the staff's daily work in the console, on both backends: the auditor pages
//! through the audit trail (more than the old 300-row cap), filters it by person and by action
//! named in Chinese, sees security events marked, and runs `verify` from a button.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_store::AuditEvent;
use chengxin_testkit::*;

fn html(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_string()
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
