//! The shipped calendar: its years, known holidays and make-up days, strict errors outside it.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use proptest::prelude::*;

use super::{cal, d};
use crate::calendar::parse::is_weekend;
use crate::calendar::{CalendarError, WorkCalendar};

#[test]
fn shipped_file_covers_2018_to_2026() {
    let c = cal();
    assert_eq!(c.covered_years(), 2018..=2026);
    assert_eq!(WorkCalendar::official().covered_years(), 2018..=2026);
    for y in 2018..=2026 {
        let names: BTreeSet<&str> = c
            .holidays()
            .iter()
            .filter(|p| p.first.year() == y)
            .map(|p| p.name.as_str())
            .collect();
        for n in ["元旦", "春节", "清明节", "劳动节", "端午节"] {
            assert!(names.contains(n), "{y} lacks {n}");
        }
        assert!(names.iter().any(|n| n.contains("国庆节")), "{y}");
        assert!(names.iter().any(|n| n.contains("中秋节")), "{y}");
        assert!(!c.notices(y).is_empty(), "{y}");
        assert!(c.holidays().iter().all(|p| p.notice.is_some()));
    }
}

#[test]
fn spring_festival_2025() {
    let c = cal();
    assert_eq!(
        c.is_working_day(d(2025, 1, 26)),
        Ok(true),
        "Sunday make-up day"
    );
    assert!(c.is_make_up_day(d(2025, 1, 26)));
    assert_eq!(c.add_working_days(d(2025, 1, 24), 3), Ok(d(2025, 2, 5)));
    for day in 28..=31 {
        assert_eq!(c.is_working_day(d(2025, 1, day)), Ok(false));
        assert_eq!(c.holiday_name(d(2025, 1, day)), Some("春节"));
    }
    assert_eq!(c.is_working_day(d(2025, 2, 4)), Ok(false));
    assert_eq!(
        c.is_working_day(d(2025, 2, 8)),
        Ok(true),
        "Saturday make-up day"
    );
    assert_eq!(c.working_days_between(d(2025, 1, 24), d(2025, 2, 5)), Ok(3));
    assert_eq!(
        c.working_days_between(d(2025, 2, 5), d(2025, 1, 24)),
        Ok(-3)
    );
    assert_eq!(c.add_working_days(d(2025, 1, 24), 0), Ok(d(2025, 1, 24)));
}

#[test]
fn national_day_periods() {
    let c = cal();
    // 2024: 10/1–10/7 off, 9/29 (Sun) and 10/12 (Sat) working.
    for day in 1..=7 {
        assert_eq!(c.is_working_day(d(2024, 10, day)), Ok(false));
        assert_eq!(c.holiday_name(d(2024, 10, day)), Some("国庆节"));
    }
    assert_eq!(c.is_working_day(d(2024, 9, 29)), Ok(true));
    assert_eq!(c.is_working_day(d(2024, 10, 12)), Ok(true));
    assert_eq!(c.add_working_days(d(2024, 9, 30), 1), Ok(d(2024, 10, 8)));
    // 2023: 中秋节、国庆节 9/29–10/6 combined, 10/7 and 10/8 working.
    assert_eq!(c.holiday_name(d(2023, 9, 29)), Some("中秋节、国庆节"));
    assert_eq!(c.is_working_day(d(2023, 10, 6)), Ok(false));
    assert_eq!(c.is_working_day(d(2023, 10, 7)), Ok(true));
    assert_eq!(c.is_working_day(d(2023, 10, 8)), Ok(true));
    // 2025: 国庆节、中秋节 10/1–10/8.
    assert_eq!(c.holiday_name(d(2025, 10, 8)), Some("国庆节、中秋节"));
    assert_eq!(c.is_working_day(d(2025, 9, 28)), Ok(true));
    assert_eq!(c.is_working_day(d(2025, 10, 11)), Ok(true));
    assert_eq!(c.add_working_days(d(2025, 9, 30), 1), Ok(d(2025, 10, 9)));
    // 2020: 国庆节、中秋节 10/1–10/8.
    assert_eq!(c.is_working_day(d(2020, 10, 8)), Ok(false));
    assert_eq!(c.is_working_day(d(2020, 10, 10)), Ok(true));
}

#[test]
fn spring_festival_2020_extension() {
    let c = cal();
    // Extended to 2/2 by 国办发明电〔2020〕1号; the 2/1 make-up day was dropped.
    for day in [d(2020, 1, 31), d(2020, 2, 1), d(2020, 2, 2)] {
        assert_eq!(c.is_working_day(day), Ok(false), "{day}");
        assert_eq!(c.holiday_name(day), Some("春节"));
    }
    assert!(!c.is_make_up_day(d(2020, 2, 1)));
    assert_eq!(c.is_working_day(d(2020, 1, 19)), Ok(true));
    assert_eq!(c.add_working_days(d(2020, 1, 23), 1), Ok(d(2020, 2, 3)));
    let p = c
        .holidays()
        .iter()
        .find(|p| p.first == d(2020, 1, 24))
        .expect("period");
    assert_eq!(p.last, d(2020, 2, 2));
    assert_eq!(p.notice.as_deref(), Some("国办发明电〔2020〕1号"));
}

