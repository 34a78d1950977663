//! The check/intercept engine's in-memory index (核查拦截).
//!
//! Built from the store at start-up and kept current by tailing the change log: every
//! change to a subject, a record or a list entry (single or group entries) reloads just that
//! entity, so several server processes over one database converge within one refresh.
//! Look-ups are exact on USCC and on the keyed hash of an ID number, and fuzzy — but
//! explained — on names through `chengxin_domain::names`.
//!
//! # Layout
//! The index must hold ten million subjects in well under 1.5 GB, so it is laid out by
//! column, not as one heap object per subject:
//! - `parties` is a vector of fixed-size rows addressed by a `u32` slot; names, document
//!   numbers and other text live in one `text` arena, list entries and records in two arenas
//!   of fixed-size rows, each party pointing at its run;
//! - every map (by subject id, USCC, ID hash, name key, entry id, record id) is a
//!   `hashbrown::HashTable<u32>` of slots only: the key is read back from the party when
//!   the table needs to compare, so a map costs about five bytes per key;
//! - list codes, record types and severities are interned to `u16`.
//!
//! A change appends the party's new run (or text) to the arena; the old one becomes garbage
//! that [`Index::compact`] reclaims once it is a large share of the arena. What a check
//! returns ([`Found`](crate::Found)) is materialised from these rows for the hits only.

mod build;
mod compact;
mod interner;
mod keys;
mod rows;
mod runs;
mod shared;
mod slots;
mod subjects;
mod tail;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::Arc;

use uuid::Uuid;

use crate::found::{Audience, EntryRef, Found, MitigationRef, RecordRef};
use interner::Interner;
use keys::{NameKeys, Postings};
use rows::{disclosure_of, EntryRow, Party, RecordRow, Text, NONE};
use slots::SlotTable;

pub use shared::CheckIndex;

#[derive(Default)]
struct Index {
    last_seq: i64,
    hasher: foldhash::fast::RandomState,
    parties: Vec<Party>,
    /// `parties[..sorted]` are in id order (the build reads them so) and found by binary
    /// search; later ones through `by_id`.
    sorted: usize,
    by_id: foldhash::HashMap<Uuid, u32>,
    text: String,
    entries: Vec<EntryRow>,
    records: Vec<RecordRow>,
    /// Bytes / rows of the arenas no party points at any more.
    garbage_text: usize,
    garbage_entries: usize,
    garbage_records: usize,
    id_hashes: Vec<[u8; 32]>,
    /// Former names, which few subjects have.
    former: foldhash::HashMap<u32, Vec<String>>,
    codes: Interner,
    by_uscc: SlotTable,
    by_hash: SlotTable,
    by_key: NameKeys,
    /// While the build loads subjects, their name keys are collected here and sorted once.
    building: Option<Vec<(u32, u32)>>,
    /// Which party holds a record, so a record that moved is dropped where it was. (List
    /// entries never change subject — `services::lists` keeps an entry's subject for life —
    /// so an entry is found through its own subject.)
    record_owner: Postings,
    /// The latest 从轻/免于惩戒 decision per list entry.
    mitigations: foldhash::HashMap<Uuid, u32>,
    mitigation_refs: Vec<Arc<MitigationRef>>,
    /// Which slots are persons (civil servants and other natural persons), one bit each: a
    /// person with nothing the caller may see is never reported.
    persons: Vec<u64>,
    /// The disclosure byte of each interned record type (`[0]`) and list code (`[1]`),
    /// `u8::MAX` until looked up.
    disclosures: [Vec<u8>; 2],
}

fn uscc_bytes(u: &str) -> Option<[u8; 18]> {
    u.as_bytes().try_into().ok()
}

fn hash_bytes(h: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(h, &mut out).ok()?;
    Some(out)
}

/// A stored slot's USCC hash (for the code table to move it).
fn uscc_hash<'a>(
    hasher: &'a foldhash::fast::RandomState,
    parties: &'a [Party],
) -> impl Fn(u32) -> u64 + 'a {
    move |s| {
        parties
            .get(s as usize)
            .map_or(0, |q| hasher.hash_one(q.uscc))
    }
}

/// A stored slot's ID-hash hash.
fn id_hash_hash<'a>(
    hasher: &'a foldhash::fast::RandomState,
    parties: &'a [Party],
    ids: &'a [[u8; 32]],
) -> impl Fn(u32) -> u64 + 'a {
    move |s| {
        parties
            .get(s as usize)
            .and_then(|q| ids.get(q.id_hash as usize))
            .map_or(0, |x| hasher.hash_one(x))
    }
}

/// A party's run as stored: at most 65,535 rows (its length is 16-bit), the cut logged.
fn capped<'a, T>(slot: u32, run: &'a [T], message: &str) -> &'a [T] {
    let max = usize::from(u16::MAX);
    if run.len() > max {
        tracing::error!(slot, rows = run.len(), "{message}");
    }
    run.get(..run.len().min(max)).unwrap_or_default()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(NONE)
}

