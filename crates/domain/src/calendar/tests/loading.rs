//! Loading years at run time: strict documents, merging into the calendar, stored documents.

use super::{cal, d, TEST_2027};
use crate::calendar::{CalendarDoc, CalendarError, CalendarYear, WorkCalendar, OFFICIAL_TOML};
use crate::error::{Coded, ErrorKind};

fn doc(text: &str) -> CalendarDoc {
    CalendarDoc::parse(text).expect("document parses")
}

fn test_2027() -> CalendarDoc {
    doc(TEST_2027)
}

/// A valid year in the loaded format, for gap and order tests.
fn minimal(year: i32) -> String {
    format!(
        "[[years]]\nyear = {year}\nnotices = [\"测试用通知\"]\n\
         holidays = [{{ name = \"元旦\", first = \"{year}-01-01\", last = \"{year}-01-01\", notice = \"测试用通知\" }}]\n"
    )
}

#[test]
fn the_test_file_parses_strictly() {
    let doc = test_2027();
    assert_eq!(doc.covered_years(), 2027..=2027);
    let y = &doc.years()[0];
    assert_eq!(y.notices, ["测试用通知（虚构）"]);
    assert_eq!(y.holidays.len(), 3);
    assert_eq!(y.workdays[0].date, d(2027, 2, 14));
    assert_eq!(y.workdays[0].for_holiday.as_deref(), Some("春节"));
}

#[test]
fn the_shipped_file_meets_the_loading_rules_too() {
    let doc = doc(OFFICIAL_TOML);
    assert_eq!(doc.covered_years(), 2018..=2026);
    assert_eq!(
        WorkCalendar::from_doc(&doc).covered_years(),
        cal().covered_years()
    );
}

#[test]
fn loaded_files_must_name_their_notices() {
    let y = "[[years]]\nyear = 2030\n";
    let cases: &[(String, &str)] = &[
        (format!("{y}holidays = [{{ name = \"元旦\", first = \"2030-01-01\", last = \"2030-01-01\", notice = \"n\" }}]"),
         "calendar_missing_notices"),
        (format!("{y}notices = [\"n\"]"), "calendar_no_holidays"),
        (format!("{y}notices = [\"n\"]\nholidays = [{{ name = \"元旦\", first = \"2030-01-01\", last = \"2030-01-01\" }}]"),
         "calendar_missing_entry_notice"),
        (format!("{y}notices = [\"n\"]\nholidays = [{{ name = \"元旦\", first = \"2030-01-01\", last = \"2030-01-01\", notice = \"m\" }}]"),
         "calendar_unknown_notice"),
        (format!("{y}notices = [\"n\"]\nholidays = [{{ name = \"元旦\", first = \"2030-01-01\", last = \"2030-01-01\", notice = \"n\" }}]\nworkdays = [{{ date = \"2030-01-05\", notice = \"n\" }}]"),
         "calendar_make_up_day_without_holiday"),
        (format!("{y}notices = [\"n\"]\nholidays = [{{ name = \"元旦\", first = \"2030-01-01\", last = \"2030-01-01\", notice = \"n\" }}]\nworkdays = [{{ date = \"2030-01-05\", for = \"元旦\" }}]"),
         "calendar_missing_entry_notice"),
        // The shipped file's rules hold as well.
        (format!("{y}notices = [\"n\"]\nholidays = [{{ name = \"元旦\", first = \"2030-01-01\", last = \"2030-01-01\", notice = \"n\" }}]\nworkdays = [{{ date = \"2030-01-07\", for = \"元旦\", notice = \"n\" }}]"),
         "calendar_make_up_day_not_weekend"),
        ("first_year = 2031\n".to_string() + &minimal(2030), "calendar_year_range_mismatch"),
        (minimal(2030) + &minimal(2032), "calendar_years_not_contiguous"),
        ("年份 = 2030".to_string(), "calendar_bad_toml"),
    ];
    for (text, code) in cases {
        let e = CalendarDoc::parse(text).expect_err(text);
        assert_eq!(e.code(), *code, "{text}: {e}");
        assert_eq!(e.kind(), ErrorKind::Invalid);
    }
    let e = CalendarDoc::parse(&cases[2].0).expect_err("no notice");
    assert_eq!(
        e.to_string(),
        "2030年的假期“元旦”（2030年1月1日起）未注明所依据的通知（notice）"
    );
    // Two years at once, with first_year/last_year, are fine.
    let two = format!(
        "first_year = 2030\nlast_year = 2031\n{}{}",
        minimal(2030),
        minimal(2031)
    );
    assert_eq!(doc(&two).covered_years(), 2030..=2031);
}

