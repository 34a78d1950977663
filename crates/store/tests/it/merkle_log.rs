//! The change log as a Merkle tree (issue 21): proofs from the stored subtrees, and the
//! rollback the hash chain alone cannot see — newest rows, their log entries and the newest
//! checkpoint deleted, the head moved back — caught against heads kept outside the database.

use chengxin_domain::merkle;
use chengxin_store::heads::{open_checkpoint, HeadsFile, Publisher};
use chengxin_store::Problem;
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;

const ORIGIN: &str = "test.chengxin.example/log";

async fn write(db: &TestDb, n: usize, tag: &str) {
    for i in 0..n {
        db.store
            .set_meta("t", &format!("{tag}{i}"), "v")
            .await
            .unwrap();
    }
}

fn opened(db: &TestDb, notes: &[String]) -> Vec<(u64, merkle::Hash)> {
    notes
        .iter()
        .map(|n| {
            let cp = open_checkpoint(n, &[db.signer.verifying_key()]).unwrap();
            (cp.size, cp.root)
        })
        .collect()
}

both_backends!(
    proofs_from_stored_subtrees_verify,
    |db: TestDb| async move {
        let s = &db.store;
        write(&db, 37, "a").await;
        let h1 = s.sign_tree_head(&db.signer, ORIGIN).await.unwrap().unwrap();
        // Nothing new: no new head.
        assert!(s
            .sign_tree_head(&db.signer, ORIGIN)
            .await
            .unwrap()
            .is_none());
        write(&db, 30, "b").await;
        let h2 = s.sign_tree_head(&db.signer, ORIGIN).await.unwrap().unwrap();
        assert!(h2.size > h1.size);
        assert_eq!(s.latest_tree_head().await.unwrap(), Some(h2.clone()));
        let cp = open_checkpoint(&h2.note, &[db.signer.verifying_key()]).unwrap();
        assert_eq!(
            (cp.origin.as_str(), cp.size, cp.root),
            (ORIGIN, h2.size, h2.root)
        );

        // The tree the store keeps is the tree the entries make.
        let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert!(report.ok, "{:?}", report.problems);
        assert_eq!(report.tree_size, h2.size);
        assert_eq!(report.tree_root, hex::encode(h2.root));

        for seq in [1, 2, h1.size as i64, h1.size as i64 + 1, h2.size as i64] {
            for size in [seq as u64, h1.size.max(seq as u64), h2.size] {
                let p = s.inclusion_proof(seq, size).await.unwrap();
                let root = if size == h2.size { h2.root } else { p.root };
                merkle::verify_inclusion(&p.leaf_hash, p.leaf_index, size, &p.path, &root).unwrap();
            }
        }
        for old in [0, 1, 2, 31, 32, h1.size, h2.size] {
            let p = s.consistency_proof(old, h2.size).await.unwrap();
            merkle::verify_consistency(old, h2.size, &p.old_root, &h2.root, &p.proof).unwrap();
        }
        let p = s.consistency_proof(h1.size, h2.size).await.unwrap();
        assert_eq!(p.old_root, h1.root);
        // Out of range: refused, no panic.
        assert!(s.inclusion_proof(0, h2.size).await.is_err());
        assert!(s
            .inclusion_proof(h2.size as i64 + 1, h2.size + 1)
            .await
            .is_err());
        assert!(s.consistency_proof(h2.size, h1.size).await.is_err());
        db.cleanup().await;
    }
);

both_backends!(
    rollback_is_caught_against_published_heads,
    |db: TestDb| async move {
        let s = &db.store;
        let key = db.signer.verifying_key();
        let file = HeadsFile::new(db.dir.join("heads.log"));
        let publisher = Publisher::new(
            db.signer.clone(),
            ORIGIN.into(),
            HeadsFile::new(file.path()),
        )
        .unwrap();
        write(&db, 5, "old").await;
        s.checkpoint(&db.signer).await.unwrap();
        let h1 = publisher.publish(s.as_ref()).await.unwrap().unwrap();
        write(&db, 3, "new").await;
        s.checkpoint(&db.signer).await.unwrap();
        let h2 = publisher.publish(s.as_ref()).await.unwrap().unwrap();
        assert_eq!(
            file.notes().unwrap(),
            vec![h1.note.clone(), h2.note.clone()]
        );

        // The attack: the newest rows, their log entries and the newest checkpoint deleted, the
        // head moved back — and the database's own tree heads and subtrees with them.
        let keep = h1.size;
        for i in 0..3 {
            db.exec(&format!("DELETE FROM meta WHERE key = 'new{i}'"))
                .await;
        }
        db.exec(&format!("DELETE FROM change_log WHERE seq > {keep}"))
            .await;
        db.exec(&format!("DELETE FROM log_checkpoints WHERE seq > {keep}"))
            .await;
        db.exec(&format!("DELETE FROM merkle_heads WHERE size > {keep}"))
            .await;
        db.exec("DELETE FROM merkle_nodes").await;
        db.exec("UPDATE merkle_state SET size = 0").await;
        db.exec(&format!(
        "UPDATE log_head SET seq = {keep}, hash = (SELECT hash FROM change_log WHERE seq = {keep})"
    ))
        .await;

        // The chain and its checkpoints alone: nothing to see (the gap of issue 21).
        let plain = s.verify(&[key]).await.unwrap();
        assert!(plain.ok, "{:?}", plain.problems);

        // Against the heads kept outside: the erased history is named.
        let heads = opened(&db, &file.notes().unwrap());
        let report = s.verify_against(&[key], &heads).await.unwrap();
        assert!(!report.ok);
        assert_eq!(report.heads_checked, 2);
        assert!(
        report.problems.iter().any(|p| matches!(
            p,
            Problem::PublishedHead { size, reason } if *size == h2.size && reason.contains("回滚")
        )),
        "{:?}",
        report.problems
    );
        // The server refuses to sign over the rolled-back log.
        let err = publisher.publish(s.as_ref()).await.unwrap_err();
        assert!(err.to_string().contains("回滚"), "{err}");

        // Writing new history to the old length instead: the roots differ, also named.
        write(&db, 3, "forged").await;
        let report = s.verify_against(&[key], &heads).await.unwrap();
        assert!(
        report.problems.iter().any(|p| matches!(
            p,
            Problem::PublishedHead { size, reason } if *size == h2.size && reason.contains("改写")
        )),
        "{:?}",
        report.problems
    );
        // And no consistency proof from the published head to the forged tree verifies.
        let now = s.merkle_sync().await.unwrap();
        let p = s.consistency_proof(h2.size, now).await.unwrap();
        assert!(merkle::verify_consistency(h2.size, now, &h2.root, &p.new_root, &p.proof).is_err());
        // A publisher started afresh on the same heads file refuses too.
        let again = Publisher::new(
            db.signer.clone(),
            ORIGIN.into(),
            HeadsFile::new(file.path()),
        )
        .unwrap();
        assert!(again.publish(s.as_ref()).await.is_err());
        db.cleanup().await;
    }
);
