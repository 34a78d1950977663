//! Checked cell values and the parsing of raw cells by a field's type (dates, numbers, enums).

use super::*;

/// A checked cell value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// An optional cell left empty.
    Empty,
    /// Trimmed text.
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A normalised decimal: optional `-`, no superfluous leading zeros, no trailing fractional
    /// zeros, no `.` without fraction (`"1234.5"`, `"0.000001"`, `"-3"`).
    Decimal(String),
    /// A whole number.
    Integer(i64),
    /// The code of an enum value.
    Enum(String),
    /// A USCC or ID number, trimmed, half-width and upper-cased, not yet checked.
    Code(String),
}

impl FieldValue {
    /// Whether the value is [`FieldValue::Empty`].
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// The date, if this is a date.
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Self::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// The textual content of text, decimal, enum (the code) and code values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Text(s) | Self::Decimal(s) | Self::Enum(s) | Self::Code(s) => Some(s),
            _ => None,
        }
    }
}

impl FieldDef {
    /// Whether `header` (normalised) names this field by title, alias or English name.
    pub fn matches_header(&self, header: &str) -> bool {
        let h = normalize_header(header);
        self.column_keys().any(|k| normalize_header(k) == h)
    }

    pub(super) fn column_keys(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(std::iter::once(self.title.as_str()))
            .chain(self.aliases.iter().map(String::as_str))
    }

    /// Checks and normalises a raw cell value.
    ///
    /// A control character gives [`FieldError::ControlCharacter`] (see [`crate::text`]).
    /// Empty (after trimming) gives [`FieldError::Required`] for required fields and
    /// [`FieldValue::Empty`] otherwise. Full-width digits, letters and punctuation are folded
    /// first. USCC and ID-number fields are only normalised (trim, half-width, upper case).
    pub fn parse_value(&self, raw: &str) -> Result<FieldValue, FieldError> {
        if let Some(c) = crate::text::control_character(raw) {
            return Err(FieldError::ControlCharacter {
                title: self.title.clone(),
                codepoint: crate::text::codepoint(c),
            });
        }
        let value = fold_value(raw);
        if value.is_empty() {
            return if self.required {
                Err(FieldError::Required {
                    title: self.title.clone(),
                })
            } else {
                Ok(FieldValue::Empty)
            };
        }
        match &self.kind {
            FieldType::Text { max_len } => {
                // Keep the original characters (full-width text is legitimate in Chinese text);
                // only trim it.
                let text: String = raw
                    .chars()
                    .filter(|c| !is_invisible(*c))
                    .collect::<String>()
                    .trim()
                    .to_string();
                let len = text.chars().count();
                if len > *max_len as usize {
                    return Err(FieldError::TooLong {
                        title: self.title.clone(),
                        max_len: *max_len,
                        len,
                    });
                }
                Ok(FieldValue::Text(text))
            }
            FieldType::Date => parse_date(&value)
                .map(FieldValue::Date)
                .map_err(|e| match e {
                    DateError::Format => FieldError::InvalidDate {
                        title: self.title.clone(),
                        raw: raw.trim().to_string(),
                    },
                    DateError::Impossible => FieldError::ImpossibleDate {
                        title: self.title.clone(),
                        raw: raw.trim().to_string(),
                    },
                }),
            FieldType::Decimal {
                scale,
                allow_negative,
            } => parse_decimal(&value, *scale, *allow_negative)
                .map(FieldValue::Decimal)
                .map_err(|e| self.number_error(e, raw)),
            FieldType::Integer { allow_negative } => parse_integer(&value, *allow_negative)
                .map(FieldValue::Integer)
                .map_err(|e| self.number_error(e, raw)),
            FieldType::Enum { values } => {
                let key = normalize_token(&value);
                let num = numeric_key(&key);
                values
                    .iter()
                    .find(|v| {
                        std::iter::once(&v.code)
                            .chain(std::iter::once(&v.label))
                            .chain(v.aliases.iter())
                            .any(|s| normalize_token(s) == key)
                            || (num.is_some() && numeric_key(&v.code) == num)
                    })
                    .map(|v| FieldValue::Enum(v.code.clone()))
                    .ok_or_else(|| FieldError::InvalidEnum {
                        title: self.title.clone(),
                        raw: raw.trim().to_string(),
                        allowed: values
                            .iter()
                            .map(|v| {
                                if v.code == v.label {
                                    v.label.clone()
                                } else {
                                    format!("{} {}", v.code, v.label)
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("、"),
                    })
            }
            FieldType::Uscc | FieldType::IdNumber | FieldType::UsccOrId => {
                Ok(FieldValue::Code(value.to_uppercase()))
            }
        }
    }

    fn number_error(&self, e: NumberError, raw: &str) -> FieldError {
        let title = self.title.clone();
        let raw = raw.trim().to_string();
        match e {
            NumberError::Format if matches!(self.kind, FieldType::Integer { .. }) => {
                FieldError::InvalidInteger { title, raw }
            }
            NumberError::Format => FieldError::InvalidDecimal { title, raw },
            NumberError::Scale(scale) => FieldError::DecimalScale { title, raw, scale },
            NumberError::TooLarge => FieldError::NumberTooLarge { title, raw },
            NumberError::Negative => FieldError::Negative { title, raw },
        }
    }
}

enum DateError {
    Format,
    Impossible,
}

fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    let v = s[..n].parse().ok()?;
    Some((v, &s[n..]))
}

/// Accepts `HH:MM`, `HH:MM:SS` and `HH:MM:SS.fff` after a date (export timestamps).
fn is_time(s: &str) -> bool {
    let (main, frac) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    let parts: Vec<&str> = main.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return false;
    }
    let limits = [23u32, 59, 59];
    parts.iter().zip(limits).all(|(p, lim)| {
        (1..=2).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|v| v <= lim)
    })
}

