//! The check/intercept engine's in-memory index (核查拦截).
//!
//! Built from the store at start-up and kept current by tailing the change log: every
//! change to a subject, a record or a list entry (single or group entries) reloads just that
//! entity, so several server processes over one database converge within one refresh.
//! Look-ups are exact on USCC and on the keyed hash of an ID number, and fuzzy — but
//! explained — on names through `chengxin_domain::names`.

use std::borrow::Cow;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chengxin_domain::catalog::Severity;
use chengxin_domain::lists::{EntryMitigation, EntryStatus, Hit};
use chengxin_domain::names;
use chengxin_domain::records::{Record, RecordStatus};
use chengxin_domain::subjects::Subject;
use chengxin_store::{ApplicationFilter, ApplicationRow, ListEntryRow, Store};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

// foldhash: several times cheaper than SipHash on these short keys, seeded per process.
type HashMap<K, V> = foldhash::HashMap<K, V>;
type HashSet<T> = foldhash::HashSet<T>;

/// What the index keeps of a list entry.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRef {
    pub id: Uuid,
    pub list: String,
    pub status: String,
    /// The latest 从轻/免于惩戒 decision on the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<MitigationRef>,
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

/// What the index keeps of a negative record.
#[derive(Debug, Clone, Serialize)]
pub struct RecordRef {
    pub id: Uuid,
    pub type_code: String,
    pub severity: String,
    pub tolerated: bool,
    pub doc_no: String,
    pub decision_date: chrono::NaiveDate,
}

/// A subject in the index. What a check returns about it is shared (`Arc`), not copied:
/// a hit costs reference counts, not allocations.
#[derive(Debug, Clone, Default)]
struct Party {
    name: Arc<str>,
    former_names: Vec<String>,
    uscc: Option<String>,
    id_hash: Option<String>,
    keys: Vec<String>,
    entries: Arc<Vec<EntryRef>>,
    records: Arc<Vec<RecordRef>>,
}

#[derive(Default)]
struct Index {
    last_seq: i64,
    parties: HashMap<Uuid, Party>,
    by_uscc: HashMap<String, Uuid>,
    by_hash: HashMap<String, Uuid>,
    by_key: HashMap<String, HashSet<Uuid>>,
    /// Which party holds a record / an entry, so a change finds it without a scan.
    record_owner: HashMap<Uuid, Uuid>,
    entry_owner: HashMap<Uuid, Uuid>,
    /// The latest 从轻/免于惩戒 decision per list entry.
    mitigations: HashMap<Uuid, MitigationRef>,
}

impl Index {
    fn put_subject(&mut self, s: &Subject) {
        let old = self.parties.remove(&s.id).unwrap_or_default();
        for k in &old.keys {
            if let Some(set) = self.by_key.get_mut(k) {
                set.remove(&s.id);
            }
        }
        if let Some(u) = &old.uscc {
            self.by_uscc.remove(u);
        }
        if let Some(h) = &old.id_hash {
            self.by_hash.remove(h);
        }
        let mut keys: Vec<String> = names::blocking_keys(&s.name);
        for f in &s.former_names {
            keys.extend(names::blocking_keys(f));
        }
        keys.sort();
        keys.dedup();
        for k in &keys {
            self.by_key.entry(k.clone()).or_default().insert(s.id);
        }
        if let Some(u) = &s.uscc {
            self.by_uscc.insert(u.clone(), s.id);
        }
        if let Some(h) = &s.id_hash {
            self.by_hash.insert(h.clone(), s.id);
        }
        self.parties.insert(
            s.id,
            Party {
                name: Arc::from(s.name.as_str()),
                former_names: s.former_names.clone(),
                uscc: s.uscc.clone(),
                id_hash: s.id_hash.clone(),
                keys,
                entries: old.entries,
                records: old.records,
            },
        );
    }

    fn put_record(&mut self, r: &Record) {
        // A record may have moved (linked to another subject): drop it where it was first.
        if let Some(owner) = self.record_owner.remove(&r.id) {
            if let Some(p) = self.parties.get_mut(&owner) {
                Arc::make_mut(&mut p.records).retain(|x| x.id != r.id);
            }
        }
        let counts = r.status == RecordStatus::Published && !r.tolerated;
        if let (Some(sid), Some(sev), true) = (r.subject_id, &r.severity, counts) {
            if let Some(p) = self.parties.get_mut(&sid) {
                self.record_owner.insert(r.id, sid);
                Arc::make_mut(&mut p.records).push(RecordRef {
                    id: r.id,
                    type_code: r.type_code.clone(),
                    severity: sev.clone(),
                    tolerated: r.tolerated,
                    doc_no: r.doc_no.clone(),
                    decision_date: r.decision_date,
                });
            }
        }
    }

    fn put_entry(&mut self, e: &ListEntryRow) {
        if let Some(owner) = self.entry_owner.remove(&e.id) {
            if let Some(p) = self.parties.get_mut(&owner) {
                Arc::make_mut(&mut p.entries).retain(|x| x.id != e.id);
            }
        }
        let active = matches!(e.status.as_str(), "publicity" | "effective");
        if let (Some(sid), true) = (e.subject_id, active) {
            if let Some(p) = self.parties.get_mut(&sid) {
                self.entry_owner.insert(e.id, sid);
                Arc::make_mut(&mut p.entries).push(EntryRef {
                    id: e.id,
                    list: e.list_code.clone(),
                    status: e.status.clone(),
                    mitigation: self.mitigations.get(&e.id).cloned(),
                });
            }
        }
    }

