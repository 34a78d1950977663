//! Calendar-month arithmetic shared by the catalog's publication windows and the credit-rights
//! rules (one definition of "N months after a date").

use chrono::{Months, NaiveDate};

/// Adds calendar months, clamping to the end of a shorter month (2025-01-31 + 3 months =
/// 2025-04-30). Saturates at the largest date chrono supports.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn clamps_to_month_end_and_saturates() {
        assert_eq!(add_months(d(2025, 1, 31), 3), d(2025, 4, 30));
        assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months(d(2025, 6, 15), 0), d(2025, 6, 15));
        assert_eq!(add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
    }
}
