//! Team mode in the real window: a shared profile that borrows its tokens from a backend's Redis
//! (a `redis-server` of this test's own), laid out as WxJava's Redis config storage writes it.
//! The "backend" fetches the component token from the app's simulator and writes it with its TTL;
//! the profile is made through the form, whose *Test* reads the keys; the header carries the
//! badge; a key the backend lost is an error naming it. Run with `make e2e`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use wxopen_e2e::simulator::Simulator;
use wxopen_e2e::Desktop;

/// The shared platform. The simulator plays one platform, whose appid the sandbox profile holds
/// (an appid has one profile): the backend's token is the simulator's, kept under this appid.
const SHARED_APPID: &str = "wx5a4db0c0ffee0002";
const PREFIX: &str = "wx:open";
const PASSWORD: &str = "e2e-redis-pass-7Qm4";
/// What WxJava's `setValue(key, ticket, Integer.MAX_VALUE, SECONDS)` gives the ticket's key.
const TICKET_PTTL_MS: &str = "2147483647000";

/// A `redis-server` of this test's own (password required), stopped on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
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
            .expect("redis-server (Debian: redis-server; make e2e's bootstrap installs it)");
        let redis = Redis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::yield_now();
        }
        redis
    }

    /// `redis-cli ARGS`, the value (if any) on stdin (`-x`): no token in any argv.
    fn cli(&self, args: &[&str], stdin_value: Option<&str>) -> String {
        let mut c = Command::new("redis-cli");
        c.args(["-p", &self.port.to_string()])
            .env("REDISCLI_AUTH", PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if stdin_value.is_some() {
            c.arg("-x").stdin(Stdio::piped());
        }
        let mut child = c
            .args(args)
            .spawn()
            .expect("redis-cli (Debian: redis-tools)");
        if let Some(v) = stdin_value {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(v.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            out.status.success() && !text.starts_with("ERR") && !text.starts_with("(error)"),
            "redis-cli {args:?}: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The backend's side: a ticket from the simulator, the component token fetched with it, both
/// written where and how WxJava writes them. Returns the token.
async fn backend_writes_tokens(sim: &Simulator, redis: &Redis) -> String {
    let creds = sim.get("/sandbox/credentials").await;
    let ticket = sim.post("/sandbox/ticket", &json!({})).await["ticket"]
        .as_str()
        .expect("a ticket")
        .to_string();
    // Straight to the WeChat API (not the control client, which logs its bodies).
    let answer: serde_json::Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!(
            "{}/cgi-bin/component/api_component_token",
            sim.base_url()
        ))
        .json(&json!({
            "component_appid": creds["component_appid"],
            "component_appsecret": creds["appsecret"],
            "component_verify_ticket": ticket,
        }))
        .send()
        .await
        .expect("api_component_token")
        .json()
        .await
        .expect("a JSON answer");
    let token = answer["component_access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token from the simulator: errcode {}", answer["errcode"]))
        .to_string();
    let ttl = answer["expires_in"].as_i64().expect("expires_in") - 200;
    redis.cli(
        &[
            "PSETEX",
            &format!("{PREFIX}:wechat_component_verify_ticket:{SHARED_APPID}"),
            TICKET_PTTL_MS,
        ],
        Some(&ticket),
    );
    redis.cli(&["SETEX", &component_key(), &ttl.to_string()], Some(&token));
    token
}

fn component_key() -> String {
    format!("{PREFIX}:wechat_component_access_token:{SHARED_APPID}")
}

/// `[data-item, data-present, text]` of each key row of the Test report on screen.
async fn report_rows(desktop: &Desktop) -> Vec<(String, String, String)> {
    let rows = desktop
        .js(
            "return [...document.querySelectorAll(\"[data-testid='shared-test-key']\")]
               .map(r => [r.dataset.item, r.dataset.present, r.textContent]);",
        )
        .await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |i: usize| r[i].as_str().unwrap_or_default().to_string();
            (s(0), s(1), s(2))
        })
        .collect()
}

/// Only for the pictures: the "saved" and "selected" toasts sit over the header's badge.
async fn no_toasts(desktop: &Desktop) {
    desktop
        .wait_until("the toasts to close", || async {
            desktop
                .js("return document.querySelectorAll('.t-message').length === 0;")
                .await
                == json!(true)
        })
        .await;
}

async fn scroll_to(desktop: &Desktop, testid: &str) {
    desktop
        .js_with(
            "document.querySelector(`[data-testid='${arguments[0]}']`).scrollIntoView({block: 'start'}); return true;",
            vec![json!(testid)],
        )
        .await;
}

