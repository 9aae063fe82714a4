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
//! Modules: `routes` (HTTP), `guard` (Host, token and content-type checks), `hosts` (loopback
//! and redirect-domain rules), `state` (the rules of every API), `seed` (deterministic
//! authorizers), `open` (open-platform accounts), `quota`, `faults`, `clock`, `push` (the push
//! sender), `conn` (a listener whose connections a fault can drop).
//!
//! Every route wants a loopback `Host` (127.0.0.1, localhost, `[::1]`; any port), else 421, so a
//! web page cannot reach the simulator through a name of its own resolving to 127.0.0.1 (DNS
//! rebinding). Request bodies over [`MAX_REQUEST_BODY`] get 413.
//!
//! Test-only control surface (JSON). Every route of it wants the per-start
//! [`SandboxControl::control_token`] in the [`CONTROL_TOKEN_HEADER`] header (else 403) and every
//! POST `Content-Type: application/json` (else 415): what a cross-origin page cannot send
//! without a preflight. `GET /sandbox/credentials`, `POST /sandbox/ticket`,
//! `POST /sandbox/push_ticket [{push_url}]`, `GET /sandbox/clock`, `POST /sandbox/clock/advance
//! {secs}`, `GET|POST|DELETE /sandbox/faults` (a [`Fault`], tagged by `kind`), `GET
//! /sandbox/stats`, `GET /sandbox/calls[?path=/cgi-bin/…]` (calls per path and the access token
//! each carried), `POST /sandbox/authorize` ([`AuthorizeRequest`] → [`AuthorizeOutcome`]),
//! `POST /sandbox/unauthorize {appid}`,
//! `GET /sandbox/authorizers/{appid}/options`, `GET /sandbox/authorizers/{appid}/open`,
//! `GET /sandbox/open_accounts`. Without a token (the app's `<img>` tags load them):
//! `GET /sandbox/img/{head|qrcode}/{appid}.svg` placeholders.
//!
//! The authorization links' own paths (`/cgi-bin/componentloginpage`, `/safe/bindcomponent`,
//! `/wxaopen/safe/bindcomponent`) approve at once when visited and 302 to
//! `redirect_uri?auth_code=…&expires_in=600` (optional `sandbox_appid` / `sandbox_kind` pick the
//! account), as WeChat only when redirect_uri is http(s) on one of the platform's registered
//! domains ([`SandboxConfig::redirect_domains`], default [`DEFAULT_REDIRECT_DOMAINS`]), a
//! subdomain of one, or loopback. Otherwise they show an error page and the pre_auth_code stays
//! unused.

mod calls;
pub mod clock;
mod config;
mod conn;
mod control;
pub mod faults;
mod guard;
mod hosts;
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

pub use calls::PathCalls;
pub use config::{SandboxConfig, SandboxCredentials};
pub use control::SandboxControl;
pub use faults::Fault;
pub use guard::{CONTROL_TOKEN_HEADER, MAX_REQUEST_BODY};
pub use hosts::DEFAULT_REDIRECT_DOMAINS;
pub use open::OpenAccountView;
pub use seed::Kind;
pub use state::{AuthorizeOutcome, AuthorizeRequest, AuthorizerEdit};

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
            cfg.redirect_domains,
        ));
        let control_token = cfg
            .control_token
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(guard::new_control_token);
        let control = SandboxControl {
            shared,
            pusher: Arc::new(Pusher::new(cfg.push_url.clone())),
            runtime: tokio::runtime::Handle::current(),
            control_token: control_token.into(),
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

    /// The `X-Sandbox-Token` the control routes want.
    pub fn control_token(&self) -> &str {
        self.control.control_token()
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
