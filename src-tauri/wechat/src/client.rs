//! Typed async client of the WeChat Open Platform third-party platform ("component") API.
//!
//! One [`ComponentClient`] holds one `reqwest::Client` (one connection pool) built from a
//! validated [`ClientConfig`] (API base, proxy, timeouts, user agent). It stores **no** tokens or
//! secrets: every method takes the credentials it needs, and caching/refreshing tokens is the
//! service layer's job (the `TokenSource` seam of DESIGN.md).
//!
//! Protocol rules followed (reference §0–§1, checked against WxJava `WxOpenComponentServiceImpl`
//! (commit 2734bac), wechatpy `component.py` and the official doc pages):
//! - every call is `POST` with a JSON body and a JSON answer, except `/cgi-bin/open/have`, which
//!   is `GET` with no body (official `getBindOpenAccount` page: "GET …/cgi-bin/open/have?
//!   access_token=ACCESS_TOKEN", request body "无"; WxJava `haveOpen()` uses `get(...)` too — the
//!   shared notes' "body `{}`" is not what the docs say);
//! - the token travels in the query string, never in the body: `component_access_token=` for
//!   `/cgi-bin/component/*` (what every SDK sends; newer pages write `access_token=` for the same
//!   value), `access_token=` for `/cgi-bin/open/*`, `/cgi-bin/openapi/*` and `/cgi-bin/clear_quota`;
//!   `api_component_token`, `api_start_push_ticket` and `component/clear_quota/v2` take none;
//! - a non-2xx HTTP status is [`WeChatError::HttpStatus`]; a 2xx body that is not a JSON object is
//!   [`WeChatError::InvalidJson`]; `errcode != 0` (number, or numeric string) is
//!   [`WeChatError::Api`]; success may carry `errcode: 0` or no errcode at all.
//!
//! Every call is reported to an optional observer ([`CallRecord`]: endpoint, appid, HTTP
//! status, errcode, duration — never a token) so an audit log can record it.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderValue;
use reqwest::Method;
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::error::{body_snippet, redact_secrets, ClientConfigError, WeChatError, WeChatErrorKind};
use super::models::*;

/// WeChat's API host.
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Answers are read up to this many bytes, then given up ([`WeChatError::AnswerTooLarge`]).
/// The largest real answer (a 500-account `api_get_authorizer_list` page) is ~100 KB; the cap
/// only stops a wrong API base or a hostile proxy from making us buffer without bound.
pub const MAX_ANSWER_BYTES: usize = 4 << 20;
/// Largest `count` `api_get_authorizer_list` accepts (more gives 40170).
pub const AUTHORIZER_LIST_MAX_COUNT: u32 = 500;

/// Endpoint paths (relative to the API base).
pub mod paths {
    pub const API_COMPONENT_TOKEN: &str = "/cgi-bin/component/api_component_token";
    pub const API_START_PUSH_TICKET: &str = "/cgi-bin/component/api_start_push_ticket";
    pub const API_CREATE_PREAUTHCODE: &str = "/cgi-bin/component/api_create_preauthcode";
    pub const API_QUERY_AUTH: &str = "/cgi-bin/component/api_query_auth";
    pub const API_AUTHORIZER_TOKEN: &str = "/cgi-bin/component/api_authorizer_token";
    pub const API_GET_AUTHORIZER_INFO: &str = "/cgi-bin/component/api_get_authorizer_info";
    pub const API_GET_AUTHORIZER_LIST: &str = "/cgi-bin/component/api_get_authorizer_list";
    pub const API_GET_AUTHORIZER_OPTION: &str = "/cgi-bin/component/api_get_authorizer_option";
    pub const API_SET_AUTHORIZER_OPTION: &str = "/cgi-bin/component/api_set_authorizer_option";
    pub const GET_AUTHORIZER_OPTION: &str = "/cgi-bin/component/get_authorizer_option";
    pub const SET_AUTHORIZER_OPTION: &str = "/cgi-bin/component/set_authorizer_option";
    pub const COMPONENT_CLEAR_QUOTA: &str = "/cgi-bin/component/clear_quota";
    pub const CLEAR_QUOTA: &str = "/cgi-bin/clear_quota";
    pub const COMPONENT_CLEAR_QUOTA_V2: &str = "/cgi-bin/component/clear_quota/v2";
    pub const OPEN_CREATE: &str = "/cgi-bin/open/create";
    pub const OPEN_BIND: &str = "/cgi-bin/open/bind";
    pub const OPEN_UNBIND: &str = "/cgi-bin/open/unbind";
    pub const OPEN_GET: &str = "/cgi-bin/open/get";
    pub const OPEN_HAVE: &str = "/cgi-bin/open/have";
    pub const OPENAPI_QUOTA_GET: &str = "/cgi-bin/openapi/quota/get";
    pub const OPENAPI_RID_GET: &str = "/cgi-bin/openapi/rid/get";
}

/// How the token travels in the query string.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TokenParam<'a> {
    /// No token (`api_component_token`, `api_start_push_ticket`, `component/clear_quota/v2`).
    None,
    /// `?component_access_token=…` (`/cgi-bin/component/*`).
    ComponentAccessToken(&'a str),
    /// `?access_token=…` (`/cgi-bin/open/*`, `/cgi-bin/openapi/*`, `/cgi-bin/clear_quota`, and the
    /// newer `component/get|set_authorizer_option`).
    AccessToken(&'a str),
}

impl fmt::Debug for TokenParam<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenParam::None => f.write_str("None"),
            TokenParam::ComponentAccessToken(_) => f.write_str("ComponentAccessToken(<redacted>)"),
            TokenParam::AccessToken(_) => f.write_str("AccessToken(<redacted>)"),
        }
    }
}

