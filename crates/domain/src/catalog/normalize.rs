//! Normalisation of headers, enum tokens and cell text (width folding, invisible characters).

/// Folds one character to half-width: full-width ASCII (U+FF01–U+FF5E, e.g. `（`, `）`, `＿`,
/// `Ａ`, `１`) to ASCII, the ideographic space to a space, `【】` to `[]`.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '【' => '[',
        '】' => ']',
        _ => c,
    }
}

pub(super) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'
    )
}

/// Folds width and drops a BOM and zero-width characters, then trims.
pub(super) fn fold_value(raw: &str) -> String {
    raw.chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_width)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Normalises a column header for matching: width folded, BOM / zero-width characters and all
/// whitespace removed, one trailing colon removed, ASCII lower-cased.
pub fn normalize_header(header: &str) -> String {
    let mut s: String = header
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if s.ends_with(':') {
        s.pop();
    }
    s
}

/// Normalises an enum cell or severity cell for matching (as headers, without the colon rule).
pub(super) fn normalize_token(raw: &str) -> String {
    raw.chars()
        .filter(|c| !is_invisible(*c))
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// For all-digit codes, the digits without leading zeros (so Excel's `1` matches `01`).
pub(super) fn numeric_key(s: &str) -> Option<String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let t = s.trim_start_matches('0');
        Some(if t.is_empty() { "0".into() } else { t.into() })
    } else {
        None
    }
}

pub(super) fn is_snake_case(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && !s.ends_with('_')
        && !s.contains("__")
}
