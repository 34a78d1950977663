//! Loaded calendar years on both backends: loading, replacing only when asked, the calendar in
//! effect, and `verify` covering the rows.

use chengxin_domain::calendar::{CalendarDoc, WorkCalendar};
use chengxin_domain::error::{Coded, ErrorKind};
use chengxin_store::{effective_calendar, load_calendar, Problem, StoreError};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;
use chrono::NaiveDate;

/// The invented 2027 of the tests (never shipped).
const TEST_2027: &str = include_str!("../../../../tests/fixtures/calendar-2027-test.toml");
const SOURCE: &str = "calendar-2027-test.toml";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn test_2027() -> CalendarDoc {
    CalendarDoc::parse(TEST_2027).unwrap()
}

async fn verify_ok(db: &TestDb) {
    let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok, "verify problems: {:?}", report.problems);
}

async fn head(db: &TestDb) -> i64 {
    db.store.log_head().await.unwrap().0
}

both_backends!(
    a_loaded_year_extends_the_calendar,
    |db: TestDb| async move {
        let s = db.store.as_ref();
        assert!(s.calendar_years().await.unwrap().is_empty());
        let c = effective_calendar(s).await.unwrap();
        assert_eq!(c.covered_years(), 2018..=2026);

        let load = load_calendar(s, "account:admin", SOURCE, &test_2027(), false)
            .await
            .unwrap();
        assert_eq!(load.added, [2027]);
        assert!(load.replaced.is_empty() && load.unchanged.is_empty());
        assert_eq!((load.first_year, load.last_year), (2018, 2027));
        assert_eq!(load.calendar.is_working_day(d(2027, 1, 4)), Ok(true));

        let rows = s.calendar_years().await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].year, 2027);
        assert_eq!(rows[0].source, SOURCE);
        assert_eq!(rows[0].loaded_by, "account:admin");
        assert_eq!(rows[0].document, test_2027().years()[0].to_document());
        assert_eq!(
            rows[0].calendar_year().as_ref(),
            Ok(&test_2027().years()[0])
        );

        let c = effective_calendar(s).await.unwrap();
        assert_eq!(c.covered_years(), 2018..=2027);
        assert_eq!(c.holiday_name(d(2027, 2, 8)), Some("春节"));
        assert_eq!(c.add_working_days(d(2026, 12, 30), 5), Ok(d(2027, 1, 7)));
        let entry = s.log_entries(head(&db).await - 1, 1).await.unwrap();
        assert_eq!(entry[0].entity_type, "calendar_year");
        assert_eq!(entry[0].entity_id, "2027");
        assert_eq!(entry[0].action, "create");
        assert_eq!(entry[0].actor, "account:admin");
        verify_ok(&db).await;

        // The same file again writes nothing.
        let before = head(&db).await;
        let again = load_calendar(s, "account:admin", SOURCE, &test_2027(), false)
            .await
            .unwrap();
        assert_eq!(again.unchanged, [2027]);
        assert_eq!(head(&db).await, before);
        db.cleanup().await;
    }
);

