//! 责任回溯: who was responsible for a body on a day — its principal (主要负责人) and the
//! holders of a named post — from the body's employment periods.

use chrono::NaiveDate;

use crate::subjects::Employment;

/// How the principal is named where a post would be.
pub const PRINCIPAL_LABEL: &str = "主要负责人";

/// The periods of `periods` that cover `day` and are the principal's or, when `post` is
/// given, that post's (compared trimmed), principal first, then by start date.
pub fn holders_on<'a>(
    periods: &'a [Employment],
    day: NaiveDate,
    post: Option<&str>,
) -> Vec<&'a Employment> {
    let post = post.map(str::trim).filter(|p| !p.is_empty());
    let mut out: Vec<&Employment> = periods
        .iter()
        .filter(|e| e.covers(day))
        .filter(|e| e.principal || post.is_some_and(|p| e.post == p))
        .collect();
    out.sort_by_key(|e| (!e.principal, e.start_date, e.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn e(post: &str, principal: bool, start: &str, end: Option<&str>) -> Employment {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Employment {
            id: Uuid::now_v7(),
            person_id: Uuid::now_v7(),
            body_id: Uuid::nil(),
            post: post.into(),
            principal,
            start_date: d(start),
            end_date: end.map(d),
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn principal_and_post_on_a_day() {
        let all = vec![
            e("主任", true, "2019-01-01", Some("2023-03-14")),
            e("主任", true, "2023-03-15", None),
            e("副主任", false, "2020-01-01", None),
            e("科员", false, "2020-01-01", None),
        ];
        let day = NaiveDate::from_ymd_opt(2023, 3, 14).unwrap();
        let h = holders_on(&all, day, Some("副主任"));
        assert_eq!(h.len(), 2);
        assert!(h[0].principal && h[0].end_date.is_some());
        assert_eq!(h[1].post, "副主任");
        let next = day.succ_opt().unwrap();
        assert_eq!(holders_on(&all, next, None)[0].id, all[1].id);
    }
}
