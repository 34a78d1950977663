use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::catalog::{Catalog, Severity};
use crate::regions::RegionTable;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn owed(amount: i64) -> Arrear {
    Arrear {
        amount_fen: amount,
        paid_fen: 0,
        state: ArrearState::Confirmed,
        cleared_on: None,
    }
}

#[test]
fn shipped_terms_are_the_revised_regulation() {
    let t = PaymentTerms::shipped().unwrap();
    assert_eq!(t.sme.decree, "国务院令第802号");
    assert_eq!(t.sme.article, "第九条");
    assert_eq!(t.sme.effective, d("2025-06-01"));
    assert_eq!((t.sme.default_days, t.sme.max_agreed_days), (30, 60));
    assert_eq!(t.term_days(true, None).unwrap(), 30);
    assert_eq!(t.term_days(true, Some(60)).unwrap(), 60);
    assert_eq!(
        t.term_days(true, Some(61)).unwrap_err().code(),
        "payment_term_too_long"
    );
    assert_eq!(t.term_days(false, Some(90)).unwrap(), 90);
    assert!(t.basis(true, None).contains("保障中小企业款项支付条例"));
    let catalog = Catalog::default_checked().unwrap();
    assert!(catalog.get(&t.arrears.record_type).is_some());
}

#[test]
fn bad_terms_are_refused() {
    assert_eq!(
        PaymentTerms::parse("version = 1").unwrap_err().code(),
        "payment_terms_unavailable"
    );
}

#[test]
fn payment_falls_due_after_acceptance_else_delivery() {
    let t = PaymentTerms::shipped().unwrap();
    let signed = d("2025-07-01");
    let ms = [
        (MilestoneKind::Delivery, d("2025-08-01")),
        (MilestoneKind::Acceptance, d("2025-08-15")),
    ];
    assert_eq!(payment_due_default(t, signed, &ms, 30), d("2025-09-14"));
    assert_eq!(
        payment_due_default(t, signed, &ms[..1], 30),
        d("2025-08-31")
    );
    assert_eq!(payment_due_default(t, signed, &[], 30), d("2025-07-31"));
}

#[test]
fn parties_are_checked() {
    let r = RegionTable::national();
    assert!(check_purchaser("11320400MB00000015", r).is_ok());
    assert_eq!(
        check_purchaser("91320400MA0000001T", r).unwrap_err().code(),
        "purchaser_not_government"
    );
    assert_eq!(
        check_purchaser("nonsense", r).unwrap_err().code(),
        "purchaser_invalid"
    );
    assert!(check_supplier("91320400MA0000001T", r).is_ok());
    assert_eq!(
        check_supplier("11320400MB00000015", r).unwrap_err().code(),
        "supplier_is_government"
    );
    assert_eq!(
        MilestoneKind::parse("gift").unwrap_err().code(),
        "milestone_kind_unknown"
    );
}

#[test]
fn reported_confirmed_partly_paid_cleared() {
    let a = Arrear {
        state: ArrearState::Reported,
        ..owed(100_000)
    };
    // A report cannot be paid before the body confirms it.
    let pay = |f: i64| ArrearAction::Pay {
        amount_fen: f,
        on: d("2025-10-01"),
    };
    assert_eq!(a.apply(&pay(1)).unwrap_err().code(), "arrear_illegal_step");
    let a = a.apply(&ArrearAction::Confirm).unwrap();
    assert_eq!(a.state, ArrearState::Confirmed);
    let a = a.apply(&pay(40_000)).unwrap();
    assert_eq!(
        (a.state, a.outstanding()),
        (ArrearState::PartlyPaid, 60_000)
    );
    assert_eq!(
        a.apply(&pay(60_001)).unwrap_err().code(),
        "payment_exceeds_outstanding"
    );
    assert_eq!(a.apply(&pay(0)).unwrap_err().code(), "amount_not_positive");
    let a = a.apply(&pay(60_000)).unwrap();
    assert_eq!(a.state, ArrearState::Cleared);
    assert_eq!(a.cleared_on, Some(d("2025-10-01")));
    assert_eq!(a.apply(&pay(1)).unwrap_err().code(), "arrear_illegal_step");
    assert_eq!(
        a.apply(&ArrearAction::Confirm).unwrap_err().code(),
        "arrear_illegal_step"
    );
}

#[test]
fn rejection_needs_a_reason_and_a_pending_report() {
    let a = Arrear {
        state: ArrearState::Reported,
        ..owed(100)
    };
    assert_eq!(
        a.apply(&ArrearAction::Reject { reason: " ".into() })
            .unwrap_err()
            .code(),
        "field_required"
    );
    let r = a
        .apply(&ArrearAction::Reject {
            reason: "款项已于合同约定日前支付".into(),
        })
        .unwrap();
    assert_eq!(r.state, ArrearState::Rejected);
    assert!(owed(100)
        .apply(&ArrearAction::Reject { reason: "x".into() })
        .is_err());
}