/// Parses `2025-01-24`, `2025/1/24`, `2025.01.24`, `20250124`, `2025年1月24日` (optionally
/// followed by a time of day, which is ignored).
fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let (date_part, rest) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    if !rest.is_empty() && !is_time(rest) {
        return Err(DateError::Format);
    }
    let (y, m, d) = if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        let y = date_part[..4].parse().map_err(|_| DateError::Format)?;
        let m = date_part[4..6].parse().map_err(|_| DateError::Format)?;
        let d = date_part[6..].parse().map_err(|_| DateError::Format)?;
        (y, m, d)
    } else {
        let (y, r) = take_digits(date_part, 4, 4).ok_or(DateError::Format)?;
        let sep = r.chars().next().ok_or(DateError::Format)?;
        let (sep2, end) = match sep {
            '-' | '/' | '.' => (sep, None),
            '年' => ('月', Some('日')),
            _ => return Err(DateError::Format),
        };
        let (m, r) = take_digits(&r[sep.len_utf8()..], 1, 2).ok_or(DateError::Format)?;
        let r = r.strip_prefix(sep2).ok_or(DateError::Format)?;
        let (d, r) = take_digits(r, 1, 2).ok_or(DateError::Format)?;
        let r = match end {
            Some(e) => r.strip_prefix(e).unwrap_or(r),
            None => r,
        };
        if !r.is_empty() {
            return Err(DateError::Format);
        }
        (y as i32, m, d)
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::Impossible)
}

enum NumberError {
    Format,
    Scale(u32),
    TooLarge,
    Negative,
}

/// Most integer digits a decimal may have (money in 元 up to 10^20 is already absurd).
const MAX_INTEGER_DIGITS: usize = 20;

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = s.strip_prefix('+') {
        (false, r)
    } else {
        (false, s)
    }
}

/// Removes thousands separators if they group the integer part correctly (`1,234,567`).
fn strip_grouping(int: &str) -> Result<String, NumberError> {
    if !int.contains(',') {
        return Ok(int.to_string());
    }
    let groups: Vec<&str> = int.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if first_ok && rest_ok {
        Ok(groups.concat())
    } else {
        Err(NumberError::Format)
    }
}

fn parse_decimal(s: &str, scale: u32, allow_negative: bool) -> Result<String, NumberError> {
    let (negative, body) = split_sign(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let int = strip_grouping(int)?;
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(NumberError::Format);
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if frac.len() > scale as usize {
        return Err(NumberError::Scale(scale));
    }
    if int.len() > MAX_INTEGER_DIGITS {
        return Err(NumberError::TooLarge);
    }
    let is_zero = int.is_empty() && frac.is_empty();
    if negative && !is_zero && !allow_negative {
        return Err(NumberError::Negative);
    }
    let mut out = String::new();
    if negative && !is_zero {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Ok(out)
}

fn parse_integer(s: &str, allow_negative: bool) -> Result<i64, NumberError> {
    let (negative, body) = split_sign(s);
    // Spreadsheet cells often carry "2024.0".
    let body = match body.split_once('.') {
        Some((i, f)) if !f.is_empty() && f.bytes().all(|b| b == b'0') => i,
        Some(_) => return Err(NumberError::Format),
        None => body,
    };
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::Format);
    }
    let v: i64 = body.parse().map_err(|_| NumberError::TooLarge)?;
    if negative && v != 0 && !allow_negative {
        return Err(NumberError::Negative);
    }
    Ok(if negative { -v } else { v })
}
