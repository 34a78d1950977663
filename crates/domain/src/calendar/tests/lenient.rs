//! Provisional answers outside the covered years, and the coverage warning.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use proptest::prelude::*;

use super::{cal, d, TEST_2027};
use crate::calendar::provisional::{nth_weekday_after, weekdays_between};
use crate::calendar::{
    CalendarDoc, Counted, CoverageWarning, Dated, WorkCalendar, COVERAGE_WARNING_DAYS,
};

fn with_2027() -> WorkCalendar {
    let doc = CalendarDoc::parse(TEST_2027).expect("test file");
    cal().merge(&doc, false).expect("merges").calendar
}

fn provisional(date: NaiveDate) -> Dated {
    Dated {
        date,
        provisional: true,
    }
}

fn exact(date: NaiveDate) -> Dated {
    Dated {
        date,
        provisional: false,
    }
}

fn brute_weekdays(a: NaiveDate, b: NaiveDate) -> i64 {
    a.iter_days()
        .skip(1)
        .take_while(|x| *x <= b)
        .filter(|x| !matches!(x.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64
}

#[test]
fn weekday_arithmetic_matches_counting() {
    assert_eq!(d(1, 1, 1).weekday(), Weekday::Mon, "the anchor is a Monday");
    let start = d(2026, 12, 20);
    for i in 0..40 {
        let a = start + Duration::days(i);
        for j in 0..40 {
            let b = a + Duration::days(j);
            assert_eq!(weekdays_between(a, b), brute_weekdays(a, b), "{a} {b}");
        }
        for n in 1..12 {
            let t = nth_weekday_after(a, n).expect("in range");
            assert_eq!(brute_weekdays(a, t), n, "{a} {n}");
            assert!(!matches!(t.weekday(), Weekday::Sat | Weekday::Sun));
        }
    }
    // Dates before the anchor count alike.
    assert_eq!(
        weekdays_between(d(-5, 3, 1), d(-5, 3, 15)),
        brute_weekdays(d(-5, 3, 1), d(-5, 3, 15))
    );
}

#[test]
fn past_the_end_counts_monday_to_friday_provisionally() {
    let c = cal();
    assert!(c.add_working_days(d(2026, 12, 30), 5).is_err());
    // 12-31 (Thu, covered), then 2027: 1/1 (Fri), 1/4, 1/5, 1/6 — no holidays known.
    assert_eq!(
        c.add_working_days_lenient(d(2026, 12, 30), 5),
        Ok(provisional(d(2027, 1, 6)))
    );
    // Once 2027 is loaded the same question has an exact answer: 1/1–1/3 is 元旦.
    let c27 = with_2027();
    assert_eq!(
        c27.add_working_days_lenient(d(2026, 12, 30), 5),
        Ok(exact(d(2027, 1, 7)))
    );
    assert_eq!(c27.add_working_days(d(2026, 12, 30), 5), Ok(d(2027, 1, 7)));
    // Inside the covered years: the strict answer, not provisional.
    assert_eq!(
        c.add_working_days_lenient(d(2025, 1, 24), 3),
        Ok(exact(d(2025, 2, 5)))
    );
    assert_eq!(
        c.add_working_days_lenient(d(2031, 1, 1), 0),
        Ok(exact(d(2031, 1, 1)))
    );
    // Entirely after the covered years.
    assert_eq!(
        c.add_working_days_lenient(d(2031, 1, 3), 1),
        Ok(provisional(d(2031, 1, 6)))
    );
    // Between, across the end.
    assert_eq!(
        c.working_days_between_lenient(d(2026, 12, 30), d(2027, 1, 6)),
        Counted {
            days: 5,
            provisional: true
        }
    );
    assert_eq!(
        c.working_days_between_lenient(d(2027, 1, 6), d(2026, 12, 30)),
        Counted {
            days: -5,
            provisional: true
        }
    );
    assert_eq!(
        c27.working_days_between_lenient(d(2026, 12, 30), d(2027, 1, 6)),
        Counted {
            days: 4,
            provisional: false
        }
    );
    assert_eq!(
        c.working_days_between_lenient(d(2025, 1, 24), d(2025, 2, 5)),
        Counted {
            days: 3,
            provisional: false
        }
    );
}

#[test]
fn before_the_start_counts_monday_to_friday_provisionally() {
    let c = cal();
    // 2017-12-30/31 are unknown (in fact they were 元旦 holidays): provisional.
    assert!(c.add_working_days(d(2017, 12, 29), 1).is_err());
    assert_eq!(
        c.add_working_days_lenient(d(2017, 12, 29), 1),
        Ok(provisional(d(2018, 1, 2)))
    );
    assert_eq!(
        c.add_working_days_lenient(d(2017, 12, 26), 2),
        Ok(provisional(d(2017, 12, 28)))
    );
    // The start day itself is never looked at.
    assert_eq!(
        c.add_working_days_lenient(d(2017, 12, 31), 1),
        Ok(exact(d(2018, 1, 2)))
    );
    // From before the start to after the end: the covered years counted exactly between.
    let all = c.working_days_between_lenient(d(2017, 12, 29), d(2027, 1, 6));
    let covered = c
        .working_days_between(d(2017, 12, 31), d(2026, 12, 31))
        .expect("covered");
    assert_eq!(
        all,
        Counted {
            days: covered + 4,
            provisional: true
        }
    );
    assert_eq!(
        c.add_working_days_lenient(d(2017, 12, 29), u32::try_from(covered + 4).expect("fits")),
        Ok(provisional(d(2027, 1, 6)))
    );
}

#[test]
fn an_empty_calendar_is_all_provisional() {
    let c = WorkCalendar::empty();
    assert_eq!(
        c.add_working_days_lenient(d(2025, 1, 24), 3),
        Ok(provisional(d(2025, 1, 29)))
    );
    assert_eq!(
        c.working_days_between_lenient(d(2025, 1, 24), d(2025, 1, 29)),
        Counted {
            days: 3,
            provisional: true
        }
    );
    let w = c.coverage_warning(d(2025, 1, 1)).expect("warns");
    assert_eq!(
        w,
        CoverageWarning {
            last_covered: None,
            days_left: None
        }
    );
    assert_eq!(w.code(), "calendar_not_covered");
    assert!(w.message().contains("未覆盖任何年份"));
}

#[test]
fn far_dates_are_an_error_not_a_panic() {
    let e = cal()
        .add_working_days_lenient(d(2026, 1, 1), u32::MAX)
        .expect_err("past year 262143");
    assert_eq!(e.code(), "calendar_date_out_of_range");
    let far = cal()
        .add_working_days_lenient(d(2026, 1, 1), 1_000_000)
        .expect("fine");
    assert!(far.provisional && far.date.year() > 5800);
    assert_eq!(
        cal()
            .working_days_between_lenient(d(2026, 1, 1), far.date)
            .days,
        1_000_000
    );
}

#[test]
fn coverage_warning_from_sixty_days_before_the_end() {
    let c = cal();
    assert_eq!(c.last_covered_day(), Some(d(2026, 12, 31)));
    assert_eq!(c.days_until_uncovered(d(2026, 12, 1)), Some(30));
    assert_eq!(c.coverage_warning(d(2026, 10, 31)), None);
    assert_eq!(
        c.days_until_uncovered(d(2026, 11, 1)),
        Some(COVERAGE_WARNING_DAYS)
    );
    let w = c.coverage_warning(d(2026, 11, 1)).expect("60 days left");
    assert_eq!(
        w,
        CoverageWarning {
            last_covered: Some(d(2026, 12, 31)),
            days_left: Some(60)
        }
    );
    assert_eq!(w.code(), "calendar_coverage_ending");
    assert!(
        w.message()
            .starts_with("节假日数据仅覆盖至2026年12月31日（还剩60天）"),
        "{}",
        w.message()
    );
    assert!(w.message().contains("2027年放假安排"));
    let w = c.coverage_warning(d(2027, 1, 5)).expect("past");
    assert_eq!(w.days_left, Some(-5));
    assert_eq!(w.code(), "calendar_coverage_ended");
    assert_eq!(c.coverage_warning(d(2025, 6, 1)), None);
    // Loading 2027 moves the warning a year on.
    assert_eq!(with_2027().coverage_warning(d(2026, 11, 1)), None);
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    let first = d(2016, 6, 1);
    let days = (d(2028, 6, 30) - first).num_days();
    (0..=days).prop_map(move |n| first + Duration::days(n))
}

proptest! {
    #[test]
    fn lenient_add_is_strict_inside_coverage(a in any_date(), n in 0u32..400) {
        for c in [cal(), &with_2027()] {
            let lenient = c.add_working_days_lenient(a, n).expect("in range");
            match c.add_working_days(a, n) {
                Ok(strict) => prop_assert_eq!(lenient, exact(strict)),
                Err(e) => {
                    prop_assert_eq!(e.code(), "calendar_year_not_covered");
                    prop_assert!(lenient.provisional);
                }
            }
            prop_assert_eq!(
                c.working_days_between_lenient(a, lenient.date),
                Counted { days: i64::from(n), provisional: lenient.provisional }
            );
        }
    }

    #[test]
    fn lenient_between_is_strict_inside_coverage(a in any_date(), b in any_date(), m in any_date()) {
        let c = cal();
        let lenient = c.working_days_between_lenient(a, b);
        match c.working_days_between(a, b) {
            Ok(strict) => prop_assert_eq!(lenient, Counted { days: strict, provisional: false }),
            Err(_) => prop_assert!(lenient.provisional),
        }
        let am = c.working_days_between_lenient(a, m).days;
        let mb = c.working_days_between_lenient(m, b).days;
        prop_assert_eq!(lenient.days, am + mb);
        prop_assert_eq!(c.working_days_between_lenient(b, a).days, -lenient.days);
    }
}

#[test]
fn a_provisional_calendar_answers_past_its_years() {
    let strict = WorkCalendar::official();
    let cal = strict.clone().with_provisional_years();
    assert!(cal.has_provisional_years() && !strict.has_provisional_years());
    let last = *strict.covered_years().end();
    let on = |m: u32, day: u32| NaiveDate::from_ymd_opt(last, m, day).unwrap();
    // Inside the covered years: the same answers as the strict calendar.
    assert_eq!(
        cal.add_working_days(on(9, 28), 5).unwrap(),
        strict.add_working_days(on(9, 28), 5).unwrap()
    );
    assert!(!cal.is_provisional(on(12, 31)));
    // Past them: Monday–Friday, provisional; the strict calendar refuses.
    let start = on(12, 24);
    assert!(strict.add_working_days(start, 10).is_err());
    let due = cal.add_working_days(start, 10).unwrap();
    assert_eq!(due, cal.add_working_days_lenient(start, 10).unwrap().date);
    assert!(cal.is_provisional(due));
    assert_eq!(cal.working_days_between(start, due).unwrap(), 10);
    let next_monday = (1..=7)
        .map(|n| NaiveDate::from_ymd_opt(last + 1, 1, n).unwrap())
        .find(|x| x.weekday() == Weekday::Mon)
        .unwrap();
    assert!(cal.is_working_day(next_monday).unwrap());
    assert!(strict.is_working_day(next_monday).is_err());
}
