//! Counting an entry's publicity window again once a year's holiday schedule is known.

use crate::calendar::{CalendarError, WorkCalendar};

use super::{EntryStatus, ListDef, ListEntry};

impl ListEntry {
    /// The entry with the last day of its publicity window counted again on `calendar` from
    /// the day publicity began (a window counted provisionally, Monday–Friday, over a year whose
    /// holidays were not yet published moves to the real working day); `None` when nothing
    /// moved or the entry is not in publicity.
    pub fn recount_publicity(
        &self,
        list: &ListDef,
        calendar: &WorkCalendar,
    ) -> Result<Option<ListEntry>, CalendarError> {
        let (EntryStatus::Publicity, Some(from)) = (self.status, self.publicity_from) else {
            return Ok(None);
        };
        let until = list.publicity_until(from, calendar)?;
        if until.is_none() || until == self.publicity_until {
            return Ok(None);
        }
        let mut next = self.clone();
        next.publicity_until = until;
        Ok(Some(next))
    }

    /// Whether the publicity window's last day was counted provisionally on `calendar`.
    pub fn publicity_provisional(&self, calendar: &WorkCalendar) -> bool {
        self.status == EntryStatus::Publicity
            && self
                .publicity_until
                .is_some_and(|u| calendar.is_provisional(u))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::calendar::CalendarDoc;
    use crate::lists::{EntryAction, JointCatalog, Proposal};

    const TEST_2027: &str = include_str!("../../../../tests/fixtures/calendar-2027-test.toml");

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn red() -> &'static ListDef {
        JointCatalog::default_checked()
            .expect("catalog")
            .list("red_list")
            .expect("red list")
    }

    fn in_publicity(on: NaiveDate, cal: &WorkCalendar) -> ListEntry {
        let p = Proposal {
            subject_key: "11320000000000000X".to_string(),
            subject_name: "某县某局".to_string(),
            standard: "连续三年无失信记录".to_string(),
            basis: "江苏2023 §二(一)".to_string(),
            recognised_by: "某县发展和改革局".to_string(),
            recognised_by_uscc: None,
            evidence: vec![],
        };
        ListEntry::propose(red(), p, on)
            .and_then(|e| e.apply(red(), EntryAction::StartPublicity, on, None, cal))
            .expect("in publicity")
    }

    #[test]
    fn a_window_past_the_calendar_is_provisional_then_moves_when_the_year_is_loaded() {
        let shipped = WorkCalendar::official_checked()
            .expect("shipped")
            .clone()
            .with_provisional_years();
        // 7 working days from 2026-12-28 reach into 2027, not covered by the shipped file.
        let e = in_publicity(d(2026, 12, 28), &shipped);
        assert!(e.publicity_provisional(&shipped));
        assert_eq!(e.recount_publicity(red(), &shipped).expect("recount"), None);

        let doc = CalendarDoc::parse(TEST_2027).expect("fixture");
        let loaded = WorkCalendar::official_checked()
            .expect("shipped")
            .merge(&doc, false)
            .expect("merge")
            .calendar
            .with_provisional_years();
        let moved = e
            .recount_publicity(red(), &loaded)
            .expect("recount")
            .expect("moved: the fixture's 2027 has a holiday early in January");
        assert!(moved.publicity_until > e.publicity_until);
        assert!(!moved.publicity_provisional(&loaded));
        assert_eq!(moved.publicity_from, e.publicity_from);
        assert_eq!(moved.history, e.history);
    }

    #[test]
    fn entries_not_in_publicity_are_left_alone() {
        let cal = WorkCalendar::official_checked().expect("shipped");
        let mut e = in_publicity(d(2026, 6, 1), cal);
        e.status = EntryStatus::Effective;
        assert_eq!(e.recount_publicity(red(), cal).expect("recount"), None);
        assert!(!e.publicity_provisional(cal));
    }
}
