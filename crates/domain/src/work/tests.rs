use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use super::*;
use crate::calendar::WorkCalendar;

fn cal() -> WorkCalendar {
    WorkCalendar::official().clone().with_provisional_years()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn types() -> &'static WorkTypes {
    WorkTypes::shipped().unwrap()
}

#[test]
fn shipped_types_load() {
    let t = types();
    for code in [
        "npc_suggestion",
        "cppcc_proposal",
        "inspection_finding",
        "audit_finding",
        "finance_finding",
        "list_rectification",
    ] {
        assert!(t.get(code).is_ok(), "{code}");
    }
    assert_eq!(t.get("nope").unwrap_err().code(), "work_type_unknown");
}

#[test]
fn broken_files_are_refused_with_a_reason() {
    let good = include_str!("../../../../data/work/types.toml");
    let cases = [
        (
            good.replace("initial = \"handling\"", "initial = \"nowhere\""),
            "初始状态",
        ),
        (
            good.replace("to = \"replied\"", "to = \"gone\""),
            "不存在的状态",
        ),
        (
            good.replace("after_working_days = 10,", "after_working_days = 1,"),
            "严格递增",
        ),
        (good.replace("prefix = \"ZX\"", "prefix = \"RD\""), "前缀"),
        (good.replace("deadline_required = true", ""), "deadline"),
        ("version = 1".to_string(), "TOML"),
        (
            good.replace("code = \"npc_suggestion\"", "code = \"Bad Code\""),
            "类型代码",
        ),
    ];
    for (text, needle) in cases {
        let e = WorkTypes::parse(&text).unwrap_err();
        assert_eq!(e.code(), "work_types_invalid");
        assert!(e.to_string().contains(needle), "{e} lacks {needle}");
    }
}

#[test]
fn a_proposal_is_due_in_three_months_on_a_working_day() {
    let t = types().get("cppcc_proposal").unwrap();
    // 2026-02-14 + 3 months = 2026-05-14 (a Thursday).
    let item = WorkItem::open(t, d(2026, 2, 14), None, &cal()).unwrap();
    assert_eq!(item.deadline, d(2026, 5, 14));
    assert_eq!(item.due_on, Some(d(2026, 5, 14)));
    // 2026-02-02 + 3 months = 2026-05-02, in the 劳动节 holiday: moved to the next working day.
    let item = WorkItem::open(t, d(2026, 2, 2), None, &cal()).unwrap();
    assert!(item.deadline > d(2026, 5, 2));
    assert!(cal().is_working_day(item.deadline).unwrap());
}

#[test]
fn a_finding_needs_its_own_deadline() {
    let t = types().get("audit_finding").unwrap();
    let e = WorkItem::open(t, d(2026, 3, 2), None, &cal()).unwrap_err();
    assert_eq!(e.code(), "deadline_required");
    let e = WorkItem::open(t, d(2026, 3, 2), Some(d(2026, 3, 1)), &cal()).unwrap_err();
    assert_eq!(e.code(), "deadline_before_open");
    let ok = WorkItem::open(t, d(2026, 3, 2), Some(d(2026, 6, 30)), &cal()).unwrap();
    assert_eq!(ok.due_on, Some(d(2026, 6, 30)));
}

fn step<'a>(action: &'a str, choice: Option<&'a str>, on: NaiveDate) -> Step<'a> {
    Step {
        action,
        choice,
        text: "办理情况",
        attachments: 1,
        on,
    }
}

