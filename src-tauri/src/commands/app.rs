use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use tauri::State;
use wxopen_core::app_info::AppInfo;

use crate::state::AppState;

/// Line printed on stdout when the UI has rendered: `make run` waits for it before taking its
/// screenshot (polling pixels would race the first paint of the fonts).
pub const UI_READY_LINE: &str = "WXOPEN_UI_READY";

static UI_READY_SEEN: AtomicBool = AtomicBool::new(false);

/// Version, data directory and whether the OS keychain answers.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    wxopen_core::app_info::app_info(state.data_dir.clone())
}

/// Called once by the UI after its first complete paint.
#[tauri::command]
#[specta::specta]
pub fn ui_ready() {
    if !UI_READY_SEEN.swap(true, Ordering::SeqCst) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{UI_READY_LINE}");
        let _ = out.flush();
    }
}
