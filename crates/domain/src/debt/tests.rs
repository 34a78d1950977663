use chrono::NaiveDate;
use proptest::prelude::*;

use super::amount::fen_to_wan_exact;
use super::*;
use crate::regions::RegionTable;

fn levels() -> &'static RiskLevels {
    RiskLevels::shipped().expect("shipped levels")
}

fn pos(debt_wan: i64, capacity_wan: i64) -> Position {
    Position {
        general_fen: debt_wan * 1_000_000,
        special_fen: 0,
        hidden_fen: None,
        capacity_fen: capacity_wan * 1_000_000,
    }
}

#[test]
fn shipped_levels_and_boundaries() {
    let l = levels();
    assert_eq!(l.basis, Basis::Statutory);
    let at = |d, c| l.level_of(&pos(d, c).ratio(Basis::Statutory).unwrap());
    assert_eq!(at(0, 100), RiskLevel::Green);
    assert_eq!(at(119, 100), RiskLevel::Green);
    assert_eq!(at(120, 100), RiskLevel::Yellow);
    assert_eq!(at(199, 100), RiskLevel::Yellow);
    assert_eq!(at(200, 100), RiskLevel::Orange);
    assert_eq!(at(300, 100), RiskLevel::Red);
    assert_eq!(at(5000, 1), RiskLevel::Red);
    // Exact: 119.999…% stays green.
    let p = Position {
        general_fen: 119_999_999,
        special_fen: 0,
        hidden_fen: None,
        capacity_fen: 100_000_000,
    };
    assert_eq!(
        l.level_of(&p.ratio(Basis::Statutory).unwrap()),
        RiskLevel::Green
    );
    assert_eq!(l.band_label(RiskLevel::Yellow), "120%–200%");
    assert_eq!(l.band_label(RiskLevel::Red), "≥300%");
}

#[test]
fn zero_capacity_is_an_error_not_zero() {
    let p = pos(10, 0);
    assert_eq!(p.ratio(Basis::Statutory), Err(DebtError::CapacityZero));
    assert_eq!(DebtError::CapacityZero.code(), "debt_capacity_zero");
}

#[test]
fn hidden_debt_counts_only_on_its_basis() {
    let p = Position {
        general_fen: 50_000_000,
        special_fen: 50_000_000,
        hidden_fen: Some(100_000_000),
        capacity_fen: 100_000_000,
    };
    assert_eq!(p.ratio(Basis::Statutory).unwrap().percent_text(), "100.00%");
    assert_eq!(
        p.ratio(Basis::WithHidden).unwrap().percent_text(),
        "200.00%"
    );
}

#[test]
fn levels_file_is_checked() {
    let ok = "version = \"t\"\nbasis = \"statutory\"\n\
        [[levels]]\nlevel = \"green\"\nfrom_percent = 0\nto_percent = 100\n\
        [[levels]]\nlevel = \"yellow\"\nfrom_percent = 100\nto_percent = 150\n\
        [[levels]]\nlevel = \"orange\"\nfrom_percent = 150\nto_percent = 250\n\
        [[levels]]\nlevel = \"red\"\nfrom_percent = 250\n";
    assert!(RiskLevels::parse(ok).is_ok());
    let gap = ok.replace(
        "from_percent = 150\nto_percent = 250",
        "from_percent = 160\nto_percent = 250",
    );
    let e = RiskLevels::parse(&gap).unwrap_err();
    assert_eq!(e.code(), "debt_levels_invalid");
    assert!(e.to_string().contains("空档"), "{e}");
    let unordered = ok.replace("level = \"yellow\"", "level = \"orange2\"");
    assert!(RiskLevels::parse(&unordered).is_err());
    let swapped = ok
        .replace("level = \"yellow\"", "level = \"tmp\"")
        .replace("level = \"orange\"", "level = \"yellow\"")
        .replace("level = \"tmp\"", "level = \"orange\"");
    assert!(RiskLevels::parse(&swapped).is_err());
    let empty_band = ok.replace(
        "from_percent = 100\nto_percent = 150",
        "from_percent = 100\nto_percent = 100",
    );
    assert!(RiskLevels::parse(&empty_band).is_err());
    let capped = ok.replace(
        "from_percent = 250\n",
        "from_percent = 250\nto_percent = 900\n",
    );
    assert!(RiskLevels::parse(&capped).is_err());
    let not_zero = ok.replace("from_percent = 0\n", "from_percent = 5\n");
    assert!(RiskLevels::parse(&not_zero).is_err());
}

