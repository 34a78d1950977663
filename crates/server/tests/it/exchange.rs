//! The national export (issue 21) on both backends: records created, corrected, revoked and
//! repaired on a day, a list entry put on a list and one taken off, and a repair decision all
//! appear with the national columns; the manifest's counts and SHA-256 match the files, its
//! signature and checkpoint verify with the log key (and not with another); a re-run of the
//! same day gives the same bytes, also after more data was written later; the JSON variant is
//! the credit office's, within its region.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::Role;
use chengxin_app::exchange::national::{self, ExportSigner, Scope};
use chengxin_domain::exchange::{day_window, record_columns};
use chengxin_domain::records::RecordStatus;
use chengxin_store::changelog::now;
use chengxin_store::{LogSigner, NewRecord, RecordChange};
use chengxin_testkit::*;
use http_body_util::BodyExt;
use sha2::Digest;
use std::sync::Arc;
use tower::ServiceExt;

const DEPT: &str = "11320400MB0000000X";
const COMPANY: &str = "91320412MA1MXK2L83";

fn today_in_china() -> chrono::NaiveDate {
    chengxin_domain::reports::china_date(now())
}

/// A list entry on the serious-dishonesty list taking effect today (its publicity 40 days
/// before), removed today as well when `remove`.
async fn listed(t: &TestApp, uscc: &str, name: &str, remove: bool) -> uuid::Uuid {
    use chengxin_domain::calendar::WorkCalendar;
    use chengxin_domain::lists::{EntryAction, JointCatalog, ListEntry, Proposal, RemovalReason};
    let subject = t
        .store
        .create_subject(
            "test",
            chengxin_store::NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::Enterprise),
                name: name.into(),
                uscc: Some(uscc.into()),
                region: Some("320412".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let joint = JointCatalog::default_checked().unwrap();
    let list = joint.list("serious_dishonest").unwrap();
    let cal = WorkCalendar::official_checked().unwrap();
    let today = today_in_china();
    let start = today - chrono::Days::new(40);
    let mut e = ListEntry::propose(
        list,
        Proposal {
            subject_key: uscc.into(),
            subject_name: name.into(),
            standard: "拒不履行政府采购合同".into(),
            basis: "《江苏省社会信用条例》".into(),
            recognised_by: DEPT.into(),
            recognised_by_uscc: None,
            evidence: vec!["常财购〔2026〕9号".into()],
        },
        start,
    )
    .unwrap()
    .apply(list, EntryAction::StartPublicity, start, None, cal)
    .unwrap()
    .apply(
        list,
        EntryAction::TakeEffect { until: None },
        today,
        None,
        cal,
    )
    .unwrap();
    let id = uuid::Uuid::now_v7();
    let row = chengxin_app::lists::entry_row(id, subject.id, &e, 1, now()).unwrap();
    t.store.create_list_entry("test", &row).await.unwrap();
    if remove {
        e = e
            .apply(
                list,
                EntryAction::Remove {
                    reason: RemovalReason::Revoked,
                },
                today,
                Some("认定依据不足"),
                cal,
            )
            .unwrap();
        let next = chengxin_app::lists::entry_row(id, subject.id, &e, 2, now()).unwrap();
        t.store.update_list_entry("test", &next, 1).await.unwrap();
    }
    id
}

/// A 行政许可 to a natural person (ID number in clear in the stored fields).
async fn license(t: &TestApp, doc: &str) -> uuid::Uuid {
    let mut fields = serde_json::Map::new();
    for (k, v) in [
        ("subject_name", "王五"),
        ("subject_category", "natural_person"),
        ("id_type", "01"),
        ("id_no", "11010519491231002X"),
        ("decision_doc_name", "食品经营许可决定书"),
        ("decision_doc_no", doc),
        ("license_category", "01"),
        ("license_content", "预包装食品销售"),
        ("decision_date", "2026-01-05"),
        ("valid_from", "2026-01-05"),
        ("valid_to", "2099-12-31"),
        ("authority", "常州市市场监督管理局"),
        ("authority_uscc", "11320400MB00000002"),
        ("status", "valid"),
        ("source_unit", "常州市市场监督管理局"),
        ("source_unit_uscc", "11320400MB00000002"),
    ] {
        fields.insert(k.into(), v.into());
    }
    t.store
        .create_record(
            "test",
            NewRecord {
                type_code: "admin_license".into(),
                subject_id: None,
                subject_name: "王五".into(),
                doc_no: doc.into(),
                decision_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
                source_dept: DEPT.into(),
                batch_id: None,
                fields,
                severity: None,
                status: RecordStatus::Published,
                publish_until: None,
                content_digest: None,
                published_at: None,
            },
        )
        .await
        .unwrap()
        .id
}

async fn change(t: &TestApp, id: uuid::Uuid, action: &str, status: Option<RecordStatus>) {
    let r = t.store.record(id).await.unwrap().unwrap();
    let mut fields = r.fields.clone();
    if action == "correct" {
        fields.insert("penalty_content".into(), "罚款人民币五千元".into());
    }
    t.store
        .change_record(
            "test",
            RecordChange {
                id,
                expected_version: r.version,
                action: action.into(),
                status,
                fields: (action == "correct").then_some(fields),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

async fn upload(t: &TestApp, uri: &str, code: &str) {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header("x-access-code", code)
        .header("content-type", "application/octet-stream")
        .body(Body::from(b"%PDF-1.4 receipt".to_vec()))
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

/// The subject applies, the office accepts, the recognising department approves.
async fn repair(t: &TestApp, record: uuid::Uuid) {
    let office = t.session_for(Role::CreditOffice, "320400", None).await;
    let dept = t
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    let me = t.session_for(Role::Subject, "320412", Some(COMPANY)).await;
    let (s, filed) = t
        .call(
            "POST",
            "/api/v1/repairs",
            &me,
            Some(
                serde_json::json!({"target_kind": "record", "target_id": record,
                "reasons": "罚款已缴清，整改已完成", "commitment": true}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    let id = filed["id"].as_str().unwrap().to_string();
    let no = filed["tracking_no"].as_str().unwrap();
    upload(
        t,
        &format!("/api/v1/track/{no}/evidence?name=p.pdf&material=payment_proof"),
        filed["access_code"].as_str().unwrap(),
    )
    .await;
    let (_, full) = t
        .call("GET", &format!("/api/v1/applications/{id}"), &office, None)
        .await;
    let v0 = full["version"].as_i64().unwrap();
    let url = format!("/api/v1/applications/{id}/actions");
    let (s, v) = t
        .call(
            "POST",
            &url,
            &office,
            Some(serde_json::json!({"action": "accept", "expected_version": v0})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = t
        .call(
            "POST",
            &url,
            &dept,
            Some(serde_json::json!({"action": "approve",
            "expected_version": v0 + 1, "reasons": "已履行处罚决定并完成整改"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

fn column(t: &national::Table, title: &str) -> usize {
    t.columns.iter().position(|c| c == title).unwrap()
}

async fn national_export(t: TestApp) {
    let today = today_in_china();
    let (day_start, _) = day_window(today);
    let out = t
        .import(
            DEPT,
            vec![
                import_row(1, "常罚〔2025〕1号", "2025-01-10"),
                import_row(2, "常罚〔2025〕2号", "2025-02-10"),
                import_row(3, "常罚〔2025〕3号", "2025-03-10"),
            ],
        )
        .await;
    let ids: Vec<uuid::Uuid> = out
        .iter()
        .map(|o| match o {
            chengxin_store::RowOutcome::Created(id) => *id,
            other => panic!("{other:?}"),
        })
        .collect();
    let (repaired, corrected, revoked) = (ids[0], ids[1], ids[2]);
    // The window starts after the imports, so what follows changes records sent before (a
    // record created in the window is 新增 whatever else happened to it).
    let from = now();
    assert!(from >= day_start);
    change(&t, corrected, "correct", None).await;
    change(&t, revoked, "revoke", Some(RecordStatus::Revoked)).await;
    let lic = license(&t, "常食许〔2026〕7号").await;
    repair(&t, repaired).await;
    let on_list = listed(&t, "91320412MA1P8DGK26", "常州丙工程有限公司", false).await;
    let off_list = listed(&t, "91320412MA1Q0QYF4U", "常州丁建设有限公司", true).await;
    let cut = now();

    let key = Arc::new(LogSigner::generate());
    let signer = ExportSigner {
        signer: key.clone(),
        origin: "cz.example.gov.cn/log".into(),
    };
    let store = t.store.as_ref();
    let first = national::export_window(store, &signer, Scope::All, today, from, cut)
        .await
        .unwrap();
    let table = |k: &str| first.tables.iter().find(|x| x.kind == k).unwrap();

    // 双公示 with the national standard's columns; each record as it stood, with what happened.
    let catalog = chengxin_domain::catalog::Catalog::default_checked().unwrap();
    let penalty = table("admin_penalty");
    assert_eq!(
        penalty.columns,
        record_columns(catalog.get("admin_penalty").unwrap())
    );
    assert_eq!(penalty.rows.len(), 3);
    let (op, id_col, content) = (
        column(penalty, "操作类型"),
        column(penalty, "平台记录编号"),
        column(penalty, "处罚内容"),
    );
    let row_of = |id: uuid::Uuid| {
        penalty
            .rows
            .iter()
            .find(|r| r[id_col] == id.to_string())
            .unwrap()
    };
    assert_eq!(row_of(repaired)[op], "修复");
    assert_eq!(row_of(corrected)[op], "更正");
    assert_eq!(row_of(corrected)[content], "罚款人民币五千元");
    assert_eq!(row_of(revoked)[op], "撤销");
    assert_eq!(
        row_of(revoked)[column(penalty, "行政处罚决定书文号")],
        "常罚〔2025〕3号"
    );
    let license_t = table("admin_license");
    assert_eq!(license_t.rows.len(), 1);
    let lrow = &license_t.rows[0];
    assert_eq!(lrow[column(license_t, "证件号码")], "1101**********002X");
    assert_eq!(lrow[column(license_t, "许可类别")], "普通");
    assert_eq!(lrow[column(license_t, "平台记录编号")], lic.to_string());
    assert_eq!(lrow[column(license_t, "操作类型")], "新增");

    // Lists: 列入 twice, 移出 once.
    let lists = table("list_events");
    let events: Vec<(String, String)> = lists
        .rows
        .iter()
        .map(|r| {
            (
                r[column(lists, "平台名单编号")].clone(),
                r[column(lists, "事件")].clone(),
            )
        })
        .collect();
    assert!(
        events.contains(&(on_list.to_string(), "列入".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&(off_list.to_string(), "列入".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&(off_list.to_string(), "移出".into())),
        "{events:?}"
    );
    assert_eq!(events.len(), 3, "{events:?}");
    let removed = lists
        .rows
        .iter()
        .find(|r| r[column(lists, "事件")] == "移出")
        .unwrap();
    assert_eq!(removed[column(lists, "移出原因")], "撤销认定");

    // The repair decision.
    let repairs = table("repairs");
    assert_eq!(repairs.rows.len(), 1);
    assert_eq!(repairs.rows[0][column(repairs, "修复结果")], "同意修复");
    assert_eq!(
        repairs.rows[0][column(repairs, "修复对象编号")],
        repaired.to_string()
    );

    // The manifest: per file its rows, size and SHA-256; the checkpoint and signature verify.
    let m = &first.manifest;
    assert_eq!(m.files.len(), 10);
    assert_eq!(first.files.len(), 10);
    for (f, (name, bytes)) in m.files.iter().zip(&first.files) {
        assert_eq!(&f.file, name);
        assert_eq!(f.bytes, bytes.len());
        assert_eq!(f.sha256, hex::encode(sha2::Sha256::digest(bytes)));
        let t = first.tables.iter().find(|x| x.kind == f.kind).unwrap();
        assert_eq!(f.rows, t.rows.len());
        if f.format == "csv" {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(text.starts_with('\u{feff}'));
            assert_eq!(text.matches("\r\n").count(), f.rows + 1, "{name}");
        } else {
            assert!(bytes.starts_with(b"PK"));
        }
    }
    assert!(!first
        .files
        .iter()
        .any(|(_, b)| String::from_utf8_lossy(b).contains("11010519491231002X")));
    national::verify_manifest(&first.manifest_json, &first.signature, &key.verifying_key())
        .unwrap();
    let other = LogSigner::generate();
    let e = national::verify_manifest(
        &first.manifest_json,
        &first.signature,
        &other.verifying_key(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "manifest_signature_invalid");
    let tampered = first
        .manifest_json
        .replacen("\"rows\": 3", "\"rows\": 4", 1);
    assert_ne!(tampered, first.manifest_json);
    assert!(national::verify_manifest(&tampered, &first.signature, &key.verifying_key()).is_err());
    let cp = chengxin_store::heads::open_checkpoint(&m.checkpoint, &[key.verifying_key()]).unwrap();
    assert_eq!(
        (cp.size, hex::encode(cp.root)),
        (m.log_size, m.log_root.clone())
    );
    let (len, _) = t.store.log_head().await.unwrap();
    assert_eq!(m.log_size, len as u64);

    // More data after the cut: the same window gives the same bytes.
    t.import(DEPT, vec![import_row(4, "常罚〔2025〕4号", "2025-04-10")])
        .await;
    change(&t, corrected, "correct", None).await;
    let again = national::export_window(store, &signer, Scope::All, today, from, cut)
        .await
        .unwrap();
    assert_eq!(again.files, first.files);
    assert_eq!(again.manifest_json, first.manifest_json);
    assert_eq!(again.signature, first.signature);
    let later = national::export_window(store, &signer, Scope::All, today, from, now())
        .await
        .unwrap();
    assert_eq!(later.tables[1].rows.len(), 4);
    assert!(later.manifest.log_size > m.log_size);

    // The JSON variant: a day that is over, the credit office's region only.
    let heads = chengxin_store::heads::Publisher::new(
        key.clone(),
        "cz.example.gov.cn/log".into(),
        chengxin_store::heads::HeadsFile::new(t.dir.join("heads.log")),
    )
    .unwrap();
    let heads = Arc::new(heads);
    let tomorrow = t
        .on_day(today.succ_opt().unwrap())
        .with_app(|a| a.heads = Some(heads.clone()));
    let uri = format!("/api/v1/exchange/national/{today}");
    let office = tomorrow
        .session_for(Role::CreditOffice, "320400", None)
        .await;
    let (s, v) = tomorrow.call("GET", &uri, &office, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let manifest: serde_json::Value =
        serde_json::from_str(v["manifest"].as_str().unwrap()).unwrap();
    assert_eq!(manifest["date"], today.to_string());
    assert_eq!(manifest["region"], "320400");
    national::verify_manifest(
        v["manifest"].as_str().unwrap(),
        v["signature"].as_str().unwrap(),
        &key.verifying_key(),
    )
    .unwrap();
    assert_eq!(v["tables"][1]["type"], "admin_penalty");
    assert_eq!(v["tables"][1]["rows"].as_array().unwrap().len(), 4);
    let suzhou = tomorrow
        .session_for(Role::CreditOffice, "320500", None)
        .await;
    let (s, v) = tomorrow.call("GET", &uri, &suzhou, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for table in v["tables"].as_array().unwrap() {
        assert_eq!(table["rows"].as_array().unwrap().len(), 0, "{table}");
    }
    let dept = tomorrow
        .session_for(Role::SubmittingDepartment, "320400", Some(DEPT))
        .await;
    let (s, _) = tomorrow.call("GET", &uri, &dept, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (uri, code) in [
        (
            format!("/api/v1/exchange/national/{}", today.succ_opt().unwrap()),
            "export_day_not_over",
        ),
        (
            "/api/v1/exchange/national/2026-13-01".to_string(),
            "invalid_date",
        ),
    ] {
        let (s, v) = tomorrow.call("GET", &uri, &office, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["code"], code, "{uri}: {v}");
    }
    // Without a log key the office is told so.
    let (s, v) = t
        .on_day(today.succ_opt().unwrap())
        .call("GET", &uri, &office, None)
        .await;
    assert_eq!(v["code"], "log_key_missing", "{s} {v}");
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}
both_backends!(national_export_of_a_day, national_export);
