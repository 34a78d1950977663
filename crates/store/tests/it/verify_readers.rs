//! `verify`'s fast readers of the change log (SQLite: parallel readers over `seq` ranges on the
//! C API; PostgreSQL: `COPY … TO STDOUT` parsed in place): a log of several pages with text
//! that COPY must escape (tab, newline, backslash, quotes, CJK) verifies; an entry edited in
//! the middle, an entry missing and an entry appended behind the head's back are reported.

use chengxin_store::changelog::entry_hash;
use chengxin_store::Problem;
use chengxin_testkit::both_backends;
use chengxin_testkit::db::{Raw, TestDb};

/// More than two pages of 4,096 entries.
const N: i64 = 9_000;

async fn head(db: &TestDb) -> (i64, String) {
    let sql = "SELECT seq, hash FROM log_head WHERE id = 1";
    match &db.raw {
        Raw::Sqlite(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
        Raw::Pg(p, _) => sqlx::query_as(sql).fetch_one(p).await.unwrap(),
    }
}

fn actor(i: i64) -> String {
    format!("导入\t张三\\x41\n第{i}行 'o\"k'\r")
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Append `n` genuine entries (deletions of entities that have no row), with awkward text;
/// moves the head unless `behind_the_head`.
async fn append(db: &TestDb, n: i64, behind_the_head: bool) -> (i64, String) {
    let (mut seq, mut prev) = head(db).await;
    let mut values = Vec::new();
    for i in 0..n {
        seq += 1;
        let at = format!("2026-12-07T09:{:02}:{:02}.{:06}Z", (i / 60) % 60, i % 60, i);
        let actor = actor(i);
        let id = format!("id-{seq}\\N");
        let hash = entry_hash(seq, &at, &actor, "bench_entity", &id, "delete", None, &prev);
        values.push(format!(
            "({seq}, {}, {}, 'bench_entity', {}, 'delete', NULL, {}, {})",
            quoted(&at),
            quoted(&actor),
            quoted(&id),
            quoted(&prev),
            quoted(&hash)
        ));
        prev = hash;
        if values.len() == 500 || i == n - 1 {
            db.exec(&format!(
                "INSERT INTO change_log (seq, at, actor, entity_type, entity_id, action, \
                 state_digest, prev_hash, hash) VALUES {}",
                values.join(", ")
            ))
            .await;
            values.clear();
        }
    }
    if !behind_the_head {
        db.exec(&format!(
            "UPDATE log_head SET seq = {seq}, hash = {} WHERE id = 1",
            quoted(&prev)
        ))
        .await;
    }
    (seq, prev)
}

both_backends!(verify_reads_every_entry_fast, |db: TestDb| async move {
    let key = [db.signer.verifying_key()];
    let (first, _) = head(&db).await;
    let (last, last_hash) = append(&db, N, false).await;
    let r = db.store.verify(&key).await.unwrap();
    assert!(r.ok, "{:?}", r.problems);
    assert_eq!(r.entries, last);
    assert_eq!(r.tree_size, last as u64);
    assert_eq!(r.head_hash, last_hash);

    // An entry appended behind the head's back.
    append(&db, 1, true).await;
    let r = db.store.verify(&key).await.unwrap();
    assert!(!r.ok);
    assert_eq!(r.entries, last + 1);
    assert!(
        r.problems
            .iter()
            .any(|p| matches!(p, Problem::HeadMismatch { .. })),
        "{:?}",
        r.problems
    );
    db.exec(&format!("DELETE FROM change_log WHERE seq = {}", last + 1))
        .await;
    assert!(db.store.verify(&key).await.unwrap().ok);

    // An entry edited in the second page.
    let edited = first + 4_096 + 17;
    db.exec(&format!(
        "UPDATE change_log SET actor = 'x' WHERE seq = {edited}"
    ))
    .await;
    let r = db.store.verify(&key).await.unwrap();
    assert!(
        matches!(r.problems.first(), Some(Problem::BrokenChain { seq, .. }) if *seq == edited),
        "{:?}",
        r.problems
    );

    // Put back, then an entry missing in the third page.
    let i = edited - first - 1;
    db.exec(&format!(
        "UPDATE change_log SET actor = {} WHERE seq = {edited}",
        quoted(&actor(i))
    ))
    .await;
    assert!(db.store.verify(&key).await.unwrap().ok);
    let gone = first + 2 * 4_096 + 5;
    db.exec(&format!("DELETE FROM change_log WHERE seq = {gone}"))
        .await;
    let r = db.store.verify(&key).await.unwrap();
    assert_eq!(r.entries, last - 1);
    assert!(
        matches!(r.problems.first(), Some(Problem::BrokenChain { seq, .. }) if *seq == gone + 1),
        "{:?}",
        r.problems
    );
});
