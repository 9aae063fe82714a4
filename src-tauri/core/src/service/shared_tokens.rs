//! Team mode: the tokens a shared profile borrows from its platform's backend.
//!
//! WeChat keeps one live token per app: whoever fetches a new one kills the copy everybody else
//! holds. So a shared profile *borrows*: it reads the ticket and tokens where the backend keeps
//! them (Redis in the backend SDK's own layout, or the backend's token API), at most once per key
//! per [`ConsoleOptions::shared_read_secs`] and never longer than the token lives, and it never
//! calls `api_component_token` or `api_authorizer_token` on its own. A missing or expired key is
//! an error naming the key (never a silent local fetch: that fallback is the outage we prevent).
//!
//! *Refresh in the shared store* is the one way to write, explicit and only with the profile's
//! write switch on: take the backend's lock (WxJava's) or one of ours (`SET NX PX`), re-read
//! (someone may have refreshed meanwhile), fetch, write back with the layout's TTL and format,
//! release.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::cached_token::CachedToken;
use super::options::ConsoleOptions;
use super::single_flight::TokenCell;
use crate::clock::now;
use crate::error::{CoreError, CoreResult, ErrorBody};
use crate::secrets::{masked_tail, SecretName, SecretStore, Sensitive};
use crate::shared_store::{
    HttpTokens, Item, KeyLayout, KeyReading, RedisStore, RedisTarget, SharedSource,
    SharedStoreError,
};

/// A token as borrowed, with when it was read.
#[derive(Clone)]
pub(crate) struct Borrowed {
    pub token: CachedToken,
    read_at: Instant,
}

/// The last reading of one key, as the UI and `wxopen token show` report it (no value: a tail).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct KeyRead {
    pub item: Item,
    pub authorizer_appid: Option<String>,
    /// The Redis key, or the token API's URL.
    pub key: String,
    /// Seconds left on the key when read; `None`: no TTL.
    pub ttl_secs: Option<i64>,
    pub expires_at: Option<i64>,
    /// Unix time of the reading.
    pub read_at: i64,
    /// `••••1234`.
    pub tail: String,
}

/// Where a shared profile's tokens come from, for the badge and `wxopen token show`.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SharedInfo {
    /// `redis` or `http`.
    pub kind: String,
    /// The Redis URL (no password) or the component token URL template.
    pub location: String,
    /// `wxjava`, `wechatpy`, `silenceper`, `custom` (Redis) or `token_api`.
    pub layout: String,
    pub writes: bool,
    /// The component token's key (for this platform).
    pub component_key: Option<String>,
    /// The last reading of the component token, if any since the console started.
    pub component: Option<KeyRead>,
    /// Borrowed tokens WeChat rejected (40001/42001/40014) since the console started.
    pub rejections: u64,
}

/// One key as *Test* reads it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct KeyProbe {
    pub item: Item,
    pub authorizer_appid: Option<String>,
    /// The exact key (or URL); `None` when the layout keeps no such item.
    pub key: Option<String>,
    pub present: bool,
    pub ttl_secs: Option<i64>,
    pub tail: Option<String>,
    pub error: Option<ErrorBody>,
}

/// A key a profile would read, as the form shows it before *Test* (`key`: `None` when the layout
/// keeps no such item).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SharedKey {
    pub item: Item,
    pub key: Option<String>,
}

/// What *Test* found: every key this profile reads, for its appid.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SharedTest {
    pub kind: String,
    pub location: String,
    pub layout: String,
    pub writes: bool,
    /// Could the store be reached at all (else `error` says why, and `keys` are not read).
    pub reachable: bool,
    pub error: Option<ErrorBody>,
    pub keys: Vec<KeyProbe>,
}

#[derive(Clone)]
pub(crate) enum Backend {
    Redis(RedisStore, KeyLayout),
    Http(HttpTokens),
}

/// The borrowing side of one shared profile.
pub struct SharedTokens {
    source: SharedSource,
    component_appid: String,
    secrets: Arc<dyn SecretStore>,
    backend: tokio::sync::OnceCell<Backend>,
    pub(crate) component: TokenCell<Borrowed>,
    authorizers: Mutex<HashMap<String, Arc<TokenCell<Borrowed>>>>,
    last: Mutex<HashMap<(Item, Option<String>), KeyRead>>,
    rejections: AtomicU64,
    read_interval: Duration,
    pub(crate) lock_wait: Duration,
    timeout: Duration,
}

