use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::catalog::Catalog;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn stages_in_order_only() {
    let today = d("2025-06-02");
    let cur = StageStart {
        stage: Stage::Preparation,
        on: d("2024-03-01"),
    };
    assert!(check_advance(cur, Stage::Procurement, d("2024-09-01"), today).is_ok());
    let e = check_advance(cur, Stage::Execution, d("2024-09-01"), today).unwrap_err();
    assert_eq!(e.code(), "ppp_stage_out_of_order");
    assert!(e.to_string().contains("采购"), "{e}");
    let e = check_advance(cur, Stage::Identification, d("2024-09-01"), today).unwrap_err();
    assert_eq!(e.code(), "ppp_stage_out_of_order");
    let e = check_advance(cur, Stage::Procurement, d("2024-02-01"), today).unwrap_err();
    assert_eq!(e.code(), "ppp_stage_date_out_of_order");
    let e = check_advance(cur, Stage::Procurement, d("2025-07-01"), today).unwrap_err();
    assert_eq!(e.code(), "date_in_future");
    let last = StageStart {
        stage: Stage::Handover,
        on: d("2024-03-01"),
    };
    assert_eq!(
        check_advance(last, Stage::Handover, today, today)
            .unwrap_err()
            .code(),
        "ppp_stage_final"
    );
    assert_eq!(Stage::parse("执行阶段").unwrap(), Stage::Execution);
    assert_eq!(Stage::parse("execution").unwrap(), Stage::Execution);
    assert_eq!(
        Stage::parse("运营").unwrap_err().code(),
        "ppp_stage_unknown"
    );
}

#[test]
fn stage_on_a_day() {
    let s = [
        StageStart {
            stage: Stage::Identification,
            on: d("2023-01-01"),
        },
        StageStart {
            stage: Stage::Preparation,
            on: d("2023-05-01"),
        },
        StageStart {
            stage: Stage::Execution,
            on: d("2024-01-01"),
        },
    ];
    assert_eq!(stage_on(&s, d("2022-12-31")), None);
    assert_eq!(stage_on(&s, d("2023-05-01")), Some(Stage::Preparation));
    assert_eq!(stage_on(&s, d("2025-01-01")), Some(Stage::Execution));
}

fn period(stage: Stage, person: &str, from: &str, to: Option<&str>) -> StagePeriod {
    StagePeriod {
        stage,
        person: person.into(),
        from: d(from),
        to: to.map(d),
    }
}

#[test]
fn responsible_periods() {
    let today = d("2025-06-02");
    let since = Some(d("2024-01-01"));
    let bad = period(Stage::Execution, "a", "2024-06-01", Some("2024-05-01"));
    assert_eq!(
        check_period(&bad, since, today).unwrap_err().code(),
        "ppp_period_end_before_start"
    );
    let early = period(Stage::Execution, "a", "2023-06-01", None);
    assert_eq!(
        check_period(&early, since, today).unwrap_err().code(),
        "ppp_period_before_stage"
    );
    assert_eq!(
        check_period(&early, None, today).unwrap_err().code(),
        "ppp_stage_not_reached"
    );
    let stored = vec![
        period(Stage::Execution, "a", "2024-01-01", Some("2024-09-30")),
        period(Stage::Execution, "b", "2024-10-01", None),
        period(Stage::Procurement, "c", "2023-01-01", None),
    ];
    let clash = period(Stage::Execution, "c", "2024-09-01", Some("2024-09-15"));
    assert_eq!(overlap(&clash, &stored).unwrap().person, "a");
    // Another stage's period never clashes.
    let other = period(Stage::Handover, "c", "2024-09-01", None);
    assert!(overlap(&other, &stored).is_none());
    let h = holders_on(&stored, Stage::Execution, d("2024-09-30"));
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].person, "a");
    assert_eq!(
        holders_on(&stored, Stage::Execution, d("2024-10-01"))[0].person,
        "b"
    );
}

