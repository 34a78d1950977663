//! Tests of the change log: hashing, the chain checker, checkpoints, group members.

use super::*;

fn chain(n: i64) -> Vec<LogEntry> {
    let mut prev = GENESIS_HASH.to_string();
    (1..=n)
        .map(|seq| {
            let digest = format!("d{seq}");
            let hash = entry_hash(
                seq,
                "t",
                "a",
                "subject",
                &format!("s{seq}"),
                "create",
                Some(&digest),
                &prev,
            );
            let e = LogEntry {
                seq,
                at: "t".into(),
                actor: "a".into(),
                entity_type: "subject".into(),
                entity_id: format!("s{seq}"),
                action: "create".into(),
                state_digest: Some(digest),
                prev_hash: prev.clone(),
                hash: hash.clone(),
                members: None,
            };
            prev = hash;
            e
        })
        .collect()
}

#[test]
fn intact_chain_verifies() {
    let entries = chain(3);
    let signer = LogSigner::generate();
    let head = entries[2].hash.clone();
    let cp = Checkpoint {
        seq: 3,
        hash: head.clone(),
        key_id: signer.key_id(),
        signature: signer.sign(3, &head),
        at: now(),
    };
    let keys = HashMap::from([(signer.key_id(), signer.verifying_key())]);
    let mut c = ChainChecker::new([3]);
    for e in entries {
        c.entry(e);
    }
    c.head(3, &head);
    c.checkpoint(&cp, &keys);
    for i in 1..=3 {
        c.row("subject", &format!("s{i}"), &format!("d{i}"));
    }
    let r = c.finish();
    assert!(r.ok, "{:?}", r.problems);
    assert_eq!(r.last_signed_seq, Some(3));
}

#[test]
fn tampering_is_pinpointed() {
    let mut entries = chain(4);
    entries[1].actor = "mallory".into();
    let mut c = ChainChecker::new([]);
    for e in entries {
        c.entry(e);
    }
    c.row("subject", "s1", "d1");
    c.row("subject", "s2", "XX");
    c.row("subject", "s9", "d9");
    let r = c.finish();
    assert!(!r.ok);
    assert!(matches!(r.problems[0], Problem::BrokenChain { seq: 2, .. }));
    assert!(r.problems.contains(&Problem::RowEdited {
        entity_type: "subject".into(),
        entity_id: "s2".into()
    }));
    assert!(r.problems.contains(&Problem::RowInserted {
        entity_type: "subject".into(),
        entity_id: "s9".into()
    }));
    assert!(r.problems.contains(&Problem::RowDeleted {
        entity_type: "subject".into(),
        entity_id: "s3".into()
    }));
}

#[test]
fn forged_checkpoint_fails() {
    let entries = chain(2);
    let signer = LogSigner::generate();
    let other = LogSigner::generate();
    let head = entries[1].hash.clone();
    let keys = HashMap::from([(signer.key_id(), signer.verifying_key())]);
    let forged = Checkpoint {
        seq: 2,
        hash: head.clone(),
        key_id: signer.key_id(),
        signature: other.sign(2, &head),
        at: now(),
    };
    let mut c = ChainChecker::new([2]);
    for e in entries {
        c.entry(e);
    }
    c.checkpoint(&forged, &keys);
    assert!(!c.finish().ok);
}

/// The streamed entry hash is byte for byte the one every existing log was written with.
#[test]
fn entry_hash_matches_the_value_form() {
    let cases: [(i64, &str, &str, Option<&str>); 3] = [
        (
            1,
            "2026-01-01T00:00:00.000000Z",
            "system:migrate",
            Some("ab"),
        ),
        (42, "t", "含\"引号\"与\\反斜杠\n和控制\u{1}", None),
        (i64::MAX, "", "🙂 emoji", Some("")),
    ];
    for (seq, at, actor, digest) in cases {
        let canonical = serde_json::json!([
            seq,
            at,
            actor,
            "subject",
            "id\t",
            "create",
            digest,
            GENESIS_HASH
        ]);
        let old = hex::encode(Sha256::digest(canonical.to_string().as_bytes()));
        assert_eq!(
            entry_hash(
                seq,
                at,
                actor,
                "subject",
                "id\t",
                "create",
                digest,
                GENESIS_HASH
            ),
            old
        );
    }
}

#[test]
fn digest_is_key_order_independent() {
    let a = serde_json::json!({"b": 1, "a": 2});
    let b = serde_json::json!({"a": 2, "b": 1});
    assert_eq!(state_digest(&a).unwrap(), state_digest(&b).unwrap());
}

fn group_entry(members: String) -> LogEntry {
    let digest = sha256_hex(members.as_bytes());
    let hash = entry_hash(
        1,
        "t",
        "a",
        GROUP_ENTITY,
        "b#1",
        "batch_write",
        Some(&digest),
        GENESIS_HASH,
    );
    LogEntry {
        seq: 1,
        at: "t".into(),
        actor: "a".into(),
        entity_type: GROUP_ENTITY.into(),
        entity_id: "b#1".into(),
        action: "batch_write".into(),
        state_digest: Some(digest),
        prev_hash: GENESIS_HASH.into(),
        hash,
        members: Some(members),
    }
}

#[test]
fn group_members_cover_rows() {
    let mut text = String::new();
    push_member(&mut text, "create", "record", "r1", "d1");
    push_member(&mut text, "create", "record_history", "r1:1", "h1");
    assert_eq!(parse_members(&text).map(|m| m.len()), Some(2));

    let mut ok = ChainChecker::new([]);
    ok.entry(group_entry(text.clone()));
    ok.head(1, &group_entry(text.clone()).hash);
    ok.row("record", "r1", "d1");
    ok.row("record_history", "r1:1", "h1");
    let report = ok.finish();
    assert!(report.ok, "{:?}", report.problems);

    // A row edited behind the platform's back is named, as with single entries.
    let mut edited = ChainChecker::new([]);
    edited.entry(group_entry(text.clone()));
    edited.row("record", "r1", "dX");
    edited.row("record_history", "r1:1", "h1");
    let problems = edited.finish().problems;
    assert!(problems.contains(&Problem::RowEdited {
        entity_type: "record".into(),
        entity_id: "r1".into()
    }));

    // Rewriting the member list (to launder an edit) breaks the entry's digest.
    let mut laundered = group_entry(text);
    laundered.members = laundered.members.map(|m| m.replace("d1", "dX"));
    let mut c = ChainChecker::new([]);
    c.entry(laundered);
    assert!(matches!(
        c.finish().problems.first(),
        Some(Problem::BrokenChain { seq: 1, .. })
    ));
}
