//! The canonical comparison form of a name: NFKC, Traditional→Simplified per character,
//! brackets/whitespace/punctuation/control characters removed, ASCII lower-cased.

use std::sync::OnceLock;

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// OpenCC `TSCharacters.txt` (Apache-2.0), see `data/README.md`.
const TS_CHARACTERS: &str = include_str!("../../../../data/names/ts_characters.txt");

/// What normalisation changed, for the explanation of a match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Folds {
    /// Traditional characters folded to Simplified (繁简).
    pub traditional: bool,
    /// Full-width or compatibility forms folded by NFKC (全半角).
    pub width: bool,
    /// ASCII letters lower-cased (大小写).
    pub case: bool,
    /// Bracket characters removed, their content kept (括号).
    pub brackets: bool,
    /// Whitespace, punctuation, symbols or control characters removed (空格标点).
    pub space_punct: bool,
}

impl Folds {
    /// The Chinese labels of what was folded, in a fixed order.
    pub fn labels(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.traditional {
            v.push("繁简");
        }
        if self.width {
            v.push("全半角");
        }
        if self.case {
            v.push("大小写");
        }
        if self.brackets {
            v.push("括号");
        }
        if self.space_punct {
            v.push("空格标点");
        }
        v
    }

    /// Whether anything was folded.
    pub fn any(&self) -> bool {
        self.traditional || self.width || self.case || self.brackets || self.space_punct
    }

    fn merge(&mut self, o: Folds) {
        self.traditional |= o.traditional;
        self.width |= o.width;
        self.case |= o.case;
        self.brackets |= o.brackets;
        self.space_punct |= o.space_punct;
    }
}

/// Traditional → Simplified, sorted by the Traditional character, resolved to a fixed point.
fn ts_table() -> &'static [(char, char)] {
    static T: OnceLock<Vec<(char, char)>> = OnceLock::new();
    T.get_or_init(|| build_ts_table(TS_CHARACTERS))
}

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

fn build_ts_table(text: &str) -> Vec<(char, char)> {
    let mut v: Vec<(char, char)> = Vec::with_capacity(4200);
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(from), Some(to)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Some(from) = single_char(from) else {
            continue;
        };
        let targets: Vec<char> = to.split(' ').filter_map(single_char).collect();
        // A character that is also a Simplified character in its own right (乾, 於, 藉 …)
        // is left alone: folding it would merge distinct Simplified names.
        if targets.contains(&from) {
            continue;
        }
        if let Some(&t) = targets.first() {
            v.push((from, t));
        }
    }
    v.sort_unstable();
    v.dedup_by_key(|p| p.0);
    // Resolve chains (A→B, B→C) so that the output of folding is a fixed point.
    let snapshot = v.clone();
    for entry in v.iter_mut() {
        let mut t = entry.1;
        for _ in 0..4 {
            match snapshot.binary_search_by_key(&t, |p| p.0) {
                Ok(i) => match snapshot.get(i) {
                    Some(&(_, next)) if next != t => t = next,
                    _ => break,
                },
                Err(_) => break,
            }
        }
        entry.1 = t;
    }
    // Drop mappings whose target is not itself NFKC-stable (none are expected).
    v.retain(|&(_, t)| {
        let mut buf = [0u8; 4];
        is_nfkc_quick(t.encode_utf8(&mut buf).chars()) == IsNormalized::Yes
    });
    v
}

/// The Simplified form of one character, if the table folds it.
pub fn simplified_char(c: char) -> Option<char> {
    if c < '\u{3400}' {
        return None;
    }
    let t = ts_table();
    t.binary_search_by_key(&c, |p| p.0)
        .ok()
        .and_then(|i| t.get(i))
        .map(|p| p.1)
}

fn is_bracket(c: char) -> bool {
    matches!(
        c,
        '(' | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '<'
            | '>'
            | '【'
            | '】'
            | '〔'
            | '〕'
            | '〖'
            | '〗'
            | '「'
            | '」'
            | '『'
            | '』'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '（'
            | '）'
            | '［'
            | '］'
            | '｛'
            | '｝'
            | '〘'
            | '〙'
            | '〚'
            | '〛'
    )
}

#[inline]
fn push_char(c: char, out: &mut String, folds: &mut Folds) {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() {
                folds.case = true;
            }
            out.push(c.to_ascii_lowercase());
        } else if is_bracket(c) {
            folds.brackets = true;
        } else {
            folds.space_punct = true;
        }
        return;
    }
    if !c.is_alphanumeric() {
        if is_bracket(c) {
            folds.brackets = true;
        } else {
            folds.space_punct = true;
        }
        return;
    }
    if let Some(s) = simplified_char(c) {
        folds.traditional = true;
        out.push(s);
        return;
    }
    out.push(c);
}

