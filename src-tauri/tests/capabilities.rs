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
    // Images are the one exception: avatars and QR codes come from the sandbox simulator on
    // loopback and, in production, from WeChat's two image hosts. Exactly those, nothing else.
    assert_eq!(
        csp["img-src"],
        "'self' data: blob: http://127.0.0.1:* http://wx.qlogo.cn https://wx.qlogo.cn \
         http://mmbiz.qpic.cn https://mmbiz.qpic.cn",
        "images: self, inline, loopback and WeChat's image hosts only"
    );
    let all = csp.to_string();
    assert!(!all.contains("unsafe-eval"), "{all}");
    // Every other directive may only name local sources (connect-src is pinned to IPC above).
    let local = ["'self'", "'none'", "'unsafe-inline'", "data:", "blob:"];
    let directives = csp.as_object().expect("csp is an object of directives");
    for (name, value) in directives {
        if name == "img-src" || name == "connect-src" {
            continue;
        }
        let value = value.as_str().expect("directive values are strings");
        for source in value.split_whitespace() {
            assert!(
                local.contains(&source),
                "no remote origins outside img-src: {name} = {value}"
            );
        }
    }
}

/// The commands `collect_commands!` registers (read from the bindings it generates) are exactly
/// the list build.rs grants permissions for: a command added to one and not the other fails
/// here, not at run time with a denied call.
#[test]
fn registered_commands_are_the_permission_list() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bindings.ts");
    wxopen_console_lib::specta_builder::<tauri::Wry>()
        .export(wxopen_console_lib::typescript(), &path)
        .expect("export TypeScript bindings");
    let ts = std::fs::read_to_string(&path).unwrap();
    let marker = "__TAURI_INVOKE";
    let registered: BTreeSet<String> = ts
        .match_indices(marker)
        .filter_map(|(i, _)| {
            // `__TAURI_INVOKE<T>("name"` or `__TAURI_INVOKE("name"`
            let rest = &ts[i + marker.len()..];
            let open = rest.find("(\"")?;
            if rest[..open].contains('\n') {
                return None;
            }
            let name = &rest[open + 2..];
            Some(name[..name.find('"')?].to_string())
        })
        .collect();
    let listed: BTreeSet<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
    assert_eq!(registered.len(), COMMANDS.len(), "{registered:?}");
    assert_eq!(registered, listed);
}
