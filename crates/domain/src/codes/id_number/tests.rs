//! Tests of GB 11643 ID numbers: checking, masking and the free-text masker.

use super::super::test_support::{fixture, today, AnyRegion};
use super::*;

#[test]
fn mask_in_text_masks_id_numbers_in_free_text() {
    // 18 characters with a valid check character, embedded in Chinese text.
    assert_eq!(
        mask_in_text("身份证 320412199001011231 罚款"),
        "身份证 3204**********1231 罚款"
    );
    assert_eq!(
        mask_in_text("当事人11010519491231002X，罚款5000元，文号2025001"),
        "当事人1101**********002X，罚款5000元，文号2025001"
    );
    // Lowercase x is masked too (and shown upper-case, as `mask` does).
    assert_eq!(
        mask_in_text("号码11010519491231002x。"),
        "号码1101**********002X。"
    );
    // 15-digit first-generation numbers, also with a trailing X.
    assert_eq!(
        mask_in_text("旧证320412900101123号"),
        "旧证3204**********1123号"
    );
    assert_eq!(
        mask_in_text("旧证32041290010112X"),
        "旧证3204**********112X"
    );
    // Several numbers in one text; masking is consistent with `mask`.
    let two = "甲320412199001011231乙11010519491231002X";
    assert_eq!(
        mask_in_text(two),
        format!(
            "甲{}乙{}",
            mask("320412199001011231"),
            mask("11010519491231002X")
        )
    );
}

#[test]
fn mask_in_text_leaves_other_numbers_alone() {
    for s in [
        "罚款5000元",
        "文号 2024-001",
        "",
        "无数字",
        // All-digit USCC (no valid ID check character) and USCCs with letters.
        "113204000179072150",
        "113204810066941200",
        "11320412025456741P",
        "91320412MA1MXK2L83",
        // 18 digits with a wrong check character, 18 digits with no real birth date.
        "320412199001011232",
        // 15 digits without a real birth date; 16 and 19 characters.
        "320412991399123",
        "3204121990010112",
        "3204121990010112311",
    ] {
        assert!(matches!(mask_in_text(s), Cow::Borrowed(_)), "{s}");
    }
}

#[test]
fn looks_like_id_rules() {
    assert!(looks_like_id("320412199001011231"));
    assert!(looks_like_id("11010519491231002x"));
    assert!(looks_like_id("320412900101123"));
    assert!(looks_like_id("32041290010112X"));
    assert!(!looks_like_id("113204000179072150"));
    assert!(!looks_like_id("12345"));
    assert!(!looks_like_id("3204129001011X3"));
}
use proptest::prelude::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn weights_are_powers_of_two_mod_11() {
    for (i, w) in WEIGHTS.iter().enumerate() {
        let p = 17 - u32::try_from(i).unwrap();
        assert_eq!(*w, 2u32.pow(p) % 11);
    }
}

#[test]
fn gb_11643_example() {
    // The example of GB 11643-1999: 北京市朝阳区, born 1949-12-31, sequence 002 (female).
    assert_eq!(check_char("11010519491231002"), Some('X'));
    let id = parse("11010519491231002X", &fixture(), today()).unwrap();
    assert_eq!(id.region.full_name, "北京市朝阳区");
    assert!(id.region.current);
    assert_eq!(id.birth_date, ymd(1949, 12, 31));
    assert_eq!(id.sex, Sex::Female);
    assert_eq!(id.sequence, 2);
    assert_eq!(id.number(), "11010519491231002X");
    assert_eq!(id.masked(), "1101**********002X");
    // Lower-case x and surrounding (full-width) spaces are normalised.
    assert!(parse("\u{3000}11010519491231002x ", &fixture(), today()).is_ok());
}

#[test]
fn debug_does_not_leak() {
    let id = parse("11010519491231002X", &fixture(), today()).unwrap();
    let dbg = format!("{id:?}");
    assert!(!dbg.contains("11010519491231002X"), "{dbg}");
    assert!(dbg.contains("1101**********002X"));
}