/// The whole path in one app session (each start costs seconds).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring, tauri-driver and redis-server: run `make e2e`"]
async fn shared_profile_reads_the_backends_redis_in_wxjavas_layout() {
    let redis = Redis::start();
    let sim = Simulator::new();
    let mut env = sim.env();
    // The sandbox's first sync is not what this test is about: a few accounts.
    env.push(("WXOPEN_SANDBOX_AUTHORIZERS", "3".to_string()));
    let desktop = Desktop::start_with("shared", &env).await;
    desktop.wait_ready().await;
    desktop.wait_exists("welcome").await;
    desktop.click("welcome-sandbox").await;
    desktop
        .wait_until("the simulator to answer on its port", || async {
            sim.is_up().await
        })
        .await;
    let token = backend_writes_tokens(&sim, &redis).await;
    let tail = format!("••••{}", &token[token.len() - 4..]);

    // The profile, through the form: Redis with WxJava's layout and the Spring starter's prefix.
    desktop.click("nav-profiles").await;
    desktop.click("profile-add").await;
    desktop.fill("profile-name", "prod-shared").await;
    desktop.fill("profile-appid", SHARED_APPID).await;
    desktop.fill("profile-api-base", &sim.base_url()).await;
    desktop.click("tokens-mode-shared").await;
    desktop
        .fill(
            "tokens-redis-url",
            &format!("redis://127.0.0.1:{}/0", redis.port),
        )
        .await;
    desktop.fill("profile-redis-password", PASSWORD).await;
    desktop.click("tokens-preset-wxjava").await;
    desktop.fill("tokens-prefix", PREFIX).await;
    let expected_keys = vec![
        format!("{PREFIX}:wechat_component_verify_ticket:{SHARED_APPID}"),
        component_key(),
        format!("{PREFIX}:wechat_authorizer_access_token:{SHARED_APPID}:{{authorizer_appid}}"),
        format!("{PREFIX}:wechat_authorizer_refresh_token:{SHARED_APPID}:{{authorizer_appid}}"),
    ];
    desktop
        .wait_until("the form to show WxJava's keys for the appid", || async {
            let shown = desktop
                .js("return [...document.querySelectorAll(\"[data-testid='tokens-key-name']\")].map(e => e.textContent.trim());")
                .await;
            shown == json!(expected_keys)
        })
        .await;

    // Test before saving: both keys present, with their TTLs and the token's tail, never a value.
    desktop.click("tokens-test").await;
    desktop.wait_exists("shared-test-report").await;
    let rows = report_rows(&desktop).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0].0.as_str(), rows[0].1.as_str()), ("ticket", "true"));
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1.as_str()),
        ("component_token", "true")
    );
    assert!(rows[1].2.contains(&component_key()), "{rows:?}");
    assert!(rows[1].2.contains(&tail), "no tail {tail}: {rows:?}");
    assert!(
        rows[1].2.contains("TTL ") && !rows[1].2.contains("无 TTL"),
        "no TTL: {rows:?}"
    );
    let page = desktop.js("return document.body.innerText;").await;
    assert!(
        !page.as_str().unwrap().contains(&token),
        "the token's value is on screen"
    );
    scroll_to(&desktop, "tokens-keys").await;
    desktop.screenshot("tokens-section").await;

    desktop.click("profile-save").await;
    desktop
        .wait_until("the form to close after saving", || async {
            !desktop.exists("profile-form").await
        })
        .await;
    // The password went to the keychain, never to the app's files.
    for entry in std::fs::read_dir(desktop.data_dir()).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(
                !bytes
                    .windows(PASSWORD.len())
                    .any(|w| w == PASSWORD.as_bytes()),
                "the Redis password is in {}",
                entry.path().display()
            );
        }
    }

    desktop
        .click_css(
            "[data-testid='profile-item'][data-name='prod-shared'] [data-testid='profile-select']",
        )
        .await;
    desktop.wait_exists("shared-badge").await;
    assert_eq!(
        desktop.text_of("shared-badge").await,
        "共享 · Redis（wxjava） · 只读"
    );
    assert_eq!(
        desktop.attr("shared-badge", "data-writes").await.as_deref(),
        Some("false")
    );
    no_toasts(&desktop).await;
    desktop.screenshot("badge").await;

    // The backend lost its token (restarted with an empty cache): the saved profile's Test,
    // on Ticket & tokens, names the missing key, and nothing here offers to fetch one.
    redis.cli(&["DEL", &component_key()], None);
    desktop.click("nav-tokens").await;
    desktop.wait_exists("shared-card").await;
    assert_eq!(desktop.text_of("shared-card-key").await, component_key());
    desktop.click("shared-card-test").await;
    desktop.wait_exists("shared-test-report").await;
    let rows = report_rows(&desktop).await;
    let missing = rows
        .iter()
        .find(|r| r.0 == "component_token")
        .unwrap_or_else(|| panic!("no component token row: {rows:?}"));
    assert_eq!(missing.1, "false", "{rows:?}");
    assert!(
        missing
            .2
            .contains(&format!("the key {} is not in Redis", component_key())),
        "{rows:?}"
    );
    assert!(missing.2.contains("共享令牌存储"), "{rows:?}");
    assert_eq!(
        desktop
            .js("return document.querySelector(\"[data-testid='token-refresh']\").disabled;")
            .await,
        json!(true)
    );
    assert_eq!(
        desktop
            .js("return document.querySelector(\"[data-testid='ticket-input'] input\").disabled;")
            .await,
        json!(true)
    );
    scroll_to(&desktop, "shared-card").await;
    desktop.screenshot("missing-key").await;
    desktop.close().await;
}
