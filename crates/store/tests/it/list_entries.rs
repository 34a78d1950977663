//! List entries keep their recognising body's code and region (migration 0011); entries kept
//! before are filled in once by `migrate`, where the body can be told, each change logged.

use chengxin_domain::catalog::Catalog;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{ListEntryRow, NewSubject, RECOGNISERS_BACKFILL, RECOGNISERS_BACKFILLED};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;

const WUJIN_MARKET: &str = "11320412MB00000351";
const LIYANG_MARKET: &str = "11320481MB0000035Y";

fn body(name: &str, uscc: &str) -> NewSubject {
    NewSubject {
        kind: Some(SubjectKind::GovBody),
        name: name.into(),
        uscc: Some(uscc.into()),
        region: uscc.get(2..8).map(String::from),
        ..Default::default()
    }
}

/// An entry as kept before migration 0011: the recogniser by name only.
fn old_entry(recognised_by: &str) -> ListEntryRow {
    let now = chengxin_store::changelog::now();
    ListEntryRow {
        id: uuid::Uuid::now_v7(),
        list_code: "serious_dishonest".into(),
        subject_id: None,
        status: "effective".into(),
        entry: serde_json::json!({"list": "serious_dishonest", "recognised_by": recognised_by}),
        recognised_by_uscc: None,
        region: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

both_backends!(old_entries_get_their_recogniser, |db: TestDb| async move {
    let s = &db.store;
    s.create_subject("t", body("常州市武进区市场监督管理局", WUJIN_MARKET))
        .await
        .unwrap();
    // Two bodies of one name: which one cannot be told.
    s.create_subject("t", body("市场监督管理局", LIYANG_MARKET))
        .await
        .unwrap();
    s.create_subject("t", body("市场监督管理局", "11320400MB0000035L"))
        .await
        .unwrap();
    let by_name = old_entry("常州市武进区市场监督管理局");
    let by_code = old_entry(&format!(" {} ", LIYANG_MARKET.to_lowercase()));
    let court = old_entry("人民法院");
    let ambiguous = old_entry("市场监督管理局");
    for e in [&by_name, &by_code, &court, &ambiguous] {
        s.create_list_entry("t", e).await.unwrap();
    }
    // The database as it was before the backfill ran.
    s.set_meta("t", RECOGNISERS_BACKFILL, "pending")
        .await
        .unwrap();
    let catalog = Catalog::default_checked().unwrap();
    let report = s.migrate(catalog, &db.signer, "test").await.unwrap();
    assert_eq!(report.list_entries_backfilled, 2);
    let got = |e: &ListEntryRow| {
        let id = e.id;
        async move { s.list_entry(id).await.unwrap().unwrap() }
    };
    let e = got(&by_name).await;
    assert_eq!(e.recognised_by_uscc.as_deref(), Some(WUJIN_MARKET));
    assert_eq!(e.region.as_deref(), Some("320412"));
    assert_eq!(e.entry["recognised_by_uscc"], WUJIN_MARKET);
    assert_eq!(e.entry["recognised_by"], "常州市武进区市场监督管理局");
    assert_eq!(
        e.version, 1,
        "a backfill is not a step of the entry's procedure"
    );
    let e = got(&by_code).await;
    assert_eq!(e.recognised_by_uscc.as_deref(), Some(LIYANG_MARKET));
    assert_eq!(e.region.as_deref(), Some("320481"));
    for e in [&court, &ambiguous] {
        let e = got(e).await;
        assert_eq!((e.recognised_by_uscc, e.region), (None, None));
        assert!(e.entry.get("recognised_by_uscc").is_none());
    }
    assert_eq!(
        s.meta(RECOGNISERS_BACKFILL).await.unwrap().as_deref(),
        Some(RECOGNISERS_BACKFILLED)
    );
    // Once only; every change in the log.
    let again = s.migrate(catalog, &db.signer, "test").await.unwrap();
    assert_eq!(again.list_entries_backfilled, 0);
    let report = s.verify(&[db.signer.verifying_key()]).await.unwrap();
    assert!(report.ok, "verify problems: {:?}", report.problems);
    db.cleanup().await;
});
