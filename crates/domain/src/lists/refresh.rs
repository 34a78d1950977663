//! Refreshing an imported list (失信被执行人) against a fresh copy of its source.

use super::*;

/// What a refresh of an imported list does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshPlan<K> {
    /// In the source, not active here: import (a new entry; earlier removed entries keep their
    /// history).
    pub add: Vec<K>,
    /// In the source and active here: unchanged.
    pub keep: Vec<K>,
    /// Active here, no longer in the source: remove with reason `source_removed`.
    pub remove: Vec<K>,
}

/// Diffs an imported list against a fresh copy of its source. `existing` holds every entry
/// of the list (removed ones included, a key may occur more than once); `source` the keys the
/// source lists now (duplicates ignored). Each output is sorted and duplicate-free.
pub fn refresh<K: Ord + Clone>(existing: &[(K, EntryStatus)], source: &[K]) -> RefreshPlan<K> {
    let active: BTreeSet<&K> = existing
        .iter()
        .filter(|(_, s)| s.is_active())
        .map(|(k, _)| k)
        .collect();
    let source: BTreeSet<&K> = source.iter().collect();
    RefreshPlan {
        add: source
            .iter()
            .filter(|k| !active.contains(*k))
            .map(|k| (*k).clone())
            .collect(),
        keep: source
            .iter()
            .filter(|k| active.contains(*k))
            .map(|k| (*k).clone())
            .collect(),
        remove: active
            .iter()
            .filter(|k| !source.contains(*k))
            .map(|k| (*k).clone())
            .collect(),
    }
}
