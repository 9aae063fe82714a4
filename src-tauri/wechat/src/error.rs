//! Errors of the WeChat component API client.
//!
//! Two families, kept apart because callers treat them differently:
//! - [`WeChatError::Api`]: WeChat answered and said no (`errcode != 0`). The errcode decides what
//!   to do (refresh the token on 40001/40014/42001, re-authorize on 61023, …).
//! - transport failures ([`WeChatError::Timeout`], [`WeChatError::Connect`],
//!   [`WeChatError::HttpStatus`], [`WeChatError::InvalidJson`], [`WeChatError::Request`],
//!   [`WeChatError::AnswerTooLarge`]): the answer never arrived or was not a WeChat answer.
//!
//! No message ever carries a token or a secret: tokens travel in the query string, and reqwest's
//! error text includes the URL, so every transport message is built from `Error::without_url()`
//! and passed through [`redact_secrets`] (which also masks `"…_token":"…"`-style JSON values in
//! body snippets).

use std::fmt;

/// Errcodes that mean "the access token you sent is not (or no longer) valid": refresh it and
/// retry once (what WxJava does: `WxConsts.ACCESS_TOKEN_ERROR_CODES` = 40001, 40014, 42001).
pub const TOKEN_INVALID_ERRCODES: [i64; 3] = [40001, 40014, 42001];

/// Longest body excerpt kept in an error (characters, after redaction).
pub const BODY_SNIPPET_MAX_CHARS: usize = 300;

/// What can go wrong when calling the WeChat API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeChatError {
    /// WeChat answered with `errcode != 0`.
    #[error("{endpoint}: WeChat errcode {errcode}: {errmsg}")]
    Api {
        endpoint: String,
        errcode: i64,
        errmsg: String,
    },
    /// Connect or total timeout elapsed.
    #[error("{endpoint}: request timed out")]
    Timeout { endpoint: String },
    /// Could not reach the server: DNS failure, connection refused, TLS handshake, proxy refused.
    #[error("{endpoint}: cannot connect: {message}")]
    Connect { endpoint: String, message: String },
    /// The server answered with a non-2xx HTTP status.
    #[error("{endpoint}: HTTP status {status}: {body_snippet}")]
    HttpStatus {
        endpoint: String,
        status: u16,
        body_snippet: String,
    },
    /// The body was not the JSON object expected (not JSON, not an object, or a success answer
    /// missing a required field).
    #[error("{endpoint}: invalid answer ({message}): {body_snippet}")]
    InvalidJson {
        endpoint: String,
        message: String,
        body_snippet: String,
    },
    /// Any other failure sending the request or reading the answer (connection dropped
    /// mid-request, body read error, …).
    #[error("{endpoint}: request failed: {message}")]
    Request { endpoint: String, message: String },
    /// The answer body was larger than any WeChat answer ([`crate::client::MAX_ANSWER_BYTES`]);
    /// reading stopped there.
    #[error("{endpoint}: the answer is larger than {} MiB; stopped reading it", limit_bytes >> 20)]
    AnswerTooLarge { endpoint: String, limit_bytes: u64 },
}

/// Why a [`crate::client::ClientConfig`] was refused. Messages never echo a proxy
/// password (user info in URLs is redacted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientConfigError {
    #[error("invalid API base URL {value:?}: {reason}")]
    InvalidApiBase { value: String, reason: String },
    #[error("unsupported API base scheme {scheme:?} (use https; http only for a loopback host)")]
    UnsupportedApiBaseScheme { scheme: String },
    #[error("the API base http://{host} is not encrypted: the appsecret and every token would cross the network in clear (use https; http is allowed only for 127.0.0.1, ::1 and localhost)")]
    CleartextApiBase { host: String },
    #[error("invalid proxy URL {value:?}: {reason}")]
    InvalidProxy { value: String, reason: String },
    #[error("unsupported proxy scheme {scheme:?} (use http, https, socks5 or socks5h)")]
    UnsupportedProxyScheme { scheme: String },
    #[error("{which} timeout must be greater than zero")]
    ZeroTimeout { which: &'static str },
    #[error("connect timeout ({connect_ms} ms) is longer than the total timeout ({total_ms} ms)")]
    ConnectLongerThanTotal { connect_ms: u128, total_ms: u128 },
    #[error("invalid user agent: {reason}")]
    InvalidUserAgent { reason: String },
    #[error("cannot build the HTTP client: {message}")]
    Build { message: String },
}

