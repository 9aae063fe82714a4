//! Request bodies and answers of the WeChat third-party platform ("component") API.
//!
//! Wire names are WeChat's, exactly (see `/work/shared/wechat-component-reference.md` §1, §8):
//! numbers travel as JSON numbers (`offset`, `count`, `expires_in`), strings as strings
//! (`option_value` is the string `"1"`, not the number 1).
//!
//! Parsing is lenient, because WeChat's answers drift over the years:
//! - every answer keeps the members it does not know in `extra` (`#[serde(flatten)]`), so nothing
//!   WeChat adds is lost (and `raw_info` can be stored whole);
//! - optional members are `Option`/defaulted: a missing one never fails the parse;
//! - numbers sent as numeric strings (and strings sent as numbers) are accepted where WeChat has
//!   been seen doing it (`option_value`, ids, 0/1 flags);
//! - old shapes are normalised: `authorization_info.appid` (2015-era docs, wechatpy fixture) →
//!   `authorizer_appid`; a top-level `qrcode_url` next to `authorizer_info` → moved into it.
//!
//! Answers that carry tokens (component/authorizer access tokens, refresh tokens, pre-auth codes)
//! print `<redacted>` for them in `Debug`, so a stray `{:?}` cannot leak them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Unknown members of an answer, kept verbatim.
pub type Extra = Map<String, Value>;

const REDACTED: &str = "<redacted>";

fn redact_str(s: &str) -> &'static str {
    if s.is_empty() {
        ""
    } else {
        REDACTED
    }
}

fn redact_opt(s: &Option<String>) -> Option<&'static str> {
    s.as_deref().map(redact_str)
}

// ---------------------------------------------------------------------------------------------
// Option names

/// `location_report`: 0 none, 1 report on entering a session, 2 every 5 s.
pub const OPTION_LOCATION_REPORT: &str = "location_report";
/// `voice_recognize`: 0 off, 1 on.
pub const OPTION_VOICE_RECOGNIZE: &str = "voice_recognize";
/// `customer_service`: 0 off, 1 on.
pub const OPTION_CUSTOMER_SERVICE: &str = "customer_service";

/// The documented authorizer options (values are strings on the wire).
pub const KNOWN_OPTIONS: [&str; 3] = [
    OPTION_LOCATION_REPORT,
    OPTION_VOICE_RECOGNIZE,
    OPTION_CUSTOMER_SERVICE,
];

// ---------------------------------------------------------------------------------------------
// Request bodies (borrowed; serialised exactly as WeChat documents them)

/// `POST /cgi-bin/component/api_component_token` (no token in the query).
#[derive(Debug, Clone, Serialize)]
pub struct ComponentTokenRequest<'a> {
    pub component_appid: &'a str,
    pub component_appsecret: &'a str,
    pub component_verify_ticket: &'a str,
}

/// `POST /cgi-bin/component/api_start_push_ticket` (no token). Note the member is
/// `component_secret` here, not `component_appsecret` (official page + WxJava `startPushTicket`).
#[derive(Debug, Clone, Serialize)]
pub struct StartPushTicketRequest<'a> {
    pub component_appid: &'a str,
    pub component_secret: &'a str,
}

/// Body `{"component_appid": …}`: `api_create_preauthcode`, legacy `component/clear_quota`.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentAppidRequest<'a> {
    pub component_appid: &'a str,
}

/// `POST /cgi-bin/component/api_query_auth`.
#[derive(Debug, Clone, Serialize)]
pub struct QueryAuthRequest<'a> {
    pub component_appid: &'a str,
    pub authorization_code: &'a str,
}

/// `POST /cgi-bin/component/api_authorizer_token`.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorizerTokenRequest<'a> {
    pub component_appid: &'a str,
    pub authorizer_appid: &'a str,
    pub authorizer_refresh_token: &'a str,
}

/// `POST /cgi-bin/component/api_get_authorizer_info`.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorizerInfoRequest<'a> {
    pub component_appid: &'a str,
    pub authorizer_appid: &'a str,
}

/// `POST /cgi-bin/component/api_get_authorizer_list`; `offset` and `count` are numbers
/// (`count` ≤ 500, more gives 40170).
#[derive(Debug, Clone, Serialize)]
pub struct AuthorizerListRequest<'a> {
    pub component_appid: &'a str,
    pub offset: u32,
    pub count: u32,
}