impl TokenParam<'_> {
    /// The query parameter name, if any.
    pub fn param_name(&self) -> Option<&'static str> {
        match self {
            TokenParam::None => None,
            TokenParam::ComponentAccessToken(_) => Some("component_access_token"),
            TokenParam::AccessToken(_) => Some("access_token"),
        }
    }
}

/// Connection settings of one profile.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// `https://api.weixin.qq.com` by default; any http(s) base (a path prefix is kept, e.g. a
    /// reverse proxy at `https://gw.example.com/wx`), e.g. the sandbox's `http://127.0.0.1:PORT`.
    pub api_base: String,
    /// `http://`, `https://`, `socks5://` or `socks5h://` (DNS through the proxy), optionally with
    /// `user:pass@`. `None` (or blank) means a direct connection: proxy environment variables
    /// are deliberately ignored, so what the profile says is what happens.
    pub proxy: Option<String>,
    pub connect_timeout: Duration,
    /// Whole call: connect, send, and read the answer.
    pub total_timeout: Duration,
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_base: DEFAULT_API_BASE.to_string(),
            proxy: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            user_agent: default_user_agent(),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_base", &redact_secrets(&self.api_base))
            .field("proxy", &self.proxy.as_deref().map(redact_secrets))
            .field("connect_timeout", &self.connect_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// `WxOpenConsole/<version>`.
pub fn default_user_agent() -> String {
    format!("WxOpenConsole/{}", env!("CARGO_PKG_VERSION"))
}

impl ClientConfig {
    /// A default config pointed at another API base (the sandbox, a gateway).
    pub fn with_api_base(api_base: impl Into<String>) -> Self {
        ClientConfig {
            api_base: api_base.into(),
            ..Default::default()
        }
    }

    /// Check every setting without building a client.
    pub fn validate(&self) -> Result<(), ClientConfigError> {
        self.parsed().map(|_| ())
    }

    /// The parsed API base URL.
    pub fn api_base_url(&self) -> Result<Url, ClientConfigError> {
        parse_api_base(&self.api_base)
    }

    /// The parsed proxy URL, `None` for a direct connection.
    pub fn proxy_url(&self) -> Result<Option<Url>, ClientConfigError> {
        match self.proxy.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(p) => parse_proxy(p).map(Some),
        }
    }

    fn parsed(&self) -> Result<(Url, Option<Url>, HeaderValue), ClientConfigError> {
        let base = self.api_base_url()?;
        let proxy = self.proxy_url()?;
        if self.connect_timeout.is_zero() {
            return Err(ClientConfigError::ZeroTimeout { which: "connect" });
        }
        if self.total_timeout.is_zero() {
            return Err(ClientConfigError::ZeroTimeout { which: "total" });
        }
        if self.connect_timeout > self.total_timeout {
            return Err(ClientConfigError::ConnectLongerThanTotal {
                connect_ms: self.connect_timeout.as_millis(),
                total_ms: self.total_timeout.as_millis(),
            });
        }
        if self.user_agent.trim().is_empty() {
            return Err(ClientConfigError::InvalidUserAgent {
                reason: "empty".into(),
            });
        }
        let ua = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            ClientConfigError::InvalidUserAgent {
                reason: "contains characters not allowed in an HTTP header".into(),
            }
        })?;
        Ok((base, proxy, ua))
    }
}

