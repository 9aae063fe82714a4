//! Push messages (消息), the audit log (活动) and the errcode table.

use tauri::State;
use wxopen_core::store::audit::{AuditPage, AuditQuery};
use wxopen_core::store::messages::{MessagePage, MessageQuery};
use wxopen_wechat::errcode::{explain, Explanation};

use super::error::CmdResult;
use crate::state::AppState;

/// The selected profile's pushes, newest first.
#[tauri::command]
#[specta::specta]
pub async fn messages_list(
    state: State<'_, AppState>,
    query: MessageQuery,
) -> CmdResult<MessagePage> {
    let (console, rt) = state.selected().await?;
    Ok(console.messages_list(&rt, &query)?)
}

/// The selected profile's API calls, newest first (pending records are written first).
#[tauri::command]
#[specta::specta]
pub async fn audit_list(state: State<'_, AppState>, query: AuditQuery) -> CmdResult<AuditPage> {
    let (console, rt) = state.selected().await?;
    Ok(console.audit_list(&rt, query)?)
}

/// An errcode in plain words (zh-CN and en), with the IP/rid pulled out of `errmsg`.
#[tauri::command]
#[specta::specta]
pub fn errcode_explain(errcode: i64, errmsg: Option<String>) -> Explanation {
    explain(errcode, errmsg.as_deref().unwrap_or_default())
}
