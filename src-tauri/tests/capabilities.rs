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
    // No inline <style> elements (the CSS-injection vector); style attributes stay allowed,
    // because TDesign measures autosized textareas and radio groups with them (README,
    // "Security model of the window").
    assert_eq!(csp["style-src"], "'self'");
    assert_eq!(csp["style-src-attr"], "'unsafe-inline'");
    for (name, value) in csp.as_object().expect("directives") {
        if name != "style-src-attr" {
            assert!(!value.to_string().contains("unsafe-inline"), "{name}");
        }
    }
    assert_eq!(csp["object-src"], "'none'");
    // Images: WeChat's two image hosts over https only (the UI rewrites their http:// URLs), and
    // the simulator's images through the shell's `wxsandbox:` protocol (`http://wxsandbox.localhost`
    // is that protocol's form on Windows), which fetches from the running simulator's port only.
    assert_eq!(
        csp["img-src"],
        "'self' data: blob: https://wx.qlogo.cn https://mmbiz.qpic.cn wxsandbox: \
         http://wxsandbox.localhost",
        "images: self, inline, WeChat's image hosts and the simulator protocol only"
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

/// No directive names a cleartext network host: the only `http:` sources are the Windows forms of
/// Tauri's own protocols (IPC, and our simulator-image protocol), never loopback ports or CDNs.
#[test]
fn csp_names_no_cleartext_host() {
    let raw =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap();
    let conf: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let protocol_forms = ["http://ipc.localhost", "http://wxsandbox.localhost"];
    let directives = conf["app"]["security"]["csp"]
        .as_object()
        .expect("csp is an object of directives");
    for (name, value) in directives {
        for source in value.as_str().expect("string values").split_whitespace() {
            let cleartext = source.starts_with("http:") || source.starts_with("ws:");
            assert!(
                !cleartext || protocol_forms.contains(&source),
                "{name} allows the cleartext source {source}"
            );
            assert!(!source.contains("127.0.0.1"), "{name}: {source}");
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
