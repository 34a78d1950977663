//! Amounts (金额) in decimal yuan, held as integer 分 — never floats.

use super::CommitmentError;

/// Parse decimal yuan (`1250000`, `1250000.5`, `1,250,000.00`, full-width digits folded) into
/// 分. Refuses signs other than a leading `+`, negative amounts, more than two decimals,
/// exponents and anything that is not a number.
pub fn parse_yuan(input: &str) -> Result<i64, CommitmentError> {
    let folded: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '，' | ',' => ',',
            '－' => '-',
            other => other,
        })
        .filter(|c| *c != ',')
        .collect();
    let bad = || CommitmentError::AmountInvalid(input.trim().to_string());
    if let Some(rest) = folded.strip_prefix('-') {
        if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(CommitmentError::AmountNegative(input.trim().to_string()));
        }
        return Err(bad());
    }
    let s = folded.strip_prefix('+').unwrap_or(&folded);
    let s = s.strip_suffix('元').unwrap_or(s);
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || (s.contains('.') && frac.is_empty())
        || whole.len() > 15
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    w.checked_mul(100)
        .and_then(|v| v.checked_add(f))
        .ok_or_else(bad)
}

/// 分 as decimal yuan with two decimals (`125000050` → `1250000.50`).
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// 分 as decimal 万元 (the catalog's amount unit), exact: `125000050` → `125.000050`.
pub fn yuan_to_wan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    // 1 万元 = 1,000,000 分.
    format!("{sign}{}.{:06}", a / 1_000_000, a % 1_000_000)
}