#[test]
fn beyond_the_limit_or_a_judgment_unpaid_is_recorded() {
    let rules = &PaymentTerms::shipped().unwrap().arrears;
    let due = d("2025-01-01");
    let limit = i64::from(rules.record_after_days);
    let within = due + chrono::Duration::days(limit);
    assert_eq!(record_reason(&owed(5), due, None, within, rules), None);
    let beyond = within + chrono::Duration::days(1);
    assert_eq!(
        record_reason(&owed(5), due, None, beyond, rules),
        Some(RecordReason::OverdueBeyondLimit { days: limit + 1 })
    );
    // A report not yet confirmed, a cleared one: never.
    let reported = Arrear {
        state: ArrearState::Reported,
        ..owed(5)
    };
    assert_eq!(record_reason(&reported, due, None, beyond, rules), None);
    // A judgment unpaid: recorded once its grace is over, whatever the limit.
    let j = d("2025-02-01");
    let after = j + chrono::Duration::days(i64::from(rules.judgment_grace_days) + 1);
    assert_eq!(
        record_reason(&owed(5), due, Some(j), after, rules),
        Some(RecordReason::JudgmentUnpaid)
    );
}

#[test]
fn the_record_fits_the_catalog_type() {
    let catalog = Catalog::default_checked().unwrap();
    let rt = catalog.get("procurement_arrears").unwrap();
    let r = arrears_record(
        rt,
        &ArrearsFacts {
            debtor_name: "常州市某局".into(),
            debtor_uscc: "11320400MB00000015".into(),
            creditor_name: "常州示范科技有限公司".into(),
            creditor_uscc: Some("91320400MA0000001T".into()),
            arrear_no: "QK-20250101-ABCDEF".into(),
            contract_no: "CG-2025-1".into(),
            contract_name: Some("办公设备采购".into()),
            contract_amount_fen: 100_000_000,
            due: d("2025-01-01"),
            amount_fen: 40_000_000,
            paid_fen: 10_000_000,
            status: "partly_paid",
            finding_body: "常州市社会信用体系建设领导小组办公室".into(),
            finding_date: d("2025-05-01"),
            reason: "逾期未支付已达 120 日".into(),
            severity: Severity::General,
        },
        d("2025-05-01"),
    )
    .unwrap();
    assert_eq!(r.type_code, "procurement_arrears");
    assert_eq!(r.doc_no, "QK-20250101-ABCDEF");
    assert_eq!(r.fields["arrears_amount"], "300000");
    assert_eq!(r.fields["arrears_status"], "partly_paid");
    assert!(r.publish_until.is_some());
}

proptest! {
    /// Whatever the payments, what is paid never exceeds the amount, and the arrear is
    /// cleared exactly when nothing is outstanding.
    #[test]
    fn payments_never_exceed_the_amount(amount in 1i64..10_000_000, pays in proptest::collection::vec(1i64..5_000_000, 0..20)) {
        let mut a = owed(amount);
        for p in pays {
            let before = a;
            match a.apply(&ArrearAction::Pay { amount_fen: p, on: d("2025-03-01") }) {
                Ok(next) => {
                    prop_assert!(p <= before.outstanding());
                    a = next;
                }
                Err(e) => {
                    prop_assert!(p > before.outstanding() || !before.state.is_owed());
                    prop_assert!(matches!(e.code(), "payment_exceeds_outstanding" | "arrear_illegal_step"));
                }
            }
            prop_assert!(a.paid_fen <= a.amount_fen);
            prop_assert_eq!(a.state == ArrearState::Cleared, a.outstanding() == 0);
        }
    }

    /// A recorded reason only ever concerns an arrear still owed, past due.
    #[test]
    fn reasons_only_for_owed_and_late(days in -400i64..400, paid in 0i64..=100) {
        let rules = &PaymentTerms::shipped().unwrap().arrears;
        let due = d("2025-06-01");
        let a = Arrear { paid_fen: paid, state: if paid == 100 { ArrearState::Cleared } else if paid > 0 { ArrearState::PartlyPaid } else { ArrearState::Confirmed }, ..owed(100) };
        let r = record_reason(&a, due, None, due + chrono::Duration::days(days), rules);
        if r.is_some() {
            prop_assert!(a.state.is_owed());
            prop_assert!(days > i64::from(rules.record_after_days));
        }
    }
}