/// Short machine name of a [`WeChatError`] variant (for audit records and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeChatErrorKind {
    Api,
    Timeout,
    Connect,
    HttpStatus,
    InvalidJson,
    Request,
    AnswerTooLarge,
}

impl WeChatErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WeChatErrorKind::Api => "api",
            WeChatErrorKind::Timeout => "timeout",
            WeChatErrorKind::Connect => "connect",
            WeChatErrorKind::HttpStatus => "http_status",
            WeChatErrorKind::InvalidJson => "invalid_json",
            WeChatErrorKind::Request => "request",
            WeChatErrorKind::AnswerTooLarge => "answer_too_large",
        }
    }
}

impl fmt::Display for WeChatErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl WeChatError {
    /// The WeChat errcode, for [`WeChatError::Api`] only.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            WeChatError::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    /// The WeChat errmsg, for [`WeChatError::Api`] only.
    pub fn errmsg(&self) -> Option<&str> {
        match self {
            WeChatError::Api { errmsg, .. } => Some(errmsg),
            _ => None,
        }
    }

    /// The endpoint path (e.g. `/cgi-bin/component/api_query_auth`) the error came from.
    pub fn endpoint(&self) -> &str {
        match self {
            WeChatError::Api { endpoint, .. }
            | WeChatError::Timeout { endpoint }
            | WeChatError::Connect { endpoint, .. }
            | WeChatError::HttpStatus { endpoint, .. }
            | WeChatError::InvalidJson { endpoint, .. }
            | WeChatError::Request { endpoint, .. }
            | WeChatError::AnswerTooLarge { endpoint, .. } => endpoint,
        }
    }

    pub fn kind(&self) -> WeChatErrorKind {
        match self {
            WeChatError::Api { .. } => WeChatErrorKind::Api,
            WeChatError::Timeout { .. } => WeChatErrorKind::Timeout,
            WeChatError::Connect { .. } => WeChatErrorKind::Connect,
            WeChatError::HttpStatus { .. } => WeChatErrorKind::HttpStatus,
            WeChatError::InvalidJson { .. } => WeChatErrorKind::InvalidJson,
            WeChatError::Request { .. } => WeChatErrorKind::Request,
            WeChatError::AnswerTooLarge { .. } => WeChatErrorKind::AnswerTooLarge,
        }
    }

    /// True for API errors (as opposed to transport failures).
    pub fn is_api(&self) -> bool {
        matches!(self, WeChatError::Api { .. })
    }

    /// True for transport failures (everything but [`WeChatError::Api`]).
    pub fn is_transport(&self) -> bool {
        !self.is_api()
    }

    /// The token sent was wrong, superseded or expired (40001, 40014, 42001): refresh it and
    /// retry once.
    pub fn is_token_invalid(&self) -> bool {
        self.errcode()
            .is_some_and(|c| TOKEN_INVALID_ERRCODES.contains(&c))
    }

    /// Worth retrying the same call later unchanged: errcode -1 (system busy) and 45011 (per-minute
    /// frequency limit: wait, then retry), HTTP 5xx (and 429), timeouts and connection failures.
    /// Token errcodes (40001/40014/42001) are not: the call needs a new token first (see
    /// [`Self::is_token_invalid`]). Not 45009 (daily quota: retrying only burns more
    /// quota) nor any other errcode, nor invalid answers.
    ///
    /// A connection dropped after the request was sent ([`WeChatError::Request`]) is not
    /// retryable here: the call may have taken effect (a new token issued, a quota reset used).
    pub fn is_retryable(&self) -> bool {
        match self {
            WeChatError::Api { errcode, .. } => matches!(*errcode, -1 | 45011),
            WeChatError::HttpStatus { status, .. } => *status >= 500 || *status == 429,
            WeChatError::Timeout { .. } | WeChatError::Connect { .. } => true,
            WeChatError::InvalidJson { .. }
            | WeChatError::Request { .. }
            | WeChatError::AnswerTooLarge { .. } => false,
        }
    }

