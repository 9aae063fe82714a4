//! The embedded WeChat simulator (axum on 127.0.0.1) used by the sandbox profile, tests and benches.
//! `wxopen sandbox serve`.
//!
//! It answers the third-party platform ("component") API as documented — paths, query-string
//! tokens, JSON bodies, success shapes and errcodes of `wechat-component-reference.md` §1 and §6 —
//! so that our client, wechatpy's `WeChatComponent` (with `API_BASE_URL = base_url + "/cgi-bin"`)
//! and curl all work against it. State is in memory: seeded authorizers (computed lazily from the
//! seed, see [`seed`]), tickets and tokens with real expiry on a controllable [`clock`],
//! single-use pre-auth and auth codes, options, open accounts and their binding rules, per-API
//! daily quotas, fault injection and encrypted pushes.
//!
//! Modules: `routes` (HTTP), `state` (the rules of every API), `seed` (deterministic authorizers),
//! `open` (open-platform accounts), `quota`, `faults`, `clock`, `push` (the push sender), `conn`
//! (a listener whose connections a fault can drop).
//!
//! Test-only control surface (JSON): `GET /sandbox/credentials`, `POST /sandbox/ticket`,
//! `POST /sandbox/push_ticket [{push_url}]`, `GET /sandbox/clock`, `POST /sandbox/clock/advance
//! {secs}`, `GET|POST|DELETE /sandbox/faults` (a [`Fault`], tagged by `kind`), `GET
//! /sandbox/stats`, `POST /sandbox/authorize` ([`AuthorizeRequest`] → [`AuthorizeOutcome`]),
//! `POST /sandbox/unauthorize {appid}`,
//! `GET /sandbox/authorizers/{appid}/options`, `GET /sandbox/authorizers/{appid}/open`,
//! `GET /sandbox/open_accounts`, and `GET /sandbox/img/{head|qrcode}/{appid}.svg` placeholders.
//! The authorization links' own paths (`/cgi-bin/componentloginpage`, `/safe/bindcomponent`,
//! `/wxaopen/safe/bindcomponent`) approve at once when visited and 302 to
//! `redirect_uri?auth_code=…&expires_in=600` (optional `sandbox_appid` / `sandbox_kind` pick the
//! account).

pub mod clock;
mod conn;
pub mod faults;
pub mod open;
mod push;
pub mod quota;
mod routes;
pub mod seed;
pub mod state;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::Fault;
pub use open::OpenAccountView;
pub use seed::Kind;
pub use state::{AuthorizeOutcome, AuthorizeRequest};

use push::Pusher;
use state::Shared;

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// How many authorizers to seed (2,000 by default; up to 200,000 and more cost no memory).
    pub authorizers: usize,
    /// Seed of the generated authorizers (same seed, same data).
    pub seed: u64,
    /// Calls per API path per owner per (sandbox-clock) day before 45009.
    pub daily_quota: u64,
    /// The authorization-event URL pushes go to.
    pub push_url: Option<String>,
    /// With `push_url`: push a fresh component_verify_ticket this often (WeChat: 10 min).
    pub push_interval: Option<Duration>,
    /// `None`: [`SandboxCredentials::default`].
    pub credentials: Option<SandboxCredentials>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            authorizers: 2000,
            seed: 1,
            daily_quota: 100_000,
            push_url: None,
            push_interval: None,
            credentials: None,
        }
    }
}

/// The platform's own settings as the open.weixin.qq.com console would show them.
#[derive(Clone, Serialize, Deserialize, Debug, PartialEq, Eq)]
pub struct SandboxCredentials {
    /// `wx` + 16 hex digits.
    pub component_appid: String,
    pub appsecret: String,
    /// Message-check token.
    pub token: String,
    /// 43 characters.
    pub encoding_aes_key: String,
}

impl Default for SandboxCredentials {
    /// Fixed values, so a sandbox profile survives restarts of the simulator.
    fn default() -> Self {
        SandboxCredentials {
            component_appid: "wx5a4db0c0ffee0001".to_owned(),
            appsecret: "5b1e7ad0a3f94c2e8d6b0f4a9c3e2d17".to_owned(),
            token: "wxopensandbox".to_owned(),
            encoding_aes_key: "SandboxEncodingAesKey0123456789abcdefghijkl".to_owned(),
        }
    }
}

/// A running simulator.
pub struct Sandbox {
    control: SandboxControl,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    ticker: Option<JoinHandle<()>>,
}

/// A cheap handle on a running simulator's state (Clone + Send + Sync).
#[derive(Clone)]
pub struct SandboxControl {
    shared: Arc<Shared>,
    pusher: Arc<Pusher>,
    runtime: tokio::runtime::Handle,
}

