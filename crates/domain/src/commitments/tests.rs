use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::catalog::Catalog;
use crate::regions::RegionTable;

fn uscc_of(head: &str, org: &str) -> String {
    let first17 = format!("{head}{org}");
    let c = crate::codes::uscc::check_char(&first17).unwrap();
    format!("{first17}{c}")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn shipped_kinds_load_and_name_catalog_types() {
    let kinds = CommitmentKinds::shipped().unwrap();
    let catalog = Catalog::default_checked().unwrap();
    for code in [
        "investment_policy",
        "investment_agreement",
        "contract",
        "town_public",
        "service",
        "statistics",
        "credit_pledge",
    ] {
        let k = kinds.get(code).unwrap();
        let rt = catalog
            .get(&k.breach_type)
            .unwrap_or_else(|| panic!("{code}: no type {}", k.breach_type));
        assert_eq!(rt.class, crate::catalog::RecordClass::Negative);
    }
    assert_eq!(
        kinds.get("investment_agreement").unwrap().breach_type,
        "investment_promise_breach"
    );
    assert!(kinds.get("town_public").unwrap().public);
    assert!(!kinds.get("investment_agreement").unwrap().public);
    assert_eq!(
        kinds.get("nope").unwrap_err().code(),
        "commitment_kind_unknown"
    );
    assert_eq!(kinds.name_of("service"), "服务承诺（限时办结）");
}

#[test]
fn kinds_file_errors() {
    assert!(CommitmentKinds::parse("version = \"x\"\nkinds = []").is_err());
    let dup = r#"version = "1"
[[kinds]]
code = "a"
name = "甲"
promisor = "gov_body"
public = true
deadline = { unit = "calendar_days", days = 1 }
remind_before = 1
breach_type = "commitment_breach"
[[kinds]]
code = "a"
name = "乙"
promisor = "gov_body"
public = true
deadline = { unit = "calendar_days", days = 1 }
remind_before = 1
breach_type = "commitment_breach"
"#;
    assert_eq!(
        CommitmentKinds::parse(dup).unwrap_err().code(),
        "commitment_kinds_unavailable"
    );
}

#[test]
fn deadlines_count_working_or_calendar_days() {
    let cal = crate::calendar::WorkCalendar::official()
        .clone()
        .with_provisional_years();
    let cal_rule = DeadlineRule {
        unit: DeadlineUnit::CalendarDays,
        days: 30,
    };
    assert_eq!(
        cal_rule.due_from(d("2026-01-01"), &cal).unwrap(),
        d("2026-01-31")
    );
    let work = DeadlineRule {
        unit: DeadlineUnit::WorkingDays,
        days: 5,
    };
    // Friday 2026-01-09 + 5 working days = Friday 2026-01-16.
    assert_eq!(
        work.due_from(d("2026-01-09"), &cal).unwrap(),
        d("2026-01-16")
    );
}

#[test]
fn amounts_are_decimal_yuan() {
    assert_eq!(parse_yuan("1250000").unwrap(), 125_000_000);
    assert_eq!(parse_yuan("1,250,000.5").unwrap(), 125_000_050);
    assert_eq!(parse_yuan("０.０１").unwrap(), 1);
    assert_eq!(parse_yuan("3元").unwrap(), 300);
    assert_eq!(parse_yuan("-5").unwrap_err().code(), "amount_negative");
    for bad in [
        "", "abc", "1.234", "1e6", "1.", ".5", "--1", "1 000", "NaN", "12.3.4",
    ] {
        assert_eq!(
            parse_yuan(bad).unwrap_err().code(),
            "amount_invalid",
            "{bad}"
        );
    }
    assert_eq!(format_yuan(125_000_050), "1250000.50");
    assert_eq!(yuan_to_wan(125_000_050), "125.000050");
}

proptest! {
    #[test]
    fn yuan_round_trips(fen in 0i64..10_000_000_000_000_000) {
        prop_assert_eq!(parse_yuan(&format_yuan(fen)).unwrap(), fen);
    }

    #[test]
    fn any_text_parses_or_is_refused_with_a_code(s in "\\PC{0,20}") {
        match parse_yuan(&s) {
            Ok(v) => prop_assert!(v >= 0),
            Err(e) => prop_assert!(matches!(e.code(), "amount_invalid" | "amount_negative")),
        }
    }
}

#[test]
fn promisor_must_be_a_government_body() {
    let regions = RegionTable::national();
    let gov = uscc_of("11320400", "014000001");
    let ent = uscc_of("91320400", "MA1X2Y3W4");
    assert_eq!(
        check_promisor(PromisorKind::GovBody, &gov, regions).unwrap(),
        gov
    );
    assert_eq!(
        check_promisor(PromisorKind::GovBody, &ent, regions)
            .unwrap_err()
            .code(),
        "promisor_not_government"
    );
    assert_eq!(
        check_promisor(PromisorKind::Enterprise, &gov, regions)
            .unwrap_err()
            .code(),
        "promisor_is_government"
    );
    assert!(check_promisor(PromisorKind::Enterprise, &ent, regions).is_ok());
    assert_eq!(
        check_promisor(PromisorKind::GovBody, "123", regions)
            .unwrap_err()
            .code(),
        "promisor_invalid"
    );
}

#[test]
fn persons_promise_only_where_the_kind_admits_them() {
    let regions = RegionTable::national();
    let today = d("2026-12-01");
    let good = "32040219880512201X";
    let bad_check = "320402198805122011";
    let kinds = CommitmentKinds::shipped().unwrap();
    // Only the 信用承诺 admits persons; every government kind stays body-only.
    for k in kinds.all() {
        assert_eq!(
            k.promisor.admits_persons(),
            k.code == "credit_pledge",
            "{}",
            k.code
        );
    }
    let p = check_person_promisor(PromisorKind::EnterpriseOrPerson, good, regions, today).unwrap();
    assert_eq!(p.masked(), "3204**********201X");
    // Lower-case x and surrounding spaces are the same number.
    assert!(check_person_promisor(
        PromisorKind::EnterpriseOrPerson,
        " 32040219880512201x ",
        regions,
        today
    )
    .is_ok());
    for (kind, id, code) in [
        (
            PromisorKind::EnterpriseOrPerson,
            bad_check,
            "promisor_id_invalid",
        ),
        (
            PromisorKind::EnterpriseOrPerson,
            "3204021988051",
            "promisor_id_invalid",
        ),
        (PromisorKind::GovBody, good, "promisor_not_government"),
        (
            PromisorKind::Enterprise,
            good,
            "promisor_person_not_allowed",
        ),
    ] {
        let e = check_person_promisor(kind, id, regions, today).unwrap_err();
        assert_eq!(e.code(), code, "{kind:?} {id}");
        let msg = e.to_string();
        assert!(!msg.contains(good) && !msg.contains(bad_check), "{msg}");
    }
    // A body's USCC under the kind that admits persons: as for enterprises.
    let gov = uscc_of("11320400", "MB0000001");
    assert_eq!(
        check_promisor(PromisorKind::EnterpriseOrPerson, &gov, regions)
            .unwrap_err()
            .code(),
        "promisor_is_government"
    );
}

#[test]
fn a_persons_breach_is_a_record_of_the_person() {
    let catalog = Catalog::default_checked().unwrap();
    let rt = catalog.get("commitment_breach").unwrap();
    assert!(rt
        .subject_kinds
        .contains(&crate::subjects::SubjectKind::Individual));
    let r = breach_record(
        rt,
        &BreachFacts {
            promisor_name: "王晓明".into(),
            promisor_uscc: String::new(),
            promisor_id_masked: Some("3204**********201X".into()),
            counterparty_name: "常州市某局".into(),
            counterparty_id: None,
            title: "食品经营许可告知承诺".into(),
            kind_name: "信用承诺（告知承诺）".into(),
            commitment_no: "CN-20250506-000001".into(),
            promise: "经营场所符合条件".into(),
            due: d("2025-05-20"),
            finding: "虚假承诺".into(),
            amount_fen: None,
            finding_body: "常州市信用办".into(),
            finding_doc_no: "常信用认〔2025〕7号".into(),
            finding_date: d("2025-06-02"),
            severity: None,
        },
        d("2025-06-02"),
    )
    .unwrap();
    assert_eq!(r.fields["promisor_id_no"], "3204**********201X");
    assert!(!r.fields.contains_key("promisor_uscc"));
}

#[test]
fn due_before_promise_is_refused() {
    assert_eq!(
        Milestone::new(d("2026-01-01"), d("2026-02-01"))
            .unwrap_err()
            .code(),
        "due_before_promise"
    );
    assert!(Milestone::new(d("2026-02-01"), d("2026-02-01")).is_ok());
}

#[test]
fn the_three_endings() {
    let promised = d("2026-01-05");
    let m = Milestone::new(d("2026-03-31"), promised).unwrap();
    // Kept on time.
    let kept = m
        .apply(
            &Step::Keep {
                on: d("2026-03-20"),
            },
            promised,
            d("2026-03-25"),
        )
        .unwrap();
    assert_eq!(kept.effective(d("2026-12-01")), MilestoneState::Kept);
    // Not after the due date: overdue.
    let late = m.apply(
        &Step::Keep {
            on: d("2026-04-02"),
        },
        promised,
        d("2026-04-03"),
    );
    assert_eq!(late.unwrap_err().code(), "commitment_illegal_step");
    // Kept on time, recorded later: kept.
    let recorded_late = m.apply(
        &Step::Keep {
            on: d("2026-03-30"),
        },
        promised,
        d("2026-04-03"),
    );
    assert_eq!(recorded_late.unwrap().state, MilestoneState::Kept);
    // A lawful change needs basis and compensation.
    let change = |basis: &str, comp: &str| Step::Change {
        on: d("2026-04-10"),
        ground: ChangeGround::PublicInterest,
        basis: basis.into(),
        compensation: comp.into(),
    };
    assert_eq!(
        m.apply(&change("", "补偿 50 万元"), promised, d("2026-04-10"))
            .unwrap_err()
            .code(),
        "field_required"
    );
    assert_eq!(
        m.apply(
            &change("《土地管理法》第五十八条", " "),
            promised,
            d("2026-04-10")
        )
        .unwrap_err()
        .code(),
        "field_required"
    );
    let changed = m
        .apply(
            &change("《土地管理法》第五十八条", "补偿 50 万元"),
            promised,
            d("2026-04-10"),
        )
        .unwrap();
    assert_eq!(changed.state, MilestoneState::Changed);
    // The breach procedure: only overdue, notice → explanation → decision.
    let today = d("2026-04-01");
    assert_eq!(m.effective(today), MilestoneState::Overdue);
    let decide = Step::Decide {
        on: d("2026-05-01"),
        finding: "未按期兑现".into(),
    };
    assert!(m.apply(&decide, promised, d("2026-05-01")).is_err());
    let noticed = m
        .apply(
            &Step::Notice {
                on: today,
                explain_due: d("2026-04-15"),
            },
            promised,
            today,
        )
        .unwrap();
    assert_eq!(
        noticed
            .apply(
                &Step::Decide {
                    on: d("2026-04-10"),
                    finding: "x".into()
                },
                promised,
                d("2026-04-10")
            )
            .unwrap_err()
            .code(),
        "explanation_pending"
    );
    let explained = noticed
        .apply(
            &Step::Explain {
                on: d("2026-04-08"),
                text: "资金未到位".into(),
            },
            promised,
            d("2026-04-08"),
        )
        .unwrap();
    let breached = explained.apply(&decide, promised, d("2026-05-01")).unwrap();
    assert_eq!(breached.state, MilestoneState::Breached);
    assert_eq!(breached.breach_stage, BreachStage::Decided);
    // Nothing follows a final state.
    assert!(breached.apply(&decide, promised, d("2026-05-02")).is_err());
    assert_eq!(
        commitment_state(&[kept.clone(), changed.clone(), breached], d("2026-05-02")),
        CommitmentState::Breached
    );
    assert_eq!(
        commitment_state(&[kept.clone(), changed], d("2026-05-02")),
        CommitmentState::ChangedLawfully
    );
    assert_eq!(
        commitment_state(std::slice::from_ref(&kept), d("2026-05-02")),
        CommitmentState::Fulfilled
    );
    assert_eq!(
        commitment_state(&[kept, m.clone()], d("2026-03-01")),
        CommitmentState::Performing
    );
    assert_eq!(
        commitment_state(&[m], d("2026-04-01")),
        CommitmentState::Overdue
    );
}

#[test]
fn future_dates_are_refused() {
    let promised = d("2026-01-05");
    let m = Milestone::new(d("2026-03-31"), promised).unwrap();
    assert_eq!(
        m.apply(
            &Step::Keep {
                on: d("2026-03-02")
            },
            promised,
            d("2026-03-01")
        )
        .unwrap_err()
        .code(),
        "date_in_future"
    );
}

#[test]
fn reminder_stages_once_each() {
    let due = d("2026-03-31");
    assert_eq!(stage_due(due, 7, 0, d("2026-03-23")), None);
    assert_eq!(
        stage_due(due, 7, 0, d("2026-03-24")),
        Some(RemindStage::Before)
    );
    assert_eq!(stage_due(due, 7, 1, d("2026-03-31")), None);
    assert_eq!(
        stage_due(due, 7, 1, d("2026-04-01")),
        Some(RemindStage::Overdue)
    );
    assert_eq!(stage_due(due, 7, 2, d("2026-05-01")), None);
    // Registered late: straight to the escalation.
    assert_eq!(
        stage_due(due, 7, 0, d("2026-04-05")),
        Some(RemindStage::Overdue)
    );
    assert_eq!(next_remind_on(due, 7, 0), Some(d("2026-03-24")));
    assert_eq!(next_remind_on(due, 7, 1), Some(d("2026-04-01")));
    assert_eq!(next_remind_on(due, 7, 2), None);
}

fn arb_step(base: NaiveDate) -> impl Strategy<Value = (Step, i64)> {
    let on = 0i64..200;
    prop_oneof![
        on.clone().prop_map(move |o| (
            Step::Keep {
                on: base + chrono::Duration::days(o)
            },
            o
        )),
        (on.clone(), 0usize..3, any::<bool>()).prop_map(move |(o, g, ok)| (
            Step::Change {
                on: base + chrono::Duration::days(o),
                ground: ChangeGround::ALL[g],
                basis: if ok { "依据".into() } else { String::new() },
                compensation: "补偿".into(),
            },
            o
        )),
        (on.clone(), 0i64..20).prop_map(move |(o, e)| (
            Step::Notice {
                on: base + chrono::Duration::days(o),
                explain_due: base + chrono::Duration::days(o + e),
            },
            o
        )),
        on.clone().prop_map(move |o| (
            Step::Explain {
                on: base + chrono::Duration::days(o),
                text: "说明".into()
            },
            o
        )),
        on.prop_map(move |o| (
            Step::Decide {
                on: base + chrono::Duration::days(o),
                finding: "违约".into()
            },
            o
        )),
    ]
}

proptest! {
    /// Whatever steps are tried on whatever days: a final state never changes again; a breach is
    /// only reached through a notice, on an overdue milestone; a kept milestone was kept by its
    /// due date; a lawful change is never a breach.
    #[test]
    fn machine_invariants(
        due_off in 0i64..100,
        steps in proptest::collection::vec((arb_step(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()), 0i64..30), 0..12),
    ) {
        let promised = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut m = Milestone::new(promised + chrono::Duration::days(due_off), promised).unwrap();
        let mut noticed = false;
        for ((step, on_off), lag) in steps {
            let today = promised + chrono::Duration::days(on_off + lag);
            let before = m.clone();
            match m.apply(&step, promised, today) {
                Ok(next) => {
                    prop_assert!(!before.state.is_final(), "a final state changed");
                    if matches!(step, Step::Notice { .. }) {
                        prop_assert_eq!(before.effective(today), MilestoneState::Overdue);
                        noticed = true;
                    }
                    if next.state == MilestoneState::Breached {
                        prop_assert!(noticed);
                    }
                    if next.state == MilestoneState::Kept {
                        prop_assert!(next.done_on.is_some_and(|d| d <= next.due));
                    }
                    m = next;
                }
                Err(e) => prop_assert_eq!(m.clone(), before, "{}", e.code()),
            }
        }
        let st = commitment_state(std::slice::from_ref(&m), promised + chrono::Duration::days(400));
        prop_assert_eq!(st == CommitmentState::Breached, m.state == MilestoneState::Breached);
    }
}
