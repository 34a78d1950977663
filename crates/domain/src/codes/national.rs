//! Against the compiled-in GB/T 2260 table.
use super::*;
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

#[test]
fn national_current_codes() {
    let t = RegionTable::national();
    let r = t.lookup("110101").expect("110101");
    assert_eq!(r.full_name, "北京市东城区");
    assert!(r.current);
    let r = t.lookup("320402").expect("320402");
    assert_eq!(r.full_name, "江苏省常州市天宁区");
    assert!(r.current);
    let r = t.lookup("320412").expect("320412");
    assert_eq!(r.name, "武进区");
    let r = t.lookup("320102").expect("320102");
    assert_eq!(r.name, "玄武区");
}

#[test]
fn national_historical_code() {
    let r = RegionTable::national().lookup("320482").expect("320482");
    assert_eq!(r.name, "金坛市");
    assert!(!r.current);
    assert!(r.full_name.starts_with("江苏省"));
}

#[test]
fn national_classify() {
    let t = RegionTable::national();
    let r = classify("11010519491231002X", t, today());
    assert!(r.valid, "{r:?}");
    let r = classify("320482198506150012", t, today());
    assert!(r.valid, "{r:?}");
    let r = classify("914403001922038216", t, today());
    assert!(r.valid, "{r:?}");
    assert_eq!(r.kind, CodeKind::Uscc);
}
