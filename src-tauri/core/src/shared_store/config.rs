//! What a shared profile stores about its backend (in SQLite, `profiles.shared_source`, as JSON):
//! where the tokens are and how they are laid out. No secret is here: the Redis password and the
//! token API's header value live in the keychain (`redis_password`, `token_api_header`).

use serde::{Deserialize, Serialize};

use super::layout::{Item, KeyLayout, LayoutError, Preset};

/// Where a shared profile borrows its ticket and tokens from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SharedSource {
    Redis(RedisSource),
    Http(HttpSource),
}

/// A backend's Redis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct RedisSource {
    /// `redis://[user@]host:port[/db]`, `rediss://` for TLS; several nodes separated by commas
    /// (`redis://a:7000,redis://b:7001`) for a Redis Cluster. Never a password.
    pub url: String,
    pub layout: LayoutChoice,
    /// Allow *Refresh in the shared store* (take the lock, fetch, write back). Off: read-only,
    /// nothing is ever written to Redis.
    #[serde(default)]
    pub writes: bool,
    /// A PEM file of the CA that signed the server's certificate (`rediss://` with a private CA).
    #[serde(default)]
    pub ca_file: Option<String>,
}

/// A built-in layout with the backend's key prefix, or the operator's own templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LayoutChoice {
    Preset {
        preset: Preset,
        #[serde(default)]
        prefix: Option<String>,
    },
    Custom { layout: KeyLayout },
}

impl LayoutChoice {
    /// The layout, checked (a custom one's templates are validated again: SQLite may be old).
    pub fn resolve(&self) -> Result<KeyLayout, LayoutError> {
        match self {
            LayoutChoice::Preset { preset, prefix } => {
                Ok(KeyLayout::preset(*preset, prefix.as_deref()))
            }
            LayoutChoice::Custom { layout } => {
                let checked = KeyLayout::custom(
                    Item::ALL.map(|i| layout.template(i).map(str::to_owned)),
                    layout.value.clone(),
                    layout.component_ttl_margin_secs,
                )?;
                Ok(KeyLayout {
                    authorizer_ttl_margin_secs: layout.authorizer_ttl_margin_secs.max(0),
                    component_lock: layout.component_lock.clone().filter(|l| !l.trim().is_empty()),
                    authorizer_lock: layout.authorizer_lock.clone().filter(|l| !l.trim().is_empty()),
                    ..checked
                })
            }
        }
    }

    /// `wxjava`, `wechatpy`, `silenceper` or `custom`.
    pub fn name(&self) -> &'static str {
        match self {
            LayoutChoice::Preset { preset, .. } => preset.name(),
            LayoutChoice::Custom { .. } => "custom",
        }
    }
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Wxjava => "wxjava",
            Preset::Wechatpy => "wechatpy",
            Preset::Silenceper => "silenceper",
        }
    }

    pub fn parse(s: &str) -> Option<Preset> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wxjava" => Some(Preset::Wxjava),
            "wechatpy" => Some(Preset::Wechatpy),
            "silenceper" => Some(Preset::Silenceper),
            _ => None,
        }
    }
}

/// A backend's internal token API (borrow only: the console never asks it to refresh).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct HttpSource {
    /// URL of the component token; `{component_appid}` is replaced.
    pub component_token_url: String,
    /// URL of an authorizer's token; `{component_appid}` and `{authorizer_appid}` are replaced.
    #[serde(default)]
    pub authorizer_token_url: Option<String>,
    /// A request header (e.g. `Authorization`) whose value is in the keychain.
    #[serde(default)]
    pub header_name: Option<String>,
    /// JSON pointer (RFC 6901) to the token in the answer, e.g. `/component_access_token`.
    pub token_pointer: String,
    /// JSON pointer to the seconds left (`/expires_in`)…
    #[serde(default)]
    pub expires_in_pointer: Option<String>,
    /// …or to the Unix time it expires at (`/expires_at`, seconds or milliseconds).
    #[serde(default)]
    pub expires_at_pointer: Option<String>,
}

/// What is wrong with a shared source's settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("the Redis URL is empty")]
    NoUrl,
    #[error("the Redis URL {0:?} must start with redis:// or rediss://")]
    Scheme(String),
    #[error("the Redis URL must not contain a password: give it separately, so that it is kept in the keychain")]
    PasswordInUrl,
    #[error("the {what} {url:?} is not a valid http(s) URL")]
    HttpUrl { what: &'static str, url: String },
    #[error("the authorizer token URL must contain {{authorizer_appid}}")]
    HttpNoAuthorizer,
    #[error("{what} {pointer:?} is not a JSON pointer (it starts with /)")]
    Pointer { what: &'static str, pointer: String },
    #[error("the header name {0:?} is not a valid HTTP header name")]
    Header(String),
}

impl SharedSource {
    /// Checks the settings (not the reachability).
    pub fn check(&self) -> Result<(), SourceError> {
        match self {
            SharedSource::Redis(r) => {
                let nodes = r.nodes();
                if nodes.is_empty() {
                    return Err(SourceError::NoUrl);
                }
                for n in nodes {
                    let u = url::Url::parse(n).map_err(|_| SourceError::Scheme(n.to_owned()))?;
                    if !matches!(u.scheme(), "redis" | "rediss") || u.host_str().is_none() {
                        return Err(SourceError::Scheme(n.to_owned()));
                    }
                    if u.password().is_some() {
                        return Err(SourceError::PasswordInUrl);
                    }
                }
                r.layout.resolve()?;
                Ok(())
            }
            SharedSource::Http(h) => {
                let check_url = |what, url: &str| {
                    let filled = url
                        .replace("{component_appid}", "wx0")
                        .replace("{authorizer_appid}", "wx1");
                    match url::Url::parse(&filled) {
                        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
                        _ => Err(SourceError::HttpUrl {
                            what,
                            url: url.to_owned(),
                        }),
                    }
                };
                check_url("component token URL", &h.component_token_url)?;
                if let Some(a) = &h.authorizer_token_url {
                    check_url("authorizer token URL", a)?;
                    if !a.contains("{authorizer_appid}") {
                        return Err(SourceError::HttpNoAuthorizer);
                    }
                }
                for (what, p) in [
                    ("the token pointer", Some(&h.token_pointer)),
                    ("the expires_in pointer", h.expires_in_pointer.as_ref()),
                    ("the expires_at pointer", h.expires_at_pointer.as_ref()),
                ] {
                    if let Some(p) = p {
                        if !p.starts_with('/') {
                            return Err(SourceError::Pointer {
                                what,
                                pointer: p.clone(),
                            });
                        }
                    }
                }
                if let Some(name) = &h.header_name {
                    if reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).is_err() {
                        return Err(SourceError::Header(name.clone()));
                    }
                }
                Ok(())
            }
        }
    }

    /// `redis` or `http`.
    pub fn kind(&self) -> &'static str {
        match self {
            SharedSource::Redis(_) => "redis",
            SharedSource::Http(_) => "http",
        }
    }

    /// Whether *Refresh in the shared store* and pasting a ticket are allowed.
    pub fn writes(&self) -> bool {
        matches!(self, SharedSource::Redis(r) if r.writes)
    }
}

impl RedisSource {
    /// The node URLs (one, or several for a cluster).
    pub fn nodes(&self) -> Vec<&str> {
        self.url
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect()
    }
}
