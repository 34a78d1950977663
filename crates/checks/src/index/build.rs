//! Building the index from the store at start-up: subjects page by page, then records,
//! mitigation decisions and list entries grouped into each party's runs.

use std::time::Instant;

use chengxin_domain::records::RecordStatus;
use chengxin_store::{ApplicationFilter, Store};

use super::rows::{EntryRow, RecordRow};
use super::shared::{poisoned, CheckIndex};
use super::Index;
use crate::error::{CheckError, CheckResult};

impl CheckIndex {
    /// Load everything from the store (start-up).
    pub async fn build(&self, store: &dyn Store) -> CheckResult<()> {
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
                return Err(CheckError::Unavailable(format!(
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
}
