//! The shell's own hardening: the sync slot survives a panicking sync, the log dir is private.

use std::os::unix::fs::PermissionsExt;

use wxopen_console_lib::{open_console, secure_log_dir, AppState};

#[test]
fn a_panic_during_a_sync_frees_the_sync_slot() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().to_path_buf(), open_console(dir.path()));
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _slot = state.sync_begin().expect("the slot is free");
        assert!(state.sync_running());
        assert!(state.sync_begin().is_none(), "one sync at a time");
        panic!("a sync that panics");
    }));
    assert!(panicked.is_err());
    assert!(!state.sync_running(), "the panic freed the slot");
    let slot = state.sync_begin();
    assert!(slot.is_some(), "the next sync starts");
    // Cancelling reaches the running sync through its token.
    assert!(state.sync_cancel());
    assert!(slot.unwrap().cancel_token().is_cancelled());
    assert!(!state.sync_running());
}

#[test]
fn the_log_dir_is_made_private_even_when_the_log_plugin_made_it_first() {
    let root = tempfile::tempdir().unwrap();
    let logs = root.path().join("logs");
    // As tauri-plugin-log leaves it: created with the default mode, a log file inside.
    std::fs::create_dir(&logs).unwrap();
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(logs.join("WxOpen Console.log"), "started\n").unwrap();
    secure_log_dir(&logs);
    let mode = std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert!(logs.join("WxOpen Console.log").exists(), "the logs stay");
    // A dir that does not exist yet is made private from the start.
    let fresh = root.path().join("x/logs");
    secure_log_dir(&fresh);
    assert_eq!(
        std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
        0o700
    );
}
