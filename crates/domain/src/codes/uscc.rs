//! 统一社会信用代码 (GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》).
//!
//! 18 characters from `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, Z, S, V):
//!
//! | positions | part |
//! |---|---|
//! | 1 | 登记管理部门代码 (registering department) |
//! | 2 | 机构类别代码 (category, per department) |
//! | 3–8 | 登记管理机关行政区划码 (GB/T 2260; `100000` = 国家/中央) |
//! | 9–17 | 主体标识码 = 组织机构代码 (GB 11714, see [`super::org_code`]) |
//! | 18 | 校验码 |
//!
//! Check character (GB/T 17710 / ISO 7064 MOD 31-3 as instantiated by GB 32100): with the
//! character values 0–30 in the order above and weights `Wi = 3^(i−1) mod 31` (i = 1..17),
//! `C18 = 31 − (Σ Ci·Wi mod 31)`, where 31 is written `0`. Every single-character substitution
//! changes the sum modulo the prime 31, so it is always detected.
//!
//! ## Department and category tables
//!
//! GB 32100-2015 itself only gives examples (1 机构编制, 5 民政, 9 工商, Y 其他); the full list
//! used here is the code table published by the 全国组织机构统一社会信用代码数据服务中心 and
//! reproduced in the national 统一社会信用代码 guidance (it added 2 外交, 3 司法行政, 4 文化,
//! 6 旅游, 7 宗教, 8 工会, A 中央军委改革和编制办公室 and N 农业). A department or category not in
//! the table makes the code invalid.
//!
//! ## The inner GB 11714 check is a warning, not an error
//!
//! Positions 9–17 are an organisation code with its own GB 11714 check character (position 17).
//! A mismatch there is reported in [`Uscc::warnings`] (`uscc_org_code_mismatch`) and the code
//! stays valid, because:
//!
//! * the outer MOD 31 check character already detects every single-character transcription
//!   error anywhere in positions 1–17, so the inner check adds no protection against typos — a
//!   code whose outer check is right but inner check is wrong was *issued* that way;
//! * codes are not always issued by the rules: real, registered codes that break the standard
//!   exist (e.g. enterprises registered in 厦门 before 2016 whose USCC fails even the outer
//!   check, such as `91350203M0001QKT19`, discussed in hutool issues #2020 and #4119), and a
//!   credit-information system must not refuse an entity's legal identifier because of how
//!   it was assigned;
//! * 个体工商户 (category 92) were never required to hold an organisation code before 2016, so
//!   their 主体标识码 was assigned during 两证整合 rather than taken from a GB 11714 certificate.
//!   In the 383 published codes of python-stdnum's test suite (252 of them 92…) every one passes
//!   the inner check, so no category is exempted: the warning applies uniformly.
//!
//! Codes that fail the *outer* check (like the 厦门 example above) are reported invalid: they
//! cannot be told apart from typos.

use super::{check_plain_chars, normalize, org_code, CodeError, RegionInfo, RegionLookup};

/// The 31 characters of a USCC, in value order 0–30.
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// `Wi = 3^(i−1) mod 31` for positions 1–17.
pub const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The region code of the national (中央) level registration authorities.
pub const NATIONAL_REGION: &str = "100000";

type Categories = &'static [(char, &'static str)];