/// Get an option: legacy `api_get_authorizer_option` (component token) and the newer
/// `get_authorizer_option` (authorizer token; WxJava sends both appids too).
#[derive(Debug, Clone, Serialize)]
pub struct GetOptionRequest<'a> {
    pub component_appid: &'a str,
    pub authorizer_appid: &'a str,
    pub option_name: &'a str,
}

/// Set an option; `option_value` is a string on the wire (`"1"`).
#[derive(Debug, Clone, Serialize)]
pub struct SetOptionRequest<'a> {
    pub component_appid: &'a str,
    pub authorizer_appid: &'a str,
    pub option_name: &'a str,
    pub option_value: &'a str,
}

/// `POST /cgi-bin/clear_quota?access_token=…` body `{"appid": …}`.
#[derive(Debug, Clone, Serialize)]
pub struct AppidRequest<'a> {
    pub appid: &'a str,
}

/// `POST /cgi-bin/component/clear_quota/v2` (no token): `appid` only when clearing on behalf of
/// an authorizer (official page + WxJava `clearQuotaV2`).
#[derive(Debug, Clone, Serialize)]
pub struct ClearQuotaV2Request<'a> {
    pub component_appid: &'a str,
    pub appsecret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<&'a str>,
}

/// `/cgi-bin/open/create` and `/cgi-bin/open/get`: `appid` is optional (when present it must be
/// the token owner's, else 40013).
#[derive(Debug, Clone, Serialize)]
pub struct OpenAppidRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<&'a str>,
}

/// `/cgi-bin/open/bind` and `/cgi-bin/open/unbind`.
#[derive(Debug, Clone, Serialize)]
pub struct OpenBindRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<&'a str>,
    pub open_appid: &'a str,
}

/// `POST /cgi-bin/openapi/quota/get` body `{"cgi_path": "/cgi-bin/…"}` (path, no host).
#[derive(Debug, Clone, Serialize)]
pub struct ApiQuotaRequest<'a> {
    pub cgi_path: &'a str,
}

/// `POST /cgi-bin/openapi/rid/get` body `{"rid": …}`.
#[derive(Debug, Clone, Serialize)]
pub struct RidRequest<'a> {
    pub rid: &'a str,
}

// ---------------------------------------------------------------------------------------------
// Answers

/// Answer of action endpoints: `{"errcode":0,"errmsg":"ok"}` (both may be absent).
/// `api_start_push_ticket` may answer errmsg `"in a normal state"`: also a success.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Ack {
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub errcode: i64,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub errmsg: String,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `api_component_token` answer.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentToken {
    pub component_access_token: String,
    #[serde(deserialize_with = "de::lenient_i64")]
    pub expires_in: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for ComponentToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentToken")
            .field(
                "component_access_token",
                &redact_str(&self.component_access_token),
            )
            .field("expires_in", &self.expires_in)
            .field("extra", &self.extra)
            .finish()
    }
}

/// `api_create_preauthcode` answer. `expires_in` is 600 in examples and 1800 in the page text:
/// always use the value received.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PreAuthCode {
    pub pre_auth_code: String,
    #[serde(deserialize_with = "de::lenient_i64")]
    pub expires_in: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for PreAuthCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreAuthCode")
            .field("pre_auth_code", &redact_str(&self.pre_auth_code))
            .field("expires_in", &self.expires_in)
            .field("extra", &self.extra)
            .finish()
    }
}

/// `api_query_auth` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryAuth {
    pub authorization_info: AuthorizationInfo,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `authorization_info` of `api_query_auth` and `api_get_authorizer_info`.
///
/// `authorizer_access_token`/`expires_in`/`authorizer_refresh_token` are present only when the
/// account granted API permissions (and `api_get_authorizer_info` never returns the access
/// token). Old answers name the appid `appid`: it is copied to `authorizer_appid` (and kept in
/// `extra`).
#[derive(Clone, PartialEq, Deserialize)]
#[serde(remote = "Self")]
pub struct AuthorizationInfo {
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub authorizer_appid: String,
    #[serde(default, deserialize_with = "de::opt_nonempty_string")]
    pub authorizer_access_token: Option<String>,
    #[serde(default, deserialize_with = "de::lenient_opt_i64")]
    pub expires_in: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_nonempty_string")]
    pub authorizer_refresh_token: Option<String>,
    #[serde(default, deserialize_with = "de::vec_or_null")]
    pub func_info: Vec<FuncInfo>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl<'de> Deserialize<'de> for AuthorizationInfo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Parsed straight into the struct (no intermediate `Value` tree), then normalised: an
        // `authorizer_appid` that is missing, null or "" is the only way to end up empty (the
        // lenient string turns numbers and bools into non-empty text), and the old members stay
        // in `extra`.
        let mut info = AuthorizationInfo::deserialize(deserializer)?;
        if info.authorizer_appid.is_empty() {
            // 2015-era shape: "appid"; the 2.0 doc table misspells it "authorization_appid".
            let old = ["appid", "authorization_appid"]
                .iter()
                .find_map(|k| info.extra.get(*k).and_then(Value::as_str));
            if let Some(old) = old {
                info.authorizer_appid = old.to_string();
            }
        }
        Ok(info)
    }
}

