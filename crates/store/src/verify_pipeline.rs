//! The change-log half of `verify` as a bounded pipeline: the database is read in pages
//! (each page's text in one buffer, no allocation per entry), the pages are hashed on worker
//! threads (the entry's chain hash and its Merkle leaf do not depend on any other entry), and
//! one thread feeds the results, in `seq` order, to the [`ChainChecker`] (links, the tree's
//! frontier, the latest digest of every entity).
//!
//! ```text
//! reader (async, the snapshot) ──page──▶ workers ×N ──(page, hashes)──▶ checker (in order)
//!          bounded: PAGES_IN_FLIGHT                     bounded, reordered by page number
//! ```
//!
//! At most `PAGES_IN_FLIGHT` pages wait between two stages, so memory stays bounded however
//! long the log is.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{mpsc, Arc, Mutex};

use chengxin_domain::merkle::Hash;

use crate::changelog::{hash_entry, ChainChecker, EntryRef};
use crate::error::{Result, StoreError};

/// Entries per page: large enough that the hand-over between threads is noise, small enough
/// that a few pages in flight are a few megabytes.
pub const PAGE_ENTRIES: usize = 4096;
/// Text bytes after which a page is sent even if not full (group entries carry long member
/// lists).
const PAGE_BYTES: usize = 8 << 20;
/// Pages waiting between two stages.
const PAGES_IN_FLIGHT: usize = 4;

/// One entry of a page: its sequence number and where its fields are in the page's text.
#[derive(Debug, Clone)]
struct Packed {
    seq: i64,
    /// at, actor, entity_type, entity_id, action, state_digest, prev_hash, hash, members.
    fields: [Range<u32>; 9],
    has_digest: bool,
    has_members: bool,
}

/// Entries read from the database, their text in one buffer.
#[derive(Debug, Default)]
pub struct EntryPage {
    text: String,
    entries: Vec<Packed>,
}

impl EntryPage {
    pub fn new() -> Self {
        Self {
            text: String::with_capacity(PAGE_ENTRIES * 400),
            entries: Vec::with_capacity(PAGE_ENTRIES),
        }
    }

    fn span(&mut self, s: &str) -> Range<u32> {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        start..self.text.len() as u32
    }

    /// Add an entry (its fields copied into the page's buffer).
    pub fn push(&mut self, e: &EntryRef<'_>) {
        let fields = [
            self.span(e.at),
            self.span(e.actor),
            self.span(e.entity_type),
            self.span(e.entity_id),
            self.span(e.action),
            self.span(e.state_digest.unwrap_or_default()),
            self.span(e.prev_hash),
            self.span(e.hash),
            self.span(e.members.unwrap_or_default()),
        ];
        self.entries.push(Packed {
            seq: e.seq,
            fields,
            has_digest: e.state_digest.is_some(),
            has_members: e.members.is_some(),
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Time to send it on.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= PAGE_ENTRIES || self.text.len() >= PAGE_BYTES
    }

    fn get(&self, i: usize) -> EntryRef<'_> {
        let p = &self.entries[i];
        let f = |n: usize| {
            let r = &p.fields[n];
            self.text
                .get(r.start as usize..r.end as usize)
                .unwrap_or("")
        };
        EntryRef {
            seq: p.seq,
            at: f(0),
            actor: f(1),
            entity_type: f(2),
            entity_id: f(3),
            action: f(4),
            state_digest: p.has_digest.then(|| f(5)),
            prev_hash: f(6),
            hash: f(7),
            members: p.has_members.then(|| f(8)),
        }
    }

    /// The hashes of every entry, on this thread.
    pub(crate) fn hash(&self) -> Vec<(bool, Hash)> {
        let mut buf = Vec::with_capacity(512);
        (0..self.len())
            .map(|i| hash_entry(&mut buf, &self.get(i)))
            .collect()
    }

    /// Feed the page's entries, hashed by [`EntryPage::hash`], to the checker (in order).
    pub(crate) fn check(&self, checker: &mut ChainChecker, hashes: &[(bool, Hash)]) {
        for (i, (ok, leaf)) in hashes.iter().enumerate() {
            checker.entry_checked(&self.get(i), *ok, leaf);
        }
    }
}

type Hashed = (usize, EntryPage, Vec<(bool, Hash)>);

/// `CHENGXIN_X_PORTABLE_LOG_READS=1` (benchmarks only): `verify` reads the change log through
/// sqlx pages and proofs use the portable queries, as before the backends' fast paths — for a
/// before/after in one binary.
pub(crate) fn portable_reads() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("CHENGXIN_X_PORTABLE_LOG_READS").is_ok_and(|v| v == "1"))
}

