//! A batch import blocks no one (issue 15, point 9): it is written in chunks, each a short
//! transaction, so other writes go on between chunks; its rows are staged — invisible to
//! every reader — until the batch is published; a batch abandoned half-way (dropped, its
//! process dead, its publication refused) is failed and leaves nothing behind; `verify`
//! passes at every step.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{
    AuditEvent, BatchState, ImportRow, NewBatch, NewSubject, PublishedFilter, RecordChange,
    RejectedRow, RowFields, RowOutcome, Store,
};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;
use chrono::NaiveDate;
use uuid::Uuid;

const DEPT: &str = "11320400MB0000000X";
const OLD_USCC: &str = "91320412MA1MXK2L83";
const NEW_USCC: &str = "91320412MA1MXK2M6Y";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn row(n: u64, doc_no: &str, name: &str, uscc: Option<&str>, amount: &str) -> ImportRow {
    let mut fields = serde_json::Map::new();
    fields.insert("fine_amount".into(), amount.into());
    ImportRow {
        row: n,
        doc_no: doc_no.into(),
        decision_date: d("2025-01-24"),
        subject_name: name.into(),
        subject_uscc: uscc.map(String::from),
        subject_id_hash: None,
        subject_id_masked: None,
        subject_id_sealed: None,
        subject_kind: SubjectKind::Enterprise,
        subject_region: Some("320412".into()),
        fields: RowFields::new(&fields).unwrap(),
        severity: Some("general".into()),
        status: RecordStatus::Published,
        publish_until: Some(d("2027-01-24")),
        content_digest: format!("digest-{doc_no}-{amount}"),
        texts_sealed: None,
    }
}

fn batch(sha: &str) -> NewBatch {
    NewBatch {
        type_code: "admin_penalty".into(),
        source_dept: DEPT.into(),
        file_name: Some("处罚.csv".into()),
        file_sha256: sha.into(),
        format: "csv".into(),
        encoding: "UTF-8".into(),
        published_at: None,
        headers: vec!["行政相对人名称".into()],
    }
}

async fn verify_ok(db: &TestDb, store: &dyn Store) {
    let report = store.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok, "{:?}", report.problems);
}

/// Every row in the tables, visible or not (behind the store's back).
async fn raw_counts(db: &TestDb) -> (i64, i64) {
    (
        db.scalar_i64("SELECT COUNT(*) FROM records").await,
        db.scalar_i64("SELECT COUNT(*) FROM subjects").await,
    )
}

