//! Tailing the change log: each changed subject, record, list entry or application is
//! reloaded from the store and applied to the index.
//!
//! A batch import's chunks (groups `batch:<id>:<n>`) are skipped: their rows are staged,
//! invisible until the batch is published. The batch's `commit` entry then loads everything
//! it created or corrected at once (`Store::batch_entities`).

use std::time::{Duration, Instant};

use chengxin_store::{BatchState, EntryHead, Store};
use uuid::Uuid;

use super::shared::{poisoned, CheckIndex};
use crate::error::CheckResult;
use crate::found::MitigationRef;

impl CheckIndex {
    /// Apply the change log since the last refresh.
    pub async fn catch_up(&self, store: &dyn Store) -> CheckResult<()> {
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
            let mut published = Vec::new();
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
                    Some(_) if e.entity_id.starts_with("batch:") => {}
                    Some(m) => {
                        for member in
                            chengxin_store::changelog::parse_members(m).unwrap_or_default()
                        {
                            touch(member.entity_type, member.entity_id);
                        }
                    }
                    // A batch published (`create`: one committed before batches had chunks).
                    None if e.entity_type == "batch" => {
                        if matches!(e.action.as_str(), "commit" | "create") {
                            if let Ok(id) = Uuid::parse_str(&e.entity_id) {
                                published.push(id);
                            }
                        }
                    }
                    None => touch(&e.entity_type, &e.entity_id),
                }
                after = e.seq;
            }
            for id in published {
                let committed = store
                    .batch(id)
                    .await?
                    .is_some_and(|b| b.state == BatchState::Committed);
                if committed {
                    let made = store.batch_entities(id).await?;
                    subjects.extend(made.subjects);
                    records.extend(made.records);
                }
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
    pub async fn fresh(&self, store: &dyn Store, max_age: Duration) -> CheckResult<()> {
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
}
