//! The commitments and notifications store (issue 18), both backends: a commitment with its
//! milestones; the sweep's marks with keyed (idempotent) notifications and a delivery for a body
//! with a webhook; a breach step that writes its 失信 record in the same transaction; a stale
//! version refused with nothing written; an edited row caught by `verify`.

use chengxin_domain::records::RecordStatus;
use chengxin_store::{
    CommitmentFilter, CommitmentRow, CommitmentStepRow, MilestoneChange, MilestoneRow, NewRecord,
    NotificationRow, StoreError, SweepMark, WebhookRow,
};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;
use chrono::{NaiveDate, SubsecRound};
use uuid::Uuid;

const BODY: &str = "11320400MB00000015";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chengxin_store::clock::now().trunc_subsecs(6)
}

fn milestone(c: Uuid, seq: i32, due: &str) -> MilestoneRow {
    MilestoneRow {
        id: Uuid::now_v7(),
        commitment_id: c,
        seq,
        title: format!("节点{seq}"),
        due_date: d(due),
        amount_fen: Some(100),
        state: "pending".into(),
        done_on: None,
        breach_stage: "none".into(),
        explain_due: None,
        change_ground: None,
        change_basis: None,
        compensation: None,
        compensation_fen: None,
        explanation: None,
        finding: None,
        finding_doc_no: None,
        record_id: None,
        remind_before: 30,
        reminded_stage: 0,
        next_remind_on: Some(d(due) - chrono::Duration::days(30)),
        updated_at: now(),
        version: 1,
    }
}

fn note(key: &str, kind: &str, to: &str) -> NotificationRow {
    NotificationRow {
        id: Uuid::now_v7(),
        recipient_kind: kind.into(),
        recipient: to.into(),
        region: "320400".into(),
        topic: "commitment_reminder".into(),
        title: "到期提醒".into(),
        body: "请按期兑现".into(),
        link: None,
        dedup_key: Some(key.into()),
        created_at: now(),
        read_at: None,
        read_by: None,
    }
}

