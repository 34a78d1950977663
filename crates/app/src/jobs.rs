//! The server's background jobs: the check-index tail, the hourly expiry / closed-loop
//! reminder / audit-retention loop, the recovery of abandoned batch imports, and the periodic
//! change-log checkpoint.

use std::sync::Arc;
use std::time::Duration;

use chengxin_store::heads::Publisher;
use chengxin_store::{LogSigner, Store};
use chrono::NaiveDate;
use tokio::task::JoinHandle;

use chengxin_store::clock::today_in_china as china_today;

/// Keeps the check index current by tailing the change log every second (so several servers
/// over one PostgreSQL agree within about a second), and adds the parties each token checked
/// to its daily count in the store (so they share one quota).
pub fn spawn_index_tail(app: impl AsRef<crate::App> + Send + Sync + 'static) -> JoinHandle<()> {
    tokio::spawn(async move {
        let state = app.as_ref();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = state.checks.catch_up(state.store.as_ref()).await {
                tracing::warn!(target: crate::LOG_TARGET, error = %e, "check index refresh failed");
            }
            if let Err(e) = state.usage.sync(state.store.as_ref(), state.today()).await {
                tracing::warn!(target: crate::LOG_TARGET, error = %e, "token usage sync failed");
            }
        }
    })
}

/// Ends publication periods as they run out (hourly; the record stays, hidden from the
/// public), records the closed-loop reminders once a day and purges old audit events.
pub fn spawn_expiry(store: Arc<dyn Store>, retention_days: i64) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_reminded: Option<NaiveDate> = None;
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        // Once at start: records stored under the earlier entry rule put in effect.
        match crate::entry_rule::reconcile(store.as_ref()).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(target: crate::LOG_TARGET, records = n, "records put in effect under the one entry rule")
            }
            Err(e) => {
                tracing::warn!(target: crate::LOG_TARGET, error = %e, "entry-rule reconciliation failed")
            }
        }
        loop {
            tick.tick().await;
            match crate::records::expire_due(store.as_ref(), "system:expire", china_today()).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(target: crate::LOG_TARGET, expired = n, "publication periods ended")
                }
                Err(e) => {
                    tracing::warn!(target: crate::LOG_TARGET, error = %e, "expiry job failed")
                }
            }
            // Closed-loop reminders and escalations, once a day.
            let today = china_today();
            if last_reminded != Some(today) {
                match crate::cases::remind(store.as_ref(), today).await {
                    Ok(r) if r.is_empty() => {}
                    Ok(r) => {
                        tracing::info!(target: crate::LOG_TARGET, reminders = r.len(), "closed-loop reminders recorded")
                    }
                    Err(e) => {
                        tracing::warn!(target: crate::LOG_TARGET, error = %e, "closed-loop reminder job failed")
                    }
                }
                last_reminded = Some(today);
            }
            // Audit retention: events older than the configured period (≥ 180 days) go;
            // their deletion is itself in the change log.
            let before = chengxin_store::changelog::now() - chrono::Duration::days(retention_days);
            match store.purge_audit("system:retention", before).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(target: crate::LOG_TARGET, purged = n, "old audit events removed")
                }
                Err(e) => {
                    tracing::warn!(target: crate::LOG_TARGET, error = %e, "audit retention job failed")
                }
            }
        }
    })
}

/// Fails the batch imports a dead process left half-way (at start-up, then every minute):
/// their staged rows, never visible, are removed with their deletions logged.
pub fn spawn_batch_recovery(store: Arc<dyn Store>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match store
                .recover_batches("system:recover", chengxin_store::IMPORT_ABANDONED_AFTER)
                .await
            {
                Ok(failed) if failed.is_empty() => {}
                Ok(failed) => {
                    tracing::warn!(target: crate::LOG_TARGET, batches = ?failed, "abandoned batch imports failed and removed")
                }
                Err(e) => {
                    tracing::warn!(target: crate::LOG_TARGET, error = %e, "batch recovery failed")
                }
            }
        }
    })
}

