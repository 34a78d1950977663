//! 预检 (a batch's pre-check): what importing rows would do, read only. The same look-ups as
//! `Writer::write` — subjects by USCC or ID-number hash, records by source key, the same
//! "unchanged" test (content digest) and the same correction rule (`RecordAction::Correct`) —
//! in a read transaction that writes nothing.

use super::*;
use crate::{PreviewOutcome, RowPreview, SubjectMatch};

/// The records of `type_code` from `source_dept` with these document numbers.
async fn by_source_key(
    tx: &mut Tx<'_>,
    type_code: &str,
    source_dept: &str,
    doc_nos: &[&str],
) -> Result<HashMap<String, Record>> {
    let mut found = HashMap::new();
    for part in doc_nos.chunks(CHUNK) {
        let mut q = QueryBuilder::<Db>::new("SELECT * FROM records WHERE source_dept = ");
        q.push_bind(source_dept)
            .push(" AND type_code = ")
            .push_bind(type_code);
        q.push(" AND doc_no IN (");
        let mut sep = q.separated(", ");
        for d in part {
            sep.push_bind(*d);
        }
        q.push(")");
        for r in q.build().fetch_all(&mut **tx).await? {
            let rec = record_from_row(&r)?;
            found.insert(rec.doc_no.clone(), rec);
        }
    }
    Ok(found)
}

/// The fields (English names) whose values differ between two field maps.
fn changed_fields(
    old: &serde_json::Map<String, serde_json::Value>,
    new: &serde_json::Map<String, serde_json::Value>,
) -> Vec<String> {
    let blank = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => true,
        Some(serde_json::Value::String(s)) => s.is_empty(),
        _ => false,
    };
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| {
            let (a, b) = (old.get(*k), new.get(*k));
            !(a == b || (blank(a) && blank(b)))
        })
        .cloned()
        .collect()
}

pub(super) async fn preview(
    db: &Inner,
    type_code: &str,
    source_dept: &str,
    rows: &[ImportRow],
) -> Result<Vec<RowPreview>> {
    let mut tx = db.pool.begin().await?;
    let usccs: Vec<String> = rows
        .iter()
        .filter_map(|r| r.subject_uscc.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let hashes: Vec<String> = rows
        .iter()
        .filter(|r| r.subject_uscc.is_none())
        .filter_map(|r| r.subject_id_hash.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let by_uscc = super::super::bulk::subjects_by(&mut tx, "uscc", &usccs).await?;
    let by_hash = super::super::bulk::subjects_by(&mut tx, "id_hash", &hashes).await?;
    let doc_nos: Vec<&str> = rows.iter().map(|r| r.doc_no.as_str()).collect();
    let existing = by_source_key(&mut tx, type_code, source_dept, &doc_nos).await?;
    tx.rollback().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let subject = match (&r.subject_uscc, &r.subject_id_hash) {
            (Some(u), _) if by_uscc.contains_key(u) => SubjectMatch::Known,
            (None, Some(h)) if by_hash.contains_key(h) => SubjectMatch::Known,
            (None, None) => SubjectMatch::NoKey,
            _ => SubjectMatch::New,
        };
        let outcome = match existing.get(&r.doc_no) {
            None => PreviewOutcome::New,
            Some(old) if old.content_digest == r.content_digest => {
                PreviewOutcome::Unchanged { record_id: old.id }
            }
            Some(old)
                if RecordAction::Correct
                    .apply(old.status, old.severity.is_some(), old.tolerated, None)
                    .is_err() =>
            {
                PreviewOutcome::NotCorrectable { record_id: old.id }
            }
            Some(old) => {
                let mut changed = changed_fields(&old.fields, &r.fields.to_map()?);
                if changed.is_empty() {
                    // Same fields, other digest (e.g. the severity column): name it.
                    changed.push("severity".into());
                }
                PreviewOutcome::Correct {
                    record_id: old.id,
                    changed,
                }
            }
        };
        out.push(RowPreview { subject, outcome });
    }
    Ok(out)
}