    /// What the operator can do about it (English; the UI localizes by code/errcode).
    pub fn hint(&self) -> Option<String> {
        match self {
            WeChatError::Api { errcode, errmsg, .. } => api_hint(*errcode, errmsg),
            WeChatError::Timeout { .. } => Some(
                "WeChat did not answer in time: check the network and the proxy, then retry (or raise the timeout).".into(),
            ),
            WeChatError::Connect { .. } => Some(
                "Cannot reach the API host: check the network, the profile's proxy and API base URL.".into(),
            ),
            WeChatError::HttpStatus { status, .. } if *status >= 500 => Some(
                "The server had a temporary failure (HTTP 5xx): retry later; if it persists check the API base URL and proxy.".into(),
            ),
            WeChatError::HttpStatus { .. } => Some(
                "The server refused the request at the HTTP level: check the profile's API base URL and proxy.".into(),
            ),
            WeChatError::InvalidJson { .. } => Some(
                "The answer is not a WeChat API answer: the API base URL may point to the wrong server, or a proxy answered instead.".into(),
            ),
            WeChatError::Request { .. } => Some(
                "The connection failed while the request was in flight: check the network; the call may or may not have taken effect.".into(),
            ),
            WeChatError::AnswerTooLarge { .. } => Some(
                "No WeChat answer is that large: the API base URL or the proxy points at something else (a download, a login portal). Check the profile's API base URL and proxy.".into(),
            ),
        }
    }

    /// Build the transport variant matching a reqwest error. The URL (with the token in its
    /// query) is removed from the error first, and the text is redacted again defensively.
    pub fn from_reqwest(endpoint: &str, err: reqwest::Error) -> Self {
        let endpoint = endpoint.to_string();
        let is_timeout = err.is_timeout() || error_chain_has_timeout(&err);
        let is_connect = err.is_connect();
        let err = err.without_url();
        let message = redact_secrets(&error_chain_text(&err));
        if is_timeout {
            WeChatError::Timeout { endpoint }
        } else if is_connect {
            WeChatError::Connect { endpoint, message }
        } else {
            WeChatError::Request { endpoint, message }
        }
    }
}

/// Hint for an API errcode, from the errcode table ([`super::errcode::explain`]: the IP named in
/// the errmsg is quoted for whitelist errors; unknown codes get a generic hint naming the rid).
fn api_hint(errcode: i64, errmsg: &str) -> Option<String> {
    let hint = super::errcode::explain(errcode, errmsg).hint_en;
    (!hint.is_empty()).then_some(hint)
}

fn error_chain_has_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        cur = e.source();
    }
    false
}

/// `err: source: source…`, skipping sources whose text the previous level already contains.
fn error_chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !s.is_empty() && !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = e.source();
    }
    out
}

/// Is `name` (a JSON key, XML element or query parameter) one whose value must never be shown?
/// Names are compared case-, `_`- and `-`-blind, so `AuthorizationCode` (XML), `authCode`
/// (camelCase) and `authorization_code` are one name.
fn is_sensitive_key(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    n.contains("token")
        || n.contains("secret")
        || n.contains("ticket")
        || n.contains("password")
        || n.contains("aeskey")
        || n.ends_with("authcode")
        || n.ends_with("authorizationcode")
        || n == "code"
}

const REDACTED: &str = "<redacted>";

/// Mask secret values in free text: query parameters (`access_token=…`,
/// `component_access_token=…`), JSON members (`"authorizer_refresh_token": "…"`, also inside a
/// JSON string, `\"auth_code\":\"…\"`), XML elements (`<AuthorizationCode>…<`), and the
/// user-info part of URLs (`socks5://user:pass@host`). Values are recognised by their key
/// (anything containing `token`, `secret`, `ticket`, `password`, `aes_key`, and the auth/pre-auth
/// codes, however cased), so an unknown future `…_token` field is masked too. A value cut off by
/// truncation (no closing quote) is masked up to the end of the text.
pub fn redact_secrets(text: &str) -> String {
    let text = redact_url_userinfo(text);
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        if !is_ident(bytes[i]) {
            // Copy one whole (possibly multi-byte) char.
            let ch_len = utf8_len(bytes[i]);
            out.push_str(&text[i..i + ch_len]);
            i += ch_len;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let ident = &text[start..i];
        out.push_str(ident);
        if !is_sensitive_key(ident) {
            continue;
        }
        let value = query_value(bytes, i)
            .or_else(|| json_value(bytes, i))
            .or_else(|| xml_value(bytes, start, i));
        if let Some((keep_to, value_end)) = value {
            out.push_str(&text[i..keep_to]);
            if value_end > keep_to {
                out.push_str(REDACTED);
            }
            i = value_end;
        }
    }
    out
}

