//! The daily deadline sweep: for each open item whose next look has come, the reminder before
//! its current step's due date (to the party expected to act) and the escalation levels after
//! it (to whom each level names), through [`crate::notify`]. Idempotent: the item carries the
//! stage sent and the day to look next (`next_remind_on`, indexed), each notice has its key.
//! One bad item (an unknown type, a date the calendar cannot count) never stops the sweep: it
//! is counted, looked at again tomorrow, and the others go on.

use std::collections::{HashMap, HashSet};

use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::work::{stage_due, Party, Stage, WorkType, WorkTypes};
use chengxin_store::{Store, WorkItemRow, WorkMark, WorkPartyRow};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::error::AppResult;
use crate::notify::{self, Notice, To};

/// The actor of the sweep's writes.
pub const ACTOR: &str = "system:work_items";
/// Items per transaction.
const CHUNK: i64 = 2_000;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub looked_at: usize,
    pub reminders: usize,
    pub escalations: usize,
    /// Inbox items stored.
    pub notifications: usize,
    /// Items that could not be handled (looked at again tomorrow).
    pub failed: usize,
}

fn recipients(item: &WorkItemRow, parties: &[WorkPartyRow], who: &[Party]) -> Vec<To> {
    let mut to = Vec::new();
    for p in who {
        match p {
            Party::Owner => to.push(To::Body(item.owner_uscc.clone())),
            Party::Co => to.extend(
                parties
                    .iter()
                    .filter(|x| x.item_id == item.id && x.party == "co")
                    .map(|x| To::Body(x.body_uscc.clone())),
            ),
            Party::Issuer => match &item.issuer_uscc {
                Some(i) => to.push(To::Body(i.clone())),
                None => to.push(To::Office(item.region.clone())),
            },
            Party::Office => to.push(To::Office(item.region.clone())),
        }
    }
    to
}

fn notice(
    t: &WorkType,
    item: &WorkItemRow,
    parties: &[WorkPartyRow],
    due: NaiveDate,
    stage: Stage,
) -> Notice {
    let state = t.state_name(&item.state);
    let (who, title, body) = match stage {
        Stage::Reminder => {
            let actor = t
                .state(&item.state)
                .and_then(|s| s.actor)
                .unwrap_or(Party::Owner);
            (
                vec![actor],
                format!("到期提醒：{}（{}）", item.title, t.name),
                format!(
                    "{}“{}”（{}）当前“{}”，将于 {} 到期，请按期办理。",
                    t.name, item.title, item.no, state, due
                ),
            )
        }
        Stage::Escalation(i) => {
            let level = t.escalation.get(i);
            let name = stage.label(t);
            (
                level
                    .map(|l| l.to.clone())
                    .unwrap_or_else(|| vec![Party::Owner]),
                format!("{name}：{}（{}）", item.title, t.name),
                format!(
                    "{}“{}”（{}）当前“{}”，已于 {} 到期未办结，{}。请立即办理并报送进展。",
                    t.name, item.title, item.no, state, due, name
                ),
            )
        }
    };
    Notice {
        to: recipients(item, parties, &who),
        region: item.region.clone(),
        topic: match stage {
            Stage::Reminder => "work_item_reminder",
            Stage::Escalation(_) => "work_item_escalation",
        },
        title,
        body,
        link: Some(format!("/console/work/{}", item.id)),
        once: Some(format!("wi:{}:{}:{}", item.id, due, stage.number())),
    }
}

/// The mark for one item on `today`, and the stage to send (or why it cannot be handled).
fn look(
    types: &WorkTypes,
    item: &WorkItemRow,
    today: NaiveDate,
    cal: &WorkCalendar,
) -> Result<(WorkMark, Option<(Stage, NaiveDate)>), String> {
    let done = |stage| WorkMark {
        item_id: item.id,
        stage,
        next_remind_on: None,
    };
    let (Some(due), None) = (item.due_on, item.closed_on) else {
        return Ok((done(item.remind_stage), None));
    };
    let t = types.get(&item.kind).map_err(|e| e.to_string())?;
    let (stage, next) =
        stage_due(t, due, item.remind_stage, today, cal).map_err(|e| e.to_string())?;
    let sent = stage.map_or(item.remind_stage, Stage::number);
    let mark = WorkMark {
        item_id: item.id,
        stage: sent,
        next_remind_on: next.filter(|d| *d > today),
    };
    Ok((mark, stage.map(|s| (s, due))))
}

/// Sweep the items due for a look on `today`.
pub async fn sweep(store: &dyn Store, today: NaiveDate) -> AppResult<SweepReport> {
    let types = crate::work::types()?;
    let cal = crate::calendar::in_effect(store).await?;
    let mut report = SweepReport::default();
    let mut failed: HashSet<Uuid> = HashSet::new();
    // Each round marks every item it read (moving its next look past today), so rounds end;
    // a round that only meets items already failed ends the sweep.
    for _ in 0..100_000 {
        let batch = store.work_items_to_remind(today, CHUNK).await?;
        if batch.is_empty() || batch.iter().all(|i| failed.contains(&i.id)) {
            break;
        }
        let ids: Vec<Uuid> = batch.iter().map(|i| i.id).collect();
        let parties = store.work_parties(&ids).await?;
        let mut by_item: HashMap<Uuid, Vec<WorkPartyRow>> = HashMap::new();
        for p in parties {
            by_item.entry(p.item_id).or_default().push(p);
        }
        let mut marks = Vec::with_capacity(batch.len());
        let mut notices = Vec::new();
        for item in &batch {
            report.looked_at += 1;
            match look(types, item, today, &cal) {
                Ok((mark, send)) => {
                    marks.push(mark);
                    if let (Some((stage, due)), Ok(t)) = (send, types.get(&item.kind)) {
                        match stage {
                            Stage::Reminder => report.reminders += 1,
                            Stage::Escalation(_) => report.escalations += 1,
                        }
                        let ps = by_item.get(&item.id).map_or(&[][..], Vec::as_slice);
                        notices.push(notice(t, item, ps, due, stage));
                    }
                }
                Err(reason) => {
                    report.failed += 1;
                    failed.insert(item.id);
                    tracing::warn!(target: crate::LOG_TARGET, item = %item.id, %reason, "work item not swept");
                    marks.push(WorkMark {
                        item_id: item.id,
                        stage: item.remind_stage,
                        next_remind_on: today.succ_opt(),
                    });
                }
            }
        }
        match store
            .mark_work_reminded(ACTOR, &marks, &notify::rows(&notices))
            .await
        {
            Ok(n) => report.notifications += n,
            Err(e) => {
                // One write for the chunk failed: each item on its own, so one bad row stops
                // nothing but itself.
                tracing::warn!(target: crate::LOG_TARGET, error = %e, "work sweep chunk failed; item by item");
                for m in &marks {
                    let mine: Vec<Notice> = notices
                        .iter()
                        .filter(|n| {
                            n.link
                                .as_deref()
                                .is_some_and(|l| l.ends_with(&m.item_id.to_string()))
                        })
                        .cloned()
                        .collect();
                    match store
                        .mark_work_reminded(ACTOR, std::slice::from_ref(m), &notify::rows(&mine))
                        .await
                    {
                        Ok(n) => report.notifications += n,
                        Err(_) => {
                            report.failed += 1;
                            failed.insert(m.item_id);
                        }
                    }
                }
            }
        }
    }
    Ok(report)
}
