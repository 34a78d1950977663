//! `chengxin report verify FILE.pdf --public-key KEY [--log-key KEY]` (issue 21) on a report
//! issued by a test instance (both backends): the untouched PDF passes; the PDF with one
//! byte of an inclusion proof changed is refused with the reason; a wrong key is refused.

use std::sync::Arc;

use chengxin_access::Role;
use chengxin_testkit::*;

use crate::common::{run, stderr, stdout, temp_dir_named};

fn hex32(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn report_verify_cli(t: TestApp) {
    t.import(
        "11320400MB0000000X",
        vec![import_row(1, "常罚〔2025〕9号", "2025-03-03")],
    )
    .await;
    let subject = t
        .store
        .subject_by_uscc("91320412MA1MXK2L83")
        .await
        .unwrap()
        .unwrap();
    let log = Arc::new(chengxin_store::LogSigner::generate());
    let log_key = log.verifying_key();
    let publisher = Arc::new(
        chengxin_store::heads::Publisher::new(
            log,
            "test.chengxin.local/log".into(),
            chengxin_store::heads::HeadsFile::new(t.dir.join("heads.log")),
        )
        .unwrap(),
    );
    let t2 = t.with_app(|app| app.heads = Some(publisher.clone()));
    let staff = t2.session_for(Role::CreditOffice, "320400", None).await;
    let (s, v) = t2
        .call(
            "POST",
            "/api/v1/credit-reports",
            &staff,
            Some(serde_json::json!({"subject_id": subject.id})),
        )
        .await;
    assert_eq!(s.as_u16(), 201, "{v}");
    let no = v["report_no"].as_str().unwrap();
    let pdf = t.store.credit_report(no).await.unwrap().unwrap().pdf;

    let dir = temp_dir_named("chengxin-report-verify");
    let file = dir.join("report.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let key = hex32(report_key().verifying_key().as_bytes());
    let key_file = dir.join("report.pub");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();
    let f = file.to_str().unwrap();

    // The PDF and the report key alone (the key given as hex, or as a file); with the log key.
    let o = run(&dir, &["report", "verify", f, "--public-key", &key]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("核验通过"), "{}", stdout(&o));
    let o = run(
        &dir,
        &[
            "report",
            "verify",
            f,
            "--public-key",
            key_file.to_str().unwrap(),
            "--log-key",
            &hex32(log_key.as_bytes()),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["proofs"], 1, "{v}");

    // One byte of an inclusion proof changed: refused, with the reason.
    // The proof bundle is embedded as JSON text; its first audit-path hash begins after
    // `"path":["`.
    let needle = b"\"path\":[\"";
    let at = pdf
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the PDF carries inclusion proofs")
        + needle.len();
    let mut bad = pdf.clone();
    bad[at] = if bad[at] == b'a' { b'b' } else { b'a' };
    let bad_file = dir.join("tampered.pdf");
    std::fs::write(&bad_file, &bad).unwrap();
    let o = run(
        &dir,
        &[
            "report",
            "verify",
            bad_file.to_str().unwrap(),
            "--public-key",
            &key,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("包含证明"), "{}", stderr(&o));
    let o = run(
        &dir,
        &[
            "report",
            "verify",
            bad_file.to_str().unwrap(),
            "--public-key",
            &key,
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["code"], "proof_invalid", "{v}");

    // A wrong report key; a wrong log key.
    let wrong = hex32(
        chengxin_store::LogSigner::generate()
            .verifying_key()
            .as_bytes(),
    );
    let o = run(&dir, &["report", "verify", f, "--public-key", &wrong]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("签名密钥不符"), "{}", stderr(&o));
    let o = run(
        &dir,
        &[
            "report",
            "verify",
            f,
            "--public-key",
            &key,
            "--log-key",
            &wrong,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
    t.cleanup().await;
}
both_backends!(report_verify_command, report_verify_cli);
