//! Least privilege: the main window may call exactly our registered commands, nothing more.

use std::collections::BTreeSet;

use wxopen_console_lib::commands::names::COMMANDS;

#[test]
fn capabilities_grant_every_command_and_nothing_else() {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/capabilities/main.json"
    ))
    .unwrap();
    let cap: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .expect("permissions array")
        .iter()
        .map(|p| {
            p.as_str()
                .expect("plain permission identifiers")
                .to_string()
        })
        .collect();
    let ours: BTreeSet<String> = COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    // Plugin permissions the UI really uses are listed here as they are added.
    let plugins: BTreeSet<String> = ["clipboard-manager:allow-write-text"]
        .into_iter()
        .map(String::from)
        .collect();
    let expected: BTreeSet<String> = ours.union(&plugins).cloned().collect();
    assert_eq!(granted, expected);
}

#[test]
fn csp_is_strict() {
    let raw =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap();
    let conf: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let csp = &conf["app"]["security"]["csp"];
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(
        csp["script-src"], "'self'",
        "no remote scripts, no unsafe-eval"
    );
    assert_eq!(csp["connect-src"], "ipc: http://ipc.localhost", "IPC only");
    assert_eq!(csp["object-src"], "'none'");
    let all = csp.to_string();
    assert!(!all.contains("unsafe-eval"), "{all}");
    assert!(!all.contains("https:"), "no remote origins: {all}");
}