/// What a backend's fast reader of the change log did.
pub enum Fast {
    /// Every entry checked.
    Checked(ChainChecker),
    /// Not available here (an in-memory database): read the entries through sqlx.
    Unavailable(ChainChecker),
}

/// A running pipeline: send pages in order, then [`Pipeline::finish`].
pub struct Pipeline {
    to_workers: Option<tokio::sync::mpsc::Sender<(usize, EntryPage)>>,
    next: usize,
    workers: Vec<std::thread::JoinHandle<()>>,
    checker: tokio::task::JoinHandle<(ChainChecker, usize)>,
}

fn gone() -> StoreError {
    StoreError::Invalid("校验线程意外退出".into())
}

impl Pipeline {
    /// Start the workers (one per core, at most four) and the checker thread.
    pub fn start(mut checker: ChainChecker) -> Self {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(1, 4);
        let (to_workers, from_reader) =
            tokio::sync::mpsc::channel::<(usize, EntryPage)>(PAGES_IN_FLIGHT);
        let from_reader = Arc::new(Mutex::new(from_reader));
        let (to_checker, from_workers) = mpsc::sync_channel::<Hashed>(PAGES_IN_FLIGHT);
        let workers = (0..threads)
            .map(|_| {
                let rx = Arc::clone(&from_reader);
                let tx = to_checker.clone();
                std::thread::spawn(move || loop {
                    // The lock is held only to take the next page.
                    let next = match rx.lock() {
                        Ok(mut rx) => rx.blocking_recv(),
                        Err(_) => None,
                    };
                    let Some((n, page)) = next else { return };
                    let hashes = page.hash();
                    if tx.send((n, page, hashes)).is_err() {
                        return;
                    }
                })
            })
            .collect();
        drop(to_checker);
        let checker = tokio::task::spawn_blocking(move || {
            let mut waiting: BTreeMap<usize, (EntryPage, Vec<(bool, Hash)>)> = BTreeMap::new();
            let mut want = 0usize;
            for (n, page, hashes) in from_workers {
                waiting.insert(n, (page, hashes));
                while let Some((page, hashes)) = waiting.remove(&want) {
                    page.check(&mut checker, &hashes);
                    want += 1;
                }
            }
            (checker, want)
        });
        Self {
            to_workers: Some(to_workers),
            next: 0,
            workers,
            checker,
        }
    }

    /// Hand a page on (waits while the stages behind are full).
    pub async fn send(&mut self, page: EntryPage) -> Result<()> {
        if page.is_empty() {
            return Ok(());
        }
        let tx = self.to_workers.as_ref().ok_or_else(gone)?;
        tx.send((self.next, page)).await.map_err(|_| gone())?;
        self.next += 1;
        Ok(())
    }

    /// Wait for every page to be checked; the checker, ready for the rows.
    pub async fn finish(mut self) -> Result<ChainChecker> {
        self.to_workers = None;
        let workers = std::mem::take(&mut self.workers);
        tokio::task::spawn_blocking(move || {
            for w in workers {
                let _ = w.join();
            }
        })
        .await
        .map_err(|_| gone())?;
        let (checker, checked) = self.checker.await.map_err(|_| gone())?;
        // A page lost (a worker gone) must not pass as a shorter log.
        if checked != self.next {
            return Err(gone());
        }
        Ok(checker)
    }
}
