//! End-to-end tests of `chengxin backup` / `chengxin restore`: a backup taken while the server
//! runs and a writer imports through the API restores into a fresh place and verifies; bad
//! backups and occupied targets are refused with stable codes and leave the target untouched.
//!
//! Helpers are copied from `tests/cli.rs` (each test file is its own crate).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::*;

/// A data dir only the user may enter (backups are refused in a folder others may read).
fn temp_dir() -> PathBuf {
    let d = temp_dir_named("chengxin-bk");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    d
}
const DEPT: &str = "11320400MB00000002";

fn both(o: &Output) -> String {
    format!("stdout: {}\nstderr: {}", stdout(o), stderr(o))
}

fn with_db<'a>(db: Option<&'a str>, args: &[&'a str]) -> Vec<&'a str> {
    let mut v = Vec::new();
    if let Some(db) = db {
        v.extend(["--db", db]);
    }
    v.extend_from_slice(args);
    v
}

// ----- PostgreSQL: one fresh database per use -------------------------------------------

/// `base` with its database name replaced.
fn pg_url_for(base: &str, db: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (base, None),
    };
    let scheme_end = head.find("://").map_or(0, |i| i + 3);
    let prefix = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    match query {
        Some(q) => format!("{prefix}/{db}?{q}"),
        None => format!("{prefix}/{db}"),
    }
}

/// Fresh databases on the test server, dropped at the end.
struct PgDbs {
    base: String,
    names: Vec<String>,
}

impl PgDbs {
    /// `None` only when skipping PostgreSQL was asked for explicitly.
    fn new() -> Option<Self> {
        let base = pg_base();
        let rt = tokio::runtime::Runtime::new().unwrap();
        match rt.block_on(sqlx::PgPool::connect(&base)) {
            Ok(p) => {
                rt.block_on(p.close());
                Some(Self {
                    base,
                    names: Vec::new(),
                })
            }
            Err(e) if pg_skippable() => {
                eprintln!("SKIPPING PostgreSQL backup test (CHENGXIN_TEST_SKIP_PG=1): {e}");
                None
            }
            Err(e) => panic!(
                "PostgreSQL at {base} is unreachable: {e}. Start it, point CHENGXIN_TEST_PG at \
                 one, or set CHENGXIN_TEST_SKIP_PG=1 outside CI."
            ),
        }
    }

    fn create(&mut self) -> String {
        let name = format!("cx_bk_{}", uuid::Uuid::now_v7().simple());
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let pool = sqlx::PgPool::connect(&self.base).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
        self.names.push(name.clone());
        pg_url_for(&self.base, &name)
    }
}

impl Drop for PgDbs {
    fn drop(&mut self) {
        let Ok(rt) = tokio::runtime::Runtime::new() else {
            return;
        };
        rt.block_on(async {
            if let Ok(pool) = sqlx::PgPool::connect(&self.base).await {
                for n in &self.names {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"))
                        .execute(&pool)
                        .await;
                }
                pool.close().await;
            }
        });
    }
}

fn scalar_i64(url: &str, sql: &str) -> i64 {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        if url.starts_with("sqlite") {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            let v: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
            pool.close().await;
            v
        } else {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let v: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
            pool.close().await;
            v
        }
    })
}

// ----- the server and a writer through its API ------------------------------------------

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                assert!(st.success(), "server exit {st:?}");
                break;
            }
            assert!(Instant::now() < deadline, "server did not stop");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        assert!(!err.contains("panicked"), "{err}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(dir: &Path, db: Option<&str>) -> Server {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut c = cmd(dir);
    if let Some(db) = db {
        c.args(["--db", db]);
    }
    c.args(["serve", "--listen", &listen, "--demo"]);
    let child = c
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if let Some(st) = server.child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = server.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("server exited early ({st:?}): {err}");
        }
        if let Some((200, _)) = http_get(port, "/healthz") {
            return server;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("server did not come up on {listen}");
}

/// Small generated files, one per batch (different seeds: different records).
fn gen_files(dir: &Path, n: usize, rows: u32) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let f = dir.join(format!("gen-{i}.csv"));
            let o = run(
                dir,
                &[
                    "gen-records",
                    "--rows",
                    &rows.to_string(),
                    "--bad-per-mille",
                    "0",
                    "--seed",
                    &(1000 + i).to_string(),
                    "-o",
                    f.to_str().unwrap(),
                ],
            );
            assert!(o.status.success(), "{}", both(&o));
            f
        })
        .collect()
}