both_backends!(commitments_and_notifications, |db: TestDb| async move {
    let s = db.store.clone();
    let id = Uuid::now_v7();
    let c = CommitmentRow {
        id,
        no: "CN-20250110-000001".into(),
        kind: "investment_agreement".into(),
        title: "投资协议".into(),
        promisor_uscc: BODY.into(),
        promisor_name: "常州市某局".into(),
        promisor_subject_id: None,
        promisor_id_masked: None,
        owner_uscc: BODY.into(),
        region: "320400".into(),
        supervisor_uscc: None,
        counterparty_name: "某公司".into(),
        counterparty_id: None,
        content: "兑现奖补".into(),
        legal_basis: "协议".into(),
        amount_fen: Some(1_000_000),
        promised_on: d("2025-01-10"),
        public: false,
        created_by: "t".into(),
        created_at: now(),
        updated_at: now(),
        version: 1,
    };
    let step = |action: &str, m: Option<Uuid>| CommitmentStepRow {
        id: Uuid::now_v7(),
        commitment_id: id,
        milestone_id: m,
        action: action.into(),
        actor: "t".into(),
        at: now(),
        note: String::new(),
    };
    // A milestone before the promise is refused, nothing written.
    let early = milestone(id, 1, "2025-01-01");
    let e = s
        .create_commitment("t", &c, &[early], &step("create", None))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    assert!(s.commitment(id).await.unwrap().is_none());
    let ms = vec![
        milestone(id, 1, "2025-03-31"),
        milestone(id, 2, "2025-06-30"),
    ];
    s.create_commitment("t", &c, &ms, &step("create", None))
        .await
        .unwrap();
    assert_eq!(s.commitment(id).await.unwrap().unwrap(), c);
    assert_eq!(s.milestones(&[id]).await.unwrap(), ms);
    let listed = s
        .commitments(&CommitmentFilter {
            region_prefix: Some("3204".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    // Found by the promisor's name, the title or the number; not by anything else.
    for (q, n) in [
        ("某局", 1),
        ("投资协议", 1),
        ("cn-20250110-000001", 1),
        ("其他", 0),
    ] {
        let found = s
            .commitments(&CommitmentFilter {
                promisor_name: Some(q.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(found.len(), n, "{q}");
    }

    // The body's webhook; the sweep's marks and keyed items, twice: stored once.
    s.put_webhook(
        "t",
        &WebhookRow {
            body_uscc: BODY.into(),
            url: "http://127.0.0.1:9/h".into(),
            secret_sealed: "sealed".into(),
            enabled: true,
            updated_by: "t".into(),
            updated_at: now(),
            version: 1,
        },
        None,
    )
    .await
    .unwrap();
    let due = s.milestones_to_remind(d("2025-03-01"), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    let marks = [SweepMark {
        milestone_id: ms[0].id,
        stage: 1,
        next_remind_on: Some(d("2025-04-01")),
    }];
    let items = [
        note("ms:1", "body", BODY),
        note("ms:1", "body", BODY),
        note("ms:1o", "office", "320400"),
    ];
    assert_eq!(s.mark_reminded("system", &marks, &items).await.unwrap(), 2);
    assert_eq!(
        s.mark_reminded("system", &marks, &[note("ms:1", "body", BODY)])
            .await
            .unwrap(),
        0
    );
    assert!(s
        .milestones_to_remind(d("2025-03-01"), 10)
        .await
        .unwrap()
        .is_empty());
    let addr = vec![("body".to_string(), BODY.to_string())];
    assert_eq!(s.unread_count(&addr).await.unwrap(), 1);
    let deliveries = s.deliveries(BODY, 10).await.unwrap();
    assert_eq!(deliveries.len(), 1, "the body's item waits for its webhook");
    assert_eq!(
        s.due_deliveries(now() + chrono::Duration::seconds(1), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let mut sent = deliveries[0].clone();
    sent.status = "delivered".into();
    sent.attempts = 1;
    sent.updated_at = now();
    s.update_delivery("system", &sent).await.unwrap();
    assert!(s
        .due_deliveries(now() + chrono::Duration::seconds(1), 10)
        .await
        .unwrap()
        .is_empty());

    // A breach decision with its record, atomically; then a stale version is refused.
    let mut m2 = ms[1].clone();
    m2.state = "breached".into();
    m2.breach_stage = "decided".into();
    m2.finding = Some("未兑现".into());
    let mut fields = serde_json::Map::new();
    fields.insert("promisor_uscc".into(), BODY.into());
    let record = NewRecord {
        type_code: "investment_promise_breach".into(),
        subject_id: None,
        subject_name: "常州市某局".into(),
        doc_no: "常信用认〔2025〕9号".into(),
        decision_date: d("2025-07-10"),
        source_dept: BODY.into(),
        batch_id: None,
        fields,
        severity: Some("major".into()),
        status: RecordStatus::Published,
        publish_until: Some(d("2026-07-10")),
        content_digest: None,
        published_at: None,
    };
    let change = MilestoneChange {
        milestone: m2.clone(),
        expected_version: 1,
        step: step("decide", Some(m2.id)),
        record: Some(record.clone()),
        notifications: vec![note("decide", "office", "320400")],
    };
    let made = s
        .change_milestone("office", change.clone())
        .await
        .unwrap()
        .unwrap();
    let stored = s.milestones(&[id]).await.unwrap();
    assert_eq!(stored[1].record_id, Some(made.id));
    assert_eq!(
        (
            stored[1].state.as_str(),
            stored[1].version,
            stored[1].next_remind_on
        ),
        ("breached", 2, None)
    );
    let mut again = change;
    again.record = Some(NewRecord {
        doc_no: "常信用认〔2025〕10号".into(),
        ..record
    });
    let e = s.change_milestone("office", again).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
    assert_eq!(
        s.commitment_steps(id).await.unwrap().len(),
        2,
        "the refused step left nothing"
    );
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok, "{:?}", report.problems);

    // An edited milestone is caught.
    db.exec("UPDATE commitment_milestones SET title = '被篡改' WHERE seq = 1")
        .await;
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(!report.ok, "an edit is caught");
    db.cleanup().await;
});

// A natural person's 信用承诺: by subject and masked number, never public, never the number in
// clear; a commitment naming both a body and a person, or neither, is refused.
both_backends!(person_commitment_rules, |db: TestDb| async move {
    let s = db.store.clone();
    let id = Uuid::now_v7();
    let person = CommitmentRow {
        id,
        no: "CN-20250110-000002".into(),
        kind: "credit_pledge".into(),
        title: "证明事项告知承诺".into(),
        promisor_uscc: String::new(),
        promisor_name: "张三".into(),
        promisor_subject_id: Some(Uuid::now_v7()),
        promisor_id_masked: Some("3204**********1231".into()),
        owner_uscc: BODY.into(),
        region: "320400".into(),
        supervisor_uscc: None,
        counterparty_name: "常州市某局".into(),
        counterparty_id: None,
        content: "所提交材料真实".into(),
        legal_basis: "国办发〔2020〕42号".into(),
        amount_fen: None,
        promised_on: d("2025-01-10"),
        public: false,
        created_by: "t".into(),
        created_at: now(),
        updated_at: now(),
        version: 1,
    };
    let step = CommitmentStepRow {
        id: Uuid::now_v7(),
        commitment_id: id,
        milestone_id: None,
        action: "create".into(),
        actor: "t".into(),
        at: now(),
        note: String::new(),
    };
    let ms = vec![milestone(id, 1, "2025-03-31")];
    for (bad, what) in [
        (
            CommitmentRow {
                public: true,
                ..person.clone()
            },
            "public",
        ),
        (
            CommitmentRow {
                promisor_id_masked: Some("320402199001011231".into()),
                ..person.clone()
            },
            "clear number",
        ),
        (
            CommitmentRow {
                promisor_uscc: BODY.into(),
                ..person.clone()
            },
            "body and person",
        ),
        (
            CommitmentRow {
                promisor_id_masked: None,
                ..person.clone()
            },
            "neither",
        ),
    ] {
        let e = s
            .create_commitment("t", &bad, &ms, &step)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{what}: {e:?}");
        assert!(s.commitment(id).await.unwrap().is_none(), "{what}");
    }
    s.create_commitment("t", &person, &ms, &step).await.unwrap();
    assert_eq!(s.commitment(id).await.unwrap().unwrap(), person);
    let public = s
        .commitments(&CommitmentFilter {
            public_only: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(public.is_empty());
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok, "{report:?}");
    db.cleanup().await;
});
