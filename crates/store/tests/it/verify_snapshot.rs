//! `verify` on a busy store: it reads one snapshot, so writes that land while it runs are
//! neither half-seen nor reported as tampering (before, a live server gave 93–185 false
//! problems while complaints were being filed).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{AuditEvent, NewSubject};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;

both_backends!(verify_passes_while_writes_run, |db: TestDb| async move {
    let store = db.store.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU32::new(0));
    let writer = {
        let (store, stop, written) = (store.clone(), stop.clone(), written.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let n = written.load(Ordering::Relaxed) + 1;
                // A covered row with its log entry, and an audit event (a group entry).
                store
                    .create_subject(
                        "writer",
                        NewSubject {
                            kind: Some(SubjectKind::Enterprise),
                            name: format!("常州测试企业{n}有限公司"),
                            region: Some("320400".into()),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
                store
                    .audit(&[AuditEvent::new("writer", "complaint", "file", "ok")])
                    .await
                    .unwrap();
                written.store(n, Ordering::Relaxed);
            }
        })
    };
    let keys = [db.signer.verifying_key()];
    let mut rounds = 0;
    // Full reads while the writer runs, until both have done enough.
    while rounds < 5 || written.load(Ordering::Relaxed) < 30 {
        let report = store.verify(&keys).await.unwrap();
        assert!(report.ok, "round {rounds}: {:?}", report.problems);
        rounds += 1;
        tokio::task::yield_now().await;
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let report = store.verify(&keys).await.unwrap();
    assert!(report.ok, "{:?}", report.problems);
    db.cleanup().await;
});
