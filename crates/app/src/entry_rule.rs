//! Records entered under the earlier entry rule, brought under the one rule
//! ([`chengxin_domain::records::entry_status`]).
//!
//! Before, a record whose type is not published to the public (纪律处分/政务处分, 问责处理,
//! 审计发现问题, 投诉举报查实 …: publication rule `none`, shared with government only) was
//! stored as 公示期满 on import, so checks and archives ignored it. Under the one rule such a
//! record enters in effect. Every record still as it was imported (version 1, never changed
//! since) and 公示期满 of such a type is put in effect — one logged change per record, the
//! history saying why — so an imported 政务处分 counts in checks from then on. A record that
//! anyone changed since (revoked, repaired, expired by hand …) is left as it is.

use chengxin_domain::catalog::{Disclosure, PublicationRule, RecordType};
use chengxin_domain::records::RecordStatus;
use chengxin_store::{RecordChange, Store};

use crate::error::AppResult;

/// The actor of the reconciliation's changes.
pub const ACTOR: &str = "system:entry-rule";

/// The note each reconciled record's history carries.
pub const NOTE: &str =
    "按统一入库规则更正：不向社会公开的政务共享类信息入库即生效（此前按公示期满入库）";

/// Record types whose records the earlier rule stored as 公示期满: not published (rule
/// `none`) and not disclosed to the public.
pub fn affected_types(types: &[RecordType]) -> Vec<String> {
    types
        .iter()
        .filter(|t| {
            matches!(t.publication, PublicationRule::None) && t.disclosure != Disclosure::Public
        })
        .map(|t| t.code.clone())
        .collect()
}

/// The meta key set once a full pass is done (later starts skip the scan).
pub const DONE_KEY: &str = "entry_rule_reconciled";

/// Put in effect every record of an affected type still 公示期满 as imported. Returns how many
/// were changed. Runs once per database: a full pass sets [`DONE_KEY`], later calls return 0.
pub async fn reconcile(store: &dyn Store) -> AppResult<usize> {
    if store.meta(DONE_KEY).await?.as_deref() == Some("1") {
        return Ok(0);
    }
    let types: Vec<RecordType> = store
        .catalog_types()
        .await?
        .into_iter()
        .filter_map(|t| serde_json::from_value(t.definition).ok())
        .collect();
    let codes = affected_types(&types);
    let mut done = 0;
    let mut after = None;
    loop {
        let page = store
            .records_in_status(&codes, RecordStatus::Expired, after, 1000)
            .await?;
        after = page.last().map(|r| r.id);
        for r in page.iter().filter(|r| r.version == 1) {
            let change = RecordChange {
                id: r.id,
                expected_version: r.version,
                action: "entry_rule".into(),
                status: Some(RecordStatus::Published),
                fields: None,
                tolerated: None,
                publish_until: Some(None),
                note: Some(NOTE.into()),
                content_digest: None,
                subject_name: None,
                decision_date: None,
                changes: Vec::new(),
                texts_sealed: None,
            };
            match store.change_record(ACTOR, change).await {
                Ok(_) => done += 1,
                // Changed meanwhile: no longer as imported, left alone.
                Err(chengxin_store::StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if page.len() < 1000 {
            store.set_meta(ACTOR, DONE_KEY, "1").await?;
            return Ok(done);
        }
    }
}
