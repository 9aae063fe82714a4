//! Profiles (设置): one per third-party platform, plus the sandbox.

use tauri::State;
use wxopen_core::service::profiles::{ProfileEdit, ProfileInput, ProfileView};
use wxopen_core::service::tokens::ComponentTokenStatus;

use super::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn profiles_list(state: State<'_, AppState>) -> CmdResult<Vec<ProfileView>> {
    Ok(state.console()?.profile_list()?)
}

/// Secrets in `input` go to the keychain; the answer only says `set` and a masked tail.
#[tauri::command]
#[specta::specta]
pub async fn profile_add(
    state: State<'_, AppState>,
    input: ProfileInput,
) -> CmdResult<ProfileView> {
    Ok(state.console()?.profile_add(input)?)
}

/// Creates (or reuses) the sandbox profile, starts its simulator and selects it.
#[tauri::command]
#[specta::specta]
pub async fn profile_add_sandbox(state: State<'_, AppState>) -> CmdResult<ProfileView> {
    Ok(state.console()?.profile_try_sandbox().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn profile_edit(
    state: State<'_, AppState>,
    name: String,
    edit: ProfileEdit,
) -> CmdResult<ProfileView> {
    Ok(state.console()?.profile_edit(&name, edit)?)
}

/// Removes the profile, its cached data and its keychain entries.
#[tauri::command]
#[specta::specta]
pub async fn profile_remove(state: State<'_, AppState>, name: String) -> CmdResult<()> {
    Ok(state.console()?.profile_remove(&name)?)
}

#[tauri::command]
#[specta::specta]
pub async fn profile_select(state: State<'_, AppState>, name: String) -> CmdResult<ProfileView> {
    Ok(state.console()?.profile_select(&name)?)
}

/// Fetches a fresh component_access_token with the profile's secrets and ticket: the error (61004
/// with the caller IP, a bad secret, an expired ticket…) says what to fix. A shared profile
/// borrows the backend's token instead (fetching one would kill it).
#[tauri::command]
#[specta::specta]
pub async fn profile_test_connection(
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<ComponentTokenStatus> {
    let console = state.console()?;
    let rt = console.profile(Some(&name)).await?;
    Ok(console.test_connection(&rt).await?)
}
