//! Buffered query logging for high-rate routes (checks): events are queued in memory and
//! written in batches — one transaction and one chained group entry per flush — instead of one
//! transaction per request. Nothing is dropped: a failed flush puts the events back, and
//! shutdown flushes what is left.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chengxin_store::{AuditEvent, Store};

/// Flush at least this often, or as soon as this many events wait.
const FLUSH_EVERY: Duration = Duration::from_millis(100);
const FLUSH_AT: usize = 512;

#[derive(Default)]
pub struct AuditQueue {
    pending: Mutex<Vec<AuditEvent>>,
    wake: tokio::sync::Notify,
    /// Set by `stop`: the writer flushes what is left and returns. (Aborting the writer
    /// instead could cancel a flush after it took the events and before they were written.)
    stopping: std::sync::atomic::AtomicBool,
}

impl AuditQueue {
    pub fn push(&self, e: AuditEvent) {
        let n = match self.pending.lock() {
            Ok(mut p) => {
                p.push(e);
                p.len()
            }
            // A poisoned lock only means another thread panicked mid-push; keep the data.
            Err(poisoned) => {
                let mut p = poisoned.into_inner();
                p.push(e);
                p.len()
            }
        };
        if n >= FLUSH_AT {
            self.wake.notify_one();
        }
    }

    /// Write everything queued so far. On failure the events go back to the front.
    pub async fn flush(&self, store: &dyn Store) -> chengxin_store::Result<usize> {
        let batch = match self.pending.lock() {
            Ok(mut p) => std::mem::take(&mut *p),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        if batch.is_empty() {
            return Ok(0);
        }
        let n = batch.len();
        if let Err(e) = store.audit(&batch).await {
            let mut p = match self.pending.lock() {
                Ok(p) => p,
                Err(poisoned) => poisoned.into_inner(),
            };
            let later = std::mem::take(&mut *p);
            *p = batch;
            p.extend(later);
            return Err(e);
        }
        Ok(n)
    }

    /// The background writer (spawned by `serve`); returns after `stop`, everything written.
    pub async fn run(self: Arc<Self>, store: Arc<dyn Store>) {
        use std::sync::atomic::Ordering;
        loop {
            let stopping = self.stopping.load(Ordering::SeqCst);
            if !stopping {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(FLUSH_EVERY) => {}
                }
            }
            if let Err(e) = self.flush(store.as_ref()).await {
                tracing::warn!(error = %e, "query log flush failed; will retry");
                if stopping {
                    tokio::time::sleep(FLUSH_EVERY).await;
                    continue;
                }
            }
            if stopping && self.is_empty() {
                return;
            }
        }
    }

    /// Ask the writer to flush what is left and return (await its task afterwards).
    pub fn stop(&self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    pub fn len(&self) -> usize {
        self.pending.lock().map(|p| p.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