/// A small write of another kind (a subject, an audit event) finishes promptly.
async fn other_write_is_prompt(store: &Arc<dyn Store>, n: u32) {
    let t = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), async {
        store
            .create_subject(
                "other",
                NewSubject {
                    kind: Some(SubjectKind::Enterprise),
                    name: format!("常州并行写入{n}有限公司"),
                    region: Some("320400".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        store
            .audit(&[AuditEvent::new("other", "complaint", "file", "ok")])
            .await
            .unwrap();
    })
    .await
    .expect("another write waited for the import");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

/// One committed record (`罚〔2025〕1号`, amount 1) of the subject `OLD_USCC`.
async fn existing_record(store: &Arc<dyn Store>) -> Uuid {
    let mut w = store.begin_batch("dept", batch("sha-old")).await.unwrap();
    let out = w
        .write(vec![row(
            2,
            "罚〔2025〕1号",
            "常州甲公司",
            Some(OLD_USCC),
            "1",
        )])
        .await
        .unwrap();
    w.commit(vec![]).await.unwrap();
    match out[0] {
        RowOutcome::Created(id) => id,
        o => panic!("{o:?}"),
    }
}

both_backends!(
    staged_batch_is_invisible_until_published,
    |db: TestDb| async move {
        let s = db.store.clone();
        let old = existing_record(&s).await;
        let old_subject = s.subject_by_uscc(OLD_USCC).await.unwrap().unwrap();
        let published = |s: Arc<dyn Store>| async move {
            s.count_published_records(&PublishedFilter::default())
                .await
                .unwrap()
        };

        let mut w = s.begin_batch("dept", batch("sha-new")).await.unwrap();
        let out = w
            .write(vec![
                // A correction of the existing record, a new subject with a record, a
                // name-only row for the link queue.
                row(2, "罚〔2025〕1号", "常州甲公司", Some(OLD_USCC), "9"),
                row(3, "罚〔2025〕2号", "常州新公司", Some(NEW_USCC), "2"),
                row(4, "罚〔2025〕3号", "只有名称的公司", None, "3"),
            ])
            .await
            .unwrap();
        let (RowOutcome::Corrected(c), RowOutcome::Created(new), RowOutcome::Queued(q)) =
            (out[0], out[1], out[2])
        else {
            panic!("{out:?}")
        };
        assert_eq!(c, old);
        w.reject(vec![RejectedRow {
            row: 5,
            cells: vec!["x".into()],
            reasons: vec!["日期不存在".into()],
        }])
        .await
        .unwrap();
        let id = w.id();

        // The import is in progress: other writes go through at once …
        other_write_is_prompt(&s, 1).await;
        // … and no reader sees any of its rows.
        assert!(s.record(new).await.unwrap().is_none());
        assert!(s.record(q).await.unwrap().is_none());
        let before = s.record(old).await.unwrap().unwrap();
        assert_eq!(
            (before.version, before.fields["fine_amount"].as_str()),
            (1, Some("1"))
        );
        assert_eq!(s.record_history(old).await.unwrap().len(), 1);
        assert_eq!(s.records_of_subject(old_subject.id).await.unwrap().len(), 1);
        assert_eq!(s.count_records().await.unwrap(), 1);
        assert_eq!(published(s.clone()).await, 1);
        assert!(s.subject_by_uscc(NEW_USCC).await.unwrap().is_none());
        assert_eq!(
            s.count_subjects().await.unwrap(),
            2,
            "the old one and the other write's"
        );
        let all = s.subjects_after(None, 100).await.unwrap();
        assert!(all.iter().all(|x| x.uscc.as_deref() != Some(NEW_USCC)));
        let negative = s.negative_records(None, 100).await.unwrap();
        assert_eq!(negative.iter().map(|r| r.id).collect::<Vec<_>>(), vec![old]);
        assert!(s.link_queue(10).await.unwrap().is_empty());
        assert!(s.batch_rejects(id).await.unwrap().is_empty());
        assert!(s
            .batch_by_file("admin_penalty", DEPT, "sha-new")
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            s.batch(id).await.unwrap().unwrap().state,
            BatchState::Importing
        );
        // The staged rows are stored and logged: the log proves them already.
        assert_eq!(raw_counts(&db).await, (3, 3));
        verify_ok(&db, s.as_ref()).await;

        let b = w.commit(vec![]).await.unwrap();
        assert_eq!(b.state, BatchState::Committed);
        assert_eq!(
            (
                b.total,
                b.created,
                b.corrected,
                b.queued,
                b.rejected,
                b.subjects_created
            ),
            (4, 2, 1, 1, 1, 1)
        );
        // Published: all of it at once.
        let after = s.record(old).await.unwrap().unwrap();
        assert_eq!(
            (after.version, after.fields["fine_amount"].as_str()),
            (2, Some("9"))
        );
        assert_eq!(after.batch_id, Some(id));
        let h = s.record_history(old).await.unwrap();
        assert_eq!(
            h.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(),
            ["create", "correct"]
        );
        assert!(s.record(new).await.unwrap().is_some());
        assert_eq!(s.count_records().await.unwrap(), 3);
        assert_eq!(published(s.clone()).await, 3);
        assert!(s.subject_by_uscc(NEW_USCC).await.unwrap().is_some());
        assert_eq!(s.count_subjects().await.unwrap(), 3);
        assert_eq!(s.link_queue(10).await.unwrap().len(), 1);
        assert_eq!(s.batch_rejects(id).await.unwrap().len(), 1);
        assert_eq!(
            s.batch_by_file("admin_penalty", DEPT, "sha-new")
                .await
                .unwrap()
                .map(|b| b.id),
            Some(id)
        );
        let made = s.batch_entities(id).await.unwrap();
        let new_subject = s.subject_by_uscc(NEW_USCC).await.unwrap().unwrap();
        assert_eq!(made.subjects, vec![new_subject.id]);
        let mut records = made.records.clone();
        records.sort();
        let mut want = vec![old, new, q];
        want.sort();
        assert_eq!(records, want);
        // A subject the batch created stays covered by the log when it changes later.
        s.update_subject(
            "op",
            new_subject.id,
            new_subject.version,
            chengxin_store::SubjectUpdate {
                name: Some("常州新名称公司".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        verify_ok(&db, s.as_ref()).await;

        // Hiding a published subject behind an open batch is tampering, and is named.
        db.exec(&format!(
            "UPDATE subjects SET batch_id = NULL WHERE id = '{}'",
            new_subject.id
        ))
        .await;
        let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert_eq!(
            report.problems,
            vec![chengxin_store::Problem::RowEdited {
                entity_type: "subject".into(),
                entity_id: new_subject.id.to_string()
            }]
        );
        db.cleanup().await;
    }
);

both_backends!(
    other_writes_go_on_while_a_batch_imports,
    |db: TestDb| async move {
        let s = db.store.clone();
        const CHUNKS: u64 = 25;
        const ROWS: u64 = 200;
        let importing = Arc::new(AtomicBool::new(true));
        let batch_id = Arc::new(std::sync::OnceLock::new());
        let import = {
            let (s, importing, batch_id) = (s.clone(), importing.clone(), batch_id.clone());
            tokio::spawn(async move {
                let mut w = s.begin_batch("dept", batch("sha-big")).await.unwrap();
                batch_id.set(w.id()).unwrap();
                for c in 0..CHUNKS {
                    let rows = (0..ROWS)
                        .map(|i| {
                            let n = c * ROWS + i;
                            row(
                                n + 2,
                                &format!("罚〔2025〕{n}号"),
                                "只有名称的公司",
                                None,
                                "1",
                            )
                        })
                        .collect();
                    w.write(rows).await.unwrap();
                }
                let b = w.commit(vec![]).await.unwrap();
                importing.store(false, Ordering::SeqCst);
                b
            })
        };
        // Small writes every 20 ms while the import runs: each finishes promptly, and they
        // land between its chunks, not after it.
        let (mut during, mut n, mut worst) = (0u32, 0u32, Duration::ZERO);
        while importing.load(Ordering::SeqCst) {
            n += 1;
            let t = Instant::now();
            other_write_is_prompt(&s, n).await;
            worst = worst.max(t.elapsed());
            if importing.load(Ordering::SeqCst) {
                during += 1;
                // A reader mid-import sees none of the batch: a count taken while the batch
                // was still importing (so checked after it) is 0.
                let seen = s.count_records().await.unwrap();
                if let Some(id) = batch_id.get() {
                    let state = s.batch(*id).await.unwrap().unwrap().state;
                    if state == chengxin_store::BatchState::Importing {
                        assert_eq!(seen, 0);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let b = import.await.unwrap();
        assert_eq!(b.created as u64, CHUNKS * ROWS);
        assert!(during >= 3, "only {during} writes landed during the import");
        assert!(worst < Duration::from_secs(2), "{worst:?}");
        assert_eq!(s.count_records().await.unwrap() as u64, CHUNKS * ROWS);
        verify_ok(&db, s.as_ref()).await;
        db.cleanup().await;
    }
);

both_backends!(
    crashed_import_leaves_nothing_visible,
    |db: TestDb| async move {
        let s = db.store.clone();
        let old = existing_record(&s).await;
        let visible_before = (
            s.count_records().await.unwrap(),
            s.count_subjects().await.unwrap(),
        );
        let raw_before = raw_counts(&db).await;
        let mut w = s.begin_batch("dept", batch("sha-crash")).await.unwrap();
        let id = w.id();
        w.write(vec![
            row(2, "罚〔2025〕1号", "常州甲公司", Some(OLD_USCC), "9"),
            row(3, "罚〔2025〕2号", "常州新公司", Some(NEW_USCC), "2"),
        ])
        .await
        .unwrap();
        w.reject(vec![RejectedRow {
            row: 4,
            cells: vec![],
            reasons: vec!["x".into()],
        }])
        .await
        .unwrap();
        w.write(vec![row(5, "罚〔2025〕3号", "只有名称的公司", None, "3")])
            .await
            .unwrap();

        // The process dies here: a new one starts over the same database.
        let restarted = db.reopen().await;
        verify_ok(&db, restarted.as_ref()).await;
        assert_eq!(
            (
                restarted.count_records().await.unwrap(),
                restarted.count_subjects().await.unwrap()
            ),
            visible_before
        );
        // Not idle long enough yet: left alone (it may be another process's live import).
        assert!(restarted
            .recover_batches("system:recover", Duration::from_secs(3600))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            restarted
                .recover_batches("system:recover", Duration::ZERO)
                .await
                .unwrap(),
            vec![id]
        );
        let failed = restarted.batch(id).await.unwrap().unwrap();
        assert_eq!(failed.state, BatchState::Failed);
        // Nothing of it is left, nothing changed, and the log proves it.
        assert_eq!(raw_counts(&db).await, raw_before);
        assert_eq!(
            db.scalar_i64("SELECT COUNT(*) FROM batch_corrections")
                .await
                + db.scalar_i64("SELECT COUNT(*) FROM batch_rejects").await
                + db.scalar_i64("SELECT COUNT(*) FROM link_queue").await,
            0
        );
        let rec = restarted.record(old).await.unwrap().unwrap();
        assert_eq!(rec.version, 1);
        verify_ok(&db, restarted.as_ref()).await;
        // The old writer, if it was only stalled, takes no more rows.
        assert!(w
            .write(vec![row(6, "罚〔2025〕4号", "常州丁公司", None, "1")])
            .await
            .is_err());
        assert!(w.commit(vec![]).await.is_err());
        assert_eq!(raw_counts(&db).await, raw_before);

        // The same file goes in again, as a new batch.
        let mut w = restarted
            .begin_batch("dept", batch("sha-crash"))
            .await
            .unwrap();
        let out = w
            .write(vec![
                row(2, "罚〔2025〕1号", "常州甲公司", Some(OLD_USCC), "9"),
                row(3, "罚〔2025〕2号", "常州新公司", Some(NEW_USCC), "2"),
            ])
            .await
            .unwrap();
        assert!(matches!(out[0], RowOutcome::Corrected(_)));
        assert!(matches!(out[1], RowOutcome::Created(_)));
        w.commit(vec![]).await.unwrap();
        assert_eq!(
            restarted.count_records().await.unwrap(),
            visible_before.0 + 1
        );
        verify_ok(&db, restarted.as_ref()).await;
        db.cleanup().await;
    }
);

both_backends!(dropped_writer_fails_its_batch, |db: TestDb| async move {
    let s = db.store.clone();
    let raw_before = raw_counts(&db).await;
    let mut w = s.begin_batch("dept", batch("sha-drop")).await.unwrap();
    let id = w.id();
    w.write(vec![row(
        2,
        "罚〔2025〕1号",
        "常州新公司",
        Some(NEW_USCC),
        "2",
    )])
    .await
    .unwrap();
    drop(w);
    let t = Instant::now();
    while s.batch(id).await.unwrap().unwrap().state != BatchState::Failed {
        assert!(t.elapsed() < Duration::from_secs(10), "not failed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(raw_counts(&db).await, raw_before);
    verify_ok(&db, s.as_ref()).await;
    db.cleanup().await;
});

both_backends!(
    correction_meeting_a_change_fails_the_batch,
    |db: TestDb| async move {
        let s = db.store.clone();
        let old = existing_record(&s).await;
        let mut w = s.begin_batch("dept", batch("sha-late")).await.unwrap();
        let id = w.id();
        w.write(vec![
            row(2, "罚〔2025〕1号", "常州甲公司", Some(OLD_USCC), "9"),
            row(3, "罚〔2025〕2号", "常州新公司", Some(NEW_USCC), "2"),
        ])
        .await
        .unwrap();
        // While the batch imports, someone revokes the record it corrects.
        let rec = s.record(old).await.unwrap().unwrap();
        s.change_record(
            "op",
            RecordChange {
                id: old,
                expected_version: rec.version,
                action: "revoke".into(),
                status: Some(RecordStatus::Revoked),
                fields: None,
                tolerated: None,
                publish_until: None,
                note: None,
                content_digest: None,
                subject_name: None,
                decision_date: None,
                changes: Vec::new(),
                texts_sealed: None,
            },
        )
        .await
        .unwrap();
        // Publishing would overwrite that change: the whole batch fails instead.
        assert!(w.commit(vec![]).await.is_err());
        assert_eq!(
            s.batch(id).await.unwrap().unwrap().state,
            BatchState::Failed
        );
        assert!(s.subject_by_uscc(NEW_USCC).await.unwrap().is_none());
        // No search rows were left behind (they are written only after publication).
        assert_eq!(
            db.scalar_i64(
                "SELECT COUNT(*) FROM subject_grams g WHERE NOT EXISTS \
                 (SELECT 1 FROM subject_search f WHERE f.sk = g.sk)"
            )
            .await,
            0
        );
        assert_eq!(
            db.scalar_i64(
                "SELECT COUNT(*) FROM subject_search f WHERE NOT EXISTS \
                 (SELECT 1 FROM subjects s WHERE s.id = f.subject_id)"
            )
            .await,
            0
        );
        let rec = s.record(old).await.unwrap().unwrap();
        assert_eq!(rec.status, RecordStatus::Revoked);
        assert_eq!(s.count_records().await.unwrap(), 1);
        assert_eq!(raw_counts(&db).await, (1, 1));
        verify_ok(&db, s.as_ref()).await;
        db.cleanup().await;
    }
);
