//! `verify`'s read of the change log on SQLite, straight on the C API (rusqlite, the same
//! libsqlite3 sqlx links): several reader threads, each on its own read-only connection,
//! take disjoint `seq` ranges of [`PAGE_ENTRIES`], read and hash them, and this thread folds
//! the pages into the [`ChainChecker`] in `seq` order.
//!
//! ```text
//! reader ×N: seq range k ─read─▶ page ─hash─▶ ┐
//!                                             ├─▶ fold in order (links, tree, latest state)
//! reader ×N: seq range k+1 ...                ┘
//! ```
//!
//! The readers' snapshots are not `verify`'s sqlx snapshot, but they read the same rows:
//! the range is cut at the `MIN`/`MAX(seq)` read inside that snapshot, and the log is
//! append-only (nothing in the product updates or deletes an entry), so every row at or below
//! the cut is the same in any later snapshot. An entry appended after the cut is not read,
//! exactly as if `verify` had read everything in its own snapshot.
//!
//! At most `WINDOW` pages are read ahead of the fold, so memory stays bounded however long
//! the log is and however unevenly the threads run.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{mpsc, Condvar, Mutex};
use std::time::Duration;

use chengxin_domain::merkle::Hash;
use rusqlite::types::ValueRef;
use rusqlite::{OpenFlags, Statement};

use crate::changelog::{ChainChecker, EntryRef};
use crate::error::{Result, StoreError};
use crate::verify_pipeline::{portable_reads, EntryPage, Fast, PAGE_ENTRIES};

const SELECT: &str = "SELECT seq, at, actor, entity_type, entity_id, action, state_digest, \
                      prev_hash, hash, members FROM change_log \
                      WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq";

/// Which pages have been handed out and folded.
#[derive(Default)]
struct Progress {
    next: usize,
    folded: usize,
    stop: bool,
}

struct Shared {
    progress: Mutex<Progress>,
    turn: Condvar,
    lo: i64,
    hi: i64,
    pages: usize,
    window: usize,
}

impl Shared {
    /// The next page this reader should read, or `None` when done (or stopped).
    fn take(&self) -> Option<usize> {
        let mut p = self.progress.lock().ok()?;
        loop {
            if p.stop || p.next >= self.pages {
                return None;
            }
            if p.next < p.folded + self.window {
                p.next += 1;
                return Some(p.next - 1);
            }
            p = self.turn.wait(p).ok()?;
        }
    }

    fn folded(&self, n: usize) {
        if let Ok(mut p) = self.progress.lock() {
            p.folded = n;
        }
        self.turn.notify_all();
    }

    fn stop(&self) {
        if let Ok(mut p) = self.progress.lock() {
            p.stop = true;
        }
        self.turn.notify_all();
    }

    /// The `seq` range of page `n` (inclusive).
    fn range(&self, n: usize) -> (i64, i64) {
        let span = PAGE_ENTRIES as i64;
        let a = self.lo.saturating_add((n as i64).saturating_mul(span));
        (a, a.saturating_add(span - 1).min(self.hi))
    }
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn text<'a>(v: ValueRef<'a>, seq: i64, column: &str) -> Result<&'a str> {
    v.as_str().map_err(|_| not_text(seq, column))
}

fn text_or_null<'a>(v: ValueRef<'a>, seq: i64, column: &str) -> Result<Option<&'a str>> {
    v.as_str_or_null().map_err(|_| not_text(seq, column))
}

fn not_text(seq: i64, column: &str) -> StoreError {
    StoreError::Corrupt(format!("变更日志第 {seq} 条的 {column} 不是文本"))
}

