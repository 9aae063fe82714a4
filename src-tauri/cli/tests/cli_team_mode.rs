//! Team mode through the `wxopen` binary (issue 13): shared profiles over a real `redis-server`
//! per test and over a token API on loopback, against the in-process simulator, with a real
//! SQLite file and the real keychain (run inside `scripts/session.sh`).
//!
//! The "backend" is this test's code: it fetches the component token from the simulator with
//! our own WeChat client and writes it exactly as WxJava's Redis storage does
//! (`wechat_component_access_token:{appid}`, a plain string, `SET … EX expires_in-200`). The
//! simulator counts every call, so "the CLI fetched no token" is checked, not assumed.

#[path = "support/redis.rs"]
mod redis_support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use redis_support::Redis;
use serde_json::Value;
use wxopen_sandbox::{Sandbox, SandboxConfig, SandboxControl, SandboxCredentials};
use wxopen_wechat::client::{ClientConfig, ComponentClient};

const COMPONENT_TOKEN_PATH: &str = "/cgi-bin/component/api_component_token";
const AUTHORIZER_TOKEN_PATH: &str = "/cgi-bin/component/api_authorizer_token";

struct Cli {
    dir: tempfile::TempDir,
    service: String,
    outputs: std::sync::Mutex<Vec<String>>,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            service: format!(
                "wxopen-team-test-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ),
            outputs: Default::default(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wxopen"));
        c.arg("--data-dir").arg(self.dir.path()).args(args);
        c.env("WXOPEN_KEYCHAIN_SERVICE", &self.service);
        for v in [
            "WXOPEN_APPSECRET",
            "WXOPEN_TOKEN",
            "WXOPEN_AES_KEY",
            "WXOPEN_REDIS_PASSWORD",
            "WXOPEN_TOKEN_API_HEADER",
        ] {
            c.env_remove(v);
        }
        c.stdin(Stdio::null());
        c
    }

    fn run(&self, mut c: Command) -> Output {
        let o = c.output().unwrap();
        self.outputs.lock().unwrap().push(format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
        o
    }

    fn doc(o: &Output, what: &str) -> Value {
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "{what}: not one JSON document ({e}): {}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        })
    }

    /// `wxopen --json ARGS` with `env`, expected to succeed.
    fn ok_env(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let mut c = self.cmd(&[&["--json"], args].concat());
        c.envs(env.iter().copied());
        let o = self.run(c);
        assert!(
            o.status.success(),
            "wxopen {args:?} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        Self::doc(&o, &format!("{args:?}"))
    }

    fn ok(&self, args: &[&str]) -> Value {
        self.ok_env(args, &[])
    }

    /// `wxopen --json ARGS`, expected to fail: the error document and stderr.
    fn fails_env(&self, args: &[&str], env: &[(&str, &str)]) -> (Value, String) {
        let mut c = self.cmd(&[&["--json"], args].concat());
        c.envs(env.iter().copied());
        let o = self.run(c);
        assert!(
            !o.status.success(),
            "wxopen {args:?} should fail: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        (
            Self::doc(&o, &format!("{args:?}")),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    fn fails(&self, args: &[&str]) -> (Value, String) {
        self.fails_env(args, &[])
    }

    /// Everything printed so far, stdout and stderr.
    fn printed(&self) -> String {
        self.outputs.lock().unwrap().join("\n")
    }

    /// Whether any file of the data dir (SQLite, its WAL) holds `needle`.
    fn data_holds(&self, needle: &str) -> bool {
        files_hold(self.dir.path(), needle)
    }
}

fn files_hold(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            return files_hold(&p, needle);
        }
        std::fs::read(&p)
            .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
    })
}

/// The simulator, and a handle to run async work from the test's blocking thread.
struct Platform {
    control: SandboxControl,
    creds: SandboxCredentials,
    base: String,
    rt: tokio::runtime::Handle,
}

impl Platform {
    fn appid(&self) -> &str {
        &self.creds.component_appid
    }

    /// The backend: receives a ticket, fetches the component token from the simulator, and
    /// writes both the way WxJava's `AbstractWxOpenInRedisConfigStorage` does (ticket with
    /// `Integer.MAX_VALUE` seconds, token with `expires_in - 200`). Returns the token.
    fn backend_wxjava(&self, redis: &Redis) -> String {
        let ticket = self.control.issue_ticket();
        let client = ComponentClient::new(ClientConfig {
            api_base: self.base.clone(),
            ..ClientConfig::default()
        })
        .unwrap();
        let t = self
            .rt
            .block_on(client.component_token(self.appid(), &self.creds.appsecret, &ticket))
            .unwrap();
        let c = self.appid();
        redis.cli(&[
            "SET",
            &format!("wechat_component_verify_ticket:{c}"),
            &ticket,
            "PX",
            "2147483647000",
        ]);
        let ttl = (t.expires_in - 200).to_string();
        redis.cli(&[
            "SET",
            &format!("wechat_component_access_token:{c}"),
            &t.component_access_token,
            "EX",
            &ttl,
        ]);
        t.component_access_token
    }

    fn token_fetches(&self) -> u64 {
        self.control.call_count(COMPONENT_TOKEN_PATH)
    }
}

/// Runs `test` on a blocking thread (it drives the CLI as processes) beside the simulator.
async fn with_platform(test: impl FnOnce(&Platform) + Send + 'static) {
    let sandbox = Sandbox::start(SandboxConfig {
        authorizers: 30,
        ..Default::default()
    })
    .await
    .unwrap();
    let p = Platform {
        control: sandbox.control(),
        creds: sandbox.credentials().clone(),
        base: sandbox.base_url(),
        rt: tokio::runtime::Handle::current(),
    };
    let r = tokio::task::spawn_blocking(move || test(&p)).await;
    sandbox.shutdown().await;
    if let Err(e) = r {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `profile add` of a shared Redis profile on `layout` (extra flags after).
fn add_redis(
    cli: &Cli,
    p: &Platform,
    redis: &Redis,
    password: Option<&str>,
    extra: &[&str],
) -> Value {
    let url = redis.url();
    let mut args = vec![
        "profile",
        "add",
        "--name",
        "team",
        "--appid",
        p.appid(),
        "--api-base",
        &p.base,
        "--token-source",
        "redis",
        "--redis-url",
        &url,
    ];
    args.extend_from_slice(extra);
    let env: Vec<(&str, &str)> = password
        .map(|pw| vec![("WXOPEN_REDIS_PASSWORD", pw)])
        .unwrap_or_default();
    cli.ok_env(&args, &env)
}

fn tail(s: &str) -> String {
    format!("••••{}", &s[s.len() - 4..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wxjava_profile_borrows_the_backends_token_and_fetches_none() {
    with_platform(|p| {
        let pw = "team-Redis-pa55word";
        let redis = Redis::start(Some(pw));
        let token = p.backend_wxjava(&redis);
        let cli = Cli::new();
        let v = add_redis(&cli, p, &redis, Some(pw), &["--redis-layout", "wxjava"]);
        assert_eq!(v["token_source"], "shared", "{v}");
        assert_eq!(v["shared_source"]["kind"], "redis");
        assert_eq!(v["shared_source"]["layout"]["preset"], "wxjava");
        assert_eq!(v["shared_source"]["writes"], false);
        assert_eq!(v["secrets"]["redis_password"]["set"], true);
        assert_eq!(v["secrets"]["redis_password"]["tail"], tail(pw));
        // A read-only shared profile asked for no AppSecret (nothing here fetches a token).
        assert_eq!(v["secrets"]["appsecret"]["set"], false);

        let c = p.appid();
        let ticket_key = format!("wechat_component_verify_ticket:{c}");
        let token_key = format!("wechat_component_access_token:{c}");
        let t = cli.ok(&["profile", "test"]);
        assert_eq!(t["reachable"], true, "{t}");
        assert_eq!(t["ok"], true, "{t}");
        assert_eq!(t["layout"], "wxjava");
        assert_eq!(t["keys"][0]["key"], ticket_key.as_str());
        assert_eq!(t["keys"][0]["present"], true);
        assert!(
            t["keys"][0]["ttl_secs"].as_i64().unwrap() > 2_000_000_000,
            "{t}"
        );
        assert_eq!(t["keys"][1]["key"], token_key.as_str());
        let ttl = t["keys"][1]["ttl_secs"].as_i64().unwrap();
        assert!((6900..=7000).contains(&ttl), "{t}");
        assert_eq!(t["keys"][1]["tail"], tail(&token));
        let text = String::from_utf8(cli.run(cli.cmd(&["profile", "test"])).stdout).unwrap();
        assert!(
            text.contains(&token_key) && text.contains("TTL") && text.contains(&tail(&token)),
            "{text}"
        );

        let s = cli.ok(&["token", "show"]);
        assert_eq!(s["token_source"], "shared", "{s}");
        assert_eq!(s["tail"], tail(&token));
        assert_eq!(s["shared"]["kind"], "redis");
        assert_eq!(s["shared"]["location"], redis.url().as_str());
        assert_eq!(s["shared"]["component_key"], token_key.as_str());
        assert_eq!(s["shared"]["component"]["key"], token_key.as_str());
        assert!((6900..=7000).contains(&s["shared"]["component"]["ttl_secs"].as_i64().unwrap()));
        assert_eq!(s["shared"]["writes"], false);

        let sync = cli.ok(&["authorizers", "sync"]);
        assert_eq!(sync["run"]["state"], "done", "{sync}");
        let page = cli.ok(&["authorizers", "list"]);
        let rows = page["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 30, "{page}");
        // Every list call carried the backend's token, and the only token fetch was the backend's.
        assert!(
            p.control
                .call_count("/cgi-bin/component/api_get_authorizer_list")
                >= 1
        );
        assert_eq!(p.token_fetches(), 1);
        assert_eq!(p.control.call_count(AUTHORIZER_TOKEN_PATH), 0);

        // An authorizer's keys, as WxJava writes them (token with a TTL, refresh token without).
        let a = rows[0]["appid"].as_str().unwrap();
        redis.cli(&[
            "SET",
            &format!("wechat_authorizer_access_token:{c}:{a}"),
            "AUTHORIZER_TOKEN_9876",
            "EX",
            "7000",
        ]);
        redis.cli(&[
            "SET",
            &format!("wechat_authorizer_refresh_token:{c}:{a}"),
            "refreshtoken@@@5432",
        ]);
        let t = cli.ok(&["profile", "test", "--authorizer", a]);
        assert_eq!(t["ok"], true, "{t}");
        let keys = t["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 4);
        assert_eq!(
            keys[2]["key"],
            format!("wechat_authorizer_access_token:{c}:{a}").as_str()
        );
        assert_eq!(keys[2]["tail"], "••••9876");
        assert_eq!(keys[3]["tail"], "••••5432");
        assert_eq!(keys[3]["ttl_secs"], Value::Null);

        // `profile list` shows the source, no secret.
        let list = cli.ok(&["profile", "list"]);
        assert_eq!(list[0]["shared_source"]["url"], redis.url().as_str());
        assert_eq!(list[0]["secrets"]["redis_password"]["set"], true);
        assert_eq!(list[0]["secrets"]["token_api_header"]["set"], false);
        let printed = cli.printed();
        assert!(
            !printed.contains(pw) && !printed.contains(&token),
            "a secret was printed"
        );
        assert!(
            !cli.data_holds(pw) && !cli.data_holds(&token),
            "a secret is in the data dir"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_key_is_named_and_nothing_is_fetched() {
    with_platform(|p| {
        let redis = Redis::start(None);
        let cli = Cli::new();
        add_redis(
            &cli,
            p,
            &redis,
            None,
            &["--redis-layout", "wxjava", "--redis-prefix", "wx:open"],
        );
        let key = format!("wx:open:wechat_component_access_token:{}", p.appid());
        let (e, stderr) = cli.fails(&["authorizers", "sync"]);
        assert_eq!(e["code"], "shared_store", "{e}");
        assert!(e["message"].as_str().unwrap().contains(&key), "{e}");
        assert!(e["hint"].as_str().unwrap().contains("prefix"), "{e}");
        assert!(
            stderr.contains(&key) && stderr.contains("hint:"),
            "{stderr}"
        );
        let (e, _) = cli.fails(&["token", "show"]);
        assert_eq!(e["code"], "shared_store", "{e}");
        // `profile test` prints its report, and fails.
        let o = cli.run(cli.cmd(&["--json", "profile", "test"]));
        assert!(!o.status.success());
        let t: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(t["ok"], false, "{t}");
        assert_eq!(t["keys"][1]["key"], key.as_str());
        assert_eq!(t["keys"][1]["present"], false);
        assert_eq!(t["keys"][1]["error"]["code"], "shared_store");
        assert!(String::from_utf8_lossy(&o.stderr).contains(&key));
        assert_eq!(p.token_fetches(), 0, "no silent local fetch");
        assert_eq!(
            p.control
                .call_count("/cgi-bin/component/api_get_authorizer_list"),
            0
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_clear_error_and_never_shown() {
    with_platform(|p| {
        let right = "the-Right-pa55word";
        let wrong = "a-Wrong-pa55word-7";
        let redis = Redis::start(Some(right));
        p.backend_wxjava(&redis);
        let cli = Cli::new();
        add_redis(&cli, p, &redis, Some(wrong), &["--redis-layout", "wxjava"]);
        let (e, stderr) = cli.fails(&["token", "show"]);
        assert_eq!(e["code"], "shared_store", "{e}");
        assert!(
            e["message"].as_str().unwrap().contains("refused the login"),
            "{e}"
        );
        assert!(e["hint"].as_str().unwrap().contains("password"), "{e}");
        assert!(stderr.contains("hint:"), "{stderr}");
        let o = cli.run(cli.cmd(&["profile", "test"]));
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stdout).contains("UNREACHABLE"));
        cli.ok(&["profile", "list"]);
        // A password in the URL is refused before anything is stored, and not repeated.
        let url = format!("redis://default:{right}@127.0.0.1:{}/0", redis.port);
        let (e, _) = cli.fails(&[
            "profile",
            "add",
            "--name",
            "inurl",
            "--appid",
            "wx2222222222222222",
            "--token-source",
            "redis",
            "--redis-url",
            &url,
            "--redis-layout",
            "wxjava",
        ]);
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("WXOPEN_REDIS_PASSWORD"),
            "{e}"
        );
        let (e, _) = cli.fails(&[
            "profile",
            "add",
            "--name",
            "ca",
            "--appid",
            "wx2222222222222222",
            "--token-source",
            "redis",
            "--redis-url",
            &redis.url(),
            "--redis-layout",
            "wxjava",
            "--redis-ca-file",
            "/nonexistent/ca.pem",
        ]);
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("--redis-ca-file /nonexistent/ca.pem"),
            "{e}"
        );
        let printed = cli.printed();
        assert!(
            !printed.contains(right) && !printed.contains(wrong),
            "a password was printed"
        );
        assert!(
            !cli.data_holds(right) && !cli.data_holds(wrong),
            "a password is in SQLite"
        );
        assert_eq!(p.token_fetches(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_in_the_shared_store_needs_yes_and_writes() {
    with_platform(|p| {
        let redis = Redis::start(None);
        let token = p.backend_wxjava(&redis);
        let cli = Cli::new();
        add_redis(&cli, p, &redis, None, &["--redis-layout", "wxjava"]);
        let key = format!("wechat_component_access_token:{}", p.appid());
        let (e, _) = cli.fails(&["token", "refresh"]);
        assert_eq!(e["code"], "refused", "{e}");
        let m = e["message"].as_str().unwrap();
        assert!(
            m.contains(&format!(
                "every service that reads {key} switches to the new token"
            )),
            "{m}"
        );
        let (e, _) = cli.fails(&["token", "refresh", "--yes"]);
        assert_eq!(e["code"], "shared_store", "{e}");
        assert!(e["message"].as_str().unwrap().contains("read-only"), "{e}");
        let (e, _) = cli.fails(&["authorizer", "refresh-token", "wx3333333333333333"]);
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("wechat_authorizer_access_token:"),
            "{e}"
        );
        let (e, _) = cli.fails(&["authorizer", "refresh-token", "wx3333333333333333", "--yes"]);
        assert_eq!(e["code"], "shared_store", "{e}");
        assert!(e["message"].as_str().unwrap().contains("read-only"), "{e}");
        let o = {
            let mut c = cli.cmd(&["--json", "ticket", "set", "-"]);
            c.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = c.spawn().unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"ticket@@@pasted\n")
                .unwrap();
            child.wait_with_output().unwrap()
        };
        assert!(!o.status.success());
        let e: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(e["code"], "refused", "{e}");
        assert_eq!(redis.get(&key), token, "nothing was written");
        assert_eq!(p.token_fetches(), 1);

        // Writes allowed (and the AppSecret a refresh needs): the backend's key gets a new token.
        let v = cli.ok_env(
            &["profile", "edit", "team", "--redis-writes"],
            &[("WXOPEN_APPSECRET", &p.creds.appsecret)],
        );
        assert_eq!(v["shared_source"]["writes"], true, "{v}");
        assert_eq!(v["shared_source"]["url"], redis.url().as_str());
        let s = cli.ok(&["token", "refresh", "--yes"]);
        let fresh = redis.get(&key);
        assert_ne!(fresh, token);
        assert_eq!(s["tail"], tail(&fresh), "{s}");
        assert!((6900..=7000).contains(&redis.ttl(&key)));
        assert_eq!(p.token_fetches(), 2);
        // Back to owning its tokens.
        let v = cli.ok(&["profile", "edit", "team", "--token-source", "local"]);
        assert_eq!(v["token_source"], "local", "{v}");
        assert_eq!(v["shared_source"], Value::Null);
        assert!(!cli.printed().contains(&fresh));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_layout_reads_json_object_values() {
    with_platform(|p| {
        let redis = Redis::start(None);
        let cli = Cli::new();
        let file = cli.dir.path().join("layout.toml");
        std::fs::write(
            &file,
            r#"
ticket = "myapp:{component_appid}:ticket"
component_token = "myapp:{component_appid}:token"
authorizer_token = "myapp:{component_appid}:{authorizer_appid}:token"
value = "json_object"
token_field = "token"
expires_at_field = "expires_at"
"#,
        )
        .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let expires_at = now + 5000;
        let key = format!("myapp:{}:token", p.appid());
        let value = format!(r#"{{"token":"CUSTOM_TOKEN_4321","expires_at":{expires_at}}}"#);
        redis.cli(&["SET", &key, &value]);
        let f = file.display().to_string();
        add_redis(&cli, p, &redis, None, &["--redis-layout", "custom", "--redis-layout-file", &f]);
        let s = cli.ok(&["token", "show"]);
        assert_eq!(s["tail"], "••••4321", "{s}");
        assert_eq!(s["expires_at"], expires_at);
        assert_eq!(s["shared"]["layout"], "custom");
        assert_eq!(s["shared"]["component_key"], key.as_str());
        // The ticket key is missing: `profile test` names it and fails.
        let o = cli.run(cli.cmd(&["--json", "profile", "test"]));
        assert!(!o.status.success());
        let t: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(t["keys"][0]["key"], format!("myapp:{}:ticket", p.appid()).as_str());
        assert_eq!(t["keys"][1]["present"], true, "{t}");

        std::fs::write(&file, "component_token = \"myapp:{component_appid}:token\"\nvalue = \"json_object\"\ntoken_field = \n").unwrap();
        let (e, _) = cli.fails(&[
            "profile", "add", "--name", "bad", "--appid", "wx2222222222222222",
            "--token-source", "redis", "--redis-url", &redis.url(),
            "--redis-layout", "custom", "--redis-layout-file", &f,
        ]);
        let m = e["message"].as_str().unwrap();
        assert!(m.contains(&f) && m.contains("line 3"), "{m}");
        std::fs::write(&file, "component_token = \"myapp:{component_appid}:token\"\nvalue = \"json_object\"\n").unwrap();
        let (e, _) = cli.fails(&[
            "profile", "edit", "team", "--redis-layout", "custom", "--redis-layout-file", &f,
        ]);
        let m = e["message"].as_str().unwrap();
        assert!(m.contains(&f) && m.contains("`token_field`"), "{m}");
        assert_eq!(p.token_fetches(), 0);
    })
    .await;
}

/// A backend's token API on loopback: answers the token JSON when the header is right, 401 else.
async fn token_api(
    header: &'static str,
    token: &'static str,
) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 2048];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let req = String::from_utf8_lossy(&buf).to_ascii_lowercase();
                let authorized =
                    req.contains(&format!("x-token-key: {}", header.to_ascii_lowercase()));
                let (status, body) = if authorized {
                    (
                        "200 OK",
                        format!(r#"{{"data":{{"token":"{token}","expires_in":3600}}}}"#),
                    )
                } else {
                    ("401 Unauthorized", r#"{"error":"no"}"#.to_owned())
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(answer.as_bytes()).await;
            });
        }
    });
    (base, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_api_lends_the_component_token() {
    const HEADER: &str = "api-Header-Value-2468";
    const TOKEN: &str = "API_COMPONENT_TOKEN_1357";
    let (api, server) = token_api(HEADER, TOKEN).await;
    with_platform(move |p| {
        let cli = Cli::new();
        let url = format!("{api}/tokens/{{component_appid}}");
        let args = [
            "profile",
            "add",
            "--name",
            "api",
            "--appid",
            p.appid(),
            "--api-base",
            &p.base,
            "--token-source",
            "http",
            "--token-url",
            &url,
            "--token-header",
            "X-Token-Key",
            "--token-pointer",
            "/data/token",
            "--expires-in-pointer",
            "/data/expires_in",
        ];
        // The header's value is required, from the environment only.
        let (e, _) = cli.fails(&args);
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("WXOPEN_TOKEN_API_HEADER"),
            "{e}"
        );
        let (e, _) = cli.fails(&[&args[..], &["--redis-url", "redis://127.0.0.1:1"]].concat());
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("--redis-url cannot be used with --token-source http"),
            "{e}"
        );
        let v = cli.ok_env(&args, &[("WXOPEN_TOKEN_API_HEADER", HEADER)]);
        assert_eq!(v["shared_source"]["kind"], "http", "{v}");
        assert_eq!(v["secrets"]["token_api_header"]["set"], true);
        let s = cli.ok(&["token", "show"]);
        assert_eq!(s["tail"], "••••1357", "{s}");
        assert_eq!(s["shared"]["kind"], "http");
        assert!(
            (3500..=3600).contains(&s["expires_in"].as_i64().unwrap()),
            "{s}"
        );
        // A token API keeps no ticket: `profile test` is fine without one.
        let t = cli.ok(&["profile", "test"]);
        assert_eq!(t["ok"], true, "{t}");
        assert_eq!(t["keys"][1]["tail"], "••••1357");
        // A wrong header value: the API's 401, as a shared_store error.
        let v = cli.ok_env(
            &["profile", "edit", "api", "--token-header", "X-Token-Key"],
            &[("WXOPEN_TOKEN_API_HEADER", "wrong-value")],
        );
        assert_eq!(v["secrets"]["token_api_header"]["set"], true);
        let (e, _) = cli.fails(&["token", "show"]);
        assert_eq!(e["code"], "shared_store", "{e}");
        assert!(e["message"].as_str().unwrap().contains("401"), "{e}");
        let printed = cli.printed();
        assert!(
            !printed.contains(HEADER) && !printed.contains(TOKEN),
            "a secret was printed"
        );
        assert!(!cli.data_holds(HEADER), "the header value is in SQLite");
        assert_eq!(p.token_fetches(), 0);
    })
    .await;
    server.abort();
}