/// `key=value`: returns (end of `=`, end of value).
fn query_value(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes.get(i) != Some(&b'=') {
        return None;
    }
    let mut j = i + 1;
    while j < bytes.len()
        && !matches!(
            bytes[j],
            b'&' | b'"' | b'\'' | b')' | b'<' | b'>' | b',' | b'#' | b'\\'
        )
        && !bytes[j].is_ascii_whitespace()
    {
        j += 1;
    }
    Some((i + 1, j))
}

/// `key": "value"`, or the same escaped inside a JSON string (`key\": \"value\"`): returns
/// (start of the value, end of the value, before its closing quote).
fn json_value(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let escaped = bytes.get(i) == Some(&b'\\');
    let quote_len = if escaped { 2 } else { 1 };
    let is_quote = |at: usize| {
        if escaped {
            bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'"')
        } else {
            bytes.get(at) == Some(&b'"')
        }
    };
    if !is_quote(i) {
        return None;
    }
    let skip_ws = |mut j: usize| {
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        j
    };
    let mut j = skip_ws(i + quote_len);
    if bytes.get(j) != Some(&b':') {
        return None;
    }
    j = skip_ws(j + 1);
    if !is_quote(j) {
        return None;
    }
    let vstart = j + quote_len;
    let mut k = vstart;
    while k < bytes.len() && !is_quote(k) {
        // An escape inside an unescaped string skips the next byte; inside an escaped one,
        // `\\\\` (an escaped backslash) is skipped whole, so `\\"` is the closing quote.
        if bytes[k] == b'\\' && (!escaped || bytes.get(k + 1) == Some(&b'\\')) {
            k += 1;
        }
        k += 1;
    }
    Some((vstart, k.min(bytes.len())))
}

