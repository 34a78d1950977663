//! Reading files: the shipped format and its validation errors.

use super::d;
use crate::calendar::WorkCalendar;

const OK: &str = r#"
first_year = 2030
last_year = 2031
[[years]]
year = 2030
notices = ["测试"]
holidays = [{ name = "元旦", first = "2030-01-01", last = "2030-01-01" }]
workdays = [{ date = "2030-01-05", for = "元旦" }]
[[years]]
year = 2031
"#;

#[test]
fn parse_small_calendar() {
    let c = WorkCalendar::parse(OK).expect("parses");
    assert_eq!(c.covered_years(), 2030..=2031);
    assert_eq!(c.is_working_day(d(2030, 1, 1)), Ok(false));
    assert_eq!(c.is_working_day(d(2030, 1, 5)), Ok(true));
    assert_eq!(c.make_up_days()[0].for_holiday.as_deref(), Some("元旦"));
    assert_eq!(c.notices(2031), Vec::<String>::new());
}

#[test]
fn parse_errors() {
    let cases: &[(&str, &str)] = &[
        ("years = 3", "calendar_bad_toml"),
        ("unknown = 1\n[[years]]\nyear = 2030", "calendar_bad_toml"),
        ("", "calendar_no_years"),
        (
            "[[years]]\nyear = 2030\n[[years]]\nyear = 2032",
            "calendar_years_not_contiguous",
        ),
        (
            "[[years]]\nyear = 2031\n[[years]]\nyear = 2030",
            "calendar_years_not_contiguous",
        ),
        (
            "first_year = 2029\n[[years]]\nyear = 2030",
            "calendar_year_range_mismatch",
        ),
        (
            "[[years]]\nyear = 2030\nworkdays = [{ date = \"2030/01/05\" }]",
            "calendar_bad_date",
        ),
        (
            "[[years]]\nyear = 2030\nworkdays = [{ date = \"2030-02-30\" }]",
            "calendar_bad_date",
        ),
        (
            "[[years]]\nyear = 2030\nholidays = [{ name = \"元旦\", first = \"2029-12-31\", last = \"2030-01-01\" }]",
            "calendar_date_outside_year",
        ),
        (
            "[[years]]\nyear = 2030\nholidays = [{ name = \"元旦\", first = \"2030-01-03\", last = \"2030-01-01\" }]",
            "calendar_reversed_period",
        ),
        (
            "[[years]]\nyear = 2030\nholidays = [{ name = \" \", first = \"2030-01-01\", last = \"2030-01-01\" }]",
            "calendar_empty_name",
        ),
        (
            "[[years]]\nyear = 2030\nholidays = [{ name = \"a\", first = \"2030-01-01\", last = \"2030-01-03\" }, { name = \"b\", first = \"2030-01-03\", last = \"2030-01-04\" }]",
            "calendar_overlapping_holidays",
        ),
        (
            "[[years]]\nyear = 2030\nworkdays = [{ date = \"2030-01-05\" }, { date = \"2030-01-05\" }]",
            "calendar_duplicate_make_up_day",
        ),
        (
            "[[years]]\nyear = 2030\nholidays = [{ name = \"a\", first = \"2030-01-05\", last = \"2030-01-06\" }]\nworkdays = [{ date = \"2030-01-05\" }]",
            "calendar_holiday_and_make_up_day",
        ),
        (
            "[[years]]\nyear = 2030\nworkdays = [{ date = \"2030-01-07\" }]",
            "calendar_make_up_day_not_weekend",
        ),
    ];
    for (text, code) in cases {
        let e = WorkCalendar::parse(text).expect_err(text);
        assert_eq!(e.code(), *code, "{text}: {e}");
        assert!(!e.to_string().is_empty());
    }
    let e = WorkCalendar::parse("[[years]]\nyear = 2030\nworkdays = [{ date = \"2030-01-07\" }]")
        .expect_err("weekday");
    assert_eq!(e.to_string(), "调休上班日2030年1月7日不是周六或周日");
}
