//! What text the platform accepts at all: no control characters.
//!
//! A control character (U+0000–U+001F other than tab, line feed and carriage return, or U+007F)
//! is never part of a legitimate name, document number or reason; U+0000 in particular is
//! stored by SQLite but refused by PostgreSQL. Every input is held to this one rule (file
//! cells, API bodies, query strings), so both backends see the same data.

/// The first forbidden control character of `s`, if any.
pub fn control_character(s: &str) -> Option<char> {
    s.chars().find(|&c| is_forbidden(c))
}

/// Whether `c` is a forbidden control character.
pub fn is_forbidden(c: char) -> bool {
    (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7F}'
}

/// `U+0000` style name of a character, for messages.
pub fn codepoint(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters() {
        assert_eq!(control_character("常州市\u{0}"), Some('\u{0}'));
        assert_eq!(control_character("a\u{1b}b"), Some('\u{1b}'));
        assert_eq!(control_character("del\u{7f}"), Some('\u{7f}'));
        assert_eq!(control_character("第一行\n第二行\t\r"), None);
        assert_eq!(control_character("全角　空格、中文，标点"), None);
        assert_eq!(codepoint('\u{0}'), "U+0000");
        assert_eq!(codepoint('\u{7f}'), "U+007F");
    }
}