both_backends!(
    a_covered_year_is_replaced_only_when_asked,
    |db: TestDb| async move {
        let s = db.store.as_ref();
        load_calendar(s, "t", SOURCE, &test_2027(), false)
            .await
            .unwrap();
        let changed = CalendarDoc::parse(&TEST_2027.replace("2027-10-07", "2027-10-08")).unwrap();
        let before = head(&db).await;
        let e = load_calendar(s, "t", "fix.toml", &changed, false)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "calendar_year_already_covered");
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(head(&db).await, before, "nothing written");
        let load = load_calendar(s, "t2", "fix.toml", &changed, true)
            .await
            .unwrap();
        assert_eq!(load.replaced, [2027]);
        let rows = s.calendar_years().await.unwrap();
        assert_eq!(
            (rows[0].source.as_str(), rows[0].loaded_by.as_str()),
            ("fix.toml", "t2")
        );
        let c = effective_calendar(s).await.unwrap();
        assert_eq!(c.holiday_name(d(2027, 10, 8)), Some("国庆节"));
        let entry = s.log_entries(head(&db).await - 1, 1).await.unwrap();
        assert_eq!(
            (entry[0].entity_id.as_str(), entry[0].action.as_str()),
            ("2027", "update")
        );

        // A shipped year is replaced only when asked, too; the loaded one then wins.
        let mut y2026 = WorkCalendar::official().year(2026).unwrap().clone();
        y2026.notices.push("测试用通知（虚构）".into());
        let text = format!(
        "[[years]]\nyear = 2026\nnotices = {:?}\nholidays = [{{ name = \"元旦\", first = \"2026-01-01\", last = \"2026-01-03\", notice = \"国办发明电〔2025〕7号\" }}]\n",
        y2026.notices
    );
        let doc_2026 = CalendarDoc::parse(&text).unwrap();
        let e = load_calendar(s, "t", "2026.toml", &doc_2026, false)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "calendar_year_already_covered");
        let load = load_calendar(s, "t", "2026.toml", &doc_2026, true)
            .await
            .unwrap();
        assert_eq!(load.replaced, [2026]);
        let c = effective_calendar(s).await.unwrap();
        assert_eq!(
            c.holiday_name(d(2026, 2, 16)),
            None,
            "the loaded 2026 lists only 元旦"
        );
        assert_eq!(c.covered_years(), 2018..=2027);
        assert_eq!(
            s.calendar_years()
                .await
                .unwrap()
                .iter()
                .map(|r| r.year)
                .collect::<Vec<_>>(),
            [2026, 2027]
        );

        // A gap is refused.
        let gap = "[[years]]\nyear = 2029\nnotices = [\"测试用通知\"]\n\
               holidays = [{ name = \"元旦\", first = \"2029-01-01\", last = \"2029-01-01\", notice = \"测试用通知\" }]\n";
        let e = load_calendar(
            s,
            "t",
            "2029.toml",
            &CalendarDoc::parse(gap).unwrap(),
            false,
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), "calendar_year_gap");
        assert!(
            e.to_string().contains("2029年与已覆盖的2018–2027年不相连"),
            "{e}"
        );
        verify_ok(&db).await;
        db.cleanup().await;
    }
);

both_backends!(put_checks_what_is_stored, |db: TestDb| async move {
    let s = db.store.as_ref();
    let y = test_2027().years().to_vec();
    let put = s.put_calendar_years("t", SOURCE, &y, false).await.unwrap();
    assert_eq!(put.created, [2027]);
    let put = s.put_calendar_years("t", SOURCE, &y, false).await.unwrap();
    assert_eq!(put.unchanged, [2027]);
    let mut other = y.clone();
    other[0].notices.push("另一通知".into());
    let e = s
        .put_calendar_years("t", SOURCE, &other, false)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Calendar(_)), "{e:?}");
    assert_eq!(e.code(), "calendar_year_already_covered");
    let e = s.put_calendar_years("t", " ", &y, true).await.unwrap_err();
    assert_eq!(e.code(), "invalid_data");
    let put = s
        .put_calendar_years("t", SOURCE, &other, true)
        .await
        .unwrap();
    assert_eq!(put.replaced, [2027]);
    verify_ok(&db).await;
    db.cleanup().await;
});

both_backends!(verify_covers_calendar_years, |db: TestDb| async move {
    let s = db.store.as_ref();
    load_calendar(s, "t", SOURCE, &test_2027(), false)
        .await
        .unwrap();
    verify_ok(&db).await;
    db.exec("UPDATE calendar_years SET loaded_by = 'mallory' WHERE year = 2027")
        .await;
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert_eq!(
        report.problems,
        vec![Problem::RowEdited {
            entity_type: "calendar_year".into(),
            entity_id: "2027".into()
        }]
    );
    // A document edited into something unreadable stops the calendar in effect with a clear
    // error (never a silent fall back).
    db.exec("UPDATE calendar_years SET document = '{\"year\": 2027}' WHERE year = 2027")
        .await;
    let e = effective_calendar(s).await.unwrap_err();
    assert_eq!(e.code(), "calendar_missing_notices");
    db.exec("INSERT INTO calendar_years (year, document, source, loaded_by, loaded_at) \
             SELECT 2028, document, source, loaded_by, loaded_at FROM calendar_years WHERE year = 2027")
        .await;
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.problems.contains(&Problem::RowInserted {
        entity_type: "calendar_year".into(),
        entity_id: "2028".into()
    }));
    db.cleanup().await;
});
