//! 标识代码: the identifier codes a credit-information record is keyed by.
//!
//! * [`uscc`] — 统一社会信用代码 (GB 32100-2015), 18 characters.
//! * [`org_code`] — 组织机构代码 (GB 11714-1997), 9 characters; positions 9–17 of a USCC.
//! * [`id_number`] — 公民身份号码 / 居民身份证号 (GB 11643-1999), 18 characters.
//!
//! All parsers first [`normalize`] their input (trim surrounding whitespace, upper-case ASCII
//! letters) and fix nothing else: a full-width digit, an inner space or a letter the code does
//! not use is reported with a precise [`CodeError`] that names the position (1-based, counted in
//! characters of the normalised input).
//!
//! Region codes are checked through the small [`RegionLookup`] trait so that this module does
//! not depend on how the GB/T 2260 table is stored; [`RegionTable`] implements it, and so does a
//! plain `HashMap<String, RegionInfo>` (handy for tests and per-deployment tables).
//!
//! [`classify`] is the single entry point used by the CLI and the API: it guesses the kind of a
//! code, validates it and returns a [`CodeReport`] whose JSON form is documented on the type.
//! The domain has no clock, so the current date is always a parameter.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::regions::RegionTable;

pub mod id_number;
pub mod org_code;
pub mod uscc;

/// Trims surrounding whitespace (Unicode `White_Space`: ASCII spaces, tabs, newlines, the
/// full-width space U+3000, no-break spaces …) and upper-cases ASCII letters.
///
/// Nothing else is changed: inner spaces, full-width digits and other stray characters stay, so
/// that the parsers can report them precisely. The function is idempotent.
pub fn normalize(input: &str) -> String {
    input.trim().to_ascii_uppercase()
}

/// A region as seen by the code validators.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RegionInfo {
    /// The 6-digit code as written in the identifier.
    pub code: String,
    /// The region's own name, e.g. `天宁区`.
    pub name: String,
    /// The name path from the province down, e.g. `江苏省常州市天宁区`.
    pub full_name: String,
    /// `false` when the code has been abolished; identifiers issued under it stay valid.
    pub current: bool,
}

/// Looks a 6-digit administrative-region code up, current **or** historical.
pub trait RegionLookup {
    /// `None` when the code never existed.
    fn lookup(&self, code: &str) -> Option<RegionInfo>;
}

impl RegionLookup for RegionTable {
    fn lookup(&self, code: &str) -> Option<RegionInfo> {
        let region = self.get(code)?;
        Some(RegionInfo {
            code: region.code.clone(),
            name: region.name.clone(),
            // The name path with summary levels (市辖区, 省直辖县级行政区划…) skipped.
            full_name: self.full_name(code).unwrap_or_else(|| region.name.clone()),
            current: region.current,
        })
    }
}

/// A table keyed by code, e.g. a deployment's own list or a test fixture.
impl<S: std::hash::BuildHasher> RegionLookup for HashMap<String, RegionInfo, S> {
    fn lookup(&self, code: &str) -> Option<RegionInfo> {
        self.get(code).cloned()
    }
}

