//! The storage conformance suite: every test runs against SQLite and PostgreSQL.

use chengxin_domain::catalog::Catalog;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::{IdHasher, SubjectKind};
use chengxin_store::{
    LogSigner, NewEmployment, NewRecord, NewSubject, Problem, RecordChange, StoreError,
    SubjectFilter, SubjectUpdate,
};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const CITY_GOV: &str = "11320400MB1234567X";

fn body(name: &str, uscc: &str, region: &str) -> NewSubject {
    NewSubject {
        kind: Some(SubjectKind::GovBody),
        name: name.into(),
        uscc: Some(uscc.into()),
        region: Some(region.into()),
        ..Default::default()
    }
}

fn person(name: &str, id: &str) -> NewSubject {
    let h = IdHasher::new([7; 32]);
    NewSubject {
        kind: Some(SubjectKind::CivilServant),
        name: name.into(),
        id_hash: Some(h.hash(id)),
        id_masked: Some(chengxin_domain::codes::id_number::mask(id)),
        region: Some("320481".into()),
        ..Default::default()
    }
}

fn penalty(doc_no: &str, subject: &chengxin_domain::subjects::Subject) -> NewRecord {
    let mut fields = serde_json::Map::new();
    fields.insert("penalty_content".into(), "罚款人民币贰万元".into());
    NewRecord {
        type_code: "admin_penalty".into(),
        subject_id: Some(subject.id),
        subject_name: subject.name.clone(),
        doc_no: doc_no.into(),
        decision_date: d("2025-01-24"),
        source_dept: "11320400MB0000000X".into(),
        batch_id: None,
        fields,
        severity: Some("general".into()),
        status: RecordStatus::Published,
        publish_until: Some(d("2026-01-24")),
        content_digest: None,
        published_at: None,
    }
}

/// A store with a few subjects, an employment and a record with history.
async fn populate(db: &TestDb) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let s = &db.store;
    let gov = s
        .create_subject("t", body("常州市人民政府", CITY_GOV, "320400"))
        .await
        .unwrap();
    let p = s
        .create_subject("t", person("张三", "320481199001011234"))
        .await
        .unwrap();
    s.add_employment(
        "t",
        NewEmployment {
            person_id: p.id,
            body_id: gov.id,
            post: "科员".into(),
            start_date: d("2015-07-01"),
            end_date: None,
        },
    )
    .await
    .unwrap();
    let r = s
        .create_record("t", penalty("常市监处罚〔2025〕1号", &gov))
        .await
        .unwrap();
    s.change_record(
        "t",
        RecordChange {
            id: r.id,
            expected_version: 1,
            action: "revoke".into(),
            status: Some(RecordStatus::Revoked),
            fields: None,
            tolerated: None,
            publish_until: None,
            note: Some("决定被撤销".into()),
            content_digest: None,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (gov.id, p.id, r.id)
}

async fn verify_ok(db: &TestDb) {
    let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok, "verify problems: {:?}", report.problems);
}

both_backends!(
    migrate_is_idempotent_and_loads_catalog,
    |db: TestDb| async move {
        let catalog = Catalog::default_checked().unwrap();
        let types = db.store.catalog_types().await.unwrap();
        assert_eq!(types.len(), catalog.types().len());
        assert!(types.iter().any(|t| t.code == "admin_penalty"));
        let again = db.store.migrate(catalog, &db.signer, "test").await.unwrap();
        assert_eq!(again.catalog_types_added, 0);
        assert_eq!(again.catalog_types_unchanged, catalog.types().len());
        assert!(db.store.is_migrated().await.unwrap());
        verify_ok(&db).await;
        db.cleanup().await;
    }
);

