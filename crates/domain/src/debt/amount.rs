//! Amounts as the debt files give them: decimal 万元 (`12345.67`, `1,234.5`, full-width digits
//! folded), held as integer 分 (1 万元 = 1,000,000 分) — exact, never a float.

use super::DebtError;

/// 分 per 万元.
pub const FEN_PER_WAN: i64 = 1_000_000;

/// Parse decimal 万元 into 分. Refuses negative amounts (their own error), more than six
/// decimals, exponents, and anything that is not a number.
pub fn parse_wan(input: &str) -> Result<i64, DebtError> {
    let shown = input.trim().to_string();
    let folded: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' | '−' => '-',
            '＋' => '+',
            other => other,
        })
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    let folded = folded
        .strip_suffix("万元")
        .unwrap_or(&folded)
        .trim()
        .to_string();
    let bad = || DebtError::AmountInvalid(shown.clone());
    let (neg, s) = match folded.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, folded.strip_prefix('+').unwrap_or(&folded)),
    };
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 6
        || (s.contains('.') && frac.is_empty())
        || whole.len() > 12
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    for _ in frac.len()..6 {
        f *= 10;
    }
    let fen = w
        .checked_mul(FEN_PER_WAN)
        .and_then(|v| v.checked_add(f))
        .ok_or_else(bad)?;
    if neg && fen != 0 {
        return Err(DebtError::AmountNegative(shown));
    }
    Ok(fen)
}

/// 分 as 万元 with two decimals, rounded half up (`1234567890` → `1234.57`): for display.
pub fn fen_to_wan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = i128::from(fen).unsigned_abs();
    // hundredths of a 万元 = 10,000 分.
    let h = (a + 5_000) / 10_000;
    format!("{sign}{}.{:02}", h / 100, h % 100)
}

/// 分 as exact 万元 (up to six decimals, trailing zeros dropped): for files and the API.
pub fn fen_to_wan_exact(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    let w = a / FEN_PER_WAN as u64;
    let f = a % FEN_PER_WAN as u64;
    if f == 0 {
        return format!("{sign}{w}");
    }
    let frac = format!("{f:06}");
    format!("{sign}{w}.{}", frac.trim_end_matches('0'))
}