impl Index {
    fn h<T: std::hash::Hash + ?Sized>(&self, v: &T) -> u64 {
        self.hasher.hash_one(v)
    }

    /// The 32 bits of a hash the posting tables keep.
    fn h32<T: std::hash::Hash + ?Sized>(&self, v: &T) -> u32 {
        self.hasher.hash_one(v) as u32
    }

    fn text(&self, t: Text) -> &str {
        self.text
            .get(t.at as usize..t.at as usize + t.len as usize)
            .unwrap_or("")
    }

    fn push_text(&mut self, s: &str) -> Text {
        let at = to_u32(self.text.len());
        self.text.push_str(s);
        Text {
            at,
            len: to_u32(s.len()),
        }
    }

    fn party(&self, slot: u32) -> Option<&Party> {
        self.parties.get(slot as usize)
    }

    fn slot_of(&self, id: &Uuid) -> Option<u32> {
        let sorted = self.parties.get(..self.sorted).unwrap_or_default();
        match sorted.binary_search_by(|p| p.id.cmp(id)) {
            Ok(i) => Some(to_u32(i)),
            Err(_) => self.by_id.get(id).copied(),
        }
    }

    fn former_names(&self, slot: u32) -> &[String] {
        self.former.get(&slot).map_or(&[], Vec::as_slice)
    }

    fn is_person(&self, slot: u32) -> bool {
        self.persons
            .get(slot as usize / 64)
            .is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }

    fn set_person(&mut self, slot: u32, person: bool) {
        let word = slot as usize / 64;
        if self.persons.len() <= word {
            if !person {
                return;
            }
            self.persons.resize(word + 1, 0);
        }
        if let Some(w) = self.persons.get_mut(word) {
            if person {
                *w |= 1 << (slot % 64);
            } else {
                *w &= !(1 << (slot % 64));
            }
        }
    }

    /// What a check reports of a subject it matched: only the entries and records the
    /// audience may see, and nothing at all of a person with none (so a check never confirms
    /// that a person exists).
    fn found(
        &self,
        slot: u32,
        by: &'static str,
        score: f32,
        reasons: Cow<'static, [Cow<'static, str>]>,
        audience: Audience,
    ) -> Option<Found> {
        let p = self.party(slot)?;
        let name = self.text(p.name());
        let (entries, records) = (self.entries_of(slot), self.records_of(slot));
        let shown = |d: u8| audience.sees(disclosure_of(d));
        if self.is_person(slot)
            && !entries.iter().any(|e| shown(e.disclosure))
            && !records.iter().any(|r| shown(r.disclosure))
        {
            return None;
        }
        // Read the first byte of the name and of each run at once, so that their cache misses
        // (three places in a large index) overlap instead of following one another.
        std::hint::black_box((
            name.as_bytes().first().copied(),
            entries.first().map(|e| e.list),
            records.first().map(|r| r.type_code),
        ));
        let entries = entries
            .iter()
            .filter(|e| shown(e.disclosure))
            .map(|e| EntryRef {
                id: e.id,
                list: self.codes.get(e.list),
                disclosure: disclosure_of(e.disclosure).code(),
                status: if e.effective {
                    "effective"
                } else {
                    "publicity"
                },
                mitigation: self.mitigation_refs.get(e.mitigation as usize).cloned(),
            })
            .collect();
        let records = records
            .iter()
            .filter(|r| shown(r.disclosure))
            .map(|r| RecordRef {
                id: r.id,
                type_code: self.codes.get(r.type_code),
                disclosure: disclosure_of(r.disclosure).code(),
                severity: self.codes.get(r.severity),
                tolerated: r.tolerated,
                doc_no: self.text(r.doc_no).to_string(),
                decision_date: chrono::NaiveDate::from_num_days_from_ce_opt(r.decision_date)
                    .unwrap_or_default(),
            })
            .collect();
        Some(Found {
            subject_id: p.id,
            name: name.into(),
            matched_by: by,
            score,
            reasons,
            entries,
            records,
        })
    }

    /// Bytes the index holds (arenas and tables), for the operator and the benchmark.
    fn footprint(&self) -> usize {
        use std::mem::size_of;
        self.parties.capacity() * size_of::<Party>()
            + self.text.capacity()
            + self.entries.capacity() * size_of::<EntryRow>()
            + self.records.capacity() * size_of::<RecordRow>()
            + self.id_hashes.capacity() * 32
            + self.by_id.capacity() * 21
            + (self.by_uscc.cells.capacity() + self.by_hash.cells.capacity()) * 4
            + self.by_key.bytes()
            + self.record_owner.0.capacity() * 9
            + self.persons.capacity() * 8
    }
}
