//! Authorization links (PC and mobile) and the redirect WeChat sends back after authorizing.
//!
//! Every value is percent-encoded as a URI component (`encodeURIComponent` semantics, as wechatpy
//! `quote(safe='')` and WxJava `URIUtil.encodeURIComponent` do): an unencoded redirect_uri loses
//! every query parameter after its first, and pre_auth_codes contain `@@@`.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

/// RFC 3986 unreserved characters stay; everything else (`@ : / ? & = | + #` …) is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const PC_BASE: &str = "https://mp.weixin.qq.com/cgi-bin/componentloginpage";
/// The current H5 form (official page; WxJava PR #3198). The older
/// `https://mp.weixin.qq.com/safe/bindcomponent` takes the same parameters.
const MOBILE_BASE: &str = "https://open.weixin.qq.com/wxaopen/safe/bindcomponent";

/// 1 official accounts, 2 mini programs, 3 both; larger values exist for newer account kinds
/// (4 promoter, 5 Channels, 6 all, 8 live-commerce assistant per the official page), so any
/// positive value is passed through.
pub const DEFAULT_AUTH_TYPE: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuthLinkParams {
    pub component_appid: String,
    pub pre_auth_code: String,
    pub redirect_uri: String,
    /// `None` sends [`DEFAULT_AUTH_TYPE`]: the page marks the parameter required, so it is always
    /// sent explicitly.
    pub auth_type: Option<u32>,
    /// Only this account may authorize; wins over a conflicting auth_type.
    pub biz_appid: Option<String>,
    /// Restricts the permission sets shown; empty = all released sets of the platform.
    pub category_id_list: Vec<u32>,
}

/// The code WeChat appends to redirect_uri after a successful authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuthRedirect {
    pub auth_code: String,
    /// Seconds, as sent (`expires_in=600` in the docs; captured codes lived longer).
    pub expires_in: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("{field} is empty")]
    Empty { field: String },
    #[error("auth_type must be a positive integer (1 official accounts, 2 mini programs, 3 both, …), got 0")]
    AuthTypeZero,
    #[error("redirect_uri {uri:?} is not usable: {reason}")]
    InvalidRedirectUri { uri: String, reason: String },
    #[error("no auth_code in {input:?}: paste the whole address WeChat redirected to, its query string, or the code itself")]
    MissingAuthCode { input: String },
}

/// Stable, machine-readable name of a [`LinkError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LinkErrorKind {
    Empty,
    AuthTypeZero,
    InvalidRedirectUri,
    MissingAuthCode,
}

impl LinkError {
    pub fn kind(&self) -> LinkErrorKind {
        match self {
            LinkError::Empty { .. } => LinkErrorKind::Empty,
            LinkError::AuthTypeZero => LinkErrorKind::AuthTypeZero,
            LinkError::InvalidRedirectUri { .. } => LinkErrorKind::InvalidRedirectUri,
            LinkError::MissingAuthCode { .. } => LinkErrorKind::MissingAuthCode,
        }
    }
}

