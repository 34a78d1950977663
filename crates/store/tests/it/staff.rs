//! Employment history and training records (issue 18) on both backends: one transaction per
//! file, persons created with their sealed identity, idempotent re-import, the overlap rule
//! inside the transaction, the indexed 责任回溯 read, and `verify` over all of it.

use chengxin_domain::subjects::{IdHasher, SubjectKind};
use chengxin_store::{EmploymentPut, NewSubject, PersonPut, StoreError, TrainingPut};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn person(name: &str, id: &str) -> PersonPut {
    let h = IdHasher::new([7; 32]);
    PersonPut {
        id_hash: h.hash(id),
        id_masked: chengxin_domain::codes::id_number::mask(id),
        name: name.into(),
        region: Some("320400".into()),
        sealed: format!("sealed-{name}"),
    }
}

fn period(
    p: PersonPut,
    body: uuid::Uuid,
    post: &str,
    principal: bool,
    from: &str,
    to: Option<&str>,
) -> EmploymentPut {
    EmploymentPut {
        person: p,
        body_id: body,
        post: post.into(),
        principal,
        start_date: d(from),
        end_date: to.map(d),
    }
}

both_backends!(employment_history_and_trainings, |db: TestDb| async move {
    let s = &db.store;
    let body = s
        .create_subject(
            "t",
            NewSubject {
                kind: Some(SubjectKind::GovBody),
                name: "常州市发展和改革委员会".into(),
                uscc: Some("11320400MB00000002".into()),
                region: Some("320400".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let a = person("陈建国", "320402196803120311");
    let b = person("刘慧敏", "320404197208050422");
    let file = vec![
        period(
            a.clone(),
            body.id,
            "主任",
            true,
            "2019-01-10",
            Some("2023-03-14"),
        ),
        period(b.clone(), body.id, "主任", true, "2023-03-15", None),
        period(b.clone(), body.id, "党组书记", false, "2023-03-15", None),
    ];
    let c = s.put_employments("t", &file).await.unwrap();
    assert_eq!((c.created, c.persons_created), (3, 2));
    let again = s.put_employments("t", &file).await.unwrap();
    assert_eq!((again.created, again.unchanged), (0, 3));
    let pa = s.subject_by_id_hash(&a.id_hash).await.unwrap().unwrap();
    assert_eq!(pa.kind, SubjectKind::CivilServant);
    assert_eq!(
        s.subject_identity(pa.id).await.unwrap().as_deref(),
        Some("sealed-陈建国")
    );
    // 责任回溯.
    let body_id = body.id;
    let on = |day: &str| {
        let s = s.clone();
        let day = d(day);
        async move { s.responsible_at(body_id, day, None).await.unwrap() }
    };
    assert_eq!(on("2023-03-14").await[0].person_id, pa.id);
    let after = on("2023-03-15").await;
    assert_eq!(after.len(), 1);
    assert_ne!(after[0].person_id, pa.id);
    let with_post = s
        .responsible_at(body.id, d("2024-01-01"), Some("党组书记"))
        .await
        .unwrap();
    assert_eq!(with_post.len(), 2);
    // A changed end date updates the period; a second principal at once fails the whole file.
    let ended = vec![period(
        b.clone(),
        body.id,
        "党组书记",
        false,
        "2023-03-15",
        Some("2024-12-31"),
    )];
    assert_eq!(s.put_employments("t", &ended).await.unwrap().updated, 1);
    let clash = vec![
        period(
            person("周海燕", "320411197809210644"),
            body.id,
            "科员",
            false,
            "2020-01-01",
            None,
        ),
        period(a.clone(), body.id, "主任", true, "2024-01-01", None),
    ];
    let err = s.put_employments("t", &clash).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
    assert!(s
        .subject_by_id_hash(&person("周海燕", "320411197809210644").id_hash)
        .await
        .unwrap()
        .is_none());
    assert_eq!(s.employments_at_bodies(&[body.id]).await.unwrap().len(), 3);
    // Trainings.
    let t = TrainingPut {
        person: a.clone(),
        course: "政务诚信建设专题培训".into(),
        held_on: d("2024-05-20"),
        hours_tenths: 15,
        organiser_id: body.id,
    };
    assert_eq!(
        s.put_trainings("t", std::slice::from_ref(&t))
            .await
            .unwrap()
            .created,
        1
    );
    assert_eq!(s.put_trainings("t", &[t]).await.unwrap().unchanged, 1);
    assert_eq!(s.trainings_of(pa.id).await.unwrap()[0].hours_tenths, 15);
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok, "verify problems: {:?}", report.problems);
    db.cleanup().await;
});
