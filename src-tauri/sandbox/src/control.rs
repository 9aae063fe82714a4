//! [`SandboxControl`]: the simulator's state as tests, the HTTP control routes and the sandbox
//! profile drive it.

use std::sync::Arc;

use super::calls::PathCalls;
use super::config::SandboxCredentials;
use super::faults::Fault;
use super::open::OpenAccountView;
use super::push::{self, Pusher};
use super::state::{AuthorizeOutcome, AuthorizeRequest, AuthorizerEdit, Shared};

/// A cheap handle on a running simulator's state (Clone + Send + Sync).
#[derive(Clone)]
pub struct SandboxControl {
    pub(crate) shared: Arc<Shared>,
    pub(crate) pusher: Arc<Pusher>,
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) control_token: Arc<str>,
}

impl SandboxControl {
    /// What the `/sandbox/*` control routes want in the `X-Sandbox-Token` header (random per
    /// start unless [`crate::SandboxConfig::control_token`] named one).
    pub fn control_token(&self) -> &str {
        &self.control_token
    }

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

    /// The calls on an API path and the access token each carried.
    pub fn calls_on(&self, path: &str) -> PathCalls {
        self.shared.lock().call_tokens.path(path)
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

    /// The account's admin changes its name, verification, principal or granted permission
    /// sets (see [`AuthorizerEdit`]); no push goes out (WeChat sends none for these).
    pub fn edit_authorizer(&self, appid: &str, edit: &AuthorizerEdit) -> Result<(), (i64, String)> {
        self.shared
            .edit_authorizer(appid, edit)
            .map_err(|e| (e.errcode, e.errmsg))
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
