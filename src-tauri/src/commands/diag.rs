//! Diagnostics: a failed call's rid looked up from Activity, and one authorizer's API quota.

use tauri::State;
use wxopen_core::service::diag::{
    AuthorizerApiQuota, AuthorizerQuotaCleared, AuthorizerQuotaResets, RidLookup,
};

use super::error::CmdResult;
use crate::state::AppState;

/// The request WeChat saw behind `rid` (`appid`: the authorizer whose token made the call, when
/// the Activity row does not tell).
#[tauri::command]
#[specta::specta]
pub async fn rid_lookup(
    state: State<'_, AppState>,
    rid: String,
    appid: Option<String>,
) -> CmdResult<RidLookup> {
    let (console, rt) = state.selected().await?;
    Ok(console.rid_lookup(&rt, &rid, appid.as_deref()).await?)
}

/// Today's quota of `cgi_path` for one authorizer.
#[tauri::command]
#[specta::specta]
pub async fn authorizer_api_quota(
    state: State<'_, AppState>,
    appid: String,
    cgi_path: String,
) -> CmdResult<AuthorizerApiQuota> {
    let (console, rt) = state.selected().await?;
    Ok(console.authorizer_api_quota(&rt, &appid, &cgi_path).await?)
}

/// This month's quota resets of one authorizer.
#[tauri::command]
#[specta::specta]
pub async fn authorizer_quota_resets(
    state: State<'_, AppState>,
    appid: String,
) -> CmdResult<AuthorizerQuotaResets> {
    let (console, rt) = state.selected().await?;
    Ok(console.authorizer_quota_resets(&rt, &appid)?)
}

/// Clears one authorizer's quota (one of its 10 monthly resets: the UI confirms first).
#[tauri::command]
#[specta::specta]
pub async fn authorizer_clear_quota(
    state: State<'_, AppState>,
    appid: String,
) -> CmdResult<AuthorizerQuotaCleared> {
    let (console, rt) = state.selected().await?;
    Ok(console.authorizer_clear_quota(&rt, &appid).await?)
}