#[test]
fn amounts_in_wan() {
    assert_eq!(parse_wan("12345.67"), Ok(12_345_670_000));
    assert_eq!(parse_wan("1,234.5"), Ok(1_234_500_000));
    assert_eq!(parse_wan("０.000001"), Ok(1));
    assert_eq!(parse_wan("0"), Ok(0));
    assert_eq!(parse_wan("-0"), Ok(0));
    assert_eq!(parse_wan("-5").unwrap_err().code(), "debt_amount_negative");
    for bad in ["", "abc", "1e5", "1.", ".5", "1.0000001", "NaN", "12-3"] {
        assert_eq!(
            parse_wan(bad).unwrap_err().code(),
            "debt_amount_invalid",
            "{bad}"
        );
    }
    assert_eq!(fen_to_wan(1_234_567_890), "1234.57");
    assert_eq!(fen_to_wan_exact(1_234_500_000), "1234.5");
}

#[test]
fn level_changes_between_years() {
    use RiskLevel::*;
    let c = level_changes(&[(2023, Yellow), (2021, Green), (2022, Green), (2024, Yellow)]);
    assert_eq!(
        c,
        vec![LevelChange {
            year: 2023,
            from: Green,
            to: Yellow
        }]
    );
    assert!(c[0].worse());
    assert!(level_changes(&[(2020, Red)]).is_empty());
}

fn headers(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn rows_are_checked() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let regions = RegionTable::national();
    let cols = find_columns(&headers(&template_headers())).unwrap();
    let row = |v: &[&str]| parse_row(&cols, 2, &headers(v), regions, today);
    let ok = row(&["320412", "武进区", "2025", "100", "200.5", "", "300"]).unwrap();
    assert_eq!(ok.region, "320412");
    assert_eq!(ok.position.hidden_fen, None);
    assert_eq!(ok.position.special_fen, 200_500_000);
    let codes = |v: &[&str]| -> Vec<&'static str> {
        row(v).unwrap_err().into_iter().map(|i| i.code).collect()
    };
    assert_eq!(
        codes(&["999999", "", "2025", "1", "1", "", "1"]),
        vec!["debt_region_unknown"]
    );
    assert_eq!(
        codes(&["320412", "钟楼区", "2025", "1", "1", "", "1"]),
        vec!["debt_region_name_mismatch"]
    );
    assert_eq!(
        codes(&["320412", "", "2027", "1", "1", "", "1"]),
        vec!["debt_year_in_future"]
    );
    assert_eq!(
        codes(&["320412", "", "2025", "-1", "1", "", "1"]),
        vec!["debt_amount_negative"]
    );
    assert_eq!(
        codes(&["320412", "", "2025", "1", "1", "", "0"]),
        vec!["debt_capacity_zero"]
    );
    assert_eq!(
        codes(&["320412", "", "20x5", "1", "", "", "1"]),
        vec!["debt_year_invalid", "debt_amount_missing"]
    );
    // By name only.
    let by_name = find_columns(&headers(&[
        "地区",
        "年度",
        "一般债务余额",
        "专项债务余额",
        "综合财力",
    ]))
    .unwrap();
    let r = parse_row(
        &by_name,
        2,
        &headers(&["江苏省常州市武进区", "2024", "1", "2", "3"]),
        regions,
        today,
    )
    .unwrap();
    assert_eq!(r.region, "320412");
    // Wrong columns.
    let e = find_columns(&headers(&[
        "年度",
        "一般债务余额",
        "专项债务余额",
        "综合财力",
    ]))
    .unwrap_err();
    assert_eq!(e.code(), "debt_columns_wrong");
    assert!(find_columns(&headers(&["地区代码", "年度", "金额"])).is_err());
}

proptest! {
    /// The level never falls as the ratio rises.
    #[test]
    fn level_is_monotone_in_the_ratio(
        a in 0i64..10_000_000_000_000, b in 0i64..10_000_000_000_000, cap in 1i64..1_000_000_000_000
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let l = levels();
        let r = |d| Ratio { debt_fen: d, capacity_fen: cap };
        prop_assert!(l.level_of(&r(lo)) <= l.level_of(&r(hi)));
        prop_assert!(r(lo).basis_points() <= r(hi).basis_points());
    }

    /// Zero capacity is always an error, whatever the debt.
    #[test]
    fn zero_capacity_always_errs(g in 0i64..1_000_000_000_000, s in 0i64..1_000_000_000_000) {
        let p = Position { general_fen: g, special_fen: s, hidden_fen: None, capacity_fen: 0 };
        prop_assert_eq!(p.ratio(Basis::Statutory), Err(DebtError::CapacityZero));
    }

    /// Any amount written exactly in 万元 reads back as the same 分.
    #[test]
    fn wan_round_trip(fen in 0i64..1_000_000_000_000_000) {
        prop_assert_eq!(parse_wan(&fen_to_wan_exact(fen)), Ok(fen));
    }
}