/// `127.0.0.0/8`, `::1` and `localhost`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn parse_api_base(raw: &str) -> Result<Url, ClientConfigError> {
    let value = redact_secrets(raw);
    let invalid = |reason: &str| ClientConfigError::InvalidApiBase {
        value: value.clone(),
        reason: reason.to_string(),
    };
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(invalid("empty"));
    }
    let url = Url::parse(trimmed).map_err(|e| invalid(&e.to_string()))?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(ClientConfigError::UnsupportedApiBaseScheme {
                scheme: other.to_string(),
            })
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    // The appsecret travels in request bodies and every token in a query string: in clear only
    // where nobody else can listen (the simulator, a local relay).
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(ClientConfigError::CleartextApiBase {
            host: url.host_str().unwrap_or_default().to_owned(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or a fragment"));
    }
    Ok(url)
}

fn parse_proxy(raw: &str) -> Result<Url, ClientConfigError> {
    let value = redact_secrets(raw);
    let invalid = |reason: &str| ClientConfigError::InvalidProxy {
        value: value.clone(),
        reason: reason.to_string(),
    };
    let url = Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
    match url.scheme() {
        "http" | "https" | "socks5" | "socks5h" => {}
        other => {
            return Err(ClientConfigError::UnsupportedProxyScheme {
                scheme: other.to_string(),
            })
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    Ok(url)
}

/// One finished call, as reported to the observer. Holds no token, secret or body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// Endpoint path, e.g. `/cgi-bin/component/api_query_auth` (no host, no query).
    pub endpoint: String,
    pub method: &'static str,
    /// The account the call is about, when there is one (authorizer appid for per-authorizer
    /// calls, component appid for platform calls).
    pub appid: Option<String>,
    /// HTTP status, when an answer arrived.
    pub http_status: Option<u16>,
    /// WeChat errcode: `Some(0)` for a success (with or without an errcode member), `Some(n)`
    /// for an API error, `None` when no WeChat answer was understood.
    pub errcode: Option<i64>,
    /// What failed, `None` on success.
    pub error: Option<WeChatErrorKind>,
    /// The `rid: …` of a failed call's errmsg: `openapi/rid/get` shows the request for 7 days.
    pub rid: Option<String>,
    /// The query parameter the token travelled in (`component_access_token`, `access_token`),
    /// `None` without one: a rid can only be looked up with the same kind of token.
    pub token_param: Option<&'static str>,
    pub started_at: SystemTime,
    pub duration: Duration,
}

impl CallRecord {
    pub fn is_success(&self) -> bool {
        self.error.is_none()
    }
}

/// Called once after every call (success or failure). Must be quick and must not panic.
pub type CallObserver = Arc<dyn Fn(&CallRecord) + Send + Sync>;

/// The WeChat component API client. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct ComponentClient {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
    observer: Option<CallObserver>,
}

impl fmt::Debug for ComponentClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentClient")
            .field("config", &self.config)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

impl ComponentClient {
    /// Validate `config` and build the client (one connection pool).
    pub fn new(config: ClientConfig) -> Result<Self, ClientConfigError> {
        let (base, proxy, ua) = config.parsed()?;
        let mut builder = reqwest::Client::builder()
            .user_agent(ua)
            .connect_timeout(config.connect_timeout)
            .timeout(config.total_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            // WeChat's API never redirects, and a followed redirect would take the token in the
            // query string wherever the Location pointed: a 3xx is an HTTP status error.
            .redirect(reqwest::redirect::Policy::none());
        builder = match proxy {
            None => builder.no_proxy(),
            Some(p) => {
                let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| {
                    ClientConfigError::InvalidProxy {
                        value: redact_secrets(p.as_str()),
                        reason: redact_secrets(&e.without_url().to_string()),
                    }
                })?;
                builder.proxy(proxy)
            }
        };
        let http = builder.build().map_err(|e| ClientConfigError::Build {
            message: redact_secrets(&e.without_url().to_string()),
        })?;
        Ok(ComponentClient {
            http,
            base,
            config,
            observer: None,
        })
    }

    /// A client with the default config (WeChat's host, no proxy).
    pub fn with_defaults() -> Result<Self, ClientConfigError> {
        Self::new(ClientConfig::default())
    }

    /// Report every call to `observer`.
    pub fn with_observer(mut self, observer: CallObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    pub fn set_observer(&mut self, observer: Option<CallObserver>) {
        self.observer = observer;
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The API base in use.
    pub fn api_base(&self) -> &Url {
        &self.base
    }

    /// The full URL of `path` with the token in the query. Contains the token: never log it.
    pub fn endpoint_url(&self, path: &str, token: TokenParam<'_>) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{}", self.base.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        match token {
            TokenParam::None => {}
            TokenParam::ComponentAccessToken(t) => {
                url.query_pairs_mut()
                    .append_pair("component_access_token", t);
            }
            TokenParam::AccessToken(t) => {
                url.query_pairs_mut().append_pair("access_token", t);
            }
        }
        url
    }

    // -----------------------------------------------------------------------------------------
    // Tokens and authorization

    /// `POST /cgi-bin/component/api_component_token` (no token) body `{component_appid,
    /// component_appsecret, component_verify_ticket}` → `{component_access_token, expires_in}`.
    /// Every successful call supersedes the previous token (which dies within minutes): callers
    /// must cache. Typical errors: 61005/61006 ticket expired/invalid, 40125 bad secret, 61004 IP.
    pub async fn component_token(
        &self,
        component_appid: &str,
        component_appsecret: &str,
        component_verify_ticket: &str,
    ) -> Result<ComponentToken, WeChatError> {
        let body = ComponentTokenRequest {
            component_appid,
            component_appsecret,
            component_verify_ticket,
        };
        self.post(
            paths::API_COMPONENT_TOKEN,
            TokenParam::None,
            &body,
            Some(component_appid),
        )
        .await
    }

    /// `POST /cgi-bin/component/api_start_push_ticket` (no token) body `{component_appid,
    /// component_secret}`: asks WeChat to push a fresh `component_verify_ticket` now. errmsg
    /// `"in a normal state"` (already pushing) is a success too.
    pub async fn start_push_ticket(
        &self,
        component_appid: &str,
        component_secret: &str,
    ) -> Result<Ack, WeChatError> {
        let body = StartPushTicketRequest {
            component_appid,
            component_secret,
        };
        self.post(
            paths::API_START_PUSH_TICKET,
            TokenParam::None,
            &body,
            Some(component_appid),
        )
        .await
    }

    /// `POST /cgi-bin/component/api_create_preauthcode?component_access_token=…` body
    /// `{component_appid}` → `{pre_auth_code, expires_in}` (single use; use `expires_in`).
    pub async fn create_preauthcode(
        &self,
        component_access_token: &str,
        component_appid: &str,
    ) -> Result<PreAuthCode, WeChatError> {
        let body = ComponentAppidRequest { component_appid };
        self.post(
            paths::API_CREATE_PREAUTHCODE,
            TokenParam::ComponentAccessToken(component_access_token),
            &body,
            Some(component_appid),
        )
        .await
    }

    /// `POST /cgi-bin/component/api_query_auth?component_access_token=…` body
    /// `{component_appid, authorization_code}` → `{authorization_info{…}}`. 61009 invalid/used
    /// code (or a pre_auth_code passed by mistake), 61010 expired.
    pub async fn query_auth(
        &self,
        component_access_token: &str,
        component_appid: &str,
        authorization_code: &str,
    ) -> Result<QueryAuth, WeChatError> {
        let body = QueryAuthRequest {
            component_appid,
            authorization_code,
        };
        self.post(
            paths::API_QUERY_AUTH,
            TokenParam::ComponentAccessToken(component_access_token),
            &body,
            Some(component_appid),
        )
        .await
    }

    /// `POST /cgi-bin/component/api_authorizer_token?component_access_token=…` body
    /// `{component_appid, authorizer_appid, authorizer_refresh_token}` →
    /// `{authorizer_access_token, expires_in, authorizer_refresh_token}`. 61023 refresh token
    /// invalid (re-authorized or revoked), 61003 not authorized.
    pub async fn authorizer_token(
        &self,
        component_access_token: &str,
        component_appid: &str,
        authorizer_appid: &str,
        authorizer_refresh_token: &str,
    ) -> Result<AuthorizerToken, WeChatError> {
        let body = AuthorizerTokenRequest {
            component_appid,
            authorizer_appid,
            authorizer_refresh_token,
        };
        self.post(
            paths::API_AUTHORIZER_TOKEN,
            TokenParam::ComponentAccessToken(component_access_token),
            &body,
            Some(authorizer_appid),
        )
        .await
    }

    /// `POST /cgi-bin/component/api_get_authorizer_info?component_access_token=…` body
    /// `{component_appid, authorizer_appid}` → `{authorizer_info{…}, authorization_info{…}}`.
    pub async fn authorizer_info(
        &self,
        component_access_token: &str,
        component_appid: &str,
        authorizer_appid: &str,
    ) -> Result<AuthorizerInfoAnswer, WeChatError> {
        let body = AuthorizerInfoRequest {
            component_appid,
            authorizer_appid,
        };
        self.post(
            paths::API_GET_AUTHORIZER_INFO,
            TokenParam::ComponentAccessToken(component_access_token),
            &body,
            Some(authorizer_appid),
        )
        .await
    }

    /// `POST /cgi-bin/component/api_get_authorizer_list?component_access_token=…` body
    /// `{component_appid, offset, count}` (numbers; `count` ≤ [`AUTHORIZER_LIST_MAX_COUNT`], sent
    /// as given: WeChat answers 40170 above it) → `{total_count, list[{authorizer_appid,
    /// refresh_token, auth_time}]}`.
    pub async fn authorizer_list(
        &self,
        component_access_token: &str,
        component_appid: &str,
        offset: u32,
        count: u32,
    ) -> Result<AuthorizerList, WeChatError> {
        let body = AuthorizerListRequest {
            component_appid,
            offset,
            count,
        };
        self.post(
            paths::API_GET_AUTHORIZER_LIST,
            TokenParam::ComponentAccessToken(component_access_token),
            &body,
            Some(component_appid),
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Options

    /// Legacy (2.0 docs, wechatpy, the seed): `POST
    /// /cgi-bin/component/api_get_authorizer_option?component_access_token=…` body
    /// `{component_appid, authorizer_appid, option_name}` → `{authorizer_appid, option_name,
    /// option_value: "1"}`.
    pub async fn get_authorizer_option(
        &self,
        component_access_token: &str,
        component_appid: &str,
        authorizer_appid: &str,
        option_name: &str,
    ) -> Result<AuthorizerOption, WeChatError> {
        let body = GetOptionRequest {
            component_appid,
            authorizer_appid,
            option_name,
        };
        self.post(
            paths::API_GET_AUTHORIZER_OPTION,
            TokenParam::ComponentAccessToken(component_access_token),
            &body,
            Some(authorizer_appid),
        )
        .await
    }

    /// Legacy: `POST /cgi-bin/component/api_set_authorizer_option?component_access_token=…` body
    /// `{component_appid, authorizer_appid, option_name, option_value}` (value a string) →
    /// `{errcode:0}`. 61012 bad name, 61013 bad value, 61025 read-only.
    pub async fn set_authorizer_option(
        &self,
        component_access_token: &str,
        component_appid: &str,
        authorizer_appid: &str,
        option_name: &str,
        option_value: &str,
    ) -> Result<Ack, WeChatError> {
        let body = SetOptionRequest {
            component_appid,
            authorizer_appid,
            option_name,
            option_value,
        };
        self.post(
            paths::API_SET_AUTHORIZER_OPTION,
            TokenParam::ComponentAccessToken(component_access_token),
            &body,
            Some(authorizer_appid),
        )
        .await
    }

    /// Newer: `POST /cgi-bin/component/get_authorizer_option?access_token=AUTHORIZER_TOKEN`.
    ///
    /// The docs disagree on the token (the CN openApi page says component_access_token with a
    /// body of `{option_name}` only, which could not name the account; the EN page says
    /// authorizer_access_token). This follows WxJava (`getAuthorizerOption`, commit 2734bac):
    /// `access_token=` the **authorizer** token, body `{component_appid, authorizer_appid,
    /// option_name}`.
    pub async fn get_option_v2(
        &self,
        authorizer_access_token: &str,
        component_appid: &str,
        authorizer_appid: &str,
        option_name: &str,
    ) -> Result<AuthorizerOption, WeChatError> {
        let body = GetOptionRequest {
            component_appid,
            authorizer_appid,
            option_name,
        };
        self.post(
            paths::GET_AUTHORIZER_OPTION,
            TokenParam::AccessToken(authorizer_access_token),
            &body,
            Some(authorizer_appid),
        )
        .await
    }

    /// Newer: `POST /cgi-bin/component/set_authorizer_option?access_token=AUTHORIZER_TOKEN` body
    /// `{component_appid, authorizer_appid, option_name, option_value}` (as WxJava
    /// `setAuthorizerOption`; see [`Self::get_option_v2`] for the token question).
    pub async fn set_option_v2(
        &self,
        authorizer_access_token: &str,
        component_appid: &str,
        authorizer_appid: &str,
        option_name: &str,
        option_value: &str,
    ) -> Result<Ack, WeChatError> {
        let body = SetOptionRequest {
            component_appid,
            authorizer_appid,
            option_name,
            option_value,
        };
        self.post(
            paths::SET_AUTHORIZER_OPTION,
            TokenParam::AccessToken(authorizer_access_token),
            &body,
            Some(authorizer_appid),
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Quotas

    /// Legacy: `POST /cgi-bin/component/clear_quota?component_access_token=…` body
    /// `{component_appid}`: resets the platform's own counters. Counts against the 10 resets per
    /// month (48006 past that).
    pub async fn clear_quota(
        &self,
        component_access_token: &str,
        component_appid: &str,
    ) -> Result<Ack, WeChatError> {
        let body = ComponentAppidRequest { component_appid };
        self.post(
            paths::COMPONENT_CLEAR_QUOTA,
            TokenParam::ComponentAccessToken(component_access_token),
            &body,
            Some(component_appid),
        )
        .await
    }

    /// Generic: `POST /cgi-bin/clear_quota?access_token=…` body `{appid}`. With the component
    /// token and the component appid it resets the platform; with an authorizer token and that
    /// authorizer's appid, the authorizer (40013 when they do not match).
    pub async fn clear_quota_generic(
        &self,
        access_token: &str,
        appid: &str,
    ) -> Result<Ack, WeChatError> {
        let body = AppidRequest { appid };
        self.post(
            paths::CLEAR_QUOTA,
            TokenParam::AccessToken(access_token),
            &body,
            Some(appid),
        )
        .await
    }

    /// `POST /cgi-bin/component/clear_quota/v2` (no token) body `{component_appid, appsecret[,
    /// appid]}`: reset with the secret, for when `api_component_token` itself hit 45009. `appid`
    /// resets an authorizer's quota instead of the platform's (WxJava `clearQuotaV2`).
    pub async fn clear_quota_v2(
        &self,
        component_appid: &str,
        appsecret: &str,
        appid: Option<&str>,
    ) -> Result<Ack, WeChatError> {
        let appid = appid.filter(|a| !a.is_empty());
        let body = ClearQuotaV2Request {
            component_appid,
            appsecret,
            appid,
        };
        self.post(
            paths::COMPONENT_CLEAR_QUOTA_V2,
            TokenParam::None,
            &body,
            Some(appid.unwrap_or(component_appid)),
        )
        .await
    }

    /// `POST /cgi-bin/openapi/quota/get?access_token=…` body `{cgi_path}` (a path such as
    /// `/cgi-bin/component/api_component_token`, no host) → `{quota{daily_limit, used, remain},
    /// rate_limit?, component_rate_limit?}`. Use the token of the API's owner (component token
    /// for component APIs); 76021 unknown path, 76022 not yours.
    pub async fn api_quota(
        &self,
        access_token: &str,
        cgi_path: &str,
    ) -> Result<ApiQuota, WeChatError> {
        let body = ApiQuotaRequest { cgi_path };
        self.post(
            paths::OPENAPI_QUOTA_GET,
            TokenParam::AccessToken(access_token),
            &body,
            None,
        )
        .await
    }

    /// `POST /cgi-bin/openapi/rid/get?access_token=…` body `{rid}` → `{request{invoke_time,
    /// cost_in_ms, request_url, request_body, response_body, client_ip}}`. Same token type as
    /// the failed call; rids live 7 days (76001).
    pub async fn rid_info(&self, access_token: &str, rid: &str) -> Result<RidInfo, WeChatError> {
        let body = RidRequest { rid };
        self.post(
            paths::OPENAPI_RID_GET,
            TokenParam::AccessToken(access_token),
            &body,
            None,
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Open-platform account binding (authorizer token; permission set 24/25; the component
    // token gets 48001)

    /// `POST /cgi-bin/open/create?access_token=AUTHORIZER_TOKEN` body `{appid}` → `{open_appid}`.
    /// `appid` is optional on the wire: pass `""` to omit it (it must be the token owner's).
    pub async fn open_create(
        &self,
        authorizer_access_token: &str,
        appid: &str,
    ) -> Result<OpenAccount, WeChatError> {
        let appid = non_empty(appid);
        let body = OpenAppidRequest { appid };
        self.post(
            paths::OPEN_CREATE,
            TokenParam::AccessToken(authorizer_access_token),
            &body,
            appid,
        )
        .await
    }

    /// `POST /cgi-bin/open/bind?access_token=AUTHORIZER_TOKEN` body `{appid, open_appid}` →
    /// `{errcode:0}`. 89000 already bound, 89001 other principal, 89004 limit, 89036.
    pub async fn open_bind(
        &self,
        authorizer_access_token: &str,
        appid: &str,
        open_appid: &str,
    ) -> Result<Ack, WeChatError> {
        self.open_binding(paths::OPEN_BIND, authorizer_access_token, appid, open_appid)
            .await
    }

    /// `POST /cgi-bin/open/unbind?access_token=AUTHORIZER_TOKEN` body `{appid, open_appid}` →
    /// `{errcode:0}`. 89003 the open account was not created through the API.
    pub async fn open_unbind(
        &self,
        authorizer_access_token: &str,
        appid: &str,
        open_appid: &str,
    ) -> Result<Ack, WeChatError> {
        self.open_binding(
            paths::OPEN_UNBIND,
            authorizer_access_token,
            appid,
            open_appid,
        )
        .await
    }

    /// bind and unbind share their body `{appid?, open_appid}` and answer; only the path differs.
    async fn open_binding(
        &self,
        path: &str,
        authorizer_access_token: &str,
        appid: &str,
        open_appid: &str,
    ) -> Result<Ack, WeChatError> {
        let appid = non_empty(appid);
        let body = OpenBindRequest { appid, open_appid };
        self.post(
            path,
            TokenParam::AccessToken(authorizer_access_token),
            &body,
            appid,
        )
        .await
    }

    /// `POST /cgi-bin/open/get?access_token=AUTHORIZER_TOKEN` body `{appid}` → `{open_appid}`.
    /// 89002 no open account bound.
    pub async fn open_get(
        &self,
        authorizer_access_token: &str,
        appid: &str,
    ) -> Result<OpenAccount, WeChatError> {
        let appid = non_empty(appid);
        let body = OpenAppidRequest { appid };
        self.post(
            paths::OPEN_GET,
            TokenParam::AccessToken(authorizer_access_token),
            &body,
            appid,
        )
        .await
    }

    /// `GET /cgi-bin/open/have?access_token=AUTHORIZER_TOKEN` (no body) → `{have_open: bool}`.
    /// GET per the official `getBindOpenAccount` page and WxJava `haveOpen()`; permission set 3
    /// or 30.
    pub async fn open_have(&self, authorizer_access_token: &str) -> Result<OpenHave, WeChatError> {
        self.call::<(), OpenHave>(
            Method::GET,
            paths::OPEN_HAVE,
            TokenParam::AccessToken(authorizer_access_token),
            None,
            None,
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Generic calls

    /// POST any JSON body to any path and get the answer as JSON (errcode still checked). For
    /// endpoints without a typed method; `appid` only feeds the [`CallRecord`].
    pub async fn post_raw(
        &self,
        path: &str,
        token: TokenParam<'_>,
        body: &Value,
        appid: Option<&str>,
    ) -> Result<Value, WeChatError> {
        self.call(Method::POST, path, token, Some(body), appid)
            .await
    }

    /// POST `body` as JSON to `path` and parse the answer as `T`.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        token: TokenParam<'_>,
        body: &B,
        appid: Option<&str>,
    ) -> Result<T, WeChatError> {
        self.call(Method::POST, path, token, Some(body), appid)
            .await
    }

    async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: TokenParam<'_>,
        body: Option<&B>,
        appid: Option<&str>,
    ) -> Result<T, WeChatError> {
        let started_at = SystemTime::now();
        let start = Instant::now();
        let method_name: &'static str = if method == Method::GET { "GET" } else { "POST" };
        let (result, http_status) = self.execute(method, path, token, body).await;
        let duration = start.elapsed();
        let (errcode, error) = match &result {
            Ok((_, code)) => (Some(*code), None),
            Err(e) => (e.errcode(), Some(e.kind())),
        };
        match &result {
            Ok(_) => tracing::debug!(
                endpoint = path,
                appid,
                status = http_status,
                elapsed_ms = duration.as_millis() as u64,
                "wechat call ok"
            ),
            Err(e) => tracing::warn!(
                endpoint = path,
                appid,
                status = http_status,
                errcode,
                elapsed_ms = duration.as_millis() as u64,
                error = %e,
                "wechat call failed"
            ),
        }
        if let Some(observer) = &self.observer {
            let record = CallRecord {
                endpoint: path.to_string(),
                method: method_name,
                appid: appid.map(str::to_string),
                http_status,
                errcode,
                error,
                rid: result
                    .as_ref()
                    .err()
                    .and_then(|e| e.errmsg())
                    .and_then(crate::errcode::rid),
                token_param: token.param_name(),
                started_at,
                duration,
            };
            observer(&record);
        }
        result.map(|(value, _)| value)
    }

    /// Send, read and parse. Returns the answer and its errcode (0 when absent), plus the HTTP
    /// status when an answer arrived.
    async fn execute<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: TokenParam<'_>,
        body: Option<&B>,
    ) -> (Result<(T, i64), WeChatError>, Option<u16>) {
        let url = self.endpoint_url(path, token);
        let mut request = self
            .http
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            match serde_json::to_vec(body) {
                Ok(bytes) => {
                    request = request
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(bytes);
                }
                Err(e) => {
                    return (
                        Err(WeChatError::Request {
                            endpoint: path.to_string(),
                            message: format!("cannot encode the request body: {e}"),
                        }),
                        None,
                    )
                }
            }
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return (Err(WeChatError::from_reqwest(path, e)), None),
        };
        let status = response.status();
        let bytes = match read_capped(response, MAX_ANSWER_BYTES).await {
            Ok(b) => b,
            // The status says more than a snippet of a huge error page would.
            Err(BodyError::TooLarge(head)) if !status.is_success() => head,
            Err(BodyError::TooLarge(_)) => {
                return (
                    Err(WeChatError::AnswerTooLarge {
                        endpoint: path.to_string(),
                        limit_bytes: MAX_ANSWER_BYTES as u64,
                    }),
                    Some(status.as_u16()),
                )
            }
            Err(BodyError::Read(e)) => {
                return (
                    Err(WeChatError::from_reqwest(path, e)),
                    Some(status.as_u16()),
                )
            }
        };
        if !status.is_success() {
            return (
                Err(WeChatError::HttpStatus {
                    endpoint: path.to_string(),
                    status: status.as_u16(),
                    body_snippet: body_snippet(&bytes),
                }),
                Some(status.as_u16()),
            );
        }
        (parse_answer(path, &bytes), Some(status.as_u16()))
    }
}

/// Why [`read_capped`] gave up.
pub enum BodyError {
    /// Over the cap; what was read so far.
    TooLarge(Vec<u8>),
    Read(reqwest::Error),
}

/// The body, chunk by chunk, given up as soon as it would pass `cap` bytes: an announced
/// `Content-Length` is refused up front, and chunked or close-delimited bodies (no length, or
/// a length that lies) are counted as they arrive.
pub async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, BodyError> {
    let announced = response.content_length().unwrap_or(0);
    if announced > cap as u64 {
        return Err(BodyError::TooLarge(Vec::new()));
    }
    let mut body = Vec::with_capacity(announced as usize);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge(body));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn non_empty(s: &str) -> Option<&str> {
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

/// Parse a 2xx answer body: a JSON object; `errcode != 0` → [`WeChatError::Api`]; else `T`.
/// Returns the errcode seen (0 when absent).
pub fn parse_answer<T: DeserializeOwned>(
    endpoint: &str,
    body: &[u8],
) -> Result<(T, i64), WeChatError> {
    // Fast path (every well-formed answer): read the envelope (errcode, errmsg; every other
    // member skipped without building anything), then parse the body straight into `T`. The
    // old way built a whole `serde_json::Value` tree first and converted it (two full passes
    // and an allocation per member; for a details sync that was most of the client's parse
    // cost). Anything unusual — not an object, bad JSON, a bad errcode, a shape `T` rejects —
    // takes the slow path below, which gives the same answers and error messages as before.
    if let Some(fast) = parse_answer_fast(endpoint, body) {
        return fast;
    }
    parse_answer_slow(endpoint, body)
}

/// The envelope of an answer: errcode and errmsg only.
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default)]
    errcode: Option<Value>,
    #[serde(default)]
    errmsg: Option<Value>,
}

/// Whether `word` occurs in `body`.
fn mentions(body: &[u8], word: &[u8]) -> bool {
    let Some((&first, _)) = word.split_first() else {
        return true;
    };
    body.iter()
        .enumerate()
        .filter(|(_, &b)| b == first)
        .any(|(i, _)| body[i..].starts_with(word))
}

/// `None` when the slow path must decide (it also produces the errors).
fn parse_answer_fast<T: DeserializeOwned>(
    endpoint: &str,
    body: &[u8],
) -> Option<Result<(T, i64), WeChatError>> {
    // A struct also deserializes from a JSON array: insist on an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    // Most answers that succeed carry no errcode at all (api_get_authorizer_info does not): a
    // body that never spells `errcode` (nor hides a key behind a `\u` escape) has none, and
    // is parsed once instead of twice.
    if !mentions(body, b"errcode") && !mentions(body, b"\\u") {
        let parsed: T = serde_json::from_slice(body).ok()?;
        return Some(Ok((parsed, 0)));
    }
    let head: Envelope = serde_json::from_slice(body).ok()?;
    let errcode = match &head.errcode {
        None | Some(Value::Null) => 0,
        Some(v) => de::value_to_i64(v)?,
    };
    if errcode != 0 {
        let errmsg = match head.errmsg {
            Some(Value::String(s)) => s,
            None | Some(Value::Null) => String::new(),
            Some(other) => other.to_string(),
        };
        return Some(Err(WeChatError::Api {
            endpoint: endpoint.to_string(),
            errcode,
            errmsg: redact_secrets(&errmsg),
        }));
    }
    let parsed: T = serde_json::from_slice(body).ok()?;
    Some(Ok((parsed, errcode)))
}

fn parse_answer_slow<T: DeserializeOwned>(
    endpoint: &str,
    body: &[u8],
) -> Result<(T, i64), WeChatError> {
    let invalid = |message: String| WeChatError::InvalidJson {
        endpoint: endpoint.to_string(),
        message,
        body_snippet: body_snippet(body),
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if body.iter().all(u8::is_ascii_whitespace) {
            invalid("empty body".into())
        } else {
            invalid(format!("not JSON: {e}"))
        }
    })?;
    let Value::Object(map) = &value else {
        return Err(invalid("expected a JSON object".into()));
    };
    let errcode = match map.get("errcode") {
        None | Some(Value::Null) => 0,
        Some(v) => match de::value_to_i64(v) {
            Some(c) => c,
            None => return Err(invalid("errcode is not a number".into())),
        },
    };
    if errcode != 0 {
        let errmsg = match map.get("errmsg") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => String::new(),
            Some(other) => other.to_string(),
        };
        return Err(WeChatError::Api {
            endpoint: endpoint.to_string(),
            errcode,
            errmsg: redact_secrets(&errmsg),
        });
    }
    let parsed = T::deserialize(value)
        .map_err(|e| invalid(redact_secrets(&format!("unexpected answer: {e}"))))?;
    Ok((parsed, errcode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        let c = ClientConfig::default();
        assert_eq!(c.api_base, "https://api.weixin.qq.com");
        c.validate().unwrap();
        ComponentClient::new(c).unwrap();
    }

    #[test]
    fn config_validation_is_typed() {
        let bad = |f: &dyn Fn(&mut ClientConfig)| {
            let mut c = ClientConfig::default();
            f(&mut c);
            c.validate().unwrap_err()
        };
        assert!(matches!(
            bad(&|c| c.api_base = "ftp://x".into()),
            ClientConfigError::UnsupportedApiBaseScheme { .. }
        ));
        assert!(matches!(
            bad(&|c| c.api_base = "".into()),
            ClientConfigError::InvalidApiBase { .. }
        ));
        for cleartext in [
            "http://api.weixin.qq.com",
            "http://10.0.0.5:8080",
            "http://[fe80::1]",
        ] {
            assert!(
                matches!(
                    bad(&|c| c.api_base = cleartext.into()),
                    ClientConfigError::CleartextApiBase { .. }
                ),
                "{cleartext}"
            );
        }
        for loopback in [
            "http://127.0.0.1:9",
            "http://127.8.0.1",
            "http://[::1]:80",
            "http://LOCALHOST:1",
        ] {
            let c = ClientConfig {
                api_base: loopback.into(),
                ..Default::default()
            };
            c.validate().unwrap_or_else(|e| panic!("{loopback}: {e}"));
        }
        assert!(matches!(
            bad(&|c| c.api_base = "not a url".into()),
            ClientConfigError::InvalidApiBase { .. }
        ));
        assert!(matches!(
            bad(&|c| c.api_base = "https://h/?a=1".into()),
            ClientConfigError::InvalidApiBase { .. }
        ));
        assert!(matches!(
            bad(&|c| c.proxy = Some("ftp://p:1".into())),
            ClientConfigError::UnsupportedProxyScheme { .. }
        ));
        assert!(matches!(
            bad(&|c| c.proxy = Some("socks4://p:1".into())),
            ClientConfigError::UnsupportedProxyScheme { .. }
        ));
        assert!(matches!(
            bad(&|c| c.proxy = Some("::::".into())),
            ClientConfigError::InvalidProxy { .. }
        ));
        assert!(matches!(
            bad(&|c| c.connect_timeout = Duration::ZERO),
            ClientConfigError::ZeroTimeout { which: "connect" }
        ));
        assert!(matches!(
            bad(&|c| c.total_timeout = Duration::ZERO),
            ClientConfigError::ZeroTimeout { which: "total" }
        ));
        assert!(matches!(
            bad(&|c| c.connect_timeout = Duration::from_secs(60)),
            ClientConfigError::ConnectLongerThanTotal { .. }
        ));
        assert!(matches!(
            bad(&|c| c.user_agent = "a\nb".into()),
            ClientConfigError::InvalidUserAgent { .. }
        ));
        for p in [
            "http://127.0.0.1:8080",
            "https://proxy.example.com",
            "socks5://127.0.0.1:1080",
            "socks5h://u:p@127.0.0.1:1080",
            "  ",
        ] {
            let c = ClientConfig {
                proxy: Some(p.into()),
                ..Default::default()
            };
            ComponentClient::new(c).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
    }

    #[test]
    fn proxy_password_never_shown() {
        let c = ClientConfig {
            proxy: Some("gopher://alice:s3cret@h:1".into()),
            ..Default::default()
        };
        let e = c.validate().unwrap_err();
        assert!(!e.to_string().contains("s3cret"));
        let c = ClientConfig {
            proxy: Some("socks5://alice:s3cret@h:1".into()),
            ..Default::default()
        };
        assert!(!format!("{c:?}").contains("s3cret"));
        let c = ClientConfig {
            proxy: Some("http://alice:s3cret@[::1".into()),
            ..Default::default()
        };
        assert!(!c.validate().unwrap_err().to_string().contains("s3cret"));
    }

    #[test]
    fn urls_carry_the_right_token_param() {
        let client =
            ComponentClient::new(ClientConfig::with_api_base("http://127.0.0.1:9/")).unwrap();
        let u = client.endpoint_url(
            paths::API_QUERY_AUTH,
            TokenParam::ComponentAccessToken("a b&c"),
        );
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/cgi-bin/component/api_query_auth?component_access_token=a+b%26c"
        );
        let u = client.endpoint_url(paths::OPEN_GET, TokenParam::AccessToken("t"));
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/cgi-bin/open/get?access_token=t"
        );
        let u = client.endpoint_url(paths::API_COMPONENT_TOKEN, TokenParam::None);
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/cgi-bin/component/api_component_token"
        );
        let client =
            ComponentClient::new(ClientConfig::with_api_base("https://gw.example.com/wx")).unwrap();
        let u = client.endpoint_url(paths::OPEN_HAVE, TokenParam::AccessToken("t"));
        assert_eq!(
            u.as_str(),
            "https://gw.example.com/wx/cgi-bin/open/have?access_token=t"
        );
        assert_eq!(
            format!("{:?}", TokenParam::AccessToken("secret")),
            "AccessToken(<redacted>)"
        );
    }

    #[test]
    fn answers_are_checked() {
        let ok: (Ack, i64) = parse_answer("/x", br#"{"errcode":0,"errmsg":"ok"}"#).unwrap();
        assert_eq!(ok.1, 0);
        let ok: (ComponentToken, i64) =
            parse_answer("/x", br#"{"component_access_token":"T","expires_in":7200}"#).unwrap();
        assert_eq!(ok.0.expires_in, 7200);
        let e = parse_answer::<Ack>(
            "/x",
            br#"{"errcode":40001,"errmsg":"invalid credential rid: 1"}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            WeChatError::Api {
                endpoint: "/x".into(),
                errcode: 40001,
                errmsg: "invalid credential rid: 1".into()
            }
        );
        let e = parse_answer::<Ack>("/x", br#"{"errcode":"61023","errmsg":"x"}"#).unwrap_err();
        assert_eq!(e.errcode(), Some(61023));
        // errcode wins over the shape.
        let e =
            parse_answer::<ComponentToken>("/x", br#"{"errcode":61005,"errmsg":"ticket expired"}"#)
                .unwrap_err();
        assert_eq!(e.errcode(), Some(61005));
        for body in [
            &b"<html>bad gateway</html>"[..],
            b"",
            b"[1,2]",
            b"\"s\"",
            br#"{"errcode":"x"}"#,
        ] {
            let e = parse_answer::<Ack>("/x", body).unwrap_err();
            assert!(matches!(e, WeChatError::InvalidJson { .. }), "{e:?}");
        }
        // A success missing a required member is an invalid answer, and the snippet is redacted.
        let e = parse_answer::<ComponentToken>("/x", br#"{"component_access_token":"SECRET"}"#)
            .unwrap_err();
        match e {
            WeChatError::InvalidJson {
                message,
                body_snippet,
                ..
            } => {
                assert!(message.contains("expires_in"), "{message}");
                assert!(!body_snippet.contains("SECRET"), "{body_snippet}");
            }
            other => panic!("{other:?}"),
        }
    }
}