#[test]
fn a_new_year_extends_the_calendar() {
    let merged = cal().merge(&test_2027(), false).expect("merges");
    assert_eq!(merged.added, [2027]);
    assert!(merged.replaced.is_empty() && merged.unchanged.is_empty());
    let c = merged.calendar;
    assert_eq!(c.covered_years(), 2018..=2027);
    assert_eq!(c.holiday_name(d(2027, 1, 1)), Some("元旦"));
    assert_eq!(c.is_working_day(d(2027, 1, 4)), Ok(true));
    assert_eq!(c.is_working_day(d(2027, 2, 8)), Ok(false));
    assert_eq!(
        c.is_working_day(d(2027, 2, 20)),
        Ok(true),
        "make-up Saturday"
    );
    assert_eq!(c.notices(2027), ["测试用通知（虚构）"]);
    // Shipped years are untouched, and the official calendar itself is unchanged.
    assert_eq!(c.notices(2026), ["国办发明电〔2025〕7号"]);
    assert_eq!(c.add_working_days(d(2025, 1, 24), 3), Ok(d(2025, 2, 5)));
    assert_eq!(c.add_working_days(d(2026, 12, 30), 2), Ok(d(2027, 1, 4)));
    assert!(cal().is_working_day(d(2027, 1, 4)).is_err());
    assert_eq!(c.year(2027), Some(&test_2027().years()[0]));
}

#[test]
fn a_covered_year_is_replaced_only_when_asked() {
    let c = cal().merge(&test_2027(), false).expect("merges").calendar;
    // The same content again changes nothing.
    let again = c.merge(&test_2027(), false).expect("same content");
    assert_eq!(again.unchanged, [2027]);
    assert!(again.added.is_empty() && again.replaced.is_empty());
    // Different content is refused unless replacing is asked.
    let changed = doc(&TEST_2027.replace("2027-10-07", "2027-10-08"));
    let e = c.merge(&changed, false).expect_err("differs");
    assert_eq!(e, CalendarError::YearAlreadyCovered { year: 2027 });
    assert_eq!(e.code(), "calendar_year_already_covered");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("2027年的放假安排已有"), "{e}");
    let replaced = c.merge(&changed, true).expect("replace");
    assert_eq!(replaced.replaced, [2027]);
    assert_eq!(
        replaced.calendar.holiday_name(d(2027, 10, 8)),
        Some("国庆节")
    );
    assert!(!replaced
        .calendar
        .year(2027)
        .expect("2027")
        .same_days(&test_2027().years()[0]));
    // A shipped year: loading it unchanged is a no-op; changed, it needs replacing.
    let shipped_2026 = WorkCalendar::from_doc(&doc(OFFICIAL_TOML))
        .year(2026)
        .cloned()
        .expect("2026");
    let same = cal()
        .merge_years(std::slice::from_ref(&shipped_2026), false)
        .expect("same");
    assert_eq!(same.unchanged, [2026]);
    let mut renamed = shipped_2026.clone();
    renamed.notices.push("测试用通知".into());
    assert!(renamed.same_days(&shipped_2026));
    assert_eq!(
        cal()
            .merge_years(&[renamed.clone()], false)
            .map(|m| m.added),
        Err(CalendarError::YearAlreadyCovered { year: 2026 })
    );
    assert_eq!(
        cal().merge_years(&[renamed], true).map(|m| m.replaced),
        Ok(vec![2026])
    );
}

