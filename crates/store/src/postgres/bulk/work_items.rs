//! The 12345 import's rows (work items, their parties, the tickets) through `COPY … FROM
//! STDIN`: one statement per table and chunk, no bind parameters to plan or send.

use crate::error::Result;
use crate::{HotlineTicketRow, WorkItemRow, WorkPartyRow};

use super::super::shared::kernel::Tx;
use super::copy;

pub(crate) async fn insert_items(tx: &mut Tx<'_>, items: &[WorkItemRow]) -> Result<()> {
    copy(
        tx,
        "COPY work_items (id, no, kind, title, ref_no, proposer, owner_uscc, owner_name, region, \
         issuer_uscc, issuer_name, content, required, state, opened_on, deadline, due_on, \
         reopens, outcome, closed_on, remind_stage, next_remind_on, handler, source, \
         created_by, created_at, updated_at, version) FROM STDIN",
        items,
        |l, i| {
            l.display(i.id);
            l.text(&i.no);
            l.text(&i.kind);
            l.text(&i.title);
            l.opt(i.ref_no.as_deref());
            l.opt(i.proposer.as_deref());
            l.text(&i.owner_uscc);
            l.text(&i.owner_name);
            l.text(&i.region);
            l.opt(i.issuer_uscc.as_deref());
            l.text(&i.issuer_name);
            l.text(&i.content);
            l.text(&i.required);
            l.text(&i.state);
            l.display(i.opened_on);
            l.display(i.deadline);
            l.opt_display(i.due_on);
            l.display(i.reopens);
            l.opt(i.outcome.as_deref());
            l.opt_display(i.closed_on);
            l.display(i.remind_stage);
            l.opt_display(i.next_remind_on);
            l.opt(i.handler.as_deref());
            l.opt(i.source.as_deref());
            l.text(&i.created_by);
            l.time(i.created_at);
            l.time(i.updated_at);
            l.display(i.version);
            Ok(())
        },
    )
    .await
}

pub(crate) async fn insert_parties(tx: &mut Tx<'_>, parties: &[&WorkPartyRow]) -> Result<()> {
    copy(
        tx,
        "COPY work_item_parties (item_id, body_uscc, body_name, party) FROM STDIN",
        parties,
        |l, p| {
            l.display(p.item_id);
            l.text(&p.body_uscc);
            l.text(&p.body_name);
            l.text(&p.party);
            Ok(())
        },
    )
    .await
}

pub(crate) async fn insert_tickets(tx: &mut Tx<'_>, tickets: &[HotlineTicketRow]) -> Result<()> {
    copy(
        tx,
        "COPY work_hotline_tickets (ticket_no, item_id, digest, called_at, category, \
         handling_unit, concluded_at, satisfaction, contact_sealed, imported_by, imported_at) \
         FROM STDIN",
        tickets,
        |l, t| {
            l.text(&t.ticket_no);
            l.display(t.item_id);
            l.text(&t.digest);
            l.text(&t.called_at);
            l.text(&t.category);
            l.text(&t.handling_unit);
            l.opt(t.concluded_at.as_deref());
            l.opt(t.satisfaction.as_deref());
            l.opt(t.contact_sealed.as_deref());
            l.text(&t.imported_by);
            l.time(t.imported_at);
            Ok(())
        },
    )
    .await
}
