//! `chengxin verify --against HEAD_FILE` (issue 21): CLI writes append signed tree heads to
//! the heads file outside the database; erasing recent history (newest rows, their entries,
//! the newest checkpoint, the head moved back) passes the chain check but not this one.

use std::path::Path;

use chengxin_domain::merkle;

use crate::common::*;

fn sql(url: &str, statements: &[String]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        if url.starts_with("sqlite") {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            for s in statements {
                sqlx::query(s).execute(&pool).await.unwrap();
            }
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            for s in statements {
                sqlx::query(s).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
    });
}

/// The sizes of the heads in a heads file, oldest first.
fn head_sizes(file: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(file).unwrap();
    merkle::split_notes(&text)
        .into_iter()
        .map(|n| {
            let note = merkle::parse_note(n).unwrap();
            merkle::parse_checkpoint(&note.text).unwrap().size
        })
        .collect()
}

fn verify_against_catches_rollback(db: &str) {
    let dir = temp_dir_named("cx-heads");
    let heads = dir.join("heads.log");
    let o = run(&dir, &["--db", db, "migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let first = head_sizes(&heads);
    assert_eq!(first.len(), 1, "migrate signs one head");
    // More history: a token, then a write command signs the next head.
    let o = run(
        &dir,
        &[
            "--db",
            db,
            "token",
            "issue",
            "--name",
            "招标平台",
            "--permissions",
            "checks_run",
            "--region",
            "320400",
            "--days",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&dir, &["--db", db, "migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sizes = head_sizes(&heads);
    assert_eq!(sizes.len(), 2, "{sizes:?}");
    assert!(sizes[1] > sizes[0]);
    let against = heads.to_str().unwrap();
    let o = run(&dir, &["--db", db, "verify", "--against", against]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("对照库外签名树头 2 个"),
        "{}",
        stdout(&o)
    );

    // A copy of the file kept by a witness, then the rollback behind the platform's back.
    let witness = dir.join("witness-heads.log");
    std::fs::copy(&heads, &witness).unwrap();
    let keep = sizes[0];
    sql(
        db,
        &[
            "DELETE FROM api_tokens".to_string(),
            format!("DELETE FROM change_log WHERE seq > {keep}"),
            format!("DELETE FROM log_checkpoints WHERE seq > {keep}"),
            format!("DELETE FROM merkle_heads WHERE size > {keep}"),
            "DELETE FROM merkle_nodes".to_string(),
            "UPDATE merkle_state SET size = 0".to_string(),
            format!(
                "UPDATE log_head SET seq = {keep}, hash = (SELECT hash FROM change_log WHERE seq = {keep})"
            ),
        ],
    );
    let o = run(
        &dir,
        &["--db", db, "verify", "--against", witness.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("回滚"), "{}", stdout(&o));
    let o = run(
        &dir,
        &[
            "--db",
            db,
            "verify",
            "--json",
            "--against",
            witness.to_str().unwrap(),
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "published_head" && p["size"] == sizes[1]),
        "{v}"
    );
    // The next write command does not sign over the rolled-back log: it warns, the file
    // keeps its two heads.
    let o = run(&dir, &["--db", db, "migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("head_refused"), "{}", stderr(&o));
    assert_eq!(head_sizes(&heads), sizes);

    // A forged head in the file is reported, never trusted; a missing file is a usage error.
    let forged = dir.join("forged.log");
    let text = std::fs::read_to_string(&witness).unwrap();
    std::fs::write(&forged, text.replacen(&format!("\n{keep}\n"), "\n1\n", 1)).unwrap();
    let o = run(
        &dir,
        &["--db", db, "verify", "--against", forged.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("无法采信"), "{}", stdout(&o));
    let o = run(
        &dir,
        &[
            "--db",
            db,
            "verify",
            "--against",
            dir.join("none.log").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("heads_file_missing"), "{}", stderr(&o));
}

#[test]
fn verify_against_catches_rollback_sqlite() {
    let dir = temp_dir_named("cx-heads-db");
    verify_against_catches_rollback(&format!("sqlite://{}", dir.join("x.db").display()));
}

#[test]
fn verify_against_catches_rollback_postgres() {
    if let Some(url) = pg_url() {
        verify_against_catches_rollback(&url);
    }
}
