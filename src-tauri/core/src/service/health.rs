//! The Health page: what needs the operator's attention on a profile, from state the console
//! already holds (no WeChat call): the ticket's age, the component token's lifetime and source,
//! accounts needing re-authorization (61023) or without a refresh token, what the latest sync
//! saw change, the platform's quota resets left, and the errcodes of the last 24 h explained.

use serde::Serialize;

use super::changes::SYNCS_SHOWN;
use super::quota::QuotaStatus;
use super::ticket::TicketStatus;
use super::tokens::ComponentTokenStatus;
use super::{now, Console, ProfileRt};
use crate::error::CoreResult;
use crate::store::audit::ErrcodeCount;
use crate::store::authorizers::AuthorizerCounts;
use crate::store::change_log::{ChangeKind, ChangeQuery, ChangeRow, SyncChanges};
use crate::store::sync_runs::SyncState;
use crate::store::types::Status;
use wxopen_wechat::errcode::{explain, Explanation};

/// Appids shown as examples of a group of accounts.
pub const SAMPLE: u32 = 10;
/// The window of the top errcodes.
pub const ERRCODE_WINDOW_SECS: i64 = 86_400;
/// Errcodes shown.
pub const TOP_ERRCODES: u32 = 5;
/// Permission changes of the latest sync shown.
pub const PERMISSION_CHANGES: u32 = 20;

/// A group of accounts: how many, a few of them, and what to do.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AccountGroup {
    pub count: u64,
    /// Up to [`SAMPLE`] appids, in appid order.
    pub sample: Vec<String>,
}

/// An errcode of the last 24 h with its explanation.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct HealthErrcode {
    #[serde(flatten)]
    pub count: ErrcodeCount,
    pub explanation: Explanation,
}

/// What the latest finished sync saw change (against the one before it).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct LastSyncChanges {
    #[serde(flatten)]
    pub sync: SyncChanges,
    /// Its permission changes (up to [`PERMISSION_CHANGES`], newest first).
    pub permission_changes: Vec<ChangeRow>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct HealthReport {
    pub profile: String,
    pub generated_at: i64,
    /// `None` when it could not be read (a shared profile's backend down): `ticket_error` says why.
    pub ticket: Option<TicketStatus>,
    pub ticket_error: Option<String>,
    pub component_token: ComponentTokenStatus,
    pub counts: AuthorizerCounts,
    /// Accounts whose refresh token WeChat refused (61023): they must authorize again.
    pub needs_reauth: AccountGroup,
    /// Accounts without a refresh token: a sync that re-reads the list (`restart`) recovers the
    /// ones WeChat lists with one.
    pub missing_refresh_token: AccountGroup,
    /// `None` before the first finished sync.
    pub last_sync: Option<LastSyncChanges>,
    pub quota: QuotaStatus,
    /// The errcodes of the last 24 h, most frequent first.
    pub top_errcodes: Vec<HealthErrcode>,
}

impl Console {
    /// The profile's health, from the local cache, the audit log and the keychain-free token
    /// state: no WeChat call, so it is cheap to show on every visit.
    pub async fn health(&self, rt: &ProfileRt) -> CoreResult<HealthReport> {
        self.flush();
        let (ticket, ticket_error) = match self.ticket_status(rt).await {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let counts = self.store.authorizer_counts(rt.id())?;
        let group = |status: Option<Status>,
                     missing: bool,
                     count: u64|
         -> CoreResult<AccountGroup> {
            Ok(AccountGroup {
                count,
                sample: self
                    .store
                    .authorizer_appids_sample(rt.id(), status, missing, SAMPLE)?,
            })
        };
        let t = now();
        let top_errcodes = self
            .store
            .audit_top_errcodes(rt.id(), t - ERRCODE_WINDOW_SECS, TOP_ERRCODES)?
            .into_iter()
            .map(|count| HealthErrcode {
                explanation: explain(count.errcode, ""),
                count,
            })
            .collect();
        Ok(HealthReport {
            profile: rt.profile.name.clone(),
            generated_at: t,
            ticket,
            ticket_error,
            component_token: self.component_token_status(rt)?,
            needs_reauth: group(Some(Status::NeedsReauth), false, counts.needs_reauth)?,
            missing_refresh_token: group(None, true, counts.missing_refresh_token)?,
            counts,
            last_sync: self.last_sync_changes(rt)?,
            quota: self.quota_status(rt)?,
            top_errcodes,
        })
    }

    fn last_sync_changes(&self, rt: &ProfileRt) -> CoreResult<Option<LastSyncChanges>> {
        let Some(sync) = self
            .store
            .changes_by_sync(rt.id(), SYNCS_SHOWN)?
            .into_iter()
            .find(|s| s.state == SyncState::Done)
        else {
            return Ok(None);
        };
        let permission_changes = self
            .store
            .changes_list(
                rt.id(),
                &ChangeQuery {
                    sync_run_id: Some(sync.sync_run_id),
                    kind: Some(ChangeKind::Permissions),
                    limit: PERMISSION_CHANGES,
                    ..Default::default()
                },
            )?
            .rows;
        Ok(Some(LastSyncChanges {
            sync,
            permission_changes,
        }))
    }
}
