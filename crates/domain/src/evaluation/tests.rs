use proptest::prelude::*;

use super::formula::parse;
use super::*;

fn sys(text: &str) -> Result<IndicatorSystem, EvalError> {
    IndicatorSystem::parse(text)
}

const SMALL: &str = r#"
version = "t1"
name = "测试"
total = 10

[[dimensions]]
code = "a"
name = "甲"
weight = 10

[[derived]]
name = "rate"
formula = "gongshi_on_time / gongshi_due * 100"

[[indicators]]
code = "X1"
name = "及时率"
dimension = "a"
weight = 10
periods = ["month"]
targets = ["county", "body"]
source = "gongshi"
formula = "rate"
scoring = { method = "linear", zero = 80, full = 100 }
"#;

#[test]
fn the_default_system_loads_and_adds_up() {
    let s = IndicatorSystem::default_system().unwrap();
    assert_eq!(s.total, 100.0);
    let names: Vec<&str> = s.dimensions.iter().map(|d| d.name.as_str()).collect();
    for d in [
        "依法行政",
        "政务公开",
        "守信践诺",
        "群众满意度",
        "人大建议政协提案办理",
    ] {
        assert!(names.contains(&d), "{d}");
    }
    for i in &s.indicators {
        assert!(sources::family(&i.source).is_some());
    }
    assert_eq!(s.grade(95.0), "优秀");
    assert_eq!(s.grade(59.99), "不合格");
}

#[test]
fn periods_parse_display_and_move() {
    let m: Period = "2026-11".parse().unwrap();
    assert_eq!(m.to_string(), "2026-11");
    assert_eq!(m.previous().to_string(), "2026-10");
    assert_eq!(m.last_year().to_string(), "2025-11");
    let (a, b) = m.range();
    assert_eq!(
        (a.to_string(), b.to_string()),
        ("2026-11-01".into(), "2026-11-30".into())
    );
    let q: Period = "2026-Q1".parse().unwrap();
    assert_eq!(q.previous().to_string(), "2025-Q4");
    assert_eq!(q.range().1.to_string(), "2026-03-31");
    let y: Period = "2026".parse().unwrap();
    assert_eq!(y.range().1.to_string(), "2026-12-31");
    assert_eq!(
        "2026-01".parse::<Period>().unwrap().previous().to_string(),
        "2025-12"
    );
    for bad in [
        "2026-13", "2026-Q5", "26-01", "2026-1", "abc", "", "2026-00",
    ] {
        let e = bad.parse::<Period>().unwrap_err();
        assert_eq!(e.code(), "period_invalid", "{bad}");
    }
}