#[test]
fn debtor_cases_until_cleared() {
    use DebtorState::*;
    let today = d("2025-06-02");
    let listed = d("2024-03-01");
    assert_eq!(
        check_debtor_step(Unperformed, listed, PartlyPerformed, d("2024-06-01"), today).unwrap(),
        None
    );
    assert_eq!(
        check_debtor_step(PartlyPerformed, listed, Performed, d("2025-01-01"), today).unwrap(),
        Some(d("2025-01-01"))
    );
    assert_eq!(
        check_debtor_step(PartlyPerformed, listed, Unperformed, d("2025-01-01"), today)
            .unwrap_err()
            .code(),
        "debtor_illegal_step"
    );
    assert_eq!(
        check_debtor_step(Performed, listed, Revoked, d("2025-01-01"), today)
            .unwrap_err()
            .code(),
        "debtor_illegal_step"
    );
    assert_eq!(
        check_debtor_step(Unperformed, listed, Performed, d("2024-01-01"), today)
            .unwrap_err()
            .code(),
        "debtor_date_before_listing"
    );
    assert_eq!(DebtorState::parse("已撤销").unwrap(), Revoked);
    assert_eq!(
        DebtorState::parse("x").unwrap_err().code(),
        "debtor_state_unknown"
    );
}

#[test]
fn a_breach_becomes_a_ppp_record() {
    let catalog = Catalog::default_checked().unwrap();
    let rt = catalog.get(PPP_BREACH_TYPE).unwrap();
    let r = ppp_breach_record(
        rt,
        &PppBreachFacts {
            body_name: "常州市某区人民政府".into(),
            body_uscc: "11320400MB00000015".into(),
            project_name: "污水处理厂 PPP 项目".into(),
            project_no: "PPP-20230101-ABCDEF".into(),
            contract_no: Some("常PPP合〔2023〕1号".into()),
            stage: Stage::Execution,
            finding: "未按合同约定支付可行性缺口补助".into(),
            amount_fen: Some(1_250_000_050),
            responsible: Some("张三（区财政局局长）".into()),
            finding_body: "常州市信用办".into(),
            finding_doc_no: "常信用认〔2025〕9号".into(),
            finding_date: d("2025-05-20"),
            severity: None,
        },
        d("2025-06-02"),
    )
    .unwrap();
    assert_eq!(r.type_code, "ppp_breach");
    assert_eq!(r.fields["stage"], "execution");
    assert_eq!(r.fields["party_role"], "government");
    assert_eq!(r.fields["amount"], "1250.00005");
    assert_eq!(r.subject_name, "常州市某区人民政府");
}

fn stage_strategy() -> impl Strategy<Value = Stage> {
    (0usize..5).prop_map(|i| Stage::ALL[i])
}

proptest! {
    /// Only the next stage is ever accepted, and never on a day before the current one began.
    #[test]
    fn advance_is_next_and_dated(cur in stage_strategy(), to in stage_strategy(),
                                 since in 0i64..2000, on in 0i64..2000) {
        let base = d("2020-01-01");
        let since = base + chrono::Duration::days(since);
        let on = base + chrono::Duration::days(on);
        let today = d("2030-01-01");
        let ok = check_advance(StageStart { stage: cur, on: since }, to, on, today).is_ok();
        prop_assert_eq!(ok, cur.next() == Some(to) && on >= since);
    }

    /// Overlap is symmetric, and periods of different stages never overlap.
    #[test]
    fn overlap_symmetric(a in 0i64..100, al in 0i64..50, b in 0i64..100, bl in 0i64..50,
                         s1 in stage_strategy(), s2 in stage_strategy()) {
        let base = d("2024-01-01");
        let p = StagePeriod { stage: s1, person: "x".into(), from: base + chrono::Duration::days(a),
            to: Some(base + chrono::Duration::days(a + al)) };
        let q = StagePeriod { stage: s2, person: "y".into(), from: base + chrono::Duration::days(b),
            to: Some(base + chrono::Duration::days(b + bl)) };
        prop_assert_eq!(p.overlaps(&q), q.overlaps(&p));
        if s1 != s2 { prop_assert!(!p.overlaps(&q)); }
        let shared = (a..=a + al).any(|x| (b..=b + bl).contains(&x));
        prop_assert_eq!(p.overlaps(&q), s1 == s2 && shared);
    }

    /// A cleared case never moves again; an uncleared one reaches a cleared state.
    #[test]
    fn cleared_is_final(s in 0usize..4, t in 0usize..4) {
        let (s, t) = (DebtorState::ALL[s], DebtorState::ALL[t]);
        let day = d("2025-01-01");
        let r = check_debtor_step(s, day, t, day, day);
        if s.is_cleared() { prop_assert!(r.is_err()); }
        if !s.is_cleared() && t.is_cleared() { prop_assert_eq!(r.unwrap(), Some(day)); }
    }
}
