//! A backend's Redis, read as its SDK left it, and written only through [`RedisStore::lock`] +
//! [`RedisStore::write`] (the explicit *Refresh in the shared store*): looking never disturbs the
//! backend.
//!
//! One server through the crate's tokio `ConnectionManager` (reconnects on its own), or a Redis
//! Cluster through its cluster client when the URL lists several nodes; `rediss://` is TLS
//! (rustls, the system's roots or a CA file).

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use super::layout::{Item, KeyLayout};
use super::value::{Stored, ValueError};

/// What one key holds, as the backend sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyReading {
    pub item: Item,
    /// The Redis key (or, for a token API, the URL asked).
    pub key: String,
    /// Seconds left on the key; `None` when it has no TTL.
    pub ttl_secs: Option<i64>,
    pub stored: Stored,
}

impl KeyReading {
    /// When the token stops being valid: the value's own expiry, else the key's TTL.
    pub fn expires_at(&self, now: i64) -> Option<i64> {
        self.stored
            .expires_at
            .or_else(|| self.ttl_secs.map(|t| now + t))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SharedStoreError {
    #[error("invalid Redis URL {url}: {detail}")]
    BadUrl { url: String, detail: String },
    #[error("cannot reach {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("{url} refused the login: {detail}")]
    Auth { url: String, detail: String },
    #[error("Redis at {url} refused the database number: {detail}")]
    Database { url: String, detail: String },
    #[error("{url} did not answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("Redis answered an error for {key}: {detail}")]
    Command { key: String, detail: String },
    #[error("the backend's layout keeps no {item:?} in the shared store")]
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
    #[error("the token API {url} answered HTTP {status}")]
    HttpStatus { url: String, status: u16 },
    #[error("the token API {url} answered no {what} at {pointer}")]
    Pointer {
        url: String,
        what: &'static str,
        pointer: String,
    },
    #[error("the lock {key} is held by someone else (TTL {ttl}) and was not released within {waited_secs} s")]
    LockHeld {
        key: String,
        ttl: String,
        waited_secs: u64,
    },
    #[error("WeChat rejected the backend's token from {key} ({errcode}), and the store still holds that same token")]
    Rejected { key: String, errcode: i64 },
    #[error("this shared profile is read-only: it never writes to {kind}")]
    ReadOnly { kind: &'static str },
}

impl SharedStoreError {
    /// What the operator can check on the backend's side.
    pub fn hint(&self) -> &'static str {
        match self {
            SharedStoreError::BadUrl { .. } => "Use redis://[user@]host:port/db or rediss:// for TLS (the password is asked for separately and kept in the keychain); separate a cluster's nodes with commas.",
            SharedStoreError::Unreachable { .. } | SharedStoreError::Timeout { .. } => "Check that the backend's store runs (every node, for a cluster), that this machine may reach it (firewall, VPN, bind address), the port, and TLS (rediss://) if the server requires it.",
            SharedStoreError::Auth { .. } => "Check the ACL user and the password (or the token API's header) of the shared profile.",
            SharedStoreError::Database { .. } => "Check the database number at the end of the Redis URL (/0 … /15 by default) against the backend's configuration.",
            SharedStoreError::Command { .. } => "Check that the ACL user may read (and, for a refresh, write) these keys, and the database number.",
            SharedStoreError::NotKept { .. } => "This SDK keeps that item in the application, not in the store: choose a custom layout naming where your backend keeps it.",
            SharedStoreError::Missing { .. } | SharedStoreError::Expired { .. } => "Check the layout, the key prefix and the database number against the backend's configuration, and that the backend is running (it writes these keys). The console never fetches a token of its own for a shared profile: that would break the backend's.",
            SharedStoreError::Malformed { .. } => "Check the layout's value format (raw, JSON string, JSON object) against what the backend writes.",
            SharedStoreError::HttpStatus { .. } | SharedStoreError::Pointer { .. } => "Check the token API's URL templates, its header, and the JSON pointers against what the backend answers.",
            SharedStoreError::LockHeld { .. } => "Another service is refreshing this token (or died holding the lock). Try again when the lock's TTL has run out; a lock with no TTL must be deleted on the backend's side.",
            SharedStoreError::Rejected { .. } => "The backend's token no longer works and the backend has not stored a new one yet: check the backend's logs (is a second service fetching tokens for this platform?). With writes allowed, Refresh in the shared store replaces it for everyone.",
            SharedStoreError::ReadOnly { .. } => "Allow writes in the profile's Tokens section (every service that reads these keys switches to the token written), or refresh on the backend.",
        }
    }

    /// The WeChat errcode behind the error, if any.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            SharedStoreError::Rejected { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }
}

/// WxJava's rule (`AbstractWxOpenInRedisConfigStorage.isComponentAccessTokenExpired`): a token
/// key with fewer than 2 s left, or with no TTL at all, is expired.
const MIN_TTL_SECS: i64 = 2;

/// One server (reconnecting) or a cluster.
#[derive(Clone)]
enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// How long a lock taken here lasts if its holder dies: WxJava's locks (Jedis, RedisTemplate)
/// run out after 60 s, so the backend never waits on us longer than on itself.
pub const LOCK_LEASE: Duration = Duration::from_secs(60);

/// A lock taken with [`RedisStore::lock`]; give it back with [`RedisStore::unlock`].
#[derive(Debug)]
pub struct HeldLock {
    pub key: String,
    value: String,
}

/// A backend's Redis (cheap to clone: the connection is shared).
#[derive(Clone)]
pub struct RedisStore {
    con: Conn,
    url_shown: String,
    timeout: Duration,
}

/// How to reach a Redis: the URL (nodes separated by commas), its password, a CA for TLS.
pub struct RedisTarget<'a> {
    pub url: &'a str,
    pub password: Option<&'a str>,
    pub ca_pem: Option<Vec<u8>>,
    pub timeout: Duration,
}

impl RedisStore {
    /// Connects to one server (`redis://[user@]host:port[/db]`) with `password` (kept out of
    /// the URL and out of every message).
    pub async fn connect(
        url: &str,
        password: Option<&str>,
        timeout: Duration,
    ) -> Result<RedisStore, SharedStoreError> {
        RedisStore::open(RedisTarget {
            url,
            password,
            ca_pem: None,
            timeout,
        })
        .await
    }

