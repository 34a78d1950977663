//! The measure 书面说明原因并限期整改 (`written_explanation` in the measures catalog) carried
//! out: when a list entry takes effect for a government body (USCC 登记管理部门 1) on a list the
//! measure applies to, an item of each type opened by that measure (`opened_by_measure` in
//! `data/work/types.toml`) is opened for the body, once per entry (its source is the entry).
//! Called wherever an entry's effect is followed ([`crate::cases::follow_entry_with`]).

use chengxin_domain::commitments::is_government_uscc;
use chengxin_domain::lists::{EntryStatus, JointCatalog, ListEntry};
use chengxin_store::{AuditEvent, ListEntryRow, Store};
use chrono::NaiveDate;

use super::open::{write, Spec};
use crate::error::{AppError, AppResult};

/// The source key of an entry's rectification.
pub fn source_of(entry_id: uuid::Uuid, kind: &str) -> String {
    format!("list_entry:{entry_id}:{kind}")
}

/// Open the rectification items an effective entry calls for; how many were opened.
pub async fn follow(
    store: &dyn Store,
    actor: &str,
    row: &ListEntryRow,
    entry: &ListEntry,
    today: NaiveDate,
) -> AppResult<usize> {
    if entry.status != EntryStatus::Effective {
        return Ok(0);
    }
    let Some(subject_id) = row.subject_id else {
        return Ok(0);
    };
    let Some(subject) = store.subject(subject_id).await? else {
        return Ok(0);
    };
    let Some(uscc) = subject.uscc.clone().filter(|u| is_government_uscc(u)) else {
        return Ok(0);
    };
    let joint = JointCatalog::default_checked().map_err(AppError::unavailable)?;
    let list_name = joint
        .list(&entry.list)
        .map_or(entry.list.clone(), |l| l.name.clone());
    let types = super::types()?;
    let mut opened = 0;
    for m in joint.measures_for_list(&entry.list) {
        for t in types.opened_by(&m.code) {
            let source = source_of(row.id, &t.code);
            let spec = Spec {
                t,
                title: format!("{}：{}", m.name, list_name),
                ref_no: None,
                proposer: None,
                owner: (uscc.clone(), subject.name.clone()),
                issuer: None,
                co: Vec::new(),
                content: format!(
                    "{}被列入{}（认定部门：{}；依据：{}）。依{}，须对具体失信情况书面说明原因并限期整改。",
                    subject.name, list_name, entry.recognised_by, entry.basis, m.basis
                ),
                required: "书面说明失信原因，提出并落实整改措施，报送整改证明材料，申请验收销号。"
                    .to_string(),
                opened_on: entry.effective_from.unwrap_or(today).min(today),
                deadline: None,
                source: Some(source),
            };
            if write(store, actor, None, spec).await?.is_some() {
                opened += 1;
            }
        }
    }
    Ok(opened)
}

/// [`follow`], never failing the entry's own step: a failure is logged and audited
/// (`work_items_not_opened`) for the office to open the item by hand.
pub async fn follow_logged(
    store: &dyn Store,
    actor: &str,
    row: &ListEntryRow,
    entry: &ListEntry,
    today: NaiveDate,
) -> AppResult<usize> {
    match follow(store, actor, row, entry, today).await {
        Ok(n) => Ok(n),
        Err(e) => {
            let mut ev = AuditEvent::new(actor, "work_item", "work_items_not_opened", "failed");
            ev.target = Some(row.id.to_string());
            ev.detail = serde_json::json!({"code": e.code(), "reason": e.to_string()});
            store.audit(&[ev]).await?;
            tracing::warn!(target: crate::LOG_TARGET, entry = %row.id, error = %e, "rectification not opened");
            Ok(0)
        }
    }
}
