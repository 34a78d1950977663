//! A new SQLite database, its WAL and shared-memory files are the server's user's only (0600).

use std::os::unix::fs::PermissionsExt;

#[tokio::test]
async fn a_new_database_is_private() {
    let dir = chengxin_testkit::pg::temp_dir("chengxin-modes");
    let path = dir.join("x.db");
    let store = chengxin_store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(store.is_migrated().await.is_ok());
    for f in ["x.db", "x.db-wal", "x.db-shm"] {
        let p = dir.join(f);
        if p.exists() {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{f}");
        }
    }
    assert!(path.exists());
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A backup (`chengxin backup`'s database half) is 0600 in a folder only its user may enter:
/// a missing folder is made 0700, one that others may read is refused and nothing is written.
async fn backup_is_private(db: chengxin_testkit::db::TestDb) {
    use chengxin_store::backup::{snapshot, Kind};
    use chengxin_testkit::db::Raw;
    let url = match &db.raw {
        Raw::Sqlite(_) => format!("sqlite://{}", db.dir.join("t.db").display()),
        Raw::Pg(_, schema) => {
            let base = chengxin_testkit::pg::pg_url();
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}options=-c%20search_path%3D{schema}")
        }
    };
    let kind = Kind::of(&url).unwrap();
    let open = db.dir.join("shared");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
    let refused = open.join("x.bak");
    let e = snapshot(kind, &url, &refused).await.err().unwrap();
    assert_eq!(e.code, "backup_dir_not_private", "{e}");
    assert!(!refused.exists());

    let out = db.dir.join("backups").join("nightly").join("x.bak");
    let snap = snapshot(kind, &url, &out).await.unwrap();
    assert!(snap.head.seq > 0);
    assert!(std::fs::metadata(&out).unwrap().len() > 0);
    assert_eq!(mode(&out), 0o600, "backup file");
    assert_eq!(mode(out.parent().unwrap()), 0o700, "backup folder");
    assert_eq!(
        mode(&db.dir.join("backups")),
        0o700,
        "backup folder's parent"
    );
    // Never over an existing file.
    let e = snapshot(kind, &url, &out).await.err().unwrap();
    assert_eq!(e.code, "io_error", "{e}");
    assert_eq!(mode(&out), 0o600);
    db.cleanup().await;
}
chengxin_testkit::both_backends!(backups_are_private, backup_is_private);
