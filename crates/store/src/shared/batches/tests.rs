use super::*;

/// Batches committed before they had a state keep their logged digests: a committed
/// batch digests as the batch without its state; an open one with it.
#[test]
fn committed_batch_digests_as_before_states() {
    let mut b = Batch {
        id: Uuid::now_v7(),
        type_code: "admin_penalty".into(),
        source_dept: "11320400MB0000000X".into(),
        file_name: Some("处罚.csv".into()),
        file_sha256: "abc".into(),
        format: "csv".into(),
        encoding: "UTF-8".into(),
        submitted_by: "dept".into(),
        submitted_at: now(),
        total: 3,
        created: 2,
        corrected: 0,
        duplicates: 0,
        rejected: 1,
        queued: 0,
        subjects_created: 1,
        unknown_columns: vec!["备用".into()],
        headers: vec!["名称".into()],
        state: BatchState::Committed,
        rejects_not_kept: 0,
        reject_reasons: Vec::new(),
    };
    let json = serde_json::to_string(&b).unwrap();
    let before = json
        .strip_suffix(",\"state\":\"committed\",\"rejects_not_kept\":0,\"reject_reasons\":[]}")
        .map(|j| format!("{j}}}"))
        .unwrap();
    assert_eq!(
        batch_digest(&b).unwrap(),
        changelog::sha256_hex(before.as_bytes())
    );
    b.state = BatchState::Importing;
    assert_ne!(
        batch_digest(&b).unwrap(),
        changelog::sha256_hex(before.as_bytes())
    );
}

/// `verify` digests the stored row as a `Record`; the batch digests a `NewRecordRow`.
/// They must agree byte for byte, or every imported record would look tampered with.
#[test]
fn new_record_row_digests_like_record() {
    let mut fields = serde_json::Map::new();
    fields.insert("penalty_content".into(), "罚款人民币41600元\"引号\"".into());
    fields.insert("fine_amount".into(), "4.16".into());
    fields.insert("count".into(), 3.into());
    let t = now();
    let rec = Record {
        id: Uuid::now_v7(),
        type_code: "admin_penalty".into(),
        subject_id: Some(Uuid::now_v7()),
        subject_name: "常州甲公司".into(),
        doc_no: "罚〔2025〕1号".into(),
        decision_date: NaiveDate::from_ymd_opt(2025, 1, 24).unwrap(),
        source_dept: "11320400MB0000000X".into(),
        batch_id: Some(Uuid::now_v7()),
        fields: fields.clone(),
        severity: Some("general".into()),
        status: RecordStatus::Published,
        tolerated: false,
        published_at: Some(t),
        publish_until: NaiveDate::from_ymd_opt(2026, 1, 24),
        content_digest: "abc".into(),
        version: 1,
        created_at: t,
        updated_at: t,
    };
    let raw = crate::RowFields::new(&fields).unwrap();
    let row = NewRecordRow {
        id: rec.id,
        type_code: &rec.type_code,
        subject_id: rec.subject_id,
        subject_name: &rec.subject_name,
        doc_no: &rec.doc_no,
        decision_date: rec.decision_date,
        source_dept: &rec.source_dept,
        batch_id: rec.batch_id,
        fields: raw.raw(),
        severity: rec.severity.as_deref(),
        status: rec.status,
        tolerated: rec.tolerated,
        published_at: rec.published_at,
        publish_until: rec.publish_until,
        content_digest: &rec.content_digest,
        version: rec.version,
        created_at: rec.created_at,
        updated_at: rec.updated_at,
    };
    assert_eq!(state_digest(&row).unwrap(), state_digest(&rec).unwrap());
    assert_eq!(raw.to_map().unwrap(), fields);
}