impl Serialize for AuthorizationInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            authorizer_appid: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            authorizer_access_token: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            expires_in: Option<i64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            authorizer_refresh_token: Option<&'a str>,
            func_info: &'a [FuncInfo],
            #[serde(flatten)]
            extra: &'a Extra,
        }
        Wire {
            authorizer_appid: &self.authorizer_appid,
            authorizer_access_token: self.authorizer_access_token.as_deref(),
            expires_in: self.expires_in,
            authorizer_refresh_token: self.authorizer_refresh_token.as_deref(),
            func_info: &self.func_info,
            extra: &self.extra,
        }
        .serialize(serializer)
    }
}

impl fmt::Debug for AuthorizationInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationInfo")
            .field("authorizer_appid", &self.authorizer_appid)
            .field(
                "authorizer_access_token",
                &redact_opt(&self.authorizer_access_token),
            )
            .field("expires_in", &self.expires_in)
            .field(
                "authorizer_refresh_token",
                &redact_opt(&self.authorizer_refresh_token),
            )
            .field("func_info", &self.func_info)
            .field("extra", &self.extra)
            .finish()
    }
}

impl AuthorizationInfo {
    /// The granted permission-set ids (`funcscope_category.id`), in answer order.
    pub fn funcscope_ids(&self) -> Vec<i64> {
        self.func_info
            .iter()
            .map(|f| f.funcscope_category.id)
            .collect()
    }
}

/// One granted permission set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FuncInfo {
    pub funcscope_category: FuncscopeCategory,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_info: Option<ConfirmInfo>,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `funcscope_category`: normally only `id`; the newest doc page adds `type` (number), `name`
/// and `desc` (strings) [C1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FuncscopeCategory {
    #[serde(deserialize_with = "de::lenient_i64")]
    pub id: i64,
    #[serde(
        rename = "type",
        default,
        deserialize_with = "de::lenient_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `confirm_info` of a permission set that needs the merchant's confirmation (61016 otherwise).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConfirmInfo {
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub need_confirm: i64,
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub already_confirm: i64,
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub can_confirm: i64,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `api_authorizer_token` answer. Always store the `authorizer_refresh_token` returned (it
/// normally equals the one sent).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizerToken {
    pub authorizer_access_token: String,
    #[serde(deserialize_with = "de::lenient_i64")]
    pub expires_in: i64,
    #[serde(
        default,
        deserialize_with = "de::opt_nonempty_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub authorizer_refresh_token: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for AuthorizerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizerToken")
            .field(
                "authorizer_access_token",
                &redact_str(&self.authorizer_access_token),
            )
            .field("expires_in", &self.expires_in)
            .field(
                "authorizer_refresh_token",
                &redact_opt(&self.authorizer_refresh_token),
            )
            .field("extra", &self.extra)
            .finish()
    }
}

/// `api_get_authorizer_info` answer. An old shape with `qrcode_url` beside `authorizer_info`
/// (wechatpy fixture) has it moved into `authorizer_info.qrcode_url` (the top-level member stays
/// in `extra`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(remote = "Self")]
pub struct AuthorizerInfoAnswer {
    pub authorizer_info: AuthorizerInfo,
    #[serde(default)]
    pub authorization_info: AuthorizationInfo,
    #[serde(flatten)]
    pub extra: Extra,
}

impl<'de> Deserialize<'de> for AuthorizerInfoAnswer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Parsed straight into the struct (no intermediate `Value` tree), then normalised: the
        // info's `qrcode_url` is empty exactly when it was missing, null or "" (the lenient
        // string makes numbers and bools non-empty), and the top-level member stays in `extra`.
        let mut answer = AuthorizerInfoAnswer::deserialize(deserializer)?;
        if answer.authorizer_info.qrcode_url.is_empty() {
            if let Some(top) = answer.extra.get("qrcode_url").and_then(Value::as_str) {
                answer.authorizer_info.qrcode_url = top.to_string();
            }
        }
        Ok(answer)
    }
}