#[test]
fn valid_numbers() {
    let f = fixture();
    let cases = [
        (
            "320402199003071235",
            "江苏省常州市天宁区",
            true,
            ymd(1990, 3, 7),
            Sex::Male,
        ),
        (
            "320102198008081239",
            "江苏省南京市玄武区",
            true,
            ymd(1980, 8, 8),
            Sex::Male,
        ),
        // Issued under 金坛市 (320482), abolished in 2015: still valid.
        (
            "320482198506150012",
            "江苏省常州市金坛市",
            false,
            ymd(1985, 6, 15),
            Sex::Male,
        ),
        (
            "320413201601010028",
            "江苏省常州市金坛区",
            true,
            ymd(2016, 1, 1),
            Sex::Female,
        ),
        // Leap day.
        (
            "110101200002290034",
            "北京市东城区",
            true,
            ymd(2000, 2, 29),
            Sex::Male,
        ),
        (
            "310104200001010033",
            "上海市徐汇区",
            true,
            ymd(2000, 1, 1),
            Sex::Male,
        ),
        (
            "32040218500101001X",
            "江苏省常州市天宁区",
            true,
            ymd(1850, 1, 1),
            Sex::Male,
        ),
        // 港澳台居民居住证.
        (
            "810000199001010019",
            "香港特别行政区",
            true,
            ymd(1990, 1, 1),
            Sex::Male,
        ),
        (
            "830000199001010020",
            "台湾地区",
            true,
            ymd(1990, 1, 1),
            Sex::Female,
        ),
    ];
    for (number, region, current, birth, sex) in cases {
        let id = parse(number, &f, today()).unwrap_or_else(|e| panic!("{number}: {e}"));
        assert_eq!(id.region.full_name, region);
        assert_eq!(id.region.current, current);
        assert_eq!(id.birth_date, birth);
        assert_eq!(id.sex, sex);
    }
    // Born today is fine.
    assert!(parse("110105202401010022", &f, ymd(2024, 1, 1)).is_ok());
}

#[test]
fn error_paths() {
    let f = fixture();
    let cases: Vec<(&str, CodeError)> = vec![
        ("", CodeError::Empty),
        ("  ", CodeError::Empty),
        (
            "110105 19491231002X",
            CodeError::InnerWhitespace {
                pos: 7,
                what: "空格",
            },
        ),
        (
            "110105\t19491231002X",
            CodeError::InnerWhitespace {
                pos: 7,
                what: "制表符",
            },
        ),
        (
            "１10105194912310 02X",
            CodeError::FullWidthChar {
                pos: 1,
                found: '１',
                ascii: '1',
            },
        ),
        (
            "1101051949-12-31002X",
            CodeError::InvalidChar {
                pos: 11,
                found: '-',
            },
        ),
        ("110105491231002", CodeError::IdLegacy15Digit),
        ("11010549123100X", CodeError::IdBadLength { len: 15 }),
        ("11010519491231002", CodeError::IdBadLength { len: 17 }),
        ("11010519491231002XX", CodeError::IdBadLength { len: 19 }),
        (
            "1101051949123100X2",
            CodeError::IdBadChar {
                pos: 17,
                found: 'X',
            },
        ),
        (
            "11010519491231002Y",
            CodeError::IdBadChar {
                pos: 18,
                found: 'Y',
            },
        ),
        (
            "110105194912310021",
            CodeError::IdBadCheckChar {
                expected: 'X',
                found: '1',
            },
        ),
        (
            "320499199001010016",
            CodeError::IdUnknownRegion {
                region: "320499".into(),
            },
        ),
        ("911200199001010014", CodeError::IdForeignPermanentResident),
        ("320402199002300016", CodeError::IdBadBirthDate),
        ("320402184912310019", CodeError::IdBirthDateTooEarly),
        (
            "320402209901010019",
            CodeError::IdBirthDateInFuture { today: today() },
        ),
    ];
    for (number, expected) in cases {
        assert_eq!(parse(number, &f, today()), Err(expected), "{number}");
    }
}

#[test]
fn messages_never_contain_the_number() {
    let f = fixture();
    for number in [
        "110105194912310021",
        "320499199001010016",
        "320402199002300016",
        "320402184912310019",
        "320402209901010019",
        "911200199001010014",
        "110105491231002",
    ] {
        let msg = parse(number, &f, today()).unwrap_err().to_string();
        assert!(!msg.contains(number), "{msg}");
        assert!(!msg.contains(&number[6..14]), "{msg}");
    }
    assert_eq!(
        parse("320402209901010019", &f, today())
            .unwrap_err()
            .to_string(),
        "第7–14位出生日期晚于当前日期2025-06-30"
    );
}

