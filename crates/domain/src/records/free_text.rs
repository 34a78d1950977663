//! Free text that holds ID numbers: a 居民身份证号 typed into 违法事实, a name, a note.
//!
//! Such text is stored **masked** by the one masker ([`id_number::mask_in_text`]: 18-character
//! numbers with a valid GB 11643 check character and 15-digit first-generation numbers, each
//! with a real birth date), so every reader — the JSON API, the pages, exports, reports —
//! gets the same masked form. The text as submitted is kept apart as [`ClearTexts`] for the
//! caller to seal: only `personal_data_decrypt` holders open it, with a purpose, query-logged.
//!
//! Which fields are free text: every `text` field of a record type except its document number
//! ([`RecordType::key_field`]), which with the submitting department and the type is the
//! record's source key — an identifier, kept as submitted like a USCC. Code fields (USCC, ID
//! number) are masked by their own rule at intake.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalog::{FieldType, RecordType};
use crate::codes::id_number;

/// Clear texts by where they stand: a field name (`violation_facts`), or a path into a
/// record's history (`history.3.note`, `history.2.changes.violation_facts.before`). Never
/// printed: `Debug` shows the paths only.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClearTexts(BTreeMap<String, String>);

impl fmt::Debug for ClearTexts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl ClearTexts {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The clear text kept under `path`.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.0.get(path).map(String::as_str)
    }

    /// Every path with its clear text, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Keep `clear` under `path` (replacing what was there).
    pub fn insert(&mut self, path: impl Into<String>, clear: impl Into<String>) {
        self.0.insert(path.into(), clear.into());
    }

    /// Forget what was kept under `path`.
    pub fn remove(&mut self, path: &str) {
        self.0.remove(path);
    }

    /// The text as it is stored: `text` with its ID numbers masked. When it held any, the text
    /// as given is kept under `path`.
    pub fn mask(&mut self, path: &str, text: &str) -> String {
        match id_number::mask_in_text(text) {
            Cow::Borrowed(_) => text.to_string(),
            Cow::Owned(masked) => {
                self.insert(path, text);
                masked
            }
        }
    }

    /// [`ClearTexts::mask`] for a stored JSON value: a string is masked in place (other values
    /// cannot hold free text). Returns whether it changed.
    pub fn mask_value(&mut self, path: &str, v: &mut Value) -> bool {
        let Value::String(s) = v else {
            return false;
        };
        let masked = match id_number::mask_in_text(s) {
            Cow::Borrowed(_) => return false,
            Cow::Owned(m) => m,
        };
        let clear = std::mem::replace(s, masked);
        self.insert(path, clear);
        true
    }

    /// The content a correction replaced: the paths in `changed` take what `new` keeps for them
    /// (or nothing, when the new text holds no ID number).
    pub fn replace(&mut self, changed: &[String], new: &ClearTexts) {
        for path in changed {
            match new.get(path) {
                Some(c) => self.insert(path.clone(), c),
                None => self.remove(path),
            }
        }
    }
}

/// Whether field `name` of `rt` is free text (a `text` field other than the document number).
pub fn is_free_text(rt: &RecordType, name: &str) -> bool {
    name != rt.key_field
        && rt
            .field(name)
            .is_some_and(|f| matches!(f.kind, FieldType::Text { .. }))
}

/// Masks the free-text fields of a record's stored `fields` in place (content stored before
/// free text was masked at intake), keeping each clear text under `prefix` + the field name.
/// Without its type (`None`: not in the catalog any more) every text value is taken as free
/// text but `keep` (the record's document number). Returns whether anything changed.
pub fn mask_fields(
    rt: Option<&RecordType>,
    keep: &str,
    fields: &mut Map<String, Value>,
    prefix: &str,
    clear: &mut ClearTexts,
) -> bool {
    let mut changed = false;
    for (name, v) in fields.iter_mut() {
        let free = match rt {
            Some(rt) => is_free_text(rt, name),
            None => v.as_str() != Some(keep),
        };
        if free {
            changed |= clear.mask_value(&format!("{prefix}{name}"), v);
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// 320412199001011231: a valid check character.
    const ID: &str = "320412199001011231";

    fn penalty() -> &'static RecordType {
        Catalog::default_checked()
            .unwrap()
            .get("admin_penalty")
            .unwrap()
    }

    #[test]
    fn masks_and_keeps_the_clear_text() {
        let mut c = ClearTexts::default();
        let text = format!("当事人张三（身份证号{ID}）销售过期食品");
        let stored = c.mask("violation_facts", &text);
        assert_eq!(
            stored,
            "当事人张三（身份证号3204**********1231）销售过期食品"
        );
        assert_eq!(c.get("violation_facts"), Some(text.as_str()));
        // Masking is idempotent and text without a number is left alone.
        assert_eq!(c.mask("x", &stored), stored);
        assert_eq!(c.mask("y", "罚款5000元"), "罚款5000元");
        assert_eq!(c.len(), 1);
        // The clear text never prints.
        assert!(!format!("{c:?}").contains(ID));
    }

    #[test]
    fn free_text_is_every_text_field_but_the_document_number() {
        let rt = penalty();
        assert!(is_free_text(rt, "violation_facts"));
        assert!(is_free_text(rt, "subject_name"));
        assert!(!is_free_text(rt, &rt.key_field));
        assert!(!is_free_text(rt, "decision_date"));
        assert!(!is_free_text(rt, "uscc"));
        assert!(!is_free_text(rt, "no_such_field"));
    }

    #[test]
    fn stored_fields_are_masked_in_place() {
        let rt = penalty();
        let mut fields = Map::new();
        fields.insert("violation_facts".into(), format!("身份证{ID}").into());
        fields.insert(rt.key_field.clone(), ID.into());
        fields.insert("penalty_content".into(), "罚款".into());
        let mut c = ClearTexts::default();
        assert!(mask_fields(Some(rt), "", &mut fields, "", &mut c));
        assert_eq!(fields["violation_facts"], "身份证3204**********1231");
        // The document number is an identifier: kept as submitted.
        assert_eq!(fields[&rt.key_field], ID);
        assert_eq!(
            c.get("violation_facts"),
            Some(format!("身份证{ID}").as_str())
        );
        assert!(!mask_fields(Some(rt), "", &mut fields, "", &mut c));
        // Unknown type: everything but the document number.
        let mut other = Map::new();
        other.insert("a".into(), ID.into());
        other.insert("doc".into(), format!("{ID}号").into());
        let mut c = ClearTexts::default();
        assert!(mask_fields(
            None,
            &format!("{ID}号"),
            &mut other,
            "h.",
            &mut c
        ));
        assert_eq!(other["a"], "3204**********1231");
        assert_eq!(other["doc"], format!("{ID}号"));
        assert_eq!(c.get("h.a"), Some(ID));
    }

    #[test]
    fn a_correction_replaces_what_it_changed() {
        let mut kept = ClearTexts::default();
        kept.insert("a", "old a");
        kept.insert("b", "old b");
        let mut new = ClearTexts::default();
        new.insert("a", "new a");
        kept.replace(&["a".into(), "b".into()], &new);
        assert_eq!(kept.get("a"), Some("new a"));
        assert_eq!(kept.get("b"), None);
    }
}