/// Everything that can be wrong with an identifier code.
///
/// `Display` is a precise Chinese message meant for end users; [`CodeError::code`] is a stable
/// machine code. Messages never contain an identity-card number in clear: at most the
/// offending single character, the region code (digits 1–6) or the check character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    // ---- common -------------------------------------------------------------------------
    #[error("代码为空")]
    Empty,
    #[error("第{pos}位是{what}，代码中间不能含空白字符")]
    InnerWhitespace { pos: usize, what: &'static str },
    #[error("第{pos}位字符'{found}'是全角字符，应使用半角字符'{ascii}'")]
    FullWidthChar {
        pos: usize,
        found: char,
        ascii: char,
    },
    #[error("第{pos}位字符{}不是代码允许的字符（只能是数字和大写英文字母）", show(*.found))]
    InvalidChar { pos: usize, found: char },
    #[error("长度为{len}位，无法识别：统一社会信用代码和居民身份证号码均为18位")]
    UnknownLength { len: usize },

    // ---- 统一社会信用代码 -----------------------------------------------------------------
    #[error("统一社会信用代码应为18位，实际为{len}位")]
    UsccBadLength { len: usize },
    #[error("第{pos}位字符'{found}'不是统一社会信用代码允许的字符（不使用I、O、Z、S、V）")]
    UsccBadChar { pos: usize, found: char },
    #[error("第1位登记管理部门代码'{found}'不存在")]
    UsccUnknownDept { found: char },
    #[error("第2位机构类别代码'{found}'不是登记管理部门“{dept_name}”（{dept}）下的机构类别")]
    UsccUnknownCategory {
        dept: char,
        dept_name: &'static str,
        found: char,
    },
    #[error("第{pos}位字符'{found}'应为数字（第3–8位是登记管理机关行政区划码）")]
    UsccRegionNotDigit { pos: usize, found: char },
    #[error("第3–8位登记管理机关行政区划码{region}不是有效的行政区划代码（已核对现行及历史代码）")]
    UsccUnknownRegion { region: String },
    #[error("第18位校验码应为{expected}，实际为{found}")]
    UsccBadCheckChar { expected: char, found: char },
    /// Reported as a **warning** by [`uscc::parse`], see the module documentation.
    #[error(
        "第9–17位主体标识码{org_code}不符合GB 11714校验规则：第17位应为{expected}，实际为{found}"
    )]
    UsccOrgCodeMismatch {
        org_code: String,
        expected: char,
        found: char,
    },

    // ---- 组织机构代码 ---------------------------------------------------------------------
    #[error("组织机构代码应为9位（或“8位-1位”带连字符的10位），实际为{len}位")]
    OrgCodeBadLength { len: usize },
    #[error("第{pos}位字符{}不是组织机构代码允许的字符", show(*.found))]
    OrgCodeBadChar { pos: usize, found: char },
    #[error("第9位校验码应为{expected}，实际为{found}")]
    OrgCodeBadCheckChar { expected: char, found: char },

    // ---- 居民身份证号 ---------------------------------------------------------------------
    #[error("居民身份证号码应为18位，实际为{len}位")]
    IdBadLength { len: usize },
    #[error(
        "15位的第一代居民身份证号码已于2013年1月1日起停止使用，请提供18位号码\
         （在第6位后插入“19”，并重新计算第18位校验码）"
    )]
    IdLegacy15Digit,
    #[error("{}", id_bad_char_message(*.pos, *.found))]
    IdBadChar { pos: usize, found: char },
    #[error("第18位校验码应为{expected}，实际为{found}")]
    IdBadCheckChar { expected: char, found: char },
    #[error("第1–6位行政区划代码{region}不存在（已核对现行及历史代码）")]
    IdUnknownRegion { region: String },
    #[error("以9开头，疑为外国人永久居留身份证号码，不是居民身份证号码")]
    IdForeignPermanentResident,
    #[error("第7–14位出生日期不是有效的日期")]
    IdBadBirthDate,
    #[error("第7–14位出生日期晚于当前日期{today}")]
    IdBirthDateInFuture { today: NaiveDate },
    #[error("第7–14位出生日期早于1850年1月1日")]
    IdBirthDateTooEarly,
}

impl CodeError {
    /// Stable snake_case machine code (part of the public contract of the CLI and the API).
    pub fn code(&self) -> &'static str {
        match self {
            CodeError::Empty => "empty",
            CodeError::InnerWhitespace { .. } => "inner_whitespace",
            CodeError::FullWidthChar { .. } => "fullwidth_char",
            CodeError::InvalidChar { .. } => "invalid_char",
            CodeError::UnknownLength { .. } => "unknown_length",
            CodeError::UsccBadLength { .. } => "uscc_bad_length",
            CodeError::UsccBadChar { .. } => "uscc_bad_char",
            CodeError::UsccUnknownDept { .. } => "uscc_unknown_dept",
            CodeError::UsccUnknownCategory { .. } => "uscc_unknown_category",
            CodeError::UsccRegionNotDigit { .. } => "uscc_region_not_digit",
            CodeError::UsccUnknownRegion { .. } => "uscc_unknown_region",
            CodeError::UsccBadCheckChar { .. } => "uscc_bad_check_char",
            CodeError::UsccOrgCodeMismatch { .. } => "uscc_org_code_mismatch",
            CodeError::OrgCodeBadLength { .. } => "org_code_bad_length",
            CodeError::OrgCodeBadChar { .. } => "org_code_bad_char",
            CodeError::OrgCodeBadCheckChar { .. } => "org_code_bad_check_char",
            CodeError::IdBadLength { .. } => "id_bad_length",
            CodeError::IdLegacy15Digit => "id_legacy_15_digit",
            CodeError::IdBadChar { .. } => "id_bad_char",
            CodeError::IdBadCheckChar { .. } => "id_bad_check_char",
            CodeError::IdUnknownRegion { .. } => "id_unknown_region",
            CodeError::IdForeignPermanentResident => "id_foreign_permanent_resident",
            CodeError::IdBadBirthDate => "id_bad_birth_date",
            CodeError::IdBirthDateInFuture { .. } => "id_birth_date_in_future",
            CodeError::IdBirthDateTooEarly => "id_birth_date_too_early",
        }
    }

    /// Every stable machine code, for documentation and API schemas.
    pub const ALL_CODES: &'static [&'static str] = &[
        "empty",
        "inner_whitespace",
        "fullwidth_char",
        "invalid_char",
        "unknown_length",
        "uscc_bad_length",
        "uscc_bad_char",
        "uscc_unknown_dept",
        "uscc_unknown_category",
        "uscc_region_not_digit",
        "uscc_unknown_region",
        "uscc_bad_check_char",
        "uscc_org_code_mismatch",
        "org_code_bad_length",
        "org_code_bad_char",
        "org_code_bad_check_char",
        "id_bad_length",
        "id_legacy_15_digit",
        "id_bad_char",
        "id_bad_check_char",
        "id_unknown_region",
        "id_foreign_permanent_resident",
        "id_bad_birth_date",
        "id_birth_date_in_future",
        "id_birth_date_too_early",
    ];
}