/// Read entries `a..=b` into a page.
fn read_page(st: &mut Statement<'_>, a: i64, b: i64) -> Result<EntryPage> {
    let mut page = EntryPage::new();
    let mut rows = st.query([a, b]).map_err(db_err)?;
    while let Some(r) = rows.next().map_err(db_err)? {
        let seq: i64 = r.get(0).map_err(db_err)?;
        let v = |i: usize| r.get_ref(i).map_err(db_err);
        page.push(&EntryRef {
            seq,
            at: text(v(1)?, seq, "at")?,
            actor: text(v(2)?, seq, "actor")?,
            entity_type: text(v(3)?, seq, "entity_type")?,
            entity_id: text(v(4)?, seq, "entity_id")?,
            action: text(v(5)?, seq, "action")?,
            state_digest: text_or_null(v(6)?, seq, "state_digest")?,
            prev_hash: text(v(7)?, seq, "prev_hash")?,
            hash: text(v(8)?, seq, "hash")?,
            members: text_or_null(v(9)?, seq, "members")?,
        });
    }
    Ok(page)
}

type Done = (usize, Result<(EntryPage, Vec<(bool, Hash)>)>);

fn reader(file: &Path, shared: &Shared, out: mpsc::SyncSender<Done>) {
    let conn = match rusqlite::Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(c) => c,
        Err(e) => {
            let _ = out.send((0, Err(db_err(e))));
            return;
        }
    };
    let _ = conn.busy_timeout(Duration::from_secs(10));
    let mut st = match conn.prepare(SELECT) {
        Ok(st) => st,
        Err(e) => {
            let _ = out.send((0, Err(db_err(e))));
            return;
        }
    };
    while let Some(n) = shared.take() {
        let (a, b) = shared.range(n);
        let done = read_page(&mut st, a, b).map(|page| {
            let hashes = page.hash();
            (page, hashes)
        });
        if out.send((n, done)).is_err() {
            return;
        }
    }
}

/// Check the entries `lo..=hi` of the SQLite database `file` into `checker`. Blocking.
pub(crate) fn check_entries(
    file: &Path,
    lo: i64,
    hi: i64,
    mut checker: ChainChecker,
) -> Result<ChainChecker> {
    if hi < lo {
        return Ok(checker);
    }
    let pages = usize::try_from((i128::from(hi) - i128::from(lo)) / PAGE_ENTRIES as i128 + 1)
        .map_err(|_| StoreError::Corrupt("变更日志序号范围异常".into()))?;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4)
        .min(pages);
    let shared = Shared {
        progress: Mutex::new(Progress::default()),
        turn: Condvar::new(),
        lo,
        hi,
        pages,
        window: threads * 2,
    };
    let (tx, rx) = mpsc::sync_channel::<Done>(threads * 2);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let out = tx.clone();
            let shared = &shared;
            s.spawn(move || reader(file, shared, out));
        }
        drop(tx);
        let mut waiting: BTreeMap<usize, (EntryPage, Vec<(bool, Hash)>)> = BTreeMap::new();
        let mut want = 0usize;
        for (n, done) in rx {
            match done {
                Ok(page) => {
                    waiting.insert(n, page);
                }
                Err(e) => {
                    shared.stop();
                    return Err(e);
                }
            }
            let before = want;
            while let Some((page, hashes)) = waiting.remove(&want) {
                page.check(&mut checker, &hashes);
                want += 1;
            }
            if want != before {
                shared.folded(want);
            }
        }
        // A reader gone (a panic) must not pass as a shorter log.
        if want != pages {
            shared.stop();
            return Err(StoreError::Invalid("校验线程意外退出".into()));
        }
        Ok(())
    })?;
    Ok(checker)
}

/// `verify`'s hook (called inside its snapshot transaction `conn`): the entries of a database
/// file read by [`check_entries`], cut at the `seq` range this snapshot sees; an in-memory
/// database has no file for other connections to open.
pub(crate) async fn check_log_entries(
    store: &crate::sqlite::SqliteStore,
    conn: &mut sqlx::SqliteConnection,
    checker: ChainChecker,
) -> Result<Fast> {
    let Some(file) = store.file.clone().filter(|_| !portable_reads()) else {
        return Ok(Fast::Unavailable(checker));
    };
    let (lo, hi): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(seq), MAX(seq) FROM change_log")
            .fetch_one(&mut *conn)
            .await?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(Fast::Checked(checker));
    };
    tokio::task::spawn_blocking(move || check_entries(&file, lo, hi, checker))
        .await
        .map_err(|_| StoreError::Invalid("校验线程意外退出".into()))?
        .map(Fast::Checked)
}