    /// Connects to `target`: a cluster when its URL lists several nodes.
    pub async fn open(target: RedisTarget<'_>) -> Result<RedisStore, SharedStoreError> {
        let shown = target.url.trim().to_owned();
        let bad = |detail: String| SharedStoreError::BadUrl {
            url: shown.clone(),
            detail,
        };
        let mut nodes = Vec::new();
        for node in target
            .url
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let mut parsed = url::Url::parse(node).map_err(|e| bad(e.to_string()))?;
            if parsed.password().is_some() {
                return Err(bad(
                    "it contains a password: give it separately, so that it is kept in the keychain"
                        .into(),
                ));
            }
            if let Some(pw) = target.password.filter(|p| !p.is_empty()) {
                parsed
                    .set_password(Some(pw))
                    .map_err(|_| bad("cannot carry a password".into()))?;
            }
            nodes.push(parsed.to_string());
        }
        if nodes.is_empty() {
            return Err(bad("no node".into()));
        }
        let certs = || redis::TlsCertificates {
            client_tls: None,
            root_cert: target.ca_pem.clone(),
        };
        let timed_out = || SharedStoreError::Timeout {
            url: shown.clone(),
            secs: target.timeout.as_secs().max(1),
        };
        let con = if nodes.len() == 1 {
            let client = match target.ca_pem {
                Some(_) => redis::Client::build_with_tls(nodes[0].as_str(), certs()),
                None => redis::Client::open(nodes[0].as_str()),
            }
            .map_err(|e| bad(e.to_string()))?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(target.timeout))
                .set_response_timeout(Some(target.timeout))
                .set_number_of_retries(1);
            let manager = tokio::time::timeout(
                target.timeout + Duration::from_secs(1),
                ConnectionManager::new_with_config(client, config),
            )
            .await
            .map_err(|_| timed_out())?
            .map_err(|e| connect_error(&shown, &e))?;
            Conn::Single(manager)
        } else {
            let mut builder = redis::cluster::ClusterClient::builder(nodes)
                .connection_timeout(target.timeout)
                .response_timeout(target.timeout)
                .retries(1);
            if target.ca_pem.is_some() {
                builder = builder.certs(certs());
            }
            let client = builder.build().map_err(|e| bad(e.to_string()))?;
            let con = tokio::time::timeout(
                target.timeout + Duration::from_secs(1),
                client.get_async_connection(),
            )
            .await
            .map_err(|_| timed_out())?
            .map_err(|e| connect_error(&shown, &e))?;
            Conn::Cluster(con)
        };
        Ok(RedisStore {
            con,
            url_shown: shown,
            timeout: target.timeout,
        })
    }

    async fn run<T: redis::FromRedisValue>(
        &self,
        pipe: &Pipeline,
        key: &str,
    ) -> Result<T, SharedStoreError> {
        let mut con = self.con.clone();
        tokio::time::timeout(self.timeout, pipe.query_async(&mut con))
            .await
            .map_err(|_| SharedStoreError::Timeout {
                url: self.url_shown.clone(),
                secs: self.timeout.as_secs().max(1),
            })?
            .map_err(|e| command_error(&self.url_shown, key, &e))
    }

    /// The value and TTL of `item` for this platform (and account), checked: present, not expired
    /// by the backend's own rule, in the layout's format.
    pub async fn read(
        &self,
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
        let (value, pttl): (Option<Vec<u8>>, i64) = self.run(&pipe, &key).await?;
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

    /// Takes `key` as a lock for `lease`, waiting up to `wait` for its holder to let go.
    ///
    /// `SET key <ms> NX PX lease`: the value is a Unix time in milliseconds (when the lock runs
    /// out), which is what WxJava's Jedis lock writes and parses, so a Jedis backend sees a
    /// well-formed lock; RedisTemplate and Redisson backends only test the key's presence. A few
    /// random milliseconds make the value ours alone, for [`RedisStore::unlock`].
    pub async fn lock(
        &self,
        key: &str,
        lease: Duration,
        wait: Duration,
    ) -> Result<HeldLock, SharedStoreError> {
        let started = std::time::Instant::now();
        let lease_ms = lease.as_millis().max(1) as i64;
        loop {
            let value = (chrono_ms() + lease_ms + 1 + rand::random_range(0..1000)).to_string();
            let mut pipe = redis::pipe();
            pipe.cmd("SET")
                .arg(key)
                .arg(&value)
                .arg("NX")
                .arg("PX")
                .arg(lease_ms);
            let (set,): (Option<String>,) = self.run(&pipe, key).await?;
            if set.is_some() {
                return Ok(HeldLock {
                    key: key.to_owned(),
                    value,
                });
            }
            if started.elapsed() >= wait {
                let mut pipe = redis::pipe();
                pipe.cmd("PTTL").arg(key);
                let (pttl,): (i64,) = self.run(&pipe, key).await.unwrap_or((-2,));
                return Err(SharedStoreError::LockHeld {
                    key: key.to_owned(),
                    ttl: match pttl {
                        -1 => "none: it never runs out".into(),
                        -2 => "gone".into(),
                        ms => format!("{} s", (ms + 999) / 1000),
                    },
                    waited_secs: wait.as_secs(),
                });
            }
            // The holders we share the lock with poll too (Jedis every 100 ms, RedisTemplate every second).
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Releases `lock` if it is still ours (a lease that ran out may belong to someone else now).
    pub async fn unlock(&self, lock: HeldLock) -> Result<(), SharedStoreError> {
        let script = redis::Script::new(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
        );
        let mut con = self.con.clone();
        tokio::time::timeout(
            self.timeout,
            script
                .key(&lock.key)
                .arg(&lock.value)
                .invoke_async::<i64>(&mut con),
        )
        .await
        .map_err(|_| SharedStoreError::Timeout {
            url: self.url_shown.clone(),
            secs: self.timeout.as_secs().max(1),
        })?
        .map_err(|e| command_error(&self.url_shown, &lock.key, &e))?;
        Ok(())
    }

    /// Writes `value` under `key`, with a TTL or (`None`) without one.
    pub async fn write(
        &self,
        key: &str,
        value: &str,
        ttl_secs: Option<i64>,
    ) -> Result<(), SharedStoreError> {
        let mut pipe = redis::pipe();
        match ttl_secs {
            Some(t) => pipe.cmd("SET").arg(key).arg(value).arg("EX").arg(t.max(1)),
            None => pipe.cmd("SET").arg(key).arg(value),
        };
        let (_ok,): (String,) = self.run(&pipe, key).await?;
        Ok(())
    }
}

fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn is_auth(e: &redis::RedisError) -> bool {
    let detail = e.to_string();
    matches!(e.kind(), redis::ErrorKind::AuthenticationFailed)
        || ["WRONGPASS", "NOAUTH", "NOPERM"]
            .iter()
            .any(|c| e.code() == Some(c) || detail.contains(c))
}

fn connect_error(url: &str, e: &redis::RedisError) -> SharedStoreError {
    let detail = e.to_string();
    if is_auth(e) {
        SharedStoreError::Auth {
            url: url.to_owned(),
            detail,
        }
    } else if detail.contains("DB index") || detail.contains("invalid DB") {
        SharedStoreError::Database {
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

fn command_error(url: &str, key: &str, e: &redis::RedisError) -> SharedStoreError {
    // NOPERM on a command is the ACL refusing that key or command: say which key (the login
    // itself worked).
    let noperm = e.code() == Some("NOPERM") || e.to_string().to_lowercase().contains("noperm");
    if is_auth(e) && !noperm {
        return SharedStoreError::Auth {
            url: url.to_owned(),
            detail: e.to_string(),
        };
    }
    // A cluster whose node for this key's slot is gone answers MOVED to the dead node, or
    // CLUSTERDOWN: the store is down for this key, not the command wrong (ACL, database).
    if e.is_cluster_error()
        || matches!(
            e.kind(),
            redis::ErrorKind::ClusterConnectionNotFound
                | redis::ErrorKind::Server(redis::ServerErrorKind::MasterDown)
        )
    {
        return SharedStoreError::Unreachable {
            url: url.to_owned(),
            detail: format!("the cluster node that holds {key} does not answer ({e})"),
        };
    }
    if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout() {
        return SharedStoreError::Unreachable {
            url: url.to_owned(),
            detail: e.to_string(),
        };
    }
    SharedStoreError::Command {
        key: key.to_owned(),
        detail: e.to_string(),
    }
}
