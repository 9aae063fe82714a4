//! The component_verify_ticket: pasted, pushed, or requested.

use serde::Serialize;

use super::tokens::TICKET_TTL;
use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::secrets::SecretName;
use crate::shared_store::{Item, SharedStoreError};
use crate::store::tickets::{TicketRow, TicketSource};

/// The ticket as the UI shows it (never the ticket itself: a masked tail).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct TicketStatus {
    pub present: bool,
    pub received_at: Option<i64>,
    pub source: Option<TicketSource>,
    /// Seconds since it was received.
    pub age_secs: Option<i64>,
    /// Seconds of the 12 h validity left (0 when expired).
    pub valid_for_secs: Option<i64>,
    pub valid: bool,
    pub tail: Option<String>,
    /// A shared profile's ticket: the backend's key it was read from (source `shared`; its age
    /// is the backend's business: WeChat pushes it there every 10 minutes).
    pub shared_key: Option<String>,
}

impl TicketStatus {
    fn of(row: Option<&TicketRow>) -> TicketStatus {
        let t = now();
        match row {
            None => TicketStatus {
                present: false,
                received_at: None,
                source: None,
                age_secs: None,
                valid_for_secs: None,
                valid: false,
                tail: None,
                shared_key: None,
            },
            Some(r) => {
                let age = (t - r.received_at).max(0);
                TicketStatus {
                    present: true,
                    received_at: Some(r.received_at),
                    source: Some(r.source),
                    age_secs: Some(age),
                    valid_for_secs: Some((TICKET_TTL - age).max(0)),
                    valid: age < TICKET_TTL,
                    tail: Some(crate::secrets::masked_tail(r.ticket.expose())),
                    shared_key: None,
                }
            }
        }
    }
}

impl Console {
    /// Stores a pasted ticket (trimmed; must not be empty).
    pub fn ticket_set(&self, rt: &ProfileRt, ticket: &str) -> CoreResult<TicketStatus> {
        self.ticket_store(rt, ticket, TicketSource::Pasted, now())
    }

    pub(crate) fn ticket_store(
        &self,
        rt: &ProfileRt,
        ticket: &str,
        source: TicketSource,
        received_at: i64,
    ) -> CoreResult<TicketStatus> {
        if let Some(shared) = rt.source.shared() {
            if !shared.source().writes() {
                return Err(CoreError::Refused(
                    "this profile borrows the ticket and tokens from its backend and is read-only: the backend receives the ticket (allow writes in the profile's Tokens section to keep one here for a refresh in the shared store)".into(),
                ));
            }
        }
        let ticket = ticket.trim();
        if ticket.is_empty() {
            return Err(CoreError::InvalidInput(
                "the component_verify_ticket is empty".into(),
            ));
        }
        if ticket.chars().any(char::is_whitespace) {
            return Err(CoreError::InvalidInput(
                "a component_verify_ticket contains no whitespace: paste only the ticket".into(),
            ));
        }
        let row = self
            .store
            .ticket_insert(rt.id(), ticket, received_at, source)?;
        Ok(TicketStatus::of(Some(&row)))
    }

    /// The ticket this profile would use: for a shared profile whose backend keeps it in the
    /// store, the backend's (read now); else the one kept here.
    pub async fn ticket_status(&self, rt: &ProfileRt) -> CoreResult<TicketStatus> {
        if let Some(s) = rt.source.shared() {
            match s.read(Item::Ticket, None).await {
                Ok(r) => {
                    return Ok(TicketStatus {
                        present: true,
                        source: Some(TicketSource::Shared),
                        valid: true,
                        tail: Some(crate::secrets::masked_tail(&r.stored.token)),
                        shared_key: Some(r.key),
                        ..TicketStatus::of(None)
                    })
                }
                Err(CoreError::Shared(SharedStoreError::Missing { key })) => {
                    return Ok(TicketStatus {
                        shared_key: Some(key),
                        ..TicketStatus::of(None)
                    })
                }
                // The backend keeps no ticket in the store: one pasted here (writes) is the one.
                Err(CoreError::Shared(SharedStoreError::NotKept { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(TicketStatus::of(
            self.store.latest_ticket(rt.id())?.as_ref(),
        ))
    }

    /// Asks WeChat to push a fresh ticket to the platform's authorization-event URL now
    /// (api_start_push_ticket).
    pub async fn ticket_request_push(&self, rt: &ProfileRt) -> CoreResult<()> {
        let secret = self.secret(rt.appid(), SecretName::AppSecret)?;
        rt.client
            .start_push_ticket(rt.appid(), secret.expose())
            .await?;
        Ok(())
    }
}