#[test]
fn coverage_stays_contiguous() {
    let e = cal().merge(&doc(&minimal(2028)), false).expect_err("gap");
    assert_eq!(
        e,
        CalendarError::YearGap {
            year: 2028,
            first: 2018,
            last: 2026
        }
    );
    assert_eq!(e.code(), "calendar_year_gap");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        e.to_string(),
        "2028年与已覆盖的2018–2026年不相连：载入的年份须紧接已覆盖的年份，不能留有空缺"
    );
    let e = cal().merge(&doc(&minimal(2016)), false).expect_err("gap");
    assert_eq!(e.code(), "calendar_year_gap");
    // 2027 and 2028 together extend it; so does a year before the first.
    let two = cal()
        .merge(&doc(&(minimal(2027) + &minimal(2028))), false)
        .expect("two years");
    assert_eq!(two.added, [2027, 2028]);
    assert_eq!(two.calendar.covered_years(), 2018..=2028);
    let before = cal().merge(&doc(&minimal(2017)), false).expect("2017");
    assert_eq!(before.calendar.covered_years(), 2017..=2026);
    // An empty calendar takes any contiguous document.
    let empty = WorkCalendar::empty();
    let c = empty.merge(&test_2027(), false).expect("empty").calendar;
    assert_eq!(c.covered_years(), 2027..=2027);
    let e = empty
        .merge_years(
            &[
                test_2027().years()[0].clone(),
                doc(&minimal(2029)).years()[0].clone(),
            ],
            false,
        )
        .expect_err("gap");
    assert_eq!(e.code(), "calendar_years_not_contiguous");
}

#[test]
fn the_effective_calendar_is_shipped_plus_loaded() {
    let loaded: Vec<CalendarYear> = test_2027().years().to_vec();
    let c = WorkCalendar::effective(cal(), &loaded).expect("effective");
    assert_eq!(c.covered_years(), 2018..=2027);
    assert_eq!(
        WorkCalendar::effective(cal(), &[]).map(|c| c.covered_years()),
        Ok(2018..=2026)
    );
    // A loaded year takes the place of the shipped one.
    let mut y2026 = cal().year(2026).cloned().expect("2026");
    y2026.notices = vec!["更正通知".into()];
    let c = WorkCalendar::effective(cal(), &[y2026.clone(), loaded[0].clone()]).expect("both");
    assert_eq!(c.notices(2026), ["更正通知"]);
    assert_eq!(c.covered_years(), 2018..=2027);
    let gap = doc(&minimal(2028)).years().to_vec();
    assert_eq!(
        WorkCalendar::effective(cal(), &gap)
            .map(|c| c.covered_years())
            .map_err(|e| e.code()),
        Err("calendar_year_gap")
    );
}

#[test]
fn stored_documents_round_trip() {
    let doc = test_2027();
    let y = &doc.years()[0];
    let json = y.to_document();
    assert_eq!(json["year"], 2027);
    assert_eq!(json["holidays"][0]["first"], "2027-01-01");
    assert_eq!(json["workdays"][0]["for"], "春节");
    assert_eq!(CalendarYear::from_document(&json).as_ref(), Ok(y));
    // Every shipped year round-trips too.
    for y in cal().years() {
        assert_eq!(
            CalendarYear::from_document(&y.to_document()).as_ref(),
            Ok(y)
        );
    }
    // A document edited into nonsense is refused with the file's rules.
    let mut bad = json.clone();
    bad["workdays"][0]["date"] = "2027-02-15".into();
    assert_eq!(
        CalendarYear::from_document(&bad).map_err(|e| e.code()),
        Err("calendar_make_up_day_not_weekend")
    );
    let e = CalendarYear::from_document(&serde_json::json!({"year": "2027"})).expect_err("type");
    assert_eq!(e.code(), "calendar_bad_document");
    assert!(
        e.to_string().starts_with("已载入的节假日数据无法解读"),
        "{e}"
    );
}
