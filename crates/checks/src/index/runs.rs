//! A party's runs of list entries and negative records: rows as loaded from the store, the
//! record owners (a record that moved is dropped where it was), and mitigation decisions.

use std::sync::Arc;

use chengxin_domain::records::{Record, RecordStatus};
use chengxin_store::{ApplicationRow, EntryHead};
use uuid::Uuid;

use chengxin_domain::catalog::{Catalog, Disclosure};
use chengxin_domain::lists::JointCatalog;

use super::rows::{disclosure_byte, EntryRow, RecordRow, NONE};
use super::{capped, to_u32, Index};
use crate::found::MitigationRef;

/// The disclosure of a record type (社会公开 / 政务共享 / 授权查询) in the catalog; a type the
/// catalog does not know is treated as the most restricted.
fn type_disclosure(type_code: &str) -> u8 {
    let d = Catalog::default_checked()
        .ok()
        .and_then(|c| c.get(type_code))
        .map_or(Disclosure::Authorised, |t| t.disclosure);
    disclosure_byte(d)
}

/// The disclosure of a list; an unknown list is treated as the most restricted.
fn list_disclosure(list_code: &str) -> u8 {
    let d = JointCatalog::default_checked()
        .ok()
        .and_then(|j| j.list(list_code))
        .map_or(Disclosure::Authorised, |l| l.disclosure);
    disclosure_byte(d)
}

impl Index {
    /// The disclosure of an interned record type (`list` false) or list code, looked up once
    /// per code.
    fn disclosure(&mut self, list: bool, code: u16, of: impl Fn() -> u8) -> u8 {
        let cache = &mut self.disclosures[usize::from(list)];
        let i = usize::from(code);
        if cache.len() <= i {
            cache.resize(i + 1, u8::MAX);
        }
        match cache.get(i).copied() {
            Some(d) if d != u8::MAX => d,
            _ => {
                let d = of();
                if let Some(slot) = cache.get_mut(i) {
                    *slot = d;
                }
                d
            }
        }
    }

    pub(super) fn record_row(&mut self, r: &Record, sev: &str) -> RecordRow {
        let type_code = self.codes.code(&r.type_code);
        RecordRow {
            id: r.id,
            type_code,
            severity: self.codes.code(sev),
            tolerated: r.tolerated,
            disclosure: self.disclosure(false, type_code, || type_disclosure(&r.type_code)),
            decision_date: chrono::Datelike::num_days_from_ce(&r.decision_date),
            doc_no: self.push_text(&r.doc_no),
        }
    }

    pub(super) fn entry_row(&mut self, e: &EntryHead) -> EntryRow {
        let list = self.codes.code(&e.list_code);
        EntryRow {
            id: e.id,
            list,
            effective: e.status == "effective",
            disclosure: self.disclosure(true, list, || list_disclosure(&e.list_code)),
            mitigation: self.mitigations.get(&e.id).copied().unwrap_or(NONE),
        }
    }

    pub(super) fn records_of(&self, slot: u32) -> &[RecordRow] {
        self.party(slot)
            .and_then(|p| self.records.get(p.records().range()))
            .unwrap_or_default()
    }

    pub(super) fn entries_of(&self, slot: u32) -> &[EntryRow] {
        self.party(slot)
            .and_then(|p| self.entries.get(p.entries().range()))
            .unwrap_or_default()
    }

    pub(super) fn set_records(&mut self, slot: u32, run: &[RecordRow]) {
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

    pub(super) fn set_entries(&mut self, slot: u32, run: &[EntryRow]) {
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
    pub(super) fn put_record(&mut self, r: &Record) {
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
    pub(super) fn put_entry(&mut self, id: Uuid, subject: Option<Uuid>, head: Option<&EntryHead>) {
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

    pub(super) fn put_application(&mut self, row: &ApplicationRow) -> Option<Uuid> {
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
    pub(super) fn refresh_mitigation(&mut self, entry: Uuid, subject: Option<Uuid>) {
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
}
