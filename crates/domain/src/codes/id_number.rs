//! 公民身份号码 / 居民身份证号 (GB 11643-1999).
//!
//! 18 characters: 6-digit region code (GB/T 2260) of the place of first registration, 8-digit
//! birth date `YYYYMMDD`, 3-digit sequence (odd for men, even for women) and a check character.
//! The check character is ISO 7064 MOD 11-2: with weights `Wi = 2^(18−i) mod 11` for positions
//! i = 1..17 (`7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2`), `Σ Ai·Wi mod 11` = 0..10 maps to
//! `1 0 X 9 8 7 6 5 4 3 2`.
//!
//! Rules applied here beyond the standard's arithmetic:
//!
//! * The region code is checked against current **and** historical codes: a number issued under
//!   a county that was abolished since (e.g. 金坛市 320482, now 金坛区 320413) stays valid for
//!   life. Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证) use
//!   the same format with 810000 / 820000 / 830000 and are accepted as such; 830000 is not a
//!   GB/T 2260 code.
//! * A number starting with `9` (no GB/T 2260 province starts with 9) is most likely a
//!   2023-format 外国人永久居留身份证 number, which uses the same check character; it is
//!   rejected with its own reason rather than "unknown region".
//! * The birth date must be a real date, not after `today` (a parameter: the domain has no
//!   clock) and not before 1850-01-01.
//! * 15-digit first-generation numbers (no century, no check character) stopped being valid on
//!   2013-01-01, when the first-generation cards ceased to be legal ID; they are rejected with
//!   a hint to supply the 18-digit form. [`upgrade_15`] computes that form for callers that
//!   need to match old records.
//!
//! Privacy: an [`IdNumber`] never prints the number in clear (`Debug` masks it), error
//! messages never contain it, and [`mask`] is what reports show.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;

use super::{check_plain_chars, normalize, CodeError, RegionInfo, RegionLookup};

/// `Wi = 2^(18−i) mod 11` for positions 1–17.
pub const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for `Σ mod 11` = 0..10.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The earliest birth date accepted.
pub const EARLIEST_BIRTH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1850, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Region codes of 港澳台居民居住证, which are ID numbers in the GB 11643 format.
const PERMIT_REGIONS: &[(&str, &str)] = &[
    ("810000", "香港特别行政区"),
    ("820000", "澳门特别行政区"),
    ("830000", "台湾地区"),
];

/// Sex encoded by position 17.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// The check character for the first 17 characters, `None` unless they are 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    CHECK_CHARS.get(usize::try_from(sum % 11).ok()?).copied()
}

/// Whether `number` is 17 digits followed by the right check character (nothing else is
/// checked).
pub fn has_valid_check_char(number: &str) -> bool {
    match (number.get(..17), number.get(17..)) {
        (Some(body), Some(last)) if last.len() == 1 => {
            check_char(body).is_some_and(|c| last.starts_with(c))
        }
        _ => false,
    }
}

/// Masks an ID number for display and logs: the first 4 and last 4 characters of the
/// normalised input around 10 `*`, e.g. `3204**********1234`.
///
/// Never panics. Input that is not ASCII or shorter than 15 characters is masked fully (one
/// `*` per character), so the output never shows more than 8 characters of the input.
pub fn mask(input: &str) -> String {
    let s = normalize(input);
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if s.is_ascii() && n >= 15 {
        let mut out: String = chars[..4].iter().collect();
        out.push_str("**********");
        out.extend(&chars[n - 4..]);
        out
    } else {
        "*".repeat(n)
    }
}

/// The 18-digit form of a 15-digit first-generation number (century `19` inserted after the
/// region code, check character appended), `None` unless `old` is 15 ASCII digits.
pub fn upgrade_15(old: &str) -> Option<String> {
    let old = normalize(old);
    if old.len() != 15 || !old.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = format!("{}19{}", &old[..6], &old[6..]);
    let check = check_char(&body)?;
    Some(format!("{body}{check}"))
}

/// Whether a run of ASCII digits (and `X`/`x`) found in free text is plausibly an ID number:
/// 18 characters (17 digits and a valid GB 11643 check character, either case) or 15
/// characters (14 digits, then a digit or `X`/`x`), with a real birth date where it belongs
/// (year 1900–2100), so that an all-digit USCC or a long document number is left alone.
pub fn looks_like_id(run: &str) -> bool {
    let run = run.to_ascii_uppercase();
    let digits = |n: usize| {
        run.get(..n)
            .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()))
    };
    let last_ok = run
        .bytes()
        .last()
        .is_some_and(|b| b.is_ascii_digit() || b == b'X');
    let birth = match run.len() {
        18 if digits(17) && has_valid_check_char(&run) => run[6..14].to_string(),
        15 if digits(14) && last_ok => format!("19{}", &run[6..12]),
        _ => return false,
    };
    NaiveDate::parse_from_str(&birth, "%Y%m%d")
        .is_ok_and(|d| (1900..=2100).contains(&chrono::Datelike::year(&d)))
}

/// Masks every ID-number-like run in free text with [`mask`] (e.g. `3204**********1231`).
///
/// A run starts at an ASCII digit and goes on over ASCII digits and `X`/`x`; it is masked when
/// [`looks_like_id`] says so (18- and 15-character numbers, either case of `X`), wherever it
/// stands (numbers embedded in Chinese text included). Ordinary numbers, document numbers and
/// all-digit USCCs are left as they are. Text without such a run is returned borrowed.
pub fn mask_in_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || matches!(bytes[i], b'X' | b'x')) {
            i += 1;
        }
        // Runs are ASCII, so `start..i` lies on character boundaries.
        let run = &text[start..i];
        if looks_like_id(run) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copied..start]);
            o.push_str(&mask(run));
            copied = i;
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

