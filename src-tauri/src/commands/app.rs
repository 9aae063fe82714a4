use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use tauri::State;
use wxopen_core::app_info::AppInfo;

use crate::commands::error::CmdResult;
use crate::state::AppState;

/// Line printed on stdout when the UI has rendered: `make run` waits for it before taking its
/// screenshot (polling pixels would race the first paint of the fonts).
pub const UI_READY_LINE: &str = "WXOPEN_UI_READY";
/// Printed once when the authorizer table first shows rows: the startup benchmark stops its
/// clock there.
pub const TABLE_PAINTED_LINE: &str = "WXOPEN_TABLE_PAINTED";

static UI_READY_SEEN: AtomicBool = AtomicBool::new(false);
static TABLE_PAINTED_SEEN: AtomicBool = AtomicBool::new(false);

fn print_once(seen: &AtomicBool, line: &str) {
    if !seen.swap(true, Ordering::SeqCst) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// Version, data directory and whether the OS keychain answers. Async, so the keychain probe
/// runs off the main thread; a keychain that does not answer in time is an error (`keychain`
/// code, with what to check), not a frozen window.
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> CmdResult<AppInfo> {
    let (secrets, timeout) = state.keychain();
    let info = wxopen_core::app_info::app_info(state.data_dir.clone(), secrets, timeout).await?;
    Ok(info)
}

/// Called once by the UI after its first complete paint.
#[tauri::command]
#[specta::specta]
pub fn ui_ready() {
    print_once(&UI_READY_SEEN, UI_READY_LINE);
}

/// Called by the UI after the first page of authorizers is painted.
#[tauri::command]
#[specta::specta]
pub fn ui_table_painted() {
    print_once(&TABLE_PAINTED_SEEN, TABLE_PAINTED_LINE);
}
