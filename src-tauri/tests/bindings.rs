//! `ui/src/bindings.ts` is generated from the Rust commands; this test regenerates it and fails
//! when the committed file is stale. `UPDATE_BINDINGS=1` (or `make bindings`) rewrites it.

use std::path::Path;

#[test]
fn committed_bindings_match_the_rust_commands() {
    let committed_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(wxopen_console_lib::BINDINGS_PATH);
    let tmp = tempfile::tempdir().unwrap();
    let fresh_path = tmp.path().join("bindings.ts");
    wxopen_console_lib::specta_builder::<tauri::Wry>()
        .export(wxopen_console_lib::typescript(), &fresh_path)
        .expect("export TypeScript bindings");
    let fresh = std::fs::read_to_string(&fresh_path).unwrap();
    assert!(
        fresh.contains("appInfo"),
        "the export lost the app_info command:\n{fresh}"
    );

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed_path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `make bindings` and commit it",
        committed_path.display()
    );
}