/// Characters whose NFKC form is known without the general algorithm and that never take
/// part in a composition: ASCII, CJK ideographs, CJK punctuation, general punctuation and
/// the full-width ASCII forms. Names made only of these (nearly all) skip NFKC.
#[inline]
fn fast_char(c: char) -> Option<char> {
    match c as u32 {
        0..=0x7F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x2010..=0x205E => Some(c),
        0x3000 => Some(' '),
        0x3001..=0x3037 | 0x303B..=0x303F => Some(c),
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// The fast path: `Some(width folded)` when every character is a [`fast_char`].
fn fast_pass(input: &str, out: &mut String, folds: &mut Folds) -> bool {
    if !input.chars().all(|c| fast_char(c).is_some()) {
        return false;
    }
    for c in input.chars() {
        let f = fast_char(c).unwrap_or(c);
        if f != c {
            folds.width = true;
        }
        push_char(f, out, folds);
    }
    true
}

fn pass(input: &str, out: &mut String, folds: &mut Folds) {
    if is_nfkc_quick(input.chars()) == IsNormalized::Yes {
        for c in input.chars() {
            push_char(c, out, folds);
        }
    } else {
        if input.chars().ne(input.nfkc()) {
            folds.width = true;
        }
        for c in input.nfkc() {
            push_char(c, out, folds);
        }
    }
}

/// [`normalise`] plus what it folded.
pub fn normalise_with_folds(name: &str) -> (String, Folds) {
    let mut folds = Folds::default();
    let mut out = String::with_capacity(name.len());
    if fast_pass(name, &mut out, &mut folds) {
        // The output is ASCII letters and digits, CJK ideographs and 〇: already NFKC.
        return (out, folds);
    }
    pass(name, &mut out, &mut folds);
    // Removing characters can bring together two that NFKC composes (Hangul jamo split by a
    // dot, for instance): repeat until stable so that normalising is idempotent.
    for _ in 0..3 {
        if is_nfkc_quick(out.chars()) == IsNormalized::Yes {
            break;
        }
        let mut next = String::with_capacity(out.len());
        let mut f = Folds::default();
        pass(&out, &mut next, &mut f);
        folds.merge(f);
        out = next;
    }
    (out, folds)
}

/// The canonical comparison form of a name.
///
/// NFKC (full-width → half-width, compatibility ideographs, circled digits …), Traditional →
/// Simplified per character (OpenCC `TSCharacters`), every character that is not a letter or
/// digit removed (brackets — their content is kept —, whitespace, punctuation such as
/// `·、，。.,-_“”‘’`, symbols and control characters), ASCII lower-cased.
///
/// Never panics; idempotent: `normalise(&normalise(x)) == normalise(x)`.
pub fn normalise(name: &str) -> String {
    normalise_with_folds(name).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_loaded_and_sorted() {
        let t = ts_table();
        assert!(t.len() > 3000, "{}", t.len());
        assert!(t.windows(2).all(|w| w[0].0 < w[1].0));
        for &(_, s) in t {
            assert!(simplified_char(s).is_none(), "{s} is not a fixed point");
        }
    }

    #[test]
    fn folds_characters() {
        assert_eq!(simplified_char('設'), Some('设'));
        assert_eq!(simplified_char('廣'), Some('广'));
        assert_eq!(simplified_char('臺'), Some('台'));
        // Characters that are also Simplified characters are kept.
        assert_eq!(simplified_char('乾'), None);
        assert_eq!(simplified_char('於'), None);
        assert_eq!(simplified_char('设'), None);
        assert_eq!(simplified_char('a'), None);
    }

    #[test]
    fn normalises_examples() {
        assert_eq!(
            normalise("南京市建設工程有限公司"),
            "南京市建设工程有限公司"
        );
        assert_eq!(
            normalise("天衡会计师事务所（特殊普通合伙）"),
            "天衡会计师事务所特殊普通合伙"
        );
        assert_eq!(
            normalise("【南京】 ＡＢＣ·科技\u{3000}有限公司。"),
            "南京abc科技有限公司"
        );
        assert_eq!(normalise("A.O.史密斯(中国)"), "ao史密斯中国");
        assert_eq!(normalise("第２９中学"), "第29中学");
        assert_eq!(normalise("张\u{200b}伟\u{0007}"), "张伟");
        assert_eq!(normalise("“南京”‘金陵’-_,."), "南京金陵");
        assert_eq!(normalise("〇①"), "〇1");
        assert_eq!(normalise(""), "");
    }

    #[test]
    fn reports_folds() {
        let (_, f) = normalise_with_folds("南京 華泰（ＡＢ）");
        assert!(f.traditional && f.width && f.brackets && f.space_punct && f.case);
        let (_, f) = normalise_with_folds("南京华泰");
        assert!(!f.any());
    }
}