impl Serialize for AuthorizerInfoAnswer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            authorizer_info: &'a AuthorizerInfo,
            authorization_info: &'a AuthorizationInfo,
            #[serde(flatten)]
            extra: &'a Extra,
        }
        Wire {
            authorizer_info: &self.authorizer_info,
            authorization_info: &self.authorization_info,
            extra: &self.extra,
        }
        .serialize(serializer)
    }
}

impl Default for AuthorizationInfo {
    fn default() -> Self {
        AuthorizationInfo {
            authorizer_appid: String::new(),
            authorizer_access_token: None,
            expires_in: None,
            authorizer_refresh_token: None,
            func_info: Vec::new(),
            extra: Extra::new(),
        }
    }
}

/// `authorizer_info` (reference §8).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuthorizerInfo {
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub nick_name: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub head_img: String,
    /// Official account: 0 subscription, 1 upgraded subscription, 2 service account.
    /// Mini program: 0 normal, 12 trial, 4 mini game, 10 mini shop, 2/3 store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_info: Option<TypeInfo>,
    /// -1 unverified, 0 WeChat verified, 1 Sina Weibo, 2 Tencent Weibo, 3 qualification verified
    /// (name not yet), 4 = 3 + Sina Weibo, 5 = 3 + Tencent Weibo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_type_info: Option<TypeInfo>,
    /// Original id `gh_…`.
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub user_name: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub principal_name: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub alias: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub qrcode_url: String,
    /// `open_store`, `open_scan`, `open_pay`, `open_card`, `open_shake`: 0/1.
    #[serde(default, deserialize_with = "de::lenient_i64_map")]
    pub business_info: BTreeMap<String, i64>,
    /// 1 normal, 14 cancelled, 16 banned, 18 warned, 19 frozen.
    #[serde(
        default,
        deserialize_with = "de::lenient_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_status: Option<i64>,
    /// Mini program introduction.
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub signature: String,
    /// Deprecated.
    #[serde(
        default,
        deserialize_with = "de::lenient_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub idc: Option<i64>,
    /// Present ⇔ the authorizer is a mini program.
    #[serde(
        rename = "MiniProgramInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mini_program_info: Option<MiniProgramInfo>,
    /// Mini program registration channel (0 normal, 2 reuse-OA API, 6 face-scan API, …).
    #[serde(
        default,
        deserialize_with = "de::lenient_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub register_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_config: Option<BasicConfig>,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

impl AuthorizerInfo {
    /// `MiniProgramInfo` is present only for mini programs (`service_type_info.id` overlaps
    /// between official accounts and mini programs, so it cannot tell them apart).
    pub fn is_mini_program(&self) -> bool {
        self.mini_program_info.is_some()
    }

    pub fn service_type(&self) -> Option<i64> {
        self.service_type_info.as_ref().map(|t| t.id)
    }

    pub fn verify_type(&self) -> Option<i64> {
        self.verify_type_info.as_ref().map(|t| t.id)
    }

    /// -1 means unverified; anything else is some kind of verification.
    pub fn is_verified(&self) -> bool {
        self.verify_type().is_some_and(|v| v != -1)
    }
}