impl Sandbox {
    /// Binds 127.0.0.1:`port` and starts serving (and pushing, when configured).
    pub async fn start(cfg: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let creds = cfg.credentials.unwrap_or_default();
        let shared = Arc::new(Shared::new(
            cfg.seed,
            cfg.authorizers,
            cfg.daily_quota,
            creds,
            base_url,
        ));
        let control = SandboxControl {
            shared,
            pusher: Arc::new(Pusher::new(cfg.push_url.clone())),
            runtime: tokio::runtime::Handle::current(),
        };
        let app =
            routes::router(control.clone()).into_make_service_with_connect_info::<conn::Conn>();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve =
                axum::serve(conn::KillableListener(listener), app).with_graceful_shutdown(async {
                    let _ = rx.await;
                });
            if let Err(e) = serve.await {
                tracing::warn!("sandbox server stopped: {e}");
            }
        });
        let ticker = match (cfg.push_url, cfg.push_interval) {
            (Some(_), Some(every)) => {
                let ctl = control.clone();
                Some(tokio::spawn(async move {
                    let mut interval = tokio::time::interval(every.max(Duration::from_millis(10)));
                    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        interval.tick().await;
                        if let Err(e) = ctl.push_ticket_now().await {
                            tracing::warn!("sandbox ticket push: {e}");
                        }
                    }
                }))
            }
            _ => None,
        };
        Ok(Sandbox {
            control,
            shutdown: Some(tx),
            server,
            ticker,
        })
    }

    /// `http://127.0.0.1:PORT` (append `/cgi-bin/...`; wechatpy's `API_BASE_URL` is this + `/cgi-bin`).
    pub fn base_url(&self) -> String {
        self.control.base_url()
    }

    pub fn credentials(&self) -> &SandboxCredentials {
        &self.control.shared.creds
    }

    pub fn control(&self) -> SandboxControl {
        self.control.clone()
    }

    /// Stops the background pushes and the server (open connections get 2 s to finish).
    pub async fn shutdown(mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
            let _ = t.await;
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(Duration::from_secs(2), &mut self.server)
            .await
            .is_err()
        {
            self.server.abort();
            let _ = (&mut self.server).await;
        }
    }
}

impl SandboxControl {
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn credentials(&self) -> &SandboxCredentials {
        &self.shared.creds
    }

    /// A new component_verify_ticket (the newest two are accepted, each for 12 h).
    pub fn issue_ticket(&self) -> String {
        self.shared.issue_ticket()
    }

    /// Moves the simulator's clock forward (expiry of tickets, tokens and codes; quota days).
    pub fn advance_clock(&self, secs: u64) {
        self.shared.clock.advance(secs);
    }

    pub fn now(&self) -> i64 {
        self.shared.now()
    }

    /// Requests seen on an API path (every request, faulted or refused ones included).
    pub fn call_count(&self, path: &str) -> u64 {
        self.shared.lock().calls.get(path).copied().unwrap_or(0)
    }

    pub fn set_fault(&self, fault: Fault) {
        self.shared.lock().faults.add(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    pub fn faults(&self) -> Vec<Fault> {
        self.shared.lock().faults.list()
    }

    /// Plays the account admin on the authorization page: consumes the pre_auth_code, adds or
    /// re-authorizes the account and returns the auth code (and the redirect WeChat would do).
    /// Pushes `authorized` / `updateauthorized` when a push URL is set.
    pub fn authorize(&self, req: AuthorizeRequest) -> Result<AuthorizeOutcome, (i64, String)> {
        let (out, event) = self
            .shared
            .authorize(&req)
            .map_err(|e| (e.errcode, e.errmsg))?;
        let xml = push::authorized_xml(&self.credentials().component_appid, self.now(), &event);
        self.spawn_push("authorization", xml);
        Ok(out)
    }

    /// The account cancels its authorization (as its admin would on mp.weixin.qq.com): it leaves
    /// the list, its tokens die, and an `unauthorized` push goes out when a push URL is set.
    pub fn unauthorize(&self, appid: &str) -> Result<(), (i64, String)> {
        let appid = self
            .shared
            .unauthorize(appid)
            .map_err(|e| (e.errcode, e.errmsg))?;
        let xml = push::unauthorized_xml(&self.credentials().component_appid, self.now(), &appid);
        self.spawn_push("unauthorization", xml);
        Ok(())
    }

    /// Sends a push in the background when a push URL is set (failures are logged).
    fn spawn_push(&self, what: &'static str, xml: String) {
        if self.pusher.url().is_none() {
            return;
        }
        let ctl = self.clone();
        self.runtime.spawn(async move {
            if let Err(e) = ctl.pusher.send(&ctl.shared.creds, &xml).await {
                tracing::warn!("sandbox {what} push: {e}");
            }
        });
    }

    /// Current value of an option ("0", "1", "2"), as api_get_authorizer_option would answer.
    pub fn authorizer_option(&self, appid: &str, name: &str) -> Option<String> {
        self.shared.option_of(appid, name)
    }

    /// The open account `appid` is bound to.
    pub fn open_appid_of(&self, appid: &str) -> Option<String> {
        self.shared.open_appid_of(appid)
    }

    pub fn open_accounts(&self) -> Vec<OpenAccountView> {
        self.shared.lock().open.views()
    }

    pub fn authorizer_count(&self) -> usize {
        self.shared.count()
    }

    /// Where pushes go (None: nowhere).
    pub fn set_push_url(&self, url: Option<String>) {
        self.pusher.set_url(url);
    }

    /// Issues a new ticket and POSTs it, encrypted, to the push URL.
    pub async fn push_ticket_now(&self) -> Result<(), String> {
        if self.pusher.url().is_none() {
            return Err("no push URL configured".to_owned());
        }
        let ticket = self.issue_ticket();
        let now = self.now();
        let xml = push::ticket_xml(&self.shared.creds.component_appid, now, &ticket);
        self.pusher.send(&self.shared.creds, &xml).await
    }
}
