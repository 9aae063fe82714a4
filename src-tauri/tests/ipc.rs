//! Commands through Tauri's IPC layer without a window (mock runtime): names, argument casing and
//! the JSON the UI receives. The context is the real one (tauri.conf.json + capabilities), so the
//! ACL that guards the window guards these calls too.

use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

use wxopen_console_lib::{open_console, specta_builder, AppState};
use wxopen_core::secrets::{KeychainStatus, SecretName, SecretStore, SecretsError, Sensitive};

fn invoke(cmd: &str, data_dir: &std::path::Path) -> Result<serde_json::Value, serde_json::Value> {
    invoke_with(cmd, data_dir, serde_json::json!({}))
}

/// One mock app per call over the same data dir: every call also proves the state survives a
/// restart (it lives in the SQLite file and the keychain, not in the process).
fn invoke_with(
    cmd: &str,
    data_dir: &std::path::Path,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    // Each test process gets its own keychain service, so nothing touches real entries.
    std::env::set_var(
        "WXOPEN_KEYCHAIN_SERVICE",
        format!("wxopen-console-ipc-test-{}", std::process::id()),
    );
    invoke_on(
        AppState::new(data_dir.to_path_buf(), open_console(data_dir)),
        cmd,
        args,
    )
}

/// One call on a mock app managing `state`.
fn invoke_on(
    state: AppState,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let app = mock_builder()
        .invoke_handler(specta_builder::<tauri::test::MockRuntime>().invoke_handler())
        .manage(state)
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
            body: InvokeBody::Json(args),
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

/// A keychain whose probe blocks until the test lets it go (a hung Secret Service).
struct HungKeychain(std::sync::Mutex<std::sync::mpsc::Receiver<()>>);

impl SecretStore for HungKeychain {
    fn get(&self, _: &str, _: SecretName) -> Result<Option<Sensitive<String>>, SecretsError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: SecretName, _: &Sensitive<String>) -> Result<(), SecretsError> {
        Ok(())
    }
    fn delete(&self, _: &str, _: SecretName) -> Result<(), SecretsError> {
        Ok(())
    }
    fn probe(&self) -> KeychainStatus {
        let _ = self.0.lock().unwrap().recv();
        wxopen_core::secrets::probe()
    }
}

#[test]
fn app_info_with_a_hung_keychain_answers_a_keychain_error_with_what_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let (release, gate) = std::sync::mpsc::channel();
    let state = AppState::new(dir.path().to_path_buf(), open_console(dir.path())).with_keychain(
        Arc::new(HungKeychain(std::sync::Mutex::new(gate))),
        Duration::from_millis(50),
    );
    let err = invoke_on(state, "app_info", serde_json::json!({})).expect_err("no answer");
    assert_eq!(err["code"], "keychain", "{err}");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("did not answer within 0.05 s")),
        "{err}"
    );
    assert!(
        err["hint"]
            .as_str()
            .is_some_and(|h| h.contains("gnome-keyring/KWallet running and unlocked")),
        "{err}"
    );
    release.send(()).unwrap();
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

#[test]
fn invalid_profile_input_answers_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = invoke_with(
        "profile_add",
        dir.path(),
        serde_json::json!({"input": {"name": "p", "component_appid": "not-an-appid"}}),
    )
    .expect_err("an invalid appid is refused");
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("not-an-appid"),
        "{err}"
    );
    assert!(
        err.get("hint").is_some() && err.get("explanation").is_some(),
        "{err}"
    );
}

#[test]
fn errcode_explain_pulls_the_ip_out_of_a_61004_errmsg() {
    let dir = tempfile::tempdir().unwrap();
    let x = invoke_with(
        "errcode_explain",
        dir.path(),
        serde_json::json!({"errcode": 61004, "errmsg": "access clientip is not registered requestIP: 175.11.201.147 rid: 5f92a0c3-4b491949-0aa4f69d"}),
    )
    .expect("explained");
    assert_eq!(x["client_ip"], "175.11.201.147", "{x}");
    assert_eq!(x["known"], true, "{x}");
    assert!(!x["zh"].as_str().unwrap().is_empty() && !x["en"].as_str().unwrap().is_empty());
}