#[test]
fn a_proposal_to_satisfaction_and_a_dissatisfied_one_reopened_once() {
    let t = types().get("cppcc_proposal").unwrap();
    let c = cal();
    let today = d(2026, 4, 1);
    let item = WorkItem::open(t, d(2026, 3, 2), None, &c).unwrap();
    let item = item
        .apply(t, &step("reply", None, today), today, &c)
        .unwrap();
    assert!(item.moved);
    assert_eq!(item.item.state, "replied");
    let done = item
        .item
        .apply(t, &step("rate", Some("satisfied"), today), today, &c)
        .unwrap()
        .item;
    assert!(done.is_final(t));
    assert_eq!(done.outcome.as_deref(), Some("satisfied"));
    assert_eq!(done.due_on, None);

    let unhappy = item
        .item
        .apply(t, &step("rate", Some("dissatisfied"), today), today, &c)
        .unwrap()
        .item;
    assert_eq!(unhappy.state, "dissatisfied");
    let again = unhappy
        .apply(t, &step("reopen", None, today), today, &c)
        .unwrap()
        .item;
    assert_eq!((again.state.as_str(), again.reopens), ("handling", 1));
    assert_eq!(again.deadline, d(2026, 5, 6)); // 2026-05-01 holiday → next working day
    let replied = again
        .apply(t, &step("reply", None, today), today, &c)
        .unwrap()
        .item;
    let unhappy2 = replied
        .apply(t, &step("rate", Some("dissatisfied"), today), today, &c)
        .unwrap()
        .item;
    let e = unhappy2
        .apply(t, &step("reopen", None, today), today, &c)
        .unwrap_err();
    assert_eq!(e.code(), "work_reopen_limit");
    let closed = unhappy2
        .apply(t, &step("close", None, today), today, &c)
        .unwrap()
        .item;
    assert_eq!(closed.outcome.as_deref(), Some("dissatisfied"));
}

#[test]
fn steps_refused_clearly() {
    let t = types().get("audit_finding").unwrap();
    let c = cal();
    let today = d(2026, 4, 1);
    let item = WorkItem::open(t, d(2026, 3, 2), Some(d(2026, 5, 29)), &c).unwrap();
    let mut s = step("submit", None, today);
    s.attachments = 0;
    assert_eq!(
        item.apply(t, &s, today, &c).unwrap_err().code(),
        "evidence_required"
    );
    s.attachments = 1;
    s.text = " ";
    assert_eq!(
        item.apply(t, &s, today, &c).unwrap_err().code(),
        "field_required"
    );
    let e = item
        .apply(t, &step("accept", None, today), today, &c)
        .unwrap_err();
    assert_eq!(e.code(), "work_illegal_step");
    assert!(e.is_conflict());
    let e = item
        .apply(
            t,
            &step("progress", None, today + Duration::days(1)),
            today,
            &c,
        )
        .unwrap_err();
    assert_eq!(e.code(), "date_in_future");
    let e = item
        .apply(t, &step("fly", None, today), today, &c)
        .unwrap_err();
    assert_eq!(e.code(), "work_action_unknown");
}

#[test]
fn stages_in_order_on_a_finding() {
    let t = types().get("audit_finding").unwrap();
    let c = cal();
    let due = d(2026, 6, 30); // Tuesday
    let (s, next) = stage_due(t, due, 0, d(2026, 6, 1), &c).unwrap();
    assert_eq!(s, None);
    assert_eq!(next, Some(d(2026, 6, 23))); // five working days before
    let (s, _) = stage_due(t, due, 0, d(2026, 6, 23), &c).unwrap();
    assert_eq!(s, Some(Stage::Reminder));
    let (s, next) = stage_due(t, due, 1, d(2026, 7, 1), &c).unwrap();
    assert_eq!(s, Some(Stage::Escalation(0)));
    assert_eq!(next, Some(d(2026, 7, 7)));
    // A sweep that comes late sends only the highest stage reached.
    let (s, next) = stage_due(t, due, 0, d(2026, 8, 1), &c).unwrap();
    assert_eq!(s, Some(Stage::Escalation(1)));
    assert_eq!(next, None);
}

fn arb_kind() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("npc_suggestion"),
        Just("cppcc_proposal"),
        Just("inspection_finding"),
        Just("audit_finding"),
        Just("finance_finding"),
        Just("list_rectification"),
    ]
}