/// Indexes the new subjects of published batches for name search (every two seconds, then
/// step after step until nothing waits; other writers take their turn between steps).
pub fn spawn_search_indexer(store: Arc<dyn Store>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(e) = search_catch_up(store.as_ref()).await {
                tracing::warn!(target: crate::LOG_TARGET, error = %e, "search indexing failed");
            }
        }
    })
}

/// Index every new subject of published batches still waiting; how many were indexed.
pub async fn search_catch_up(store: &dyn Store) -> Result<usize, chengxin_store::StoreError> {
    let mut done = 0;
    loop {
        match store
            .index_published_subjects(chengxin_store::SEARCH_INDEX_STEP)
            .await?
        {
            0 => return Ok(done),
            n => done += n,
        }
        tokio::task::yield_now().await;
    }
}

/// Signs the chain head every 30 seconds so rewriting history is detectable, and (with a
/// publisher) a tree head appended to the heads file outside the database.
pub fn spawn_checkpoints(
    store: Arc<dyn Store>,
    signer: Arc<LogSigner>,
    heads: Option<Arc<Publisher>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if let Err(e) = store.checkpoint(&signer).await {
                tracing::warn!(target: crate::LOG_TARGET, error = %e, "checkpoint failed");
            }
            if let Some(p) = &heads {
                match p.publish(store.as_ref()).await {
                    Ok(Some(head)) => {
                        tracing::debug!(target: crate::LOG_TARGET, size = head.size, "tree head signed")
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!(target: crate::LOG_TARGET, error = %e, "tree head not signed")
                    }
                }
            }
        }
    })
}

/// Delivers pending webhook items every five seconds (signed POST, back-off on failure).
pub fn spawn_webhook_deliveries(
    app: impl AsRef<crate::App> + Send + Sync + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            match crate::notify::delivery::deliver_due(app.as_ref()).await {
                Ok(r) if r == crate::notify::delivery::DeliveryRun::default() => {}
                Ok(r) => {
                    tracing::info!(target: crate::LOG_TARGET, delivered = r.delivered, retrying = r.retrying, failed = r.failed, "webhook deliveries")
                }
                Err(e) => {
                    tracing::warn!(target: crate::LOG_TARGET, error = %e, "webhook delivery job failed")
                }
            }
        }
    })
}

/// Runs `job` once a day, China time: checked hourly, and a day whose run failed is tried
/// again at the next check. `what` names the job in the warning of a failed run.
fn spawn_daily<F, Fut>(store: Arc<dyn Store>, what: &'static str, job: F) -> JoinHandle<()>
where
    F: Fn(Arc<dyn Store>, NaiveDate) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = crate::error::AppResult<()>> + Send,
{
    tokio::spawn(async move {
        let mut last: Option<NaiveDate> = None;
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let today = china_today();
            if last == Some(today) {
                continue;
            }
            match job(store.clone(), today).await {
                Ok(()) => last = Some(today),
                Err(e) => {
                    tracing::warn!(target: crate::LOG_TARGET, error = %e, "{what} failed")
                }
            }
        }
    })
}

/// The commitments' reminder and escalation sweep, once a day (checked hourly).
pub fn spawn_commitment_sweep(store: Arc<dyn Store>) -> JoinHandle<()> {
    spawn_daily(store, "commitment sweep", |store, today| async move {
        let r = crate::commitments::sweep::sweep(store.as_ref(), today).await?;
        tracing::info!(target: crate::LOG_TARGET, looked_at = r.looked_at, reminders = r.reminders, escalations = r.escalations, "commitment sweep");
        Ok(())
    })
}

/// The work items' deadline sweep (reminders and escalations), once a day (checked hourly).
pub fn spawn_work_sweep(store: Arc<dyn Store>) -> JoinHandle<()> {
    spawn_daily(store, "work item sweep", |store, today| async move {
        let r = crate::work::sweep::sweep(store.as_ref(), today).await?;
        tracing::info!(target: crate::LOG_TARGET, looked_at = r.looked_at, reminders = r.reminders, escalations = r.escalations, failed = r.failed, "work item sweep");
        // 重点任务分工: the quarterly reminders and overdue flags.
        match crate::work::tasks::remind(store.as_ref(), today).await {
            Ok(t) => {
                tracing::info!(target: crate::LOG_TARGET, reminders = t.reminders, overdue = t.overdue, "work task reminders")
            }
            Err(e) => {
                tracing::warn!(target: crate::LOG_TARGET, error = %e, "work task reminders failed")
            }
        }
        Ok(())
    })
}

