//! The simulator's in-memory state and every API's rules. Handlers in `routes.rs` only parse the
//! HTTP request and call [`Shared::call`]; everything here is synchronous under one mutex, never
//! held across an await.
//!
//! Order of checks on every call (after faults, i.e. after the IP whitelist): token (41001 missing
//! — also when it was put in the body; 40001 unknown or superseded; 42001 expired; 61014 an
//! authorizer token on a component API; 48001 the component token on `/cgi-bin/open/*`), then the
//! daily quota (45009), then the body (44002 empty, 47001 not a JSON object), then the API's own
//! rules. Errors are HTTP 200 `{"errcode":N,"errmsg":"<text> rid: xxxxxxxx-xxxxxxxx-xxxxxxxx"}`;
//! getter answers carry no errcode, action answers `{"errcode":0,"errmsg":"ok"}` (reference §0.1).
//! A rid belongs to the account whose token made the call (the platform for the component token
//! or none); `openapi/rid/get` answers it only to that account for 7 days, the token masked in
//! `request_url` (§1.9).
//!
//! Choices where the docs leave room (reference section in brackets):
//! - component_appid: missing → 41018 "missing component_appid" [§6]; not shaped like an appid →
//!   40013 "invalid appid"; a well-formed appid that is not this platform → 61011 "invalid
//!   component" [§1.1 lists both 40013 and 61011].
//! - An authorizer token on `/cgi-bin/component/*` → 61014 "must use component token for component
//!   api" [§1.5, §6]. 61024 "must use api(api_component_token) to get token for component acct" is
//!   what `/cgi-bin/token` answers for the component appid [§1.1], implemented there.
//! - The component token on `/cgi-bin/open/*` → 48001 "api unauthorized" [§1.10]. (WxJava's enum
//!   also knows 61015 "must use biz account token for not component api"; not used.)
//! - A missing permission set (24/25 for open/*, 3/30 for open/have) → 61007 "api is unauthorized
//!   to component" [§6, §7].
//! - pre_auth_code lives 600 s [§1.3 CONFLICT: text 1800, examples 600]; auth codes 600 s [§5].
//!   Both single use: reuse → 61009, expiry → 61010 [§1.3, §1.4].
//! - Accounts never exchanged through api_query_auth list `"refresh_token": ""` (the FAQ's
//!   "返回空") [§1.7]; their api_authorizer_token calls get 61023.
//! - Option answers carry option_value as a string; the legacy get answer also echoes
//!   authorizer_appid, the newer one only option_name/option_value [§1.8].
//! - The newer get/set_authorizer_option accept either token [§1.8 CONFLICT]: with the
//!   authorizer's token the account is the token's owner, with the component token it is the
//!   body's authorizer_appid.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;

use rand::Rng as _;
use serde_json::{json, Map, Value};

use super::clock::Clock;
use super::config::SandboxCredentials;
use super::faults::Faults;
use super::hosts;
use super::open::{OpenAccounts, MAX_BOUND};
use super::quota::Quota;
use super::seed::{self, Func, Kind, Profile};

/// A component_verify_ticket is valid 12 h (reference §5).
pub const TICKET_TTL: i64 = 12 * 3600;
/// How many of the newest tickets api_component_token accepts.
pub const TICKETS_KEPT: usize = 2;
/// component_access_token and authorizer_access_token: `expires_in` 7200 (reference §1.1, §1.5).
pub const TOKEN_TTL: i64 = 7200;
/// After a new token is issued the previous one keeps working this long (reference §5: ~5 min).
pub const TOKEN_OVERLAP: i64 = 300;
/// pre_auth_code lifetime. The docs' text says 1800 s, their examples and staff answers 600 s
/// (reference §1.3 [CONFLICT]); we answer `expires_in: 600` and enforce exactly that.
pub const PRE_AUTH_TTL: i64 = 600;
/// auth_code lifetime: the redirect carries `expires_in=600` (reference §2.1, §5).
pub const AUTH_CODE_TTL: i64 = 600;
/// api_get_authorizer_list `count` limit (reference §1.7: above it → 40170).
pub const LIST_MAX: i64 = 500;

/// An API error: HTTP 200 with `{"errcode","errmsg":"… rid: …"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub errcode: i64,
    pub errmsg: String,
}

pub fn err(errcode: i64, errmsg: &str) -> ApiError {
    ApiError {
        errcode,
        errmsg: errmsg.to_owned(),
    }
}

pub fn ok() -> Value {
    json!({"errcode": 0, "errmsg": "ok"})
}

fn token_missing() -> ApiError {
    err(41001, "access_token missing")
}
fn invalid_credential() -> ApiError {
    err(
        40001,
        "invalid credential, access_token is invalid or not latest",
    )
}
fn token_expired() -> ApiError {
    err(42001, "access_token expired")
}
fn not_authorized() -> ApiError {
    err(61003, "component is not authorized by this account")
}
fn unauthorized_api() -> ApiError {
    err(61007, "api is unauthorized to component")
}

#[derive(Debug, Clone)]
struct Tok {
    token: String,
    expires_at: i64,
    dead_after: Option<i64>,
}

impl Tok {
    fn check(&self, now: i64) -> Result<(), ApiError> {
        if now >= self.expires_at {
            return Err(token_expired());
        }
        if self.dead_after.is_some_and(|d| now >= d) {
            return Err(invalid_credential());
        }
        Ok(())
    }
}

/// Keeps the newest token and the one before it (which dies TOKEN_OVERLAP after the new one).
fn push_token(list: &mut VecDeque<Tok>, token: String, now: i64) {
    if let Some(prev) = list.back_mut() {
        prev.dead_after = Some(prev.dead_after.unwrap_or(i64::MAX).min(now + TOKEN_OVERLAP));
    }
    list.push_back(Tok {
        token,
        expires_at: now + TOKEN_TTL,
        dead_after: None,
    });
    while list.len() > 2 {
        list.pop_front();
    }
}

#[derive(Debug, Clone)]
struct Code {
    index: Option<u32>,
    expires_at: i64,
    used: bool,
}

