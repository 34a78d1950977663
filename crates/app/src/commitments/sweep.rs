//! The daily sweep: a reminder before each due date (to the promisor, and the body that
//! registered it) and an escalation after it (to them, the promisor's supervising body and
//! the credit office), through [`crate::notify`]. Idempotent: one of each per milestone — the
//! milestone carries the stage sent and the day to look at it next (`next_remind_on`, indexed),
//! and each notice has its key.

use std::collections::HashMap;

use chengxin_domain::commitments::{next_remind_on, stage_due, RemindStage};
use chengxin_store::{CommitmentRow, MilestoneRow, Store, SweepMark};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::error::AppResult;
use crate::notify::{self, Notice, To};

/// The actor of the sweep's writes.
pub const ACTOR: &str = "system:commitments";
/// Milestones per transaction.
const CHUNK: i64 = 2_000;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Milestones looked at.
    pub looked_at: usize,
    /// 到期提醒 sent (milestones).
    pub reminders: usize,
    /// 逾期督办 sent (milestones).
    pub escalations: usize,
    /// Inbox items stored.
    pub notifications: usize,
}

fn notice(c: &CommitmentRow, m: &MilestoneRow, stage: RemindStage) -> Notice {
    let mut to = super::body_recipients(c);
    let (title, body) = match stage {
        RemindStage::Before => (
            format!("到期提醒：{}（节点 {}）", c.title, m.seq),
            format!(
                "{}：承诺“{}”的履行节点“{}”将于 {} 到期，请按期兑现并上传证明材料。",
                c.promisor_name, c.title, m.title, m.due_date
            ),
        ),
        RemindStage::Overdue => {
            if let Some(s) = &c.supervisor_uscc {
                to.push(To::Body(s.clone()));
            }
            to.push(To::Office(c.region.clone()));
            (
                format!("逾期督办：{}（节点 {}）", c.title, m.seq),
                format!(
                    "{}：承诺“{}”的履行节点“{}”已于 {} 到期未兑现。请立即兑现，或依法变更并补偿；信用办将督办，必要时启动违约认定程序。",
                    c.promisor_name, c.title, m.title, m.due_date
                ),
            )
        }
    };
    Notice {
        to,
        region: c.region.clone(),
        topic: match stage {
            RemindStage::Before => "commitment_reminder",
            RemindStage::Overdue => "commitment_escalation",
        },
        title,
        body,
        link: Some(format!("/console/commitments/{}", c.id)),
        once: Some(format!("ms:{}:{}", m.id, stage.number())),
    }
}

/// Sweep the milestones due for a look on `today`.
pub async fn sweep(store: &dyn Store, today: NaiveDate) -> AppResult<SweepReport> {
    let mut report = SweepReport::default();
    let mut commitments: HashMap<Uuid, CommitmentRow> = HashMap::new();
    // Each round marks every milestone it read (moving its next look past today), so rounds
    // end; the bound is only a guard.
    for _ in 0..100_000 {
        let batch = store.milestones_to_remind(today, CHUNK).await?;
        if batch.is_empty() {
            break;
        }
        let missing: Vec<Uuid> = batch
            .iter()
            .map(|m| m.commitment_id)
            .filter(|id| !commitments.contains_key(id))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for c in store.commitments_by_id(&missing).await? {
            commitments.insert(c.id, c);
        }
        let mut marks = Vec::with_capacity(batch.len());
        let mut notices = Vec::new();
        for m in &batch {
            report.looked_at += 1;
            let before = u32::try_from(m.remind_before).unwrap_or(0);
            let stage = stage_due(m.due_date, before, m.reminded_stage, today);
            let sent = stage.map_or(m.reminded_stage, RemindStage::number);
            let next = next_remind_on(m.due_date, before, sent).filter(|d| *d > today);
            marks.push(SweepMark {
                milestone_id: m.id,
                stage: sent,
                next_remind_on: next,
            });
            let (Some(stage), Some(c)) = (stage, commitments.get(&m.commitment_id)) else {
                continue;
            };
            match stage {
                RemindStage::Before => report.reminders += 1,
                RemindStage::Overdue => report.escalations += 1,
            }
            notices.push(notice(c, m, stage));
        }
        report.notifications += store
            .mark_reminded(ACTOR, &marks, &notify::rows(&notices))
            .await?;
    }
    Ok(report)
}
