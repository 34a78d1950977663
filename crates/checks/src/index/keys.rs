//! Name blocking keys → party slots: a sorted base from the build, a [`Postings`] multimap for
//! later changes (also used for record owners), and tombstones for base keys taken away.

use hashbrown::HashTable;

/// A multimap from a 32-bit key hash to slots. Elements carry their hash, so the table can
/// grow without re-deriving keys (a name's keys cost a normalisation each), and a look-up
/// skips other keys' slots exactly. Nine bytes per element.
#[derive(Default)]
pub(super) struct Postings(pub(super) HashTable<(u32, u32)>);

impl Postings {
    /// Spread 32 hash bits over the 64 hashbrown uses (low bits pick the bucket, the top
    /// seven are the tag).
    fn spread(h: u32) -> u64 {
        u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    pub(super) fn insert(&mut self, h: u32, slot: u32) {
        self.0
            .insert_unique(Self::spread(h), (h, slot), |&(h, _)| Self::spread(h));
    }

    /// Whether it was there.
    pub(super) fn remove(&mut self, h: u32, slot: u32) -> bool {
        match self
            .0
            .find_entry(Self::spread(h), |&(x, s)| x == h && s == slot)
        {
            Ok(e) => {
                e.remove();
                true
            }
            Err(_) => false,
        }
    }

    pub(super) fn get(&self, h: u32) -> impl Iterator<Item = u32> + '_ {
        self.0
            .iter_hash(Self::spread(h))
            .filter(move |(x, _)| *x == h)
            .map(|(_, s)| *s)
    }

    pub(super) fn reserve(&mut self, n: usize) {
        self.0.reserve(n, |&(h, _)| Self::spread(h));
    }
}

/// Name blocking keys → slots. What the build loads is one sorted vector (eight bytes a key,
/// no slack); later changes go to a small [`Postings`] table, and keys of the base that a
/// change took away to a tombstone set.
#[derive(Default)]
pub(super) struct NameKeys {
    pub(super) base: Vec<(u32, u32)>,
    pub(super) added: Postings,
    pub(super) removed: foldhash::HashSet<(u32, u32)>,
}

impl NameKeys {
    pub(super) fn insert(&mut self, h: u32, slot: u32) {
        if !self.removed.remove(&(h, slot)) {
            self.added.insert(h, slot);
        }
    }

    pub(super) fn remove(&mut self, h: u32, slot: u32) {
        if !self.added.remove(h, slot) && self.base.binary_search(&(h, slot)).is_ok() {
            self.removed.insert((h, slot));
        }
    }

    pub(super) fn get(&self, h: u32) -> impl Iterator<Item = u32> + '_ {
        let from = self.base.partition_point(|&(x, _)| x < h);
        self.base
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(move |&&(x, _)| x == h)
            .filter(|k| !self.removed.contains(k))
            .map(|&(_, s)| s)
            .chain(self.added.get(h))
    }

    pub(super) fn bytes(&self) -> usize {
        self.base.capacity() * 8 + self.added.0.capacity() * 9 + self.removed.capacity() * 9
    }
}