/// A character quoted for a message; control and invisible format characters as `U+XXXX`.
fn show(c: char) -> String {
    if c.is_control() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}') {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}

fn id_bad_char_message(pos: usize, found: char) -> String {
    if pos == 18 {
        format!("第18位校验码{}无效，只能是数字或X", show(found))
    } else {
        format!("第{pos}位字符{}应为数字", show(found))
    }
}

fn whitespace_name(c: char) -> &'static str {
    match c {
        ' ' => "空格",
        '\u{3000}' => "全角空格",
        '\t' => "制表符",
        '\n' | '\r' => "换行符",
        '\u{A0}' | '\u{202F}' => "不换行空格",
        _ => "空白字符",
    }
}

/// The ASCII letter or digit a full-width form (U+FF10–FF19, U+FF21–FF3A, U+FF41–FF5A) stands
/// for.
fn fullwidth_to_ascii(c: char) -> Option<char> {
    let u = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&u) {
        char::from_u32(u - 0xFEE0).filter(char::is_ascii_alphanumeric)
    } else {
        None
    }
}

/// Checks that `code` is non-empty and made of ASCII letters and digits only; otherwise
/// reports the first offending character precisely.
pub(crate) fn check_plain_chars(code: &str) -> Result<(), CodeError> {
    check_plain_chars_except(code, None)
}

/// As [`check_plain_chars`], but the character at 0-based index `allowed.0` may be `allowed.1`
/// (the hyphen of a written organisation code).
pub(crate) fn check_plain_chars_except(
    code: &str,
    allowed: Option<(usize, char)>,
) -> Result<(), CodeError> {
    if code.is_empty() {
        return Err(CodeError::Empty);
    }
    for (i, c) in code.chars().enumerate() {
        let pos = i + 1;
        if c.is_ascii_alphanumeric() || allowed == Some((i, c)) {
            continue;
        }
        if c.is_whitespace() {
            return Err(CodeError::InnerWhitespace {
                pos,
                what: whitespace_name(c),
            });
        }
        if let Some(ascii) = fullwidth_to_ascii(c) {
            return Err(CodeError::FullWidthChar {
                pos,
                found: c,
                ascii,
            });
        }
        return Err(CodeError::InvalidChar { pos, found: c });
    }
    Ok(())
}

/// Kind of an identifier code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    Uscc,
    IdNumber,
    Unknown,
}

/// A non-fatal finding (`valid` stays `true`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodeWarning {
    /// Stable machine code, same namespace as [`CodeError::code`].
    pub code: &'static str,
    /// Chinese message.
    pub message: String,
}

