//! Reports computed from records: 双公示 timeliness (公示及时率).
//!
//! A licence or penalty must be public within 7 working days of its decision (国办发〔2015〕51号;
//! Tai'an's 七天"双公示"). Working days follow the official calendar, so a decision just before
//! the Spring Festival gets its full 7 working days after the holiday.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;

use crate::calendar::{CalendarError, WorkCalendar};

/// The statutory deadline for 双公示, in working days after the decision date.
pub const SHUANG_GONGSHI_DEADLINE: u32 = 7;

/// What the report needs to know about one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationFact {
    pub record_id: String,
    pub type_code: String,
    pub doc_no: String,
    pub source_dept: String,
    pub decision_date: NaiveDate,
    /// The day (China time) it was made public; `None` if not (yet) public.
    pub published_on: Option<NaiveDate>,
}

/// China Standard Time (UTC+8, no daylight saving): publication days are counted in it.
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(8 * 3600) {
        Some(cst) => t.with_timezone(&cst).date_naive(),
        None => t.date_naive(),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeptTimeliness {
    pub source_dept: String,
    /// Decided in the period.
    pub total: u64,
    pub on_time: u64,
    /// Published after the deadline, or still unpublished past it.
    pub late: u64,
    /// Not yet public, deadline not yet passed.
    pub pending: u64,
    /// on_time / (on_time + late); `None` when nothing is due yet.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateRecord {
    pub record_id: String,
    pub type_code: String,
    pub doc_no: String,
    pub source_dept: String,
    pub decision_date: NaiveDate,
    pub deadline: NaiveDate,
    pub published_on: Option<NaiveDate>,
    /// Working days from decision to publication (or to `as_of` when unpublished).
    pub working_days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinessReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub deadline_working_days: u32,
    pub total: DeptTimeliness,
    pub departments: Vec<DeptTimeliness>,
    pub late: Vec<LateRecord>,
}

fn rate(d: &mut DeptTimeliness) {
    let due = d.on_time + d.late;
    d.rate = (due > 0).then(|| d.on_time as f64 / due as f64);
}

/// Compute timeliness for facts decided in `[from, to]`, as of `as_of`.
pub fn timeliness(
    facts: &[PublicationFact],
    calendar: &WorkCalendar,
    deadline_working_days: u32,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
) -> Result<TimelinessReport, CalendarError> {
    let mut depts: BTreeMap<&str, DeptTimeliness> = BTreeMap::new();
    let mut late = Vec::new();
    for f in facts {
        if f.decision_date < from || f.decision_date > to {
            continue;
        }
        let deadline = calendar.add_working_days(f.decision_date, deadline_working_days)?;
        let d = depts
            .entry(f.source_dept.as_str())
            .or_insert_with(|| DeptTimeliness {
                source_dept: f.source_dept.clone(),
                ..Default::default()
            });
        d.total += 1;
        let is_late = match f.published_on {
            Some(p) => p > deadline,
            None if as_of > deadline => true,
            None => {
                d.pending += 1;
                continue;
            }
        };
        if is_late {
            d.late += 1;
            let until = f.published_on.unwrap_or(as_of);
            late.push(LateRecord {
                record_id: f.record_id.clone(),
                type_code: f.type_code.clone(),
                doc_no: f.doc_no.clone(),
                source_dept: f.source_dept.clone(),
                decision_date: f.decision_date,
                deadline,
                published_on: f.published_on,
                working_days: calendar.working_days_between(f.decision_date, until)?,
            });
        } else {
            d.on_time += 1;
        }
    }
    let mut departments: Vec<DeptTimeliness> = depts.into_values().collect();
    let mut total = DeptTimeliness {
        source_dept: "合计".into(),
        ..Default::default()
    };
    for d in &mut departments {
        rate(d);
        total.total += d.total;
        total.on_time += d.on_time;
        total.late += d.late;
        total.pending += d.pending;
    }
    rate(&mut total);
    late.sort_by(|a, b| {
        (&a.source_dept, a.decision_date, &a.doc_no).cmp(&(
            &b.source_dept,
            b.decision_date,
            &b.doc_no,
        ))
    });
    Ok(TimelinessReport {
        from,
        to,
        as_of,
        deadline_working_days,
        total,
        departments,
        late,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fact(dept: &str, doc: &str, decided: &str, published: Option<&str>) -> PublicationFact {
        PublicationFact {
            record_id: doc.into(),
            type_code: "admin_penalty".into(),
            doc_no: doc.into(),
            source_dept: dept.into(),
            decision_date: d(decided),
            published_on: published.map(d),
        }
    }

    #[test]
    fn spring_festival_counts_working_days_not_weekdays() {
        let cal = WorkCalendar::official_checked().unwrap();
        // Decided Friday 2025-01-24. 1/26 (Sun) is a make-up working day, 1/28–2/4 off,
        // 2/8 (Sat) a make-up day: the 7th working day is Monday 2025-02-10.
        // A plain Mon–Fri count would say 2025-02-04, in the middle of the holiday.
        assert_eq!(
            cal.add_working_days(d("2025-01-24"), 7).unwrap(),
            d("2025-02-10")
        );
        let facts = vec![
            fact("A", "1", "2025-01-24", Some("2025-02-10")),
            fact("A", "2", "2025-01-24", Some("2025-02-11")),
            fact("A", "3", "2025-01-24", Some("2025-02-08")),
            fact("B", "4", "2025-01-24", None),
            fact("B", "5", "2025-02-20", None),
            fact("B", "6", "2024-12-31", Some("2025-01-02")),
        ];
        let r = timeliness(
            &facts,
            cal,
            7,
            d("2025-01-01"),
            d("2025-02-28"),
            d("2025-02-21"),
        )
        .unwrap();
        assert_eq!(r.departments.len(), 2);
        let a = &r.departments[0];
        assert_eq!((a.total, a.on_time, a.late, a.pending), (3, 2, 1, 0));
        assert!((a.rate.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        let b = &r.departments[1];
        assert_eq!((b.total, b.on_time, b.late, b.pending), (2, 0, 1, 1));
        assert_eq!(r.total.total, 5);
        assert_eq!(r.late.len(), 2);
        assert_eq!(r.late[0].doc_no, "2");
        assert_eq!(r.late[0].deadline, d("2025-02-10"));
        assert_eq!(r.late[0].working_days, 8);
        assert_eq!(r.late[1].published_on, None);
    }

    #[test]
    fn outside_the_calendar_is_an_error() {
        let cal = WorkCalendar::official_checked().unwrap();
        let facts = vec![fact("A", "1", "2026-12-28", None)];
        let e = timeliness(
            &facts,
            cal,
            7,
            d("2026-12-01"),
            d("2026-12-31"),
            d("2026-12-31"),
        )
        .unwrap_err();
        assert_eq!(e.code(), "calendar_year_not_covered");
    }

    #[test]
    fn china_date_is_utc_plus_8() {
        let t = DateTime::parse_from_rfc3339("2025-02-10T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(china_date(t), d("2025-02-11"));
    }
}
