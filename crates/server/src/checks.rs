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
//! returns ([`Found`]) is materialised from these rows for the hits only.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::{Arc, RwLock};

use crossbeam_utils::sync::ShardedLock;
use std::time::{Duration, Instant};

use chengxin_domain::catalog::Severity;
use chengxin_domain::lists::{EntryMitigation, EntryStatus, Hit};
use chengxin_domain::names;
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::subjects::Subject;
use chengxin_store::{ApplicationFilter, ApplicationRow, EntryHead, Store};
use hashbrown::HashTable;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// What a check reports of a list entry.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRef {
    pub id: Uuid,
    pub list: &'static str,
    /// `publicity` or `effective`.
    pub status: &'static str,
    /// The latest 从轻/免于惩戒 decision on the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<Arc<MitigationRef>>,
}

/// A 从轻/免于惩戒 decision on a list entry (an application of kind `mitigation`).
#[derive(Debug, Clone, Serialize)]
pub struct MitigationRef {
    /// `waived` (免于惩戒) or `mitigated` (从轻惩戒).
    pub outcome: String,
    pub label: String,
    /// The decision's tracking number.
    pub decision: String,
    #[serde(skip)]
    decided_at: chrono::DateTime<chrono::Utc>,
}

impl MitigationRef {
    /// From a stored application, if it is a mitigation decision on a list entry.
    fn of(row: &ApplicationRow) -> Option<(Uuid, Self)> {
        if (
            row.kind.as_str(),
            row.target_kind.as_str(),
            row.state.as_str(),
        ) != ("mitigation", "list_entry", "decided")
        {
            return None;
        }
        let app = crate::services::rights::app_of(row).ok()?;
        let outcome = app.decision?.outcome;
        let label = match outcome.as_str() {
            "waived" => "免于惩戒",
            "mitigated" => "从轻惩戒",
            _ => return None,
        };
        let entry = Uuid::parse_str(&row.target_id).ok()?;
        Some((
            entry,
            Self {
                outcome,
                label: label.into(),
                decision: row.tracking_no.clone(),
                decided_at: row.created_at,
            },
        ))
    }
}

/// What a check reports of a negative record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordRef {
    pub id: Uuid,
    pub type_code: &'static str,
    pub severity: &'static str,
    pub tolerated: bool,
    pub doc_no: String,
    pub decision_date: chrono::NaiveDate,
}

/// A span of the text arena.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Text {
    at: u32,
    len: u32,
}

/// A party's run in one of the row arenas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Run {
    at: u32,
    len: u32,
}

impl Run {
    fn range(self) -> std::ops::Range<usize> {
        self.at as usize..self.at as usize + self.len as usize
    }
}

const NONE: u32 = u32::MAX;

/// A subject in the index: 56 bytes, no heap of its own. Lengths are 16-bit: names are far
/// shorter than 64 KiB, and a subject's runs are capped at 65,535 rows (one counted record is
/// enough to intercept; [`Index::set_records`] logs the cut).
#[derive(Debug, Clone, Copy)]
struct Party {
    id: Uuid,
    /// The USCC's 18 ASCII bytes; all zero when the subject has none.
    uscc: [u8; 18],
    name_at: u32,
    /// Index into `Index::id_hashes`, or `NONE`.
    id_hash: u32,
    entries_at: u32,
    records_at: u32,
    name_len: u16,
    entries_len: u16,
    records_len: u16,
}

impl Party {
    fn new(id: Uuid) -> Self {
        Self {
            id,
            uscc: [0; 18],
            name_at: 0,
            id_hash: NONE,
            entries_at: 0,
            records_at: 0,
            name_len: 0,
            entries_len: 0,
            records_len: 0,
        }
    }

    fn name(&self) -> Text {
        Text {
            at: self.name_at,
            len: u32::from(self.name_len),
        }
    }

    fn entries(&self) -> Run {
        Run {
            at: self.entries_at,
            len: u32::from(self.entries_len),
        }
    }