    fn put_application(&mut self, row: &ApplicationRow) {
        let Some((entry, m)) = MitigationRef::of(row) else {
            return;
        };
        // Decisions are never edited; a later one on the same entry supersedes.
        if self
            .mitigations
            .get(&entry)
            .is_some_and(|old| old.decided_at > m.decided_at)
        {
            return;
        }
        if let Some(p) = self
            .entry_owner
            .get(&entry)
            .and_then(|owner| self.parties.get_mut(owner))
        {
            for e in Arc::make_mut(&mut p.entries)
                .iter_mut()
                .filter(|e| e.id == entry)
            {
                e.mitigation = Some(m.clone());
            }
        }
        self.mitigations.insert(entry, m);
    }
}

/// The shared index; cheap to read from many requests at once.
pub struct CheckIndex {
    inner: RwLock<Index>,
    refreshed: RwLock<Option<Instant>>,
    /// Serialises refreshes (one tail at a time).
    refresh_lock: tokio::sync::Mutex<()>,
}

impl Default for CheckIndex {
    fn default() -> Self {
        Self {
            inner: RwLock::new(Index::default()),
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
        let _guard = self.refresh_lock.lock().await;
        let (seq, _) = store.log_head().await?;
        let mut idx = Index {
            last_seq: seq,
            ..Default::default()
        };
        let mut after = None;
        loop {
            let page = store.subjects_after(after, 10_000).await?;
            for s in &page {
                idx.put_subject(s);
            }
            match page.last() {
                Some(s) if page.len() == 10_000 => after = Some(s.id),
                _ => break,
            }
        }
        let mut after = None;
        loop {
            let page = store.negative_records(after, 5000).await?;
            for r in &page {
                idx.put_record(r);
            }
            match page.last() {
                Some(r) if page.len() == 5000 => after = Some(r.id),
                _ => break,
            }
        }
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
        for e in crate::services::lists::all_entries(store, None).await? {
            idx.put_entry(&e);
        }
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
                if let Some(e) = store.list_entry(id).await? {
                    loaded_entries.push(e);
                }
            }
            let mut loaded_applications = Vec::new();
            for id in applications {
                if let Some(a) = store.application(id).await? {
                    loaded_applications.push(a);
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
            for e in &loaded_entries {
                idx.put_entry(e);
            }
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
        let mut push = |id: Uuid, by: &'static str, score: f32, reasons: Vec<Cow<'static, str>>| {
            if let Some(p) = idx.parties.get(&id) {
                if let Some(f) = found.iter_mut().find(|f| f.subject_id == id) {
                    f.reasons.extend(reasons);
                    f.score = f.score.max(score);
                    return;
                }
                found.push(Found {
                    subject_id: id,
                    name: p.name.clone(),
                    matched_by: by,
                    score,
                    reasons,
                    entries: p.entries.clone(),
                    records: p.records.clone(),
                });
            }
        };
        if let Some(u) = &q.uscc {
            if let Some(id) = idx.by_uscc.get(u) {
                push(
                    *id,
                    "uscc",
                    1.0,
                    vec![Cow::Borrowed("统一社会信用代码一致")],
                );
            }
        }
        if let Some(h) = &q.id_hash {
            if let Some(id) = idx.by_hash.get(h) {
                push(
                    *id,
                    "id_number",
                    1.0,
                    vec![Cow::Borrowed("居民身份证号码一致（按密钥散列比对）")],
                );
            }
        }
        if let Some(name) = &q.name {
            let mut candidates: HashSet<Uuid> = HashSet::default();
            for k in names::blocking_keys(name) {
                if let Some(set) = idx.by_key.get(&k) {
                    candidates.extend(set.iter().copied());
                }
            }
            for id in candidates {
                let Some(p) = idx.parties.get(&id) else {
                    continue;
                };
                let m = names::compare_with_former(name, &p.name, &p.former_names);
                if m.is_match(names::DEFAULT_THRESHOLD) {
                    push(
                        id,
                        "name",
                        m.score,
                        m.reasons
                            .iter()
                            .map(|r| Cow::Owned(r.message.clone()))
                            .collect(),
                    );
                }
            }
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(found)
    }

    pub fn size(&self) -> usize {
        self.inner.read().map(|i| i.parties.len()).unwrap_or(0)
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
    #[schema(value_type = String)]
    pub name: Arc<str>,
    /// `uscc`, `id_number` or `name`.
    pub matched_by: &'static str,
    pub score: f32,
    /// Why it matched, in Chinese.
    #[schema(value_type = Vec<String>)]
    pub reasons: Vec<Cow<'static, str>>,
    #[schema(value_type = Vec<Object>)]
    pub entries: Arc<Vec<EntryRef>>,
    #[schema(value_type = Vec<Object>)]
    pub records: Arc<Vec<RecordRef>>,
}

impl Found {
    /// The domain's hits for assessment.
    pub fn hits(&self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .entries
            .iter()
            .filter_map(|e| {
                let status = match e.status.as_str() {
                    "publicity" => EntryStatus::Publicity,
                    "effective" => EntryStatus::Effective,
                    _ => return None,
                };
                Some(Hit::ListEntry {
                    list: e.list.clone(),
                    status,
                    mitigation: e.mitigation.as_ref().map(|m| EntryMitigation {
                        waived: m.outcome == "waived",
                        decision: m.decision.clone(),
                    }),
                })
            })
            .collect();
        hits.extend(self.records.iter().filter_map(|r| {
            Some(Hit::Record {
                type_code: r.type_code.clone(),
                severity: Severity::parse(&r.severity)?,
                tolerated: r.tolerated,
            })
        }));
        hits
    }
}
