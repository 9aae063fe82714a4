//! Authorizers (授权方): the cached table, one account's detail, its token, options and
//! open-platform binding.

use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;
use wxopen_core::service::authorizers::{AuthorizerView, OpenBinding};
use wxopen_core::service::changes::AuthorizerChanges;
use wxopen_core::service::export::{
    suggested_path, ExportFormat, ExportOutcome, ExportProgress, ExportProgressFn, ExportRequest,
};
use wxopen_core::service::now;
use wxopen_core::service::tokens::AuthorizerTokenStatus;
use wxopen_core::store::authorizers::{AuthorizerCounts, AuthorizerPage};
use wxopen_core::store::change_log::ChangeQuery;
use wxopen_core::store::options::OptionRow;
use wxopen_core::store::types::AuthorizerQuery;

use super::error::{CmdResult, CommandError};
use crate::state::AppState;

/// One page of the local cache (no network).
#[tauri::command]
#[specta::specta]
pub async fn authorizers_search(
    state: State<'_, AppState>,
    query: AuthorizerQuery,
) -> CmdResult<AuthorizerPage> {
    let (console, rt) = state.selected().await?;
    Ok(console.authorizers_search(&rt, &query)?)
}

#[tauri::command]
#[specta::specta]
pub async fn authorizers_counts(state: State<'_, AppState>) -> CmdResult<AuthorizerCounts> {
    let (console, rt) = state.selected().await?;
    Ok(console.authorizer_counts(&rt)?)
}

/// What the recent syncs saw change per account (no network).
#[tauri::command]
#[specta::specta]
pub async fn authorizer_changes(
    state: State<'_, AppState>,
    query: ChangeQuery,
) -> CmdResult<AuthorizerChanges> {
    let (console, rt) = state.selected().await?;
    Ok(console.authorizer_changes(&rt, &query)?)
}

/// The stored view (no network).
#[tauri::command]
#[specta::specta]
pub async fn authorizer_view(
    state: State<'_, AppState>,
    appid: String,
) -> CmdResult<AuthorizerView> {
    let (console, rt) = state.selected().await?;
    Ok(console.authorizer_view(&rt, &appid)?)
}

/// Re-reads the account's info from WeChat (api_get_authorizer_info).
#[tauri::command]
#[specta::specta]
pub async fn authorizer_fetch(
    state: State<'_, AppState>,
    appid: String,
) -> CmdResult<AuthorizerView> {
    let (console, rt) = state.selected().await?;
    Ok(console.authorizer_fetch(&rt, &appid).await?)
}

/// Refreshes the account's access token with its refresh token; on a shared profile, *Refresh
/// in the shared store*, only with `confirmed` (the window asked the operator).
#[tauri::command]
#[specta::specta]
pub async fn authorizer_token_refresh(
    state: State<'_, AppState>,
    appid: String,
    confirmed: bool,
) -> CmdResult<AuthorizerTokenStatus> {
    let (console, rt) = state.selected().await?;
    super::shared::confirm_shared_refresh(&rt, confirmed)?;
    Ok(console.refresh_authorizer_token(&rt, &appid).await?)
}

/// `location_report`, `voice_recognize` or `customer_service`, read from WeChat.
#[tauri::command]
#[specta::specta]
pub async fn option_get(
    state: State<'_, AppState>,
    appid: String,
    name: String,
) -> CmdResult<OptionRow> {
    let (console, rt) = state.selected().await?;
    Ok(console.option_get(&rt, &appid, &name).await?)
}

/// Sets the option, then reads it back from WeChat (the answer is what WeChat now holds).
#[tauri::command]
#[specta::specta]
pub async fn option_set(
    state: State<'_, AppState>,
    appid: String,
    name: String,
    value: String,
) -> CmdResult<OptionRow> {
    let (console, rt) = state.selected().await?;
    Ok(console
        .option_set_and_read(&rt, &appid, &name, &value)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn open_get(state: State<'_, AppState>, appid: String) -> CmdResult<OpenBinding> {
    let (console, rt) = state.selected().await?;
    Ok(console.open_get(&rt, &appid).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn open_create(state: State<'_, AppState>, appid: String) -> CmdResult<OpenBinding> {
    let (console, rt) = state.selected().await?;
    Ok(console.open_create(&rt, &appid).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn open_bind(
    state: State<'_, AppState>,
    appid: String,
    open_appid: String,
) -> CmdResult<OpenBinding> {
    let (console, rt) = state.selected().await?;
    Ok(console.open_bind(&rt, &appid, &open_appid).await?)
}

/// Refused by the core unless `confirm` is true (the UI's dialog names both ids first).
#[tauri::command]
#[specta::specta]
pub async fn open_unbind(
    state: State<'_, AppState>,
    appid: String,
    open_appid: String,
    confirm: bool,
) -> CmdResult<OpenBinding> {
    let (console, rt) = state.selected().await?;
    Ok(console
        .open_unbind(&rt, &appid, &open_appid, confirm)
        .await?)
}

/// Writes the whole filtered table (not the page) to a file; progress goes to `on_progress`.
/// One export at a time.
#[tauri::command]
#[specta::specta]
pub async fn authorizers_export(
    state: State<'_, AppState>,
    request: ExportRequest,
    on_progress: Channel<ExportProgress>,
) -> CmdResult<ExportOutcome> {
    let (console, rt) = state.selected().await?;
    let slot = state
        .export_begin()
        .ok_or_else(|| CommandError::refused("an export is already running"))?;
    let progress: ExportProgressFn = Arc::new(move |p: ExportProgress| {
        let _ = on_progress.send(p);
    });
    let result = console
        .authorizers_export_async(&rt, request, progress, slot.cancel_token())
        .await;
    drop(slot);
    Ok(result?)
}

/// Asks the running export to stop (no file is left); false when none runs.
#[tauri::command]
#[specta::specta]
pub async fn authorizers_export_cancel(state: State<'_, AppState>) -> CmdResult<bool> {
    Ok(state.export_cancel())
}

/// Where an export goes unless the user types another path (the Downloads folder).
#[tauri::command]
#[specta::specta]
pub async fn authorizers_export_path(format: ExportFormat) -> CmdResult<String> {
    Ok(suggested_path(format, now()))
}