impl From<&CodeError> for CodeWarning {
    fn from(e: &CodeError) -> Self {
        CodeWarning {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// The decoded parts of a report, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeDetails {
    None,
    Uscc(uscc::UsccParts),
    IdNumber(id_number::IdParts),
}

/// What [`classify`] found out about one code; serialises to exactly the JSON object the CLI
/// prints per code:
///
/// ```json
/// {"code": "...", "kind": "uscc" | "id_number" | "unknown", "valid": true,
///  "reason": null | "<Chinese message>", "reason_code": null | "<machine code>",
///  "masked": false, "warnings": [{"code": "...", "message": "..."}], ...details}
/// ```
///
/// * `code` is the normalised input — **masked** with [`id_number::mask`] when `kind` is
///   `id_number` (then `masked` is `true`), so the output may safely end up in logs.
/// * details for `uscc`: `registering_dept`, `registering_dept_name`, `category`,
///   `category_name`, `region`, `region_name` (full name path), `region_current`, `org_code`;
/// * details for `id_number`: `region`, `region_name` (full name path), `region_current`,
///   `birth_year`, `sex` (`"male"` / `"female"`);
/// * details for `unknown`: none.
///
/// Every detail key is always present for its kind; it is `null` when that part could not be
/// decoded (an invalid code still reports the parts that were decodable).
///
/// **Privacy:** for an ID number only the birth *year* is reported, never the full date: the
/// region (digits 1–6), the full birth date (7–14) and the last 4 characters kept by the mask
/// (15–18) together would give back the whole number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeReport {
    pub code: String,
    pub kind: CodeKind,
    pub valid: bool,
    pub reason: Option<String>,
    pub reason_code: Option<&'static str>,
    pub masked: bool,
    pub warnings: Vec<CodeWarning>,
    pub details: CodeDetails,
}

impl Serialize for CodeReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("kind", &self.kind)?;
        map.serialize_entry("valid", &self.valid)?;
        map.serialize_entry("reason", &self.reason)?;
        map.serialize_entry("reason_code", &self.reason_code)?;
        map.serialize_entry("masked", &self.masked)?;
        map.serialize_entry("warnings", &self.warnings)?;
        match &self.details {
            CodeDetails::None => {}
            CodeDetails::Uscc(p) => {
                map.serialize_entry("registering_dept", &p.registering_dept.map(String::from))?;
                map.serialize_entry("registering_dept_name", &p.registering_dept_name)?;
                map.serialize_entry("category", &p.category.map(String::from))?;
                map.serialize_entry("category_name", &p.category_name)?;
                map.serialize_entry("region", &p.region)?;
                map.serialize_entry(
                    "region_name",
                    &p.region_info.as_ref().map(|r| r.full_name.as_str()),
                )?;
                map.serialize_entry("region_current", &p.region_info.as_ref().map(|r| r.current))?;
                map.serialize_entry("org_code", &p.org_code)?;
            }
            CodeDetails::IdNumber(p) => {
                map.serialize_entry("region", &p.region)?;
                map.serialize_entry(
                    "region_name",
                    &p.region_info.as_ref().map(|r| r.full_name.as_str()),
                )?;
                map.serialize_entry("region_current", &p.region_info.as_ref().map(|r| r.current))?;
                map.serialize_entry("birth_year", &p.birth_date.map(|d| d.year()))?;
                map.serialize_entry("sex", &p.sex)?;
            }
        }
        map.end()
    }
}

/// The code with whitespace removed and full-width letters/digits folded to ASCII: only used
/// to *guess* the kind, never to accept a code.
fn fold_for_kind(code: &str) -> Vec<char> {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| fullwidth_to_ascii(c).unwrap_or(c).to_ascii_uppercase())
        .collect()
}

/// Digits, optionally ending in `X`.
fn digits_with_optional_x(chars: &[char]) -> bool {
    match chars.split_last() {
        Some((last, body)) => {
            body.iter().all(char::is_ascii_digit) && (last.is_ascii_digit() || *last == 'X')
        }
        None => false,
    }
}