impl SharedTokens {
    pub(crate) fn new(
        source: SharedSource,
        component_appid: &str,
        secrets: Arc<dyn SecretStore>,
        options: &ConsoleOptions,
    ) -> CoreResult<SharedTokens> {
        source.check()?;
        Ok(SharedTokens {
            source,
            component_appid: component_appid.to_owned(),
            secrets,
            backend: tokio::sync::OnceCell::new(),
            component: TokenCell::default(),
            authorizers: Mutex::new(HashMap::new()),
            last: Mutex::new(HashMap::new()),
            rejections: AtomicU64::new(0),
            read_interval: Duration::from_secs(options.shared_read_secs),
            lock_wait: Duration::from_secs(options.shared_lock_wait_secs),
            timeout: Duration::from_secs(options.shared_timeout_secs.max(1)),
        })
    }

    pub fn source(&self) -> &SharedSource {
        &self.source
    }

    /// Connects on first use (a failed attempt is tried again next time).
    pub(crate) async fn backend(&self) -> CoreResult<Backend> {
        self.backend
            .get_or_try_init(|| {
                connect(
                    &self.source,
                    &self.component_appid,
                    self.secrets.as_ref(),
                    self.timeout,
                )
            })
            .await
            .cloned()
    }

    /// Reads `item` from the backend's store, now.
    pub(crate) async fn read(
        &self,
        item: Item,
        authorizer: Option<&str>,
    ) -> CoreResult<KeyReading> {
        let reading = match self.backend().await? {
            Backend::Redis(store, layout) => {
                store
                    .read(&layout, item, &self.component_appid, authorizer)
                    .await?
            }
            Backend::Http(api) => api.read(item, &self.component_appid, authorizer).await?,
        };
        self.remember(&reading, authorizer);
        Ok(reading)
    }

    /// What the key holds now, for the badge and `token show`: a reading, or what a refresh
    /// just wrote (else they would go on showing the token it replaced).
    pub(crate) fn remember(&self, reading: &KeyReading, authorizer: Option<&str>) {
        let t = now();
        let read = KeyRead {
            item: reading.item,
            authorizer_appid: authorizer.map(str::to_owned),
            key: reading.key.clone(),
            ttl_secs: reading.ttl_secs,
            expires_at: reading.expires_at(t),
            read_at: t,
            tail: masked_tail(&reading.stored.token),
        };
        self.last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((reading.item, read.authorizer_appid.clone()), read);
    }

    pub(crate) fn borrowed(&self, reading: KeyReading) -> Borrowed {
        let t = now();
        // A token that says nothing of its expiry is trusted only until the next read.
        let expires_at = reading
            .expires_at(t)
            .unwrap_or(t + self.read_interval.as_secs() as i64);
        Borrowed {
            token: CachedToken {
                token: Sensitive::new(reading.stored.token),
                expires_at,
            },
            read_at: Instant::now(),
        }
    }

    fn recent(&self, b: &Borrowed) -> bool {
        b.read_at.elapsed() < self.read_interval && b.token.expires_at > now()
    }

    pub(crate) fn authorizer_cell(&self, appid: &str) -> Arc<TokenCell<Borrowed>> {
        let mut map = self.authorizers.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(appid.to_string()).or_default().clone()
    }

    /// The component token, or an authorizer's: read at most once per read interval for all
    /// concurrent callers.
    pub(crate) async fn borrow(&self, authorizer: Option<&str>) -> CoreResult<CachedToken> {
        let (item, cell) = self.item_cell(authorizer);
        let b = cell
            .get_or_load(
                |b| self.recent(b),
                || async { Ok::<_, CoreError>(self.borrowed(self.read(item, authorizer).await?)) },
            )
            .await?;
        Ok(b.token)
    }

    /// The token item and its cell: the component token's, or `authorizer`'s.
    pub(crate) fn item_cell(&self, authorizer: Option<&str>) -> (Item, CellRef<'_>) {
        match authorizer {
            None => (Item::ComponentToken, CellRef::Component(&self.component)),
            Some(a) => (
                Item::AuthorizerToken,
                CellRef::Owned(self.authorizer_cell(a)),
            ),
        }
    }

