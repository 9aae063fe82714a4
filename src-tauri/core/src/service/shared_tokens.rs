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

use super::console::ConsoleOptions;
use super::single_flight::TokenCell;
use super::token_source::CachedToken;
use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult, ErrorBody};
use crate::secrets::{masked_tail, SecretName, SecretStore, Sensitive};
use crate::shared_store::{
    HttpTokens, Item, KeyLayout, KeyReading, RedisStore, RedisTarget, SharedSource,
    SharedStoreError,
};
use crate::store::types::Status as AuthorizerStatus;

/// How long a refresh's lock lasts if its holder dies (WxJava's RedisTemplate lock uses 60 s).
const LOCK_LEASE: Duration = Duration::from_secs(60);

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
enum Backend {
    Redis(RedisStore, KeyLayout),
    Http(HttpTokens),
}

/// The borrowing side of one shared profile.
pub struct SharedTokens {
    source: SharedSource,
    component_appid: String,
    secrets: Arc<dyn SecretStore>,
    backend: tokio::sync::OnceCell<Backend>,
    component: TokenCell<Borrowed>,
    authorizers: Mutex<HashMap<String, Arc<TokenCell<Borrowed>>>>,
    last: Mutex<HashMap<(Item, Option<String>), KeyRead>>,
    rejections: AtomicU64,
    read_interval: Duration,
    lock_wait: Duration,
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
    async fn backend(&self) -> CoreResult<Backend> {
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
    async fn read(&self, item: Item, authorizer: Option<&str>) -> CoreResult<KeyReading> {
        let reading = match self.backend().await? {
            Backend::Redis(store, layout) => {
                store
                    .read(&layout, item, &self.component_appid, authorizer)
                    .await?
            }
            Backend::Http(api) => api.read(item, &self.component_appid, authorizer).await?,
        };
        let t = now();
        let read = KeyRead {
            item,
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
            .insert((item, read.authorizer_appid.clone()), read);
        Ok(reading)
    }

    fn borrowed(&self, reading: KeyReading) -> Borrowed {
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

    fn authorizer_cell(&self, appid: &str) -> Arc<TokenCell<Borrowed>> {
        let mut map = self.authorizers.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(appid.to_string()).or_default().clone()
    }

    fn cell(&self, authorizer: Option<&str>) -> Arc<TokenCell<Borrowed>> {
        match authorizer {
            Some(a) => self.authorizer_cell(a),
            None => Arc::new(TokenCell::default()),
        }
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

    fn item_cell(&self, authorizer: Option<&str>) -> (Item, CellRef<'_>) {
        match authorizer {
            None => (Item::ComponentToken, CellRef::Component(&self.component)),
            Some(a) => (Item::AuthorizerToken, CellRef::Owned(self.cell(Some(a)))),
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
enum CellRef<'a> {
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
            let layout = r.layout.resolve().map_err(crate::shared_store::SourceError::from)?;
            let password = secrets.get(component_appid, SecretName::RedisPassword)?;
            let ca_pem = match r.ca_file.as_deref().filter(|f| !f.trim().is_empty()) {
                Some(f) => Some(std::fs::read(f).map_err(|e| {
                    CoreError::io(format!("read the Redis CA file {f}"), e)
                })?),
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

impl Console {
    fn shared_of<'a>(&self, rt: &'a ProfileRt) -> CoreResult<&'a SharedTokens> {
        rt.source.shared().ok_or_else(|| {
            CoreError::Refused(format!(
                "profile {:?} owns its tokens: it has no shared store",
                rt.profile.name
            ))
        })
    }

    /// The store and layout a refresh writes to, or why it may not.
    async fn writable(&self, s: &SharedTokens) -> CoreResult<(RedisStore, KeyLayout)> {
        match s.backend().await? {
            Backend::Http(_) => Err(SharedStoreError::ReadOnly {
                kind: "a token API (borrow only)",
            }
            .into()),
            Backend::Redis(..) if !s.source.writes() => {
                Err(SharedStoreError::ReadOnly { kind: "Redis" }.into())
            }
            Backend::Redis(store, layout) => Ok((store, layout)),
        }
    }

    /// *Refresh in the shared store*, component token: under the lock, re-read, fetch only if
    /// nobody refreshed meanwhile, write back as the backend would. Every service that reads the
    /// key switches to the token written.
    pub(crate) async fn shared_refresh_component(&self, rt: &ProfileRt) -> CoreResult<()> {
        let s = self.shared_of(rt)?;
        let (store, layout) = self.writable(s).await?;
        let key = layout
            .key(Item::ComponentToken, rt.appid(), None)
            .ok_or(SharedStoreError::NotKept {
                item: Item::ComponentToken,
            })?;
        let before = current_token(s, &s.component, None).await?;
        let lock_key = layout
            .lock_key(Item::ComponentToken, None)
            .unwrap_or_else(|| format!("wxopen:lock:{key}"));
        s.component
            .get_or_load(
                |b| Some(b.token.token.expose()) != before.as_ref(),
                || async {
                    let lock = store.lock(&lock_key, LOCK_LEASE, s.lock_wait).await?;
                    let result: CoreResult<Borrowed> = async {
                        if let Some(now_there) = reread(s, Item::ComponentToken, None).await? {
                            if Some(&now_there.stored.token) != before.as_ref() {
                                return Ok(s.borrowed(now_there));
                            }
                        }
                        let ticket = self.shared_ticket(rt, s).await?;
                        let secret = self.secret(rt.appid(), SecretName::AppSecret)?;
                        let fetched_at = now();
                        let answer = rt
                            .client
                            .component_token(rt.appid(), secret.expose(), &ticket)
                            .await?;
                        let expires_at = crate::clock::expiry(fetched_at, answer.expires_in);
                        let ttl = answer.expires_in - layout.component_ttl_margin_secs;
                        store
                            .write(
                                &key,
                                &layout.value.encode(&answer.component_access_token, expires_at),
                                Some(ttl),
                            )
                            .await?;
                        Ok(s.borrowed(KeyReading {
                            item: Item::ComponentToken,
                            key: key.clone(),
                            ttl_secs: Some(ttl),
                            stored: crate::shared_store::Stored {
                                token: answer.component_access_token,
                                expires_at: Some(expires_at),
                            },
                        }))
                    }
                    .await;
                    let released = store.unlock(lock).await;
                    let b = result?;
                    released?;
                    Ok::<_, CoreError>(b)
                },
            )
            .await?;
        Ok(())
    }

    /// *Refresh in the shared store*, an authorizer's token (its refresh token from Redis when
    /// the layout keeps it, else from SQLite).
    pub(crate) async fn shared_refresh_authorizer(
        &self,
        rt: &ProfileRt,
        appid: &str,
    ) -> CoreResult<()> {
        let s = self.shared_of(rt)?;
        let (store, layout) = self.writable(s).await?;
        let key = layout
            .key(Item::AuthorizerToken, rt.appid(), Some(appid))
            .ok_or(SharedStoreError::NotKept {
                item: Item::AuthorizerToken,
            })?;
        let cell = s.authorizer_cell(appid);
        let before = current_token(s, &cell, Some(appid)).await?;
        let lock_key = layout
            .lock_key(Item::AuthorizerToken, Some(appid))
            .unwrap_or_else(|| format!("wxopen:lock:{key}"));
        cell.get_or_load(
            |b| Some(b.token.token.expose()) != before.as_ref(),
            || async {
                let lock = store.lock(&lock_key, LOCK_LEASE, s.lock_wait).await?;
                let result: CoreResult<Borrowed> = async {
                    if let Some(now_there) = reread(s, Item::AuthorizerToken, Some(appid)).await? {
                        if Some(&now_there.stored.token) != before.as_ref() {
                            return Ok(s.borrowed(now_there));
                        }
                    }
                    let refresh = self.shared_refresh_token(rt, appid).await?;
                    let fetched_at = now();
                    let result = self
                        .with_component_token(rt, |ct| {
                            let client = rt.client.clone();
                            let component = rt.appid().to_string();
                            let appid = appid.to_string();
                            let refresh = refresh.clone();
                            async move {
                                client
                                    .authorizer_token(&ct, &component, &appid, &refresh)
                                    .await
                            }
                        })
                        .await;
                    let answer = match result {
                        Err(CoreError::WeChat(e)) if e.errcode() == Some(61023) => {
                            self.store.set_authorizer_status(
                                rt.id(),
                                appid,
                                AuthorizerStatus::NeedsReauth,
                            )?;
                            return Err(CoreError::NeedsReauth {
                                appid: appid.to_string(),
                            });
                        }
                        other => other?,
                    };
                    let expires_at = crate::clock::expiry(fetched_at, answer.expires_in);
                    let ttl = answer.expires_in - layout.authorizer_ttl_margin_secs;
                    store
                        .write(
                            &key,
                            &layout.value.encode(&answer.authorizer_access_token, expires_at),
                            Some(ttl),
                        )
                        .await?;
                    if let Some(new_refresh) = answer
                        .authorizer_refresh_token
                        .as_deref()
                        .filter(|r| !r.is_empty())
                    {
                        // Never lost: SQLite first, then the backend's key (no TTL, as WxJava writes it).
                        self.store
                            .authorizer_token_put_refresh(rt.id(), appid, new_refresh)?;
                        if let Some(rkey) =
                            layout.key(Item::AuthorizerRefreshToken, rt.appid(), Some(appid))
                        {
                            if new_refresh != refresh {
                                store
                                    .write(&rkey, &layout.value.encode(new_refresh, 0), None)
                                    .await?;
                            }
                        }
                    }
                    Ok(s.borrowed(KeyReading {
                        item: Item::AuthorizerToken,
                        key: key.clone(),
                        ttl_secs: Some(ttl),
                        stored: crate::shared_store::Stored {
                            token: answer.authorizer_access_token,
                            expires_at: Some(expires_at),
                        },
                    }))
                }
                .await;
                let released = store.unlock(lock).await;
                let b = result?;
                released?;
                Ok::<_, CoreError>(b)
            },
        )
        .await?;
        Ok(())
    }

    /// The ticket for a refresh: the backend's, else one pasted here (a ticket is no token:
    /// using it takes nothing from anybody).
    async fn shared_ticket(&self, rt: &ProfileRt, s: &SharedTokens) -> CoreResult<String> {
        match s.read(Item::Ticket, None).await {
            Ok(r) => Ok(r.stored.token),
            Err(CoreError::Shared(
                e @ (SharedStoreError::NotKept { .. }
                | SharedStoreError::Missing { .. }
                | SharedStoreError::Expired { .. }),
            )) => match self.store.latest_ticket(rt.id())? {
                Some(t) => Ok(t.ticket.expose().clone()),
                None => Err(e.into()),
            },
            Err(e) => Err(e),
        }
    }

    /// An authorizer's refresh token on a shared profile: from the backend's store when its
    /// layout keeps one (and recovered into SQLite when SQLite lacks it), else from SQLite.
    pub async fn shared_refresh_token(&self, rt: &ProfileRt, appid: &str) -> CoreResult<String> {
        let s = self.shared_of(rt)?;
        let local = self.store.authorizer_token_get(rt.id(), appid)?;
        match s.read(Item::AuthorizerRefreshToken, Some(appid)).await {
            Ok(r) => {
                if local.is_none() {
                    self.store
                        .authorizer_token_put_refresh(rt.id(), appid, &r.stored.token)?;
                }
                Ok(r.stored.token)
            }
            Err(CoreError::Shared(
                SharedStoreError::NotKept { .. } | SharedStoreError::Missing { .. },
            )) if local.is_some() => Ok(local
                .map(|l| l.refresh_token.expose().clone())
                .unwrap_or_default()),
            Err(CoreError::Shared(SharedStoreError::NotKept { .. })) => Err(CoreError::NotFound(
                format!("a refresh token for authorizer {appid} (the backend's layout keeps none in Redis, and this console has none: run `wxopen authorizers sync`)"),
            )),
            Err(e) => Err(e),
        }
    }

    /// The badge's facts of a shared profile (`None`: the profile owns its tokens).
    pub fn shared_info(&self, rt: &ProfileRt) -> Option<SharedInfo> {
        rt.source.shared().map(SharedTokens::info)
    }

    /// *Test*: reads every key this profile uses (the ticket, the component token, and for
    /// `authorizer` its token and refresh token) and reports presence, TTL and a tail, never a
    /// value. Writes nothing.
    pub async fn shared_test(
        &self,
        rt: &ProfileRt,
        authorizer: Option<&str>,
    ) -> CoreResult<SharedTest> {
        let s = self.shared_of(rt)?;
        Ok(probe(s, authorizer).await)
    }

    /// The exact keys (or token API URLs) `source` reads for `component_appid`: the form shows
    /// them from here, so that they are the ones the borrowing code reads. Without `authorizer`
    /// an authorizer's key keeps its `{authorizer_appid}` placeholder.
    pub fn shared_keys(
        &self,
        component_appid: &str,
        source: &SharedSource,
        authorizer: Option<&str>,
    ) -> CoreResult<Vec<SharedKey>> {
        let appid = super::validate::appid(component_appid)?;
        source.check()?;
        let authorizer = Some(authorizer.unwrap_or("{authorizer_appid}"));
        let key_of: Box<dyn Fn(Item) -> Option<String>> = match source {
            SharedSource::Redis(r) => {
                let layout = r
                    .layout
                    .resolve()
                    .map_err(crate::shared_store::SourceError::from)?;
                Box::new(move |item| layout.key(item, &appid, authorizer))
            }
            SharedSource::Http(h) => {
                let api = HttpTokens::new(h.clone(), None, Duration::from_secs(1))?;
                Box::new(move |item| api.url(item, &appid, authorizer).ok())
            }
        };
        Ok(Item::ALL
            .into_iter()
            .map(|item| SharedKey {
                item,
                key: key_of(item),
            })
            .collect())
    }

    /// *Test* of settings not saved yet (the profile form): the same report.
    pub async fn shared_test_settings(
        &self,
        component_appid: &str,
        shared: &super::profiles::SharedInput,
        authorizer: Option<&str>,
    ) -> CoreResult<SharedTest> {
        let appid = super::validate::appid(component_appid)?;
        shared.source.check()?;
        // The form's secrets, else the ones stored for this appid: in memory only, for this test.
        let secrets = crate::secrets::MemoryStore::default();
        for (name, given) in [
            (SecretName::RedisPassword, &shared.redis_password),
            (SecretName::TokenApiHeader, &shared.header_value),
        ] {
            let value = match given.as_deref() {
                Some("") => None,
                Some(v) => Some(Sensitive::new(v.to_owned())),
                None => self.secrets.get(&appid, name)?,
            };
            if let Some(v) = value {
                secrets.set(&appid, name, &v)?;
            }
        }
        let s = SharedTokens::new(
            shared.source.clone(),
            &appid,
            Arc::new(secrets),
            &self.options,
        )?;
        Ok(probe(&s, authorizer).await)
    }
}

/// The token in the cell, else in the store (missing or expired: none).
async fn current_token(
    s: &SharedTokens,
    cell: &TokenCell<Borrowed>,
    authorizer: Option<&str>,
) -> CoreResult<Option<String>> {
    if let Some(b) = cell.peek().await {
        return Ok(Some(b.token.token.expose().clone()));
    }
    let item = if authorizer.is_some() {
        Item::AuthorizerToken
    } else {
        Item::ComponentToken
    };
    Ok(reread(s, item, authorizer)
        .await?
        .map(|r| r.stored.token))
}

/// `item` as the store holds it now; `None` when missing or expired (a refresh replaces it).
async fn reread(
    s: &SharedTokens,
    item: Item,
    authorizer: Option<&str>,
) -> CoreResult<Option<KeyReading>> {
    match s.read(item, authorizer).await {
        Ok(r) => Ok(Some(r)),
        Err(CoreError::Shared(
            SharedStoreError::Missing { .. } | SharedStoreError::Expired { .. },
        )) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn probe(s: &SharedTokens, authorizer: Option<&str>) -> SharedTest {
    let info = s.info();
    let mut report = SharedTest {
        kind: info.kind,
        location: info.location,
        layout: info.layout,
        writes: info.writes,
        reachable: true,
        error: None,
        keys: Vec::new(),
    };
    if let Err(e) = s.backend().await {
        report.reachable = false;
        report.error = Some(e.body());
        return report;
    }
    let mut items = vec![(Item::Ticket, None), (Item::ComponentToken, None)];
    if let Some(a) = authorizer {
        items.push((Item::AuthorizerToken, Some(a)));
        items.push((Item::AuthorizerRefreshToken, Some(a)));
    }
    for (item, a) in items {
        let probe = match s.read(item, a).await {
            Ok(r) => KeyProbe {
                item,
                authorizer_appid: a.map(str::to_owned),
                key: Some(r.key),
                present: true,
                ttl_secs: r.ttl_secs,
                tail: Some(masked_tail(&r.stored.token)),
                error: None,
            },
            Err(e) => {
                let key = match &e {
                    CoreError::Shared(
                        SharedStoreError::Missing { key }
                        | SharedStoreError::Expired { key, .. }
                        | SharedStoreError::Malformed { key, .. }
                        | SharedStoreError::Command { key, .. },
                    ) => Some(key.clone()),
                    _ => None,
                };
                KeyProbe {
                    item,
                    authorizer_appid: a.map(str::to_owned),
                    key,
                    present: !matches!(
                        e,
                        CoreError::Shared(
                            SharedStoreError::Missing { .. } | SharedStoreError::NotKept { .. }
                        )
                    ) && !matches!(e, CoreError::Shared(SharedStoreError::Unreachable { .. } | SharedStoreError::Timeout { .. } | SharedStoreError::Auth { .. })),
                    ttl_secs: None,
                    tail: None,
                    error: Some(e.body()),
                }
            }
        };
        report.keys.push(probe);
    }
    report
}