/// 登记管理部门代码 and, per department, 机构类别代码.
const DEPARTMENTS: &[(char, &str, Categories)] = &[
    (
        '1',
        "机构编制",
        &[
            ('1', "机关"),
            ('2', "事业单位"),
            ('3', "中央编办直接管理机构编制的群众团体"),
            ('9', "其他"),
        ],
    ),
    ('2', "外交", &[('1', "外国常住新闻机构"), ('9', "其他")]),
    (
        '3',
        "司法行政",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    ('4', "文化", &[('1', "外国在华文化中心"), ('9', "其他")]),
    (
        '5',
        "民政",
        &[
            ('1', "社会团体"),
            ('2', "民办非企业单位"),
            ('3', "基金会"),
            ('9', "其他"),
        ],
    ),
    (
        '6',
        "旅游",
        &[
            ('1', "外国旅游部门常驻代表机构"),
            ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
            ('9', "其他"),
        ],
    ),
    (
        '7',
        "宗教",
        &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")],
    ),
    ('8', "工会", &[('1', "基层工会"), ('9', "其他")]),
    (
        '9',
        "工商",
        &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    ),
    (
        'A',
        "中央军委改革和编制办公室",
        &[('1', "军队事业单位"), ('9', "其他")],
    ),
    (
        'N',
        "农业",
        &[
            ('1', "组级集体经济组织"),
            ('2', "村级集体经济组织"),
            ('3', "乡镇级集体经济组织"),
            ('9', "其他"),
        ],
    ),
    // "不再具体划分机构类别，统一用1表示".
    ('Y', "其他", &[('1', "其他")]),
];

fn department(dept: char) -> Option<(&'static str, Categories)> {
    DEPARTMENTS
        .iter()
        .find(|(c, _, _)| *c == dept)
        .map(|(_, name, cats)| (*name, *cats))
}

/// Name of a 登记管理部门代码, e.g. `'9'` → `工商`.
pub fn dept_name(dept: char) -> Option<&'static str> {
    department(dept).map(|(name, _)| name)
}

/// Name of a 机构类别代码 within its department, e.g. (`'9'`, `'2'`) → `个体工商户`.
pub fn category_name(dept: char, category: char) -> Option<&'static str> {
    let (_, cats) = department(dept)?;
    cats.iter()
        .find(|(c, _)| *c == category)
        .map(|(_, name)| *name)
}

/// Value 0–30 of a USCC character.
fn value(c: char) -> Option<u32> {
    CHARSET
        .chars()
        .position(|x| x == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The check character for the first 17 characters, `None` unless `first17` is exactly 17
/// characters of [`CHARSET`].
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    CHARSET.chars().nth(usize::try_from(v).ok()?)
}

/// Whether `code` is 18 characters of [`CHARSET`] whose last one is the right check character
/// (no other rule is checked).
pub fn has_valid_check_char(code: &str) -> bool {
    match (code.get(..17), code.get(17..)) {
        (Some(body), Some(last)) if last.len() == 1 => {
            check_char(body).is_some_and(|c| last.starts_with(c))
        }
        _ => false,
    }
}

/// A valid 统一社会信用代码, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uscc {
    /// The normalised 18 characters.
    pub code: String,
    pub registering_dept: char,
    pub registering_dept_name: &'static str,
    pub category: char,
    pub category_name: &'static str,
    /// The registering authority's region (`100000` → 国家).
    pub region: RegionInfo,
    /// Positions 9–17.
    pub org_code: String,
    /// Non-fatal findings, currently only [`CodeError::UsccOrgCodeMismatch`].
    pub warnings: Vec<CodeError>,
}

/// Whatever could be decoded from a (possibly invalid) USCC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsccParts {
    /// Position 1, when it is an ASCII letter or digit.
    pub registering_dept: Option<char>,
    pub registering_dept_name: Option<&'static str>,
    /// Position 2, when it is an ASCII letter or digit.
    pub category: Option<char>,
    pub category_name: Option<&'static str>,
    /// Positions 3–8, when they are 6 digits.
    pub region: Option<String>,
    /// The region, when the lookup knows it.
    pub region_info: Option<RegionInfo>,
    /// Positions 9–17, when they are 9 characters of the charset.
    pub org_code: Option<String>,
}

/// Result of [`analyze`]: the verdict and the parts that could be decoded either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsccAnalysis {
    /// The normalised input.
    pub code: String,
    pub parts: UsccParts,
    pub result: Result<Uscc, CodeError>,
}