    /// WeChat rejected `bad` (40001/42001/40014): counted, reported, and read again once (the
    /// backend may just have rotated it). The same token again is [`SharedStoreError::Rejected`].
    pub(crate) async fn after_rejection(
        &self,
        authorizer: Option<&str>,
        bad: &str,
        errcode: i64,
    ) -> CoreResult<CachedToken> {
        self.rejections.fetch_add(1, Ordering::Relaxed);
        let (item, cell) = self.item_cell(authorizer);
        cell.invalidate_if(|b| b.token.token.expose() == bad).await;
        let again = self.borrow(authorizer).await?;
        if again.token.expose() == bad {
            let key = self
                .last_read(item, authorizer)
                .map(|r| r.key)
                .unwrap_or_default();
            tracing::warn!(
                "WeChat rejected the borrowed token of {key} ({errcode}); the store still holds it"
            );
            // Not kept: the next call reads again, and finds the backend's new token when it is there.
            cell.invalidate_if(|b| b.token.token.expose() == bad).await;
            return Err(SharedStoreError::Rejected { key, errcode }.into());
        }
        tracing::warn!("WeChat rejected a borrowed token ({errcode}); the store had a newer one");
        Ok(again)
    }

    /// Forgets what was borrowed for `authorizer` (or the component token) if it is `bad`.
    pub(crate) async fn forget(&self, authorizer: Option<&str>, bad: Option<&str>) {
        let (_, cell) = self.item_cell(authorizer);
        match bad {
            Some(bad) => {
                cell.invalidate_if(|b| b.token.token.expose() == bad).await;
            }
            None => cell.clear().await,
        }
    }

    fn last_read(&self, item: Item, authorizer: Option<&str>) -> Option<KeyRead> {
        self.last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(item, authorizer.map(str::to_owned)))
            .cloned()
    }

    /// The badge's facts (no I/O).
    pub fn info(&self) -> SharedInfo {
        let (location, layout, component_key) = match &self.source {
            SharedSource::Redis(r) => {
                let layout = r.layout.resolve().ok();
                (
                    r.url.clone(),
                    r.layout.name().to_owned(),
                    layout.and_then(|l| l.key(Item::ComponentToken, &self.component_appid, None)),
                )
            }
            SharedSource::Http(h) => (
                h.component_token_url.clone(),
                "token_api".to_owned(),
                Some(
                    h.component_token_url
                        .replace("{component_appid}", &self.component_appid),
                ),
            ),
        };
        SharedInfo {
            kind: self.source.kind().to_owned(),
            location,
            layout,
            writes: self.source.writes(),
            component_key,
            component: self.last_read(Item::ComponentToken, None),
            rejections: self.rejections.load(Ordering::Relaxed),
        }
    }
}

/// The component cell lives in the struct; an authorizer's in the map.
pub(crate) enum CellRef<'a> {
    Component(&'a TokenCell<Borrowed>),
    Owned(Arc<TokenCell<Borrowed>>),
}

impl std::ops::Deref for CellRef<'_> {
    type Target = TokenCell<Borrowed>;
    fn deref(&self) -> &TokenCell<Borrowed> {
        match self {
            CellRef::Component(c) => c,
            CellRef::Owned(c) => c,
        }
    }
}

async fn connect(
    source: &SharedSource,
    component_appid: &str,
    secrets: &dyn SecretStore,
    timeout: Duration,
) -> CoreResult<Backend> {
    match source {
        SharedSource::Redis(r) => {
            let layout = r
                .layout
                .resolve()
                .map_err(crate::shared_store::SourceError::from)?;
            let password = secrets.get(component_appid, SecretName::RedisPassword)?;
            let ca_pem = match r.ca_file.as_deref().filter(|f| !f.trim().is_empty()) {
                Some(f) => Some(
                    std::fs::read(f)
                        .map_err(|e| CoreError::io(format!("read the Redis CA file {f}"), e))?,
                ),
                None => None,
            };
            let store = RedisStore::open(RedisTarget {
                url: &r.url,
                password: password.as_ref().map(|p| p.expose().as_str()),
                ca_pem,
                timeout,
            })
            .await?;
            Ok(Backend::Redis(store, layout))
        }
        SharedSource::Http(h) => {
            let header = secrets
                .get(component_appid, SecretName::TokenApiHeader)?
                .map(|v| v.expose().clone());
            Ok(Backend::Http(HttpTokens::new(h.clone(), header, timeout)?))
        }
    }
}
