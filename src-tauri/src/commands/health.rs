//! The Health page: what needs attention on the selected profile (no WeChat call).

use tauri::State;
use wxopen_core::service::health::HealthReport;

use super::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn health(state: State<'_, AppState>) -> CmdResult<HealthReport> {
    let (console, rt) = state.selected().await?;
    Ok(console.health(&rt).await?)
}
