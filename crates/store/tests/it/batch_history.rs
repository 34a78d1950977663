//! Issue 17, the clerk's pre-check and history: `preview_rows` answers what the batch writer
//! would do and writes nothing; `batches_page` lists a department's (or a region's) batches
//! newest first; `batch_publication` counts how a batch's records entered; `batch_records`
//! lists them.

use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{
    BatchFilter, ImportRow, NewBatch, PreviewOutcome, RowFields, RowOutcome, SubjectMatch,
};
use chengxin_testkit::both_backends;
use chengxin_testkit::db::TestDb;
use chrono::NaiveDate;

const DEPT: &str = "11320481MB0000035Y";
const OTHER: &str = "11320412MB00000351";
const OLD_USCC: &str = "91320481MA1MY3B539";
const NEW_USCC: &str = "91320481MA1N00018T";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn row(n: u64, doc_no: &str, uscc: &str, amount: &str, status: RecordStatus) -> ImportRow {
    let mut fields = serde_json::Map::new();
    fields.insert("fine_amount".into(), amount.into());
    fields.insert("decision_doc_no".into(), doc_no.into());
    ImportRow {
        row: n,
        doc_no: doc_no.into(),
        decision_date: d("2025-01-24"),
        subject_name: "溧阳甲公司".into(),
        subject_uscc: Some(uscc.into()),
        subject_id_hash: None,
        subject_id_masked: None,
        subject_id_sealed: None,
        subject_kind: SubjectKind::Enterprise,
        subject_region: Some("320481".into()),
        fields: RowFields::new(&fields).unwrap(),
        severity: Some("general".into()),
        status,
        publish_until: Some(if status == RecordStatus::Published {
            d("2027-01-24")
        } else {
            d("2025-04-24")
        }),
        content_digest: format!("digest-{doc_no}-{amount}"),
        texts_sealed: None,
    }
}

fn batch(dept: &str, sha: &str) -> NewBatch {
    NewBatch {
        type_code: "admin_penalty".into(),
        source_dept: dept.into(),
        file_name: Some(format!("{sha}.csv")),
        file_sha256: sha.into(),
        format: "csv".into(),
        encoding: "UTF-8".into(),
        published_at: None,
        headers: vec!["行政相对人名称".into()],
    }
}

both_backends!(
    preview_writes_nothing_and_history_pages,
    |db: TestDb| async move {
        let s = db.store.clone();
        let mut w = s.begin_batch("dept", batch(DEPT, "first")).await.unwrap();
        let out = w
            .write(vec![
                row(2, "罚1", OLD_USCC, "1", RecordStatus::Published),
                row(3, "罚2", OLD_USCC, "1", RecordStatus::Expired),
            ])
            .await
            .unwrap();
        let first = w.commit(vec![]).await.unwrap();
        let RowOutcome::Created(old) = out[0] else {
            panic!("{out:?}")
        };

        let head = s.log_head().await.unwrap();
        let preview = s
            .preview_rows(
                "admin_penalty",
                DEPT,
                &[
                    row(2, "罚1", OLD_USCC, "2", RecordStatus::Published),
                    row(3, "罚2", OLD_USCC, "1", RecordStatus::Expired),
                    row(4, "罚3", NEW_USCC, "1", RecordStatus::Published),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            preview[0].outcome,
            PreviewOutcome::Correct {
                record_id: old,
                changed: vec!["fine_amount".into()]
            }
        );
        assert_eq!(preview[0].subject, SubjectMatch::Known);
        assert!(matches!(
            preview[1].outcome,
            PreviewOutcome::Unchanged { .. }
        ));
        assert_eq!(preview[2].outcome, PreviewOutcome::New);
        assert_eq!(preview[2].subject, SubjectMatch::New);
        assert_eq!(s.log_head().await.unwrap(), head, "a preview wrote");

        // Another department's batch, later.
        let mut w = s.begin_batch("other", batch(OTHER, "other")).await.unwrap();
        w.write(vec![row(
            2,
            "武罚1",
            NEW_USCC,
            "1",
            RecordStatus::Published,
        )])
        .await
        .unwrap();
        let other = w.commit(vec![]).await.unwrap();

        let (mine, total) = s
            .batches_page(&BatchFilter::Dept(DEPT.into()), 0, 20)
            .await
            .unwrap();
        assert_eq!((total, mine.len(), mine[0].id), (1, 1, first.id));
        let (city, total) = s
            .batches_page(&BatchFilter::RegionPrefix("3204".into()), 0, 1)
            .await
            .unwrap();
        assert_eq!(
            (total, city[0].id),
            (2, other.id),
            "newest first, one a page"
        );
        let (county, total) = s
            .batches_page(&BatchFilter::RegionPrefix("320412".into()), 0, 20)
            .await
            .unwrap();
        assert_eq!((total, county[0].id), (1, other.id));

        let counts = s.batch_publication(&[first.id]).await.unwrap();
        assert_eq!(counts[0].0, first.id);
        assert_eq!(
            (
                counts[0].1.published,
                counts[0].1.past_period,
                counts[0].1.not_published
            ),
            (1, 1, 0)
        );
        let (records, total) = s.batch_records(first.id, 0, 20).await.unwrap();
        assert_eq!((total, records.len()), (2, 2));
        assert_eq!(records[0].doc_no, "罚1");
        db.cleanup().await;
    }
);