/// `<Key>value<`: returns (after `>`, the next `<`).
fn xml_value(bytes: &[u8], start: usize, i: usize) -> Option<(usize, usize)> {
    if start == 0 || bytes[start - 1] != b'<' || bytes.get(i) != Some(&b'>') {
        return None;
    }
    const CDATA: &[u8] = b"<![CDATA[";
    let from = i + 1;
    if bytes[from..].starts_with(CDATA) {
        let vstart = from + CDATA.len();
        let end = bytes[vstart..]
            .windows(3)
            .position(|w| w == b"]]>")
            .map_or(bytes.len(), |p| vstart + p);
        return Some((vstart, end));
    }
    let mut j = from;
    while j < bytes.len() && bytes[j] != b'<' {
        j += 1;
    }
    Some((from, j))
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// `scheme://user:pass@host…` → `scheme://<redacted>@host…`.
fn redact_url_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        if let Some(at) = authority.rfind('@') {
            out.push_str(REDACTED);
            out.push_str(&authority[at..]);
        } else {
            out.push_str(authority);
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

/// A redacted excerpt of an answer body, at most [`BODY_SNIPPET_MAX_CHARS`] characters
/// (plus `…` when cut). Invalid UTF-8 is replaced.
pub fn body_snippet(body: &[u8]) -> String {
    // Redact a bounded prefix (a value cut at the bound is masked to its end).
    let bound = body.len().min(8 * 1024);
    let text = String::from_utf8_lossy(&body[..bound]);
    let redacted = redact_secrets(text.trim());
    let mut out: String = redacted.chars().take(BODY_SNIPPET_MAX_CHARS).collect();
    if redacted.chars().count() > BODY_SNIPPET_MAX_CHARS || bound < body.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_query_tokens() {
        let s = "error sending request for url (https://api.weixin.qq.com/cgi-bin/component/api_create_preauthcode?component_access_token=SECRET123&x=1)";
        let r = redact_secrets(s);
        assert!(!r.contains("SECRET123"), "{r}");
        assert!(r.contains("component_access_token=<redacted>&x=1"), "{r}");
        let r = redact_secrets("GET /cgi-bin/open/have?access_token=abc.def-ghi");
        assert_eq!(r, "GET /cgi-bin/open/have?access_token=<redacted>");
    }

    #[test]
    fn redacts_json_members() {
        let s = r#"{"component_access_token":"TOK1","expires_in":7200,"authorization_info":{"authorizer_refresh_token" : "REF\"2","authorizer_appid":"wx1"}}"#;
        let r = redact_secrets(s);
        assert!(!r.contains("TOK1") && !r.contains("REF"), "{r}");
        assert!(r.contains(r#""expires_in":7200"#));
        assert!(r.contains(r#""authorizer_appid":"wx1""#));
        // truncated value
        let r = redact_secrets(r#"{"pre_auth_code":"preauthcode@@@abcdef"#);
        assert_eq!(r, r#"{"pre_auth_code":"<redacted>"#);
    }

    #[test]
    fn redacts_whatever_the_case_or_quoting() {
        for s in [
            r#"{"AuthorizationCode":"queryauthcode@@@X1"}"#,
            r#"{"AuthCode":"X1"}"#,
            r#"{"PreAuthCode":"X1"}"#,
            r#"{"authorizationCode":"X1"}"#,
            r#"{"ComponentVerifyTicket":"X1"}"#,
            r#"{"fields":{"raw":"{\"auth_code\":\"X1\",\"n\":1}"}}"#,
            r#"{"fields":{"raw":"{\"AuthorizationCode\" : \"X1\"}"}}"#,
            "<xml><AuthorizationCode><![CDATA[X1]]></AuthorizationCode></xml>",
            "<AuthCode>X1</AuthCode>",
            "auth-code=X1",
        ] {
            let r = redact_secrets(s);
            assert!(!r.contains("X1"), "{s} -> {r}");
            assert!(r.contains("<redacted>"), "{s} -> {r}");
        }
        // What is not a secret stays.
        let s = r#"{"fields":{"raw":"{\"authorizer_appid\":\"wx1\"}"}}"#;
        assert_eq!(redact_secrets(s), s);
        assert_eq!(
            redact_secrets("<AuthorizerAppid>wx1</AuthorizerAppid>"),
            "<AuthorizerAppid>wx1</AuthorizerAppid>"
        );
    }

    #[test]
    fn keeps_errmsg_prose() {
        let s = r#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest rid: 1-2-3"}"#;
        assert_eq!(redact_secrets(s), s);
        let s = "中文 errmsg 不受影响 access_token missing";
        assert_eq!(redact_secrets(s), s);
    }

    #[test]
    fn redacts_url_userinfo() {
        assert_eq!(
            redact_secrets("proxy socks5h://bob:hunter2@10.0.0.1:1080 refused"),
            "proxy socks5h://<redacted>@10.0.0.1:1080 refused"
        );
        assert_eq!(redact_secrets("http://h:1/p?q"), "http://h:1/p?q");
    }

    #[test]
    fn snippet_is_bounded_and_redacted() {
        let mut body = String::from(r#"{"component_access_token":""#);
        body.push_str(&"x".repeat(10_000));
        let s = body_snippet(body.as_bytes());
        assert!(!s.contains('x'), "{s}");
        let long = "a".repeat(1000);
        let s = body_snippet(long.as_bytes());
        assert_eq!(s.chars().count(), BODY_SNIPPET_MAX_CHARS + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn classification() {
        let api = |c| WeChatError::Api {
            endpoint: "/x".into(),
            errcode: c,
            errmsg: "m".into(),
        };
        assert!(api(-1).is_retryable());
        assert!(!api(45009).is_retryable());
        assert!(!api(40001).is_retryable());
        for c in [40001, 40014, 42001] {
            assert!(api(c).is_token_invalid());
        }
        assert!(!api(61023).is_token_invalid());
        assert_eq!(api(61023).errcode(), Some(61023));
        let t = WeChatError::Timeout {
            endpoint: "/x".into(),
        };
        assert!(t.is_retryable() && t.errcode().is_none() && t.is_transport());
        let h = |status| WeChatError::HttpStatus {
            endpoint: "/x".into(),
            status,
            body_snippet: String::new(),
        };
        assert!(h(502).is_retryable());
        assert!(!h(404).is_retryable());
        assert!(WeChatError::Connect {
            endpoint: "/x".into(),
            message: "refused".into()
        }
        .is_retryable());
        assert!(!WeChatError::InvalidJson {
            endpoint: "/x".into(),
            message: String::new(),
            body_snippet: String::new()
        }
        .is_retryable());
        assert_eq!(api(1).kind().as_str(), "api");
    }
}