/// The arrears ledger's sweep (overdue payments enter it; beyond the limit, a 失信 record),
/// once a day (checked hourly).
pub fn spawn_arrears_sweep(store: Arc<dyn Store>) -> JoinHandle<()> {
    spawn_daily(store, "arrears sweep", |store, today| async move {
        let r = crate::arrears::sweep::sweep(store.as_ref(), today).await?;
        tracing::info!(target: crate::LOG_TARGET, entered = r.entered, recorded = r.recorded, "arrears sweep");
        Ok(())
    })
}

/// The evaluation's event warnings (a body newly a 失信被执行人, a breached government
/// commitment, each once), once a day (checked hourly), over the last 7 days.
pub fn spawn_evaluation_events(store: Arc<dyn Store>) -> JoinHandle<()> {
    spawn_daily(
        store,
        "evaluation event warnings",
        |store, today| async move {
            let since = today - chrono::Duration::days(7);
            let n = crate::evaluation::sweep_events(store.as_ref(), "system", since, today).await?;
            tracing::info!(target: crate::LOG_TARGET, raised = n, "evaluation event warnings");
            Ok(())
        },
    )
}

/// The server's background loops (index tail, expiry/reminders/retention, checkpoints),
/// running until [`Jobs::stop`].
pub struct Jobs {
    handles: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Start every loop over the context's store.
    pub fn start(
        app: impl AsRef<crate::App> + Clone + Send + Sync + 'static,
        signer: Arc<LogSigner>,
        heads: Option<Arc<Publisher>>,
    ) -> Self {
        let store = app.as_ref().store.clone();
        let retention_days = app.as_ref().auth.audit_retention_days;
        Self {
            handles: vec![
                spawn_webhook_deliveries(app.clone()),
                spawn_commitment_sweep(store.clone()),
                spawn_work_sweep(store.clone()),
                spawn_arrears_sweep(store.clone()),
                spawn_index_tail(app),
                spawn_expiry(store.clone(), retention_days),
                spawn_batch_recovery(store.clone()),
                spawn_search_indexer(store.clone()),
                spawn_checkpoints(store.clone(), signer, heads),
                spawn_evaluation_events(store),
            ],
        }
    }

    /// One more loop, stopped with the others.
    pub fn with(mut self, handle: JoinHandle<()>) -> Self {
        self.handles.push(handle);
        self
    }

    /// Stop every loop (at shutdown).
    pub fn stop(self) {
        for h in self.handles {
            h.abort();
        }
    }
}

/// The national platform's export of the previous day (China time), once a day, into
/// `<dir>/<YYYY-MM-DD>/` (`CHENGXIN_EXPORT_DIR`); a day already written is left as it is (a
/// re-run would write the same bytes anyway).
pub fn spawn_national_export(
    store: Arc<dyn Store>,
    signer: crate::exchange::national::ExportSigner,
    dir: std::path::PathBuf,
) -> JoinHandle<()> {
    spawn_daily(store, "national export", move |store, today| {
        let signer = signer.clone();
        let dir = dir.clone();
        async move {
            use crate::exchange::national;
            let Some(day) = today.pred_opt() else {
                return Ok(());
            };
            let out = dir.join(day.to_string());
            if out.join(national::SIGNATURE).exists() {
                return Ok(());
            }
            let e = national::export_day(store.as_ref(), &signer, national::Scope::All, day, today)
                .await?;
            national::write_to(&e, &out).map_err(|err| {
                crate::error::AppError::Unavailable(format!(
                    "无法写入国家平台报送目录 {}：{err}",
                    out.display()
                ))
            })?;
            tracing::info!(target: crate::LOG_TARGET, day = %day, dir = %out.display(), log_size = e.manifest.log_size, "national export written");
            Ok(())
        }
    })
}
