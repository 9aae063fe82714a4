//! Commands through Tauri's IPC layer without a window (mock runtime): names, argument casing and
//! the JSON the UI receives. The context is the real one (tauri.conf.json + capabilities), so the
//! ACL that guards the window guards these calls too.

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;
use wxopen_console_lib::{specta_builder, AppState};

fn invoke(cmd: &str, data_dir: &std::path::Path) -> Result<serde_json::Value, serde_json::Value> {
    let app = mock_builder()
        .invoke_handler(specta_builder::<tauri::test::MockRuntime>().invoke_handler())
        .manage(AppState {
            data_dir: data_dir.to_path_buf(),
        })
        .build(tauri::generate_context!(test = true))
        .expect("mock app");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("mock webview");
    get_ipc_response(
        &webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| {
        body.deserialize::<serde_json::Value>()
            .expect("JSON answer")
    })
}

#[test]
fn app_info_answers_with_version_data_dir_and_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let info = invoke("app_info", dir.path()).expect("app_info succeeds");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["data_dir"], dir.path().display().to_string());
    assert!(info["keychain"]["available"].is_boolean(), "{info}");
    assert!(
        info["keychain"]["backend"]
            .as_str()
            .is_some_and(|b| !b.is_empty()),
        "{info}"
    );
}

#[test]
fn ui_ready_answers_null() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        invoke("ui_ready", dir.path()).expect("ui_ready succeeds"),
        serde_json::Value::Null
    );
}

#[test]
fn unknown_commands_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    assert!(invoke("no_such_command", dir.path()).is_err());
}