/// What changed about one authorizer since seeding.
#[derive(Debug, Clone, Default)]
struct Change {
    generation: u32,
    queried: Option<bool>,
    options: Option<[u8; 3]>,
    auth_time: Option<i64>,
    funcs: Option<Vec<Func>>,
    /// What the account's admin changed on mp.weixin.qq.com (`Shared::edit_authorizer`).
    nick_name: Option<String>,
    verify_type: Option<i64>,
    service_type: Option<i64>,
    principal: Option<u16>,
    tokens: VecDeque<Tok>,
}

/// Who called: the platform itself (component token, or no token) or an authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Component,
    Authorizer(u32),
}

#[derive(Debug, Clone)]
pub struct RidRecord {
    pub rid: String,
    pub owner: String,
    pub invoke_time: i64,
    pub cost_in_ms: i64,
    pub request_url: String,
    pub request_body: String,
    pub response_body: String,
    pub client_ip: String,
}

pub struct Inner {
    seeded: u32,
    added: Vec<Kind>,
    changes: HashMap<u32, Change>,
    /// Accounts that cancelled the authorization (`unauthorized`).
    revoked: BTreeSet<u32>,
    tickets: VecDeque<(String, i64)>,
    component_tokens: VecDeque<Tok>,
    /// authorizer access token → authorizer index
    authorizer_tokens: HashMap<String, u32>,
    pre_auth: HashMap<String, Code>,
    auth_codes: HashMap<String, Code>,
    pub open: OpenAccounts,
    pub quota: Quota,
    pub faults: Faults,
    pub calls: HashMap<String, u64>,
    /// The token each call carried, per path (`GET /sandbox/calls`).
    pub call_tokens: super::calls::CallLog,
    rids: VecDeque<RidRecord>,
}

/// One API request as the state sees it.
pub struct Request<'a> {
    pub path: &'a str,
    pub query: &'a HashMap<String, String>,
    pub body: &'a [u8],
}

/// What happened, for the push sender: an authorization to announce.
#[derive(Debug, Clone)]
pub struct AuthorizedEvent {
    pub info_type: &'static str,
    pub authorizer_appid: String,
    pub auth_code: String,
    pub expires_at: i64,
    pub pre_auth_code: String,
}

/// The admin's side of an authorization link (test-only): see `SandboxControl::authorize`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct AuthorizeRequest {
    pub pre_auth_code: String,
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// An existing authorizer re-authorizes (`updateauthorized`)…
    #[serde(default)]
    pub appid: Option<String>,
    /// …or a new account of this kind authorizes (`authorized`).
    #[serde(default)]
    pub kind: Option<Kind>,
    /// The link's auth_type: 1 official accounts only, 2 mini programs only, 3 both (default);
    /// any other positive value is accepted (newer account kinds).
    #[serde(default)]
    pub auth_type: Option<i64>,
    /// The link's biz_appid: only that account may authorize (wins over auth_type).
    #[serde(default)]
    pub biz_appid: Option<String>,
    /// Permission sets granted (default: the account's seeded sets plus open-account management).
    #[serde(default)]
    pub func_ids: Option<Vec<u32>>,
}

/// What an account's admin may change outside the platform's view (test-only, see
/// `SandboxControl::edit_authorizer`): the next api_get_authorizer_info answer shows it, and a
/// new `func_ids` list is what the account granted the platform from then on.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct AuthorizerEdit {
    #[serde(default)]
    pub nick_name: Option<String>,
    #[serde(default)]
    pub verify_type: Option<i64>,
    #[serde(default)]
    pub service_type: Option<i64>,
    /// An index into `seed::PRINCIPALS`.
    #[serde(default)]
    pub principal: Option<u16>,
    #[serde(default)]
    pub func_ids: Option<Vec<u32>>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AuthorizeOutcome {
    /// `redirect_uri?…&auth_code=…&expires_in=600`, when a redirect_uri was given.
    pub redirect_url: Option<String>,
    pub auth_code: String,
    pub expires_in: i64,
    pub authorizer_appid: String,
    /// `authorized` or `updateauthorized`.
    pub info_type: String,
}

/// Authorizer options and their largest value (reference §1.8): location_report 0 none / 1 on
/// entering a session / 2 every 5 s; voice_recognize and customer_service 0 off / 1 on.
const OPTIONS: [(&str, u8); 3] = [
    ("location_report", 2),
    ("voice_recognize", 1),
    ("customer_service", 1),
];

pub struct Shared {
    pub seed: u64,
    pub creds: SandboxCredentials,
    pub clock: Clock,
    pub base_url: String,
    /// Where the authorization page may redirect (see `hosts::redirect_allowed`).
    pub redirect_domains: Vec<String>,
    pub inner: Mutex<Inner>,
}

const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn random_token(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| TOKEN_ALPHABET[rng.random_range(0..TOKEN_ALPHABET.len())] as char)
        .collect()
}

/// How long `openapi/rid/get` answers for a rid (reference §1.9: 7 days, then 76001).
pub const RID_LIFETIME_SECS: i64 = 7 * 86_400;

