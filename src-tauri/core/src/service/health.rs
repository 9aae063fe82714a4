//! The Health page: the day's questions of an operator answered from the cache in one call —
//! is the ticket fresh, where does the component token come from and for how long, which
//! accounts must authorize again, what was revoked or newly authorized since the previous sync,
//! who has no refresh token (a list sync recovers it), how many quota resets are left, and which
//! errcodes the last 24 hours saw most. Nothing here calls WeChat: a shared profile's ticket is
//! read from its backend like the Tokens view does, and that failing is one row's error, not the
//! page's.

use serde::Serialize;

use super::quota::QuotaStatus;
use super::ticket::TicketStatus;
use super::tokens::ComponentTokenStatus;
use super::{now, Console, ProfileRt};
use crate::error::CoreResult;
use crate::store::authorizers::AuthorizerCounts;
use crate::store::health::{AccountGroup, ErrcodeCount};
use crate::store::sync_runs::SyncRunRow;
use wxopen_wechat::errcode::{explain, Explanation};

/// Accounts listed by name in each group (the count says how many in all).
pub const GROUP_SAMPLE: u32 = 20;
/// Errcodes listed.
pub const TOP_ERRCODES: u32 = 5;
/// The window of the errcode list.
pub const ERRCODE_WINDOW_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Health {
    pub generated_at: i64,
    pub ticket: Option<TicketStatus>,
    /// Why the ticket could not be read (a shared profile's backend down, …).
    pub ticket_error: Option<String>,
    pub component_token: ComponentTokenStatus,
    pub accounts: AuthorizerCounts,
    /// The newest sync whose list pass completed.
    pub last_sync: Option<SyncRunRow>,
    /// The one before it: "since the previous sync" means after it ended. `None` until two
    /// syncs completed (after the first one everything would count as new).
    pub previous_sync: Option<SyncRunRow>,
    pub needs_reauth: AccountGroup,
    pub revoked_since_previous_sync: Option<AccountGroup>,
    pub new_since_previous_sync: Option<AccountGroup>,
    pub quota: QuotaStatus,
    pub top_errcodes: Vec<HealthErrcode>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct HealthErrcode {
    #[serde(flatten)]
    pub count: ErrcodeCount,
    pub explanation: Explanation,
}

impl Health {
    /// True when the cache holds accounts: the app puts Health first in the nav then.
    pub fn has_data(&self) -> bool {
        self.accounts.total > 0
    }
}

impl Console {
    pub async fn health(&self, rt: &ProfileRt) -> CoreResult<Health> {
        let (ticket, ticket_error) = match self.ticket_status(rt).await {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let t = now();
        let id = rt.id();
        let mut syncs = self.store.sync_runs_list_complete(id, 2)?.into_iter();
        let (last_sync, previous_sync) = (syncs.next(), syncs.next());
        // New accounts are told by when they were first stored (a time: whole seconds), revoked
        // ones by the last list that carried them (a sync id: exact).
        let since = previous_sync
            .as_ref()
            .map(|p| (p.id, p.finished_at.unwrap_or(p.updated_at)));
        let revoked = match since {
            Some((sync_id, _)) => Some(self.store.health_revoked_since_sync(
                id,
                sync_id,
                GROUP_SAMPLE,
            )?),
            None => None,
        };
        let new = match since {
            Some((_, at)) => Some(self.store.health_new_since(id, at, GROUP_SAMPLE)?),
            None => None,
        };
        let top_errcodes = self
            .store
            .audit_top_errcodes(id, t - ERRCODE_WINDOW_SECS, TOP_ERRCODES)?
            .into_iter()
            .map(|count| HealthErrcode {
                explanation: explain(count.errcode, ""),
                count,
            })
            .collect();
        Ok(Health {
            generated_at: t,
            ticket,
            ticket_error,
            component_token: self.component_token_status(rt)?,
            accounts: self.store.authorizer_counts(id)?,
            last_sync,
            previous_sync,
            needs_reauth: self
                .store
                .health_in_status(id, "needs_reauth", GROUP_SAMPLE)?,
            revoked_since_previous_sync: revoked,
            new_since_previous_sync: new,
            quota: self.quota_status(rt)?,
            top_errcodes,
        })
    }
}
