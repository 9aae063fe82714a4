//! Authorization links (授权链接) and completing an authorization.

use tauri::State;
use wxopen_core::service::authorizers::AuthorizerView;
use wxopen_core::service::links::{AuthLink, LinkRequest};

use super::error::CmdResult;
use crate::state::AppState;

/// A fresh pre_auth_code and both links (the redirect URI is remembered on the profile).
#[tauri::command]
#[specta::specta]
pub async fn link_create(state: State<'_, AppState>, request: LinkRequest) -> CmdResult<AuthLink> {
    let (console, rt) = state.selected().await?;
    Ok(console.link_create(&rt, request).await?)
}

/// `code_or_url`: the auth code, or the whole redirect URL WeChat sent the admin to.
#[tauri::command]
#[specta::specta]
pub async fn auth_complete(
    state: State<'_, AppState>,
    code_or_url: String,
) -> CmdResult<AuthorizerView> {
    let (console, rt) = state.selected().await?;
    Ok(console.auth_complete(&rt, &code_or_url).await?)
}
