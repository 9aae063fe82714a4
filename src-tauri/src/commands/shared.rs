//! Team mode (共享令牌): what a shared profile reads from its backend's store, tested from the
//! form before saving or on the saved profile. Nothing here writes to the store.

use tauri::State;
use wxopen_core::service::profiles::SharedInput;
use wxopen_core::service::shared_tokens::{SharedKey, SharedTest};
use wxopen_core::service::ProfileRt;
use wxopen_core::shared_store::SharedSource;
use wxopen_core::store::profiles::TokenSourceKind;

use super::error::{CmdResult, CommandError};
use crate::state::AppState;

/// *Test* on a saved shared profile (`profile`: by name, else the selected one): each key's
/// presence, TTL and masked tail, never a value.
#[tauri::command]
#[specta::specta]
pub async fn shared_test(
    state: State<'_, AppState>,
    profile: Option<String>,
    authorizer: Option<String>,
) -> CmdResult<SharedTest> {
    let console = state.console()?;
    let rt = console.profile(profile.as_deref()).await?;
    Ok(console.shared_test(&rt, authorizer.as_deref()).await?)
}

/// *Test* of the form's settings before they are saved (the secrets given, else the stored ones).
#[tauri::command]
#[specta::specta]
pub async fn shared_test_settings(
    state: State<'_, AppState>,
    component_appid: String,
    shared: SharedInput,
    authorizer: Option<String>,
) -> CmdResult<SharedTest> {
    let console = state.console()?;
    Ok(console
        .shared_test_settings(&component_appid, &shared, authorizer.as_deref())
        .await?)
}

/// The exact keys (or token API URLs) these settings read for `component_appid`.
#[tauri::command]
#[specta::specta]
pub async fn shared_keys(
    state: State<'_, AppState>,
    component_appid: String,
    source: SharedSource,
    authorizer: Option<String>,
) -> CmdResult<Vec<SharedKey>> {
    let console = state.console()?;
    Ok(console.shared_keys(&component_appid, &source, authorizer.as_deref())?)
}

/// A refresh on a shared profile replaces the token every service of the backend reads: it runs
/// only when the window says the operator confirmed that (a stray call must not do it).
pub fn confirm_shared_refresh(rt: &ProfileRt, confirmed: bool) -> Result<(), CommandError> {
    if rt.profile.token_source == TokenSourceKind::Shared && !confirmed {
        return Err(CommandError::refused(
            "a refresh on a shared profile writes a new token to the backend's store, and every service that reads that key switches to it: confirm it in the window first",
        ));
    }
    Ok(())
}
