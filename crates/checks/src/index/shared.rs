//! The shared index ([`CheckIndex`]): the lock around the index, and look-ups by USCC, ID
//! hash and name.

use std::borrow::Cow;
use std::sync::RwLock;
use std::time::Instant;

use chengxin_domain::names;
use crossbeam_utils::sync::ShardedLock;

use super::{hash_bytes, uscc_bytes, Index};
use crate::error::{CheckError, CheckResult};
use crate::found::{Found, PartyQuery};

const BY_USCC: &[Cow<'static, str>] = &[Cow::Borrowed("统一社会信用代码一致")];
const BY_ID_NUMBER: &[Cow<'static, str>] = &[Cow::Borrowed("居民身份证号码一致（按密钥散列比对）")];

/// The shared index; cheap to read from many requests at once.
pub struct CheckIndex {
    /// Sharded: a reader locks only its own thread's shard, so look-ups on several cores do
    /// not contend on one reader count (a refresh, which is rare, locks every shard).
    pub(super) inner: ShardedLock<Index>,
    pub(super) refreshed: RwLock<Option<Instant>>,
    /// Serialises refreshes (one tail at a time).
    pub(super) refresh_lock: tokio::sync::Mutex<()>,
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

pub(super) fn poisoned() -> CheckError {
    CheckError::Unavailable("核查索引不可用".into())
}

impl CheckIndex {
    /// Find the subjects a party's identifiers point to, each with why and how well, with
    /// what the query's audience may see of them (a person with nothing it may see is not
    /// found at all).
    pub fn lookup(&self, q: &PartyQuery) -> CheckResult<Vec<Found>> {
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
            found.extend(idx.found(slot, by, score, reasons, q.audience));
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