proptest! {
    /// Deadlines: never before the opening; a working-day rule counts exactly its working
    /// days; a months rule lands on a working day on or after the same day n months on.
    #[test]
    fn deadlines(off in 0i64..1500, n in 0u32..80, unit in 0u8..3) {
        let c = cal();
        let start = d(2025, 1, 1) + Duration::days(off);
        let unit = match unit { 0 => DeadlineUnit::WorkingDays, 1 => DeadlineUnit::CalendarDays, _ => DeadlineUnit::Months };
        let rule = DeadlineRule { unit, n: if unit == DeadlineUnit::Months { n % 24 } else { n } };
        let due = rule.due_from(start, &c).unwrap();
        prop_assert!(due >= start);
        match unit {
            DeadlineUnit::WorkingDays => {
                prop_assert_eq!(c.working_days_between(start, due).unwrap(), i64::from(rule.n));
                prop_assert_eq!(minus_working_days(due, rule.n, &c).unwrap() <= start, true);
            }
            DeadlineUnit::CalendarDays => prop_assert_eq!(due - start, Duration::days(i64::from(rule.n))),
            DeadlineUnit::Months => {
                prop_assert!(c.is_working_day(due).unwrap());
                let same = start.checked_add_months(chrono::Months::new(rule.n)).unwrap();
                prop_assert!(due >= same && due - same < Duration::days(15));
            }
        }
    }

    /// Whatever steps are tried: an item is reopened at most `max_reopens` times, a final item
    /// never changes, and a final item has an outcome and no running clock.
    #[test]
    fn reopen_at_most_once(
        kind in arb_kind(),
        steps in proptest::collection::vec((0usize..8, 0usize..4, 0i64..20), 0..30),
    ) {
        let c = cal();
        let t = types().get(kind).unwrap();
        let opened = d(2026, 3, 2);
        let mut item = WorkItem::open(t, opened, Some(d(2026, 6, 30)), &c).unwrap();
        let mut day = opened;
        for (a, ch, lag) in steps {
            day += Duration::days(lag);
            let Some(action) = t.actions.get(a % t.actions.len()) else { continue };
            let choice = action.choices.get(ch).map(|c| c.code.as_str());
            let was_final = item.is_final(t);
            if let Ok(next) = item.apply(t, &step(&action.code, choice, day), day, &c) {
                prop_assert!(!was_final);
                item = next.item;
            }
            prop_assert!(item.reopens <= t.max_reopens);
            if item.is_final(t) {
                prop_assert!(item.outcome.is_some());
                prop_assert!(item.due_on.is_none());
            }
        }
    }

    /// Escalation ordering: swept every `gap` days, the stages sent are strictly increasing,
    /// each one at most once, each the highest reached on its day; swept long enough, the
    /// last level is always sent.
    #[test]
    fn escalation_in_order(kind in arb_kind(), due_off in 0i64..400, start_off in 0i64..120, gap in 1i64..9) {
        let c = cal();
        let t = types().get(kind).unwrap();
        let due = d(2026, 1, 5) + Duration::days(due_off);
        let mut sent = 0;
        let mut today = due - Duration::days(start_off);
        let mut looks = 0;
        while today < due + Duration::days(120) {
            let (stage, next) = stage_due(t, due, sent, today, &c).unwrap();
            if let Some(s) = stage {
                prop_assert!(s.number() > sent);
                let on = stage_on(t, due, s.number(), &c).unwrap().unwrap();
                prop_assert!(on <= today);
                // Nothing higher was reached.
                if let Some(higher) = stage_on(t, due, s.number() + 1, &c).unwrap() {
                    prop_assert!(higher > today);
                }
                sent = s.number();
            }
            if let Some(n) = next {
                prop_assert!(n > today);
            }
            today += Duration::days(gap);
            looks += 1;
        }
        prop_assert!(looks > 0);
        prop_assert_eq!(sent, i32::try_from(t.escalation.len()).unwrap() + 1);
    }
}
