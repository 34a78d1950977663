//! The debt store (issue 20), both backends: a file's positions created with one version each;
//! the same rows again write nothing (no log entry); a changed row is a new version and the
//! old one stays; a repeated region-year in one call and a zero capacity are refused with
//! nothing written; notifications go in the same transaction, once per key; keyset pages by
//! region and year, within a region prefix and a year; an edited row is caught by `verify`.

use chengxin_store::{DebtFilter, DebtPut, NotificationRow, StoreError};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;
use chrono::SubsecRound;
use uuid::Uuid;

fn put(region: &str, year: i32, debt_wan: i64, capacity_wan: i64) -> DebtPut {
    DebtPut {
        region: region.into(),
        year,
        general_fen: debt_wan * 1_000_000 / 2,
        special_fen: debt_wan * 1_000_000 / 2,
        hidden_fen: None,
        capacity_fen: capacity_wan * 1_000_000,
        source: "debt.csv".into(),
    }
}

fn notice(key: &str) -> NotificationRow {
    NotificationRow {
        id: Uuid::now_v7(),
        recipient_kind: "office".into(),
        recipient: "320412".into(),
        region: "320412".into(),
        topic: "debt_level_change".into(),
        title: "武进区债务风险等级上升".into(),
        body: "绿色 → 黄色".into(),
        link: None,
        dedup_key: Some(key.into()),
        created_at: chengxin_store::clock::now().trunc_subsecs(6),
        read_at: None,
        read_by: None,
    }
}

both_backends!(
    debt_positions_versions_and_keyset,
    |db: TestDb| async move {
        let s = &db.store;
        let rows = vec![
            put("320412", 2023, 100, 100),
            put("320412", 2024, 130, 100),
            put("320402", 2024, 80, 100),
            put("320481", 2024, 150, 100),
            put("320500", 2024, 10, 100),
        ];
        let c = s
            .put_debt_positions("office", &rows, &[notice("k1")])
            .await
            .unwrap();
        assert_eq!(
            (c.created, c.updated, c.unchanged, c.notified),
            (5, 0, 0, 1)
        );
        let head = s.log_head().await.unwrap();

        // The same rows again: nothing written, not even a log entry; the notice is not repeated.
        let c = s
            .put_debt_positions("office", &rows, &[notice("k1")])
            .await
            .unwrap();
        assert_eq!(
            (c.created, c.updated, c.unchanged, c.notified),
            (0, 0, 5, 0)
        );
        assert_eq!(
            s.log_head().await.unwrap().0,
            head.0,
            "no entry for an unchanged file"
        );

        // A changed row: a new version; the first stays.
        let c = s
            .put_debt_positions("office", &[put("320412", 2024, 140, 100)], &[])
            .await
            .unwrap();
        assert_eq!((c.created, c.updated), (0, 1));
        let v = s.debt_versions("320412", 2024).await.unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].version, v[0].general_fen), (1, 65_000_000));
        assert_eq!((v[1].version, v[1].general_fen), (2, 70_000_000));

        // Refused, nothing written: a repeat within one call, a zero capacity, a negative amount.
        let e = s
            .put_debt_positions(
                "office",
                &[put("320404", 2024, 1, 1), put("320404", 2024, 2, 1)],
                &[],
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
        let e = s
            .put_debt_positions("office", &[put("320404", 2024, 1, 0)], &[])
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
        let mut neg = put("320404", 2024, 1, 1);
        neg.special_fen = -1;
        assert!(s.put_debt_positions("office", &[neg], &[]).await.is_err());
        assert!(s
            .debt_positions_of(&["320404".into()])
            .await
            .unwrap()
            .is_empty());

        // Keyset pages within 常州 (3204), by region and year.
        let page = |after: Option<(String, i32)>| DebtFilter {
            region_prefix: Some("3204".into()),
            year: None,
            after,
            limit: 2,
        };
        let p1 = s.debt_positions(&page(None)).await.unwrap();
        let keys = |p: &[chengxin_store::DebtPositionRow]| {
            p.iter()
                .map(|r| format!("{}:{}", r.region, r.year))
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&p1), ["320402:2024", "320412:2023"]);
        let last = p1.last().map(|r| (r.region.clone(), r.year));
        let p2 = s.debt_positions(&page(last)).await.unwrap();
        assert_eq!(keys(&p2), ["320412:2024", "320481:2024"]);
        let last = p2.last().map(|r| (r.region.clone(), r.year));
        assert!(s.debt_positions(&page(last)).await.unwrap().is_empty());
        let y2023 = s
            .debt_positions(&DebtFilter {
                year: Some(2023),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(keys(&y2023), ["320412:2023"]);
        // "%" and "_" in a prefix are literal.
        assert!(s
            .debt_positions(&DebtFilter {
                region_prefix: Some("32_4".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .is_empty());

        let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert!(report.ok, "{:?}", report.problems);
        // An edited figure is caught, in the position and in a version.
        db.exec("UPDATE debt_positions SET capacity_fen = 1 WHERE region = '320402'")
            .await;
        let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
        assert!(!report.ok, "an edit is caught");
        db.exec("UPDATE debt_positions SET capacity_fen = 100000000 WHERE region = '320402'")
            .await;
        assert!(s.verify(&[db.signer.verifying_key()]).await.unwrap().ok);
        db.exec("UPDATE debt_position_versions SET capacity_fen = 1 WHERE version = 2")
            .await;
        assert!(!s.verify(&[db.signer.verifying_key()]).await.unwrap().ok);
        db.cleanup().await;
    }
);
