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
mod config;
mod conn;
mod control;
pub mod faults;
pub mod open;
mod push;
pub mod quota;
mod routes;
pub mod seed;
pub mod state;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{SandboxConfig, SandboxCredentials};
pub use control::SandboxControl;
pub use faults::Fault;
pub use open::OpenAccountView;
pub use seed::Kind;
pub use state::{AuthorizeOutcome, AuthorizeRequest};

use push::Pusher;
use state::Shared;

/// A running simulator.
pub struct Sandbox {
    control: SandboxControl,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    ticker: Option<JoinHandle<()>>,
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
