//! The PPP and 失信被执行人 store (issue 18), both backends: a project with its first stage and
//! responsible person (a new person created with the sealed identity), the move to the next
//! stage at a version, a change of responsible person ending the predecessor's period, an
//! overlapping period refused with nothing written, a breach writing its 失信 record in the same
//! transaction, a 失信被执行人 case cleared and counted, and an edited row caught by `verify`.

use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{
    DebtorCaseRow, DebtorNoteRow, NewRecord, NewSubject, PersonPut, PppBreachRow, PppProjectRow,
    PppResponsiblePut, PppStageRow, StoreError,
};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;
use chrono::{NaiveDate, SubsecRound};
use uuid::Uuid;

const GOV: &str = "11320400MB00000015";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chengxin_store::clock::now().trunc_subsecs(6)
}

fn person(n: &str) -> PersonPut {
    PersonPut {
        id_hash: format!("hash-{n}"),
        id_masked: format!("3204**********{n}"),
        name: format!("人员{n}"),
        region: Some("320400".into()),
        sealed: format!("sealed-{n}"),
    }
}

fn resp(n: &str, stage: &str, from: &str, to: Option<&str>) -> PppResponsiblePut {
    PppResponsiblePut {
        person: person(n),
        stage: stage.into(),
        post: "局长".into(),
        from_date: d(from),
        to_date: to.map(d),
    }
}

fn stage(p: Uuid, code: &str, on: &str) -> PppStageRow {
    PppStageRow {
        id: Uuid::now_v7(),
        project_id: p,
        stage: code.into(),
        started_on: d(on),
        note: String::new(),
        actor: "t".into(),
        at: now(),
    }
}