#[test]
fn analyze_keeps_parts() {
    let a = analyze("110105194912310021", &fixture(), today());
    assert!(a.result.is_err());
    assert_eq!(a.masked, "1101**********0021");
    assert_eq!(a.parts.region.as_deref(), Some("110105"));
    assert_eq!(a.parts.birth_date, Some(ymd(1949, 12, 31)));
    assert_eq!(a.parts.sex, Some(Sex::Female));

    let a = analyze("320499199002300016", &fixture(), today());
    assert_eq!(a.parts.region.as_deref(), Some("320499"));
    assert_eq!(a.parts.region_info, None);
    assert_eq!(a.parts.birth_date, None);
    assert_eq!(a.parts.sex, Some(Sex::Male));

    let a = analyze("1101051949", &fixture(), today());
    assert_eq!(a.parts, IdParts::default());
}

#[test]
fn mask_examples() {
    assert_eq!(mask("320402199003071234"), "3204**********1234");
    assert_eq!(mask(" 11010519491231002x "), "1101**********002X");
    assert_eq!(mask("110105491231002"), "1101**********1002");
    assert_eq!(mask("1234"), "****");
    assert_eq!(mask(""), "");
    assert_eq!(mask("１１０１０５１９４９１２３１００２Ｘ"), "*".repeat(18));
    assert_eq!(mask("11010519491231002金"), "*".repeat(18));
}

#[test]
fn upgrade_legacy_numbers() {
    assert_eq!(
        upgrade_15("110105491231002").as_deref(),
        Some("11010519491231002X")
    );
    assert_eq!(upgrade_15("11010549123100"), None);
    assert_eq!(upgrade_15("11010549123100X"), None);
    assert_eq!(upgrade_15("１10105491231002"), None);
}

#[test]
fn earliest_birth_date_const() {
    assert_eq!(EARLIEST_BIRTH_DATE, ymd(1850, 1, 1));
}

proptest! {
    #[test]
    fn computed_check_char_validates(body in "[0-9]{17}") {
        let c = check_char(&body).unwrap();
        let code = format!("{body}{c}");
        prop_assert!(has_valid_check_char(&code));
    }

    #[test]
    fn any_single_change_is_caught(
        body in "[0-9]{17}",
        pos in 0usize..18,
        replacement in 0usize..11,
    ) {
        let number = format!("{body}{}", check_char(&body).unwrap());
        let mut chars: Vec<char> = number.chars().collect();
        // Positions 1–17 take digits; the check position also takes X.
        let new = if replacement == 10 { 'X' } else { char::from_digit(u32::try_from(replacement).unwrap(), 10).unwrap() };
        prop_assume!(chars[pos] != new);
        prop_assume!(pos == 17 || new != 'X');
        chars[pos] = new;
        let changed: String = chars.into_iter().collect();
        prop_assert!(!has_valid_check_char(&changed));
        prop_assert!(parse(&changed, &AnyRegion, today()).is_err());
    }

    #[test]
    fn valid_numbers_parse_and_changes_fail(
        region in prop::sample::select(vec!["110101", "110105", "320402", "320412", "320482", "320102"]),
        days in 0i64..60_000,
        seq in 0u32..1000,
        pos in 0usize..17,
        delta in 1u32..10,
    ) {
        let birth = EARLIEST_BIRTH_DATE + chrono::Duration::days(days);
        prop_assume!(birth <= today());
        let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
        let number = format!("{body}{}", check_char(&body).unwrap());
        let id = parse(&number, &fixture(), today()).unwrap();
        prop_assert_eq!(id.birth_date, birth);
        prop_assert_eq!(id.sex == Sex::Male, seq % 2 == 1);
        prop_assert_eq!(id.region.code.as_str(), region);

        let mut chars: Vec<char> = number.chars().collect();
        let d = chars[pos].to_digit(10).unwrap();
        chars[pos] = char::from_digit((d + delta) % 10, 10).unwrap();
        let changed: String = chars.into_iter().collect();
        prop_assert!(parse(&changed, &fixture(), today()).is_err());
    }

    #[test]
    fn mask_never_panics_and_hides(s in any::<String>()) {
        let m = mask(&s);
        prop_assert!(m.chars().filter(|c| *c != '*').count() <= 8);
    }

    #[test]
    fn mask_of_ascii_ids(s in "[0-9X ]{0,30}") {
        let m = mask(&s);
        prop_assert!(m.chars().filter(|c| *c != '*').count() <= 8);
    }

    #[test]
    fn parse_never_panics(s in any::<String>()) {
        let a = analyze(&s, &fixture(), today());
        prop_assert!(a.masked.chars().filter(|c| *c != '*').count() <= 8);
    }
}
