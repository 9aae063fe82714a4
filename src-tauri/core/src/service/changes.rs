//! Changes between syncs: what each sync saw change per account (`store::change_log`), for the
//! *Changes* view and `wxopen authorizers changes`.

use serde::Serialize;

use super::{Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::change_log::{ChangePage, ChangeQuery, SyncChanges, MAX_CHANGES_PAGE};

/// Sync runs a changes answer summarises (the newest).
pub const SYNCS_SHOWN: u32 = 50;

/// The changes matching a query, and the recent syncs with their counts per kind.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuthorizerChanges {
    #[serde(flatten)]
    pub page: ChangePage,
    /// The profile's newest sync runs (newest first), each with its counts.
    pub syncs: Vec<SyncChanges>,
}

impl Console {
    /// Recorded changes of the profile's accounts (newest first) and per-sync summaries.
    pub fn authorizer_changes(
        &self,
        rt: &ProfileRt,
        query: &ChangeQuery,
    ) -> CoreResult<AuthorizerChanges> {
        if query.limit > MAX_CHANGES_PAGE {
            return Err(CoreError::InvalidInput(format!(
                "at most {MAX_CHANGES_PAGE} changes a page (asked for {})",
                query.limit
            )));
        }
        if let Some(id) = query.since_sync.or(query.sync_run_id) {
            let known = self
                .store
                .sync_run_get(id)?
                .is_some_and(|r| r.profile_id == rt.id());
            if !known {
                return Err(CoreError::NotFound(format!(
                    "sync run {id} of profile {}",
                    rt.profile.name
                )));
            }
        }
        Ok(AuthorizerChanges {
            page: self.store.changes_list(rt.id(), query)?,
            syncs: self.store.changes_by_sync(rt.id(), SYNCS_SHOWN)?,
        })
    }
}