both_backends!(ppp_and_debtors, |db: TestDb| async move {
    let s = db.store.clone();
    let gov = s
        .create_subject(
            "t",
            NewSubject {
                kind: Some(SubjectKind::GovBody),
                name: "常州市某区人民政府".into(),
                uscc: Some(GOV.into()),
                region: Some("320400".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let pid = Uuid::now_v7();
    let p = PppProjectRow {
        id: pid,
        no: "PPP-20220301-000001".into(),
        name: "污水处理厂 PPP 项目".into(),
        gov_uscc: GOV.into(),
        gov_name: gov.name.clone(),
        gov_subject_id: gov.id,
        implementing_uscc: GOV.into(),
        implementing_name: gov.name.clone(),
        private_uscc: "91320400MA0000001T".into(),
        private_name: "某水务公司".into(),
        contract_no: None,
        amount_fen: Some(56_000_000_000),
        region: "320400".into(),
        stage: "identification".into(),
        created_by: "t".into(),
        created_at: now(),
        updated_at: now(),
        version: 1,
    };
    // A negative amount is refused, nothing written.
    let neg = PppProjectRow {
        amount_fen: Some(-1),
        ..p.clone()
    };
    let first = stage(pid, "identification", "2022-03-01");
    assert!(s.create_ppp_project("t", &neg, &first, None).await.is_err());
    assert!(s.ppp_project(pid).await.unwrap().is_none());
    let r1 = resp("0001", "identification", "2022-03-01", None);
    s.create_ppp_project("t", &p, &first, Some(&r1))
        .await
        .unwrap();
    assert_eq!(
        s.ppp_project(pid).await.unwrap().unwrap().stage,
        "identification"
    );
    let who = s.subject_by_id_hash("hash-0001").await.unwrap().unwrap();
    assert_eq!(who.kind, SubjectKind::CivilServant);

    // The next stage at a version; a stale one is refused.
    s.advance_ppp_stage("t", pid, 1, &stage(pid, "preparation", "2022-06-01"), None)
        .await
        .unwrap();
    let e = s
        .advance_ppp_stage("t", pid, 1, &stage(pid, "procurement", "2022-09-01"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
    s.advance_ppp_stage(
        "t",
        pid,
        2,
        &stage(pid, "procurement", "2022-09-01"),
        Some(&resp("0002", "procurement", "2022-09-01", None)),
    )
    .await
    .unwrap();
    assert_eq!(s.ppp_stages(pid).await.unwrap().len(), 3);

    // A change of person ends the predecessor's open period the day before.
    s.add_ppp_responsible("t", pid, &resp("0003", "procurement", "2023-01-01", None))
        .await
        .unwrap();
    let rs = s.ppp_responsibles(pid).await.unwrap();
    let proc: Vec<_> = rs.iter().filter(|r| r.stage == "procurement").collect();
    assert_eq!(proc.len(), 2);
    assert_eq!(proc[0].to_date, Some(d("2022-12-31")));
    // An overlapping closed period: refused, nothing written (the predecessor untouched).
    let e = s
        .add_ppp_responsible(
            "t",
            pid,
            &resp("0004", "procurement", "2022-12-01", Some("2022-12-20")),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Duplicate(_)), "{e:?}");
    assert_eq!(s.ppp_responsibles(pid).await.unwrap().len(), 3);
    assert!(s.subject_by_id_hash("hash-0004").await.unwrap().is_none());

    // A breach and its record in one transaction.
    let record = NewRecord {
        type_code: "ppp_breach".into(),
        subject_id: Some(gov.id),
        subject_name: gov.name.clone(),
        doc_no: "常信用认〔2025〕7号".into(),
        decision_date: d("2025-05-20"),
        source_dept: GOV.into(),
        batch_id: None,
        fields: serde_json::Map::new(),
        severity: Some("major".into()),
        status: RecordStatus::Published,
        publish_until: None,
        content_digest: None,
        published_at: None,
    };
    let b = PppBreachRow {
        id: Uuid::now_v7(),
        project_id: pid,
        stage: "procurement".into(),
        occurred_on: d("2023-02-01"),
        finding: "未按约定履行".into(),
        doc_no: "常信用认〔2025〕7号".into(),
        amount_fen: Some(100),
        record_id: Uuid::nil(),
        actor: "t".into(),
        at: now(),
    };
    let rec = s
        .record_ppp_breach("office", &b, record, &[])
        .await
        .unwrap();
    let stored = s.ppp_breaches(pid).await.unwrap();
    assert_eq!(stored[0].record_id, rec.id);
    assert_eq!(
        s.record(rec.id).await.unwrap().unwrap().subject_id,
        Some(gov.id)
    );

    // A 失信被执行人 case until cleared, and the counts.
    let cid = Uuid::now_v7();
    let c = DebtorCaseRow {
        id: cid,
        case_no: "（2024）苏0412执1234号".into(),
        court: "某区人民法院".into(),
        body_uscc: GOV.into(),
        body_name: gov.name.clone(),
        body_subject_id: gov.id,
        region: "320400".into(),
        amount_fen: 320_000_000,
        listed_on: d("2024-11-01"),
        state: "unperformed".into(),
        cleared_on: None,
        created_by: "t".into(),
        created_at: now(),
        updated_at: now(),
        version: 1,
    };
    let n = |state: &str| DebtorNoteRow {
        id: Uuid::now_v7(),
        case_id: cid,
        state: state.into(),
        on_date: d("2025-01-01"),
        note: "进展".into(),
        actor: "t".into(),
        at: now(),
    };
    s.create_debtor_case("t", &c, &n("unperformed"), &[])
        .await
        .unwrap();
    let other = DebtorCaseRow {
        id: Uuid::now_v7(),
        ..c.clone()
    };
    let other_note = DebtorNoteRow {
        case_id: other.id,
        ..n("unperformed")
    };
    let e = s
        .create_debtor_case("t", &other, &other_note, &[])
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Duplicate(_)), "{e:?}");
    let counts = s.debtor_counts("3204").await.unwrap();
    assert_eq!((counts[0].open, counts[0].cleared), (1, 0));
    assert_eq!(counts[0].open_amount_fen, 320_000_000);
    let cleared = DebtorCaseRow {
        state: "performed".into(),
        cleared_on: Some(d("2025-05-30")),
        ..c.clone()
    };
    s.change_debtor_case("t", &cleared, 1, &n("performed"), &[])
        .await
        .unwrap();
    let counts = s.debtor_counts("3204").await.unwrap();
    assert_eq!((counts[0].open, counts[0].cleared), (0, 1));
    assert!(s.debtor_counts("320481").await.unwrap().is_empty());
    assert_eq!(s.debtor_notes(cid).await.unwrap().len(), 2);

    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok, "{:?}", report.problems);
    db.exec("UPDATE ppp_responsibles SET post = '被篡改' WHERE stage = 'identification'")
        .await;
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(!report.ok, "an edit is caught");
    db.cleanup().await;
});
