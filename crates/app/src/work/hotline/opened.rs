//! The first step of an imported ticket's timeline. The import stores no `open` event row (one
//! write fewer per ticket: issue 19's import figure): the ticket row already records when the
//! call came in, who imported it and when, and the item's type gives the state it opened in.
//! [`timeline`] puts that step back in front of the stored events, as the import used to write
//! it, so the history page, the portal's tracking timeline and exports read the same as before.

use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::work::{WorkItem, WorkType};
use chengxin_store::{HotlineTicketRow, WorkEventRow, WorkItemRow};

use crate::error::AppResult;
use crate::App;

/// The `open` step of an item imported from `ticket` (its id: the item's own, which sorts
/// before every later step's UUIDv7).
pub(crate) fn open_event(
    t: &WorkType,
    item: &WorkItemRow,
    ticket: &HotlineTicketRow,
    cal: &WorkCalendar,
) -> WorkEventRow {
    // The deadline as set on opening (a later step may have moved the item's own).
    let deadline = WorkItem::open(t, item.opened_on, None, cal)
        .map(|w| w.deadline)
        .unwrap_or(item.deadline);
    let called: String = ticket.called_at.chars().take(16).collect();
    WorkEventRow {
        id: item.id,
        item_id: item.id,
        action: "open".into(),
        choice: None,
        from_state: String::new(),
        to_state: t.initial.clone(),
        party: "system".into(),
        actor: ticket.imported_by.clone(),
        on_date: item.opened_on,
        at: ticket.imported_at,
        text: format!(
            "12345 热线工单 {} 导入（来电 {called}{}），期限 {deadline}",
            ticket.ticket_no,
            if ticket.category.is_empty() {
                String::new()
            } else {
                format!("，{}", ticket.category)
            },
        ),
    }
}

/// The item's events, oldest first, with the `open` step of an imported ticket in front.
pub(crate) async fn timeline(app: &App, item: &WorkItemRow) -> AppResult<Vec<WorkEventRow>> {
    let mut events = app.store.work_events(item.id).await?;
    if item
        .source
        .as_deref()
        .is_some_and(|s| s.starts_with("12345:"))
        && !events.iter().any(|e| e.action == "open")
    {
        if let Some(ticket) = app.store.hotline_ticket_of(item.id).await? {
            let t = super::super::types()?.get(&item.kind)?;
            let cal = crate::calendar::in_effect(app.store.as_ref()).await?;
            events.insert(0, open_event(t, item, &ticket, &cal));
        }
    }
    Ok(events)
}