/// Looks the registering region up, `100000` being the national level.
fn lookup_region(region: &str, regions: &dyn RegionLookup) -> Option<RegionInfo> {
    if region == NATIONAL_REGION {
        return Some(RegionInfo {
            code: NATIONAL_REGION.to_string(),
            name: "国家".to_string(),
            full_name: "国家".to_string(),
            current: true,
        });
    }
    regions.lookup(region)
}

/// Validates a USCC (after [`normalize`]).
///
/// Order of the checks, the first failure being reported: characters (inner whitespace,
/// full-width, others) → length → charset → check character → department → category →
/// region digits → region lookup. A GB 11714 mismatch in positions 9–17 is a warning.
pub fn parse(input: &str, regions: &dyn RegionLookup) -> Result<Uscc, CodeError> {
    parse_normalized(&normalize(input), regions)
}

/// [`parse`] plus the parts that could be decoded even when the code is invalid.
pub fn analyze(input: &str, regions: &dyn RegionLookup) -> UsccAnalysis {
    let code = normalize(input);
    let parts = decode_parts(&code, regions);
    let result = parse_normalized(&code, regions);
    UsccAnalysis {
        code,
        parts,
        result,
    }
}

fn parse_normalized(code: &str, regions: &dyn RegionLookup) -> Result<Uscc, CodeError> {
    check_plain_chars(code)?;
    // Only ASCII letters and digits from here on: bytes are characters.
    if code.len() != 18 {
        return Err(CodeError::UsccBadLength { len: code.len() });
    }
    let chars: Vec<char> = code.chars().collect();
    if let Some((i, c)) = chars.iter().enumerate().find(|(_, c)| value(**c).is_none()) {
        return Err(CodeError::UsccBadChar {
            pos: i + 1,
            found: *c,
        });
    }
    let (first17, found) = (&code[..17], chars[17]);
    let expected = check_char(first17).ok_or(CodeError::UsccBadLength { len: code.len() })?;
    if expected != found {
        return Err(CodeError::UsccBadCheckChar { expected, found });
    }

    let dept = chars[0];
    let (dept_name, _) = department(dept).ok_or(CodeError::UsccUnknownDept { found: dept })?;
    let category = chars[1];
    let category_name = category_name(dept, category).ok_or(CodeError::UsccUnknownCategory {
        dept,
        dept_name,
        found: category,
    })?;

    if let Some((i, c)) = chars[2..8]
        .iter()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(CodeError::UsccRegionNotDigit {
            pos: i + 3,
            found: *c,
        });
    }
    let region_code = &code[2..8];
    let region = lookup_region(region_code, regions).ok_or(CodeError::UsccUnknownRegion {
        region: region_code.to_string(),
    })?;

    let org = &code[8..17];
    let mut warnings = Vec::new();
    if let Some(org_expected) = org_code::check_char(&org[..8]) {
        let org_found = chars[16];
        if org_expected != org_found {
            warnings.push(CodeError::UsccOrgCodeMismatch {
                org_code: org.to_string(),
                expected: org_expected,
                found: org_found,
            });
        }
    }

    Ok(Uscc {
        code: code.to_string(),
        registering_dept: dept,
        registering_dept_name: dept_name,
        category,
        category_name,
        region,
        org_code: org.to_string(),
        warnings,
    })
}

