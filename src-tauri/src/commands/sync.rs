//! The authorizer sync, streamed to the window through a channel.

use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;
use wxopen_core::service::sync::{SyncOptions, SyncOutcome, SyncProgress};
use wxopen_core::store::sync_runs::SyncRunRow;

use super::error::{CmdResult, CommandError};
use crate::state::AppState;

/// Runs a sync to its end (done, failed or cancelled); progress goes to `on_progress`. One sync
/// at a time: a second call while one runs is refused.
#[tauri::command]
#[specta::specta]
pub async fn sync_start(
    state: State<'_, AppState>,
    options: SyncOptions,
    on_progress: Channel<SyncProgress>,
) -> CmdResult<SyncOutcome> {
    let (console, rt) = state.selected().await?;
    let slot = state
        .sync_begin()
        .ok_or_else(|| CommandError::refused("a sync is already running"))?;
    let progress: wxopen_core::service::sync::ProgressFn = Arc::new(move |p: &SyncProgress| {
        // A closed window drops the channel: the sync goes on and the next start resumes it.
        let _ = on_progress.send(p.clone());
    });
    let result = console
        .sync_authorizers(&rt, options, Some(progress), slot.cancel_token())
        .await;
    drop(slot);
    Ok(result?)
}

/// Asks the running sync to stop (it ends as `cancelled` and resumes next time).
#[tauri::command]
#[specta::specta]
pub async fn sync_cancel(state: State<'_, AppState>) -> CmdResult<bool> {
    Ok(state.sync_cancel())
}

/// The latest run of the selected profile, and whether one is running now.
#[tauri::command]
#[specta::specta]
pub async fn sync_latest(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    let (console, rt) = state.selected().await?;
    let latest = console.sync_latest(&rt)?;
    Ok(SyncStatus {
        latest,
        running: state.sync_running(),
    })
}

#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct SyncStatus {
    pub latest: Option<SyncRunRow>,
    pub running: bool,
}
