//! Reads a backend's items from its Redis exactly as its SDK left them. Reading only: nothing
//! here writes, so a shared profile cannot disturb the backend by looking.

use std::time::Duration;

use redis::aio::MultiplexedConnection;

use super::layout::{Item, KeyLayout};
use super::value::{Stored, ValueError};

/// What one key holds, as the backend sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyReading {
    pub item: Item,
    pub key: String,
    /// Seconds left on the key; `None` when it has no TTL.
    pub ttl_secs: Option<i64>,
    pub stored: Stored,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SharedStoreError {
    #[error("invalid Redis URL {url}: {detail}")]
    BadUrl { url: String, detail: String },
    #[error("cannot reach Redis at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("Redis at {url} refused the login: {detail}")]
    Auth { url: String, detail: String },
    #[error("Redis at {url} did not answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("Redis answered an error for {key}: {detail}")]
    Command { key: String, detail: String },
    #[error("the backend's layout keeps no {item:?} in Redis")]
    NotKept { item: Item },
    #[error("the key {key} is not in Redis (the backend has not written it, or it expired)")]
    Missing { key: String },
    #[error("the key {key} has expired for the backend (TTL {ttl}); its SDK fetches a new token on its next call")]
    Expired { key: String, ttl: String },
    #[error("the key {key} holds no usable value: {source}")]
    Malformed {
        key: String,
        #[source]
        source: ValueError,
    },
}

impl SharedStoreError {
    /// What the operator can check on the backend's side.
    pub fn hint(&self) -> &'static str {
        match self {
            SharedStoreError::BadUrl { .. } => "Use redis://[user@]host:port/db (the password is asked for separately and kept in the keychain).",
            SharedStoreError::Unreachable { .. } | SharedStoreError::Timeout { .. } => "Check that Redis runs, that this machine may reach it (firewall, VPN, bind address) and the port.",
            SharedStoreError::Auth { .. } => "Check the ACL user and the password of the shared profile.",
            SharedStoreError::Command { .. } => "Check that the ACL user may read these keys, and the database number.",
            SharedStoreError::NotKept { .. } => "This SDK keeps that item in the application, not in Redis: choose a custom layout naming where your backend keeps it.",
            SharedStoreError::Missing { .. } | SharedStoreError::Expired { .. } => "Check the layout, the key prefix and the database number against the backend's configuration, and that the backend is running (it writes these keys).",
            SharedStoreError::Malformed { .. } => "Check the layout's value format (raw, JSON string, JSON object) against what the backend writes.",
        }
    }
}

/// WxJava's rule (`AbstractWxOpenInRedisConfigStorage.isComponentAccessTokenExpired`): a token
/// key with fewer than 2 s left, or with no TTL at all, is expired.
const MIN_TTL_SECS: i64 = 2;

/// One connection to a backend's Redis.
pub struct RedisReader {
    con: MultiplexedConnection,
    url_shown: String,
    timeout: Duration,
}

impl RedisReader {
    /// Connects to `url` (`redis://[user@]host:port[/db]`) with `password` (kept out of the URL
    /// and out of every message).
    pub async fn connect(
        url: &str,
        password: Option<&str>,
        timeout: Duration,
    ) -> Result<RedisReader, SharedStoreError> {
        let bad = |detail: String| SharedStoreError::BadUrl {
            url: url.to_owned(),
            detail,
        };
        let mut parsed = url::Url::parse(url.trim()).map_err(|e| bad(e.to_string()))?;
        if parsed.password().is_some() {
            return Err(bad(
                "it contains a password: give it separately, so that it is kept in the keychain"
                    .into(),
            ));
        }
        let url_shown = parsed.to_string();
        if let Some(pw) = password.filter(|p| !p.is_empty()) {
            parsed
                .set_password(Some(pw))
                .map_err(|_| bad("cannot carry a password".into()))?;
        }
        let client = redis::Client::open(parsed.as_str()).map_err(|e| bad(e.to_string()))?;
        let con = tokio::time::timeout(timeout, client.get_multiplexed_async_connection())
            .await
            .map_err(|_| SharedStoreError::Timeout {
                url: url_shown.clone(),
                secs: timeout.as_secs(),
            })?
            .map_err(|e| connect_error(&url_shown, &e))?;
        Ok(RedisReader {
            con,
            url_shown,
            timeout,
        })
    }

    /// The value and TTL of `item` for this platform (and account), checked: present, not expired
    /// by the backend's own rule, in the layout's format.
    pub async fn read(
        &mut self,
        layout: &KeyLayout,
        item: Item,
        component_appid: &str,
        authorizer_appid: Option<&str>,
    ) -> Result<KeyReading, SharedStoreError> {
        let key = layout
            .key(item, component_appid, authorizer_appid)
            .ok_or(SharedStoreError::NotKept { item })?;
        let mut pipe = redis::pipe();
        pipe.cmd("GET").arg(&key).cmd("PTTL").arg(&key);
        let (value, pttl): (Option<Vec<u8>>, i64) =
            tokio::time::timeout(self.timeout, pipe.query_async(&mut self.con))
                .await
                .map_err(|_| SharedStoreError::Timeout {
                    url: self.url_shown.clone(),
                    secs: self.timeout.as_secs(),
                })?
                .map_err(|e| SharedStoreError::Command {
                    key: key.clone(),
                    detail: e.to_string(),
                })?;
        let Some(value) = value else {
            return Err(SharedStoreError::Missing { key });
        };
        let ttl_secs = (pttl >= 0).then_some(pttl / 1000);
        let is_token = matches!(item, Item::ComponentToken | Item::AuthorizerToken);
        let stored = layout
            .value
            .decode(&value)
            .map_err(|source| SharedStoreError::Malformed {
                key: key.clone(),
                source,
            })?;
        // A token whose expiry is neither in its value nor on its key cannot be trusted to live.
        if is_token && stored.expires_at.is_none() && ttl_secs.is_none_or(|t| t < MIN_TTL_SECS) {
            return Err(SharedStoreError::Expired {
                key,
                ttl: ttl_secs.map_or("none".into(), |t| format!("{t} s")),
            });
        }
        if let Some(at) = stored.expires_at {
            if at <= crate::clock::now() {
                return Err(SharedStoreError::Expired {
                    key,
                    ttl: format!("expired at {at}"),
                });
            }
        }
        Ok(KeyReading {
            item,
            key,
            ttl_secs,
            stored,
        })
    }
}

fn connect_error(url: &str, e: &redis::RedisError) -> SharedStoreError {
    let detail = e.to_string();
    let auth = matches!(e.kind(), redis::ErrorKind::AuthenticationFailed)
        || ["WRONGPASS", "NOAUTH", "NOPERM"]
            .iter()
            .any(|c| e.code() == Some(c) || detail.contains(c));
    if auth {
        SharedStoreError::Auth {
            url: url.to_owned(),
            detail,
        }
    } else {
        SharedStoreError::Unreachable {
            url: url.to_owned(),
            detail,
        }
    }
}
