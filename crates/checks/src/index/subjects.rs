//! A party's subject data in the index: its name, codes and former names, and the maps
//! (name keys, USCC, ID hash) that find it.

use std::hash::BuildHasher;

use chengxin_domain::names;
use chengxin_domain::subjects::Subject;

use super::rows::{Party, NONE};
use super::{hash_bytes, id_hash_hash, to_u32, uscc_bytes, uscc_hash, Index};

impl Index {
    pub(super) fn name_keys(&self, slot: u32) -> Vec<String> {
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
    pub(super) fn unmap(&mut self, slot: u32) {
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
    pub(super) fn map(&mut self, slot: u32) {
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
    pub(super) fn fill_code_tables(&mut self) {
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

    pub(super) fn put_subject(&mut self, s: &Subject) {
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
        self.set_person(slot, s.kind.is_person());
        if let Some(p) = self.parties.get_mut(slot as usize) {
            p.name_at = name.at;
            p.name_len = u16::try_from(name.len).unwrap_or(u16::MAX);
            p.uscc = uscc;
            p.id_hash = id_hash;
        }
        self.map(slot);
    }

    /// End of the build's subject phase: sort the collected name keys once.
    pub(super) fn finish_subjects(&mut self) {
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
}
