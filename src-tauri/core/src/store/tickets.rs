//! `tickets`: component_verify_ticket history (the last [`TICKETS_KEPT`] per profile).

use rusqlite::{params, OptionalExtension, Row};

use super::db::Store;
use super::error::{Ctx, StoreError};
use super::text_enum::text_enum;
use crate::secrets::Sensitive;

/// How many tickets are kept per profile.
pub const TICKETS_KEPT: i64 = 5;

text_enum! {
    /// Where a ticket came from.
    pub enum TicketSource { Pasted => "pasted", Push => "push", Sandbox => "sandbox", Shared => "shared" }
}

/// A stored ticket. The ticket itself is [`Sensitive`]: build a DTO with its age for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub id: i64,
    pub profile_id: i64,
    pub ticket: Sensitive<String>,
    pub received_at: i64,
    pub source: TicketSource,
}

fn row(r: &Row<'_>) -> rusqlite::Result<TicketRow> {
    Ok(TicketRow {
        id: r.get(0)?,
        profile_id: r.get(1)?,
        ticket: Sensitive::new(r.get(2)?),
        received_at: r.get(3)?,
        source: r.get(4)?,
    })
}

impl Store {
    /// Stores a ticket and drops all but the last [`TICKETS_KEPT`] of the profile.
    pub fn ticket_insert(
        &self,
        profile_id: i64,
        ticket: &str,
        received_at: i64,
        source: TicketSource,
    ) -> Result<TicketRow, StoreError> {
        self.in_tx(|tx| {
            tx.execute(
                "INSERT INTO tickets (profile_id, ticket, received_at, source) VALUES (?1, ?2, ?3, ?4)",
                params![profile_id, ticket, received_at, source],
            )
            .ctx("insert ticket")?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "DELETE FROM tickets WHERE profile_id = ?1 AND id NOT IN (
                     SELECT id FROM tickets WHERE profile_id = ?1
                     ORDER BY received_at DESC, id DESC LIMIT ?2)",
                params![profile_id, TICKETS_KEPT],
            )
            .ctx("prune tickets")?;
            Ok(TicketRow {
                id,
                profile_id,
                ticket: Sensitive::new(ticket.to_string()),
                received_at,
                source,
            })
        })
    }

    /// The newest ticket of a profile.
    pub fn latest_ticket(&self, profile_id: i64) -> Result<Option<TicketRow>, StoreError> {
        self.with_read(|c| {
            c.query_row(
                "SELECT id, profile_id, ticket, received_at, source FROM tickets
                 WHERE profile_id = ?1 ORDER BY received_at DESC, id DESC LIMIT 1",
                [profile_id],
                row,
            )
            .optional()
            .ctx("read ticket")
        })
    }

    /// The kept tickets of a profile, newest first.
    pub fn tickets_list(&self, profile_id: i64) -> Result<Vec<TicketRow>, StoreError> {
        self.with_read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT id, profile_id, ticket, received_at, source FROM tickets
                     WHERE profile_id = ?1 ORDER BY received_at DESC, id DESC",
                )
                .ctx("list tickets")?;
            let rows = s.query_map([profile_id], row).ctx("list tickets")?;
            rows.collect::<Result<Vec<_>, _>>().ctx("list tickets")
        })
    }
}