/// A valid ID number, decoded.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber {
    number: String,
    /// Region of positions 1–6; `current` is `false` for an abolished code.
    pub region: RegionInfo,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// Positions 15–17.
    pub sequence: u16,
}

impl IdNumber {
    /// The number in clear. Handle with care: use [`IdNumber::masked`] for anything displayed
    /// or logged.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The number masked with [`mask`].
    pub fn masked(&self) -> String {
        mask(&self.number)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdNumber")
            .field("number", &self.masked())
            .field("region", &self.region)
            .field("birth_date", &self.birth_date)
            .field("sex", &self.sex)
            .field("sequence", &self.sequence)
            .finish()
    }
}

/// Whatever could be decoded from a (possibly invalid) ID number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdParts {
    /// Positions 1–6, when they are 6 digits.
    pub region: Option<String>,
    /// The region, when known.
    pub region_info: Option<RegionInfo>,
    /// Positions 7–14, when they form a real date.
    pub birth_date: Option<NaiveDate>,
    /// From position 17, when it is a digit.
    pub sex: Option<Sex>,
}

/// Result of [`analyze`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdAnalysis {
    /// The input, normalised and [masked](mask).
    pub masked: String,
    pub parts: IdParts,
    pub result: Result<IdNumber, CodeError>,
}

/// Looks the region up, with the 港澳台居民居住证 codes as a fallback.
fn lookup_region(region: &str, regions: &dyn RegionLookup) -> Option<RegionInfo> {
    regions.lookup(region).or_else(|| {
        PERMIT_REGIONS
            .iter()
            .find(|(code, _)| *code == region)
            .map(|(code, name)| RegionInfo {
                code: (*code).to_string(),
                name: (*name).to_string(),
                full_name: (*name).to_string(),
                current: true,
            })
    })
}

/// Birth date of positions 7–14 (`digits` are the 8 ASCII digits).
fn birth_date(digits: &str) -> Option<NaiveDate> {
    let year = digits.get(0..4)?.parse().ok()?;
    let month = digits.get(4..6)?.parse().ok()?;
    let day = digits.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

fn sex_of(digit: u32) -> Sex {
    if digit % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    }
}

/// Validates an 18-character ID number (after [`normalize`]).
///
/// Order of the checks, the first failure being reported: characters (inner whitespace,
/// full-width, others) → length (15 digits: first-generation number) → digits 1–17 and check
/// character syntax → check character → region → birth date.
pub fn parse(
    input: &str,
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<IdNumber, CodeError> {
    parse_normalized(&normalize(input), regions, today)
}

/// [`parse`] plus the parts that could be decoded even when the number is invalid, and the
/// masked form of the input.
pub fn analyze(input: &str, regions: &dyn RegionLookup, today: NaiveDate) -> IdAnalysis {
    let number = normalize(input);
    IdAnalysis {
        masked: mask(&number),
        parts: decode_parts(&number, regions),
        result: parse_normalized(&number, regions, today),
    }
}

fn parse_normalized(
    number: &str,
    regions: &dyn RegionLookup,
    today: NaiveDate,
) -> Result<IdNumber, CodeError> {
    check_plain_chars(number)?;
    // Only ASCII letters and digits from here on: bytes are characters.
    let len = number.len();
    if len == 15 && number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodeError::IdLegacy15Digit);
    }
    if len != 18 {
        return Err(CodeError::IdBadLength { len });
    }
    let chars: Vec<char> = number.chars().collect();
    if let Some((i, c)) = chars[..17]
        .iter()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(CodeError::IdBadChar {
            pos: i + 1,
            found: *c,
        });
    }
    let found = chars[17];
    if !(found.is_ascii_digit() || found == 'X') {
        return Err(CodeError::IdBadChar { pos: 18, found });
    }
    let expected = check_char(&number[..17]).ok_or(CodeError::IdBadLength { len })?;
    if expected != found {
        return Err(CodeError::IdBadCheckChar { expected, found });
    }

    let region_code = &number[..6];
    let region = match lookup_region(region_code, regions) {
        Some(r) => r,
        None if number.starts_with('9') => return Err(CodeError::IdForeignPermanentResident),
        None => {
            return Err(CodeError::IdUnknownRegion {
                region: region_code.to_string(),
            })
        }
    };

    let birth_date = birth_date(&number[6..14]).ok_or(CodeError::IdBadBirthDate)?;
    if birth_date < EARLIEST_BIRTH_DATE {
        return Err(CodeError::IdBirthDateTooEarly);
    }
    if birth_date > today {
        return Err(CodeError::IdBirthDateInFuture { today });
    }

    let sequence = number[14..17].parse().map_err(|_| CodeError::IdBadChar {
        pos: 15,
        found: chars[14],
    })?;
    let sex = sex_of(chars[16].to_digit(10).unwrap_or(0));
    Ok(IdNumber {
        number: number.to_string(),
        region,
        birth_date,
        sex,
        sequence,
    })
}

fn decode_parts(number: &str, regions: &dyn RegionLookup) -> IdParts {
    let chars: Vec<char> = number.chars().collect();
    let mut parts = IdParts::default();
    if chars.len() != 18 {
        // Positions only mean something in an 18-character number.
        return parts;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<String> {
        let slice = chars.get(range)?;
        slice
            .iter()
            .all(char::is_ascii_digit)
            .then(|| slice.iter().collect())
    };
    if let Some(region) = digits(0..6) {
        parts.region_info = lookup_region(&region, regions);
        parts.region = Some(region);
    }
    parts.birth_date = digits(6..14).and_then(|d| birth_date(&d));
    parts.sex = chars.get(16).and_then(|c| c.to_digit(10)).map(sex_of);
    parts
}

#[cfg(test)]
mod tests;
