//! `wxopen sandbox serve --backend-redis`: the simulator plays the platform's backend in a real
//! `redis-server` (with a password, given in WXOPEN_REDIS_PASSWORD), read back with `redis-cli`;
//! then a shared profile of the `wxopen` CLI borrows from it: it syncs with the backend's token
//! and fetches none of its own. Run inside `scripts/session.sh` (the keychain).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use wxopen_core::secrets::KeyringStore;
use wxopen_core::service::profiles::{ProfileInput, SharedInput};
use wxopen_core::service::Console;
use wxopen_core::shared_store::{LayoutChoice, Preset, RedisSource, SharedSource};
use wxopen_core::store::Store;

const PASSWORD: &str = "play-backend-pw-5f3a9c";
const TOKEN_PATH: &str = "/cgi-bin/component/api_component_token";
const LIST_PATH: &str = "/cgi-bin/component/api_get_authorizer_list";
const INFO_PATH: &str = "/cgi-bin/component/api_get_authorizer_info";
const AUTH_TOKEN_PATH: &str = "/cgi-bin/component/api_authorizer_token";

/// A child process stopped on drop (redis-server, wxopen sandbox serve).
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn redis_server(port: u16) -> Proc {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--requirepass",
            PASSWORD,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server (Debian: redis-server; make test's bootstrap installs it)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::yield_now();
    }
    Proc(child)
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "--no-auth-warning"])
        .env("REDISCLI_AUTH", PASSWORD)
        .args(args)
        .output()
        .expect("redis-cli (Debian: redis-tools)");
    assert!(out.status.success(), "redis-cli {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn ttl(port: u16, key: &str) -> i64 {
    redis_cli(port, &["TTL", key]).parse().unwrap()
}

