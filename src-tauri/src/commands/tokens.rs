//! Ticket & tokens (票据与令牌): the verify ticket, pushes, the component token, quota.

use serde::Deserialize;
use tauri::State;
use wxopen_core::error::CoreError;
use wxopen_core::service::push::PushApplied;
use wxopen_core::service::quota::{QuotaCleared, QuotaStatus};
use wxopen_core::service::ticket::TicketStatus;
use wxopen_core::service::tokens::ComponentTokenStatus;
use wxopen_wechat::push::PushQuery;

use super::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn ticket_status(state: State<'_, AppState>) -> CmdResult<TicketStatus> {
    let (console, rt) = state.selected().await?;
    Ok(console.ticket_status(&rt).await?)
}

/// A pasted `component_verify_ticket` (trimmed, validated).
#[tauri::command]
#[specta::specta]
pub async fn ticket_set(state: State<'_, AppState>, ticket: String) -> CmdResult<TicketStatus> {
    let (console, rt) = state.selected().await?;
    Ok(console.ticket_set(&rt, &ticket)?)
}

/// Asks WeChat (api_start_push_ticket) to push a fresh ticket to the platform's server.
#[tauri::command]
#[specta::specta]
pub async fn ticket_request_push(state: State<'_, AppState>) -> CmdResult<()> {
    let (console, rt) = state.selected().await?;
    Ok(console.ticket_request_push(&rt).await?)
}

/// An encrypted push as pasted: the XML body plus either the whole callback URL (or its query)
/// or the three parameters.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct PushInput {
    pub body: String,
    pub url: Option<String>,
    pub timestamp: Option<String>,
    pub nonce: Option<String>,
    pub msg_signature: Option<String>,
}

/// Verifies, decrypts and applies a push (a ticket is stored, an authorization recorded…).
#[tauri::command]
#[specta::specta]
pub async fn push_apply(state: State<'_, AppState>, input: PushInput) -> CmdResult<PushApplied> {
    let query = PushQuery::from_parts(
        input.url.as_deref(),
        input.timestamp.as_deref(),
        input.nonce.as_deref(),
        input.msg_signature.as_deref(),
    )
    .map_err(CoreError::from)?;
    let (console, rt) = state.selected().await?;
    Ok(console.push_apply(&rt, &input.body, &query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn component_token_status(state: State<'_, AppState>) -> CmdResult<ComponentTokenStatus> {
    let (console, rt) = state.selected().await?;
    Ok(console.component_token_status(&rt)?)
}

/// Drops the cached token and fetches a new one; on a shared profile, *Refresh in the shared
/// store*, only with `confirmed` (the window asked the operator).
#[tauri::command]
#[specta::specta]
pub async fn component_token_refresh(
    state: State<'_, AppState>,
    confirmed: bool,
) -> CmdResult<ComponentTokenStatus> {
    let (console, rt) = state.selected().await?;
    super::shared::confirm_shared_refresh(&rt, confirmed)?;
    Ok(console.refresh_component_token(&rt).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn quota_status(state: State<'_, AppState>) -> CmdResult<QuotaStatus> {
    let (console, rt) = state.selected().await?;
    Ok(console.quota_status(&rt)?)
}

/// Resets the platform's API call quota (10 a month: the UI confirms first).
#[tauri::command]
#[specta::specta]
pub async fn quota_clear(state: State<'_, AppState>) -> CmdResult<QuotaCleared> {
    let (console, rt) = state.selected().await?;
    Ok(console.quota_clear(&rt).await?)
}
