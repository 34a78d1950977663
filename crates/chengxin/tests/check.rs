//! `chengxin lists refresh-court` and `chengxin check` end to end: the court's list is
//! imported and refreshed (removals with history), and a bidding platform's file of parties
//! is checked into an XLSX report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_chengxin");

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("chengxin-check-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .env("CHENGXIN_DATA_DIR", dir)
        .env_remove("CHENGXIN_DB")
        .env_remove("CHENGXIN_ID_HASH_KEY")
        .env("CHENGXIN_LOG", "warn")
        .args(args)
        .output()
        .unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| {
        panic!(
            "stdout {} stderr {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn court_list_refresh_and_file_check() {
    let dir = temp_dir();
    let court = dir.join("court.csv");
    std::fs::write(
        &court,
        "被执行人姓名/名称,统一社会信用代码,身份证号码,案号\n\
         常州市乙建设工程有限公司,91320412MA1MXK2L83,,（2024）苏0412执123号\n\
         张三,,320402199001011239,（2024）苏0402执45号\n\
         坏行,,12345,（2024）苏0402执46号\n",
    )
    .unwrap();
    let o = run(&dir, &["lists", "refresh-court", court.to_str().unwrap()]);
    let r = json(&o);
    assert_eq!(o.status.code(), Some(1), "a rejected row gives exit 1: {r}");
    assert_eq!(
        (r["added"].as_i64(), r["removed"].as_i64()),
        (Some(2), Some(0)),
        "{r}"
    );
    assert_eq!(r["rejected"].as_array().unwrap().len(), 1);

    // Parties as a bidding platform sends them: by code, by a Traditional variant of the name,
    // by ID number, and a clean bidder.
    let parties = dir.join("bidders.csv");
    std::fs::write(
        &parties,
        "名称,统一社会信用代码,身份证号码\n\
         ,91320412MA1MXK2L83,\n\
         常州市乙建設工程有限公司,,\n\
         ,,320402199001011239\n\
         常州丙贸易有限公司,,\n",
    )
    .unwrap();
    let report = dir.join("report.xlsx");
    let o = run(
        &dir,
        &[
            "check",
            "--scenario",
            "bidding",
            parties.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = json(&o);
    assert_eq!(
        (r["intercept"].as_i64(), r["pass"].as_i64()),
        (Some(3), Some(1)),
        "{r}"
    );
    let bytes = std::fs::read(&report).unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file");

    // The source no longer lists 张三: the refresh removes the entry, with its history.
    std::fs::write(
        &court,
        "被执行人姓名/名称,统一社会信用代码,身份证号码,案号\n\
         常州市乙建设工程有限公司,91320412MA1MXK2L83,,（2024）苏0412执123号\n",
    )
    .unwrap();
    let o = run(&dir, &["lists", "refresh-court", court.to_str().unwrap()]);
    assert!(o.status.success());
    let r = json(&o);
    assert_eq!(
        (
            r["added"].as_i64(),
            r["kept"].as_i64(),
            r["removed"].as_i64()
        ),
        (Some(0), Some(1), Some(1)),
        "{r}"
    );
    let o = run(
        &dir,
        &[
            "check",
            "--scenario",
            "bidding",
            parties.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
        ],
    );
    let r = json(&o);
    assert_eq!(
        (r["intercept"].as_i64(), r["pass"].as_i64()),
        (Some(2), Some(2)),
        "{r}"
    );
    // Everything is in the change log.
    let o = run(&dir, &["verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // Unknown scenario: a clear error.
    let o = run(
        &dir,
        &[
            "check",
            "--scenario",
            "fly",
            parties.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown_scenario"));
    let _ = std::fs::remove_dir_all(&dir);
}
