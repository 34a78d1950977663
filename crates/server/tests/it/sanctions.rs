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
    let checker = t.token(&["checks_run"], "320400", None).await;
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
