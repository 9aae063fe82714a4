//! What happened: the pushes applied (messages) and the API calls made (the audit log).

use super::{Console, ProfileRt};
use crate::error::CoreResult;
use crate::store::audit::{AuditPage, AuditQuery};
use crate::store::messages::{MessagePage, MessageQuery};

impl Console {
    /// The profile's pushes, newest first.
    pub fn messages_list(&self, rt: &ProfileRt, query: &MessageQuery) -> CoreResult<MessagePage> {
        Ok(self.store.messages_list(rt.id(), query)?)
    }

    /// The profile's API calls, newest first. Records still queued are written first, so the
    /// call that just failed is there.
    pub fn audit_list(&self, rt: &ProfileRt, query: AuditQuery) -> CoreResult<AuditPage> {
        self.flush();
        let query = AuditQuery {
            profile_id: Some(rt.id()),
            ..query
        };
        Ok(self.store.audit_list(&query)?)
    }
}