#[test]
fn sandbox_profile_through_ipc_stores_secrets_in_the_keychain_only() {
    let dir = tempfile::tempdir().unwrap();
    let view = invoke_with("profile_add_sandbox", dir.path(), serde_json::json!({}))
        .expect("sandbox profile");
    assert_eq!(view["is_sandbox"], true, "{view}");
    assert_eq!(view["selected"], true, "{view}");
    for s in ["appsecret", "token", "encoding_aes_key"] {
        assert_eq!(view["secrets"][s]["set"], true, "{s}: {view}");
    }
    // A new app over the same data dir sees the profile and the ticket the sandbox issued.
    let list = invoke_with("profiles_list", dir.path(), serde_json::json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let ticket = invoke_with("ticket_status", dir.path(), serde_json::json!({})).unwrap();
    assert_eq!(ticket["valid"], true, "{ticket}");
    // No secret value crosses IPC: the answer only has masked tails.
    let text = view.to_string();
    assert!(!text.contains("encoding_aes_key\":\""), "{text}");
    let page = invoke_with(
        "authorizers_search",
        dir.path(),
        serde_json::json!({"query": {"limit": 10}}),
    )
    .unwrap();
    assert_eq!(page["total"], 0, "nothing synced yet: {page}");
    // Clean up the keychain entries of this test's service.
    invoke_with(
        "profile_remove",
        dir.path(),
        serde_json::json!({"name": "sandbox"}),
    )
    .unwrap();
}

/// A `redis-server` of this test's own (a free loopback port, no persistence), stopped on drop.
struct Redis {
    child: std::process::Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (Debian: redis-server; make test's bootstrap installs it)");
        let redis = Redis { child, port };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not start"
            );
            std::thread::yield_now();
        }
        redis
    }

    /// `redis-cli ARGS`, with `value` appended from stdin (`-x`): no token in argv.
    fn cli(&self, args: &[&str], value: Option<&str>) -> String {
        use std::io::Write as _;
        let mut c = std::process::Command::new("redis-cli");
        c.args(["-p", &self.port.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        if value.is_some() {
            c.arg("-x");
        }
        let mut child = c
            .args(args)
            .spawn()
            .expect("redis-cli (Debian: redis-tools)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(value.unwrap_or("").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "redis-cli {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A shared profile over IPC: the keys come from the core, *Test* reads them (tails, never
/// values), *Test connection* borrows instead of fetching, and a refresh that would write to the
/// backend's store is refused unless the window says the operator confirmed it.
#[test]
fn shared_profile_borrows_and_refuses_an_unconfirmed_refresh() {
    const APPID: &str = "wx0123456789abcdef";
    const TOKEN: &str = "backend-component-token-0123456789-zq81";
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start();
    let key = format!("wechat_component_access_token:{APPID}");
    redis.cli(
        &[
            "PSETEX",
            &format!("wechat_component_verify_ticket:{APPID}"),
            "2147483647000",
        ],
        Some("backend-ticket-5566"),
    );
    redis.cli(&["SETEX", &key, "7000"], Some(TOKEN));
    let source = serde_json::json!({
        "kind": "redis",
        "url": format!("redis://127.0.0.1:{}/0", redis.port),
        "layout": {"kind": "preset", "preset": "wxjava", "prefix": null},
        "writes": true,
        "ca_file": null,
    });
    let call = |cmd: &str, args: serde_json::Value| invoke_with(cmd, dir.path(), args);

    let keys = call(
        "shared_keys",
        serde_json::json!({"componentAppid": APPID, "source": source, "authorizer": null}),
    )
    .expect("keys");
    assert_eq!(keys[1]["item"], "component_token", "{keys}");
    assert_eq!(keys[1]["key"], key.as_str(), "{keys}");
    assert_eq!(
        keys[2]["key"],
        format!("wechat_authorizer_access_token:{APPID}:{{authorizer_appid}}"),
        "{keys}"
    );

    // Port 9 (discard) answers nothing: any fetch from WeChat would fail the test.
    let view = call(
        "profile_add",
        serde_json::json!({"input": {
            "name": "prod", "component_appid": APPID, "api_base": "http://127.0.0.1:9",
            "proxy": null, "appsecret": "s3cret", "token": null, "encoding_aes_key": null,
            "shared": {"source": source, "redis_password": null, "header_value": null},
        }}),
    )
    .expect("shared profile");
    assert_eq!(view["token_source"], "shared", "{view}");
    call("profile_select", serde_json::json!({"name": "prod"})).unwrap();

    let report = call(
        "shared_test",
        serde_json::json!({"profile": null, "authorizer": null}),
    )
    .expect("test");
    assert_eq!(report["reachable"], true, "{report}");
    assert_eq!(report["keys"][1]["present"], true, "{report}");
    assert_eq!(report["keys"][1]["tail"], "••••zq81", "{report}");
    assert!(!report.to_string().contains(TOKEN), "{report}");

    let tested = call(
        "profile_test_connection",
        serde_json::json!({"name": "prod"}),
    )
    .expect("a shared profile's test borrows the backend's token");
    assert_eq!(tested["tail"], "••••zq81", "{tested}");
    assert_eq!(tested["shared"]["component_key"], key.as_str(), "{tested}");

    for (cmd, args) in [
        (
            "component_token_refresh",
            serde_json::json!({"confirmed": false}),
        ),
        (
            "authorizer_token_refresh",
            serde_json::json!({"appid": "wx2222222222222222", "confirmed": false}),
        ),
    ] {
        let err = call(cmd, args).expect_err("an unconfirmed refresh on a shared profile");
        assert_eq!(err["code"], "refused", "{cmd}: {err}");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("every service that reads that key switches to it"),
            "{cmd}: {err}"
        );
    }
    // Nothing was written to the backend's store.
    assert_eq!(redis.cli(&["GET", &key], None), TOKEN);
    assert_eq!(redis.cli(&["KEYS", "*ock*"], None), "");

    // The form's Test of settings not saved yet: another appid, whose keys the backend lacks.
    let other = call(
        "shared_test_settings",
        serde_json::json!({
            "componentAppid": "wx1111111111111111",
            "shared": {"source": source, "redis_password": null, "header_value": null},
            "authorizer": null,
        }),
    )
    .expect("a report");
    let missing = &other["keys"][1];
    assert_eq!(missing["present"], false, "{other}");
    assert_eq!(missing["error"]["code"], "shared_store", "{other}");
    assert!(
        missing["error"]["message"]
            .as_str()
            .unwrap()
            .contains("wechat_component_access_token:wx1111111111111111"),
        "{other}"
    );
    assert!(missing["error"]["hint"].is_string(), "{other}");

    call("profile_remove", serde_json::json!({"name": "prod"})).unwrap();
}
