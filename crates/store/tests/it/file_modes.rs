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