/// A second writer on the server's database: imports the files as batches, one after
/// another, until told to stop (finishing the one in flight). Returns the batches committed.
fn spawn_writer(
    dir: PathBuf,
    db: Option<String>,
    files: Vec<PathBuf>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        for f in &files {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let o = run(
                &dir,
                &with_db(
                    db.as_deref(),
                    &[
                        "import",
                        "--type",
                        "admin_penalty",
                        "--dept",
                        DEPT,
                        f.to_str().unwrap(),
                    ],
                ),
            );
            assert!(o.status.success(), "{}", both(&o));
            done.fetch_add(1, Ordering::SeqCst);
        }
        done.load(Ordering::SeqCst)
    })
}

fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read_manifest(backup: &Path) -> serde_json::Value {
    let m = PathBuf::from(format!("{}.manifest.json", backup.display()));
    serde_json::from_str(&std::fs::read_to_string(m).unwrap()).unwrap()
}

/// Serve with the demo, write through the API, back up in the middle of it, stop, restore
/// into a new data dir (and database), verify; the restored data is exactly the snapshot.
/// Returns the source data dir (with its keys) for further checks.
fn backup_under_load_round_trips(src_db: Option<&str>, dst_db: Option<&str>) -> PathBuf {
    let dir = temp_dir();
    let files = gen_files(&dir, 40, 25);
    let server = start_server(&dir, src_db);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let writer = spawn_writer(
        dir.clone(),
        src_db.map(str::to_string),
        files,
        stop.clone(),
        done.clone(),
    );

    // Back up while the writer is busy: after its first batch, before it is told to stop.
    wait_until("the first batch", || done.load(Ordering::SeqCst) >= 1);
    let out = dir.join("backups").join("snap.bak");
    let o = run(
        &dir,
        &with_db(
            src_db,
            &["backup", "--out", out.to_str().unwrap(), "--include-keys"],
        ),
    );
    assert!(o.status.success(), "{}", both(&o));
    let report: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    // The server kept serving throughout.
    assert_eq!(http_get(server.port, "/healthz").map(|r| r.0), Some(200));
    let backend = if src_db.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(report["backend"], backend);
    assert!(report["note"].as_str().unwrap().contains("密钥"));
    let manifest = read_manifest(&out);
    assert_eq!(manifest["backend"], backend);
    assert_eq!(manifest["keys_included"], true);
    assert_eq!(
        manifest["size"].as_u64().unwrap(),
        std::fs::metadata(&out).unwrap().len()
    );
    if src_db.is_none() {
        assert_eq!(manifest["integrity_check"], "ok");
    }
    let snap_seq = manifest["log_head"]["seq"].as_i64().unwrap();
    let snap_hash = manifest["log_head"]["hash"].as_str().unwrap().to_string();
    let snap_records = manifest["records"].as_i64().unwrap();
    assert!(snap_records > 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let k = PathBuf::from(format!("{}.keys/log-signing.key", out.display()));
        let mode = std::fs::metadata(&k).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{k:?}");
    }

    // Keep writing a little after the backup, then stop.
    let after = done.load(Ordering::SeqCst);
    wait_until("a batch after the backup", || {
        done.load(Ordering::SeqCst) > after || writer.is_finished()
    });
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().unwrap();
    server.stop();

    // The source moved on after the snapshot (the backup really ran under load).
    let src_url = src_db
        .map(str::to_string)
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("chengxin.db").display()));
    let src_records = scalar_i64(&src_url, "SELECT COUNT(*) FROM records");
    let src_seq = scalar_i64(&src_url, "SELECT seq FROM log_head");
    assert!(
        src_seq > snap_seq,
        "source {src_seq} vs snapshot {snap_seq}"
    );
    assert!(src_records > snap_records, "written {written} batches");

    // Precondition: the source itself verifies (else the problem is not the backup's).
    let o = run(&dir, &with_db(src_db, &["verify"]));
    assert!(
        o.status.success(),
        "the SOURCE database fails verify before any restore: {}",
        both(&o)
    );

    // Restore into a new data dir: keys come from the backup, verify passes.
    let dir2 = temp_dir();
    let o = run(
        &dir2,
        &with_db(dst_db, &["restore", "--from", out.to_str().unwrap()]),
    );
    assert!(o.status.success(), "{}", both(&o));
    assert!(stdout(&o).contains("校验通过"), "{}", both(&o));
    assert!(dir2.join("keys").join("log-signing.key").is_file());
    assert_eq!(
        std::fs::read(dir2.join("keys").join("log-signing.key")).unwrap(),
        std::fs::read(dir.join("keys").join("log-signing.key")).unwrap()
    );
    let o = run(&dir2, &with_db(dst_db, &["verify", "--json"]));
    assert!(o.status.success(), "{}", both(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["entries"].as_i64().unwrap(), snap_seq, "{v}");
    assert_eq!(v["head_hash"], snap_hash.as_str());

    // Exactly the snapshot: the manifest's count and head, a consistent prefix of the source.
    let dst_url = dst_db
        .map(str::to_string)
        .unwrap_or_else(|| format!("sqlite://{}", dir2.join("chengxin.db").display()));
    assert_eq!(
        scalar_i64(&dst_url, "SELECT COUNT(*) FROM records"),
        snap_records
    );
    assert_eq!(scalar_i64(&dst_url, "SELECT seq FROM log_head"), snap_seq);

    // The restored database serves again (migrate is idempotent on it).
    let o = run(&dir2, &with_db(dst_db, &["migrate"]));
    assert!(o.status.success(), "{}", both(&o));
    let _ = std::fs::remove_dir_all(&dir2);
    dir
}

