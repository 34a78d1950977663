//! Compaction: the arenas rewritten without the garbage that changes left behind.

use super::rows::Text;
use super::{to_u32, Index};

impl Index {
    /// Reclaim the arenas once garbage is over half of them (and worth the copy).
    pub(super) fn compact(&mut self) {
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
}
