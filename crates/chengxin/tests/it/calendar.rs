//! `chengxin calendar load|show` on both backends: a year loaded from a file is in effect,
//! replaced only when asked, refused when invalid or leaving a gap, and covered by `verify`.

use std::path::{Path, PathBuf};

use crate::common::*;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/calendar-2027-test.toml")
}

fn show_json(dir: &Path, db: &str) -> serde_json::Value {
    let o = run(dir, &["--db", db, "calendar", "show", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn load(dir: &Path, db: &str, file: &Path, replace: bool) -> std::process::Output {
    let mut args = vec!["--db", db, "calendar", "load", file.to_str().unwrap()];
    if replace {
        args.push("--replace");
    }
    run(dir, &args)
}

fn load_show_replace(db: &str) {
    let dir = temp_dir_named("chengxin-calendar");
    let v = show_json(&dir, db);
    assert_eq!(
        (v["first_year"].as_i64(), v["last_year"].as_i64()),
        (Some(2018), Some(2026))
    );
    assert!(v["years"]
        .as_array()
        .unwrap()
        .iter()
        .all(|y| y["origin"] == "shipped"));

    // The test year (invented, never shipped) extends the calendar.
    let o = load(&dir, db, &fixture(), false);
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(out["added"], serde_json::json!([2027]));
    assert_eq!(out["last_year"], 2027);
    assert_eq!(out["source"], "calendar-2027-test.toml");
    let v = show_json(&dir, db);
    assert_eq!(v["last_year"], 2027);
    assert_eq!(v["last_covered"], "2027-12-31");
    let y = v["years"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(y["year"], 2027);
    assert_eq!(y["origin"], "loaded");
    assert_eq!(y["replaces_shipped"], false);
    assert_eq!(y["notices"][0], "测试用通知（虚构）");
    assert_eq!(y["source"], "calendar-2027-test.toml");
    assert_eq!(y["loaded_by"], "cli:calendar-load");
    let o = run(&dir, &["--db", db, "calendar", "show"]);
    assert!(
        stdout(&o).contains("节假日数据覆盖2018–2027年"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("2027年  已载入（calendar-2027-test.toml，cli:calendar-load，"));
    assert!(stdout(&o).contains("2026年  随程序发布  国办发明电〔2025〕7号"));

    // Again: nothing to do.
    let o = load(&dir, db, &fixture(), false);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\"unchanged\":[2027]"),
        "{}",
        stdout(&o)
    );

    // Different content for a covered year: only with --replace.
    let text = std::fs::read_to_string(fixture()).unwrap();
    let changed = dir.join("2027-corrected.toml");
    std::fs::write(&changed, text.replace("2027-10-07", "2027-10-08")).unwrap();
    let o = load(&dir, db, &changed, false);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("错误[calendar_year_already_covered]：2027年的放假安排已有"),
        "{}",
        stderr(&o)
    );
    let o = load(&dir, db, &changed, true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"replaced\":[2027]"), "{}", stdout(&o));
    assert_eq!(
        show_json(&dir, db)["years"][9]["source"],
        "2027-corrected.toml"
    );

    // A gap, and a file without notices, are refused with their codes.
    let gap = dir.join("2029.toml");
    std::fs::write(
        &gap,
        "[[years]]\nyear = 2029\nnotices = [\"测试用通知\"]\n\
         holidays = [{ name = \"元旦\", first = \"2029-01-01\", last = \"2029-01-01\", notice = \"测试用通知\" }]\n",
    )
    .unwrap();
    let o = load(&dir, db, &gap, false);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("calendar_year_gap"), "{}", stderr(&o));
    let bare = dir.join("bare.toml");
    std::fs::write(&bare, "[[years]]\nyear = 2028\nholidays = [{ name = \"元旦\", first = \"2028-01-01\", last = \"2028-01-01\" }]\n").unwrap();
    let o = load(&dir, db, &bare, false);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("错误[calendar_missing_notices]"),
        "{}",
        stderr(&o)
    );
    let o = load(&dir, db, &dir.join("missing.toml"), false);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("io_error"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    assert_eq!(show_json(&dir, db)["last_year"], 2027);

    // Every load is in the change log.
    let o = run(&dir, &["--db", db, "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn calendar_load_and_show_sqlite() {
    let dir = temp_dir_named("chengxin-calendar-db");
    load_show_replace(&format!("sqlite://{}", dir.join("c.db").display()));
}

#[test]
fn calendar_load_and_show_postgres() {
    if let Some(url) = pg_url() {
        load_show_replace(&url);
    }
}
