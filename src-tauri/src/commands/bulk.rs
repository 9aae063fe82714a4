//! Bulk jobs over a selection of authorizers: the dry run, the job (created once confirmed),
//! its run with progress through a channel, pause, cancel, resume, and its result table.

use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;
use wxopen_core::service::bulk::{suggested_results_path, BulkPlan, BulkRequest};
use wxopen_core::service::bulk_run::{BulkHooks, BulkOutcome, BulkProgress, BulkProgressFn};
use wxopen_core::service::{now, CancelToken};
use wxopen_core::store::bulk_jobs::{BulkItemRow, BulkJobRow};

use super::error::CmdResult;
use crate::state::AppState;

/// How many accounts `request` acts on, how many it skips and why; nothing stored or sent.
#[tauri::command]
#[specta::specta]
pub async fn bulk_plan(state: State<'_, AppState>, request: BulkRequest) -> CmdResult<BulkPlan> {
    let (console, rt) = state.selected().await?;
    Ok(console.bulk_plan(&rt, &request)?)
}

/// Creates the job; one that writes to WeChat needs `confirmed` (the window asked once,
/// naming the count).
#[tauri::command]
#[specta::specta]
pub async fn bulk_create(
    state: State<'_, AppState>,
    request: BulkRequest,
    confirmed: bool,
) -> CmdResult<BulkJobRow> {
    let (console, rt) = state.selected().await?;
    Ok(console.bulk_create(&rt, &request, confirmed)?.1)
}

/// Runs (or resumes) a job until it is done or paused (`bulk_pause`), progress to `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn bulk_run(
    state: State<'_, AppState>,
    id: i64,
    on_progress: Channel<BulkProgress>,
) -> CmdResult<BulkOutcome> {
    let (console, rt) = state.selected().await?;
    let progress: BulkProgressFn = Arc::new(move |p: &BulkProgress| {
        // A closed window drops the channel: the job goes on.
        let _ = on_progress.send(p.clone());
    });
    let hooks = BulkHooks {
        progress: Some(progress),
        item: None,
    };
    Ok(console.bulk_run(&rt, id, hooks, CancelToken::new()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn bulk_pause(state: State<'_, AppState>, id: i64) -> CmdResult<BulkJobRow> {
    let (console, rt) = state.selected().await?;
    Ok(console.bulk_pause(&rt, id)?)
}

#[tauri::command]
#[specta::specta]
pub async fn bulk_cancel(state: State<'_, AppState>, id: i64) -> CmdResult<BulkJobRow> {
    let (console, rt) = state.selected().await?;
    Ok(console.bulk_cancel(&rt, id)?)
}

/// The profile's jobs, newest first.
#[tauri::command]
#[specta::specta]
pub async fn bulk_jobs(state: State<'_, AppState>, limit: u32) -> CmdResult<Vec<BulkJobRow>> {
    let (console, rt) = state.selected().await?;
    Ok(console.bulk_jobs(&rt, limit)?)
}

/// A page of a job's result table (accounts after `after_seq`).
#[tauri::command]
#[specta::specta]
pub async fn bulk_results(
    state: State<'_, AppState>,
    id: i64,
    after_seq: i64,
    limit: u32,
) -> CmdResult<Vec<BulkItemRow>> {
    let (console, rt) = state.selected().await?;
    Ok(console.bulk_results_page(&rt, id, after_seq, limit)?)
}

/// Writes the job's result table as CSV (UTF-8 with BOM) to `path`; answers the rows written.
#[tauri::command]
#[specta::specta]
pub async fn bulk_results_csv(state: State<'_, AppState>, id: i64, path: String) -> CmdResult<u32> {
    let (console, rt) = state.selected().await?;
    Ok(console.bulk_results_csv(&rt, id, &path)? as u32)
}

/// Where the results CSV goes unless the user types another path.
#[tauri::command]
#[specta::specta]
pub async fn bulk_results_path(id: i64) -> CmdResult<String> {
    Ok(suggested_results_path(id, now()))
}