#[test]
fn formulas_parse_check_and_evaluate() {
    let get = |n: &str| match n {
        "a" => Some(3.0),
        "b" => Some(0.0),
        _ => None,
    };
    let e = parse("min(a, 10) + max(1, 2) * 2 - clamp(a, 0, 1)").unwrap();
    assert_eq!(e.eval(&get).unwrap(), 3.0 + 4.0 - 1.0);
    let e = parse("if(b == 0, 100, a / b)").unwrap();
    assert_eq!(e.eval(&get).unwrap(), 100.0);
    let e = parse("a / b").unwrap();
    assert!(matches!(
        e.eval(&get),
        Err(formula::EvalFault::DivisionByZero(_))
    ));
    let e = parse("threshold(a, 5, 1, 3, 0.5, 0)").unwrap();
    assert_eq!(e.eval(&get).unwrap(), 0.5);
    let e = parse("if(a > 1 and not b > 0, -a, 0)").unwrap();
    assert_eq!(e.eval(&get).unwrap(), -3.0);
    // Full-width parentheses and commas as typed in Chinese input methods.
    assert!(parse("max（a，b）").is_ok());
    for bad in [
        "a +", "(a", "a b", "foo(a)", "if(a, b)", "1 $ 2", "", "and a",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    assert!(parse("a < b").unwrap().check().is_ok());
    assert!(parse("if(a, 1, 2)").unwrap().check().is_err());
    assert!(parse("(a < b) + 1").unwrap().check().is_err());
}

#[test]
fn the_file_is_checked_with_lines() {
    let ok = sys(SMALL).unwrap();
    let x = ok.indicator("X1").unwrap();
    let v = ok.indicator_value(x, &|n| match n {
        "gongshi_on_time" => Some(9.0),
        "gongshi_due" => Some(10.0),
        _ => None,
    });
    assert!((v.unwrap() - 90.0).abs() < 1e-9);
    // Division by zero inside a derived value is an error naming the indicator, not zero.
    let e = ok
        .indicator_value(x, &|n| match n {
            "gongshi_on_time" | "gongshi_due" => Some(0.0),
            _ => None,
        })
        .unwrap_err();
    assert_eq!(e.code(), "formula_division_by_zero");
    assert!(e.to_string().contains("X1"));

    let e = sys(&SMALL.replace("weight = 10\nperiods", "weight = 8\nperiods")).unwrap_err();
    assert_eq!(e.code(), "indicator_weights_mismatch");
    assert_eq!(e.line(), Some(7), "{e}");
    let e = sys(&SMALL.replace("total = 10", "total = 12")).unwrap_err();
    assert_eq!(
        (e.code(), e.line()),
        ("indicator_weights_mismatch", Some(4))
    );
    let e = sys(&SMALL.replace("formula = \"rate\"", "formula = \"rate + nope\"")).unwrap_err();
    assert_eq!((e.code(), e.line()), ("formula_unknown_source", Some(23)));
    assert!(e.to_string().contains("nope"));
    let e = sys(&SMALL.replace("source = \"gongshi\"", "source = \"weather\"")).unwrap_err();
    assert_eq!(e.code(), "indicator_source_unknown");
    let e = sys(&SMALL.replace(
        "gongshi_on_time / gongshi_due * 100",
        "gongshi_on_time / gongshi_due * rate",
    ))
    .unwrap_err();
    assert_eq!(e.code(), "formula_circular");
    assert!(e.to_string().contains("rate → rate"), "{e}");
    let dup = format!(
        "{SMALL}\n[[indicators]]\ncode = \"X1\"\nname = \"重复\"\ndimension = \"a\"\nweight = 1\nperiods = [\"month\"]\ntargets = [\"body\"]\nsource = \"gongshi\"\nformula = \"1\"\nscoring = {{ method = \"linear\", zero = 0, full = 1 }}\n"
    );
    let e = sys(&dup).unwrap_err();
    assert_eq!(e.code(), "indicator_duplicate");
    assert_eq!(e.line(), Some(27));
    let e = sys(&SMALL.replace("rate\"\nscoring", "(rate\"\nscoring")).unwrap_err();
    assert_eq!((e.code(), e.line()), ("formula_syntax", Some(23)));
    let e = sys(&SMALL.replace("zero = 80", "zero = 100")).unwrap_err();
    assert_eq!(e.code(), "scoring_invalid");
    let e = sys(&SMALL.replace("\"county\"", "\"galaxy\"")).unwrap_err();
    assert_eq!(e.code(), "indicator_target_invalid");
    let e = sys("version = \"x\"\nname = 3").unwrap_err();
    assert_eq!(e.code(), "indicator_file_invalid");
    assert!(e.to_string().contains("第"));
}

#[test]
fn scoring_methods() {
    let lin = Scoring::Linear {
        zero: 80.0,
        full: 100.0,
    };
    assert_eq!(lin.points(20.0, 90.0, None), 10.0);
    assert_eq!(lin.points(20.0, 50.0, None), 0.0);
    assert_eq!(lin.points(20.0, 120.0, None), 20.0);
    let ded = Scoring::Deduction {
        per_event: 2.0,
        cap: 10.0,
    };
    assert_eq!(ded.points(12.0, 3.0, None), 6.0);
    assert_eq!(ded.points(12.0, 30.0, None), 2.0);
    let th = Scoring::Thresholds {
        steps: vec![(100.0, 1.0), (90.0, 0.8)],
    };
    assert_eq!(th.points(10.0, 95.0, None), 8.0);
    assert_eq!(th.points(10.0, 10.0, None), 0.0);
    assert_eq!(rank_shares(&[3.0, 1.0, 2.0], false), vec![1.0, 0.0, 0.5]);
    assert_eq!(rank_shares(&[3.0, 1.0, 2.0], true), vec![0.0, 1.0, 0.5]);
    assert_eq!(ranks(&[5.0, 9.0, 5.0, 1.0]), vec![2, 1, 2, 4]);
    assert!(z_score(50.0, &[90.0, 91.0, 89.0, 90.0]).unwrap() < -3.0);
    assert!(z_score(50.0, &[90.0]).is_none());
}

proptest! {
    #[test]
    fn any_text_is_parsed_or_refused_never_a_panic(s in "\\PC{0,60}") {
        let _ = parse(&s);
        let _ = s.parse::<Period>();
        let _ = IndicatorSystem::parse(&s);
    }

    #[test]
    fn points_stay_within_the_weight(v in -1e6f64..1e6, w in 0.5f64..50.0, z in -200f64..200.0, d in 1f64..100.0) {
        for s in [
            Scoring::Linear { zero: z, full: z + d },
            Scoring::Linear { zero: z + d, full: z },
            Scoring::Deduction { per_event: d, cap: w },
            Scoring::Thresholds { steps: vec![(z + d, 1.0), (z, 0.5)] },
        ] {
            let p = s.points(w, v, None);
            prop_assert!(p >= 0.0 && p <= w + 1e-9);
        }
    }

    #[test]
    fn periods_round_trip_and_previous_is_adjacent(y in 1991i32..2199, m in 1u32..=12, q in 1u32..=4) {
        for p in [Period::Month(y, m), Period::Quarter(y, q), Period::Year(y)] {
            prop_assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
            let (a, _) = p.range();
            let (_, b) = p.previous().range();
            prop_assert_eq!(b.succ_opt().unwrap(), a);
            prop_assert_eq!(p.last_year().last_year().year() + 2, p.year());
        }
    }

    #[test]
    fn arithmetic_matches_rust(a in -1000i32..1000, b in -1000i32..1000, c in 1i32..1000) {
        let e = parse(&format!("({a} + {b}) * 2 - {b} / {c}")).unwrap();
        let want = (a as f64 + b as f64) * 2.0 - b as f64 / c as f64;
        prop_assert!((e.eval(&|_| None).unwrap() - want).abs() < 1e-9);
    }

    #[test]
    fn ranks_are_consistent(v in proptest::collection::vec(0f64..100.0, 1..40)) {
        let r = ranks(&v);
        for i in 0..v.len() {
            for j in 0..v.len() {
                if v[i] > v[j] { prop_assert!(r[i] < r[j]); }
                if v[i] == v[j] { prop_assert_eq!(r[i], r[j]); }
            }
        }
    }
}

#[test]
fn items_are_tagged() {
    use chrono::NaiveDate;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        sources::deadline_tag(d("2026-11-10"), Some(d("2026-11-10")), d("2026-12-01")),
        "on_time"
    );
    assert_eq!(
        sources::deadline_tag(d("2026-11-10"), Some(d("2026-11-11")), d("2026-12-01")),
        "late"
    );
    assert_eq!(
        sources::deadline_tag(d("2026-11-10"), None, d("2026-11-11")),
        "late"
    );
    assert_eq!(
        sources::deadline_tag(d("2026-11-10"), None, d("2026-11-10")),
        "open"
    );
    assert_eq!(
        sources::commitment_tag("pending", d("2026-11-10"), d("2026-11-11")),
        "overdue"
    );
    let slots = sources::value_slots("gongshi", "on_time");
    let names: Vec<&str> = slots.iter().map(|i| sources::VALUES[*i].name).collect();
    assert_eq!(names, vec!["gongshi_due", "gongshi_on_time"]);
    assert_eq!(
        sources::item_link("record", "x").as_deref(),
        Some("/console/records/x")
    );
}