    fn records(&self) -> Run {
        Run {
            at: self.records_at,
            len: u32::from(self.records_len),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct EntryRow {
    id: Uuid,
    list: u16,
    effective: bool,
    /// Index into `Index::mitigation_refs`, or `NONE`.
    mitigation: u32,
}

#[derive(Debug, Clone, Copy)]
struct RecordRow {
    id: Uuid,
    type_code: u16,
    severity: u16,
    tolerated: bool,
    /// Days since the Common Era, as chrono counts them.
    decision_date: i32,
    doc_no: Text,
}

/// Small strings that recur millions of times (list codes, record types, severities). They
/// are interned for the life of the process — a deployment has a few dozen — so that a hit
/// hands out `&'static str` with no reference count to bump on a shared cache line.
#[derive(Default)]
struct Interner {
    values: Vec<&'static str>,
    codes: foldhash::HashMap<&'static str, u16>,
}

impl Interner {
    fn code(&mut self, s: &str) -> u16 {
        if let Some(c) = self.codes.get(s) {
            return *c;
        }
        // More than 65,535 distinct codes would be a data error; they share the last code
        // rather than failing a build (or leaking without bound).
        let c = u16::try_from(self.values.len()).unwrap_or(u16::MAX);
        if c < u16::MAX {
            let v: &'static str = Box::leak(s.to_owned().into_boxed_str());
            self.values.push(v);
            self.codes.insert(v, c);
        }
        c
    }

    fn get(&self, c: u16) -> &'static str {
        self.values.get(usize::from(c)).copied().unwrap_or("")
    }
}

/// A multimap from a 32-bit key hash to slots. Elements carry their hash, so the table can
/// grow without re-deriving keys (a name's keys cost a normalisation each), and a look-up
/// skips other keys' slots exactly. Nine bytes per element.
#[derive(Default)]
struct Postings(HashTable<(u32, u32)>);

impl Postings {
    /// Spread 32 hash bits over the 64 hashbrown uses (low bits pick the bucket, the top
    /// seven are the tag).
    fn spread(h: u32) -> u64 {
        u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn insert(&mut self, h: u32, slot: u32) {
        self.0
            .insert_unique(Self::spread(h), (h, slot), |&(h, _)| Self::spread(h));
    }

    /// Whether it was there.
    fn remove(&mut self, h: u32, slot: u32) -> bool {
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

    fn get(&self, h: u32) -> impl Iterator<Item = u32> + '_ {
        self.0
            .iter_hash(Self::spread(h))
            .filter(move |(x, _)| *x == h)
            .map(|(_, s)| *s)
    }

    fn reserve(&mut self, n: usize) {
        self.0.reserve(n, |&(h, _)| Self::spread(h));
    }
}

/// Party slots by one exact key (USCC, ID hash): linear probing over `u32` cells that hold 28
/// bits of slot and 4 bits of the key's hash. A look-up reads one run of cells (nearly always
/// one cache line) and then, but for one time in sixteen, only the party that matches.
/// (hashbrown keeps its control bytes apart from its cells: one more cache miss per look-up
/// at ten million keys, and a fifth more memory.) The key itself is read back from the party.
#[derive(Default)]
struct SlotTable {
    cells: Vec<u32>,
    len: usize,
}

const EMPTY: u32 = u32::MAX;
const SLOT_BITS: u32 = 28;
const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;

impl SlotTable {
    fn tag(h: u64) -> u32 {
        ((h >> 60) as u32) << SLOT_BITS
    }

    fn mask(&self) -> usize {
        self.cells.len().wrapping_sub(1)
    }

    /// The slot whose key `is` accepts, among those stored under hash `h`.
    fn find(&self, h: u64, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
        let (mask, tag) = (self.mask(), Self::tag(h));
        let mut i = h as usize & mask;
        for _ in 0..self.cells.len() {
            let c = *self.cells.get(i)?;
            if c == EMPTY {
                return None;
            }
            if c & !SLOT_MASK == tag && is(c & SLOT_MASK) {
                return Some(c & SLOT_MASK);
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Make room for `more` keys; `hash` gives a stored slot's key hash.
    fn reserve(&mut self, more: usize, hash: impl Fn(u32) -> u64) {
        // At most three quarters full, so probe runs stay short and a free cell always ends one.
        let need = (self.len + more).saturating_mul(4) / 3 + 1;
        if need <= self.cells.len() {
            return;
        }
        let old = std::mem::replace(
            &mut self.cells,
            vec![EMPTY; need.next_power_of_two().max(16)],
        );
        let mask = self.mask();
        for c in old.into_iter().filter(|c| *c != EMPTY) {
            let h = hash(c & SLOT_MASK);
            let mut i = h as usize & mask;
            while self.cells.get(i).is_some_and(|x| *x != EMPTY) {
                i = (i + 1) & mask;
            }
            if let Some(cell) = self.cells.get_mut(i) {
                *cell = Self::tag(h) | (c & SLOT_MASK);
            }
        }
    }

    fn insert(&mut self, h: u64, slot: u32, hash: impl Fn(u32) -> u64) {
        if slot >= SLOT_MASK {
            tracing::error!(slot, "核查索引主体过多，超出代码表容量，主体未按代码入索引");
            return;
        }
        self.reserve(1, hash);
        let mask = self.mask();
        let mut i = h as usize & mask;
        while self.cells.get(i).is_some_and(|x| *x != EMPTY) {
            i = (i + 1) & mask;
        }
        if let Some(cell) = self.cells.get_mut(i) {
            *cell = Self::tag(h) | slot;
            self.len += 1;
        }
    }

    /// Remove `slot` stored under `h`, shifting later cells of its run back (no tombstones).
    fn remove(&mut self, h: u64, slot: u32, hash: impl Fn(u32) -> u64) {
        let mask = self.mask();
        let want = Self::tag(h) | slot;
        let mut i = h as usize & mask;
        loop {
            match self.cells.get(i) {
                Some(&c) if c == want => break,
                Some(&c) if c != EMPTY => i = (i + 1) & mask,
                _ => return,
            }
        }
        let mut hole = i;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let Some(&c) = self.cells.get(j) else { break };
            if c == EMPTY {
                break;
            }
            let home = hash(c & SLOT_MASK) as usize & mask;
            // `c` may fill the hole unless its home lies cyclically in (hole, j].
            let stays = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !stays {
                if let Some(cell) = self.cells.get_mut(hole) {
                    *cell = c;
                }
                hole = j;
            }
        }
        if let Some(cell) = self.cells.get_mut(hole) {
            *cell = EMPTY;
        }
        self.len -= 1;
    }
}

/// Name blocking keys → slots. What the build loads is one sorted vector (eight bytes a key,
/// no slack); later changes go to a small [`Postings`] table, and keys of the base that a
/// change took away to a tombstone set.
#[derive(Default)]
struct NameKeys {
    base: Vec<(u32, u32)>,
    added: Postings,
    removed: foldhash::HashSet<(u32, u32)>,
}

impl NameKeys {
    fn insert(&mut self, h: u32, slot: u32) {
        if !self.removed.remove(&(h, slot)) {
            self.added.insert(h, slot);
        }
    }

    fn remove(&mut self, h: u32, slot: u32) {
        if !self.added.remove(h, slot) && self.base.binary_search(&(h, slot)).is_ok() {
            self.removed.insert((h, slot));
        }
    }

    fn get(&self, h: u32) -> impl Iterator<Item = u32> + '_ {
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

    fn bytes(&self) -> usize {
        self.base.capacity() * 8 + self.added.0.capacity() * 9 + self.removed.capacity() * 9
    }
}

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

    fn name_keys(&self, slot: u32) -> Vec<String> {
        let Some(p) = self.party(slot) else {
            return Vec::new();
        };
        let mut keys = names::blocking_keys(self.text(p.name()));
        for f in self.former_names(slot) {
            keys.extend(names::blocking_keys(f));
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Take a party's codes and name keys out of the maps (before it changes).
    fn unmap(&mut self, slot: u32) {
        let Some(p) = self.party(slot).copied() else {
            return;
        };
        for k in self.name_keys(slot) {
            let h = self.h32(&k);
            self.by_key.remove(h, slot);
        }
        let (hasher, parties, ids) = (&self.hasher, &self.parties, &self.id_hashes);
        if p.uscc != [0; 18] {
            self.by_uscc
                .remove(hasher.hash_one(p.uscc), slot, uscc_hash(hasher, parties));
        }
        if let Some(hash) = ids.get(p.id_hash as usize) {
            self.by_hash.remove(
                hasher.hash_one(hash),
                slot,
                id_hash_hash(hasher, parties, ids),
            );
        }
    }

    /// Put a party's codes and name keys into the maps.
    fn map(&mut self, slot: u32) {
        let Some(p) = self.party(slot).copied() else {
            return;
        };
        for k in self.name_keys(slot) {
            let h = self.h32(&k);
            match &mut self.building {
                Some(keys) => keys.push((h, slot)),
                None => self.by_key.insert(h, slot),
            }
        }
        if self.building.is_some() {
            // The build fills the code tables once, sized, when all subjects are in.
            return;
        }
        let (hasher, parties, ids) = (&self.hasher, &self.parties, &self.id_hashes);
        if p.uscc != [0; 18] {
            self.by_uscc
                .insert(hasher.hash_one(p.uscc), slot, uscc_hash(hasher, parties));
        }
        if let Some(hash) = ids.get(p.id_hash as usize) {
            self.by_hash.insert(
                hasher.hash_one(hash),
                slot,
                id_hash_hash(hasher, parties, ids),
            );
        }
    }

    /// The build's last step for subjects: code tables sized once and filled in slot order.
    fn fill_code_tables(&mut self) {
        let (hasher, parties, ids) = (&self.hasher, &self.parties, &self.id_hashes);
        let usccs = parties.iter().filter(|p| p.uscc != [0; 18]).count();
        self.by_uscc.reserve(usccs, uscc_hash(hasher, parties));
        self.by_hash
            .reserve(ids.len(), id_hash_hash(hasher, parties, ids));
        for (slot, p) in parties.iter().enumerate() {
            let slot = to_u32(slot);
            if p.uscc != [0; 18] {
                self.by_uscc
                    .insert(hasher.hash_one(p.uscc), slot, uscc_hash(hasher, parties));
            }
            if let Some(hash) = ids.get(p.id_hash as usize) {
                self.by_hash.insert(
                    hasher.hash_one(hash),
                    slot,
                    id_hash_hash(hasher, parties, ids),
                );
            }
        }
    }

    fn put_subject(&mut self, s: &Subject) {
        let slot = match self.slot_of(&s.id) {
            Some(slot) => {
                self.unmap(slot);
                slot
            }
            None => {
                let slot = to_u32(self.parties.len());
                if slot == NONE {
                    tracing::error!(subject = %s.id, "核查索引已满，主体未入索引");
                    return;
                }
                let in_order = self.sorted == self.parties.len()
                    && self.parties.last().is_none_or(|last| last.id < s.id);
                self.parties.push(Party::new(s.id));
                if in_order {
                    self.sorted += 1;
                } else {
                    self.by_id.insert(s.id, slot);
                }
                slot
            }
        };
        let Some(old) = self.party(slot).copied() else {
            return;
        };
        let name = if self.text(old.name()) == s.name && old.name_len > 0 {
            old.name()
        } else {
            self.garbage_text += usize::from(old.name_len);
            // Stored names are validated far below 64 KiB; a longer one is cut at a character
            // boundary rather than wrapping the length.
            let mut cut = s.name.len().min(usize::from(u16::MAX));
            while !s.name.is_char_boundary(cut) {
                cut -= 1;
            }
            self.push_text(s.name.get(..cut).unwrap_or(""))
        };
        let uscc = match s.uscc.as_deref() {
            None => [0; 18],
            Some(u) => uscc_bytes(u).unwrap_or_else(|| {
                tracing::warn!(subject = %s.id, "统一社会信用代码长度异常，未按代码入索引");
                [0; 18]
            }),
        };
        let id_hash = match s.id_hash.as_deref().and_then(hash_bytes) {
            None => NONE,
            Some(h) => match self.id_hashes.get_mut(old.id_hash as usize) {
                Some(kept) => {
                    *kept = h;
                    old.id_hash
                }
                None => {
                    self.id_hashes.push(h);
                    to_u32(self.id_hashes.len() - 1)
                }
            },
        };
        if s.former_names.is_empty() {
            self.former.remove(&slot);
        } else {
            self.former.insert(slot, s.former_names.clone());
        }
        if let Some(p) = self.parties.get_mut(slot as usize) {
            p.name_at = name.at;
            p.name_len = u16::try_from(name.len).unwrap_or(u16::MAX);
            p.uscc = uscc;
            p.id_hash = id_hash;
        }
        self.map(slot);
    }

    /// End of the build's subject phase: sort the collected name keys once.
    fn finish_subjects(&mut self) {
        if let Some(mut keys) = self.building.take() {
            keys.sort_unstable();
            keys.dedup();
            keys.shrink_to_fit();
            self.by_key.base = keys;
            self.fill_code_tables();
        }
        self.parties.shrink_to_fit();
        self.text.shrink_to_fit();
    }

    fn record_row(&mut self, r: &Record, sev: &str) -> RecordRow {
        RecordRow {
            id: r.id,
            type_code: self.codes.code(&r.type_code),
            severity: self.codes.code(sev),
            tolerated: r.tolerated,
            decision_date: chrono::Datelike::num_days_from_ce(&r.decision_date),
            doc_no: self.push_text(&r.doc_no),
        }
    }

    fn entry_row(&mut self, e: &EntryHead) -> EntryRow {
        EntryRow {
            id: e.id,
            list: self.codes.code(&e.list_code),
            effective: e.status == "effective",
            mitigation: self.mitigations.get(&e.id).copied().unwrap_or(NONE),
        }
    }

    fn records_of(&self, slot: u32) -> &[RecordRow] {
        self.party(slot)
            .and_then(|p| self.records.get(p.records().range()))
            .unwrap_or_default()
    }

    fn entries_of(&self, slot: u32) -> &[EntryRow] {
        self.party(slot)
            .and_then(|p| self.entries.get(p.entries().range()))
            .unwrap_or_default()
    }

    fn set_records(&mut self, slot: u32, run: &[RecordRow]) {
        let run = capped(
            slot,
            run,
            "主体失信记录超过 65535 条，核查只列出前 65535 条",
        );
        let at = to_u32(self.records.len());
        let Some(p) = self.parties.get_mut(slot as usize) else {
            return;
        };
        self.garbage_records += usize::from(p.records_len);
        p.records_at = at;
        p.records_len = u16::try_from(run.len()).unwrap_or(u16::MAX);
        self.records.extend_from_slice(run);
    }

    fn set_entries(&mut self, slot: u32, run: &[EntryRow]) {
        let run = capped(
            slot,
            run,
            "主体名单条目超过 65535 条，核查只列出前 65535 条",
        );
        let at = to_u32(self.entries.len());
        let Some(p) = self.parties.get_mut(slot as usize) else {
            return;
        };
        self.garbage_entries += usize::from(p.entries_len);
        p.entries_at = at;
        p.entries_len = u16::try_from(run.len()).unwrap_or(u16::MAX);
        self.entries.extend_from_slice(run);
    }

    /// Apply a record as loaded from the store.
    fn put_record(&mut self, r: &Record) {
        // A record may have moved (linked to another subject): drop it where it was first.
        let h = self.h32(&r.id);
        let holders: Vec<u32> = self
            .record_owner
            .get(h)
            .filter(|&s| self.records_of(s).iter().any(|x| x.id == r.id))
            .collect();
        for owner in holders {
            self.record_owner.remove(h, owner);
            let (kept, dropped): (Vec<RecordRow>, Vec<RecordRow>) =
                self.records_of(owner).iter().partition(|x| x.id != r.id);
            self.garbage_text += dropped.iter().map(|x| x.doc_no.len as usize).sum::<usize>();
            self.set_records(owner, &kept);
        }
        let counts = r.status == RecordStatus::Published && !r.tolerated;
        if let (Some(sid), Some(sev), true) = (r.subject_id, &r.severity, counts) {
            if let Some(slot) = self.slot_of(&sid) {
                let row = self.record_row(r, sev);
                let mut run = self.records_of(slot).to_vec();
                run.push(row);
                self.set_records(slot, &run);
                self.record_owner.insert(h, slot);
            }
        }
    }

    /// Apply a list entry as loaded from the store (`None` if it no longer is active).
    fn put_entry(&mut self, id: Uuid, subject: Option<Uuid>, head: Option<&EntryHead>) {
        let Some(slot) = subject.and_then(|s| self.slot_of(&s)) else {
            return;
        };
        let mut run: Vec<EntryRow> = self
            .entries_of(slot)
            .iter()
            .filter(|x| x.id != id)
            .copied()
            .collect();
        if let Some(e) = head.filter(|e| matches!(e.status.as_str(), "publicity" | "effective")) {
            run.push(self.entry_row(e));
        }
        self.set_entries(slot, &run);
    }

    fn put_application(&mut self, row: &ApplicationRow) -> Option<Uuid> {
        let (entry, m) = MitigationRef::of(row)?;
        // Decisions are never edited; a later one on the same entry supersedes.
        if let Some(old) = self
            .mitigations
            .get(&entry)
            .and_then(|i| self.mitigation_refs.get(*i as usize))
        {
            if old.decided_at > m.decided_at {
                return None;
            }
        }
        let at = to_u32(self.mitigation_refs.len());
        self.mitigation_refs.push(Arc::new(m));
        self.mitigations.insert(entry, at);
        Some(entry)
    }

    /// Point an entry's rows at its (new) mitigation decision.
    fn refresh_mitigation(&mut self, entry: Uuid, subject: Option<Uuid>) {
        let Some(at) = self.mitigations.get(&entry).copied() else {
            return;
        };
        let Some(p) = subject
            .and_then(|s| self.slot_of(&s))
            .and_then(|s| self.party(s))
        else {
            return;
        };
        let range = p.entries().range();
        for e in self
            .entries
            .get_mut(range)
            .into_iter()
            .flatten()
            .filter(|e| e.id == entry)
        {
            e.mitigation = at;
        }
    }

    /// Reclaim the arenas once garbage is over half of them (and worth the copy).
    fn compact(&mut self) {
        const WORTH: usize = 1 << 16;
        let text = self.garbage_text > WORTH && self.garbage_text * 2 > self.text.len();
        let rows = (self.garbage_entries > WORTH && self.garbage_entries * 2 > self.entries.len())
            || (self.garbage_records > WORTH && self.garbage_records * 2 > self.records.len());
        if !text && !rows {
            return;
        }
        let mut out_text = String::with_capacity(self.text.len() - self.garbage_text);
        let mut out_entries = Vec::with_capacity(self.entries.len() - self.garbage_entries);
        let mut out_records = Vec::with_capacity(self.records.len() - self.garbage_records);
        let copy = |t: Text, out: &mut String| {
            let at = to_u32(out.len());
            out.push_str(
                self.text
                    .get(t.at as usize..t.at as usize + t.len as usize)
                    .unwrap_or(""),
            );
            Text { at, len: t.len }
        };
        let mut parties = std::mem::take(&mut self.parties);
        for p in &mut parties {
            p.name_at = copy(p.name(), &mut out_text).at;
            let at = to_u32(out_entries.len());
            out_entries
                .extend_from_slice(self.entries.get(p.entries().range()).unwrap_or_default());
            p.entries_at = at;
            let at = to_u32(out_records.len());
            for r in self.records.get(p.records().range()).unwrap_or_default() {
                let mut r = *r;
                r.doc_no = copy(r.doc_no, &mut out_text);
                out_records.push(r);
            }
            p.records_at = at;
        }
        self.parties = parties;
        self.text = out_text;
        self.entries = out_entries;
        self.records = out_records;
        (
            self.garbage_text,
            self.garbage_entries,
            self.garbage_records,
        ) = (0, 0, 0);
    }

    fn found(
        &self,
        slot: u32,
        by: &'static str,
        score: f32,
        reasons: Cow<'static, [Cow<'static, str>]>,
    ) -> Option<Found> {
        let p = self.party(slot)?;
        let name = self.text(p.name());
        let (entries, records) = (self.entries_of(slot), self.records_of(slot));
        // Read the first byte of the name and of each run at once, so that their cache misses
        // (three places in a large index) overlap instead of following one another.
        std::hint::black_box((
            name.as_bytes().first().copied(),
            entries.first().map(|e| e.list),
            records.first().map(|r| r.type_code),
        ));
        let entries = entries
            .iter()
            .map(|e| EntryRef {
                id: e.id,
                list: self.codes.get(e.list),
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
            .map(|r| RecordRef {
                id: r.id,
                type_code: self.codes.get(r.type_code),
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
    }
}

const BY_USCC: &[Cow<'static, str>] = &[Cow::Borrowed("统一社会信用代码一致")];
const BY_ID_NUMBER: &[Cow<'static, str>] = &[Cow::Borrowed("居民身份证号码一致（按密钥散列比对）")];

/// The shared index; cheap to read from many requests at once.
pub struct CheckIndex {
    /// Sharded: a reader locks only its own thread's shard, so look-ups on several cores do
    /// not contend on one reader count (a refresh, which is rare, locks every shard).
    inner: ShardedLock<Index>,
    refreshed: RwLock<Option<Instant>>,
    /// Serialises refreshes (one tail at a time).
    refresh_lock: tokio::sync::Mutex<()>,
}

impl Default for CheckIndex {
    fn default() -> Self {
        Self {
            inner: ShardedLock::new(Index::default()),
            refreshed: RwLock::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
        }
    }
}

fn poisoned() -> ApiError {
    ApiError::Unavailable("核查索引不可用".into())
}

impl CheckIndex {
    /// Load everything from the store (start-up).
    pub async fn build(&self, store: &dyn Store) -> ApiResult<()> {
        const PAGE: i64 = 10_000;
        let _guard = self.refresh_lock.lock().await;
        let (seq, _) = store.log_head().await?;
        let mut idx = Index {
            last_seq: seq,
            building: Some(Vec::new()),
            ..Default::default()
        };
        // Pages are fetched one ahead, so the database reads the next page while this one is
        // indexed.
        let mut page = store.subjects_after(None, PAGE).await?;
        loop {
            let full = page.len() as i64 == PAGE;
            let after = page.last().map(|s| s.id);
            let fetch = async {
                match full {
                    true => store.subjects_after(after, PAGE).await.map(Some),
                    false => Ok(None),
                }
            };
            let work = async {
                for s in &page {
                    idx.put_subject(s);
                }
            };
            let (next, ()) = tokio::join!(fetch, work);
            match next? {
                Some(p) => page = p,
                None => break,
            }
        }
        idx.finish_subjects();
        // Records and entries arrive in their own id order; grouped by party, each party's
        // run is laid out once instead of re-copied per row.
        let mut pairs: Vec<(u32, RecordRow)> = Vec::new();
        let mut after = None;
        loop {
            let page = store.negative_records(after, PAGE).await?;
            for r in &page {
                let counts = r.status == RecordStatus::Published && !r.tolerated;
                if let (Some(sid), Some(sev), true) = (r.subject_id, &r.severity, counts) {
                    if let Some(slot) = idx.slot_of(&sid) {
                        let row = idx.record_row(r, sev);
                        pairs.push((slot, row));
                    }
                }
            }
            match page.last() {
                Some(r) if page.len() as i64 == PAGE => after = Some(r.id),
                _ => break,
            }
        }
        pairs.sort_by_key(|(slot, _)| *slot);
        idx.records.reserve_exact(pairs.len());
        idx.record_owner.reserve(pairs.len());
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            let Some((slot, _)) = group.first() else {
                continue;
            };
            let run: Vec<RecordRow> = group.iter().map(|(_, r)| *r).collect();
            for r in &run {
                let h = idx.h32(&r.id);
                idx.record_owner.insert(h, *slot);
            }
            idx.set_records(*slot, &run);
        }
        drop(pairs);
        // Decisions before entries, so each entry finds its own.
        {
            const MAX: i64 = 100_000;
            let rows = store
                .applications(&ApplicationFilter {
                    kind: Some("mitigation".into()),
                    state: Some("decided".into()),
                    limit: Some(MAX),
                    ..Default::default()
                })
                .await?;
            if rows.len() as i64 >= MAX {
                return Err(ApiError::Unavailable(format!(
                    "从轻/免于惩戒决定超过 {MAX} 件，核查索引无法完整加载"
                )));
            }
            for r in &rows {
                idx.put_application(r);
            }
        }
        let mut pairs: Vec<(u32, EntryRow)> = Vec::new();
        let mut after = None;
        loop {
            let page = store.active_entry_heads(after, PAGE).await?;
            for e in &page {
                if let Some(slot) = idx.slot_of(&e.subject_id) {
                    let row = idx.entry_row(e);
                    pairs.push((slot, row));
                }
            }
            match page.last() {
                Some(e) if page.len() as i64 == PAGE => after = Some(e.id),
                _ => break,
            }
        }
        pairs.sort_by_key(|(slot, _)| *slot);
        idx.entries.reserve_exact(pairs.len());
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            let Some((slot, _)) = group.first() else {
                continue;
            };
            let run: Vec<EntryRow> = group.iter().map(|(_, e)| *e).collect();
            idx.set_entries(*slot, &run);
        }
        drop(pairs);
        *self.inner.write().map_err(|_| poisoned())? = idx;
        *self.refreshed.write().map_err(|_| poisoned())? = Some(Instant::now());
        Ok(())
    }

    /// Apply the change log since the last refresh.
    pub async fn catch_up(&self, store: &dyn Store) -> ApiResult<()> {
        let _guard = self.refresh_lock.lock().await;
        let mut after = self.inner.read().map_err(|_| poisoned())?.last_seq;
        loop {
            let entries = store.log_entries(after, 5000).await?;
            if entries.is_empty() {
                break;
            }
            let mut subjects = Vec::new();
            let mut records = Vec::new();
            let mut list_entries = Vec::new();
            let mut applications = Vec::new();
            for e in &entries {
                let mut touch = |ty: &str, id: &str| {
                    let Ok(id) = Uuid::parse_str(id) else { return };
                    match ty {
                        "subject" => subjects.push(id),
                        "record" => records.push(id),
                        "list_entry" => list_entries.push(id),
                        "application" => applications.push(id),
                        _ => {}
                    }
                };
                match e.members.as_deref() {
                    Some(m) => {
                        for member in
                            chengxin_store::changelog::parse_members(m).unwrap_or_default()
                        {
                            touch(member.entity_type, member.entity_id);
                        }
                    }
                    None => touch(&e.entity_type, &e.entity_id),
                }
                after = e.seq;
            }
            // Subjects first, so records and entries find their party.
            let mut loaded_subjects = Vec::new();
            for id in subjects {
                if let Some(s) = store.subject(id).await? {
                    loaded_subjects.push(s);
                }
            }
            let mut loaded_records = Vec::new();
            for id in records {
                if let Some(r) = store.record(id).await? {
                    loaded_records.push(r);
                }
            }
            let mut loaded_entries = Vec::new();
            for id in list_entries {
                loaded_entries.push((id, store.list_entry(id).await?));
            }
            let mut loaded_applications = Vec::new();
            for id in applications {
                if let Some(a) = store.application(id).await? {
                    loaded_applications.push(a);
                }
            }
            // The subject of each decided entry, to point its rows at the decision.
            let mut decided = Vec::new();
            for a in &loaded_applications {
                if let Some((entry, _)) = MitigationRef::of(a) {
                    let subject = match loaded_entries.iter().find(|(id, _)| *id == entry) {
                        Some((_, row)) => row.as_ref().and_then(|r| r.subject_id),
                        None => store.list_entry(entry).await?.and_then(|r| r.subject_id),
                    };
                    decided.push((entry, subject));
                }
            }
            let mut idx = self.inner.write().map_err(|_| poisoned())?;
            for s in &loaded_subjects {
                idx.put_subject(s);
            }
            for r in &loaded_records {
                idx.put_record(r);
            }
            for a in &loaded_applications {
                idx.put_application(a);
            }
            for (id, row) in &loaded_entries {
                let head = row.as_ref().and_then(|r| {
                    Some(EntryHead {
                        id: r.id,
                        list_code: r.list_code.clone(),
                        subject_id: r.subject_id?,
                        status: r.status.clone(),
                    })
                });
                let subject = row.as_ref().and_then(|r| r.subject_id);
                idx.put_entry(*id, subject, head.as_ref());
            }
            for (entry, subject) in decided {
                idx.refresh_mitigation(entry, subject);
            }
            idx.compact();
            idx.last_seq = after;
        }
        *self.refreshed.write().map_err(|_| poisoned())? = Some(Instant::now());
        Ok(())
    }

    /// Catch up unless the last refresh is younger than `max_age`.
    pub async fn fresh(&self, store: &dyn Store, max_age: Duration) -> ApiResult<()> {
        let stale = self
            .refreshed
            .read()
            .map_err(|_| poisoned())?
            .is_none_or(|t| t.elapsed() >= max_age);
        if stale {
            self.catch_up(store).await?;
        }
        Ok(())
    }

    /// Find the subjects a party's identifiers point to, each with why and how well.
    pub fn lookup(&self, q: &PartyQuery) -> ApiResult<Vec<Found>> {
        let idx = self.inner.read().map_err(|_| poisoned())?;
        let mut found: Vec<Found> = Vec::new();
        let mut push = |slot: u32,
                        by: &'static str,
                        score: f32,
                        reasons: Cow<'static, [Cow<'static, str>]>| {
            let Some(id) = idx.party(slot).map(|p| p.id) else {
                return;
            };
            if let Some(f) = found.iter_mut().find(|f| f.subject_id == id) {
                f.reasons.to_mut().extend(reasons.iter().cloned());
                f.score = f.score.max(score);
                return;
            }
            found.extend(idx.found(slot, by, score, reasons));
        };
        if let Some(u) = q.uscc.as_deref().and_then(uscc_bytes) {
            let parties = &idx.parties;
            if let Some(slot) = idx.by_uscc.find(idx.h(&u), |s| {
                parties.get(s as usize).is_some_and(|p| p.uscc == u)
            }) {
                push(slot, "uscc", 1.0, Cow::Borrowed(BY_USCC));
            }
        }
        if let Some(h) = q.id_hash.as_deref().and_then(hash_bytes) {
            let (parties, ids) = (&idx.parties, &idx.id_hashes);
            if let Some(slot) = idx.by_hash.find(idx.h(&h), |s| {
                parties
                    .get(s as usize)
                    .and_then(|p| ids.get(p.id_hash as usize))
                    .is_some_and(|x| *x == h)
            }) {
                push(slot, "id_number", 1.0, Cow::Borrowed(BY_ID_NUMBER));
            }
        }
        if let Some(name) = &q.name {
            let mut candidates: Vec<u32> = Vec::new();
            for k in names::blocking_keys(name) {
                candidates.extend(idx.by_key.get(idx.h32(&k)));
            }
            candidates.sort_unstable();
            candidates.dedup();
            for slot in candidates {
                let Some(p) = idx.party(slot) else {
                    continue;
                };
                let m =
                    names::compare_with_former(name, idx.text(p.name()), idx.former_names(slot));
                if m.is_match(names::DEFAULT_THRESHOLD) {
                    push(
                        slot,
                        "name",
                        m.score,
                        Cow::Owned(
                            m.reasons
                                .iter()
                                .map(|r| Cow::Owned(r.message.clone()))
                                .collect(),
                        ),
                    );
                }
            }
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(found)
    }

    /// Subjects in the index.
    pub fn size(&self) -> usize {
        self.inner.read().map(|i| i.parties.len()).unwrap_or(0)
    }

    /// Bytes the index's arenas and tables hold.
    pub fn footprint(&self) -> usize {
        self.inner.read().map(|i| i.footprint()).unwrap_or(0)
    }
}

/// A party as given by the caller, normalised (the ID number already hashed).
#[derive(Debug, Clone, Default)]
pub struct PartyQuery {
    pub uscc: Option<String>,
    pub id_hash: Option<String>,
    pub name: Option<String>,
}

/// A subject a party matched.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Found {
    pub subject_id: Uuid,
    pub name: String,
    /// `uscc`, `id_number` or `name`.
    pub matched_by: &'static str,
    pub score: f32,
    /// Why it matched, in Chinese.
    #[schema(value_type = Vec<String>)]
    pub reasons: Cow<'static, [Cow<'static, str>]>,
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<EntryRef>,
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<RecordRef>,
}

impl Found {
    /// The domain's hits for assessment.
    pub fn hits(&self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .entries
            .iter()
            .map(|e| Hit::ListEntry {
                list: e.list.to_string(),
                status: if e.status == "effective" {
                    EntryStatus::Effective
                } else {
                    EntryStatus::Publicity
                },
                mitigation: e.mitigation.as_ref().map(|m| EntryMitigation {
                    waived: m.outcome == "waived",
                    decision: m.decision.clone(),
                }),
            })
            .collect();
        hits.extend(self.records.iter().filter_map(|r| {
            Some(Hit::Record {
                type_code: r.type_code.to_string(),
                severity: Severity::parse(r.severity)?,
                tolerated: r.tolerated,
            })
        }));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_stay_small() {
        // The 10M-subject memory budget rests on these sizes.
        assert!(std::mem::size_of::<Party>() <= 56);
        assert!(std::mem::size_of::<EntryRow>() <= 24);
        assert!(std::mem::size_of::<RecordRow>() <= 36);
    }

    fn subject(id: Uuid, name: &str, uscc: Option<&str>, former: &[&str]) -> Subject {
        let now = chrono::Utc::now();
        Subject {
            id,
            kind: chengxin_domain::subjects::SubjectKind::Enterprise,
            name: name.into(),
            uscc: uscc.map(String::from),
            id_hash: None,
            id_masked: None,
            region: None,
            parent_id: None,
            former_names: former.iter().map(|s| s.to_string()).collect(),
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    fn record(id: Uuid, subject: Uuid, doc_no: &str) -> Record {
        let now = chrono::Utc::now();
        Record {
            id,
            type_code: "admin_penalty".into(),
            subject_id: Some(subject),
            subject_name: String::new(),
            doc_no: doc_no.into(),
            decision_date: chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or_default(),
            source_dept: String::new(),
            batch_id: None,
            fields: Default::default(),
            severity: Some("serious".into()),
            status: RecordStatus::Published,
            tolerated: false,
            published_at: None,
            publish_until: None,
            content_digest: String::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn uscc_of(idx: &Index, u: &str) -> Option<Uuid> {
        let u = uscc_bytes(u)?;
        let parties = &idx.parties;
        let slot = idx.by_uscc.find(idx.h(&u), |s| {
            parties.get(s as usize).is_some_and(|p| p.uscc == u)
        })?;
        idx.party(slot).map(|p| p.id)
    }

    fn named(idx: &Index, name: &str) -> Vec<Uuid> {
        let mut out: Vec<Uuid> = names::blocking_keys(name)
            .iter()
            .flat_map(|k| idx.by_key.get(idx.h32(k)).collect::<Vec<_>>())
            .filter_map(|s| idx.party(s).map(|p| p.id))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn changes_move_keys_records_and_entries_and_survive_compaction() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let (ua, ub, uc) = (
            "91320400MA1XXXXX1A",
            "91320400MA1XXXXX2B",
            "91320400MA1XXXXX3C",
        );
        let mut idx = Index::default();
        idx.put_subject(&subject(a, "常州甲乙科技有限公司", Some(ua), &[]));
        idx.put_subject(&subject(b, "常州丙丁贸易有限公司", Some(ub), &[]));
        assert_eq!(uscc_of(&idx, ua), Some(a));
        assert_eq!(named(&idx, "常州甲乙科技有限公司"), vec![a]);

        // Renamed, re-coded, with the old name kept as a former name.
        idx.put_subject(&subject(
            a,
            "常州戊己科技有限公司",
            Some(uc),
            &["常州甲乙科技有限公司"],
        ));
        assert_eq!(uscc_of(&idx, ua), None, "the old code no longer finds it");
        assert_eq!(uscc_of(&idx, uc), Some(a));
        assert_eq!(named(&idx, "常州戊己科技有限公司"), vec![a]);
        assert_eq!(named(&idx, "常州甲乙科技有限公司"), vec![a], "former name");
        idx.put_subject(&subject(a, "常州戊己科技有限公司", Some(uc), &[]));
        assert!(named(&idx, "常州甲乙科技有限公司").is_empty());
        assert_eq!(idx.parties.len(), 2, "an update does not add a party");

        // A record moves from a to b, then stops counting.
        let r = Uuid::now_v7();
        idx.put_record(&record(r, a, "常市监罚〔2025〕1号"));
        assert_eq!(idx.records_of(0).len(), 1);
        idx.put_record(&record(r, b, "常市监罚〔2025〕1号"));
        assert!(idx.records_of(0).is_empty(), "dropped where it was");
        assert_eq!(idx.records_of(1).len(), 1);
        let mut tolerated = record(r, b, "常市监罚〔2025〕1号");
        tolerated.tolerated = true;
        idx.put_record(&tolerated);
        assert!(idx.records_of(1).is_empty());

        // An entry comes in, is mitigated through its decision, and leaves.
        let e = Uuid::now_v7();
        let head = |status: &str| EntryHead {
            id: e,
            list_code: "serious_dishonest".into(),
            subject_id: b,
            status: status.into(),
        };
        idx.put_entry(e, Some(b), Some(&head("publicity")));
        idx.put_entry(e, Some(b), Some(&head("effective")));
        let f = idx.found(1, "uscc", 1.0, Cow::Borrowed(&[])).unwrap();
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].status, "effective");
        assert_eq!(f.entries[0].list, "serious_dishonest");
        idx.put_entry(e, Some(b), Some(&head("removed")));
        assert!(idx.entries_of(1).is_empty());

        // Churn until compaction runs; what parties point at is unchanged.
        for i in 0..40_000 {
            idx.put_record(&record(r, b, &format!("常市监罚〔2025〕{i}号")));
            idx.compact();
        }
        assert!(idx.records.len() < 40_000, "compaction reclaimed the arena");
        let f = idx.found(1, "uscc", 1.0, Cow::Borrowed(&[])).unwrap();
        assert_eq!(f.name, "常州丙丁贸易有限公司");
        assert_eq!(f.records.len(), 1);
        assert_eq!(f.records[0].doc_no, "常市监罚〔2025〕39999号");
        assert_eq!(
            idx.found(0, "uscc", 1.0, Cow::Borrowed(&[])).unwrap().name,
            "常州戊己科技有限公司"
        );
    }

    #[test]
    fn a_built_index_takes_changes_on_its_sorted_base() {
        // Loaded as the build loads: ids in order, name keys collected and sorted once.
        let mut ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        ids.sort();
        let mut idx = Index {
            building: Some(Vec::new()),
            ..Default::default()
        };
        let names_of = [
            "常州甲乙科技有限公司",
            "无锡丙丁贸易有限公司",
            "苏州戊己食品有限公司",
        ];
        for (id, name) in ids.iter().zip(names_of) {
            idx.put_subject(&subject(*id, name, None, &[]));
        }
        idx.finish_subjects();
        assert_eq!(idx.sorted, 3, "found by binary search");
        assert!(idx.by_id.is_empty());
        assert!(idx.by_key.added.0.is_empty(), "keys are in the sorted base");
        assert_eq!(named(&idx, "无锡丙丁贸易有限公司"), vec![ids[1]]);

        // A rename tombstones the old keys in the base and adds the new ones.
        idx.put_subject(&subject(ids[1], "无锡庚辛贸易有限公司", None, &[]));
        assert!(named(&idx, "无锡丙丁贸易有限公司").is_empty());
        assert_eq!(named(&idx, "无锡庚辛贸易有限公司"), vec![ids[1]]);
        // Renamed back: the tombstones go, nothing is doubled.
        idx.put_subject(&subject(ids[1], "无锡丙丁贸易有限公司", None, &[]));
        assert_eq!(named(&idx, "无锡丙丁贸易有限公司"), vec![ids[1]]);
        assert!(idx.by_key.removed.is_empty());
        assert!(named(&idx, "无锡庚辛贸易有限公司").is_empty());

        // A subject created later (an older id than the last) is found through the map.
        let late = Uuid::nil();
        idx.put_subject(&subject(late, "南京壬癸建筑工程有限公司", None, &[]));
        assert_eq!(idx.slot_of(&late), Some(3));
        assert_eq!(idx.slot_of(&ids[2]), Some(2));
        assert_eq!(named(&idx, "南京壬癸建筑工程有限公司"), vec![late]);
    }

    #[test]
    fn slot_table_finds_inserts_and_removes_through_collisions_and_growth() {
        // Keys are the slots themselves; a weak hash crowds them into long runs, and the
        // second one puts their homes at the end of the table so that runs wrap around.
        check_slot_table(|s: u32| u64::from(s % 7) | (u64::from(s % 3) << 60));
        check_slot_table(|s: u32| ((u64::MAX >> 4) - u64::from(s % 5)) | (u64::from(s % 3) << 60));
    }

    fn check_slot_table(hash: impl Fn(u32) -> u64 + Copy) {
        let mut t = SlotTable::default();
        for s in 0..5_000u32 {
            t.insert(hash(s), s, hash);
        }
        assert_eq!(t.len, 5_000);
        assert!(
            t.cells.len() * 3 >= t.len * 4,
            "at most three quarters full"
        );
        for s in (0..5_000u32).step_by(3) {
            t.remove(hash(s), s, hash);
        }
        for s in 0..5_000u32 {
            let found = t.find(hash(s), |x| x == s);
            assert_eq!(found.is_some(), s % 3 != 0, "slot {s}");
        }
        for s in (0..5_000u32).step_by(3) {
            t.insert(hash(s), s, hash);
        }
        assert!((0..5_000u32).all(|s| t.find(hash(s), |x| x == s) == Some(s)));
        assert_eq!(SlotTable::default().find(1, |_| true), None);
    }

    #[test]
    fn postings_keep_every_slot_through_growth() {
        let mut p = Postings::default();
        for slot in 0..10_000u32 {
            p.insert(slot % 97, slot);
        }
        let mut got: Vec<u32> = p.get(5).collect();
        got.sort_unstable();
        let want: Vec<u32> = (0..10_000).filter(|s| s % 97 == 5).collect();
        assert_eq!(got, want);
        p.remove(5, 5);
        assert_eq!(p.get(5).count(), want.len() - 1);
    }
}