impl Serialize for LinkError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("LinkError", 2)?;
        s.serialize_field("kind", &self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

impl AuthLinkParams {
    /// auth_type 3, no biz_appid, no category restriction.
    pub fn new(
        component_appid: impl Into<String>,
        pre_auth_code: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        AuthLinkParams {
            component_appid: component_appid.into(),
            pre_auth_code: pre_auth_code.into(),
            redirect_uri: redirect_uri.into(),
            auth_type: None,
            biz_appid: None,
            category_id_list: Vec::new(),
        }
    }
}

/// Checks what WeChat would otherwise reject only after the admin scanned: required values,
/// a positive auth_type, and an absolute http(s) redirect_uri. (Whether the redirect host is the
/// platform's registered authorization domain is only known to WeChat.)
pub fn validate(p: &AuthLinkParams) -> Result<(), LinkError> {
    for (field, value) in [
        ("component_appid", &p.component_appid),
        ("pre_auth_code", &p.pre_auth_code),
        ("redirect_uri", &p.redirect_uri),
    ] {
        if value.trim().is_empty() {
            return Err(LinkError::Empty {
                field: field.into(),
            });
        }
    }
    if p.auth_type == Some(0) {
        return Err(LinkError::AuthTypeZero);
    }
    let invalid = |reason: &str| LinkError::InvalidRedirectUri {
        uri: p.redirect_uri.clone(),
        reason: reason.into(),
    };
    let url = url::Url::parse(p.redirect_uri.trim())
        .map_err(|e| invalid(&format!("not an absolute URL ({e})")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid("it must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    Ok(())
}

/// The PC link (`componentloginpage`). It only works when the admin clicks it on a page of the
/// platform's authorization-initiation domain (WeChat checks the Referer), so it is for copying
/// into that page, not for a QR code.
pub fn pc_link(p: &AuthLinkParams) -> String {
    format!("{PC_BASE}?{}", common_query(p))
}

/// The mobile link, opened inside WeChat (so a QR code of it can be scanned). The query must
/// precede `#wechat_redirect`.
pub fn mobile_link(p: &AuthLinkParams) -> String {
    format!(
        "{MOBILE_BASE}?action=bindcomponent&no_scan=1&{}#wechat_redirect",
        common_query(p)
    )
}

fn encode(value: &str) -> String {
    utf8_percent_encode(value.trim(), COMPONENT).to_string()
}

fn common_query(p: &AuthLinkParams) -> String {
    let mut q = format!(
        "component_appid={}&pre_auth_code={}&redirect_uri={}&auth_type={}",
        encode(&p.component_appid),
        encode(&p.pre_auth_code),
        encode(&p.redirect_uri),
        p.auth_type.unwrap_or(DEFAULT_AUTH_TYPE)
    );
    if let Some(biz) = p.biz_appid.as_deref().filter(|b| !b.trim().is_empty()) {
        q.push_str("&biz_appid=");
        q.push_str(&encode(biz));
    }
    if !p.category_id_list.is_empty() {
        let list: Vec<String> = p.category_id_list.iter().map(u32::to_string).collect();
        q.push_str("&category_id_list=");
        q.push_str(&encode(&list.join("|")));
    }
    q
}

/// Reads the auth code out of what the operator pasted: the whole redirect URL
/// (`https://a.example/cb?x=1&auth_code=…&expires_in=600`), just its query string, or the bare
/// code. Values are percent-decoded but '+' is kept literally (codes are not form-encoded).
pub fn parse_redirect(url_or_query: &str) -> Result<AuthRedirect, LinkError> {
    let input = url_or_query.trim();
    let missing = || LinkError::MissingAuthCode {
        input: input.chars().take(200).collect(),
    };
    if input.is_empty() {
        return Err(missing());
    }
    let without_fragment = input.split('#').next().unwrap_or_default();
    let looks_like_query = without_fragment.contains('=') || without_fragment.contains('?');
    if !looks_like_query {
        if without_fragment.contains("://") || without_fragment.chars().any(char::is_whitespace) {
            return Err(missing());
        }
        // A paste that is only a fragment, or a code that decodes to blanks, has no code.
        let code = decode(without_fragment);
        if code.trim().is_empty() {
            return Err(missing());
        }
        return Ok(AuthRedirect {
            auth_code: code.trim().to_owned(),
            expires_in: None,
        });
    }
    let query = match without_fragment.split_once('?') {
        Some((_, q)) => q,
        None => without_fragment,
    };
    let (mut auth_code, mut expires_in) = (None, None);
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match decode(key).as_str() {
            "auth_code" => auth_code = Some(decode(value)),
            // A mangled expires_in must not block the exchange of a good code.
            "expires_in" => expires_in = decode(value).trim().parse().ok(),
            _ => {}
        }
    }
    match auth_code.filter(|c| !c.trim().is_empty()) {
        Some(code) => Ok(AuthRedirect {
            auth_code: code.trim().to_owned(),
            expires_in,
        }),
        None => Err(missing()),
    }
}

fn decode(value: &str) -> String {
    percent_decode_str(value).decode_utf8_lossy().into_owned()
}
