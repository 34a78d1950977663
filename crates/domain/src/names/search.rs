//! The search form of a name and its index grams (信用查询的中文索引).
//!
//! Chinese has no spaces, so a name is indexed as Lucene's CJK analyzer does, by overlapping
//! character n-grams: its unigrams, bigrams and trigrams (up to [`GRAM_MAX`] characters). A
//! query of up to three characters is its own gram: the names containing it are exactly that
//! gram's posting list (one-, two- and three-character queries are how people search Chinese
//! names, and their honest count is one row). A longer query is looked up by its rarest
//! trigram and confirmed against the folded name, so results are exactly the names containing
//! the folded query.
//!
//! Why trigrams as well as bigrams: with bigrams only, a three-character query had to be read
//! through its rarer bigram and confirmed name by name; where both bigrams are common (a place
//! and a trade, `州市天`) that meant thousands of confirmations for a count (p99 157 ms at
//! 1,000,000 subjects, BENCHMARKS.md). A trigram's list is the answer itself.

use crate::catalog::fold_width;

use super::simplified_char;

/// The folded form a name is indexed and searched by: full-width → half-width, Traditional →
/// Simplified per character (the shared table of [`simplified_char`]), ASCII upper-cased,
/// whitespace, punctuation and symbols removed (only letters, digits and ideographs stay).
pub fn search_fold(s: &str) -> String {
    s.chars()
        .map(fold_width)
        .filter(|c| c.is_alphanumeric())
        .map(|c| simplified_char(c).unwrap_or(c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The longest gram the index keeps: a query up to this many characters is its own gram.
pub const GRAM_MAX: usize = 3;

/// The index grams of a folded name: each distinct character, each distinct pair and each
/// distinct run of three adjacent characters, sorted.
pub fn search_grams(folded: &str) -> Vec<String> {
    let chars: Vec<char> = folded.chars().collect();
    let mut grams: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
    for n in 2..=GRAM_MAX {
        grams.extend(chars.windows(n).map(|w| w.iter().collect::<String>()));
    }
    grams.sort();
    grams.dedup();
    grams
}

/// The grams a folded query is looked up by: the query itself when it has at most
/// [`GRAM_MAX`] characters, else its distinct trigrams (every name containing the query
/// contains all of them). Empty for an empty query.
pub fn query_grams(folded: &str) -> Vec<String> {
    let chars: Vec<char> = folded.chars().collect();
    let mut grams: Vec<String> = match chars.len() {
        0 => Vec::new(),
        n if n <= GRAM_MAX => vec![folded.to_string()],
        _ => chars
            .windows(GRAM_MAX)
            .map(|w| w.iter().collect())
            .collect(),
    };
    grams.sort();
    grams.dedup();
    grams
}

/// The grams of a subject's searchable names (its name and former names), each folded.
pub fn subject_grams<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut all: Vec<String> = names
        .into_iter()
        .flat_map(|n| search_grams(&search_fold(n)))
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The folded text a query is confirmed against: the folded names joined by a space (a
/// character no folded query contains, so no match spans two names).
pub fn subject_search_text<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(search_fold)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_traditional_width_case_spaces_and_punctuation() {
        assert_eq!(search_fold("常州市 建設局"), "常州市建设局");
        assert_eq!(search_fold("９１３２ａｂ"), "9132AB");
        assert_eq!(search_fold("天寧（分公司）·　abc-1"), "天宁分公司ABC1");
        assert_eq!(search_fold("　 ，。"), "");
    }

    #[test]
    fn grams_are_unigrams_bigrams_and_trigrams() {
        assert_eq!(
            search_grams("天宁区"),
            vec!["区", "天", "天宁", "天宁区", "宁", "宁区"]
        );
        assert_eq!(search_grams("AA"), vec!["A", "AA"]);
        assert!(search_grams("").is_empty());
    }

    #[test]
    fn query_grams_the_query_itself_or_trigrams() {
        assert_eq!(query_grams("天"), vec!["天"]);
        assert_eq!(query_grams("天宁"), vec!["天宁"]);
        assert_eq!(query_grams("天宁区"), vec!["天宁区"]);
        assert_eq!(query_grams("天宁天宁"), vec!["天宁天", "宁天宁"]);
        assert_eq!(query_grams("天宁天宁天"), vec!["天宁天", "宁天宁"]);
        assert!(query_grams("").is_empty());
    }

    #[test]
    fn every_query_gram_of_a_substring_is_a_name_gram() {
        let name = search_fold("常州市天寧區紅梅實業有限公司");
        let grams = search_grams(&name);
        let chars: Vec<char> = name.chars().collect();
        for i in 0..chars.len() {
            for j in i + 1..=chars.len() {
                let q: String = chars[i..j].iter().collect();
                for g in query_grams(&q) {
                    assert!(grams.contains(&g), "{q}: {g}");
                }
            }
        }
    }

    #[test]
    fn subject_text_joins_names() {
        assert_eq!(
            subject_search_text(["新名称", "舊名稱", " "]),
            "新名称 旧名称"
        );
        assert_eq!(
            subject_grams(["甲乙", "乙丙丁"]),
            vec!["丁", "丙", "丙丁", "乙", "乙丙", "乙丙丁", "甲", "甲乙"]
        );
    }
}
