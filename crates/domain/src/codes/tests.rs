use super::test_support::{fixture, today, AnyRegion};
use super::*;
use proptest::prelude::*;
use serde_json::{json, Value};

fn report_json(input: &str) -> Value {
    serde_json::to_value(classify(input, &fixture(), today())).unwrap()
}

#[test]
fn normalize_trims_all_whitespace_and_uppercases_ascii() {
    assert_eq!(normalize("  91320402123456788q\t\n"), "91320402123456788Q");
    assert_eq!(
        normalize("\u{3000}11010519491231002x\u{3000}"),
        "11010519491231002X"
    );
    assert_eq!(normalize("\u{A0}abc\r\n"), "ABC");
    // Inner characters are left alone.
    assert_eq!(normalize(" 9132 0402 "), "9132 0402");
    assert_eq!(normalize("１２a"), "１２A");
    assert_eq!(normalize(""), "");
    assert_eq!(normalize(" \u{3000}\t"), "");
}

#[test]
fn error_codes_are_unique_and_listed() {
    let mut seen = std::collections::HashSet::new();
    for c in CodeError::ALL_CODES {
        assert!(seen.insert(*c), "duplicate {c}");
        assert!(c
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
    }
    let samples = [
        CodeError::Empty,
        CodeError::InnerWhitespace {
            pos: 1,
            what: "空格",
        },
        CodeError::FullWidthChar {
            pos: 1,
            found: '１',
            ascii: '1',
        },
        CodeError::InvalidChar { pos: 1, found: '-' },
        CodeError::UnknownLength { len: 3 },
        CodeError::UsccBadLength { len: 3 },
        CodeError::UsccBadChar { pos: 5, found: 'O' },
        CodeError::UsccUnknownDept { found: 'B' },
        CodeError::UsccUnknownCategory {
            dept: '9',
            dept_name: "工商",
            found: '4',
        },
        CodeError::UsccRegionNotDigit { pos: 3, found: 'A' },
        CodeError::UsccUnknownRegion {
            region: "999999".into(),
        },
        CodeError::UsccBadCheckChar {
            expected: 'X',
            found: 'Y',
        },
        CodeError::UsccOrgCodeMismatch {
            org_code: "123456780".into(),
            expected: '8',
            found: '0',
        },
        CodeError::OrgCodeBadLength { len: 3 },
        CodeError::OrgCodeBadChar { pos: 1, found: '-' },
        CodeError::OrgCodeBadCheckChar {
            expected: '8',
            found: '0',
        },
        CodeError::IdBadLength { len: 17 },
        CodeError::IdLegacy15Digit,
        CodeError::IdBadChar { pos: 3, found: 'A' },
        CodeError::IdBadCheckChar {
            expected: 'X',
            found: '1',
        },
        CodeError::IdUnknownRegion {
            region: "320499".into(),
        },
        CodeError::IdForeignPermanentResident,
        CodeError::IdBadBirthDate,
        CodeError::IdBirthDateInFuture { today: today() },
        CodeError::IdBirthDateTooEarly,
    ];
    assert_eq!(samples.len(), CodeError::ALL_CODES.len());
    for (e, c) in samples.iter().zip(CodeError::ALL_CODES) {
        assert_eq!(e.code(), *c);
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn messages_are_precise_chinese() {
    assert_eq!(
        CodeError::UsccBadCheckChar {
            expected: 'X',
            found: 'Y'
        }
        .to_string(),
        "第18位校验码应为X，实际为Y"
    );
    assert_eq!(
        CodeError::UsccBadChar { pos: 5, found: 'O' }.to_string(),
        "第5位字符'O'不是统一社会信用代码允许的字符（不使用I、O、Z、S、V）"
    );
    assert_eq!(
        CodeError::InvalidChar {
            pos: 2,
            found: '\u{200B}'
        }
        .to_string(),
        "第2位字符U+200B不是代码允许的字符（只能是数字和大写英文字母）"
    );
    assert_eq!(
        CodeError::IdBadChar {
            pos: 18,
            found: 'Y'
        }
        .to_string(),
        "第18位校验码'Y'无效，只能是数字或X"
    );
    assert_eq!(
        CodeError::IdBadChar { pos: 3, found: 'A' }.to_string(),
        "第3位字符'A'应为数字"
    );
}

#[test]
fn plain_chars_reasons() {
    assert_eq!(check_plain_chars(""), Err(CodeError::Empty));
    assert_eq!(
        check_plain_chars("91 32"),
        Err(CodeError::InnerWhitespace {
            pos: 3,
            what: "空格"
        })
    );
    assert_eq!(
        check_plain_chars("91\u{3000}32"),
        Err(CodeError::InnerWhitespace {
            pos: 3,
            what: "全角空格"
        })
    );
    assert_eq!(
        check_plain_chars("9１"),
        Err(CodeError::FullWidthChar {
            pos: 2,
            found: '１',
            ascii: '1'
        })
    );
    assert_eq!(
        check_plain_chars("9Ａ"),
        Err(CodeError::FullWidthChar {
            pos: 2,
            found: 'Ａ',
            ascii: 'A'
        })
    );
    // A full-width hyphen is not a full-width letter/digit.
    assert_eq!(
        check_plain_chars("9－"),
        Err(CodeError::InvalidChar {
            pos: 2,
            found: '－'
        })
    );
    assert_eq!(
        check_plain_chars("金9"),
        Err(CodeError::InvalidChar {
            pos: 1,
            found: '金'
        })
    );
    assert_eq!(check_plain_chars("9abc"), Ok(()));
}

/// A small hand-made table in the shipped CSV format.
fn small_table() -> RegionTable {
    RegionTable::parse(
        "code,name,level,parent,current\n\
         320000,江苏省,province,,true\n\
         320400,常州市,prefecture,320000,true\n\
         320401,市辖区,county,320400,true\n\
         320402,天宁区,county,320400,true\n\
         320413,金坛区,county,320400,true\n\
         320482,金坛市,county,320400,false\n",
    )
    .unwrap()
}

#[test]
fn region_table_lookup() {
    let t = small_table();
    assert_eq!(
        t.lookup("320402"),
        Some(RegionInfo {
            code: "320402".into(),
            name: "天宁区".into(),
            full_name: "江苏省常州市天宁区".into(),
            current: true,
        })
    );
    let r = t.lookup("320482").unwrap();
    assert_eq!(r.full_name, "江苏省常州市金坛市");
    assert!(!r.current);
    assert_eq!(t.lookup("320412"), None);
    assert_eq!(RegionTable::default().lookup("320402"), None);
}

#[test]
fn classify_with_a_region_table() {
    let t = small_table();
    let r = classify("320482198506150012", &t, today());
    assert!(r.valid, "{r:?}");
    assert_eq!(r.code, "3204**********0012");
    let r = classify("91320402123456788Q", &t, today());
    assert!(r.valid, "{r:?}");
    let r = classify("91320412MA1MXXXX91", &t, today());
    assert_eq!(r.reason_code, Some("uscc_unknown_region"));
}

#[test]
fn hashmap_lookup() {
    let f = fixture();
    let r = f.lookup("320482").unwrap();
    assert_eq!(r.full_name, "江苏省常州市金坛市");
    assert!(!r.current);
    assert_eq!(f.lookup("999999"), None);
}

#[test]
fn classify_valid_uscc_json() {
    let v = report_json(" 91320402123456788q ");
    assert_eq!(
        v,
        json!({
            "code": "91320402123456788Q",
            "kind": "uscc",
            "valid": true,
            "reason": null,
            "reason_code": null,
            "masked": false,
            "warnings": [],
            "registering_dept": "9",
            "registering_dept_name": "工商",
            "category": "1",
            "category_name": "企业",
            "region": "320402",
            "region_name": "江苏省常州市天宁区",
            "region_current": true,
            "org_code": "123456788",
        })
    );
}

#[test]
fn classify_valid_id_json_is_masked() {
    let v = report_json("11010519491231002x");
    assert_eq!(
        v,
        json!({
            "code": "1101**********002X",
            "kind": "id_number",
            "valid": true,
            "reason": null,
            "reason_code": null,
            "masked": true,
            "warnings": [],
            "region": "110105",
            "region_name": "北京市朝阳区",
            "region_current": true,
            "birth_year": 1949,
            "sex": "female",
        })
    );
}

#[test]
fn classify_invalid_id_keeps_decodable_parts_and_masks() {
    // GB 11643 example with a wrong check character.
    let v = report_json("110105194912310021");
    assert_eq!(v["kind"], "id_number");
    assert_eq!(v["valid"], false);
    assert_eq!(v["code"], "1101**********0021");
    assert_eq!(v["masked"], true);
    assert_eq!(v["reason_code"], "id_bad_check_char");
    assert_eq!(v["reason"], "第18位校验码应为X，实际为1");
    assert_eq!(v["region"], "110105");
    assert_eq!(v["region_name"], "北京市朝阳区");
    assert_eq!(v["birth_year"], 1949);
    assert!(v.get("birth_date").is_none());
    assert_eq!(v["sex"], "female");
    assert!(!v.to_string().contains("110105194912310021"));
}

#[test]
fn classify_historical_region_id() {
    let v = report_json("320482198506150012");
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["region_name"], "江苏省常州市金坛市");
    assert_eq!(v["region_current"], false);
    assert_eq!(v["sex"], "male");
}

#[test]
fn classify_invalid_uscc_keeps_parts() {
    let v = report_json("91320402123456788R");
    assert_eq!(v["kind"], "uscc");
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason_code"], "uscc_bad_check_char");
    assert_eq!(v["reason"], "第18位校验码应为Q，实际为R");
    assert_eq!(v["registering_dept_name"], "工商");
    assert_eq!(v["region_name"], "江苏省常州市天宁区");
    assert_eq!(v["org_code"], "123456788");

    let v = report_json("9132O402123456788Q");
    assert_eq!(v["reason_code"], "uscc_bad_char");
    assert_eq!(
        v["reason"],
        "第5位字符'O'不是统一社会信用代码允许的字符（不使用I、O、Z、S、V）"
    );
    assert_eq!(v["registering_dept"], "9");
    assert_eq!(v["region"], Value::Null);
}

#[test]
fn classify_all_digit_uscc_falls_back_from_id() {
    // 18 digits: shaped like an ID number, but a valid USCC (python-stdnum vector).
    let v = serde_json::to_value(classify("911522010783710635", &AnyRegion, today())).unwrap();
    assert_eq!(v["kind"], "uscc");
    assert_eq!(v["valid"], true);
    assert_eq!(v["code"], "911522010783710635");
    // 6 旅游 / 9 其他, registered in 天宁区: all digits, not an ID number.
    let v = report_json("693204021234567883");
    assert_eq!(v["kind"], "uscc");
    assert_eq!(v["valid"], true);
    assert_eq!(v["category_name"], "其他");
    // Fails both ways: reported (masked) as an invalid ID number.
    let v = report_json("693204021234567884");
    assert_eq!(v["kind"], "id_number");
    assert_eq!(v["masked"], true);
    assert_eq!(v["valid"], false);
    assert!(v["reason_code"].as_str().unwrap().starts_with("id_"));
    // USCC with an org-code warning, all digits.
    let v = report_json("913204021234567800");
    assert_eq!(v["kind"], "uscc");
    assert_eq!(v["valid"], true);
    assert_eq!(v["warnings"][0]["code"], "uscc_org_code_mismatch");
}

#[test]
fn classify_fullwidth_and_spaced_id_is_recognised_and_masked() {
    let v = report_json("１１０１０５１９４９１２３１００２Ｘ");
    assert_eq!(v["kind"], "id_number");
    assert_eq!(v["reason_code"], "fullwidth_char");
    assert_eq!(v["reason"], "第1位字符'１'是全角字符，应使用半角字符'1'");
    assert_eq!(v["masked"], true);
    assert!(v["code"].as_str().unwrap().chars().all(|c| c == '*'));

    let v = report_json("110105 19491231 002X");
    assert_eq!(v["kind"], "id_number");
    assert_eq!(v["reason_code"], "inner_whitespace");
    assert_eq!(v["reason"], "第7位是空格，代码中间不能含空白字符");
    assert_eq!(v["code"], "1101**********002X");
}

#[test]
fn classify_spaced_uscc() {
    let v = report_json("91 320402 123456788Q");
    assert_eq!(v["kind"], "uscc");
    assert_eq!(v["reason_code"], "inner_whitespace");
    assert_eq!(v["reason"], "第3位是空格，代码中间不能含空白字符");
}

#[test]
fn classify_legacy_and_wrong_length_ids() {
    let v = report_json("110105491231002");
    assert_eq!(v["kind"], "id_number");
    assert_eq!(v["reason_code"], "id_legacy_15_digit");
    assert_eq!(v["code"], "1101**********1002");
    let v = report_json("11010519491231002");
    assert_eq!(v["kind"], "id_number");
    assert_eq!(v["reason_code"], "id_bad_length");
    assert_eq!(v["reason"], "居民身份证号码应为18位，实际为17位");
    assert_eq!(v["masked"], true);
}

#[test]
fn classify_unknown() {
    let v = report_json("ABC123");
    assert_eq!(
        v,
        json!({
            "code": "ABC123",
            "kind": "unknown",
            "valid": false,
            "reason": "长度为6位，无法识别：统一社会信用代码和居民身份证号码均为18位",
            "reason_code": "unknown_length",
            "masked": false,
            "warnings": [],
        })
    );
    assert_eq!(report_json("   ")["reason_code"], "empty");
    assert_eq!(report_json("AB-12")["reason_code"], "invalid_char");
}

proptest! {
    #[test]
    fn normalize_is_idempotent(s in any::<String>()) {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once.clone());
    }

    #[test]
    fn classify_never_panics(s in any::<String>()) {
        let r = classify(&s, &fixture(), today());
        let _ = serde_json::to_string(&r).unwrap();
    }

    #[test]
    fn classify_never_prints_an_id_number(body in "[1-8][0-9]{16}") {
        let id = format!("{body}{}", id_number::check_char(&body).unwrap());
        let r = classify(&id, &AnyRegion, today());
        let json = serde_json::to_string(&r).unwrap();
        if r.kind == CodeKind::IdNumber {
            prop_assert!(r.masked);
            prop_assert!(!json.contains(&id));
            prop_assert!(r.code.chars().filter(|c| *c != '*').count() <= 8);
        }
    }
}