#[test]
fn sqlite_backup_under_load_restores_and_verifies() {
    let dir = backup_under_load_round_trips(None, None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn postgres_backup_under_load_restores_and_verifies() {
    let Some(mut dbs) = PgDbs::new() else {
        return;
    };
    let src = dbs.create();
    let dst = dbs.create();
    let src_dir = backup_under_load_round_trips(Some(&src), Some(&dst));

    // A later backup (keys not included: the data dir has them).
    let b = src_dir.join("again.bak");
    let o = run(
        &src_dir,
        &["--db", &src, "backup", "--out", b.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", both(&o));
    assert!(stderr(&o).contains("--include-keys"), "{}", both(&o));
    let dst_seq = scalar_i64(&dst, "SELECT seq FROM log_head");

    // Onto a database that already has data: refused without --force, untouched.
    let o = run(
        &src_dir,
        &["--db", &dst, "restore", "--from", b.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(stderr(&o).contains("restore_target_exists"), "{}", both(&o));
    assert_eq!(scalar_i64(&dst, "SELECT seq FROM log_head"), dst_seq);

    // No trusted key anywhere (a data dir without keys, no --public-key): refused first.
    let empty = temp_dir();
    let o = run(
        &empty,
        &[
            "--db",
            &dst,
            "restore",
            "--force",
            "--from",
            b.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(stderr(&o).contains("key_missing"), "{}", both(&o));
    assert_eq!(scalar_i64(&dst, "SELECT seq FROM log_head"), dst_seq);

    // --force: pg_restore --clean replaces the data; verify passes on the later head.
    let o = run(
        &src_dir,
        &[
            "--db",
            &dst,
            "restore",
            "--force",
            "--from",
            b.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", both(&o));
    assert!(stdout(&o).contains("校验通过"), "{}", both(&o));
    let m = read_manifest(&b);
    assert_eq!(
        scalar_i64(&dst, "SELECT seq FROM log_head"),
        m["log_head"]["seq"].as_i64().unwrap()
    );
    assert_eq!(
        scalar_i64(&dst, "SELECT seq FROM log_head"),
        scalar_i64(&src, "SELECT seq FROM log_head")
    );
    let _ = std::fs::remove_dir_all(&empty);

    let _ = std::fs::remove_dir_all(&src_dir);
}

// ----- bad input --------------------------------------------------------------------------

fn file_state(p: &Path) -> Option<Vec<u8>> {
    std::fs::read(p).ok()
}

#[test]
fn restore_refuses_bad_backups_and_occupied_targets() {
    let dir = temp_dir();
    let o = run(&dir, &["migrate"]);
    assert!(o.status.success(), "{}", both(&o));
    let bak = dir.join("a.bak");
    let o = run(
        &dir,
        &["backup", "--out", bak.to_str().unwrap(), "--include-keys"],
    );
    assert!(o.status.success(), "{}", both(&o));
    assert!(stderr(&o).contains("密钥"), "{}", both(&o));
    // The backup, its manifest and its keys are the user's only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&bak), 0o600);
        assert_eq!(
            mode(&PathBuf::from(format!("{}.manifest.json", bak.display()))),
            0o600
        );
        assert_eq!(
            mode(&PathBuf::from(format!("{}.keys", bak.display()))),
            0o700
        );
        // A folder other users may read is refused, nothing written.
        let open = dir.join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        let o = run(
            &dir,
            &["backup", "--out", open.join("c.bak").to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(2), "{}", both(&o));
        assert!(
            stderr(&o).contains("backup_dir_not_private"),
            "{}",
            both(&o)
        );
        assert_eq!(std::fs::read_dir(&open).unwrap().count(), 0);
    }

    // A second backup to the same path is refused, the first left as it was.
    let before = file_state(&bak);
    let o = run(&dir, &["backup", "--out", bak.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("backup_exists"), "{}", both(&o));
    assert_eq!(file_state(&bak), before);

    // Target: a new data dir with its own (different) database file.
    let target_dir = temp_dir();
    let target_db = target_dir.join("chengxin.db");
    std::fs::write(&target_db, b"existing database, must not be touched").unwrap();
    let untouched = || {
        assert_eq!(
            std::fs::read(&target_db).unwrap(),
            b"existing database, must not be touched"
        );
        assert!(!target_dir.join("keys").exists());
    };

    // Missing backup file.
    let o = run(
        &target_dir,
        &[
            "restore",
            "--force",
            "--from",
            dir.join("nope.bak").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("backup_not_found"), "{}", both(&o));
    untouched();

    // Onto an existing database without --force.
    let o = run(&target_dir, &["restore", "--from", bak.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("restore_target_exists"), "{}", both(&o));
    untouched();

    // A backup whose SHA-256 does not match its manifest (one byte changed).
    let bad = dir.join("bad.bak");
    let mut bytes = std::fs::read(&bak).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&bad, &bytes).unwrap();
    std::fs::copy(
        format!("{}.manifest.json", bak.display()),
        format!("{}.manifest.json", bad.display()),
    )
    .unwrap();
    let o = run(
        &target_dir,
        &["restore", "--force", "--from", bad.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("backup_checksum_mismatch"),
        "{}",
        both(&o)
    );
    untouched();

    // No manifest at all.
    let lone = dir.join("lone.bak");
    std::fs::copy(&bak, &lone).unwrap();
    let o = run(
        &target_dir,
        &["restore", "--force", "--from", lone.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("backup_manifest_missing"),
        "{}",
        both(&o)
    );
    untouched();

    // A SQLite backup cannot go into PostgreSQL (checked before connecting).
    let o = run(
        &target_dir,
        &[
            "--db",
            "postgres://u:hunter2@127.0.0.1:1/none",
            "restore",
            "--from",
            bak.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("backup_backend_mismatch"),
        "{}",
        both(&o)
    );
    assert!(!both(&o).contains("hunter2"));
    untouched();

    // With --force the good backup replaces the file and verifies.
    let o = run(
        &target_dir,
        &["restore", "--force", "--from", bak.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", both(&o));
    assert!(stdout(&o).contains("校验通过"), "{}", both(&o));
    assert!(!both(&o).contains("panicked"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&target_dir);
}

/// Identity of a file: a restore renames a new file into place.
fn inode(p: &Path) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).unwrap().ino()
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(p).unwrap().len()
    }
}

#[test]
fn restore_refuses_a_database_in_use() {
    let dir = temp_dir();
    let bak = dir.join("b.bak");
    let server = start_server(&dir, None);
    let o = run(&dir, &["backup", "--out", bak.to_str().unwrap()]);
    assert!(o.status.success(), "{}", both(&o));
    let db = dir.join("chengxin.db");
    let before = inode(&db);
    let o = run(
        &dir,
        &["restore", "--force", "--from", bak.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(stderr(&o).contains("restore_target_busy"), "{}", both(&o));
    assert_eq!(inode(&db), before, "the file in use was replaced");
    server.stop();
    // Stopped: the same restore goes through and verifies.
    let o = run(
        &dir,
        &["restore", "--force", "--from", bak.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", both(&o));
    assert!(stdout(&o).contains("校验通过"), "{}", both(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn postgres_backup_refuses_unreachable_server_without_leaking_password() {
    let dir = temp_dir();
    let out = dir.join("x.bak");
    let o = run(
        &dir,
        &[
            "--db",
            "postgres://u:hunter2@127.0.0.1:1/none",
            "backup",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("db_unreachable"), "{}", both(&o));
    assert!(!both(&o).contains("hunter2"));
    assert!(!out.exists());
}
