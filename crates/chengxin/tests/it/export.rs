//! `chengxin export national --date DAY --dir OUT` and `chengxin export verify` (issue 21), on
//! both backends: a day that is over gives the ten files, `manifest.json` and its signature;
//! `export verify` passes with the log's public key, and refuses a changed file, a changed
//! manifest and another key; a re-run gives the same bytes; a day not over is refused.

use std::path::Path;

use crate::common::*;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn export_national(db: &str) {
    let dir = temp_dir_named("chengxin-export");
    let o = run(&dir, &["--db", db, "migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&dir, &["keys", "export-public"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pk = dir.join("log.pub");
    std::fs::write(&pk, stdout(&o)).unwrap();
    let pk = pk.to_str().unwrap();

    let today = chengxin_store::clock::today_in_china();
    let day = (today - chrono::Days::new(1)).to_string();
    let out = dir.join("out");
    let out_s = out.to_str().unwrap();
    let o = run(
        &dir,
        &[
            "--db", db, "export", "national", "--date", &day, "--dir", out_s,
        ],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("admin_penalty.csv"), "{}", stdout(&o));
    let first = files(&out);
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    for n in [
        "admin_license.csv",
        "admin_license.xlsx",
        "admin_penalty.csv",
        "admin_penalty.xlsx",
        "gov_negative.csv",
        "gov_negative.xlsx",
        "list_events.csv",
        "list_events.xlsx",
        "repairs.csv",
        "repairs.xlsx",
        "manifest.json",
        "manifest.json.sig",
    ] {
        assert!(names.contains(&n), "{n} missing: {names:?}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["date"], day);
    assert_eq!(manifest["format"], "chengxin-national-export/1");
    assert_eq!(manifest["files"].as_array().unwrap().len(), 10);
    let penalty = String::from_utf8(std::fs::read(out.join("admin_penalty.csv")).unwrap()).unwrap();
    assert!(
        penalty.starts_with("\u{feff}行政相对人名称,行政相对人类别,"),
        "{penalty}"
    );

    let o = run(
        &dir,
        &["export", "verify", "--dir", out_s, "--public-key", pk],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("通过"), "{}", stdout(&o));

    // Same day again: the same bytes.
    let o = run(
        &dir,
        &[
            "--db", db, "export", "national", "--date", &day, "--dir", out_s,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files(&out), first);

    // Another key; a changed file; a changed manifest.
    let other: String = chengxin_store::LogSigner::generate()
        .verifying_key()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let o = run(
        &dir,
        &["export", "verify", "--dir", out_s, "--public-key", &other],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("manifest_signature_invalid"),
        "{}",
        stderr(&o)
    );
    let csv = out.join("repairs.csv");
    let mut bytes = std::fs::read(&csv).unwrap();
    bytes.extend_from_slice(b"x\r\n");
    std::fs::write(&csv, &bytes).unwrap();
    let o = run(
        &dir,
        &["export", "verify", "--dir", out_s, "--public-key", pk],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("file_digest_mismatch"),
        "{}",
        stderr(&o)
    );
    let m = out.join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&m, text.replacen("\"rows\": 0", "\"rows\": 1", 1)).unwrap();
    let o = run(
        &dir,
        &["export", "verify", "--dir", out_s, "--public-key", pk],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("manifest_signature_invalid"),
        "{}",
        stderr(&o)
    );

    // Today is not over; a bad date.
    let o = run(
        &dir,
        &[
            "--db",
            db,
            "export",
            "national",
            "--date",
            &today.to_string(),
            "--dir",
            out_s,
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("export_day_not_over"), "{}", stderr(&o));
    let o = run(
        &dir,
        &[
            "--db",
            db,
            "export",
            "national",
            "--date",
            "2026-02-30",
            "--dir",
            out_s,
        ],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("invalid_date"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn export_national_sqlite() {
    let dir = temp_dir_named("chengxin-export-db");
    export_national(&format!("sqlite://{}", dir.join("x.db").display()));
}

#[test]
fn export_national_postgres() {
    if let Some(url) = pg_url() {
        export_national(&url);
    }
}
