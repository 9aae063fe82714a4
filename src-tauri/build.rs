// Only our own commands get ACL permissions generated (`allow-<cmd>`); capabilities/ grant them
// one by one, so the UI can call nothing it was not given.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&wxopen_console_commands::COMMANDS),
    ))
    .expect("failed to run tauri-build");
}

// Kept in one place so build.rs and the capability file cannot drift apart unnoticed: the
// `capabilities_grant_every_command` test checks the capability file against this list.
#[path = "src/commands/names.rs"]
mod wxopen_console_commands;