/// Starts `wxopen sandbox serve --json --backend-redis …` (checking its keys every second);
/// returns it, its first line (printed once the backend has written) and its later lines.
fn serve(redis_port: u16, layout: &str) -> (Proc, Value, mpsc::Receiver<String>) {
    let url = format!("redis://127.0.0.1:{redis_port}/0");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxopen"))
        .args([
            "sandbox",
            "serve",
            "--port",
            "0",
            "--json",
            "--authorizers",
            "40",
        ])
        .args(["--backend-redis", &url, "--backend-layout", layout])
        .args(["--backend-authorizers", "5", "--backend-check-secs", "1"])
        .env("WXOPEN_REDIS_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let proc = Proc(child);
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (proc, v, rx)
}

/// `GET` a guarded `/sandbox/*` route of the running simulator.
fn control(info: &Value, path_and_query: &str) -> Value {
    let url = format!("{}{path_and_query}", info["base_url"].as_str().unwrap());
    let token = info["control_token"].as_str().unwrap().to_owned();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async move {
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap()
                .get(url)
                .header("X-Sandbox-Token", token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
}

#[test]
fn serve_writes_the_wxjava_keys_with_their_ttls_refreshes_them_when_due_and_prints_no_value() {
    let port = free_port();
    let _redis = redis_server(port);
    let (serve, info, lines) = serve(port, "wxjava");
    let appid = info["component_appid"].as_str().unwrap();
    let backend = &info["backend"];
    assert_eq!(backend["layout"], "wxjava");
    let written = backend["written"].as_array().unwrap();
    let keys: Vec<&str> = written.iter().map(|k| k["key"].as_str().unwrap()).collect();
    // ticket + component token + 5 × (token, refresh token)
    assert_eq!(keys.len(), 12, "{keys:?}");
    let ct_key = format!("wechat_component_access_token:{appid}");
    let ticket_key = format!("wechat_component_verify_ticket:{appid}");
    assert!(keys.contains(&ct_key.as_str()) && keys.contains(&ticket_key.as_str()));

    let ct = redis_cli(port, &["GET", &ct_key]);
    assert!(
        ct.len() > 32 && !ct.starts_with('"'),
        "WxJava writes raw strings: {ct}"
    );
    assert!(
        (6990..=7000).contains(&ttl(port, &ct_key)),
        "expires_in - 200"
    );
    assert!(
        ttl(port, &ticket_key) > 2_147_483_000,
        "Integer.MAX_VALUE s"
    );
    for k in written.iter().filter(|k| k["authorizer_appid"].is_string()) {
        let key = k["key"].as_str().unwrap();
        let value = redis_cli(port, &["GET", key]);
        if key.starts_with("wechat_authorizer_refresh_token:") {
            assert_eq!(ttl(port, key), -1, "{key}: refresh tokens have no TTL");
            assert!(value.starts_with("refreshtoken@@@"), "{key}");
        } else {
            assert!(key.starts_with(&format!("wechat_authorizer_access_token:{appid}:wx")));
            assert!((6990..=7000).contains(&ttl(port, key)), "{key}");
            assert!(value.len() > 32, "{key}");
        }
        // Keys, never values, in what it printed.
        assert!(!info.to_string().contains(&value), "a value was printed");
    }
    assert!(!info.to_string().contains(&ct) && !info.to_string().contains(PASSWORD));
    // The tokens came from the simulator over HTTP: one component token, five exchanges.
    assert_eq!(
        control(&info, &format!("/sandbox/calls?path={TOKEN_PATH}"))["calls"],
        1
    );
    let exchanges = control(&info, &format!("/sandbox/calls?path={AUTH_TOKEN_PATH}"));
    assert_eq!(exchanges["calls"], 5);
    assert_eq!(
        exchanges["tokens"][&ct], 5,
        "with the component token it wrote"
    );

    // While it runs, a token whose key is about to expire is refreshed (the next check prints it).
    redis_cli(port, &["EXPIRE", &ct_key, "100"]);
    let line = lines
        .recv_timeout(Duration::from_secs(30))
        .expect("a refresh within 30 checks");
    let refreshed: Value = serde_json::from_str(&line).unwrap();
    let keys: Vec<&str> = refreshed["refreshed"]["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, [ticket_key.as_str(), ct_key.as_str()], "{line}");
    let new_ct = redis_cli(port, &["GET", &ct_key]);
    assert_ne!(new_ct, ct);
    assert!(!line.contains(&new_ct), "keys, never values");
    assert!((6990..=7000).contains(&ttl(port, &ct_key)));
    assert_eq!(
        control(&info, &format!("/sandbox/calls?path={TOKEN_PATH}"))["calls"],
        2
    );
    assert_eq!(
        redis_cli(port, &["EXISTS", "componentAccessTokenLock"]),
        "0"
    );
    drop(serve);
}

#[test]
fn a_wrong_redis_password_is_a_clear_error_and_nothing_is_served() {
    let port = free_port();
    let _redis = redis_server(port);
    let out = Command::new(env!("CARGO_BIN_EXE_wxopen"))
        .args([
            "sandbox",
            "serve",
            "--port",
            "0",
            "--json",
            "--authorizers",
            "3",
        ])
        .args(["--backend-redis", &format!("redis://127.0.0.1:{port}/0")])
        .args(["--backend-layout", "wxjava"])
        .env("WXOPEN_REDIS_PASSWORD", "not-the-password")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot play the backend"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing printed as if it ran");
    assert_eq!(redis_cli(port, &["DBSIZE"]), "0");

    let out = Command::new(env!("CARGO_BIN_EXE_wxopen"))
        .args([
            "sandbox",
            "serve",
            "--backend-redis",
            "redis://127.0.0.1:1/0",
        ])
        .args(["--backend-layout", "easywechat"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wxjava, wechatpy or silenceper"));
}

struct Cli {
    dir: tempfile::TempDir,
    service: String,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            service: format!(
                "wxopen-cli-backend-test-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_wxopen"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("WXOPEN_KEYCHAIN_SERVICE", &self.service)
            .env("WXOPEN_REDIS_PASSWORD", PASSWORD)
            .env_remove("WXOPEN_APPSECRET")
            .env_remove("WXOPEN_TOKEN")
            .env_remove("WXOPEN_AES_KEY")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let o = self.run(&full);
        assert!(
            o.status.success(),
            "wxopen {args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    }

    /// `profile add --token-source redis` exists once the CLI's team-mode flags are merged.
    fn has_shared_flags(&self) -> bool {
        let help = self.run(&["profile", "add", "--help"]);
        String::from_utf8_lossy(&help.stdout).contains("--token-source")
    }

    /// A shared profile on the backend's Redis: through the CLI's flags when it has them, else
    /// through the core API (the same `Console::profile_add` those flags call).
    fn add_shared_profile(&self, info: &Value, redis_port: u16, layout: &str) {
        let appid = info["component_appid"].as_str().unwrap();
        let base = info["base_url"].as_str().unwrap();
        let url = format!("redis://127.0.0.1:{redis_port}/0");
        if self.has_shared_flags() {
            self.ok(&[
                "profile",
                "add",
                "--name",
                "team",
                "--appid",
                appid,
                "--api-base",
                base,
                "--token-source",
                "redis",
                "--redis-url",
                &url,
                "--redis-layout",
                layout,
            ]);
            return;
        }
        let store = Store::open(self.dir.path()).unwrap();
        let console = Console::new(store, Arc::new(KeyringStore::with_service(&self.service)));
        console
            .profile_add(ProfileInput {
                name: "team".into(),
                component_appid: appid.into(),
                api_base: Some(base.into()),
                proxy: None,
                option_v2: false,
                appsecret: None,
                token: None,
                encoding_aes_key: None,
                shared: Some(SharedInput {
                    source: SharedSource::Redis(RedisSource {
                        url,
                        layout: LayoutChoice::Preset {
                            preset: Preset::parse(layout).unwrap(),
                            prefix: None,
                        },
                        writes: false,
                        ca_file: None,
                    }),
                    redis_password: Some(PASSWORD.into()),
                    header_value: None,
                }),
            })
            .unwrap();
    }
}

#[test]
fn a_shared_cli_profile_borrows_what_the_played_backend_wrote_wxjava() {
    borrows_what_the_played_backend_wrote("wxjava", |appid| {
        format!("wechat_component_access_token:{appid}")
    });
}

#[test]
fn a_shared_cli_profile_borrows_what_the_played_backend_wrote_wechatpy() {
    // JSON strings: the console must decode them (a raw read would send `"…"` as the token).
    borrows_what_the_played_backend_wrote("wechatpy", |appid| {
        format!("wechatpy:{appid}_component_access_token")
    });
}

fn borrows_what_the_played_backend_wrote(layout: &str, ct_key: fn(&str) -> String) {
    let port = free_port();
    let _redis = redis_server(port);
    let (serve, info, _lines) = serve(port, layout);
    let appid = info["component_appid"].as_str().unwrap();
    let stored = redis_cli(port, &["GET", &ct_key(appid)]);
    let ct = match layout {
        "wechatpy" => serde_json::from_str::<String>(&stored).unwrap(),
        _ => stored,
    };
    let cli = Cli::new();
    cli.add_shared_profile(&info, port, layout);

    let shown = cli.ok(&["--profile", "team", "token", "show"]);
    assert!(!shown.to_string().contains(&ct), "never the token itself");
    cli.ok(&["--profile", "team", "authorizers", "sync", "--details"]);

    // Only the backend ever fetched a token; every call of ours carried the backend's.
    assert_eq!(
        control(&info, &format!("/sandbox/calls?path={TOKEN_PATH}"))["calls"],
        1
    );
    for path in [LIST_PATH, INFO_PATH] {
        let calls = control(&info, &format!("/sandbox/calls?path={path}"));
        let n = calls["calls"].as_u64().unwrap();
        assert!(n > 0, "{path}");
        assert_eq!(
            calls["tokens"],
            serde_json::json!({ct.clone(): n}),
            "{path}"
        );
    }
    let details = control(&info, &format!("/sandbox/calls?path={INFO_PATH}"));
    assert_eq!(details["calls"], 40, "every seeded account's details");
    assert_eq!(
        control(&info, &format!("/sandbox/calls?path={AUTH_TOKEN_PATH}"))["calls"],
        5,
        "the backend's five exchanges, none of ours"
    );
    drop(serve);
}