/// Validates one code of unknown kind and reports what it is.
///
/// Kind decision, made on the input with whitespace removed and full-width characters folded
/// (so that a full-width or spaced-out ID number is still recognised — and masked — while the
/// report states exactly what is wrong with it):
///
/// 1. 18 characters, the first 17 digits and the last a digit or `X`: tried as an ID number.
///    If that fails and the input is a valid USCC (a USCC can be all digits, e.g.
///    `911522010783710635`), it is reported as a USCC; otherwise as an invalid ID number.
/// 2. Other 18 characters: USCC.
/// 3. 15 to 19 digits (optionally ending in `X`): an ID number of the wrong length (a 15-digit
///    first-generation number gets its own reason). Such input is masked because it is most
///    likely a mistyped identity number.
/// 4. Anything else: `unknown`, with the reason about the characters or the length.
pub fn classify(input: &str, regions: &dyn RegionLookup, today: NaiveDate) -> CodeReport {
    let code = normalize(input);
    let folded = fold_for_kind(&code);
    let id_shaped = digits_with_optional_x(&folded);
    if folded.len() == 18 && id_shaped {
        let analysis = id_number::analyze(&code, regions, today);
        if analysis.result.is_err() && code.is_ascii() {
            let as_uscc = uscc::analyze(&code, regions);
            if as_uscc.result.is_ok() {
                return uscc_report(as_uscc);
            }
        }
        return id_report(analysis);
    }
    if folded.len() == 18 {
        return uscc_report(uscc::analyze(&code, regions));
    }
    if (15..=19).contains(&folded.len()) && id_shaped {
        return id_report(id_number::analyze(&code, regions, today));
    }
    let error = match check_plain_chars(&code) {
        Err(e) => e,
        Ok(()) => CodeError::UnknownLength {
            len: code.chars().count(),
        },
    };
    CodeReport {
        code,
        kind: CodeKind::Unknown,
        valid: false,
        reason: Some(error.to_string()),
        reason_code: Some(error.code()),
        masked: false,
        warnings: Vec::new(),
        details: CodeDetails::None,
    }
}

fn uscc_report(a: uscc::UsccAnalysis) -> CodeReport {
    let (valid, reason, reason_code, warnings) = match &a.result {
        Ok(u) => (
            true,
            None,
            None,
            u.warnings.iter().map(CodeWarning::from).collect(),
        ),
        Err(e) => (false, Some(e.to_string()), Some(e.code()), Vec::new()),
    };
    CodeReport {
        code: a.code,
        kind: CodeKind::Uscc,
        valid,
        reason,
        reason_code,
        masked: false,
        warnings,
        details: CodeDetails::Uscc(a.parts),
    }
}

fn id_report(a: id_number::IdAnalysis) -> CodeReport {
    let (valid, reason, reason_code) = match &a.result {
        Ok(_) => (true, None, None),
        Err(e) => (false, Some(e.to_string()), Some(e.code())),
    };
    CodeReport {
        code: a.masked,
        kind: CodeKind::IdNumber,
        valid,
        reason,
        reason_code,
        masked: true,
        warnings: Vec::new(),
        details: CodeDetails::IdNumber(a.parts),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Region fixtures shared by the unit tests of this module tree.
    use super::*;

    fn info(code: &str, name: &str, full_name: &str, current: bool) -> (String, RegionInfo) {
        (
            code.to_string(),
            RegionInfo {
                code: code.to_string(),
                name: name.to_string(),
                full_name: full_name.to_string(),
                current,
            },
        )
    }

    /// A few real GB/T 2260 codes, current and historical.
    pub fn fixture() -> HashMap<String, RegionInfo> {
        [
            info("110000", "北京市", "北京市", true),
            info("110101", "东城区", "北京市东城区", true),
            info("110105", "朝阳区", "北京市朝阳区", true),
            info("310000", "上海市", "上海市", true),
            info("310104", "徐汇区", "上海市徐汇区", true),
            info("320000", "江苏省", "江苏省", true),
            info("320102", "玄武区", "江苏省南京市玄武区", true),
            info("320400", "常州市", "江苏省常州市", true),
            info("320402", "天宁区", "江苏省常州市天宁区", true),
            info("320412", "武进区", "江苏省常州市武进区", true),
            info("320413", "金坛区", "江苏省常州市金坛区", true),
            // 金坛市, abolished in 2015 when it became 金坛区 (320413).
            info("320482", "金坛市", "江苏省常州市金坛市", false),
            info("440300", "深圳市", "广东省深圳市", true),
            // 宝坻县, abolished in 2001 (宝坻区 120115).
            info("120224", "宝坻县", "天津市宝坻县", false),
        ]
        .into_iter()
        .collect()
    }

    /// Accepts every 6-digit code: for checksum-only tests over published vectors.
    pub struct AnyRegion;

    impl RegionLookup for AnyRegion {
        fn lookup(&self, code: &str) -> Option<RegionInfo> {
            (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then(|| RegionInfo {
                code: code.to_string(),
                name: format!("区划{code}"),
                full_name: format!("区划{code}"),
                current: true,
            })
        }
    }

    pub fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod national;