/// Best-effort decoding of the parts of a possibly invalid code.
fn decode_parts(code: &str, regions: &dyn RegionLookup) -> UsccParts {
    let chars: Vec<char> = code.chars().collect();
    let mut parts = UsccParts::default();
    if let Some(&d) = chars.first().filter(|c| c.is_ascii_alphanumeric()) {
        parts.registering_dept = Some(d);
        parts.registering_dept_name = dept_name(d);
        if let Some(&c) = chars.get(1).filter(|c| c.is_ascii_alphanumeric()) {
            parts.category = Some(c);
            parts.category_name = category_name(d, c);
        }
    }
    if let Some(region) = chars.get(2..8) {
        if region.iter().all(char::is_ascii_digit) {
            let region: String = region.iter().collect();
            parts.region_info = lookup_region(&region, regions);
            parts.region = Some(region);
        }
    }
    if let Some(org) = chars.get(8..17) {
        if org.iter().all(|c| value(*c).is_some()) {
            parts.org_code = Some(org.iter().collect());
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{fixture, AnyRegion};
    use super::*;
    use proptest::prelude::*;

    /// Codes "found online" in python-stdnum's `tests/test_cn_uscc.doctest` (LGPL test data,
    /// facts only), a selection covering every shape: 12…, 91…, 92…, letters in the body, an
    /// `X` org-code check, MA… codes issued after 2015, a check character `0`.
    const STDNUM_VECTORS: &[&str] = &[
        "121200004013590816",
        "91110000600037341L",
        "91110000710926094P",
        "91120224064012553U",
        "911522010783710635",
        "91152201078371135X",
        "9115220107837757XE",
        "9115220107837941X1",
        "91310000631696382C",
        "91310115MA1K3BTP2B",
        "9131012056010553X5",
        "91320214745555318W",
        "913205056082348768",
        "91340600MA2PBM9HXD",
        "91340600MA2PBP2120",
        "91340603MA2UJXXCXF",
        "91420684MA4927PJ7B",
        "91440300568520498A",
        "9144030071526726XG",
        "9144060573144633XL",
        "91620105L015101280",
        "91620105MA73NBBLXE",
        "92340602MA2PBMEM24",
        "92340602MA2UK33127",
        "92340603MA2PBMYMX1",
        "92340603MA2UK1TD00",
        "92340604MA2PBNQNXM",
        "92340621MA2PBKRXXG",
        "92340621MA2UK3PJXE",
    ];

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
        assert_eq!(CHARSET.len(), 31);
    }

    #[test]
    fn published_vectors_are_valid() {
        for code in STDNUM_VECTORS {
            let u = parse(code, &AnyRegion).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(u.warnings.is_empty(), "{code}: {:?}", u.warnings);
            assert!(has_valid_check_char(code));
        }
        // python-stdnum's invalid examples.
        assert_eq!(
            parse("91110000600037341N", &AnyRegion),
            Err(CodeError::UsccBadCheckChar {
                expected: 'L',
                found: 'N'
            })
        );
        assert_eq!(
            parse("9111000060003IOZSV", &AnyRegion),
            Err(CodeError::UsccBadChar {
                pos: 14,
                found: 'I'
            })
        );
        assert_eq!(
            parse("12345", &AnyRegion),
            Err(CodeError::UsccBadLength { len: 5 })
        );
        assert!(matches!(
            parse("A1110000600037341L", &AnyRegion),
            Err(CodeError::UsccBadCheckChar { .. })
        ));
    }

    #[test]
    fn published_vectors_against_the_national_table() {
        // Includes 120224 宝坻县 (abolished 2001) and codes registered at prefecture level.
        let t = crate::regions::RegionTable::national();
        for code in STDNUM_VECTORS {
            let u = parse(code, t).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(!u.region.full_name.is_empty());
        }
        let u = parse("91120224064012553U", t).unwrap();
        assert_eq!(u.region.name, "宝坻县");
        assert!(!u.region.current);
        let u = parse("914403001922038216", t).unwrap();
        assert_eq!(u.region.full_name, "广东省深圳市");
    }

    #[test]
    fn well_known_bodies() {
        // 华为技术有限公司 (verified on its Wikipedia infobox), registered in 深圳市.
        let u = parse("914403001922038216", &fixture()).unwrap();
        assert_eq!(u.registering_dept_name, "工商");
        assert_eq!(u.category_name, "企业");
        assert_eq!(u.region.full_name, "广东省深圳市");
        assert_eq!(u.org_code, "192203821");
        // 中国工商银行股份有限公司, registered at the national level (100000).
        let u = parse("91100000100003962T", &fixture()).unwrap();
        assert_eq!(u.region.code, "100000");
        assert_eq!(u.region.name, "国家");
        assert_eq!(u.org_code, "100003962");
    }

    #[test]
    fn decodes_all_parts() {
        let u = parse(" 91320402123456788q", &fixture()).unwrap();
        assert_eq!(u.code, "91320402123456788Q");
        assert_eq!((u.registering_dept, u.registering_dept_name), ('9', "工商"));
        assert_eq!((u.category, u.category_name), ('1', "企业"));
        assert_eq!(u.region.full_name, "江苏省常州市天宁区");
        assert_eq!(u.org_code, "123456788");
        assert!(u.warnings.is_empty());
    }

    #[test]
    fn every_department_and_category() {
        let f = fixture();
        let cases = [
            (
                "92320412000000000X",
                "工商",
                "个体工商户",
                "江苏省常州市武进区",
            ),
            (
                "51320402123456788W",
                "民政",
                "社会团体",
                "江苏省常州市天宁区",
            ),
            ("Y13204021234567883", "其他", "其他", "江苏省常州市天宁区"),
            (
                "A1320402123456788P",
                "中央军委改革和编制办公室",
                "军队事业单位",
                "江苏省常州市天宁区",
            ),
            (
                "N23204021234567888",
                "农业",
                "村级集体经济组织",
                "江苏省常州市天宁区",
            ),
            ("11100000123456788R", "机构编制", "机关", "国家"),
            (
                "33320402123456788Q",
                "司法行政",
                "基层法律服务所",
                "江苏省常州市天宁区",
            ),
            ("693204021234567883", "旅游", "其他", "江苏省常州市天宁区"),
        ];
        for (code, dept, cat, region) in cases {
            let u = parse(code, &f).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(u.registering_dept_name, dept);
            assert_eq!(u.category_name, cat);
            assert_eq!(u.region.full_name, region);
        }
        for (d, name, cats) in DEPARTMENTS {
            assert_eq!(dept_name(*d), Some(*name));
            assert!(value(*d).is_some());
            for (c, cname) in *cats {
                assert_eq!(category_name(*d, *c), Some(*cname));
            }
        }
        assert_eq!(category_name('9', '9'), None);
        assert_eq!(category_name('Y', '9'), None);
        assert_eq!(dept_name('B'), None);
    }

    #[test]
    fn historical_region_is_accepted() {
        let u = parse("91320482123456788L", &fixture()).unwrap();
        assert_eq!(u.region.name, "金坛市");
        assert!(!u.region.current);
        let u = parse("92320413000000000C", &fixture()).unwrap();
        assert!(u.region.current);
    }

    #[test]
    fn error_paths() {
        let f = fixture();
        let cases: Vec<(&str, CodeError)> = vec![
            ("", CodeError::Empty),
            (
                "9132 0402123456788Q",
                CodeError::InnerWhitespace {
                    pos: 5,
                    what: "空格",
                },
            ),
            (
                "9132０402123456788Q",
                CodeError::FullWidthChar {
                    pos: 5,
                    found: '０',
                    ascii: '0',
                },
            ),
            (
                "9132-0402123456788Q",
                CodeError::InvalidChar { pos: 5, found: '-' },
            ),
            ("91320402123456788", CodeError::UsccBadLength { len: 17 }),
            ("91320402123456788QQ", CodeError::UsccBadLength { len: 19 }),
            (
                "9132O402123456788Q",
                CodeError::UsccBadChar { pos: 5, found: 'O' },
            ),
            (
                "91320402123456788Z",
                CodeError::UsccBadChar {
                    pos: 18,
                    found: 'Z',
                },
            ),
            (
                "91320402123456788R",
                CodeError::UsccBadCheckChar {
                    expected: 'Q',
                    found: 'R',
                },
            ),
            (
                "B1320402123456788N",
                CodeError::UsccUnknownDept { found: 'B' },
            ),
            (
                "94320402123456788F",
                CodeError::UsccUnknownCategory {
                    dept: '9',
                    dept_name: "工商",
                    found: '4',
                },
            ),
            (
                "9B320402123456788R",
                CodeError::UsccUnknownCategory {
                    dept: '9',
                    dept_name: "工商",
                    found: 'B',
                },
            ),
            (
                "913204A2123456788K",
                CodeError::UsccRegionNotDigit { pos: 7, found: 'A' },
            ),
            (
                "91999999123456788P",
                CodeError::UsccUnknownRegion {
                    region: "999999".into(),
                },
            ),
        ];
        for (code, expected) in cases {
            assert_eq!(parse(code, &f), Err(expected), "{code}");
        }
        assert_eq!(
            parse("94320402123456788F", &f).unwrap_err().to_string(),
            "第2位机构类别代码'4'不是登记管理部门“工商”（9）下的机构类别"
        );
        assert_eq!(
            parse("91999999123456788P", &f).unwrap_err().code(),
            "uscc_unknown_region"
        );
    }

    #[test]
    fn org_code_mismatch_is_a_warning() {
        let u = parse("913204021234567800", &fixture()).unwrap();
        assert_eq!(
            u.warnings,
            vec![CodeError::UsccOrgCodeMismatch {
                org_code: "123456780".into(),
                expected: '8',
                found: '0',
            }]
        );
        assert_eq!(
            u.warnings[0].to_string(),
            "第9–17位主体标识码123456780不符合GB 11714校验规则：第17位应为8，实际为0"
        );
        assert_eq!(u.warnings[0].code(), "uscc_org_code_mismatch");
    }

    #[test]
    fn analyze_keeps_parts_of_invalid_codes() {
        let f = fixture();
        let a = analyze("91320402123456788R", &f);
        assert!(a.result.is_err());
        assert_eq!(a.parts.registering_dept_name, Some("工商"));
        assert_eq!(a.parts.category_name, Some("企业"));
        assert_eq!(
            a.parts.region_info.map(|r| r.full_name).as_deref(),
            Some("江苏省常州市天宁区")
        );
        assert_eq!(a.parts.org_code.as_deref(), Some("123456788"));

        let a = analyze("B4999999", &f);
        assert_eq!(a.parts.registering_dept, Some('B'));
        assert_eq!(a.parts.registering_dept_name, None);
        assert_eq!(a.parts.category_name, None);
        assert_eq!(a.parts.region.as_deref(), Some("999999"));
        assert_eq!(a.parts.region_info, None);
        assert_eq!(a.parts.org_code, None);

        let a = analyze("金", &f);
        assert_eq!(a.parts, UsccParts::default());
    }

    #[test]
    fn check_char_rejects_bad_input() {
        assert_eq!(check_char("9132040212345678"), None);
        assert_eq!(check_char("913204021234567I8"), None);
        assert_eq!(check_char("9132040212345678８"), None);
        assert_eq!(check_char("91320402123456788"), Some('Q'));
        assert!(!has_valid_check_char("91320402123456788"));
        assert!(!has_valid_check_char("91320402123456788QQ"));
        assert!(!has_valid_check_char("91320402123456788８"));
    }

    proptest! {
        #[test]
        fn computed_check_char_validates(body in "[0-9A-HJ-NPQRTUWXY]{17}") {
            let c = check_char(&body).unwrap();
            let code = format!("{body}{c}");
            prop_assert!(has_valid_check_char(&code));
        }

        #[test]
        fn any_single_change_is_caught(
            body in "[0-9A-HJ-NPQRTUWXY]{17}",
            pos in 0usize..18,
            replacement in 0usize..31,
        ) {
            let code = format!("{body}{}", check_char(&body).unwrap());
            let mut chars: Vec<char> = code.chars().collect();
            let new = CHARSET.chars().nth(replacement).unwrap();
            prop_assume!(chars[pos] != new);
            chars[pos] = new;
            let changed: String = chars.into_iter().collect();
            prop_assert!(!has_valid_check_char(&changed));
            prop_assert!(parse(&changed, &AnyRegion).is_err());
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = analyze(&s, &fixture());
        }
    }
}
