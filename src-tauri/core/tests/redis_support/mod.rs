//! Shared setup of the team-mode tests: a `redis-server` of the test's own (one server, a TLS
//! one, or a three-node cluster; started on free loopback ports in a temp dir, no persistence),
//! the "backend" that fetches tokens from the simulator and writes them the way its SDK does, and
//! consoles with a shared profile on their own SQLite file (secrets in the real keychain).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wxopen_core::secrets::{KeyringStore, SecretStore};
use wxopen_core::service::profiles::{ProfileInput, SharedInput};
use wxopen_core::service::{Console, ConsoleOptions, ProfileRt};
use wxopen_core::shared_store::{LayoutChoice, Preset, RedisSource, SharedSource};
use wxopen_core::store::Store;
use wxopen_sandbox::Sandbox;
use wxopen_wechat::client::{ClientConfig, ComponentClient};

pub const TOKEN_PATH: &str = "/cgi-bin/component/api_component_token";
pub const AUTHORIZER_TOKEN_PATH: &str = "/cgi-bin/component/api_authorizer_token";
pub const LIST_PATH: &str = "/cgi-bin/component/api_get_authorizer_list";
pub const INFO_PATH: &str = "/cgi-bin/component/api_get_authorizer_info";

/// How long a test waits for a server to come up or a cluster to agree (bounded polling).
const READY: Duration = Duration::from_secs(15);

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `ready` until it holds (a real condition, bounded: a server that never comes up fails).
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + READY;
    while !ready() {
        assert!(Instant::now() < deadline, "{what}: not within {READY:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A `redis-server` of this test's own, stopped on drop.
pub struct Redis {
    child: Option<Child>,
    pub port: u16,
    args: Vec<String>,
    password: Option<String>,
    /// Connected to with TLS (`redis-cli --tls --cacert`), when started so.
    tls_ca: Option<PathBuf>,
    _dir: Arc<tempfile::TempDir>,
}

impl Redis {
    pub fn start() -> Redis {
        Redis::start_with(None, &[])
    }

    /// A server requiring `password`, with `extra` arguments.
    pub fn start_with(password: Option<&str>, extra: &[String]) -> Redis {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let port = free_port();
        let mut args: Vec<String> = vec!["--port".into(), port.to_string()];
        args.extend(extra.iter().cloned());
        Redis::launch(port, args, password, None, dir)
    }

    /// A TLS-only server (`--port 0 --tls-port N`) with the certificates of `pki`.
    pub fn start_tls(pki: &Pki) -> Redis {
        let port = free_port();
        let p = |f: &Path| f.to_string_lossy().into_owned();
        let args: Vec<String> = vec![
            "--port".into(),
            "0".into(),
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            p(&pki.server_cert),
            "--tls-key-file".into(),
            p(&pki.server_key),
            "--tls-ca-cert-file".into(),
            p(&pki.ca_cert),
            "--tls-auth-clients".into(),
            "no".into(),
        ];
        Redis::launch(port, args, None, Some(pki.ca_cert.clone()), pki.dir.clone())
    }

    fn launch(
        port: u16,
        args: Vec<String>,
        password: Option<&str>,
        tls_ca: Option<PathBuf>,
        dir: Arc<tempfile::TempDir>,
    ) -> Redis {
        let mut redis = Redis {
            child: None,
            port,
            args,
            password: password.map(str::to_owned),
            tls_ca,
            _dir: dir,
        };
        redis.spawn();
        redis
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new("redis-server");
        cmd.args(&self.args)
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .current_dir(self._dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(pw) = &self.password {
            cmd.args(["--requirepass", pw]);
        }
        self.child = Some(
            cmd.spawn()
                .expect("redis-server (Debian: redis-server; make test's bootstrap installs it)"),
        );
        let port = self.port;
        wait_until("redis-server accepts connections", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        // Accepting is not answering (a cluster node loads its config first).
        wait_until("redis-server answers PING", || {
            self.try_cli(&["PING"]).is_ok_and(|o| o == "PONG")
        });
    }

    /// Kills the server (the backend's Redis goes down mid-session).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port, empty (no persistence).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// `redis://127.0.0.1:PORT/0` (`rediss://` for a TLS one).
    pub fn url(&self) -> String {
        self.url_db(0)
    }

    pub fn url_db(&self, db: u32) -> String {
        let scheme = if self.tls_ca.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}/{db}", self.port)
    }

    fn cli_command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("redis-cli");
        c.args(["-p", &self.port.to_string()]);
        if let Some(pw) = &self.password {
            c.args(["--no-auth-warning", "-a", pw]);
        }
        if let Some(ca) = &self.tls_ca {
            c.arg("--tls").arg("--cacert").arg(ca);
        }
        c.args(args);
        c
    }

    /// `redis-cli ARGS` → its output (what an operator or a backend sees from outside our client).
    pub fn try_cli(&self, args: &[&str]) -> Result<String, String> {
        let out = self
            .cli_command(args)
            .output()
            .map_err(|e| format!("redis-cli (Debian: redis-tools): {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !out.status.success() || text.starts_with("ERR") || text.starts_with("(error)") {
            return Err(format!(
                "redis-cli {args:?}: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(text)
    }

    pub fn cli(&self, args: &[&str]) -> String {
        self.try_cli(args).unwrap()
    }

    /// `SET key <bytes>` with the value from stdin (`redis-cli -x`: any bytes, even not UTF-8;
    /// it goes last on the line, so the TTL is set by `EXPIRE` after).
    pub fn set_bytes(&self, key: &str, value: &[u8], ex: Option<i64>) {
        use std::io::Write as _;
        let mut child = self
            .cli_command(&["-x", "SET", key])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(value).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "OK");
        if let Some(e) = ex {
            assert_eq!(self.cli(&["EXPIRE", key, &e.to_string()]), "1");
        }
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let v = self.cli(&["--raw", "GET", key]);
        // `redis-cli --raw` prints nothing for a missing key; `EXISTS` tells them apart.
        (self.cli(&["EXISTS", key]) == "1").then_some(v)
    }

    pub fn ttl(&self, key: &str) -> i64 {
        self.cli(&["TTL", key]).parse().unwrap()
    }

    /// Every key and its value (what "nothing was written" compares).
    pub fn snapshot(&self) -> Vec<(String, Option<String>)> {
        let mut keys: Vec<String> = self
            .cli(&["--raw", "KEYS", "*"])
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys.into_iter()
            .map(|k| {
                let v = self.get(&k);
                (k, v)
            })
            .collect()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A CA and a server certificate for 127.0.0.1, made with the openssl CLI.
pub struct Pki {
    pub dir: Arc<tempfile::TempDir>,
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl Pki {
    pub fn generate() -> Pki {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let d = dir.path();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(d)
                .output()
                .expect("openssl CLI");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        run(&[
            &["req", "-x509", "-nodes", "-days", "2"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=wxopen test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat());
        run(&[
            &["req", "-new", "-nodes"][..],
            &ec,
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        ]
        .concat());
        std::fs::write(
            d.join("server.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.pem",
            "-extfile",
            "server.ext",
        ]);
        Pki {
            ca_cert: d.join("ca.pem"),
            server_cert: d.join("server.pem"),
            server_key: d.join("server.key"),
            dir,
        }
    }
}

/// Whether this machine's redis-server was built with TLS (Debian's is): `--tls-port` accepted.
pub fn redis_has_tls() -> Result<(), String> {
    let out = Command::new("redis-server")
        .args(["--port", "0", "--tls-port", "0"])
        .output()
        .map_err(|e| format!("redis-server: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // With TLS built in this exits at once, listening nowhere; without, the option is unknown.
    if text.contains("FATAL CONFIG") || text.contains("Bad directive") {
        Err(format!("redis-server has no TLS support: {text}"))
    } else {
        Ok(())
    }
}

/// Three `redis-server --cluster-enabled yes` nodes joined by `redis-cli --cluster create`.
pub struct Cluster {
    pub nodes: Vec<Redis>,
}

impl Cluster {
    pub fn start() -> Cluster {
        let nodes: Vec<Redis> = (0..3)
            .map(|i| {
                Redis::start_with(
                    None,
                    &[
                        "--cluster-enabled".into(),
                        "yes".into(),
                        "--cluster-config-file".into(),
                        format!("nodes-{i}.conf"),
                        "--cluster-node-timeout".into(),
                        "2000".into(),
                    ],
                )
            })
            .collect();
        let addrs: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let mut create = Command::new("redis-cli");
        create.args(["--cluster", "create"]).args(&addrs).args([
            "--cluster-replicas",
            "0",
            "--cluster-yes",
        ]);
        let out = create.output().expect("redis-cli --cluster create");
        assert!(
            out.status.success(),
            "cluster create: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for n in &nodes {
            wait_until("CLUSTER INFO says cluster_state:ok on every node", || {
                n.try_cli(&["CLUSTER", "INFO"])
                    .is_ok_and(|i| i.contains("cluster_state:ok"))
            });
        }
        Cluster { nodes }
    }

    /// The profile's URL: every node, comma-separated.
    pub fn url(&self) -> String {
        self.nodes
            .iter()
            .map(|n| format!("redis://127.0.0.1:{}", n.port))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `redis-cli -c` (follows MOVED) on the first live node.
    pub fn cli(&self, args: &[&str]) -> String {
        let n = self.nodes.iter().find(|n| n.child.is_some()).unwrap();
        n.cli(&[&["-c"][..], args].concat())
    }

    /// The index of the node that owns `key`'s slot.
    pub fn owner_of(&self, key: &str) -> usize {
        let slot = self.nodes[0].cli(&["CLUSTER", "KEYSLOT", key]);
        self.nodes
            .iter()
            .position(|n| n.cli(&["CLUSTER", "COUNTKEYSINSLOT", &slot]) != "0")
            .unwrap_or_else(|| panic!("no node holds {key} (slot {slot})"))
    }
}

/// A WxJava layout on `url` (no prefix unless given).
pub fn wxjava(url: &str, writes: bool) -> SharedSource {
    SharedSource::Redis(RedisSource {
        url: url.to_owned(),
        layout: LayoutChoice::Preset {
            preset: Preset::Wxjava,
            prefix: None,
        },
        writes,
        ca_file: None,
    })
}

/// A console with one shared profile (`shared`) on its own SQLite file. `appsecret`: a refresh
/// in the shared store needs it; a borrowing console has none at all.
pub struct SharedConsole {
    pub dir: tempfile::TempDir,
    pub console: Arc<Console>,
    pub secrets: Arc<KeyringStore>,
    pub rt: Arc<ProfileRt>,
}

pub struct ConsoleSpec<'a> {
    pub sandbox: &'a Sandbox,
    pub source: SharedSource,
    pub redis_password: Option<&'a str>,
    pub appsecret: bool,
    pub options: ConsoleOptions,
}

impl<'a> ConsoleSpec<'a> {
    pub fn new(sandbox: &'a Sandbox, source: SharedSource) -> ConsoleSpec<'a> {
        ConsoleSpec {
            sandbox,
            source,
            redis_password: None,
            appsecret: false,
            options: options(),
        }
    }
}

/// Fast retries; the timeouts short enough that a dead store fails a test quickly.
pub fn options() -> ConsoleOptions {
    ConsoleOptions {
        retry_base_ms: 10,
        shared_timeout_secs: 3,
        ..Default::default()
    }
}

pub async fn shared_console(spec: ConsoleSpec<'_>) -> SharedConsole {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).expect("open store");
    let secrets = Arc::new(KeyringStore::with_service(test_service_name()));
    let console = Arc::new(Console::with_options(
        store,
        secrets.clone() as Arc<dyn SecretStore>,
        spec.options,
    ));
    let c = spec.sandbox.credentials().clone();
    console
        .profile_add(ProfileInput {
            name: "team".into(),
            component_appid: c.component_appid.clone(),
            api_base: Some(spec.sandbox.base_url()),
            proxy: None,
            option_v2: false,
            appsecret: spec.appsecret.then(|| c.appsecret.clone()),
            token: Some(c.token.clone()),
            encoding_aes_key: Some(c.encoding_aes_key.clone()),
            shared: Some(SharedInput {
                source: spec.source,
                redis_password: spec.redis_password.map(str::to_owned),
                header_value: None,
            }),
        })
        .expect("add the shared profile");
    let rt = console.profile(Some("team")).await.expect("profile");
    SharedConsole {
        dir,
        console,
        secrets,
        rt,
    }
}

pub fn test_service_name() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("wxopen-console-test-{n:x}-{}", std::process::id())
}

/// The platform's backend: fetches tokens from the simulator (its own HTTP client, as a
/// WxJava service would) and leaves them where its SDK does.
pub struct Backend {
    pub client: ComponentClient,
    pub appid: String,
    pub appsecret: String,
}

impl Backend {
    pub fn new(sandbox: &Sandbox) -> Backend {
        let c = sandbox.credentials();
        Backend {
            client: ComponentClient::new(ClientConfig::with_api_base(sandbox.base_url())).unwrap(),
            appid: c.component_appid.clone(),
            appsecret: c.appsecret.clone(),
        }
    }

    /// `api_component_token` with `ticket` → (token, expires_in).
    pub async fn component_token(&self, ticket: &str) -> (String, i64) {
        let t = self
            .client
            .component_token(&self.appid, &self.appsecret, ticket)
            .await
            .expect("the backend's api_component_token");
        (t.component_access_token, t.expires_in)
    }

    /// The first `n` authorizers' (appid, refresh token), as api_get_authorizer_list gives them.
    pub async fn authorizers(&self, component_token: &str, n: u32) -> Vec<(String, String)> {
        let list = self
            .client
            .authorizer_list(component_token, &self.appid, 0, n)
            .await
            .expect("the backend's authorizer list");
        list.list
            .into_iter()
            .filter_map(|a| Some((a.authorizer_appid, a.refresh_token?)))
            .collect()
    }

    /// `api_authorizer_token` → (token, expires_in, refresh token returned).
    pub async fn authorizer_token(
        &self,
        component_token: &str,
        appid: &str,
        refresh: &str,
    ) -> (String, i64, String) {
        let t = self
            .client
            .authorizer_token(component_token, &self.appid, appid, refresh)
            .await
            .expect("the backend's api_authorizer_token");
        let r = t
            .authorizer_refresh_token
            .unwrap_or_else(|| refresh.to_owned());
        (t.authorizer_access_token, t.expires_in, r)
    }
}

/// WxJava's keys (`AbstractWxOpenInRedisConfigStorage`, no prefix).
pub mod wx {
    pub fn ticket(c: &str) -> String {
        format!("wechat_component_verify_ticket:{c}")
    }
    pub fn component_token(c: &str) -> String {
        format!("wechat_component_access_token:{c}")
    }
    pub fn authorizer_token(c: &str, a: &str) -> String {
        format!("wechat_authorizer_access_token:{c}:{a}")
    }
    pub fn refresh_token(c: &str, a: &str) -> String {
        format!("wechat_authorizer_refresh_token:{c}:{a}")
    }
    /// `WxOpenInMemoryConfigStorage`: literal, unprefixed.
    pub const COMPONENT_LOCK: &str = "componentAccessTokenLock";
    pub fn authorizer_lock(a: &str) -> String {
        format!("{a}:accessTokenLock")
    }
    /// `setValue(key, ticket, Integer.MAX_VALUE, SECONDS)`: Jedis sends this PSETEX.
    pub const TICKET_PX: &str = "2147483647000";
    /// `updateComponentAccessToken`: TTL `expires_in - 200`.
    pub fn token_ex(expires_in: i64) -> String {
        (expires_in - 200).to_string()
    }
}

/// Writes what WxJava writes on a ticket push and a token fetch: the ticket (PSETEX max int s)
/// and the component token (`EX expires_in - 200`).
pub fn wxjava_writes_component(redis: &Redis, c: &str, ticket: &str, token: &str, expires_in: i64) {
    redis.cli(&["PSETEX", &wx::ticket(c), wx::TICKET_PX, ticket]);
    redis.cli(&[
        "SET",
        &wx::component_token(c),
        token,
        "EX",
        &wx::token_ex(expires_in),
    ]);
}