/// `service_type_info` / `verify_type_info`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TypeInfo {
    #[serde(deserialize_with = "de::lenient_i64")]
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `basic_config`: email unbound ⇒ the admin cannot log in to mp.weixin.qq.com.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BasicConfig {
    #[serde(default, deserialize_with = "de::lenient_bool")]
    pub is_phone_configured: bool,
    #[serde(default, deserialize_with = "de::lenient_bool")]
    pub is_email_configured: bool,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `MiniProgramInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MiniProgramInfo {
    #[serde(default)]
    pub network: MiniProgramNetwork,
    #[serde(default, deserialize_with = "de::vec_or_null")]
    pub categories: Vec<MiniProgramCategory>,
    /// Deprecated.
    #[serde(
        default,
        deserialize_with = "de::lenient_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub visit_status: Option<i64>,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `MiniProgramInfo.network`: server domains. Documented keys are fields; anything else
/// (`NewRequestDomain`, …) stays in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MiniProgramNetwork {
    #[serde(rename = "RequestDomain", default, deserialize_with = "de::string_vec")]
    pub request_domain: Vec<String>,
    #[serde(
        rename = "WsRequestDomain",
        default,
        deserialize_with = "de::string_vec"
    )]
    pub ws_request_domain: Vec<String>,
    #[serde(rename = "UploadDomain", default, deserialize_with = "de::string_vec")]
    pub upload_domain: Vec<String>,
    #[serde(
        rename = "DownloadDomain",
        default,
        deserialize_with = "de::string_vec"
    )]
    pub download_domain: Vec<String>,
    #[serde(rename = "BizDomain", default, deserialize_with = "de::string_vec")]
    pub biz_domain: Vec<String>,
    #[serde(rename = "UDPDomain", default, deserialize_with = "de::string_vec")]
    pub udp_domain: Vec<String>,
    #[serde(rename = "TCPDomain", default, deserialize_with = "de::string_vec")]
    pub tcp_domain: Vec<String>,
    #[serde(
        rename = "PrefetchDNSDomain",
        default,
        deserialize_with = "de::string_vec"
    )]
    pub prefetch_dns_domain: Vec<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// One mini program category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MiniProgramCategory {
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub first: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub second: String,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `api_get_authorizer_list` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizerList {
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub total_count: i64,
    #[serde(default, deserialize_with = "de::vec_or_null")]
    pub list: Vec<AuthorizerListItem>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One authorizer of the list. The member is **`refresh_token`** here (not
/// `authorizer_refresh_token`); it is absent or empty (→ `None`) for accounts whose
/// authorization was never completed with `api_query_auth`: keep them, flag them.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizerListItem {
    pub authorizer_appid: String,
    #[serde(
        default,
        deserialize_with = "de::opt_nonempty_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<String>,
    /// Unix seconds.
    #[serde(
        default,
        deserialize_with = "de::lenient_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub auth_time: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for AuthorizerListItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizerListItem")
            .field("authorizer_appid", &self.authorizer_appid)
            .field("refresh_token", &redact_opt(&self.refresh_token))
            .field("auth_time", &self.auth_time)
            .field("extra", &self.extra)
            .finish()
    }
}

/// Get-option answer: `{"authorizer_appid"?, "option_name", "option_value": "1"}`. The value is a
/// string on the wire; a number is accepted and turned into its decimal string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuthorizerOption {
    #[serde(
        default,
        deserialize_with = "de::opt_nonempty_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub authorizer_appid: Option<String>,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub option_name: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub option_value: String,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `/cgi-bin/open/create` and `/cgi-bin/open/get` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OpenAccount {
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub open_appid: String,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `/cgi-bin/open/have` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OpenHave {
    #[serde(default, deserialize_with = "de::lenient_bool")]
    pub have_open: bool,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `/cgi-bin/openapi/quota/get` answer. `rate_limit`/`component_rate_limit` were added later
/// (older answers only have `quota`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ApiQuota {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<QuotaInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_rate_limit: Option<RateLimit>,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// Daily quota of one API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct QuotaInfo {
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub daily_limit: i64,
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub used: i64,
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub remain: i64,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// Frequency limit: `call_count` calls per `refresh_second` seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RateLimit {
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub call_count: i64,
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub refresh_second: i64,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// `/cgi-bin/openapi/rid/get` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RidInfo {
    #[serde(default)]
    pub request: RidRequestInfo,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

/// The failed request a rid refers to. WeChat itself masks the token in `request_url`
/// (`access_token=50_Im7xxxx`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RidRequestInfo {
    /// Unix seconds.
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub invoke_time: i64,
    #[serde(default, deserialize_with = "de::lenient_i64_or_zero")]
    pub cost_in_ms: i64,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub request_url: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub request_body: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub response_body: String,
    #[serde(default, deserialize_with = "de::lenient_string")]
    pub client_ip: String,
    #[serde(flatten)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub extra: Extra,
}

// ---------------------------------------------------------------------------------------------
// Lenient deserializers

/// Deserializers that accept what WeChat has been seen sending besides the documented type.
pub mod de {
    use std::collections::BTreeMap;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// An integer from a JSON number (integral float accepted), a numeric string or a bool.
    pub fn value_to_i64(v: &Value) -> Option<i64> {
        match v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_u64().and_then(|u| i64::try_from(u).ok()))
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                }),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let v = Value::deserialize(d)?;
        value_to_i64(&v)
            .ok_or_else(|| D::Error::custom(format!("expected an integer, got {}", kind(&v))))
    }

    pub fn lenient_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let v = Value::deserialize(d)?;
        match &v {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            _ => value_to_i64(&v)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("expected an integer, got {}", kind(&v)))),
        }
    }

    /// Like [`lenient_opt_i64`], null/empty → 0.
    pub fn lenient_i64_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        lenient_opt_i64(d).map(|o| o.unwrap_or(0))
    }

    /// A string from a string, a number or a bool; null → "".
    pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let v = Value::deserialize(d)?;
        match v {
            Value::Null => Ok(String::new()),
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(if b { "1".into() } else { "0".into() }),
            other => Err(D::Error::custom(format!(
                "expected a string, got {}",
                kind(&other)
            ))),
        }
    }

    /// An optional string; null and "" → None.
    pub fn opt_nonempty_string<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<String>, D::Error> {
        let s = lenient_string(d)?;
        Ok(if s.is_empty() { None } else { Some(s) })
    }

    /// A bool from true/false, 0/1 or "0"/"1"/"true"/"false"; null → false.
    pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        let v = Value::deserialize(d)?;
        match &v {
            Value::Null => Ok(false),
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") || s.is_empty() => Ok(false),
            _ => value_to_i64(&v)
                .map(|i| i != 0)
                .ok_or_else(|| D::Error::custom(format!("expected a bool, got {}", kind(&v)))),
        }
    }

    /// A list; null → empty.
    pub fn vec_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
    }

    /// A list of strings; null → empty, a lone string → one element, non-string items are
    /// turned into their JSON text.
    pub fn string_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(match v {
            Value::Null => Vec::new(),
            Value::String(s) if s.is_empty() => Vec::new(),
            Value::String(s) => vec![s],
            Value::Array(items) => items
                .into_iter()
                .filter(|i| !i.is_null())
                .map(|i| match i {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
            other => {
                return Err(D::Error::custom(format!(
                    "expected a list of strings, got {}",
                    kind(&other)
                )))
            }
        })
    }

    /// A map of integer flags (`business_info`); values that are not integers are dropped.
    pub fn lenient_i64_map<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, i64>, D::Error> {
        let v = Value::deserialize(d)?;
        match v {
            Value::Null => Ok(BTreeMap::new()),
            Value::Object(map) => Ok(map
                .into_iter()
                .filter_map(|(k, v)| value_to_i64(&v).map(|i| (k, i)))
                .collect()),
            other => Err(D::Error::custom(format!(
                "expected an object, got {}",
                kind(&other)
            ))),
        }
    }

    /// The JSON type of a value, without its content (error messages must not echo values:
    /// they may be tokens).
    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_bodies_use_wechat_names_and_types() {
        let v = serde_json::to_value(AuthorizerListRequest {
            component_appid: "wxc",
            offset: 0,
            count: 500,
        })
        .unwrap();
        assert_eq!(v, json!({"component_appid":"wxc","offset":0,"count":500}));
        let v = serde_json::to_value(SetOptionRequest {
            component_appid: "wxc",
            authorizer_appid: "wxa",
            option_name: "voice_recognize",
            option_value: "1",
        })
        .unwrap();
        assert_eq!(v["option_value"], json!("1"));
        let v = serde_json::to_value(ClearQuotaV2Request {
            component_appid: "wxc",
            appsecret: "s",
            appid: None,
        })
        .unwrap();
        assert_eq!(v, json!({"component_appid":"wxc","appsecret":"s"}));
        let v = serde_json::to_value(OpenAppidRequest { appid: None }).unwrap();
        assert_eq!(v, json!({}));
        let v = serde_json::to_value(StartPushTicketRequest {
            component_appid: "wxc",
            component_secret: "s",
        })
        .unwrap();
        assert_eq!(v, json!({"component_appid":"wxc","component_secret":"s"}));
    }

    #[test]
    fn old_authorizer_info_shape() {
        // wechatpy tests/fixtures/component/api_get_authorizer_info.json (2015-era shape).
        let raw = json!({
            "authorizer_info": {
                "nick_name": "微信SDK Demo Special",
                "head_img": "http://wx.qlogo.cn/mmopen/x/0",
                "service_type_info": { "id": 2 },
                "verify_type_info": { "id": 0 },
                "user_name": "gh_eb5e3a772040",
                "alias": "paytest01"
            },
            "qrcode_url": "URL",
            "authorization_info": {
                "appid": "wxf8b4f85f3a794e77",
                "func_info": [
                    { "funcscope_category": { "id": 1 } },
                    { "funcscope_category": { "id": 2 } },
                    { "funcscope_category": { "id": 3 } }
                ]
            }
        });
        let a: AuthorizerInfoAnswer = serde_json::from_value(raw).unwrap();
        assert_eq!(a.authorization_info.authorizer_appid, "wxf8b4f85f3a794e77");
        assert_eq!(a.authorizer_info.qrcode_url, "URL");
        assert_eq!(a.authorization_info.funcscope_ids(), vec![1, 2, 3]);
        assert_eq!(a.authorizer_info.service_type(), Some(2));
        assert!(a.authorizer_info.is_verified());
        assert!(!a.authorizer_info.is_mini_program());
        assert_eq!(a.extra["qrcode_url"], json!("URL"));
        assert!(a.authorization_info.authorizer_refresh_token.is_none());
    }

    #[test]
    fn mini_program_info_and_unknown_fields() {
        let raw = json!({
            "authorizer_info": {
                "nick_name": "小程序",
                "head_img": "",
                "service_type_info": {"id": 0},
                "verify_type_info": {"id": -1, "name": "未认证"},
                "user_name": "gh_1",
                "principal_name": "某某公司",
                "alias": "",
                "qrcode_url": "https://mmbiz/x",
                "business_info": {"open_pay": 0, "open_shake": "1", "open_scan": true, "open_card": 0, "open_store": 0},
                "account_status": 1,
                "signature": "简介",
                "idc": 1,
                "MiniProgramInfo": {
                    "network": {
                        "RequestDomain": ["https://a.example.com"],
                        "WsRequestDomain": [],
                        "UploadDomain": null,
                        "DownloadDomain": [],
                        "BizDomain": [],
                        "UDPDomain": [],
                        "NewRequestDomain": ["https://b.example.com"]
                    },
                    "categories": [{"first": "工具", "second": "效率"}],
                    "visit_status": 0
                },
                "register_type": 0,
                "basic_config": {"is_phone_configured": true, "is_email_configured": 0},
                "channels_info": {"id": 0}
            },
            "authorization_info": {
                "authorizer_appid": "wxmp",
                "authorizer_refresh_token": "refreshtoken@@@x",
                "func_info": [
                    {"funcscope_category": {"id": 18, "type": 2, "name": "开发管理"},
                     "confirm_info": {"need_confirm": 0, "already_confirm": 0, "can_confirm": 0}},
                    {"funcscope_category": {"id": 999}}
                ]
            },
            "some_new_member": 42
        });
        let a: AuthorizerInfoAnswer = serde_json::from_value(raw.clone()).unwrap();
        let info = &a.authorizer_info;
        assert!(info.is_mini_program());
        assert!(!info.is_verified());
        assert_eq!(
            info.verify_type_info.as_ref().unwrap().name.as_deref(),
            Some("未认证")
        );
        assert_eq!(info.business_info["open_shake"], 1);
        assert_eq!(info.business_info["open_scan"], 1);
        assert_eq!(info.account_status, Some(1));
        let mp = info.mini_program_info.as_ref().unwrap();
        assert_eq!(mp.network.request_domain, vec!["https://a.example.com"]);
        assert!(mp.network.upload_domain.is_empty());
        assert_eq!(
            mp.network.extra["NewRequestDomain"],
            json!(["https://b.example.com"])
        );
        assert_eq!(mp.categories[0].first, "工具");
        let bc = info.basic_config.as_ref().unwrap();
        assert!(bc.is_phone_configured && !bc.is_email_configured);
        assert_eq!(info.extra["channels_info"], json!({"id": 0}));
        assert_eq!(a.extra["some_new_member"], json!(42));
        let f = &a.authorization_info.func_info[0];
        assert_eq!(f.funcscope_category.kind, Some(2));
        assert_eq!(f.confirm_info.as_ref().unwrap().can_confirm, 0);
        assert_eq!(a.authorization_info.funcscope_ids(), vec![18, 999]);
        // Round trip keeps unknown members.
        let back = serde_json::to_value(&a).unwrap();
        assert_eq!(back["some_new_member"], json!(42));
        assert_eq!(back["authorizer_info"]["channels_info"], json!({"id": 0}));
        assert_eq!(
            back["authorizer_info"]["MiniProgramInfo"]["network"]["NewRequestDomain"],
            json!(["https://b.example.com"])
        );
        let again: AuthorizerInfoAnswer = serde_json::from_value(back).unwrap();
        assert_eq!(again, a);
        // Debug never shows the refresh token.
        assert!(!format!("{a:?}").contains("refreshtoken@@@x"));
    }

    #[test]
    fn minimal_answers_parse() {
        let a: AuthorizerInfoAnswer =
            serde_json::from_value(json!({"authorizer_info": {}})).unwrap();
        assert_eq!(a.authorizer_info.nick_name, "");
        assert!(a.authorizer_info.service_type_info.is_none());
        let q: QueryAuth = serde_json::from_value(
            json!({"authorization_info": {"authorizer_appid": "wx1", "func_info": null}}),
        )
        .unwrap();
        assert!(q.authorization_info.authorizer_access_token.is_none());
        assert!(q.authorization_info.func_info.is_empty());
        let l: AuthorizerList = serde_json::from_value(json!({"total_count": 2, "list": [
            {"authorizer_appid": "wx1", "refresh_token": "r1", "auth_time": 1558000607},
            {"authorizer_appid": "wx2", "refresh_token": ""},
            {"authorizer_appid": "wx3", "refresh_token": null, "auth_time": "1558000608"}
        ]}))
        .unwrap();
        assert_eq!(l.list[0].refresh_token.as_deref(), Some("r1"));
        assert!(l.list[1].refresh_token.is_none());
        assert_eq!(l.list[2].auth_time, Some(1558000608));
        assert!(!format!("{l:?}").contains("r1\""));
        let ack: Ack = serde_json::from_value(json!({})).unwrap();
        assert_eq!(ack.errcode, 0);
        let q: ApiQuota = serde_json::from_value(
            json!({"errcode":0,"errmsg":"ok","quota":{"daily_limit":10000,"used":1,"remain":9999}}),
        )
        .unwrap();
        assert_eq!(q.quota.unwrap().remain, 9999);
        assert!(q.rate_limit.is_none());
        assert_eq!(q.extra["errmsg"], json!("ok"));
    }

    #[test]
    fn option_value_string_or_number() {
        // wechatpy tests/fixtures/component/api_get_authorizer_option.json
        let o: AuthorizerOption = serde_json::from_value(json!({"authorizer_appid":"wx7bc5ba58cabd00f4","option_name":"voice_recognize","option_value":"1"})).unwrap();
        assert_eq!(o.option_value, "1");
        assert_eq!(o.authorizer_appid.as_deref(), Some("wx7bc5ba58cabd00f4"));
        let o: AuthorizerOption =
            serde_json::from_value(json!({"option_name":"location_report","option_value":2}))
                .unwrap();
        assert_eq!(o.option_value, "2");
        assert_eq!(
            serde_json::to_value(&o).unwrap()["option_value"],
            json!("2")
        );
    }

    #[cfg(feature = "specta")]
    #[test]
    fn ui_types_register_with_specta() {
        let types = specta::Types::default()
            .register::<AuthorizerInfo>()
            .register::<FuncInfo>()
            .register::<AuthorizerOption>()
            .register::<ApiQuota>()
            .register::<RidInfo>()
            .register::<OpenAccount>()
            .register::<OpenHave>()
            .register::<Ack>();
        assert!(types.len() >= 8, "{}", types.len());
    }

    #[test]
    fn token_answers_redact_debug() {
        let t: ComponentToken = serde_json::from_value(
            json!({"component_access_token":"SECRET_T","expires_in":"7200"}),
        )
        .unwrap();
        assert_eq!(t.expires_in, 7200);
        assert!(!format!("{t:?}").contains("SECRET_T"));
        let t: AuthorizerToken = serde_json::from_value(json!({"authorizer_access_token":"SECRET_A","expires_in":7200,"authorizer_refresh_token":"SECRET_R"})).unwrap();
        let d = format!("{t:?}");
        assert!(!d.contains("SECRET_A") && !d.contains("SECRET_R"), "{d}");
        let p: PreAuthCode = serde_json::from_value(
            json!({"pre_auth_code":"preauthcode@@@SECRET","expires_in":600}),
        )
        .unwrap();
        assert!(!format!("{p:?}").contains("SECRET"));
        let q: QueryAuth = serde_json::from_value(json!({"authorization_info":{"authorizer_appid":"wxf8b4f85f3a794e77","authorizer_access_token":"SECRET_Q","expires_in":7200,"authorizer_refresh_token":"SECRET_QR","func_info":[{"funcscope_category":{"id":1}}]}})).unwrap();
        let d = format!("{q:?}");
        assert!(!d.contains("SECRET_Q"), "{d}");
        assert!(d.contains("wxf8b4f85f3a794e77"));
    }
}
