//! Key templates per item, per SDK preset, and custom ones.
//!
//! Every preset below was read from the SDK's own source; the citations (file:line at the commit
//! read) are in `docs/research/team-mode-redis-layouts.md`, section per SDK.

use serde::{Deserialize, Serialize};

use super::value::ValueFormat;

/// What a backend keeps for a third-party platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    Ticket,
    ComponentToken,
    AuthorizerToken,
    AuthorizerRefreshToken,
}

impl Item {
    pub const ALL: [Item; 4] = [
        Item::Ticket,
        Item::ComponentToken,
        Item::AuthorizerToken,
        Item::AuthorizerRefreshToken,
    ];

    /// Items kept per authorizer: their templates must name `{authorizer_appid}`.
    pub fn per_authorizer(self) -> bool {
        matches!(self, Item::AuthorizerToken | Item::AuthorizerRefreshToken)
    }
}

/// The SDKs whose layouts are built in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// WxJava `weixin-java-open`, `AbstractWxOpenInRedisConfigStorage` with Jedis or a
    /// `StringRedisTemplate` (plain string values). Not its Redisson storage: that one stores
    /// codec-encoded bytes (Kryo5 by default), not strings.
    Wxjava,
    /// wechatpy 2.x `WeChatComponent` with `RedisStorage` (values are `json.dumps`ed).
    Wechatpy,
    /// silenceper/wechat v2.1.3+ `openplatform` (raw strings; keeps no ticket or refresh token).
    Silenceper,
}

/// The keys one platform's items live under, and how their values are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct KeyLayout {
    /// Template per item (placeholders `{component_appid}`, `{authorizer_appid}`); `None` when the
    /// backend does not keep that item in the store.
    pub ticket: Option<String>,
    pub component_token: Option<String>,
    pub authorizer_token: Option<String>,
    pub authorizer_refresh_token: Option<String>,
    pub value: ValueFormat,
    /// Seconds the backend takes off `expires_in` when it sets the component token's TTL, and an
    /// authorizer token's (what a write back must do too, so the backend refreshes when it would
    /// have).
    pub component_ttl_margin_secs: i64,
    pub authorizer_ttl_margin_secs: i64,
    /// The backend's own refresh lock keys, when it takes one (a write must hold it).
    pub component_lock: Option<String>,
    pub authorizer_lock: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("the {item:?} key template is empty")]
    Empty { item: Item },
    #[error("the {item:?} key template {template:?} has an unknown placeholder {placeholder:?} (use {{component_appid}} or {{authorizer_appid}})")]
    UnknownPlaceholder {
        item: Item,
        template: String,
        placeholder: String,
    },
    #[error("the {item:?} key template {template:?} must contain {{authorizer_appid}}: every account has its own")]
    MissingAuthorizer { item: Item, template: String },
    #[error("the {item:?} key template {template:?} cannot use {{authorizer_appid}}: the platform has one")]
    UnexpectedAuthorizer { item: Item, template: String },
    #[error("the {item:?} key template {template:?} has an unclosed brace")]
    Unclosed { item: Item, template: String },
    #[error("the {item:?} key template {template:?} contains whitespace or control characters (a pasted line break?)")]
    Whitespace { item: Item, template: String },
}

impl LayoutError {
    /// The item whose template is wrong.
    pub fn item(&self) -> Item {
        match self {
            LayoutError::Empty { item }
            | LayoutError::UnknownPlaceholder { item, .. }
            | LayoutError::MissingAuthorizer { item, .. }
            | LayoutError::UnexpectedAuthorizer { item, .. }
            | LayoutError::Unclosed { item, .. }
            | LayoutError::Whitespace { item, .. } => *item,
        }
    }
}

const COMPONENT: &str = "{component_appid}";
const AUTHORIZER: &str = "{authorizer_appid}";

impl KeyLayout {
    /// A built-in layout. `prefix` is the backend's configured key prefix (`None`: the SDK's
    /// default: none for WxJava's core storage, `wechatpy` for wechatpy; silenceper has none).
    pub fn preset(preset: Preset, prefix: Option<&str>) -> KeyLayout {
        match preset {
            Preset::Wxjava => wxjava(prefix),
            Preset::Wechatpy => wechatpy(prefix),
            Preset::Silenceper => silenceper(),
        }
    }

    /// A layout from the operator's own templates, checked.
    pub fn custom(
        templates: [Option<String>; 4],
        value: ValueFormat,
        ttl_margin_secs: i64,
    ) -> Result<KeyLayout, LayoutError> {
        let [ticket, component_token, authorizer_token, authorizer_refresh_token] =
            templates.map(|t| t.map(|t| t.trim().to_owned()));
        let layout = KeyLayout {
            ticket,
            component_token,
            authorizer_token,
            authorizer_refresh_token,
            value,
            component_ttl_margin_secs: ttl_margin_secs.max(0),
            authorizer_ttl_margin_secs: ttl_margin_secs.max(0),
            component_lock: None,
            authorizer_lock: None,
        };
        for item in Item::ALL {
            if let Some(t) = layout.template(item) {
                check_template(item, t)?;
            }
        }
        Ok(layout)
    }

    pub fn template(&self, item: Item) -> Option<&str> {
        match item {
            Item::Ticket => self.ticket.as_deref(),
            Item::ComponentToken => self.component_token.as_deref(),
            Item::AuthorizerToken => self.authorizer_token.as_deref(),
            Item::AuthorizerRefreshToken => self.authorizer_refresh_token.as_deref(),
        }
    }