both_backends!(subjects_and_employment, |db: TestDb| async move {
    let s = &db.store;
    let (gov, p, _) = populate(&db).await;
    // Duplicate USCC and duplicate ID number are refused, without echoing the ID number.
    let e = s
        .create_subject("t", body("重复", CITY_GOV, "320400"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "duplicate");
    let e = s
        .create_subject("t", person("李四", "320481199001011234"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "duplicate");
    assert!(!e.to_string().contains("320481199001011234"));

    let by_uscc = s.subject_by_uscc(CITY_GOV).await.unwrap().unwrap();
    assert_eq!(by_uscc.id, gov);
    let h = IdHasher::new([7; 32]).hash("320481199001011234");
    let by_id = s.subject_by_id_hash(&h).await.unwrap().unwrap();
    assert_eq!(by_id.id, p);
    assert_eq!(by_id.id_masked.as_deref(), Some("3204**********1234"));

    // Renaming keeps the former name; a stale version is a conflict.
    let renamed = s
        .update_subject(
            "t",
            gov,
            1,
            SubjectUpdate {
                name: Some("常州市政府".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.former_names, vec!["常州市人民政府".to_string()]);
    assert_eq!(renamed.version, 2);
    let e = s
        .update_subject(
            "t",
            gov,
            1,
            SubjectUpdate {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::Conflict {
            expected: 1,
            current: 2
        }
    ));

    let listed = s
        .list_subjects(&SubjectFilter {
            region_prefix: Some("3204".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let listed = s
        .list_subjects(&SubjectFilter {
            kind: Some(SubjectKind::GovBody),
            name_contains: Some("政府".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(s.count_subjects().await.unwrap(), 2);

    // 责任回溯: who was at the body on a date.
    assert_eq!(s.staff_at(gov, d("2020-01-01")).await.unwrap().len(), 1);
    assert!(s.staff_at(gov, d("2010-01-01")).await.unwrap().is_empty());
    assert_eq!(s.employments_of(p).await.unwrap()[0].post, "科员");
    // An employment must link a person to a body.
    let e = s
        .add_employment(
            "t",
            NewEmployment {
                person_id: gov,
                body_id: p,
                post: "x".into(),
                start_date: d("2020-01-01"),
                end_date: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_data");
    verify_ok(&db).await;
    db.cleanup().await;
});

both_backends!(records_keep_history, |db: TestDb| async move {
    let s = &db.store;
    let (gov, _, rid) = populate(&db).await;
    let r = s.record(rid).await.unwrap().unwrap();
    assert_eq!(r.status, RecordStatus::Revoked);
    assert_eq!(r.version, 2);
    assert_eq!(r.subject_id, Some(gov));
    let h = s.record_history(rid).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].action, "create");
    assert_eq!(h[0].status, RecordStatus::Published);
    assert_eq!(h[1].action, "revoke");
    assert_eq!(h[1].note.as_deref(), Some("决定被撤销"));
    // Stale version: conflict, nothing changes.
    let e = s
        .change_record(
            "t",
            RecordChange {
                id: rid,
                expected_version: 1,
                action: "correct".into(),
                status: None,
                fields: None,
                tolerated: Some(true),
                publish_until: None,
                note: None,
                content_digest: None,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "version_conflict");
    assert_eq!(s.record_history(rid).await.unwrap().len(), 2);
    // Same source key again is a duplicate.
    let gov_s = s.subject(gov).await.unwrap().unwrap();
    let e = s
        .create_record("t", penalty("常市监处罚〔2025〕1号", &gov_s))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "duplicate");
    assert_eq!(s.count_records().await.unwrap(), 1);
    verify_ok(&db).await;
    db.cleanup().await;
});

both_backends!(concurrent_checkpoints_sign_once, |db: TestDb| async move {
    // Servers sharing one database checkpoint the same head at once (two servers starting
    // together did, and one of them refused to start): exactly one signs it, none fails.
    populate(&db).await;
    let signer = db.signer.clone();
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let (store, signer) = (db.store.clone(), signer.clone());
            tokio::spawn(async move { store.checkpoint(&signer).await })
        })
        .collect();
    let mut signed = 0;
    for r in racers {
        let r = r.await.unwrap();
        signed += usize::from(r.expect("a concurrent checkpoint must not fail").is_some());
    }
    assert_eq!(signed, 1, "one checkpoint per head");
    let (head, _) = db.store.log_head().await.unwrap();
    let at_head = format!("SELECT COUNT(*) FROM log_checkpoints WHERE seq = {head}");
    assert_eq!(db.scalar_i64(&at_head).await, 1);
    db.cleanup().await;
});

both_backends!(log_is_chained_and_signed, |db: TestDb| async move {
    let s = &db.store;
    populate(&db).await;
    let (seq, head) = s.log_head().await.unwrap();
    let entries = s.log_entries(0, 10_000).await.unwrap();
    assert_eq!(entries.len() as i64, seq);
    assert_eq!(entries.last().unwrap().hash, head);
    for w in entries.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
        assert_eq!(w[1].seq, w[0].seq + 1);
    }
    let cp = s.checkpoint(&db.signer).await.unwrap().unwrap();
    assert_eq!(cp.seq, seq);
    assert!(
        s.checkpoint(&db.signer).await.unwrap().is_none(),
        "no new checkpoint without new entries"
    );
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok);
    assert_eq!(report.last_signed_seq, Some(seq));
    // A checkpoint signed by an untrusted key fails verification.
    let other = LogSigner::generate();
    let report = s.verify(&[other.verifying_key()]).await.unwrap();
    assert!(!report.ok);
    assert!(matches!(report.problems[0], Problem::BadCheckpoint { .. }));
    db.cleanup().await;
});

both_backends!(
    a_correction_keeps_each_field_before_and_after,
    |db: TestDb| async move {
        use chengxin_domain::records::correction::FieldChange;
        let s = &db.store;
        let gov = s
            .create_subject("t", body("常州市人民政府", CITY_GOV, "320400"))
            .await
            .unwrap();
        let r = s
            .create_record("t", penalty("常市监处罚〔2025〕2号", &gov))
            .await
            .unwrap();
        let mut fields = r.fields.clone();
        fields.insert("penalty_content".into(), "罚款人民币壹万元".into());
        let change = FieldChange {
            field: "penalty_content".into(),
            before: Some("罚款人民币贰万元".into()),
            after: Some("罚款人民币壹万元".into()),
        };
        let after = s
            .change_record(
                "t",
                RecordChange {
                    id: r.id,
                    expected_version: 1,
                    action: "correct".into(),
                    fields: Some(fields),
                    subject_name: Some("常州市人民政府办公室".into()),
                    decision_date: Some(d("2025-01-20")),
                    publish_until: Some(Some(d("2026-01-20"))),
                    changes: vec![change.clone()],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(after.version, 2);
        assert_eq!(after.subject_name, "常州市人民政府办公室");
        assert_eq!(after.decision_date, d("2025-01-20"));
        assert_eq!(after.publish_until, Some(d("2026-01-20")));
        assert_eq!(after.fields["penalty_content"], "罚款人民币壹万元");
        assert_ne!(after.content_digest, r.content_digest);
        let h = s.record_history(r.id).await.unwrap();
        assert!(h[0].changes.is_empty());
        assert_eq!(h[1].changes, vec![change]);
        verify_ok(&db).await;
        // The before/after is covered by the change log like the rest of the row.
        db.exec(&format!(
            "UPDATE record_history SET changes = NULL WHERE record_id = '{}' AND version = 2",
            r.id
        ))
        .await;
        let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert_eq!(
            report.problems,
            vec![Problem::RowEdited {
                entity_type: "record_history".into(),
                entity_id: format!("{}:2", r.id)
            }]
        );
        db.cleanup().await;
    }
);

both_backends!(verify_pinpoints_edited_row, |db: TestDb| async move {
    let (gov, _, _) = populate(&db).await;
    verify_ok(&db).await;
    db.exec(&format!(
        "UPDATE subjects SET name = '篡改后的名称' WHERE id = '{gov}'"
    ))
    .await;
    let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(!report.ok);
    assert_eq!(
        report.problems,
        vec![Problem::RowEdited {
            entity_type: "subject".into(),
            entity_id: gov.to_string()
        }]
    );
    db.cleanup().await;
});

both_backends!(
    verify_pinpoints_deleted_and_inserted_rows,
    |db: TestDb| async move {
        let (_, _, rid) = populate(&db).await;
        db.exec(&format!(
            "DELETE FROM record_history WHERE record_id = '{rid}' AND version = 2"
        ))
        .await;
        db.exec("INSERT INTO meta (key, value) VALUES ('sneaky', 'x')")
            .await;
        let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert!(!report.ok);
        assert!(
            report.problems.contains(&Problem::RowDeleted {
                entity_type: "record_history".into(),
                entity_id: format!("{rid}:2")
            }),
            "{:?}",
            report.problems
        );
        assert!(
            report.problems.contains(&Problem::RowInserted {
                entity_type: "meta".into(),
                entity_id: "sneaky".into()
            }),
            "{:?}",
            report.problems
        );
        db.cleanup().await;
    }
);

both_backends!(verify_detects_rewritten_log, |db: TestDb| async move {
    populate(&db).await;
    db.store.checkpoint(&db.signer).await.unwrap();
    // Edit an entry's actor: its hash no longer matches.
    db.exec("UPDATE change_log SET actor = 'mallory' WHERE seq = 3")
        .await;
    let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(!report.ok);
    assert!(
        matches!(&report.problems[0], Problem::BrokenChain { seq: 3, .. }),
        "{:?}",
        report.problems
    );
    db.cleanup().await;
});

both_backends!(verify_detects_truncated_log, |db: TestDb| async move {
    populate(&db).await;
    db.store.checkpoint(&db.signer).await.unwrap();
    let last = db.scalar_i64("SELECT MAX(seq) FROM change_log").await;
    // Drop the last entry and wind the head back consistently: the signed checkpoint
    // and the orphaned row still give it away.
    db.exec(&format!("DELETE FROM change_log WHERE seq = {last}"))
        .await;
    db.exec(&format!(
        "UPDATE log_head SET seq = {}, hash = (SELECT hash FROM change_log WHERE seq = {})",
        last - 1,
        last - 1
    ))
    .await;
    let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(!report.ok);
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, Problem::BadCheckpoint { .. })),
        "{:?}",
        report.problems
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, Problem::RowInserted { .. })),
        "{:?}",
        report.problems
    );
    db.cleanup().await;
});

both_backends!(concurrent_writers_keep_one_chain, |db: TestDb| async move {
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = db.store.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..5 {
                s.set_meta("t", &format!("k{i}_{j}"), "v").await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let entries = db.store.log_entries(0, 10_000).await.unwrap();
    assert_eq!(
        entries.iter().filter(|e| e.entity_type == "meta").count(),
        40
    );
    verify_ok(&db).await;
    db.cleanup().await;
});

fn account(username: &str, roles: &[&str]) -> chengxin_store::Account {
    let now = chengxin_store::changelog::now();
    chengxin_store::Account {
        id: uuid::Uuid::now_v7(),
        username: username.into(),
        display_name: username.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        region: "320481".into(),
        body: None,
        password_hash: "$argon2id$x".into(),
        password_history: vec![],
        totp_secret: None,
        totp_last_step: None,
        failures: 0,
        locked_until: None,
        must_change_password: true,
        disabled: false,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

// A role grant and its account are written together or not at all, versioned, change-logged
// and covered by verify (issue 16 point 3).
both_backends!(role_grants_are_atomic_and_logged, |db: TestDb| async move {
    use chengxin_store::{GrantAccount, RoleGrant};
    let a = account("ly.office", &[]);
    let now = chengxin_store::changelog::now();
    let mut g = RoleGrant {
        id: uuid::Uuid::now_v7(),
        account_id: a.id,
        username: a.username.clone(),
        region: a.region.clone(),
        roles_before: vec![],
        roles: vec!["credit_office".into()],
        privileged: vec!["credit_office".into()],
        requested_by: "account:ly.admin".into(),
        requested_by_account: Some(uuid::Uuid::now_v7()),
        requested_at: now,
        status: "pending".into(),
        decided_by: None,
        decided_by_account: None,
        decided_at: None,
        note: None,
        version: 1,
    };
    let ga = |a| GrantAccount {
        account: a,
        expected_version: None,
    };
    db.store
        .save_grant("account:ly.admin", &g, None, Some(ga(&a)))
        .await
        .unwrap();
    assert_eq!(db.store.grant(g.id).await.unwrap().unwrap(), g);
    assert_eq!(db.store.account(a.id).await.unwrap().unwrap(), a);
    // The same account again: the grant is not written either.
    let mut other = g.clone();
    other.id = uuid::Uuid::now_v7();
    assert!(db
        .store
        .save_grant("x", &other, None, Some(ga(&a)))
        .await
        .is_err());
    assert!(db.store.grant(other.id).await.unwrap().is_none());
    // Approval: grant and account move together; a stale account version changes neither.
    let mut b = a.clone();
    b.roles = vec!["credit_office".into()];
    b.version = 2;
    g.status = "approved".into();
    g.decided_by = Some("account:ly.admin2".into());
    g.decided_at = Some(now);
    g.version = 2;
    let stale = GrantAccount {
        account: &b,
        expected_version: Some(7),
    };
    assert!(matches!(
        db.store.save_grant("y", &g, Some(1), Some(stale)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        db.store.grant(g.id).await.unwrap().unwrap().status,
        "pending"
    );
    let fresh = GrantAccount {
        account: &b,
        expected_version: Some(1),
    };
    db.store
        .save_grant("y", &g, Some(1), Some(fresh))
        .await
        .unwrap();
    assert_eq!(
        db.store.grant(g.id).await.unwrap().unwrap().status,
        "approved"
    );
    assert_eq!(
        db.store.account(a.id).await.unwrap().unwrap().roles,
        ["credit_office"]
    );
    // Decided once: the old version no longer matches.
    assert!(db.store.save_grant("z", &g, Some(1), None).await.is_err());
    assert_eq!(db.store.grants().await.unwrap().len(), 1);
    verify_ok(&db).await;
    // An edit behind the platform's back is found.
    db.exec(&format!(
        "UPDATE role_grants SET status = 'pending' WHERE id = '{}'",
        g.id
    ))
    .await;
    let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert_eq!(
        report.problems,
        vec![Problem::RowEdited {
            entity_type: "role_grant".into(),
            entity_id: g.id.to_string()
        }]
    );
    db.cleanup().await;
});

#[tokio::test]
async fn corrupt_sqlite_file_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!(
        "chengxin-corrupt-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.db");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let err = chengxin_store::open(&format!("sqlite://{}", path.display()))
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "db_corrupt", "{err}");
    // The file is left as it was.
    assert!(
        std::fs::read(&path).unwrap() == vec![0x42u8; 8192],
        "corrupt file was modified"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn read_only_sqlite_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("chengxin-ro-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ro.db");
    {
        let s = chengxin_store::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        s.migrate(
            Catalog::default_checked().unwrap(),
            &LogSigner::generate(),
            "t",
        )
        .await
        .unwrap();
        s.close().await;
    }
    // The pool's connections finish closing on their worker threads; fold the WAL into the
    // file now, so a late close has nothing left to write, before taking the reference copy.
    {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = match chengxin_store::open(&format!("sqlite://{}?mode=ro", path.display())).await {
        Err(e) => e,
        Ok(s) => s.set_meta("t", "k", "v").await.unwrap_err(),
    };
    assert_eq!(err.code(), "db_read_only", "{err}");
    assert!(
        std::fs::read(&path).unwrap() == before,
        "read-only file was modified"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn unreachable_postgres_is_a_clear_error() {
    let err = chengxin_store::open("postgres://postgres@127.0.0.1:1/nope")
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "db_unreachable", "{err}");
    let err = chengxin_store::open("mysql://x").await.err().unwrap();
    assert_eq!(err.code(), "db_unsupported_url");
}

fn import_row(
    row: u64,
    doc_no: &str,
    name: &str,
    uscc: Option<&str>,
    id: Option<&str>,
    amount: &str,
) -> chengxin_store::ImportRow {
    let h = IdHasher::new([7; 32]);
    let mut fields = serde_json::Map::new();
    fields.insert("fine_amount".into(), amount.into());
    chengxin_store::ImportRow {
        row,
        doc_no: doc_no.into(),
        decision_date: d("2025-01-24"),
        subject_name: name.into(),
        subject_uscc: uscc.map(String::from),
        subject_id_hash: id.map(|i| h.hash(i)),
        subject_id_masked: id.map(chengxin_domain::codes::id_number::mask),
        subject_id_sealed: None,
        subject_kind: if id.is_some() {
            SubjectKind::Individual
        } else {
            SubjectKind::Enterprise
        },
        subject_region: Some("320412".into()),
        fields: chengxin_store::RowFields::new(&fields).unwrap(),
        severity: Some("general".into()),
        status: RecordStatus::Published,
        publish_until: Some(d("2026-01-24")),
        content_digest: format!("digest-{doc_no}-{amount}"),
        texts_sealed: None,
    }
}

fn new_batch(sha: &str) -> chengxin_store::NewBatch {
    chengxin_store::NewBatch {
        type_code: "admin_penalty".into(),
        source_dept: "11320400MB0000000X".into(),
        file_name: Some("处罚.csv".into()),
        file_sha256: sha.into(),
        format: "csv".into(),
        encoding: "UTF-8".into(),
        published_at: None,
        headers: vec!["行政相对人名称".into()],
    }
}

both_backends!(
    batch_import_is_idempotent_and_corrects,
    |db: TestDb| async move {
        use chengxin_store::RowOutcome;
        let s = &db.store;
        let rows = || {
            vec![
                import_row(
                    2,
                    "罚〔2025〕1号",
                    "常州甲公司",
                    Some("91320412MA1MXK2L83"),
                    None,
                    "1.5",
                ),
                import_row(
                    3,
                    "罚〔2025〕2号",
                    "常州甲公司",
                    Some("91320412MA1MXK2L83"),
                    None,
                    "2",
                ),
                import_row(
                    4,
                    "罚〔2025〕3号",
                    "王五",
                    None,
                    Some("320481199001011234"),
                    "0.2",
                ),
                import_row(5, "罚〔2025〕4号", "只有名称的公司", None, None, "3"),
                import_row(
                    6,
                    "罚〔2025〕1号",
                    "常州甲公司",
                    Some("91320412MA1MXK2L83"),
                    None,
                    "1.5",
                ),
            ]
        };
        let mut w = s.begin_batch("dept", new_batch("sha-1")).await.unwrap();
        let out = w.write(rows()).await.unwrap();
        assert!(matches!(out[0], RowOutcome::Created(_)));
        assert!(matches!(out[1], RowOutcome::Created(_)));
        assert!(matches!(out[2], RowOutcome::Created(_)));
        assert!(matches!(out[3], RowOutcome::Queued(_)));
        assert_eq!(out[4], RowOutcome::DuplicateInFile);
        w.reject(vec![chengxin_store::RejectedRow {
            row: 7,
            cells: vec!["=cmd".into()],
            reasons: vec!["处罚决定日期：日期不存在".into()],
        }])
        .await
        .unwrap();
        let batch = w.commit(vec!["备用列".into()]).await.unwrap();
        assert_eq!(
            (
                batch.total,
                batch.created,
                batch.queued,
                batch.rejected,
                batch.subjects_created
            ),
            (5, 4, 1, 1, 2)
        );
        assert_eq!(s.count_records().await.unwrap(), 4);
        assert_eq!(s.count_subjects().await.unwrap(), 2);
        assert_eq!(
            s.batch_rejects(batch.id).await.unwrap()[0].reasons[0],
            "处罚决定日期：日期不存在"
        );
        assert_eq!(
            s.batch(batch.id).await.unwrap().unwrap().unknown_columns,
            vec!["备用列".to_string()]
        );
        assert_eq!(
            s.batch_by_file("admin_penalty", "11320400MB0000000X", "sha-1")
                .await
                .unwrap()
                .unwrap()
                .id,
            batch.id
        );
        verify_ok(&db).await;

        // Same rows again: nothing changes.
        let (seq_before, _) = s.log_head().await.unwrap();
        let mut w = s.begin_batch("dept", new_batch("sha-2")).await.unwrap();
        let mut again = rows();
        again.pop();
        let out = w.write(again).await.unwrap();
        assert!(
            out.iter().all(|o| matches!(o, RowOutcome::Duplicate(_))),
            "{out:?}"
        );
        let b2 = w.commit(vec![]).await.unwrap();
        assert_eq!(b2.duplicates, 4);
        assert_eq!(s.count_records().await.unwrap(), 4);
        let (seq_after, _) = s.log_head().await.unwrap();
        assert_eq!(
            seq_after,
            seq_before + 2,
            "only the batch itself is logged (opened, then committed)"
        );

        // New content under the same source key: a correction with history.
        let mut w = s.begin_batch("dept", new_batch("sha-3")).await.unwrap();
        let out = w
            .write(vec![import_row(
                2,
                "罚〔2025〕1号",
                "常州甲公司",
                Some("91320412MA1MXK2L83"),
                None,
                "9",
            )])
            .await
            .unwrap();
        let RowOutcome::Corrected(rid) = out[0] else {
            panic!("{out:?}")
        };
        w.commit(vec![]).await.unwrap();
        let h = s.record_history(rid).await.unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].action, "correct");
        assert_eq!(h[1].fields["fine_amount"], "9");

        // The name-only row waits for linking; linking records it in history.
        let queue = s.link_queue(10).await.unwrap();
        assert_eq!(queue.len(), 1);
        let target = s
            .subject_by_uscc("91320412MA1MXK2L83")
            .await
            .unwrap()
            .unwrap();
        let linked = s
            .link_record("operator", queue[0].record_id, target.id)
            .await
            .unwrap();
        assert_eq!(linked.subject_id, Some(target.id));
        assert!(s.link_queue(10).await.unwrap().is_empty());
        verify_ok(&db).await;

        // Dropping a writer without commit leaves nothing behind.
        {
            let mut w = s.begin_batch("dept", new_batch("sha-4")).await.unwrap();
            w.write(vec![import_row(
                2,
                "罚〔2025〕99号",
                "常州乙公司",
                Some("91320412MA1MXK2L83"),
                None,
                "1",
            )])
            .await
            .unwrap();
        }
        assert_eq!(s.count_records().await.unwrap(), 4);
        assert!(s
            .batch_by_file("admin_penalty", "11320400MB0000000X", "sha-4")
            .await
            .unwrap()
            .is_none());
        verify_ok(&db).await;

        // Batch rows are logged in group entries, yet a row edited, deleted or inserted
        // behind the platform's back is still named exactly.
        db.exec(&format!(
            "UPDATE records SET subject_name = '篡改' WHERE id = '{rid}'"
        ))
        .await;
        let reject = format!("{}:7", batch.id);
        db.exec(&format!(
            "DELETE FROM batch_rejects WHERE batch_id = '{}' AND row_no = 7",
            batch.id
        ))
        .await;
        let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert_eq!(
            report.problems,
            vec![
                Problem::RowEdited {
                    entity_type: "record".into(),
                    entity_id: rid.to_string()
                },
                Problem::RowDeleted {
                    entity_type: "batch_reject".into(),
                    entity_id: reject
                },
            ]
        );
        // Rewriting a group's member list to launder the edit breaks the chain instead.
        db.exec("UPDATE change_log SET members = members || 'x' WHERE entity_type = 'group'")
            .await;
        let report = db.store.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert!(report
            .problems
            .iter()
            .any(|p| matches!(p, Problem::BrokenChain { .. })));
        db.cleanup().await;
    }
);

both_backends!(batch_keeps_awkward_text_exactly, |db: TestDb| async move {
    // Tabs, newlines, backslashes and quotes survive the bulk path (COPY on PostgreSQL).
    let s = &db.store;
    let awkward = "甲\t乙\n丙\\丁\"戊\r己 \\N";
    let mut row = import_row(
        2,
        "罚〔2025〕\\7号",
        awkward,
        Some("91320412MA1MXK2L83"),
        None,
        "1",
    );
    let mut fields = serde_json::Map::new();
    fields.insert("penalty_content".into(), awkward.into());
    fields.insert("fine_amount".into(), "1".into());
    row.fields = chengxin_store::RowFields::new(&fields).unwrap();
    let mut w = s.begin_batch("dept", new_batch("sha-awk")).await.unwrap();
    let out = w.write(vec![row]).await.unwrap();
    let chengxin_store::RowOutcome::Created(id) = out[0] else {
        panic!("{out:?}")
    };
    w.commit(vec![]).await.unwrap();
    let rec = s.record(id).await.unwrap().unwrap();
    assert_eq!(rec.subject_name, awkward);
    assert_eq!(rec.doc_no, "罚〔2025〕\\7号");
    assert_eq!(rec.fields["penalty_content"], awkward);
    let subject = s
        .subject_by_uscc("91320412MA1MXK2L83")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(subject.name, awkward);
    // History of a batch-created record: its creation, synthesised from the batch.
    let h = s.record_history(id).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].version, h[0].action.as_str()), (1, "create"));
    assert_eq!(h[0].actor, "dept");
    assert_eq!(h[0].fields, rec.fields);
    verify_ok(&db).await;
    db.cleanup().await;
});

both_backends!(
    record_texts_are_kept_beside_records_and_logged,
    |db: TestDb| async move {
        use chengxin_store::{RecordRedaction, RowOutcome};
        let s = &db.store;
        // A batch: one row with sealed free texts, one without; then the file corrects the
        // first without them (they go), and a change sets them again.
        let mut a = import_row(
            2,
            "罚〔2025〕7号",
            "常州甲公司",
            Some("91320412MA1MXK2L83"),
            None,
            "1",
        );
        a.texts_sealed = Some("v1:sealed-a".into());
        let b = import_row(
            3,
            "罚〔2025〕8号",
            "常州甲公司",
            Some("91320412MA1MXK2L83"),
            None,
            "2",
        );
        let mut w = s
            .begin_batch("dept", new_batch("sha-texts-1"))
            .await
            .unwrap();
        let out = w.write(vec![a, b]).await.unwrap();
        w.commit(vec![]).await.unwrap();
        let (RowOutcome::Created(ra), RowOutcome::Created(rb)) = (out[0], out[1]) else {
            panic!("{out:?}")
        };
        assert_eq!(
            s.record_texts(ra).await.unwrap().as_deref(),
            Some("v1:sealed-a")
        );
        assert_eq!(s.record_texts(rb).await.unwrap(), None);
        verify_ok(&db).await;
        let a2 = import_row(
            2,
            "罚〔2025〕7号",
            "常州甲公司",
            Some("91320412MA1MXK2L83"),
            None,
            "1.1",
        );
        let mut w = s
            .begin_batch("dept", new_batch("sha-texts-2"))
            .await
            .unwrap();
        assert_eq!(
            w.write(vec![a2]).await.unwrap()[0],
            RowOutcome::Corrected(ra)
        );
        w.commit(vec![]).await.unwrap();
        assert_eq!(s.record_texts(ra).await.unwrap(), None);
        verify_ok(&db).await;
        let r = s.record(ra).await.unwrap().unwrap();
        s.change_record(
            "office",
            RecordChange {
                id: ra,
                expected_version: r.version,
                action: "correct".into(),
                note: Some("更正".into()),
                texts_sealed: Some(Some("v1:sealed-a2".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            s.record_texts(ra).await.unwrap().as_deref(),
            Some("v1:sealed-a2")
        );
        // A redaction rewrites the record and its stored history in place, version on.
        let r = s.record(ra).await.unwrap().unwrap();
        let mut history = s.record_history(ra).await.unwrap();
        assert_eq!(history.len(), 3);
        let mut h = history.remove(1);
        h.note = Some("遮蔽后".into());
        let mut fields = r.fields.clone();
        fields.insert("violation_facts".into(), "3204**********1231".into());
        let after = s
            .redact_record(
                "system:free-text",
                RecordRedaction {
                    id: ra,
                    expected_version: r.version,
                    fields: fields.clone(),
                    subject_name: r.subject_name.clone(),
                    history: vec![h],
                    texts_sealed: "v1:sealed-a3".into(),
                    action: "mask_free_text".into(),
                    note: "已遮蔽".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(after.version, r.version + 1);
        assert_eq!(after.fields, fields);
        assert_eq!(after.content_digest, r.content_digest);
        let history = s.record_history(ra).await.unwrap();
        assert_eq!(history[1].note.as_deref(), Some("遮蔽后"));
        assert_eq!(history.last().unwrap().action, "mask_free_text");
        assert_eq!(
            s.record_texts(ra).await.unwrap().as_deref(),
            Some("v1:sealed-a3")
        );
        // A stale version is a conflict; nothing changes.
        let stale = s
            .redact_record(
                "system:free-text",
                RecordRedaction {
                    id: ra,
                    expected_version: r.version,
                    fields,
                    subject_name: r.subject_name.clone(),
                    history: Vec::new(),
                    texts_sealed: "v1:x".into(),
                    action: "mask_free_text".into(),
                    note: "已遮蔽".into(),
                },
            )
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict { .. })),
            "{stale:?}"
        );
        verify_ok(&db).await;
        // The sealed texts are covered by the log: an edit is pinpointed.
        db.exec(&format!(
            "UPDATE record_texts SET sealed = 'v1:other' WHERE record_id = '{ra}'"
        ))
        .await;
        let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert_eq!(
            report.problems,
            vec![Problem::RowEdited {
                entity_type: "record_text".into(),
                entity_id: ra.to_string()
            }]
        );
        db.cleanup().await;
    }
);

both_backends!(
    token_usage_adds_up_per_token_and_day,
    |db: TestDb| async move {
        // The daily-quota counter: concurrent additions are none lost, days and tokens apart,
        // adding nothing reads; it is no part of the change log.
        let s = db.store.clone();
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let day = d("2025-06-02");
        assert_eq!(s.add_token_usage(a, day, 0).await.unwrap(), 0);
        let adders: Vec<_> = (0..8)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move { s.add_token_usage(a, day, 5).await })
            })
            .collect();
        for h in adders {
            h.await.unwrap().unwrap();
        }
        assert_eq!(s.add_token_usage(a, day, 0).await.unwrap(), 40);
        assert_eq!(s.add_token_usage(a, d("2025-06-03"), 1).await.unwrap(), 1);
        assert_eq!(s.add_token_usage(b, day, 0).await.unwrap(), 0);
        assert_eq!(
            s.add_token_usage(a, day, -3).await.unwrap(),
            40,
            "never taken back"
        );
        verify_ok(&db).await;
        db.cleanup().await;
    }
);
