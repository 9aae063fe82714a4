//! What happened: the pushes applied (messages) and the API calls made (the audit log), and
//! how long they are kept.

use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::audit::{AuditPage, AuditQuery, PRUNE_BATCH};
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

/// The `settings` key of [`Console::history_retention_days`].
pub const HISTORY_RETENTION_KEY: &str = "history_retention_days";
/// Days of audit log and messages kept when the setting is absent.
pub const DEFAULT_HISTORY_RETENTION_DAYS: u32 = 90;
/// The longest retention accepted (a hundred years: "keep it all" is 0).
pub const MAX_HISTORY_RETENTION_DAYS: u32 = 36_500;

/// What [`Console::prune_history`] deleted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PruneReport {
    /// The retention in force (0: nothing is pruned).
    pub retention_days: u32,
    /// Rows older than this (Unix seconds) were deleted; `None` when nothing is pruned.
    pub cutoff: Option<i64>,
    pub audit_deleted: u64,
    pub messages_deleted: u64,
}

impl Console {
    /// Days of audit log and message history kept ([`DEFAULT_HISTORY_RETENTION_DAYS`] unless
    /// set; 0 keeps everything). An unreadable stored value counts as the default.
    pub fn history_retention_days(&self) -> CoreResult<u32> {
        let stored = self.store.setting_get(HISTORY_RETENTION_KEY)?;
        Ok(stored
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|d| *d <= MAX_HISTORY_RETENTION_DAYS)
            .unwrap_or(DEFAULT_HISTORY_RETENTION_DAYS))
    }

    /// Sets the retention (0: keep everything); the next prune applies it.
    pub fn set_history_retention_days(&self, days: u32) -> CoreResult<u32> {
        if days > MAX_HISTORY_RETENTION_DAYS {
            return Err(CoreError::InvalidInput(format!(
                "a history retention of {days} days is more than {MAX_HISTORY_RETENTION_DAYS}: give a number of days up to that, or 0 to keep everything"
            )));
        }
        self.store
            .setting_set(HISTORY_RETENTION_KEY, &days.to_string())?;
        Ok(days)
    }

    /// Deletes audit log entries and messages older than the retention, a batch per short
    /// transaction on the blocking pool, so that other writers are never held up long. The app
    /// runs it in the background at start; `wxopen maintenance prune` on demand.
    pub async fn prune_history(&self) -> CoreResult<PruneReport> {
        let days = self.history_retention_days()?;
        let mut report = PruneReport {
            retention_days: days,
            cutoff: None,
            audit_deleted: 0,
            messages_deleted: 0,
        };
        if days == 0 {
            return Ok(report);
        }
        let cutoff = now() - i64::from(days) * 86_400;
        report.cutoff = Some(cutoff);
        // Entries still queued are written first, so none is left behind a finished prune.
        self.flush();
        loop {
            let store = self.store.clone();
            let (audit, messages) = tokio::task::spawn_blocking(move || {
                Ok::<_, crate::store::StoreError>((
                    store.audit_prune_batch(cutoff, PRUNE_BATCH)?,
                    store.messages_prune_batch(cutoff, PRUNE_BATCH)?,
                ))
            })
            .await
            .map_err(|e| CoreError::Internal(format!("history pruning: {e}")))??;
            report.audit_deleted += audit as u64;
            report.messages_deleted += messages as u64;
            if audit < PRUNE_BATCH && messages < PRUNE_BATCH {
                return Ok(report);
            }
        }
    }
}
