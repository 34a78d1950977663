//! 组织机构代码 (GB 11714-1997 《全国组织机构代码编制规则》).
//!
//! Eight body characters (digits or upper-case Latin letters) and one check character. The
//! check character is `C9 = 11 − (Σ Ci·Wi mod 11)` with the weights `3, 7, 9, 10, 5, 8, 4, 2`,
//! digits valued 0–9 and letters `A`–`Z` valued 10–35; `C9 = 10` is written `X` and
//! `C9 = 11` is written `0`. The code is usually written `XXXXXXXX-X`; the hyphen is not
//! part of the code.
//!
//! Since 2015 the organisation code lives on as positions 9–17 (主体标识码) of the
//! 统一社会信用代码, see [`super::uscc`].

use super::{check_plain_chars_except, normalize, CodeError};

/// Weights of body positions 1–8.
pub const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Numeric value of a body character: `0`–`9` → 0–9, `A`–`Z` → 10–35.
fn value(c: char) -> Option<u32> {
    match c {
        '0'..='9' | 'A'..='Z' => c.to_digit(36),
        _ => None,
    }
}

/// The check character for an 8-character body, `None` if `first8` is not exactly 8 digits or
/// upper-case ASCII letters.
pub fn check_char(first8: &str) -> Option<char> {
    if first8.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first8.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        d => char::from_digit(d, 10),
    }
}

/// Validates an organisation code, written `XXXXXXXXX` or `XXXXXXXX-X`, and returns its
/// 9-character compact form.
pub fn validate(input: &str) -> Result<String, CodeError> {
    let code = normalize(input);
    let chars: Vec<char> = code.chars().collect();
    let hyphenated = chars.len() == 10 && chars.get(8) == Some(&'-');
    check_plain_chars_except(&code, hyphenated.then_some((8, '-')))?;
    let compact: String = chars.iter().filter(|c| **c != '-').collect();
    if compact.len() != 9 {
        return Err(CodeError::OrgCodeBadLength { len: chars.len() });
    }
    let (body, check) = compact.split_at(8);
    let found = check.chars().next().unwrap_or('?');
    if !(found.is_ascii_digit() || found == 'X') {
        return Err(CodeError::OrgCodeBadChar {
            pos: chars.len(),
            found,
        });
    }
    match check_char(body) {
        Some(expected) if expected == found => Ok(compact),
        Some(expected) => Err(CodeError::OrgCodeBadCheckChar { expected, found }),
        // Unreachable: the body is 8 ASCII letters/digits after the checks above.
        None => Err(CodeError::OrgCodeBadLength { len: chars.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_codes() {
        // Organisation codes embedded in USCCs of well-known bodies (positions 9–17):
        // 华为技术有限公司 914403001922038216, 中国石油化工股份有限公司 91110000710926094P,
        // 深圳市腾讯计算机系统有限公司 9144030071526726XG (check X), 中国工商银行 91100000100003962T.
        for code in ["192203821", "710926094", "71526726X", "100003962"] {
            assert_eq!(validate(code).as_deref(), Ok(code));
        }
        assert_eq!(validate("71526726-x").as_deref(), Ok("71526726X"));
        assert_eq!(validate(" 19220382-1 ").as_deref(), Ok("192203821"));
    }

    #[test]
    fn check_char_extremes() {
        // Σ = 0 → 11 → '0'.
        assert_eq!(check_char("00000000"), Some('0'));
        assert_eq!(check_char("71526726"), Some('X'));
        assert_eq!(check_char("12345678"), Some('8'));
        assert_eq!(check_char("MA1MXXXX"), Some('9'));
        assert_eq!(check_char("1234567"), None);
        assert_eq!(check_char("1234567a"), None);
        assert_eq!(check_char("1234567-"), None);
        assert_eq!(check_char("１２３４５６７８"), None);
    }

    #[test]
    fn errors() {
        assert_eq!(validate(""), Err(CodeError::Empty));
        assert_eq!(
            validate("19220382"),
            Err(CodeError::OrgCodeBadLength { len: 8 })
        );
        assert_eq!(
            validate("1922038-21"),
            Err(CodeError::InvalidChar { pos: 8, found: '-' })
        );
        assert_eq!(
            validate("19220382Y"),
            Err(CodeError::OrgCodeBadChar { pos: 9, found: 'Y' })
        );
        assert_eq!(
            validate("19220382-Y"),
            Err(CodeError::OrgCodeBadChar {
                pos: 10,
                found: 'Y'
            })
        );
        assert_eq!(
            validate("192203822"),
            Err(CodeError::OrgCodeBadCheckChar {
                expected: '1',
                found: '2'
            })
        );
        assert_eq!(
            validate("19220382 1"),
            Err(CodeError::InnerWhitespace {
                pos: 9,
                what: "空格"
            })
        );
        assert_eq!(
            validate("１9220382-1"),
            Err(CodeError::FullWidthChar {
                pos: 1,
                found: '１',
                ascii: '1'
            })
        );
        let e = validate("192203822").unwrap_err();
        assert_eq!(e.code(), "org_code_bad_check_char");
        assert_eq!(e.to_string(), "第9位校验码应为1，实际为2");
    }

    proptest! {
        #[test]
        fn computed_check_char_validates(body in "[0-9A-Z]{8}") {
            let c = check_char(&body).unwrap();
            let (plain, written) = (format!("{body}{c}"), format!("{body}-{c}"));
            prop_assert!(validate(&plain).is_ok());
            prop_assert!(validate(&written).is_ok());
        }

        #[test]
        fn any_body_change_with_digits_is_caught(body in "[0-9]{8}", pos in 0usize..8, d in 0u32..10) {
            // Modulus 11 with weights coprime to 11 catches every single-digit substitution.
            let c = check_char(&body).unwrap();
            let mut changed: Vec<char> = body.chars().collect();
            let new = char::from_digit(d, 10).unwrap();
            prop_assume!(changed[pos] != new);
            changed[pos] = new;
            let changed: String = changed.into_iter().collect();
            let code = format!("{changed}{c}");
            prop_assert!(validate(&code).is_err());
        }
    }
}