#[test]
fn year_2026() {
    let c = cal();
    for day in 1..=3 {
        assert_eq!(c.holiday_name(d(2026, 1, day)), Some("元旦"));
    }
    assert_eq!(c.is_working_day(d(2026, 1, 4)), Ok(true));
    for day in 15..=23 {
        assert_eq!(c.is_working_day(d(2026, 2, day)), Ok(false), "2/{day}");
    }
    assert_eq!(c.is_working_day(d(2026, 2, 14)), Ok(true));
    assert_eq!(c.is_working_day(d(2026, 2, 28)), Ok(true));
    assert_eq!(c.holiday_name(d(2026, 4, 6)), Some("清明节"));
    assert_eq!(c.is_working_day(d(2026, 4, 6)), Ok(false));
    assert_eq!(c.is_working_day(d(2026, 5, 5)), Ok(false));
    assert_eq!(c.is_working_day(d(2026, 5, 9)), Ok(true));
    assert_eq!(c.holiday_name(d(2026, 6, 19)), Some("端午节"));
    assert_eq!(c.holiday_name(d(2026, 9, 25)), Some("中秋节"));
    assert_eq!(c.is_working_day(d(2026, 9, 20)), Ok(true));
    assert_eq!(c.is_working_day(d(2026, 10, 7)), Ok(false));
    assert_eq!(c.is_working_day(d(2026, 10, 10)), Ok(true));
    assert_eq!(c.notices(2026), ["国办发明电〔2025〕7号"]);
    // An ordinary week.
    assert_eq!(c.working_days_between(d(2026, 3, 1), d(2026, 3, 8)), Ok(5));
}

#[test]
fn new_year_across_years() {
    let c = cal();
    // 2019's 元旦: 2018-12-30 – 2019-01-01, 2018-12-29 (Sat) working.
    assert_eq!(c.holiday_name(d(2018, 12, 31)), Some("元旦"));
    assert_eq!(c.is_working_day(d(2018, 12, 29)), Ok(true));
    assert_eq!(c.is_working_day(d(2019, 1, 1)), Ok(false));
    // 2024's 元旦 joined the weekend of 2023-12-30/31.
    assert_eq!(c.holiday_name(d(2023, 12, 30)), Some("元旦"));
}

#[test]
fn make_up_days_work_and_holidays_rest() {
    let c = cal();
    assert!(!c.make_up_days().is_empty());
    for m in c.make_up_days() {
        assert_eq!(c.is_working_day(m.date), Ok(true), "{}", m.date);
        assert!(is_weekend(m.date));
        assert!(c.holiday_name(m.date).is_none());
    }
    for p in c.holidays() {
        for day in p.first.iter_days().take_while(|x| *x <= p.last) {
            assert_eq!(c.is_working_day(day), Ok(false), "{day}");
            assert_eq!(c.holiday_name(day), Some(p.name.as_str()));
        }
    }
}

#[test]
fn uncovered_years_are_errors() {
    let c = cal();
    let e = c.is_working_day(d(2027, 1, 4)).expect_err("2027");
    assert_eq!(
        e,
        CalendarError::YearNotCovered {
            year: 2027,
            first: 2018,
            last: 2026
        }
    );
    assert_eq!(e.code(), "calendar_year_not_covered");
    assert_eq!(e.to_string(), "日历数据未覆盖2027年（覆盖2018–2026年）");
    let e = c.is_working_day(d(2017, 12, 29)).expect_err("2017");
    assert_eq!(e.to_string(), "日历数据未覆盖2017年（覆盖2018–2026年）");
    // Running past the end is an error, never a guess.
    let e = c
        .add_working_days(d(2026, 12, 30), 5)
        .expect_err("past end");
    assert_eq!(e.code(), "calendar_year_not_covered");
    assert!(c.add_working_days(d(2017, 12, 30), 1).is_err());
    // The start day itself is never looked at.
    assert_eq!(c.add_working_days(d(2017, 12, 31), 1), Ok(d(2018, 1, 2)));
    assert!(c
        .working_days_between(d(2017, 12, 1), d(2018, 1, 5))
        .is_err());
    assert!(c
        .working_days_between(d(2026, 12, 1), d(2027, 1, 5))
        .is_err());
    assert!(c
        .working_days_between(d(2027, 1, 5), d(2026, 12, 1))
        .is_err());
    // The start day is not looked at: 2017-12-31 -> 2018-01-02 is fine.
    assert_eq!(
        c.working_days_between(d(2017, 12, 31), d(2018, 1, 2)),
        Ok(1)
    );
    assert_eq!(c.holiday_name(d(2027, 1, 1)), None);
}

#[test]
fn empty_calendar_covers_nothing() {
    let c = WorkCalendar::empty();
    assert!(c.covered_years().is_empty());
    assert!(c.is_working_day(d(2025, 1, 2)).is_err());
}

fn covered_date() -> impl Strategy<Value = NaiveDate> {
    let first = d(2018, 1, 1);
    let days = (d(2026, 12, 31) - first).num_days();
    (0..=days).prop_map(move |n| first + chrono::Duration::days(n))
}

proptest! {
    #[test]
    fn between_inverts_add(a in covered_date(), n in 0u32..400) {
        let c = cal();
        match c.add_working_days(a, n) {
            Ok(b) => {
                prop_assert!(b >= a);
                prop_assert_eq!(c.working_days_between(a, b), Ok(i64::from(n)));
                prop_assert_eq!(c.working_days_between(b, a), Ok(-i64::from(n)));
                if n > 0 {
                    prop_assert_eq!(c.is_working_day(b), Ok(true));
                }
            }
            Err(e) => prop_assert_eq!(e.code(), "calendar_year_not_covered"),
        }
    }

    #[test]
    fn between_is_additive(a in covered_date(), b in covered_date(), m in covered_date()) {
        let c = cal();
        let ab = c.working_days_between(a, b);
        let am = c.working_days_between(a, m);
        let mb = c.working_days_between(m, b);
        match (ab, am, mb) {
            (Ok(ab), Ok(am), Ok(mb)) => prop_assert_eq!(ab, am + mb),
            // Only a start on 2018-01-01 or earlier could reach outside; none does here.
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