/// The query string as `openapi/rid/get` shows it: WeChat masks token values
/// (`access_token=50_Im7xxxx`), keeping a few leading characters to tell tokens apart.
pub fn masked_query(raw: &str) -> String {
    raw.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if k.ends_with("access_token") => {
                let head: String = v.chars().take(6).collect();
                format!("{k}={head}xxxx")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `xxxxxxxx-xxxxxxxx-xxxxxxxx`: the first group is the time in hex, as in real rids.
pub fn new_rid(now: i64) -> String {
    let mut rng = rand::rng();
    format!(
        "{:08x}-{:08x}-{:08x}",
        now as u32,
        rng.random::<u32>(),
        rng.random::<u32>()
    )
}

fn is_appid(s: &str) -> bool {
    s.len() == 18 && s.starts_with("wx") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

type Body = Map<String, Value>;

/// What a link may authorize: biz_appid pins the one account allowed and wins over auth_type
/// (reference §2.1); auth_type 1 allows official accounts only, 2 mini programs only.
fn check_link_scope(req: &AuthorizeRequest, auth_type: i64, kind: Kind) -> Result<(), ApiError> {
    match &req.biz_appid {
        // biz_appid pins the one account allowed, and wins over auth_type (reference §2.1).
        Some(biz) if req.appid.as_deref() != Some(biz.as_str()) => Err(err(
            40097,
            "invalid args: this link is for another account (biz_appid)",
        )),
        Some(_) => Ok(()),
        None => match (auth_type, kind) {
            (1, Kind::MiniProgram) => Err(err(
                40097,
                "invalid args: auth_type 1 allows official accounts only",
            )),
            (2, Kind::OfficialAccount) => Err(err(
                40097,
                "invalid args: auth_type 2 allows mini programs only",
            )),
            _ => Ok(()),
        },
    }
}

/// The permission sets an authorization grants: those asked for, else an existing account's
/// own, else the kind's base sets plus the open-platform one.
fn granted_funcs(req: &AuthorizeRequest, existing: bool, kind: Kind, base: &Profile) -> Vec<Func> {
    match &req.func_ids {
        Some(ids) => ids.iter().map(|&id| Func { id, confirm: None }).collect(),
        None if existing => base.funcs.clone(),
        None => {
            let core = match kind {
                Kind::OfficialAccount => seed::OA_BASE_FUNCS,
                Kind::MiniProgram => seed::MP_BASE_FUNCS,
            };
            let mut f: Vec<Func> = core.iter().map(|&id| Func { id, confirm: None }).collect();
            f.push(Func {
                id: seed::open_func(kind),
                confirm: None,
            });
            f
        }
    }
}

/// The redirect_uri as a URL the authorization page may send the admin to: http(s), on one of
/// the platform's registered domains (WeChat shows an error page instead of redirecting
/// elsewhere; the message names the domains, never echoes the URI).
fn redirect_target(domains: &[String], uri: &str) -> Result<url::Url, ApiError> {
    let url = url::Url::parse(uri.trim())
        .map_err(|_| err(40097, "invalid args: redirect_uri is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(err(
            40097,
            "invalid args: redirect_uri must be an http(s) URL",
        ));
    }
    if !hosts::redirect_allowed(domains, url.host_str().unwrap_or_default()) {
        let registered = domains.join(", ");
        return Err(err(
            40097,
            &format!(
                "invalid args: redirect_uri is not on the platform's registered authorization \
                 redirect domain ({registered}, or loopback)"
            ),
        ));
    }
    Ok(url)
}

/// `redirect_uri?auth_code=…&expires_in=…`, as the authorization page redirects (the values
/// are appended form-encoded, never pasted in).
fn redirect_with_code(mut url: url::Url, auth_code: &str) -> String {
    url.query_pairs_mut()
        .append_pair("auth_code", auth_code)
        .append_pair("expires_in", &AUTH_CODE_TTL.to_string());
    url.to_string()
}

fn parse_body(body: &[u8], allow_empty: bool) -> Result<Body, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return if allow_empty {
            Ok(Body::new())
        } else {
            Err(err(44002, "empty post data"))
        };
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(err(47001, "data format error")),
    }
}

fn text<'a>(b: &'a Body, key: &str) -> Option<&'a str> {
    b.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Numbers may arrive as JSON numbers or numeric strings.
fn int(b: &Body, key: &str) -> Result<Option<i64>, ApiError> {
    match b.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| err(47001, "data format error")),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| err(47001, "data format error")),
        Some(_) => Err(err(47001, "data format error")),
    }
}

/// Which token an API takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenRule {
    /// No token (appid + secret in the body).
    None,
    /// component_access_token (query `component_access_token=`, or `access_token=` as in the
    /// newer docs); an authorizer token gets 61014.
    Component,
    /// Either token, in `access_token=` (also `component_access_token=` on /cgi-bin/component/*).
    Either,
    /// authorizer_access_token in `access_token=`; the component token gets 48001.
    Authorizer,
}

/// Every API the simulator answers: path, token rule, counted against the daily quota.
pub const APIS: &[(&str, bool)] = &[
    ("/cgi-bin/component/api_component_token", true),
    ("/cgi-bin/component/api_start_push_ticket", true),
    ("/cgi-bin/component/api_create_preauthcode", true),
    ("/cgi-bin/component/api_query_auth", true),
    ("/cgi-bin/component/api_authorizer_token", true),
    ("/cgi-bin/component/api_get_authorizer_info", true),
    ("/cgi-bin/component/api_get_authorizer_list", true),
    ("/cgi-bin/component/api_get_authorizer_option", true),
    ("/cgi-bin/component/api_set_authorizer_option", true),
    ("/cgi-bin/component/get_authorizer_option", true),
    ("/cgi-bin/component/set_authorizer_option", true),
    ("/cgi-bin/component/clear_quota", false),
    ("/cgi-bin/clear_quota", false),
    ("/cgi-bin/component/clear_quota/v2", false),
    ("/cgi-bin/openapi/quota/get", false),
    ("/cgi-bin/openapi/rid/get", false),
    ("/cgi-bin/open/create", true),
    ("/cgi-bin/open/bind", true),
    ("/cgi-bin/open/unbind", true),
    ("/cgi-bin/open/get", true),
    ("/cgi-bin/open/have", true),
    ("/cgi-bin/token", true),
    ("/cgi-bin/stable_token", true),
];

fn token_rule(path: &str) -> TokenRule {
    match path {
        "/cgi-bin/component/api_component_token"
        | "/cgi-bin/component/api_start_push_ticket"
        | "/cgi-bin/component/clear_quota/v2"
        | "/cgi-bin/token"
        | "/cgi-bin/stable_token" => TokenRule::None,
        "/cgi-bin/component/get_authorizer_option"
        | "/cgi-bin/component/set_authorizer_option"
        | "/cgi-bin/clear_quota"
        | "/cgi-bin/openapi/quota/get"
        | "/cgi-bin/openapi/rid/get" => TokenRule::Either,
        p if p.starts_with("/cgi-bin/open/") => TokenRule::Authorizer,
        _ => TokenRule::Component,
    }
}

