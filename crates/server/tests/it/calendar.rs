//! The calendar as run-time data, from the console and the API: an administrator loads next
//! year's schedule from a file (validated, change-logged, in effect at once), every staff
//! member sees what is covered and — from 60 days before the end — a warning on the
//! dashboard; a list entry's publicity window counted provisionally moves to the real working
//! day when the year is loaded.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::lists::{EntryAction, JointCatalog, ListEntry, Proposal};
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};
use chrono::NaiveDate;

const FIXTURE: &str = include_str!("../../../../tests/fixtures/calendar-2027-test.toml");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn html(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

async fn story(base: TestApp) {
    // 2026-12-01: the shipped calendar ends on 31 December, 30 days from now.
    let t = base.on_day(d("2026-12-01"));
    let admin = t.session_for(Role::Administrator, "320400", None).await;
    let office = t.session_for(Role::CreditOffice, "320400", None).await;

    // An entry on the red list in publicity from Monday 28 December: its 7 working days reach
    // into 2027, counted Monday–Friday (6 January) and marked provisional.
    let subject = t
        .store
        .create_subject(
            "test",
            chengxin_store::NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::Enterprise),
                name: "常州市甲建设有限公司".into(),
                uscc: Some("91320412MA1MXK2L83".into()),
                id_hash: None,
                id_masked: None,
                region: Some("320412".into()),
                parent_id: None,
                former_names: vec![],
            },
        )
        .await
        .unwrap();
    let joint = JointCatalog::default_checked().unwrap();
    let red = joint.list("red_list").unwrap();
    let provisional = WorkCalendar::official_checked()
        .unwrap()
        .clone()
        .with_provisional_years();
    let entry = ListEntry::propose(
        red,
        Proposal {
            subject_key: "91320412MA1MXK2L83".into(),
            subject_name: "常州市甲建设有限公司".into(),
            standard: "连续三年无失信记录".into(),
            basis: "江苏2023 §二(一)".into(),
            recognised_by: "常州市发展和改革委员会".into(),
            recognised_by_uscc: None,
            evidence: vec![],
        },
        d("2026-12-28"),
    )
    .and_then(|e| {
        e.apply(
            red,
            EntryAction::StartPublicity,
            d("2026-12-28"),
            None,
            &provisional,
        )
    })
    .unwrap();
    assert_eq!(entry.publicity_until, Some(d("2027-01-06")));
    assert!(entry.publicity_provisional(&provisional));
    let id = uuid::Uuid::now_v7();
    let row =
        chengxin_app::lists::entry_row(id, subject.id, &entry, 1, chengxin_store::changelog::now())
            .unwrap();
    t.store.create_list_entry("test", &row).await.unwrap();

    // What is covered, for anyone; the warning on every staff member's dashboard.
    let (s, v) = t.call("GET", "/api/v1/calendar", &Cred::None, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["last_year"], 2026);
    assert_eq!(v["days_left"], 30);
    assert_eq!(v["warning"]["code"], "calendar_coverage_ending", "{v}");
    let (s, page) = t.call("GET", "/console", &office, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html(&page).contains("calendar-warning"), "{page}");
    let (s, page) = t.call("GET", "/console/calendar", &office, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html(&page).contains("节假日日历"));
    assert!(html(&page).contains("随程序发布"));
    assert!(
        !html(&page).contains("cal-load"),
        "only administrators load"
    );
    let (s, page) = t.call("GET", "/console/calendar", &admin, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html(&page).contains("cal-load"));

    // Loading: administrators only; a bad file is refused with its code, nothing changed.
    let body = |content: &str| {
        Some(serde_json::json!({
            "source": "C:\\下载\\calendar-2027-test.toml", "content": content, "replace": false,
        }))
    };
    let (s, v) = t
        .call("POST", "/api/v1/calendar/years", &office, body(FIXTURE))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let broken = FIXTURE.replace("2027-02-14", "2027-02-15");
    let (s, v) = t
        .call("POST", "/api/v1/calendar/years", &admin, body(&broken))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["code"], "calendar_make_up_day_not_weekend", "{v}");
    assert!(t.store.calendar_years().await.unwrap().is_empty());

    let (s, v) = t
        .call("POST", "/api/v1/calendar/years", &admin, body(FIXTURE))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["added"], serde_json::json!([2027]));
    assert_eq!(v["entries_recounted"], 1, "{v}");

    // The window moved to the real working day (1 January is a holiday in the fixture).
    let moved: ListEntry =
        serde_json::from_value(t.store.list_entry(id).await.unwrap().unwrap().entry).unwrap();
    assert_eq!(moved.publicity_until, Some(d("2027-01-07")));
    let told = t
        .store
        .audit_events(&chengxin_store::AuditFilter {
            action: Some("entry_publicity_recounted".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].detail["until"], "2027-01-07");

    // In effect at once: covered to 2027, from the uploaded file, no warning any more.
    let (_, v) = t.call("GET", "/api/v1/calendar", &Cred::None, None).await;
    assert_eq!(v["last_year"], 2027);
    assert!(v["warning"].is_null(), "{v}");
    let y = v["years"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (y["origin"].as_str(), y["source"].as_str()),
        (Some("loaded"), Some("calendar-2027-test.toml"))
    );
    assert!(y["loaded_by"].as_str().unwrap().starts_with("account:"));
    let (_, page) = t.call("GET", "/console", &office, None).await;
    assert!(!html(&page).contains("calendar-warning"));
    let (_, page) = t.call("GET", "/console/calendar", &office, None).await;
    assert!(html(&page).contains("运行中载入"));
    assert_log_verifies(t.store.as_ref()).await;
    base.cleanup().await;
}

both_backends!(calendar_loaded_from_the_console, story);