    /// The exact key of `item` for this platform (and account); `None` when the layout does not
    /// keep that item, or an authorizer item is asked for without an authorizer.
    pub fn key(
        &self,
        item: Item,
        component_appid: &str,
        authorizer_appid: Option<&str>,
    ) -> Option<String> {
        let template = self.template(item)?;
        let key = template.replace(COMPONENT, component_appid);
        match (item.per_authorizer(), authorizer_appid) {
            (true, Some(a)) => Some(key.replace(AUTHORIZER, a)),
            (true, None) => None,
            (false, _) => Some(key),
        }
    }

    /// The backend's lock for refreshing `item`, when it takes one (a custom lock template may
    /// name the component appid too, for a backend that serves several platforms).
    pub fn lock_key(
        &self,
        item: Item,
        component_appid: &str,
        authorizer_appid: Option<&str>,
    ) -> Option<String> {
        let template = match item {
            Item::ComponentToken => self.component_lock.as_deref()?,
            Item::AuthorizerToken => self.authorizer_lock.as_deref()?,
            Item::Ticket | Item::AuthorizerRefreshToken => return None,
        };
        let template = template.replace(COMPONENT, component_appid);
        match authorizer_appid {
            Some(a) => Some(template.replace(AUTHORIZER, a)),
            None if template.contains(AUTHORIZER) => None,
            None => Some(template),
        }
    }
}

/// WxJava: `AbstractWxOpenInRedisConfigStorage` (a set prefix gets a `:` appended), TTL
/// `expires_in - 200`, expired when `TTL < 2`; locks from `WxOpenInMemoryConfigStorage`,
/// literal and unprefixed.
fn wxjava(prefix: Option<&str>) -> KeyLayout {
    let p = match prefix.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) if p.ends_with(':') => p.to_owned(),
        Some(p) => format!("{p}:"),
        None => String::new(),
    };
    KeyLayout {
        ticket: Some(format!("{p}wechat_component_verify_ticket:{COMPONENT}")),
        component_token: Some(format!("{p}wechat_component_access_token:{COMPONENT}")),
        authorizer_token: Some(format!(
            "{p}wechat_authorizer_access_token:{COMPONENT}:{AUTHORIZER}"
        )),
        authorizer_refresh_token: Some(format!(
            "{p}wechat_authorizer_refresh_token:{COMPONENT}:{AUTHORIZER}"
        )),
        value: ValueFormat::Raw,
        component_ttl_margin_secs: 200,
        authorizer_ttl_margin_secs: 200,
        component_lock: Some("componentAccessTokenLock".into()),
        authorizer_lock: Some(format!("{AUTHORIZER}:accessTokenLock")),
    }
}

/// wechatpy 2.x: `RedisStorage.key_name` is `{prefix}:{key}` (default prefix `wechatpy`), values
/// `json.dumps`ed, the component token's TTL is `expires_in` with no margin; authorizer keys are
/// not scoped by the component; no lock. Checked in the wheel the interop test runs,
/// wechatpy 2.0.0a26: `wechatpy/session/redisstorage.py:15-16,29-30`, `wechatpy/component.py:63`
/// (ticket), `:166-168` (component token), `:251,261` (authorizer keys).
fn wechatpy(prefix: Option<&str>) -> KeyLayout {
    let p = prefix
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .unwrap_or("wechatpy");
    KeyLayout {
        ticket: Some(format!("{p}:{COMPONENT}_component_verify_ticket")),
        component_token: Some(format!("{p}:{COMPONENT}_component_access_token")),
        authorizer_token: Some(format!("{p}:{AUTHORIZER}_access_token")),
        authorizer_refresh_token: Some(format!("{p}:{AUTHORIZER}_refresh_token")),
        value: ValueFormat::JsonString,
        component_ttl_margin_secs: 0,
        authorizer_ttl_margin_secs: 0,
        component_lock: None,
        authorizer_lock: None,
    }
}

/// silenceper/wechat `openplatform/context/accessToken.go`: no prefix, TTL `expires_in - 1500`
/// for the component token and `expires_in - 30` for an authorizer's; the ticket and refresh
/// tokens are kept by the application, not the SDK.
fn silenceper() -> KeyLayout {
    KeyLayout {
        ticket: None,
        component_token: Some(format!("component_access_token_{COMPONENT}")),
        authorizer_token: Some(format!("authorizer_access_token_{AUTHORIZER}")),
        authorizer_refresh_token: None,
        value: ValueFormat::Raw,
        component_ttl_margin_secs: 1500,
        authorizer_ttl_margin_secs: 30,
        component_lock: None,
        authorizer_lock: None,
    }
}

fn check_template(item: Item, template: &str) -> Result<(), LayoutError> {
    let t = template.trim();
    if t.is_empty() {
        return Err(LayoutError::Empty { item });
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LayoutError::Whitespace {
            item,
            template: t.to_owned(),
        });
    }
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}').ok_or_else(|| LayoutError::Unclosed {
            item,
            template: t.to_owned(),
        })?;
        let placeholder = &after[..=close];
        if placeholder != COMPONENT && placeholder != AUTHORIZER {
            return Err(LayoutError::UnknownPlaceholder {
                item,
                template: t.to_owned(),
                placeholder: placeholder.to_owned(),
            });
        }
        rest = &after[close + 1..];
    }
    match (item.per_authorizer(), t.contains(AUTHORIZER)) {
        (true, false) => Err(LayoutError::MissingAuthorizer {
            item,
            template: t.to_owned(),
        }),
        (false, true) => Err(LayoutError::UnexpectedAuthorizer {
            item,
            template: t.to_owned(),
        }),
        _ => Ok(()),
    }
}