impl Shared {
    pub fn new(
        seed: u64,
        authorizers: usize,
        daily_quota: u64,
        creds: SandboxCredentials,
        base_url: String,
        redirect_domains: Vec<String>,
    ) -> Self {
        let seeded = u32::try_from(authorizers).unwrap_or(u32::MAX / 2);
        Shared {
            seed,
            creds,
            clock: Clock::default(),
            base_url,
            redirect_domains,
            inner: Mutex::new(Inner {
                seeded,
                added: Vec::new(),
                changes: HashMap::new(),
                revoked: BTreeSet::new(),
                tickets: VecDeque::new(),
                component_tokens: VecDeque::new(),
                authorizer_tokens: HashMap::new(),
                pre_auth: HashMap::new(),
                auth_codes: HashMap::new(),
                open: OpenAccounts::seed(seed, seeded),
                quota: Quota::new(daily_quota),
                faults: Faults::default(),
                calls: HashMap::new(),
                call_tokens: super::calls::CallLog::default(),
                rids: VecDeque::new(),
            }),
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn issue_ticket(&self) -> String {
        let ticket = format!("ticket@@@{}", random_token(86));
        let now = self.now();
        let mut g = self.lock();
        g.tickets.push_back((ticket.clone(), now));
        while g.tickets.len() > TICKETS_KEPT {
            g.tickets.pop_front();
        }
        ticket
    }

    /// Authorizers currently authorized.
    pub fn count(&self) -> usize {
        let g = self.lock();
        g.seeded as usize + g.added.len() - g.revoked.len()
    }

    /// The index of `appid` if it ever authorized this platform (revoked ones included).
    fn known(&self, g: &Inner, appid: &str) -> Option<u32> {
        let i = seed::index_of(self.seed, appid)?;
        (u64::from(i) < u64::from(g.seeded) + g.added.len() as u64).then_some(i)
    }

    /// The index of `appid` if it is an authorizer of this platform now.
    fn index(&self, g: &Inner, appid: &str) -> Option<u32> {
        self.known(g, appid).filter(|i| !g.revoked.contains(i))
    }

    fn profile(&self, g: &Inner, index: u32) -> Profile {
        let kind = index.checked_sub(g.seeded).map(|k| g.added[k as usize]);
        let mut p = seed::profile(self.seed, index, kind);
        if let Some(c) = g.changes.get(&index) {
            if let Some(q) = c.queried {
                p.queried = q;
            }
            if let Some(o) = c.options {
                p.options = o;
            }
            if let Some(t) = c.auth_time {
                p.auth_time = t;
            }
            if let Some(f) = &c.funcs {
                p.funcs = f.clone();
            }
            if let Some(n) = &c.nick_name {
                p.nick_name = n.clone();
            }
            if let Some(v) = c.verify_type {
                p.verify_type = v;
            }
            if let Some(v) = c.service_type {
                p.service_type = v;
            }
            if let Some(v) = c.principal {
                p.principal = v;
            }
        }
        p
    }

    fn refresh_token(&self, g: &Inner, p: &Profile) -> String {
        if !p.queried {
            return String::new();
        }
        let generation = g.changes.get(&p.index).map_or(0, |c| c.generation);
        let mut r = seed::Rng::new(
            self.seed,
            u64::from(p.index),
            0x7EF7 ^ (u64::from(generation) << 24),
        );
        let tail: String = (0..32)
            .map(|_| TOKEN_ALPHABET[r.below(64) as usize] as char)
            .collect();
        format!("refreshtoken@@@{tail}")
    }

    fn issue_authorizer_token(&self, g: &mut Inner, index: u32, now: i64) -> String {
        let token = random_token(108);
        let change = g.changes.entry(index).or_default();
        push_token(&mut change.tokens, token.clone(), now);
        let live: Vec<String> = change.tokens.iter().map(|t| t.token.clone()).collect();
        g.authorizer_tokens
            .retain(|t, i| *i != index || live.contains(t));
        g.authorizer_tokens.insert(token.clone(), index);
        token
    }

    fn caller(&self, g: &Inner, token: &str, now: i64) -> Result<Caller, ApiError> {
        if let Some(t) = g.component_tokens.iter().find(|t| t.token == token) {
            t.check(now)?;
            return Ok(Caller::Component);
        }
        if let Some(&index) = g.authorizer_tokens.get(token) {
            let tok = g
                .changes
                .get(&index)
                .and_then(|c| c.tokens.iter().find(|t| t.token == token));
            return match tok {
                Some(t) => t.check(now).map(|()| Caller::Authorizer(index)),
                None => Err(invalid_credential()),
            };
        }
        Err(invalid_credential())
    }

    fn check_component_appid(&self, b: &Body) -> Result<(), ApiError> {
        match text(b, "component_appid") {
            None => Err(err(41018, "missing component_appid")),
            Some(a) if a == self.creds.component_appid => Ok(()),
            Some(a) if is_appid(a) => Err(err(61011, "invalid component")),
            Some(_) => Err(err(40013, "invalid appid")),
        }
    }

    fn authorizer(&self, g: &Inner, b: &Body, key: &str) -> Result<u32, ApiError> {
        let appid = text(b, key).ok_or_else(|| err(41002, "appid missing"))?;
        self.index(g, appid).ok_or_else(not_authorized)
    }

    fn owner_appid(&self, caller: Caller) -> String {
        match caller {
            Caller::Component => self.creds.component_appid.clone(),
            Caller::Authorizer(i) => seed::appid_of(self.seed, i),
        }
    }

    /// Runs one API call (after faults). Returns the answer and the rid owner.
    pub fn call(&self, req: &Request<'_>) -> (Result<Value, ApiError>, String) {
        let now = self.now();
        let mut g = self.lock();
        let rule = token_rule(req.path);
        let token = match (rule, req.path.starts_with("/cgi-bin/component/")) {
            (TokenRule::None, _) => None,
            (_, true) => req
                .query
                .get("component_access_token")
                .or_else(|| req.query.get("access_token")),
            (_, false) => req.query.get("access_token"),
        }
        .filter(|t| !t.is_empty());
        let caller = match (rule, token) {
            (TokenRule::None, _) => Ok(Caller::Component),
            (_, None) => Err(token_missing()),
            (_, Some(t)) => match (rule, self.caller(&g, t, now)) {
                (TokenRule::Component, Ok(Caller::Authorizer(_))) => {
                    Err(err(61014, "must use component token for component api"))
                }
                (TokenRule::Authorizer, Ok(Caller::Component)) => {
                    Err(err(48001, "api unauthorized"))
                }
                (_, r) => r,
            },
        };
        let caller = match caller {
            Ok(c) => c,
            Err(e) => return (Err(e), self.creds.component_appid.clone()),
        };
        let owner = self.owner_appid(caller);
        let counted = APIS.iter().any(|(p, counted)| *p == req.path && *counted);
        if counted && !g.quota.hit(&owner, req.path, now) {
            return (Err(err(45009, "reach max api daily quota limit")), owner);
        }
        let allow_empty = req.path.starts_with("/cgi-bin/open/") || req.path == "/cgi-bin/token";
        let result = parse_body(req.body, allow_empty)
            .and_then(|b| self.dispatch(&mut g, req, caller, &b, now));
        (result, owner)
    }

    fn dispatch(
        &self,
        g: &mut Inner,
        req: &Request<'_>,
        caller: Caller,
        b: &Body,
        now: i64,
    ) -> Result<Value, ApiError> {
        match req.path {
            "/cgi-bin/component/api_component_token" => self.component_token(g, b, now),
            "/cgi-bin/token" | "/cgi-bin/stable_token" => self.plain_token(g, req, b),
            "/cgi-bin/component/api_start_push_ticket" => {
                self.check_component_appid(b)?;
                self.check_secret(b, "component_secret")?;
                Ok(ok())
            }
            "/cgi-bin/component/api_create_preauthcode" => self.create_preauthcode(g, b, now),
            "/cgi-bin/component/api_query_auth" => self.query_auth(g, b, now),
            "/cgi-bin/component/api_authorizer_token" => self.authorizer_token(g, b, now),
            "/cgi-bin/component/api_get_authorizer_info" => self.authorizer_info(g, b),
            "/cgi-bin/component/api_get_authorizer_list" => self.authorizer_list(g, b),
            "/cgi-bin/component/api_get_authorizer_option"
            | "/cgi-bin/component/api_set_authorizer_option" => {
                self.check_component_appid(b)?;
                let index = self.authorizer(g, b, "authorizer_appid")?;
                self.option(g, index, b, req.path.contains("_set_"), true)
            }
            "/cgi-bin/component/get_authorizer_option"
            | "/cgi-bin/component/set_authorizer_option" => {
                let index = match caller {
                    Caller::Authorizer(i) => {
                        if text(b, "authorizer_appid").is_some_and(|a| self.index(g, a) != Some(i))
                        {
                            return Err(err(40013, "invalid appid"));
                        }
                        i
                    }
                    Caller::Component => self.authorizer(g, b, "authorizer_appid")?,
                };
                self.option(g, index, b, req.path.contains("/set_"), false)
            }
            "/cgi-bin/component/clear_quota" => {
                self.check_component_appid(b)?;
                self.clear_quota(g, &self.creds.component_appid.clone(), now)
            }
            "/cgi-bin/clear_quota" => {
                let appid = text(b, "appid").ok_or_else(|| err(41002, "appid missing"))?;
                if appid != self.owner_appid(caller) {
                    return Err(err(40013, "invalid appid"));
                }
                self.clear_quota(g, appid, now)
            }
            "/cgi-bin/component/clear_quota/v2" => self.clear_quota_v2(g, b, now),
            "/cgi-bin/openapi/quota/get" => self.quota_get(g, caller, b, now),
            "/cgi-bin/openapi/rid/get" => self.rid_get(g, caller, b, now),
            p if p.starts_with("/cgi-bin/open/") => {
                let Caller::Authorizer(index) = caller else {
                    return Err(err(48001, "api unauthorized"));
                };
                self.open_api(g, p, index, b)
            }
            _ => Err(err(48001, "api unauthorized")),
        }
    }

    fn create_preauthcode(&self, g: &mut Inner, b: &Body, now: i64) -> Result<Value, ApiError> {
        self.check_component_appid(b)?;
        let code = format!("preauthcode@@@{}", random_token(40));
        g.pre_auth.retain(|_, c| c.expires_at > now && !c.used);
        g.pre_auth.insert(
            code.clone(),
            Code {
                index: None,
                expires_at: now + PRE_AUTH_TTL,
                used: false,
            },
        );
        Ok(json!({"pre_auth_code": code, "expires_in": PRE_AUTH_TTL}))
    }

    fn authorizer_token(&self, g: &mut Inner, b: &Body, now: i64) -> Result<Value, ApiError> {
        self.check_component_appid(b)?;
        let index = self.authorizer(g, b, "authorizer_appid")?;
        let p = self.profile(g, index);
        let expected = self.refresh_token(g, &p);
        match text(b, "authorizer_refresh_token") {
            Some(t) if !expected.is_empty() && t == expected => {}
            _ => return Err(err(61023, "refresh_token is invalid")),
        }
        let token = self.issue_authorizer_token(g, index, now);
        Ok(
            json!({"authorizer_access_token": token, "expires_in": TOKEN_TTL, "authorizer_refresh_token": expected}),
        )
    }

    fn authorizer_info(&self, g: &Inner, b: &Body) -> Result<Value, ApiError> {
        self.check_component_appid(b)?;
        let index = self.authorizer(g, b, "authorizer_appid")?;
        let p = self.profile(g, index);
        Ok(json!({
            "authorizer_info": p.authorizer_info(&self.base_url),
            "authorization_info": {
                "authorizer_appid": p.appid,
                "authorizer_refresh_token": self.refresh_token(g, &p),
                "func_info": seed::func_info_json(&p.funcs),
            }
        }))
    }

    fn authorizer_list(&self, g: &Inner, b: &Body) -> Result<Value, ApiError> {
        self.check_component_appid(b)?;
        let offset = int(b, "offset")?.unwrap_or(0);
        let count = int(b, "count")?.ok_or_else(|| err(47001, "data format error"))?;
        if offset < 0 || count < 0 {
            return Err(err(47001, "data format error"));
        }
        if count > LIST_MAX {
            return Err(err(40170, "args count exceed count limit"));
        }
        let all = i64::from(g.seeded) + g.added.len() as i64;
        let total = all - g.revoked.len() as i64;
        // The `offset`-th authorized index: skip the revoked ones before it.
        let mut start = offset;
        for &r in &g.revoked {
            if i64::from(r) <= start {
                start += 1;
            } else {
                break;
            }
        }
        let list: Vec<Value> = (start.min(all)..all)
            .filter(|i| !g.revoked.contains(&(*i as u32)))
            .take(usize::try_from(count).unwrap_or(0))
            .map(|i| {
                let p = self.profile(g, i as u32);
                json!({"authorizer_appid": p.appid, "refresh_token": self.refresh_token(g, &p), "auth_time": p.auth_time})
            })
            .collect();
        Ok(json!({"total_count": total, "list": list}))
    }

    fn clear_quota_v2(&self, g: &mut Inner, b: &Body, now: i64) -> Result<Value, ApiError> {
        self.check_component_appid(b)?;
        self.check_secret(b, "appsecret")?;
        let owner = match text(b, "appid") {
            None => self.creds.component_appid.clone(),
            Some(a) if a == self.creds.component_appid => a.to_owned(),
            Some(a) => {
                self.index(g, a).ok_or_else(not_authorized)?;
                a.to_owned()
            }
        };
        self.clear_quota(g, &owner, now)
    }

    fn rid_get(&self, g: &Inner, caller: Caller, b: &Body, now: i64) -> Result<Value, ApiError> {
        let rid = text(b, "rid").ok_or_else(|| err(47001, "data format error"))?;
        let well_formed = rid.len() == 26
            && rid.split('-').count() == 3
            && rid
                .split('-')
                .all(|p| p.len() == 8 && p.bytes().all(|c| c.is_ascii_hexdigit()));
        if !well_formed {
            return Err(err(76002, "rid is error"));
        }
        let rec = g
            .rids
            .iter()
            .find(|r| r.rid == rid && now - r.invoke_time <= RID_LIFETIME_SECS)
            .ok_or_else(|| err(76001, "rid not found"))?;
        if rec.owner != self.owner_appid(caller) {
            return Err(err(76003, "could not query this rid, no permission"));
        }
        Ok(json!({"errcode": 0, "errmsg": "ok", "request": {
            "invoke_time": rec.invoke_time,
            "cost_in_ms": rec.cost_in_ms,
            "request_url": rec.request_url,
            "request_body": rec.request_body,
            "response_body": rec.response_body,
            "client_ip": rec.client_ip,
        }}))
    }

    fn check_secret(&self, b: &Body, key: &str) -> Result<(), ApiError> {
        match text(b, key) {
            None => Err(err(41004, "appsecret missing")),
            Some(s) if s == self.creds.appsecret => Ok(()),
            Some(_) => Err(err(40125, "invalid appsecret")),
        }
    }

    fn component_token(&self, g: &mut Inner, b: &Body, now: i64) -> Result<Value, ApiError> {
        self.check_component_appid(b)?;
        self.check_secret(b, "component_appsecret")?;
        let ticket = text(b, "component_verify_ticket")
            .ok_or_else(|| err(61006, "component ticket is invalid"))?;
        let issued = g
            .tickets
            .iter()
            .find(|(t, _)| t == ticket)
            .map(|(_, at)| *at)
            .ok_or_else(|| err(61006, "component ticket is invalid"))?;
        if now - issued >= TICKET_TTL {
            return Err(err(61005, "component ticket is expired"));
        }
        let token = random_token(136);
        push_token(&mut g.component_tokens, token.clone(), now);
        Ok(json!({"component_access_token": token, "expires_in": TOKEN_TTL}))
    }

    /// `/cgi-bin/token` (GET, query) and `/cgi-bin/stable_token` (POST, JSON) — an ordinary
    /// account's token. With the component appid WeChat answers 61024 "must use
    /// api(api_component_token) to get token for component acct" (reference §1.1; 61024 is this
    /// case, while an authorizer token on a component API is 61014). The simulator holds no
    /// authorizer's own AppSecret, so their appids get 40125; anything else 40013.
    fn plain_token(&self, g: &Inner, req: &Request<'_>, b: &Body) -> Result<Value, ApiError> {
        let get = |k: &str| -> Option<String> {
            if req.path == "/cgi-bin/token" {
                req.query.get(k).filter(|v| !v.is_empty()).cloned()
            } else {
                text(b, k).map(str::to_owned)
            }
        };
        if get("grant_type").as_deref() != Some("client_credential") {
            return Err(err(40002, "invalid grant_type"));
        }
        let appid = get("appid").ok_or_else(|| err(41002, "appid missing"))?;
        if appid == self.creds.component_appid {
            return Err(err(
                61024,
                "must use api(api_component_token) to get token for component acct",
            ));
        }
        if self.index(g, &appid).is_some() {
            return Err(err(40125, "invalid appsecret"));
        }
        Err(err(40013, "invalid appid"))
    }

    fn query_auth(&self, g: &mut Inner, b: &Body, now: i64) -> Result<Value, ApiError> {
        self.check_component_appid(b)?;
        let code = text(b, "authorization_code").ok_or_else(|| err(61009, "code is invalid"))?;
        let entry = g
            .auth_codes
            .get_mut(code)
            .ok_or_else(|| err(61009, "code is invalid"))?;
        if entry.used {
            return Err(err(61009, "code is invalid"));
        }
        if now >= entry.expires_at {
            return Err(err(61010, "code is expired"));
        }
        entry.used = true;
        let index = entry.index.expect("auth codes name their authorizer");
        g.changes.entry(index).or_default().queried = Some(true);
        let p = self.profile(g, index);
        let refresh = self.refresh_token(g, &p);
        let token = self.issue_authorizer_token(g, index, now);
        Ok(json!({"authorization_info": {
            "authorizer_appid": p.appid,
            "authorizer_access_token": token,
            "expires_in": TOKEN_TTL,
            "authorizer_refresh_token": refresh,
            "func_info": seed::func_info_json(&p.funcs),
        }}))
    }

    /// get/set authorizer option (reference §1.8; 61012 invalid name, 61013 invalid value).
    fn option(
        &self,
        g: &mut Inner,
        index: u32,
        b: &Body,
        set: bool,
        legacy: bool,
    ) -> Result<Value, ApiError> {
        let name = text(b, "option_name").ok_or_else(|| err(61012, "invalid option name"))?;
        let slot = OPTIONS
            .iter()
            .position(|(n, _)| *n == name)
            .ok_or_else(|| err(61012, "invalid option name"))?;
        let p = self.profile(g, index);
        if set {
            let value = match b.get("option_value") {
                Some(Value::String(s)) => s.trim().parse::<u8>().ok(),
                Some(Value::Number(n)) => n.as_u64().and_then(|v| u8::try_from(v).ok()),
                _ => None,
            }
            .filter(|v| *v <= OPTIONS[slot].1)
            .ok_or_else(|| err(61013, "invalid option value"))?;
            let mut options = p.options;
            options[slot] = value;
            g.changes.entry(index).or_default().options = Some(options);
            return Ok(ok());
        }
        let value = p.options[slot].to_string();
        Ok(if legacy {
            json!({"authorizer_appid": p.appid, "option_name": name, "option_value": value})
        } else {
            json!({"option_name": name, "option_value": value})
        })
    }

    fn clear_quota(&self, g: &mut Inner, owner: &str, now: i64) -> Result<Value, ApiError> {
        if g.quota.clear(owner, now) {
            Ok(ok())
        } else {
            Err(err(
                48006,
                "forbid to clear quota because of reaching the limit",
            ))
        }
    }

    fn quota_get(
        &self,
        g: &mut Inner,
        caller: Caller,
        b: &Body,
        now: i64,
    ) -> Result<Value, ApiError> {
        let path = text(b, "cgi_path").ok_or_else(|| err(47001, "data format error"))?;
        if !path.starts_with('/') {
            return Err(err(76003, "could not query this cgi_path"));
        }
        if path.starts_with("/sns/") {
            return Err(err(76022, "could not use this cgi_path, no permission"));
        }
        let known = APIS
            .iter()
            .find(|(p, counted)| *p == path && *counted)
            .ok_or_else(|| err(76021, "cgi_path not found, please check"))?;
        let authorizer_api = token_rule(known.0) == TokenRule::Authorizer
            || known.0.contains("/component/get_authorizer_option")
            || known.0.contains("/component/set_authorizer_option");
        match caller {
            Caller::Component if token_rule(known.0) == TokenRule::Authorizer => {
                return Err(err(76022, "could not use this cgi_path, no permission"))
            }
            Caller::Authorizer(_) if !authorizer_api => {
                return Err(err(76022, "could not use this cgi_path, no permission"))
            }
            _ => {}
        }
        let owner = self.owner_appid(caller);
        let used = g.quota.used(&owner, path, now);
        let limit = g.quota.daily_limit;
        Ok(json!({
            "errcode": 0, "errmsg": "ok",
            "quota": {"daily_limit": limit, "used": used, "remain": limit.saturating_sub(used)},
            "rate_limit": {"call_count": 0, "refresh_second": 0},
            "component_rate_limit": {"call_count": 0, "refresh_second": 0},
        }))
    }

    fn open_api(&self, g: &mut Inner, path: &str, index: u32, b: &Body) -> Result<Value, ApiError> {
        let p = self.profile(g, index);
        if text(b, "appid").is_some_and(|a| a != p.appid) {
            return Err(err(40013, "invalid appid"));
        }
        if path == "/cgi-bin/open/have" {
            // Permission set 3 (official account) or 30 (mini program), reference §1.10.
            let needed = if p.kind == Kind::OfficialAccount {
                3
            } else {
                30
            };
            if !p.has_func(needed) {
                return Err(unauthorized_api());
            }
            return Ok(
                json!({"have_open": g.open.of(index).is_some(), "errcode": 0, "errmsg": "ok"}),
            );
        }
        if !p.has_func(seed::open_func(p.kind)) {
            return Err(unauthorized_api());
        }
        let bound = g.open.of(index);
        match path {
            "/cgi-bin/open/get" => {
                let open_appid = bound.ok_or_else(|| err(89002, "open not exists"))?;
                Ok(json!({"open_appid": open_appid, "errcode": 0, "errmsg": "ok"}))
            }
            "/cgi-bin/open/create" => {
                if bound.is_some() {
                    return Err(err(89000, "account has bound open"));
                }
                let open_appid = g.open.create(self.seed, p.principal, index);
                Ok(json!({"open_appid": open_appid, "errcode": 0, "errmsg": "ok"}))
            }
            "/cgi-bin/open/bind" | "/cgi-bin/open/unbind" => {
                let open_appid =
                    text(b, "open_appid").ok_or_else(|| err(47001, "data format error"))?;
                let acc = g
                    .open
                    .accounts
                    .get(open_appid)
                    .ok_or_else(|| err(40013, "invalid appid"))?;
                if acc.principal != p.principal {
                    return Err(err(89001, "not same contractor"));
                }
                if path == "/cgi-bin/open/bind" {
                    if bound.is_some() {
                        return Err(err(89000, "account has bound open"));
                    }
                    if acc.bound_count() >= MAX_BOUND {
                        return Err(err(
                            89004,
                            "this open account has reached the limit of bound accounts",
                        ));
                    }
                    g.open.bind(index, open_appid);
                } else {
                    if !acc.by_api {
                        return Err(err(89003, "open is not created by api"));
                    }
                    if bound.as_deref() != Some(open_appid) {
                        return Err(err(89002, "open not exists"));
                    }
                    g.open.unbind(index);
                }
                Ok(ok())
            }
            _ => Err(err(48001, "api unauthorized")),
        }
    }

    /// The account a call's token belongs to, without checking the call further: the owner of
    /// the rid of an injected failure (the component for a missing or unknown token).
    pub fn token_owner(&self, path: &str, query: &HashMap<String, String>) -> String {
        let g = self.lock();
        let token = query.get("access_token").or_else(|| {
            path.starts_with("/cgi-bin/component/")
                .then(|| query.get("component_access_token"))
                .flatten()
        });
        match token.map(|t| self.caller(&g, t, self.now())) {
            Some(Ok(c)) => self.owner_appid(c),
            _ => self.creds.component_appid.clone(),
        }
    }

    /// Records a failed call's rid for openapi/rid/get (the last 1,000 are kept; WeChat keeps
    /// them 7 days, [`RID_LIFETIME_SECS`]).
    pub fn record_rid(&self, rec: RidRecord) {
        let mut g = self.lock();
        g.rids.push_back(rec);
        while g.rids.len() > 1000 {
            g.rids.pop_front();
        }
    }

    /// The account admin's side of the authorization page.
    pub fn authorize(
        &self,
        req: &AuthorizeRequest,
    ) -> Result<(AuthorizeOutcome, AuthorizedEvent), ApiError> {
        let now = self.now();
        let mut g = self.lock();
        let code = g
            .pre_auth
            .get(&req.pre_auth_code)
            .cloned()
            .ok_or_else(|| err(61009, "code is invalid"))?;
        if code.used {
            return Err(err(61009, "code is invalid"));
        }
        if now >= code.expires_at {
            return Err(err(61010, "code is expired"));
        }
        let auth_type = req.auth_type.unwrap_or(3);
        if auth_type <= 0 {
            return Err(err(
                40097,
                "invalid args: auth_type must be a positive integer",
            ));
        }
        let existing = match &req.appid {
            Some(a) => Some(
                self.known(&g, a)
                    .ok_or_else(|| err(40013, "invalid appid"))?,
            ),
            None => None,
        };
        let kind = match (existing, req.kind) {
            (Some(i), _) => self.profile(&g, i).kind,
            (None, Some(k)) => k,
            (None, None) => {
                return Err(err(
                    40097,
                    "invalid args: give appid (existing account) or kind (new account)",
                ))
            }
        };
        check_link_scope(req, auth_type, kind)?;
        // Checked before the code is used up: a refused page leaves the link usable.
        let redirect = req
            .redirect_uri
            .as_deref()
            .map(|uri| redirect_target(&self.redirect_domains, uri))
            .transpose()?;
        g.pre_auth
            .get_mut(&req.pre_auth_code)
            .expect("checked")
            .used = true;
        let (index, info_type) = match existing {
            Some(i) if g.revoked.remove(&i) => (i, "authorized"),
            Some(i) => (i, "updateauthorized"),
            None => {
                let i = g.seeded + g.added.len() as u32;
                g.added.push(kind);
                (i, "authorized")
            }
        };
        let base = self.profile(&g, index);
        let funcs = granted_funcs(req, existing.is_some(), kind, &base);
        // Re-authorization issues a new refresh token (the old one → 61023) and kills the
        // account's access tokens.
        let change = g.changes.entry(index).or_default();
        if existing.is_some() {
            change.generation += 1;
        } else {
            change.queried = Some(false);
        }
        change.auth_time = Some(now);
        change.funcs = Some(funcs);
        change.tokens.clear();
        g.authorizer_tokens.retain(|_, i| *i != index);
        let auth_code = format!("queryauthcode@@@{}", random_token(64));
        g.auth_codes.retain(|_, c| c.expires_at > now && !c.used);
        g.auth_codes.insert(
            auth_code.clone(),
            Code {
                index: Some(index),
                expires_at: now + AUTH_CODE_TTL,
                used: false,
            },
        );
        let redirect_url = redirect.map(|url| redirect_with_code(url, &auth_code));
        let appid = base.appid.clone();
        Ok((
            AuthorizeOutcome {
                redirect_url,
                auth_code: auth_code.clone(),
                expires_in: AUTH_CODE_TTL,
                authorizer_appid: appid.clone(),
                info_type: info_type.to_owned(),
            },
            AuthorizedEvent {
                info_type,
                authorizer_appid: appid,
                auth_code,
                expires_at: now + AUTH_CODE_TTL,
                pre_auth_code: req.pre_auth_code.clone(),
            },
        ))
    }

    /// The account cancels its authorization on mp.weixin.qq.com: it leaves the list, its tokens
    /// die, api_authorizer_token / api_get_authorizer_info answer 61003. Returns its appid.
    pub fn unauthorize(&self, appid: &str) -> Result<String, ApiError> {
        let mut g = self.lock();
        let index = self.index(&g, appid).ok_or_else(not_authorized)?;
        g.revoked.insert(index);
        if let Some(c) = g.changes.get_mut(&index) {
            c.tokens.clear();
        }
        g.authorizer_tokens.retain(|_, i| *i != index);
        Ok(appid.to_owned())
    }

    /// The account's admin renames it, has it verified, moves it to another principal or
    /// changes what it granted (the list answer does not change: only the info answer does, as
    /// on WeChat). 61003 for an account not authorized now; 40097 for an unknown principal or
    /// an empty name.
    pub fn edit_authorizer(&self, appid: &str, edit: &AuthorizerEdit) -> Result<(), ApiError> {
        if edit
            .principal
            .is_some_and(|p| usize::from(p) >= seed::PRINCIPALS.len())
        {
            return Err(err(40097, "invalid args: unknown principal"));
        }
        if edit
            .nick_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(err(40097, "invalid args: empty nick_name"));
        }
        let mut g = self.lock();
        let index = self.index(&g, appid).ok_or_else(not_authorized)?;
        let change = g.changes.entry(index).or_default();
        if let Some(n) = &edit.nick_name {
            change.nick_name = Some(n.clone());
        }
        change.verify_type = edit.verify_type.or(change.verify_type);
        change.service_type = edit.service_type.or(change.service_type);
        change.principal = edit.principal.or(change.principal);
        if let Some(ids) = &edit.func_ids {
            change.funcs = Some(ids.iter().map(|&id| Func { id, confirm: None }).collect());
        }
        Ok(())
    }

    pub fn option_of(&self, appid: &str, name: &str) -> Option<String> {
        let g = self.lock();
        let index = self.index(&g, appid)?;
        let slot = OPTIONS.iter().position(|(n, _)| *n == name)?;
        Some(self.profile(&g, index).options[slot].to_string())
    }

    pub fn open_appid_of(&self, appid: &str) -> Option<String> {
        let g = self.lock();
        let index = self.index(&g, appid)?;
        g.open.of(index)
    }

    /// The full profile of an authorizer (control surface and image placeholders).
    pub fn profile_of(&self, appid: &str) -> Option<Profile> {
        let g = self.lock();
        let index = self.known(&g, appid)?;
        Some(self.profile(&g, index))
    }
}
