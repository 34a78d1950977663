//! An imported sanction counts: a record type not published to the public (纪律处分/政务处分,
//! publication rule `none`) enters in effect — shared and counted by checks — and stays out of
//! the public's sight. (Before, an import stored it as 公示期满, so a civil servant with an
//! imported 撤职 passed a civil-service check while the demo loader's copy intercepted.)

use axum::http::StatusCode;
use chengxin_app::imports::{import_file, ImportRequest};
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::IdHasher;
use chengxin_testkit::{assert_log_verifies, both_backends, Cred, TestApp};

const ID: &str = "320481198503151232";

async fn story(t: TestApp) {
    std::fs::create_dir_all(&t.dir).unwrap();
    let file = t.dir.join("sanctions.csv");
    std::fs::write(
        &file,
        format!(
            "姓名,身份证号,单位,处分类别,处分种类,违纪违法事实,处分决定机关,处分决定文号,决定日期\n\
             王五,{ID},溧阳市财政局,政务处分,撤职,违规审批专项资金,溧阳市监察委员会,溧监处〔2025〕3号,2025-03-10\n"
        ),
    )
    .unwrap();
    let s = import_file(
        t.store.clone(),
        IdHasher::new([3; 32]),
        file,
        ImportRequest {
            type_code: "disciplinary_sanction".into(),
            source_dept: "11320481MB0000000C".into(),
            file_name: Some("sanctions.csv".into()),
            sheet: None,
            published_at: None,
            actor: "test".into(),
            today: chrono::NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
            delegations: None,
            rejects: Default::default(),
        },
    )
    .await
    .unwrap();
    assert_eq!((s.batch.created, s.batch.rejected), (1, 0), "{:?}", s.batch);
    let hash = IdHasher::new([3; 32]).hash(ID);
    let person = t.store.subject_by_id_hash(&hash).await.unwrap().unwrap();
    let records = t.store.records_of_subject(person.id).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].status, RecordStatus::Published, "in effect");
    assert_eq!(records[0].publish_until, None, "no public period");

    // The civil-service check intercepts him.
    t.state.checks.build(t.store.as_ref()).await.unwrap();
    // A government caller (the civil-service recruitment system): 纪律处分 is 政务共享, so it
    // needs records_read_shared to see it (issue 16 point 6).
    let checker = t
        .token(&["checks_run", "records_read_shared"], "320400", None)
        .await;
    let (st, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            &checker,
            Some(serde_json::json!({
                "scenario": "civil_service",
                "parties": [{"name": "王五", "id_number": ID}],
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["results"][0]["verdict"], "intercept", "{v}");

    // The public does not see it.
    let (st, _) = t
        .call(
            "GET",
            &format!("/api/v1/records/{}", records[0].id),
            &Cred::None,
            None,
        )
        .await;
    assert_ne!(st, StatusCode::OK);
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(imported_sanctions_count_in_checks, story);

/// A sanction stored under the earlier rule (公示期满 on import, version 1) is put in effect by
/// the reconciliation that `serve` runs at start and `chengxin migrate` runs: the check
/// intercepts from then on. A record changed since (here: revoked) is left alone; a second
/// run changes nothing.
async fn reconciled(t: TestApp) {
    std::fs::create_dir_all(&t.dir).unwrap();
    let file = t.dir.join("sanctions.csv");
    std::fs::write(
        &file,
        format!(
            "姓名,身份证号,单位,处分类别,处分种类,违纪违法事实,处分决定机关,处分决定文号,决定日期\n\
             王五,{ID},溧阳市财政局,政务处分,撤职,违规审批专项资金,溧阳市监察委员会,溧监处〔2025〕3号,2025-03-10\n"
        ),
    )
    .unwrap();
    let s = import_file(
        t.store.clone(),
        IdHasher::new([3; 32]),
        file,
        ImportRequest {
            type_code: "disciplinary_sanction".into(),
            source_dept: "11320481MB0000000C".into(),
            file_name: Some("sanctions.csv".into()),
            sheet: None,
            published_at: None,
            actor: "test".into(),
            today: chrono::NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
            delegations: None,
            rejects: Default::default(),
        },
    )
    .await
    .unwrap();
    assert_eq!(s.batch.created, 1, "{:?}", s.batch);
    let hash = IdHasher::new([3; 32]).hash(ID);
    let person = t.store.subject_by_id_hash(&hash).await.unwrap().unwrap();
    let imported = t
        .store
        .records_of_subject(person.id)
        .await
        .unwrap()
        .remove(0);
    // The same sanction as the earlier rule stored it: 公示期满 on its decision date.
    let old = t
        .store
        .create_record(
            "import:old-rule",
            chengxin_store::NewRecord {
                type_code: imported.type_code.clone(),
                subject_id: Some(person.id),
                subject_name: imported.subject_name.clone(),
                doc_no: "溧监处〔2024〕9号".into(),
                decision_date: chrono::NaiveDate::from_ymd_opt(2025, 2, 10).unwrap(),
                source_dept: imported.source_dept.clone(),
                batch_id: None,
                fields: imported.fields.clone(),
                severity: imported.severity.clone(),
                status: RecordStatus::Expired,
                publish_until: Some(chrono::NaiveDate::from_ymd_opt(2025, 2, 10).unwrap()),
                content_digest: None,
                published_at: None,
            },
        )
        .await
        .unwrap();
    // The freshly imported copy is revoked (changed since import: never touched again).
    let revoked = t
        .store
        .change_record(
            "test",
            chengxin_store::RecordChange {
                id: imported.id,
                expected_version: imported.version,
                action: "revoke".into(),
                status: Some(RecordStatus::Revoked),
                fields: None,
                tolerated: None,
                publish_until: None,
                note: Some("测试撤销".into()),
                content_digest: None,
                subject_name: None,
                decision_date: None,
                changes: Vec::new(),
                texts_sealed: None,
            },
        )
        .await
        .unwrap();

    t.state.checks.build(t.store.as_ref()).await.unwrap();
    // A government caller (the civil-service recruitment system): 纪律处分 is 政务共享, so it
    // needs records_read_shared to see it (issue 16 point 6).
    let checker = t
        .token(&["checks_run", "records_read_shared"], "320400", None)
        .await;
    assert_eq!(
        civil_service_verdict(&t, &checker).await,
        "pass",
        "the old rule's record does not count"
    );

    let n = chengxin_app::entry_rule::reconcile(t.store.as_ref())
        .await
        .unwrap();
    assert_eq!(n, 1);
    let now = t.store.record(old.id).await.unwrap().unwrap();
    assert_eq!(now.status, RecordStatus::Published);
    assert_eq!(now.publish_until, None);
    let history = t.store.record_history(old.id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.action, "entry_rule");
    assert_eq!(last.actor, chengxin_app::entry_rule::ACTOR);
    assert_eq!(
        t.store.record(imported.id).await.unwrap().unwrap().version,
        revoked.version,
        "a record changed since import is left alone"
    );
    assert_eq!(civil_service_verdict(&t, &checker).await, "intercept");
    assert_eq!(
        chengxin_app::entry_rule::reconcile(t.store.as_ref())
            .await
            .unwrap(),
        0
    );
    assert_log_verifies(t.store.as_ref()).await;
    t.cleanup().await;
}

both_backends!(old_rule_sanctions_reconciled, reconciled);

async fn civil_service_verdict(t: &TestApp, checker: &Cred) -> String {
    t.state.checks.catch_up(t.store.as_ref()).await.unwrap();
    let (st, v) = t
        .call(
            "POST",
            "/api/v1/checks",
            checker,
            Some(serde_json::json!({
                "scenario": "civil_service",
                "parties": [{"name": "王五", "id_number": ID}],
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["results"][0]["verdict"].as_str().unwrap().to_string()
}
