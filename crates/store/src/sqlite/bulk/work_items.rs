//! The 12345 import's rows (work items, their parties, the tickets) in multi-row INSERTs
//! (SQLite has no COPY; prepared multi-row statements are its fastest path).

use sqlx::QueryBuilder;

use crate::error::Result;
use crate::{HotlineTicketRow, WorkItemRow, WorkPartyRow};

use super::super::shared::kernel::Tx;
use super::super::{enc, Db};

/// Rows per statement (at most 28 binds a row, well under SQLite's 32,766).
const ROWS: usize = 500;

pub(crate) async fn insert_items(tx: &mut Tx<'_>, items: &[WorkItemRow]) -> Result<()> {
    for part in items.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO work_items (id, no, kind, title, ref_no, proposer, owner_uscc, \
             owner_name, region, issuer_uscc, issuer_name, content, required, state, \
             opened_on, deadline, due_on, reopens, outcome, closed_on, remind_stage, \
             next_remind_on, handler, source, created_by, created_at, updated_at, version) ",
        );
        q.push_values(part, |mut b, i| {
            b.push_bind(enc(i.id))
                .push_bind(i.no.as_str())
                .push_bind(i.kind.as_str())
                .push_bind(i.title.as_str())
                .push_bind(i.ref_no.as_deref())
                .push_bind(i.proposer.as_deref())
                .push_bind(i.owner_uscc.as_str())
                .push_bind(i.owner_name.as_str())
                .push_bind(i.region.as_str())
                .push_bind(i.issuer_uscc.as_deref())
                .push_bind(i.issuer_name.as_str())
                .push_bind(i.content.as_str())
                .push_bind(i.required.as_str())
                .push_bind(i.state.as_str())
                .push_bind(i.opened_on)
                .push_bind(i.deadline)
                .push_bind(i.due_on)
                .push_bind(i.reopens)
                .push_bind(i.outcome.as_deref())
                .push_bind(i.closed_on)
                .push_bind(i.remind_stage)
                .push_bind(i.next_remind_on)
                .push_bind(i.handler.as_deref())
                .push_bind(i.source.as_deref())
                .push_bind(i.created_by.as_str())
                .push_bind(i.created_at)
                .push_bind(i.updated_at)
                .push_bind(i.version);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

pub(crate) async fn insert_parties(tx: &mut Tx<'_>, parties: &[&WorkPartyRow]) -> Result<()> {
    for part in parties.chunks(ROWS * 2) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO work_item_parties (item_id, body_uscc, body_name, party) ",
        );
        q.push_values(part, |mut b, p| {
            b.push_bind(enc(p.item_id))
                .push_bind(p.body_uscc.as_str())
                .push_bind(p.body_name.as_str())
                .push_bind(p.party.as_str());
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

pub(crate) async fn insert_tickets(tx: &mut Tx<'_>, tickets: &[HotlineTicketRow]) -> Result<()> {
    for part in tickets.chunks(ROWS) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO work_hotline_tickets (ticket_no, item_id, digest, called_at, \
             category, handling_unit, concluded_at, satisfaction, contact_sealed, \
             imported_by, imported_at) ",
        );
        q.push_values(part, |mut b, t| {
            b.push_bind(t.ticket_no.as_str())
                .push_bind(enc(t.item_id))
                .push_bind(t.digest.as_str())
                .push_bind(t.called_at.as_str())
                .push_bind(t.category.as_str())
                .push_bind(t.handling_unit.as_str())
                .push_bind(t.concluded_at.as_deref())
                .push_bind(t.satisfaction.as_deref())
                .push_bind(t.contact_sealed.as_deref())
                .push_bind(t.imported_by.as_str())
                .push_bind(t.imported_at);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}
